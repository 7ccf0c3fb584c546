"""The IMAP side of `followup sync`: find a rep's Sent folder, read the headers of the
messages that arrived in it and in INBOX since the last sync.

New messages are found by UID (`UID last+1:*`, while the folder's UIDVALIDITY stays the
same), else by date (`SINCE` the first day the history drafted for the rep). Only the
header fields of `followup.mailbox.seen.FIELDS` are fetched, and for a delivery report
the start of its text; folders are opened read-only, so sync never marks a message seen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any, Final

from followup.history.mail import Mark, Read, Seen
from followup.mailbox.imap import Mailbox, special_folder
from followup.mailbox.seen import BOUNCE_BYTES, FIELDS, is_report, parse

#: Sent folders by name, when the server marks none with SPECIAL-USE (RFC 6154)
SENT_NAMES: Final = (
    "Sent", "Sent Messages", "Sent Items", "Sent Mail", "已发送", "已发送邮件", "已发邮件",
    "[Gmail]/Sent Mail", "[Google Mail]/Sent Mail", "Gesendet", "Gesendete Elemente",
    "Gesendete Objekte", "Envoyés", "Éléments envoyés", "Enviados", "Elementos enviados",
    "Itens Enviados", "Posta inviata", "Отправленные", "INBOX/Sent", "INBOX.Sent",
)  # fmt: skip
CHUNK: Final = 500  # UIDs per FETCH
_HEADER = f"BODY.PEEK[HEADER.FIELDS ({' '.join(FIELDS)})]"
_REPORT = f"BODY.PEEK[TEXT]<0.{BOUNCE_BYTES}>"


def sent_folder(box: Mailbox, named: str = "") -> str:
    """The Sent folder: `named` (the account's `sent`), else the one marked \\Sent
    (SPECIAL-USE), else the first of `SENT_NAMES` the server has."""
    return special_folder(
        box, named, flag=b"\\Sent", fallbacks=SENT_NAMES, missing="no Sent folder",
        fix="name it with `sent` in its [mail.accounts] table",
    )  # fmt: skip


def read_folder(
    box: Mailbox, folder: str, *, sent: bool, since: dt.date, mark: Mark | None
) -> Read:
    """The messages of `folder` after `mark` (all since `since` when the folder is new to
    sync, or the server renumbered it), oldest first."""
    info = box.client.select_folder(folder, readonly=True)
    validity = int(info.get(b"UIDVALIDITY", 0))
    same = mark is not None and mark.validity == validity
    if same:
        assert mark is not None
        found = box.client.search(["UID", f"{mark.last_uid + 1}:*"])
        uids = sorted(int(u) for u in found if int(u) > mark.last_uid)
    else:
        uids = sorted(int(u) for u in box.client.search(["SINCE", since]))
    messages = [m for chunk in _chunks(uids) for m in _fetch(box, chunk, sent=sent)]
    last = max(uids, default=mark.last_uid if same and mark is not None else 0)
    return Read(folder, messages, Mark(validity, last))


def _chunks(uids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(uids), CHUNK):
        yield uids[start : start + CHUNK]


def _fetch(box: Mailbox, uids: Sequence[int], *, sent: bool) -> list[Seen]:
    fetched: dict[int, dict[bytes, Any]] = box.client.fetch(uids, [_HEADER, "INTERNALDATE"])
    headers = {uid: _part(data, b"BODY[HEADER") for uid, data in fetched.items()}
    reports = [] if sent else [uid for uid, header in headers.items() if is_report(header)]
    texts: dict[int, bytes] = {}
    if reports:
        for uid, data in box.client.fetch(reports, [_REPORT]).items():
            texts[uid] = _part(data, b"BODY[TEXT]")
    return [
        parse(
            uid,
            headers[uid],
            _arrived(fetched[uid].get(b"INTERNALDATE")),
            sent=sent,
            report=texts.get(uid, b""),
        )
        for uid in sorted(headers)
    ]


def _part(data: dict[bytes, Any], prefix: bytes) -> bytes:
    """The fetched item whose key starts with `prefix` (servers echo the field list)."""
    return next((bytes(v) for k, v in data.items() if k.startswith(prefix) and v), b"")


def _arrived(value: object) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
