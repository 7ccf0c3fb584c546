"""The outbox folder: draft files, their journal, and the index (docs/cli.md, `batch`).

Layout of `<root>`:

- `<name>.eml` per email draft, `<name>.txt` per WhatsApp draft (`followup.outbox.messages`;
  `<name>` from `followup.outbox.names`).
- `.journal.jsonl`: one record a line (`followup.outbox.journal`), appended after its
  draft file is written, so a record always points to a complete file. `write` does it
  all; a batch may split it: `encode` (in worker processes), then `store` and `commit`.
- `drafts.jsonl` (every draft, failed ones with their reason) and `drafts.csv` (the drafts
  on disk, for mail merge; UTF-8 with a BOM for Excel): the index, rebuilt by `finish`
  from the journal on disk, so two runs into one outbox both land in it.
- `.lock`: taken while the journal grows or the index is rebuilt (`followup.outbox.lock`).

A draft file whose bytes are no longer what followup wrote (the journal keeps their hash,
size and time) was edited by hand: it is never overwritten (unless asked), and the index
carries the text that is in it. A run killed at any moment leaves at worst a draft
without a record (the next run redoes it, byte for byte) or half a journal line
(ignored). The same drafts give byte-identical files and index.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from followup.campaigns import CHANNELS
from followup.drafting.draft import Draft
from followup.errors import DraftError, OutboxError, WriteError
from followup.files import atomic_write, csv_row, for_excel
from followup.outbox import decisions, journal
from followup.outbox.decisions import FIELDS as REVIEW_FIELDS
from followup.outbox.journal import CSV, JOURNAL, JSONL, Stored
from followup.outbox.lock import OutboxLock, process_alive
from followup.outbox.messages import message, message_id, read_back
from followup.outbox.names import safe_name
from followup.redact import clip

__all__ = ["CSV", "CSV_COLUMNS", "JOURNAL", "JSONL", "Entry", "Index", "Outbox", "safe_name"]

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
    "summary_zh",
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
    "edited",
    *REVIEW_FIELDS,  # the manager's decision (`followup review apply`), as it stands
)
REPLACED = "replaced"  # --overwrite-edited keeps the hand-edited files it replaces here
_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(..., ensure_ascii=False), built once
#: files.atomic_write's temp files of an outbox's own files: `.<name>.<pid>.<n>.tmp`
_TEMP = re.compile(r"^\..+\.(?:eml|txt|jsonl|csv)\.(\d+)\.\d+\.tmp$")


@dataclass(frozen=True)
class Entry:
    """A draft and its record, with the record's index lines ready.

    Lean, as worker processes send one back per draft: the record travels only as its
    JSON line (read back when asked for), and both lines as UTF-8 bytes, which the
    parent copies, never decodes.
    """

    key: str
    file: str | None  # None: a failed draft, listed in drafts.jsonl with its reason
    fingerprint: str
    status: str
    line: bytes  # the record, as drafts.jsonl holds it
    row: bytes  # as drafts.csv holds it (empty for a failed draft)
    sha256: str | None = None  # of the file's bytes as written
    size: int | None = None
    #: the record's `HISTORY_FIELDS`, for the contact history without parsing `line`
    history: tuple[Any, ...] = ()

    @property
    def record(self) -> dict[str, Any]:
        record: dict[str, Any] = json.loads(self.line)
        return record


#: what the contact history keeps of a record (`followup.history.store.record_drafts`)
HISTORY_FIELDS = (
    "customer_id", "campaign", "channel", "language", "sender_name", "template_id",
    "template_hash", "prompt_id", "prompt_hash", "engine", "fingerprint", "file", "status",
    "message_id", "recipient", "subject", "touch",
)  # fmt: skip


@dataclass(frozen=True)
class Index:
    """What `Outbox.finish` wrote: the two index files and how many drafts they list."""

    jsonl: Path
    csv: Path
    drafts: int
    by_status: dict[str, int]
    edited: list[str]  # keys of drafts edited by hand (the index has their text)
    entries: tuple[Entry, ...] = ()  # what drafts.jsonl lists, in its order


class Outbox:
    """A folder of drafts that a rerun completes: skip current drafts, redo the rest, keep
    what a rep edited."""

    def __init__(
        self,
        root: Path,
        *,
        date: datetime.date,
        read_only: bool = False,
        overwrite_edited: bool = False,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        """`date` is the as-of day (every .eml is dated noon UTC of that day); `read_only`
        (a dry run) writes, removes and locks nothing; `on_wait` hears why a run waits."""
        self.root = root
        self.date = date
        self.read_only = read_only
        self.overwrite_edited = overwrite_edited
        self._folder = os.fspath(root)
        if not read_only:
            _make_folder(root)
        read = journal.read(root)
        self.warnings = [f"{root / JOURNAL} {line}" for line in read.skipped]
        self._stored: dict[str, Stored] = read.records  # as read when the run started
        self._entries: dict[str, Entry] = {}  # this run's
        self._known = read.identity  # the journal as this process last saw it
        self._foreign = False  # another run changed the journal meanwhile
        self._needs_newline = read.ends_mid_line
        self._lock = threading.Lock()  # writers may be threads (concurrent LLM drafts)
        self._file_lock = OutboxLock(root, on_wait=on_wait)
        self._swept = read_only
        self._verified: set[str] = set()  # keys whose files this run saw as followup wrote them

    # --- what is there ------------------------------------------------------------------

    def is_current(self, key: str, fingerprint: str) -> bool:
        """True when a finished draft (record and file) with this fingerprint is on disk."""
        found = self._latest(key)
        if found is None or not fingerprint or found.file is None:
            return False
        return found.fingerprint == fingerprint and os.path.isfile(self._path(found.file))

    def edited(self, key: str) -> bool:
        """True when the draft file of `key` is not what followup wrote there (a hand edit)."""
        found = self._latest(key)
        if found is None or found.file is None:
            return False
        return _edited(found, self._path(found.file))

    def verified(self, key: str) -> None:
        """This run found the draft of `key` as followup wrote it (and left it)."""
        self._verified.add(key)

    def history_records(self) -> list[dict[str, Any]]:
        """`HISTORY_FIELDS` of the finished drafts on disk (as `records`): from this run's
        entries as they are, from earlier runs' journal lines parsed."""
        files = self._files()
        found = [self._latest(key) for key in sorted(self._all())]
        return [
            dict(zip(HISTORY_FIELDS, f.history, strict=True))
            if isinstance(f, Entry) and f.history
            else json.loads(f.line)
            for f in found
            if f is not None and f.file in files
        ]

    def records(self) -> list[dict[str, Any]]:
        """Records of the finished drafts on disk (record and file present), sorted by key."""
        files = self._files()
        found = [self._latest(key) for key in sorted(self._all())]
        return [json.loads(f.line) for f in found if f is not None and f.file in files]

    # --- writing ------------------------------------------------------------------------

    def write(self, draft: Draft) -> Path:
        """Write the draft file atomically, then append its record to the journal."""
        entry, data = self.encode(draft)
        self.commit([self.store(entry, data)])
        assert entry.file is not None
        return self.root / entry.file

    def encode(self, draft: Draft) -> tuple[Entry, bytes]:
        """The draft's record and file content, nothing written (worker processes call it)."""
        channel = CHANNELS.get(draft.channel)
        if channel is None:
            known = " or ".join(CHANNELS)
            raise DraftError(f"{draft.key}: unknown channel {draft.channel!r}: use {known}")
        record = draft.record()
        if draft.channel == "email":
            record["message_id"] = message_id(draft, record)
        content = message(draft, self.date, record)
        data = content.encode("utf-8") if isinstance(content, str) else content
        sha256 = hashlib.sha256(data).hexdigest()
        record.update(
            file=f"{safe_name(draft.key)}{channel.suffix}",
            edited=False,
            file_sha256=sha256,
            file_size=len(data),
        )
        return _entry(record), data

    def failed(self, record: dict[str, Any], reason: str) -> Entry:
        """The record of a draft that could not be made (listed in drafts.jsonl until a draft
        of it is on disk), from what is known of it (key, customer, campaign...)."""
        fields: dict[str, Any] = {"file": None, "fingerprint": "", "status": "failed"}
        return _entry({**record, **fields, "findings": [], "error": clip(reason)})

    def store(self, entry: Entry, data: bytes) -> Entry:
        """Write an encoded draft's file atomically; its record waits for `commit`.

        A file edited by hand is replaced only with `overwrite_edited`, and kept a copy of
        in `replaced/` first.
        """
        assert entry.file is not None, "a failed draft has no file"
        assert not self.read_only, "a read-only outbox writes nothing"
        self._sweep()
        path = self._path(entry.file)  # no Path: 10,000 calls
        if self.overwrite_edited and self.edited(entry.key):
            self._keep_copy(entry.file)
        atomic_write(path, data)
        return entry

    def commit(self, entries: list[Entry]) -> None:
        """Append the records of draft files `store` wrote to the journal (thread-safe; the
        outbox's lock is held meanwhile, so another run's lines never mix with these)."""
        with self._lock:
            # a failure never hides a draft on disk: the earlier draft stays in the index
            entries = [e for e in entries if e.file is not None or not self._has_draft(e.key)]
        if not entries:
            return
        lines = b"".join(entry.line for entry in entries)
        with self._lock, self._file_lock:
            if journal.identity(self.root) != self._known:
                self._foreign = True
            try:
                self._known = journal.append(self.root, lines, end_line_first=self._needs_newline)
            except OSError as exc:
                cause = exc.strerror or str(exc)
                raise DraftError(
                    f"cannot record drafts in {self.root / JOURNAL}: {cause}"
                ) from None
            self._needs_newline = False
            for entry in entries:
                self._entries[entry.key] = entry

    def finish(self, also: Callable[[list[Entry]], None] | None = None) -> Index:
        """Rebuild drafts.jsonl and drafts.csv from the journal on disk (every run's drafts)
        and compact the journal to one line a draft; an edited file's text goes into the
        index as it is in the file. `also(entries)` runs meanwhile, on a thread, the lock
        held, with the index's entries (the batch writes review.xlsx from them while the
        index files are written)."""
        with self._lock, self._file_lock:
            if self._foreign or journal.identity(self.root) != self._known:
                self._reload()
            files = self._files()
            entries, edited = [], []
            for key in sorted(self._all()):
                entry, by_hand = self._index_entry(key, files)
                if entry is not None:
                    entries.append(entry)
                    edited += [key] if by_hand else []
            indexed = self._reviewed(entries)
            self._write_index(entries, indexed, also)
        counts = Counter(entry.status for entry in entries)
        return Index(
            self.root / JSONL,
            self.root / CSV,
            len(entries),
            dict(sorted(counts.items())),
            edited,
            tuple(indexed),
        )

    # --- inside ---------------------------------------------------------------------------

    def _path(self, file: str) -> str:
        return os.path.join(self._folder, file)

    def _latest(self, key: str) -> Entry | Stored | None:
        return self._entries.get(key) or self._stored.get(key)

    def _all(self) -> set[str]:
        return set(self._stored) | set(self._entries)

    def _files(self) -> dict[str, os.DirEntry[str]]:
        """The folder's files by name: one listing rather than a lookup per file."""
        try:
            with os.scandir(self.root) as found:
                return {item.name: item for item in found if item.is_file(follow_symlinks=False)}
        except FileNotFoundError:
            return {}

    def _reload(self) -> None:
        """Another run wrote to the journal: its records (and ours, appended) from disk."""
        read = journal.read(self.root)
        mine = self._entries
        self._stored, self._entries = read.records, {}
        for key, entry in mine.items():  # this run's lines are on disk: reuse their rows
            found = self._stored.get(key)
            if found is not None and found.line == entry.line:
                self._entries[key] = entry
                del self._stored[key]
        self._known, self._foreign = read.identity, False

    def _has_draft(self, key: str) -> bool:
        found = self._latest(key)
        return found is not None and found.file is not None

    def _index_entry(
        self, key: str, files: dict[str, os.DirEntry[str]]
    ) -> tuple[Entry | None, bool]:
        """The key's index entry (its latest draft on disk, with the file's own text when it
        was edited by hand; else its failure), and whether it was edited."""
        found = self._latest(key)
        if found is None:
            return None, False
        if found.file is None:  # failed, and no draft of it on disk
            return (found if isinstance(found, Entry) else _from_stored(found, None)[0]), False
        item = files.get(found.file)
        if item is None:  # its file is gone: redone next run
            return None, False
        if isinstance(found, Entry):  # written by this run: as written
            return found, False
        return _from_stored(found, item, verified=key in self._verified)

    def _reviewed(self, entries: list[Entry]) -> list[Entry]:
        """The index's entries: the journal's, with the decisions of review.jsonl merged
        into the drafts they were made on (`followup.outbox.decisions`)."""
        found = decisions.read(self.root).decisions
        if not found:
            return entries
        indexed = []
        for entry in entries:
            decision = found.get(entry.key)
            if decision is None or entry.file is None:
                indexed.append(entry)
                continue
            record = entry.record
            decisions.merged(record, decision, decisions.file_hash(self.root, record))
            indexed.append(_entry(record))
        return indexed

    def _write_index(
        self,
        entries: list[Entry],
        indexed: list[Entry],
        also: Callable[[list[Entry]], None] | None = None,
    ) -> None:
        """The index (`indexed`: with the decisions) and the journal compacted (`entries`:
        the drafts' own records, one a draft)."""
        lines = b"".join(entry.line for entry in entries)
        index = lines if indexed is entries else b"".join(entry.line for entry in indexed)
        csv = csv_header() + b"".join(entry.row for entry in indexed if entry.file is not None)
        try:
            _write_together(
                {self.root / JSONL: index, self.root / CSV: csv, self.root / JOURNAL: lines},
                None if also is None else lambda: also(indexed),
            )
        except WriteError as exc:
            raise OutboxError(
                f"{exc}: the drafts are on disk, but the index is not up to date; free the "
                "space (or fix the folder) and run again to rebuild it"
            ) from None
        self._stored = {entry.key: _as_stored(entry) for entry in entries}
        self._entries, self._needs_newline = {}, False
        self._known = journal.identity(self.root)

    def _sweep(self) -> None:
        """Once a run, before its first write: remove the temp files of killed runs (our own
        pattern, `.<name>.<pid>.<n>.tmp`, and only when that process is gone)."""
        if self._swept:
            return
        self._swept = True
        for name in os.listdir(self._folder):
            match = _TEMP.match(name)
            if match and not process_alive(int(match.group(1))):
                try:
                    os.unlink(self._path(name))
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    raise OutboxError(f"cannot remove {name}: {exc.strerror or exc}") from None

    def _keep_copy(self, file: str) -> None:
        """A hand-edited file about to be replaced (--overwrite-edited), kept in replaced/."""
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
        target = self.root / REPLACED / f"{stamp}-{file}"
        atomic_write(target, Path(self._path(file)).read_bytes())


def _make_folder(root: Path) -> None:
    """The outbox folder, made if missing; a clear error when it cannot be one."""
    try:
        root.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutboxError(f"--out {root} is a file, not a folder: pick another path") from None
    except OSError as exc:
        cause = exc.strerror or str(exc)
        raise OutboxError(f"cannot make the outbox folder {root}: {cause}") from None
    journal.check(root)


def _from_stored(
    found: Entry | Stored, item: os.DirEntry[str] | None, *, verified: bool = False
) -> tuple[Entry, bool]:
    """An index entry from a journal record, and whether its file was edited by hand: then
    the record carries the text in the file and `edited: true` (the hash stays followup's,
    so the edit is still told apart next time). `verified`: this run saw the file as
    followup wrote it already."""
    record: dict[str, Any] = json.loads(found.line)
    edited = item is not None and not verified and _edited(found, item.path)
    if item is not None and (edited or record.get("edited")):  # edited, or edited back
        record.update(read_back(record["channel"], Path(item.path).read_bytes()), edited=edited)
        return _entry(record), edited
    row = b"" if found.file is None else csv_row([_cell(record, c) for c in CSV_COLUMNS]).encode()
    return Entry(found.key, found.file, found.fingerprint, found.status, found.line, row,
                 found.sha256, found.size), False  # fmt: skip


def _edited(found: Entry | Stored, path: str) -> bool:
    """Whether the file is no longer the bytes followup wrote (False when it is gone, or was
    written by a version that kept no hash)."""
    if found.sha256 is None:
        return False
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        return False
    return size != found.size or _sha256_of(path) != found.sha256


def _as_stored(entry: Entry) -> Stored:
    return Stored(
        entry.key,
        entry.file,
        entry.fingerprint,
        entry.status,
        entry.sha256,
        entry.size,
        entry.line,
    )


def _sha256_of(path: str) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _write_together(files: dict[Path, bytes], also: Callable[[], None] | None = None) -> None:
    """Write each file atomically, all at once: a 10,000-draft index is ~50 MB, and the
    copies into the page cache run on separate cores (a write releases the GIL). `also`
    runs beside them (its errors are its own: it is waited for, its result not read)."""
    with ThreadPoolExecutor(max_workers=len(files) + 1) as pool:
        beside = pool.submit(also) if also is not None else None
        for written in [pool.submit(atomic_write, path, data) for path, data in files.items()]:
            written.result()
        if beside is not None:
            beside.result()


def _entry(record: dict[str, Any]) -> Entry:
    line = (_JSON.encode(record) + "\n").encode("utf-8")
    file = record.get("file")
    row = b"" if file is None else csv_row([_cell(record, c) for c in CSV_COLUMNS]).encode()
    return Entry(
        str(record["key"]),
        file,
        record["fingerprint"],
        record["status"],
        line,
        row,
        record.get("file_sha256"),
        record.get("file_size"),
        tuple(record.get(name) for name in HISTORY_FIELDS),
    )


def csv_line(record: dict[str, Any]) -> bytes:
    """A record as drafts.csv holds it (one line, `CSV_COLUMNS`)."""
    return csv_row([_cell(record, c) for c in CSV_COLUMNS]).encode()


def csv_header() -> bytes:
    """drafts.csv's header line, with the UTF-8 BOM Excel needs."""
    return for_excel(csv_row(CSV_COLUMNS, safe=False)).encode("utf-8")


def _cell(record: dict[str, Any], column: str) -> Any:
    """One CSV cell: findings joined, booleans as true/false, None as empty."""
    value = record.get(column)
    if column == "findings":
        return "; ".join(f"{f['code']}: {f['message']}" for f in value or [])
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value
