"""The outbox folder (PRODUCT §8): draft files, their records, and the index.

Layout of `<root>`:

- `<name>.eml` per email draft: RFC 5322 with CRLF line ends, 7-bit ASCII on disk (non-ASCII
  headers RFC 2047-encoded, the UTF-8 body quoted-printable or base64 as the `email`
  package chooses), `X-Unsent: 1` so Outlook opens it as a draft.
- `<name>.txt` per WhatsApp draft: the body, a blank line, and a wa.me link carrying it.
- `.records/<name>.json`: the draft's record (`Draft.record()` plus `file`), written after
  its draft file, so a record always points to a complete file.
- `drafts.jsonl` and `drafts.csv`: the index, always rebuilt from the records.

`<name>` is the draft key with anything outside `[A-Za-z0-9._-]` replaced (then a short
hash of the key is added so two keys never share a name). Every file is written atomically,
so a run killed at any moment leaves at worst a draft file without a record, which the next
run redoes; the next run also removes the temp files (`.<name>.*.tmp`) a kill leaves behind.
Output is deterministic: the Date header is noon UTC of the as-of day and the Message-ID is
derived from the key and fingerprint, so the same drafts give byte-identical files.
"""

from __future__ import annotations

import datetime
import email.errors
import email.policy
import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from followup.drafts import Draft, fingerprint
from followup.errors import DraftError, FollowupError
from followup.outputs import atomic_write, csv_text, json_text

RECORDS = ".records"
JSONL = "drafts.jsonl"
CSV = "drafts.csv"
CSV_COLUMNS = (
    "key",
    "customer_id",
    "company",
    "recipient_name",
    "recipient",
    "channel",
    "campaign",
    "language",
    "subject",
    "body",
    "file",
    "segment",
    "engine",
    "template_id",
    "template_hash",
    "prompt_id",
    "prompt_hash",
    "model",
    "tokens_in",
    "tokens_out",
    "latency_ms",
    "fallback_reason",
    "language_fallback",
    "unapproved",
    "status",
    "findings",
    "fingerprint",
)
_SUFFIX = {"email": ".eml", "whatsapp": ".txt"}
_POLICY = email.policy.SMTP.clone(cte_type="7bit")  # CRLF, and an all-ASCII file
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
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


@dataclass(frozen=True)
class Index:
    """What `Outbox.finish` wrote: the two index files and how many drafts they list."""

    jsonl: Path
    csv: Path
    drafts: int
    by_status: dict[str, int]


class Outbox:
    """A folder of drafts that a rerun completes: skip current drafts, redo the rest."""

    def __init__(self, root: Path, *, date: datetime.date) -> None:
        """`date` is the as-of day; every .eml is dated noon UTC of that day."""
        self.root = root
        self.date = date
        self._remove_stale_temp_files()

    def is_current(self, key: str, fingerprint: str) -> bool:
        """True when a finished draft (record and file) with this fingerprint is on disk."""
        record = self._read_record(self.root / RECORDS / f"{safe_name(key)}.json")
        return bool(fingerprint) and record is not None and record["fingerprint"] == fingerprint

    def write(self, draft: Draft) -> Path:
        """Write the draft file, then its record, each atomically; return the file's path."""
        suffix = _SUFFIX.get(draft.channel)
        if suffix is None:
            channel = draft.channel
            raise DraftError(f"{draft.key}: unknown channel {channel!r}: use email or whatsapp")
        name = safe_name(draft.key)
        path = self.root / f"{name}{suffix}"
        data = eml_bytes(draft, self.date) if suffix == ".eml" else whatsapp_text(draft)
        record_path = self.root / RECORDS / f"{name}.json"
        record_path.unlink(missing_ok=True)  # a kill before the new record leaves no stale one
        atomic_write(path, data)
        atomic_write(record_path, json_text({**draft.record(), "file": path.name}))
        return path

    def records(self) -> list[dict[str, Any]]:
        """Records of the finished drafts on disk (record and file present), sorted by key."""
        folder = self.root / RECORDS
        paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
        found = [r for r in map(self._read_record, paths) if r is not None]
        return sorted(found, key=lambda r: str(r["key"]))

    def finish(self) -> Index:
        """Rebuild drafts.jsonl and drafts.csv (UTF-8 with a BOM, for Excel) from the records."""
        records = self.records()
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        atomic_write(self.root / JSONL, lines)
        rows = ([_cell(r, column) for column in CSV_COLUMNS] for r in records)
        atomic_write(self.root / CSV, "\ufeff" + csv_text(CSV_COLUMNS, rows))
        counts = Counter(str(r["status"]) for r in records)
        return Index(self.root / JSONL, self.root / CSV, len(records), dict(sorted(counts.items())))

    def _read_record(self, path: Path) -> dict[str, Any] | None:
        """The record at `path` if it and the file it names exist, else None."""
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or not {"key", "fingerprint", "file"} <= record.keys():
            return None
        file = record["file"]
        if not isinstance(file, str) or Path(file).name != file or file.startswith("."):
            return None
        return record if (self.root / file).is_file() else None

    def _remove_stale_temp_files(self) -> None:
        """Delete `.<name>.*.tmp` left by a killed run (atomic_write's temp names)."""
        for folder in (self.root, self.root / RECORDS):
            if not folder.is_dir():
                continue
            for temp in folder.glob(".*.tmp"):
                try:
                    temp.unlink(missing_ok=True)
                except OSError as exc:
                    raise FollowupError(f"cannot remove {temp}: {exc.strerror or exc}") from None


def safe_name(key: str) -> str:
    """A file name for a draft key: `[A-Za-z0-9._-]` only, not hidden, distinct per key."""
    name = _UNSAFE.sub("_", key)
    if name.startswith("."):
        name = "_" + name[1:]
    if name != key or len(name) > 120:
        name = f"{name[:100]}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:8]}"
    return name


def eml_bytes(draft: Draft, date: datetime.date) -> bytes:
    """The email draft as an unsent RFC 5322 message (CRLF, 7-bit ASCII)."""
    message = EmailMessage(policy=_POLICY)
    message["From"] = _address(draft.key, "sender", draft.sender_name, draft.sender_email)
    if draft.recipient.strip():  # no address: no To; the user picks one in the mail client
        message["To"] = _address(draft.key, "recipient", draft.recipient_name, draft.recipient)
    if draft.subject:
        message["Subject"] = _one_line(draft.subject)
    noon = datetime.datetime.combine(date, datetime.time(12), tzinfo=datetime.UTC)
    message["Date"] = format_datetime(noon)
    record = draft.record()
    digest = fingerprint(draft.key, draft.fingerprint or record)
    message["Message-ID"] = f"<{digest[:32]}@followup.invalid>"
    message["X-Unsent"] = "1"
    for header, field in _HEADERS:
        if record[field]:
            message[header] = _one_line(str(record[field]))
    message.set_content(draft.body, charset="utf-8")
    return message.as_bytes()


def whatsapp_text(draft: Draft) -> str:
    """The body, a blank line, and a wa.me link that opens WhatsApp with the body filled in."""
    body = draft.body.replace("\r\n", "\n").rstrip()
    return f"{body}\n\n{wa_link(draft.recipient, body)}\n"


def wa_link(number: str, text: str) -> str:
    """`https://wa.me/<digits>?text=...`; without a number WhatsApp lets the user pick one.

    Only the digits are kept (full-width ones too) and a leading international `00` is
    dropped, as wa.me wants the country code without `+` or `00`.
    """
    digits = "".join(str(unicodedata.decimal(c)) for c in number if c.isdecimal())
    digits = digits.removeprefix("00")
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"


def _address(key: str, role: str, name: str, addr: str) -> Address:
    """An Address with an IDNA domain; a clear DraftError for an unusable address."""
    local, at, domain = addr.strip().rpartition("@")
    try:
        if not (at and local and domain):
            raise ValueError("no user@domain")
        ascii_domain = domain.encode("idna").decode("ascii")
        return Address(display_name=_one_line(name), addr_spec=f"{local}@{ascii_domain}")
    except (ValueError, IndexError, email.errors.HeaderParseError):
        raise DraftError(
            f"{key}: the {role} email {addr!r} is not a usable address: correct it in the data"
        ) from None


def _one_line(text: str) -> str:
    """Header text on one line (a newline in a header value would start a new header)."""
    return " ".join(text.split())


def _cell(record: dict[str, Any], column: str) -> Any:
    """One CSV cell: findings joined, booleans as true/false, None as empty."""
    value = record.get(column)
    if column == "findings":
        return "; ".join(f"{f['code']}: {f['message']}" for f in value or [])
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value
