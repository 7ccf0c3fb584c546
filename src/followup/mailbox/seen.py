"""What `followup sync` reads of one message: its headers, and for a bounce the lines of
its delivery report that name the address and the message that failed.

Pure parsing (stdlib `email`): the IMAP side (`followup.mailbox.reading`) fetches only
the header fields below and, for a delivery report, the first `BOUNCE_BYTES` of its text.
No body of a buyer's message is read or kept.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime
from typing import Final

from followup.history.mail import Kind, Seen

#: the header fields `sync` fetches (IMAP `BODY.PEEK[HEADER.FIELDS (...)]`)
FIELDS: Final = (
    "MESSAGE-ID", "IN-REPLY-TO", "REFERENCES", "FROM", "TO", "CC", "DATE", "SUBJECT",
    "CONTENT-TYPE", "AUTO-SUBMITTED", "X-AUTOREPLY", "X-FAILED-RECIPIENTS", "RETURN-PATH",
)  # fmt: skip
BOUNCE_BYTES: Final = 16_384  # of a delivery report's text: its status part comes first

_ID = re.compile(r"<[^<>\s]+>")
_DAEMONS: Final = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery (status )?notification|returned mail|delivery fail|failure notice|"
    r"unzustellbar|non remis|no se puede entregar|退信|投递失败|系统退信",
    re.IGNORECASE,
)
_RECIPIENT = re.compile(
    r"^(?:Final|Original)-Recipient:\s*rfc822;\s*<?([^\s<>;]+@[^\s<>;]+)>?", re.I | re.M
)
_ORIGINAL_ID = re.compile(r"^Message-ID:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
_AUTO_SUBJECT = re.compile(
    r"^(automatic reply|auto(matic)?[- ]?(reply|response)|out of (the )?office|"
    r"abwesenheit|absence|réponse automatique|respuesta automática|自动回复)",
    re.IGNORECASE,
)


def parse(
    uid: int, header: bytes, arrived: dt.datetime | None, *, sent: bool, report: bytes = b""
) -> Seen:
    """A message from its header bytes (`FIELDS`), read from a Sent folder or an inbox;
    `report`: the start of its text when `is_report` said it is a delivery report."""
    message = BytesHeaderParser(policy=compat32).parsebytes(header)
    sender = _addresses(message.get_all("From", []))
    threads = _ids(message.get("In-Reply-To", "")) + _ids(message.get("References", ""))
    subject = _text(message.get("Subject", ""))
    kind: Kind = "sent" if sent else "reply"
    failed: tuple[str, ...] = ()
    failed_id = ""
    if not sent and is_report(header):
        kind = "bounce"
        text = report.decode("utf-8", errors="replace")
        named = _addresses(message.get_all("X-Failed-Recipients", []))
        failed = tuple(dict.fromkeys([*named, *(a.lower() for a in _RECIPIENT.findall(text))]))
        original = _ORIGINAL_ID.search(text)
        failed_id = original.group(1) if original else ""
    elif not sent and _automatic(message, subject):
        kind = "auto"
    return Seen(
        uid=uid,
        message_id=next(iter(_ids(message.get("Message-ID", ""))), ""),
        in_reply_to=tuple(dict.fromkeys(threads)),
        sender=sender[0] if sender else "",
        recipients=_addresses(message.get_all("To", []) + message.get_all("Cc", [])),
        subject=subject,
        at=_when(message.get("Date"), arrived),
        kind=kind,
        failed=failed,
        failed_id=failed_id,
    )


def is_report(header: bytes) -> bool:
    """Whether a message's headers say it is a delivery report (DSN, RFC 3464) or a
    bounce written by a mailer daemon (whose text then names the failed address)."""
    message = BytesHeaderParser(policy=compat32).parsebytes(header)
    content = str(message.get("Content-Type", "")).lower()
    if "multipart/report" in content and "delivery-status" in content:
        return True
    sender = _addresses(message.get_all("From", []))
    local = sender[0].partition("@")[0] if sender else ""
    subject = _text(message.get("Subject", ""))
    return local in _DAEMONS and bool(_BOUNCE_SUBJECT.search(subject))


def _automatic(message: Message, subject: str) -> bool:
    """An out-of-office or other automatic answer (RFC 3834 Auto-Submitted): not a reply."""
    auto = str(message.get("Auto-Submitted", "") or "").strip().lower()
    flagged = message.get("X-Autoreply")
    return (auto not in ("", "no")) or bool(flagged) or bool(_AUTO_SUBJECT.search(subject))


def _ids(value: object) -> tuple[str, ...]:
    return tuple(_ID.findall(str(value or "")))


def _addresses(values: Sequence[object]) -> tuple[str, ...]:
    found = getaddresses([_text(v) for v in values])
    return tuple(dict.fromkeys(addr.strip().lower() for _name, addr in found if "@" in addr))


def _text(value: object) -> str:
    """A header's text with RFC 2047 words decoded, on one line."""
    from email.header import decode_header, make_header

    raw = str(value or "")
    try:
        decoded = str(make_header(decode_header(raw)))
    except (LookupError, ValueError, UnicodeError):
        decoded = raw
    return " ".join(decoded.split())


def _when(value: object, arrived: dt.datetime | None) -> dt.datetime:
    """The Date header in UTC; the arrival time when it is missing or unreadable."""
    parsed = None
    if value:
        try:
            parsed = parsedate_to_datetime(str(value))
        except (TypeError, ValueError, IndexError):
            parsed = None
    found = parsed or arrived or dt.datetime.now(dt.UTC)
    if found.tzinfo is None:
        found = found.replace(tzinfo=dt.UTC)
    return found.astimezone(dt.UTC)
