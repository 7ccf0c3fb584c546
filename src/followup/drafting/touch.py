"""Later touches: the message a second (third ...) follow-up answers in its thread.

A buyer who did not answer the first message gets a short follow-up to it: in the same
language, as a reply in the same thread (In-Reply-To and References to the message as it
was sent, a `Re:` subject), from templates of its own (`touch: 2` in the header). What the
earlier message was comes from the contact history (`followup.history.store`), which
`followup sync` fills from each rep's Sent folder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Previous:
    """The message a later touch follows up, as it was sent."""

    touch: int  # which touch it was (1: the first message)
    message_id: str  # `<...>`, as sent (a mail client may have given it a new one)
    references: tuple[str, ...]  # the thread's Message-IDs before it, oldest first
    subject: str  # as sent (a rep may have changed it)
    sent_on: dt.date
    text: str = ""  # its body as drafted (the outbox file), for the LLM prompt; "" if gone

    @property
    def thread(self) -> tuple[str, ...]:
        """The References of a reply to it: the thread's ids, then its own."""
        return (*self.references, self.message_id)
