"""The outbox's journal (`.journal.jsonl`): one record a line, the memory a rerun resumes from.

A record is `Draft.record()` plus `file` and what followup wrote there (`file_sha256`,
`file_size`: how a hand edit is told from followup's own bytes). A
record is appended after its draft file is written, so a record always points to a
complete file; later lines win.

The journal is read as untrusted input: it is opened without following links and only
when it is a regular file (a link, a pipe or a folder in its place is refused with a
message), every line is validated (`JournalRecord`), and a line that is not a valid
record is skipped and reported with its line number, never a crash. A record whose
`file` is not a plain draft file name (a path, a hidden file, one of the index files)
is such a line.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from followup.errors import OutboxError
from followup.outbox.decisions import REVIEW_FILE, SHEET_FILE

JOURNAL = ".journal.jsonl"
JSONL = "drafts.jsonl"
CSV = "drafts.csv"
#: files of the outbox itself: a record may never name one as its draft file
OWN_FILES = frozenset({JOURNAL, JSONL, CSV, ".lock", SHEET_FILE, REVIEW_FILE})
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO opens at once instead of hanging


class _Finding(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: str
    message: str
    severity: Literal["error", "warning"] = "error"


class JournalRecord(BaseModel):
    """What a journal line must hold to be used (other keys ride along, unread)."""

    model_config = ConfigDict(extra="ignore")

    key: str = Field(min_length=1, max_length=500)
    file: str | None
    fingerprint: str
    status: Literal["ok", "findings", "failed"]
    findings: list[_Finding] = []
    file_sha256: str | None = None
    file_size: int | None = None

    @field_validator("file")
    @classmethod
    def _plain_draft_file(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if Path(value).name != value or value.startswith(".") or "\\" in value:
            raise ValueError("is not a plain file name in the outbox")
        if value in OWN_FILES:
            raise ValueError(f"names the outbox's own {value}")
        return value


@dataclass(frozen=True)
class Stored:
    """A valid journal line: what the outbox reads of it, and the line itself."""

    key: str
    file: str | None
    fingerprint: str
    status: str
    sha256: str | None
    size: int | None
    line: bytes  # the record as drafts.jsonl holds it, newline included


@dataclass
class Read:
    """A journal as read: the latest valid record per key, the lines skipped and why."""

    records: dict[str, Stored] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # "line 17: skipped (status: ...)"
    ends_mid_line: bool = False
    identity: tuple[int, int] | None = None  # (inode, size) when read; None: no journal


def stored(record: JournalRecord, line: bytes) -> Stored:
    return Stored(
        record.key,
        record.file,
        record.fingerprint,
        record.status,
        record.file_sha256,
        record.file_size,
        line if line.endswith(b"\n") else line + b"\n",
    )


def read(folder: Path) -> Read:
    """The journal of `folder` (empty when there is none)."""
    path = folder / JOURNAL
    fd = _open(path, os.O_RDONLY)
    if fd is None:
        return Read()
    try:
        info = os.fstat(fd)
        raw = _read_all(fd, path)
    finally:
        os.close(fd)
    result = Read(ends_mid_line=bool(raw) and not raw.endswith(b"\n"))
    result.identity = (info.st_ino, info.st_size)
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = JournalRecord.model_validate_json(line)
        except ValidationError as exc:
            if number == raw.count(b"\n") + 1 and result.ends_mid_line:
                continue  # a run killed mid-line: its draft is redone, not a problem
            result.skipped.append(f"line {number}: skipped ({_problem(exc)})")
            continue
        earlier = result.records.get(record.key)
        if record.file is None and earlier is not None and earlier.file is not None:
            continue  # a failed retry never hides the draft that is on disk
        result.records[record.key] = stored(record, line)
    return result


def append(folder: Path, data: bytes, *, end_line_first: bool = False) -> tuple[int, int]:
    """Append `data` (whole lines) to the journal; the journal's (inode, size) after it."""
    path = folder / JOURNAL
    fd = _open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    assert fd is not None  # O_CREAT: it exists now
    try:
        _write_all(fd, (b"\n" if end_line_first else b"") + data, path)
        info = os.fstat(fd)
    finally:
        os.close(fd)
    return info.st_ino, info.st_size


def identity(folder: Path) -> tuple[int, int] | None:
    """(inode, size) of the journal now, to tell whether another run changed it."""
    try:
        info = os.lstat(folder / JOURNAL)
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_size


def check(folder: Path) -> None:
    """Refuse a journal that is not a regular file (before anything is written)."""
    fd = _open(folder / JOURNAL, os.O_RDONLY)
    if fd is not None:
        os.close(fd)


def _open(path: Path, flags: int) -> int | None:
    """Open the journal as a regular file, never through a link; None when it is missing
    (and not asked to be created)."""
    try:
        fd = os.open(path, flags | _NOFOLLOW | _NONBLOCK, 0o666)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK) or path.is_symlink():
            raise OutboxError(_refused(path, "a link")) from None
        if exc.errno == errno.EISDIR:
            raise OutboxError(_refused(path, "a folder")) from None
        if exc.errno == errno.ENXIO:  # a FIFO nobody reads, opened for writing
            raise OutboxError(_refused(path, "a pipe")) from None
        raise OutboxError(f"cannot open {path}: {exc.strerror or exc}") from None
    kind = stat.S_IFMT(os.fstat(fd).st_mode)
    if kind != stat.S_IFREG:
        os.close(fd)
        what = {stat.S_IFIFO: "a pipe", stat.S_IFDIR: "a folder", stat.S_IFSOCK: "a socket"}
        raise OutboxError(_refused(path, what.get(kind, "not a regular file")))
    if _NONBLOCK:
        os.set_blocking(fd, True)
    return fd


def _refused(path: Path, what: str) -> str:
    return (
        f"{path} is {what}, not the outbox's journal file: followup will not read or write "
        "through it; move it away (the outbox's drafts are redone or kept as they are)"
    )


def _read_all(fd: int, path: Path) -> bytes:
    chunks = []
    try:
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    except OSError as exc:
        raise OutboxError(f"cannot read {path}: {exc.strerror or exc}") from None
    return b"".join(chunks)


def _write_all(fd: int, data: bytes, path: Path) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _problem(exc: ValidationError) -> str:
    from followup.settings import describe_validation

    if exc.errors()[0]["type"] == "json_invalid":
        return "not a JSON record"
    return describe_validation(exc)
