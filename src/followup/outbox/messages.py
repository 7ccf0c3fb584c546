"""The draft files' formats: an unsent email (.eml) and a WhatsApp text with a wa.me link.

- `.eml`: RFC 5322 with CRLF line ends, 7-bit ASCII on disk (non-ASCII headers as RFC 2047
  words, the UTF-8 body quoted-printable), `X-Unsent: 1` so Outlook opens it as a draft.
- `.txt`: the body, a blank line, and a wa.me link carrying it.

Deterministic: the Date header is noon UTC of the as-of day and the Message-ID is derived
from the key and fingerprint, so the same drafts give byte-identical files.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from collections.abc import Callable
from email.utils import format_datetime, formataddr
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from followup.addresses import ascii_email, phone_digits
from followup.drafting.draft import Draft, fingerprint
from followup.errors import DraftError

_WORD_BYTES = 42  # 56 base64 characters: each encoded word stays within a 78-column line
_HEADERS = (  # X-Followup-* header, record field; a header is left out when the field is empty
    ("X-Followup-Campaign", "campaign"),
    ("X-Followup-Customer", "customer_id"),
    ("X-Followup-Engine", "engine"),
    ("X-Followup-Template", "template_id"),
    ("X-Followup-Template-Hash", "template_hash"),
    ("X-Followup-Prompt", "prompt_id"),
    ("X-Followup-Prompt-Hash", "prompt_hash"),
    ("X-Followup-Model", "model"),
)


def eml_bytes(draft: Draft, date: datetime.date, record: dict[str, Any] | None = None) -> bytes:
    """The email draft as an unsent RFC 5322 message (CRLF, 7-bit ASCII).

    Assembled from the `email` package's encoders (`formataddr`, `Header` for RFC 2047
    words and folding, `format_datetime`) and a quoted-printable UTF-8 body. The
    `EmailMessage` object model does the same ~10x slower (1.3 ms a message), which
    a 10,000-draft batch cannot afford; tests parse every shape back with `email.parser`.
    """
    record = record if record is not None else draft.record()
    lines = [f"From: {_address(draft.key, 'sender', draft.sender_name, draft.sender_email)}"]
    if draft.recipient.strip():  # no address: no To; the user picks one in the mail client
        lines.append(
            f"To: {_address(draft.key, 'recipient', draft.recipient_name, draft.recipient)}"
        )
    if draft.subject:
        lines.append(_header("Subject", draft.subject))
    msgid = record.get("message_id") or message_id(draft, record)
    lines += [_date_header(date), f"Message-ID: {msgid}", *_thread(draft), "X-Unsent: 1"]
    lines += [_header(name, str(record[field])) for name, field in _HEADERS if record[field]]
    lines += ["MIME-Version: 1.0", 'Content-Type: text/plain; charset="utf-8"',
              "Content-Transfer-Encoding: quoted-printable"]  # fmt: skip
    body = "\r\n".join(draft.body.splitlines()) + "\r\n"
    encoded = binascii.b2a_qp(body.encode("utf-8"), istext=True)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + encoded


def message_id(draft: Draft, record: dict[str, Any]) -> str:
    """The email draft's Message-ID, `<hash.followup@sender's domain>`: stable for the same
    draft, so a push finds it again and `followup sync` matches the mail sent from it."""
    digest = fingerprint(draft.key, draft.fingerprint or record)
    domain = draft.sender_email.rpartition("@")[2].strip() or "followup.invalid"
    return f"<{digest[:32]}.followup@{domain}>"


def _thread(draft: Draft) -> list[str]:
    """A later touch's In-Reply-To and References (one id a line, folded): the mail client
    shows it as a reply in the thread of the message it follows up."""
    if not draft.in_reply_to:
        return []
    ids = list(draft.references) or [draft.in_reply_to]
    return [f"In-Reply-To: {draft.in_reply_to}", "References: " + "\r\n ".join(ids)]


@lru_cache(maxsize=16)
def _date_header(date: datetime.date) -> str:
    """`Date:` at noon UTC of the as-of day (the same for every draft of a batch)."""
    noon = datetime.datetime.combine(date, datetime.time(12), tzinfo=datetime.UTC)
    return f"Date: {format_datetime(noon)}"


def _header(name: str, value: str) -> str:
    """`Name: value` on one line; non-ASCII as RFC 2047 base64 words, folded between words.

    ASCII values stay as they are (a line may hold 998 characters; a hash cannot be
    folded anyway); `email.header.Header` does the same job at ten times the cost.
    """
    value = _one_line(value)
    if value.isascii():
        return f"{name}: {value}"
    words, chunk = [], b""
    for char in value:  # never split a character's UTF-8 bytes across two words
        encoded = char.encode("utf-8")
        if len(chunk) + len(encoded) > _WORD_BYTES:
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return f"{name}: " + "\r\n ".join(
        f"=?utf-8?b?{base64.b64encode(word).decode('ascii')}?=" for word in words
    )


def whatsapp_text(draft: Draft) -> str:
    """The body, a blank line, and a wa.me link that opens WhatsApp with the body filled in."""
    body = draft.body.replace("\r\n", "\n").rstrip()
    return f"{body}\n\n{wa_link(draft.recipient, body)}\n"


def wa_link(number: str, text: str) -> str:
    """`https://wa.me/<digits>?text=...`; without a number WhatsApp lets the user pick one.

    Only the digits are kept (full-width ones too) and a leading international `00` is
    dropped, as wa.me wants the country code without `+` or `00`.
    """
    return f"https://wa.me/{phone_digits(number)}?text={quote(text, safe='')}"


def _address(key: str, role: str, name: str, addr: str) -> str:
    """`Name <user@domain>` with an IDNA domain; a clear DraftError for an unusable address."""
    try:
        return _formatted_address(name, addr)
    except ValueError:  # UnicodeError too
        raise DraftError(
            f"{key}: the {role} email {addr!r} is not a usable address: correct it in the data"
        ) from None


@lru_cache(maxsize=256)  # a batch has a few senders (one per rep), each on many drafts
def _formatted_address(name: str, addr: str) -> str:
    address = ascii_email(addr)
    if address is None:
        raise ValueError("not a usable address")
    return formataddr((_one_line(name), address), charset="utf-8")


def _one_line(text: str) -> str:
    """Header text on one line (a newline in a header value would start a new header)."""
    return " ".join(text.split())


def message(draft: Draft, date: datetime.date, record: dict[str, Any]) -> bytes | str:
    """The draft file's content for its channel (`ENCODERS`)."""
    return ENCODERS[draft.channel](draft, date, record)


def _whatsapp(draft: Draft, _date: datetime.date, _record: dict[str, Any]) -> str:
    return whatsapp_text(draft)


#: channel -> how its draft file is written (one per `followup.campaigns.CHANNELS`)
ENCODERS: dict[str, Callable[[Draft, datetime.date, dict[str, Any]], bytes | str]] = {
    "email": eml_bytes,
    "whatsapp": _whatsapp,
}


def read_back(channel: str, data: bytes) -> dict[str, str | None]:
    """The subject and body a draft file holds now (a rep may have edited it): what the
    index and mail merge must carry. A file that cannot be read back keeps its record."""
    if channel == "whatsapp":
        text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
        body, link, _ = text.rstrip("\n").rpartition("\n\nhttps://wa.me/")
        return {"body": (body if link else text).rstrip() + "\n"}
    from email import message_from_bytes, policy

    parsed = message_from_bytes(data, policy=policy.default)
    part = parsed.get_body(("plain",)) if parsed.is_multipart() else parsed
    try:
        body = part.get_content() if part is not None else ""
    except (LookupError, ValueError):
        body = ""
    subject = parsed["subject"]
    return {
        "subject": None if subject is None else str(subject),
        "body": body.replace("\r\n", "\n"),
    }
