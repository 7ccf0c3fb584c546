"""The outbox folder: draft files, their journal, and the index (docs/cli.md, `batch`).

Layout of `<root>`:

- `<name>.eml` per email draft, `<name>.txt` per WhatsApp draft (`followup.outbox.messages`).
- `.journal.jsonl`: one record a line (`Draft.record()` plus `file`, as drafts.jsonl writes
  it), appended after its draft file is written, so a record always points to a complete
  file; later lines win, and `finish` compacts it to one line a draft. `write` does it all;
  a batch may split it: `encode` (in worker processes), then `store` and `commit`.
- `drafts.jsonl` and `drafts.csv`: the index, always rebuilt from the journal.

`<name>` is the draft key with anything outside `[A-Za-z0-9._-]` replaced (then a short
hash of the key is added so two keys never share a name). Draft files are written
atomically, so a run killed at any moment leaves at worst a draft without a record (the
next run redoes it) or half a journal line (ignored); the next run also removes the temp
files (`.<name>.*.tmp`) a kill leaves behind. The same drafts give byte-identical files.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from followup.campaigns import CHANNELS
from followup.drafting.draft import Draft
from followup.errors import DraftError, FollowupError
from followup.files import atomic_write, csv_row
from followup.outbox.messages import message

JOURNAL = ".journal.jsonl"
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
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(..., ensure_ascii=False), built once


@dataclass(frozen=True)
class Entry:
    """A draft file on disk and its record, with the record's index lines ready.

    Lean, as worker processes send one back per draft: the record travels only as its
    JSON line (read back when asked for), and both lines as UTF-8 bytes, which the
    parent copies, never decodes.
    """

    key: str
    file: str
    fingerprint: str
    status: str
    line: bytes  # the record, as drafts.jsonl and the journal hold it
    row: bytes  # as drafts.csv holds it

    @property
    def record(self) -> dict[str, Any]:
        record: dict[str, Any] = json.loads(self.line)
        return record


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
        self._folder = os.fspath(root)
        self.date = date
        self._remove_stale_temp_files()
        self._records, self._needs_newline = self._read_journal()
        self._entries: dict[str, Entry] = {}  # index lines made: this run's, or at `finish`
        self._journal: BinaryIO | None = None
        self._lock = threading.Lock()  # writers may be threads (concurrent LLM drafts)

    def is_current(self, key: str, fingerprint: str) -> bool:
        """True when a finished draft (record and file) with this fingerprint is on disk."""
        entry = self._entries.get(key)
        if entry is not None:
            found, file = entry.fingerprint, entry.file
        elif key in self._records:
            found, file = self._records[key]["fingerprint"], self._records[key]["file"]
        else:
            return False
        return bool(fingerprint) and found == fingerprint and (self.root / file).is_file()

    def write(self, draft: Draft) -> Path:
        """Write the draft file atomically, then append its record to the journal."""
        entry, data = self.encode(draft)
        self.store(entry, data)
        self.commit([entry])
        return self.root / entry.file

    def encode(self, draft: Draft) -> tuple[Entry, bytes | str]:
        """The draft's record and file content, nothing written (worker processes call it)."""
        channel = CHANNELS.get(draft.channel)
        if channel is None:
            known = " or ".join(CHANNELS)
            raise DraftError(f"{draft.key}: unknown channel {draft.channel!r}: use {known}")
        record = draft.record()
        data = message(draft, self.date, record)
        record["file"] = f"{safe_name(draft.key)}{channel.suffix}"
        return _entry(record), data

    def store(self, entry: Entry, data: bytes | str) -> None:
        """Write an encoded draft's file atomically; its record waits for `commit`."""
        atomic_write(os.path.join(self._folder, entry.file), data)  # no Path: 10,000 calls

    def commit(self, entries: list[Entry]) -> None:
        """Append the records of draft files `store` wrote to the journal (thread-safe)."""
        if not entries:
            return
        with self._lock:
            self._append(b"".join(entry.line for entry in entries))
            for entry in entries:
                self._records.pop(entry.key, None)
                self._entries[entry.key] = entry

    def records(self) -> list[dict[str, Any]]:
        """Records of the finished drafts on disk (record and file present), sorted by key."""
        return [self._record(key) for key in self._finished()]

    def finish(self) -> Index:
        """Rebuild drafts.jsonl and drafts.csv (UTF-8 with a BOM, for Excel) from the records,
        and compact the journal to one line a draft."""
        with self._lock:
            if self._journal is not None:
                self._journal.close()
                self._journal = None
            keys = self._finished()
            entries = [self._entries.get(key) or _entry(self._records[key]) for key in keys]
            lines = b"".join(entry.line for entry in entries)
            header = ("\ufeff" + csv_row(CSV_COLUMNS, safe=False)).encode("utf-8")
            csv = header + b"".join(entry.row for entry in entries)
            # the journal compacted: the index is the journal
            _write_together(
                {self.root / JSONL: lines, self.root / CSV: csv, self.root / JOURNAL: lines}
            )
            self._records, self._needs_newline = {}, False
            self._entries = dict(zip(keys, entries, strict=True))
        counts = Counter(str(entry.status) for entry in entries)
        return Index(self.root / JSONL, self.root / CSV, len(entries), dict(sorted(counts.items())))

    def _finished(self) -> list[str]:
        """Keys of the finished drafts (the latest record's file is on disk), sorted.

        One listing of the folder rather than a lookup per file (10,000 stats).
        """
        try:
            with os.scandir(self.root) as found:
                files = {item.name for item in found if item.is_file()}
        except FileNotFoundError:
            files = set()
        latest = {key: entry.file for key, entry in self._entries.items()}
        latest.update((key, record["file"]) for key, record in self._records.items())
        return sorted(key for key, file in latest.items() if file in files)

    def _record(self, key: str) -> dict[str, Any]:
        entry = self._entries.get(key)
        return entry.record if entry is not None else self._records[key]

    def _append(self, line: bytes) -> None:
        if self._journal is None:
            self.root.mkdir(parents=True, exist_ok=True)
            self._journal = (self.root / JOURNAL).open("ab")
            if self._needs_newline:  # a killed run left half a line: end it
                self._journal.write(b"\n")
                self._needs_newline = False
        self._journal.write(line)
        self._journal.flush()

    def _read_journal(self) -> tuple[dict[str, dict[str, Any]], bool]:
        """The latest valid record per key, and whether the journal ends mid-line."""
        try:
            raw = (self.root / JOURNAL).read_bytes()
        except FileNotFoundError:
            return {}, False
        records: dict[str, dict[str, Any]] = {}
        for line in raw.splitlines():
            record = _valid_record(line)
            if record is not None:
                records[str(record["key"])] = record
        return records, bool(raw) and not raw.endswith(b"\n")

    def _remove_stale_temp_files(self) -> None:
        """Delete `.<name>.*.tmp` left by a killed run (atomic_write's temp names)."""
        if not self.root.is_dir():
            return
        for temp in self.root.glob(".*.tmp"):
            try:
                temp.unlink(missing_ok=True)
            except OSError as exc:
                raise FollowupError(f"cannot remove {temp}: {exc.strerror or exc}") from None


def _write_together(files: dict[Path, bytes]) -> None:
    """Write each file atomically, all at once: a 10,000-draft index is ~50 MB, and the
    copies into the page cache run on separate cores (a write releases the GIL)."""
    with ThreadPoolExecutor(max_workers=len(files)) as pool:
        for written in [pool.submit(atomic_write, path, data) for path, data in files.items()]:
            written.result()


def _entry(record: dict[str, Any]) -> Entry:
    line = (_JSON.encode(record) + "\n").encode("utf-8")
    row = csv_row([_cell(record, column) for column in CSV_COLUMNS]).encode("utf-8")
    key, file = str(record["key"]), record["file"]
    return Entry(key, file, record["fingerprint"], record["status"], line, row)


def _valid_record(line: bytes) -> dict[str, Any] | None:
    """A journal line as a record, or None (cut short by a kill, or tampered with)."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict) or not {"key", "fingerprint", "file"} <= record.keys():
        return None
    file = record["file"]
    if not isinstance(file, str) or Path(file).name != file or file.startswith("."):
        return None
    return record


def safe_name(key: str) -> str:
    """A file name for a draft key: `[A-Za-z0-9._-]` only, not hidden, distinct per key."""
    name = _UNSAFE.sub("_", key)
    if name.startswith("."):
        name = "_" + name[1:]
    if name != key or len(name) > 120:
        name = f"{name[:100]}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:8]}"
    return name


def _cell(record: dict[str, Any], column: str) -> Any:
    """One CSV cell: findings joined, booleans as true/false, None as empty."""
    value = record.get(column)
    if column == "findings":
        return "; ".join(f"{f['code']}: {f['message']}" for f in value or [])
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value
