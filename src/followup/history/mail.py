"""What the history keeps of the mail `followup sync` read: the shapes the mailbox side
(`followup.mailbox.seen`, `followup.mailbox.reading`) fills and `threads.record_sync`
stores. Ids, addresses, subject and time of each message; never a body.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Kind = Literal["sent", "reply", "bounce", "auto"]


@dataclass(frozen=True)
class Seen:
    """One message as sync keeps it: ids, addresses, subject and time, no body."""

    uid: int
    message_id: str
    in_reply_to: tuple[str, ...]  # In-Reply-To, then References: the thread it answers
    sender: str  # the From address, lower case
    recipients: tuple[str, ...]  # To and Cc addresses, lower case
    subject: str
    at: dt.datetime  # the Date header (UTC); the server's arrival time when it has none
    kind: Kind  # what the folder and headers make of it (sent: read from a Sent folder)
    #: a bounce: the addresses that failed and the id of the message that did
    failed: tuple[str, ...] = ()
    failed_id: str = ""

    @property
    def day(self) -> dt.date:
        return self.at.date()


@dataclass(frozen=True)
class Mark:
    """Where a folder's sync stopped: its UIDVALIDITY and the last UID read."""

    validity: int
    last_uid: int


@dataclass(frozen=True)
class Read:
    """The new messages of one folder, and where the next sync starts."""

    folder: str
    messages: list[Seen]
    mark: Mark
