"""A manager's decisions on an outbox's drafts: `review.jsonl`, beside the journal.

`followup review apply` appends one line a decision: the draft's key and file, the
sha256 of the file's bytes as reviewed, the decision (`send`, `hold`, `edit`), the
comment, when, and from which sheet. Later lines win. The file is appended under the
outbox's lock and never rewritten, so a batch rerun (which compacts the journal) and a
second apply never lose a decision.

A decision holds for the bytes it was made on: when the draft file changes (a rep edits
it, a rerun redrafts it), the decision no longer holds and the draft is `changed`, to be
reviewed again. The index (drafts.jsonl, drafts.csv) carries each draft's decision as it
stands (`merged`), rebuilt with the rest of the index from the journal.

Like the journal, the file is read as untrusted input: a line that is not a valid
decision is skipped (and reported), never a crash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

REVIEW_FILE: Final = "review.jsonl"
SHEET_FILE: Final = "review.xlsx"
DECISIONS: Final = ("send", "hold", "edit")
#: what a manager may type instead (any case, spaces around ignored)
ALIASES: Final = {"发送": "send", "暂缓": "hold", "修改": "edit", "發送": "send", "暫緩": "hold"}
LABELS_ZH: Final = {"send": "发送", "hold": "暂缓", "edit": "修改"}
#: the index fields a review adds to a record (drafts.csv's last columns)
FIELDS: Final = ("decision", "comment", "reviewed_at", "review_state")
REVIEWED: Final = "reviewed"  # review_state: the decision holds for the file as it is
CHANGED: Final = "changed"  # review_state: decided on other bytes: review it again


def decision_of(text: str) -> str | None:
    """`send`, `hold` or `edit` from a cell (`Send`, ` 发送 `, `hold 暂缓`...); "" for an
    empty cell; None for anything else."""
    cleaned = " ".join(text.split()).casefold()
    if not cleaned:
        return ""
    for word in (cleaned, cleaned.split(" ", 1)[0]):
        if word in DECISIONS:
            return word
        if word in ALIASES:
            return ALIASES[word]
    return None


class _Line(BaseModel):
    model_config = ConfigDict(extra="ignore")

    key: str = Field(min_length=1, max_length=500)
    file: str
    file_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    decision: Literal["send", "hold", "edit"]
    comment: str = ""
    reviewed_at: str
    source: str = ""


@dataclass(frozen=True)
class Decision:
    """One decision on one draft file's bytes."""

    key: str
    file: str
    file_sha256: str
    decision: str
    comment: str
    reviewed_at: str  # UTC, ISO 8601 to the second
    source: str  # the sheet it came from

    def same_as(self, other: Decision | None) -> bool:
        """The same decision on the same bytes (applying a sheet again adds nothing)."""
        return other is not None and (
            (self.file_sha256, self.decision, self.comment)
            == (other.file_sha256, other.decision, other.comment)
        )


@dataclass(frozen=True)
class Read:
    decisions: dict[str, Decision]  # the latest per key
    skipped: list[str]  # "review.jsonl line 3: skipped (...)"


def read(root: Path) -> Read:
    """The decisions recorded in the outbox `root` (none when there is no review.jsonl)."""
    path = root / REVIEW_FILE
    try:
        raw = path.read_bytes() if not path.is_symlink() else b""
    except FileNotFoundError:
        return Read({}, [])
    except OSError as exc:
        return Read({}, [f"{path}: cannot be read ({exc.strerror or exc}): decisions ignored"])
    found: dict[str, Decision] = {}
    skipped = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = _Line.model_validate_json(line)
        except ValidationError:
            skipped.append(f"{path} line {number}: skipped (not a valid decision)")
            continue
        found[item.key] = Decision(**item.model_dump())
    return Read(found, skipped)


def append(root: Path, decisions: list[Decision]) -> None:
    """Append decisions to review.jsonl (the caller holds the outbox's lock)."""
    if not decisions:
        return
    path = root / REVIEW_FILE
    data = "".join(json.dumps(asdict(d), ensure_ascii=False) + "\n" for d in decisions)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o666)
    try:
        os.write(fd, data.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def file_hash(root: Path, record: dict[str, Any]) -> str | None:
    """The sha256 of a record's draft file as it is now: followup's hash when the index
    says the file is as followup wrote it, else the file's own (None: no file)."""
    file = record.get("file")
    if not file:
        return None
    if not record.get("edited") and record.get("file_sha256"):
        return str(record["file_sha256"])
    try:
        with open(root / file, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def merged(record: dict[str, Any], decision: Decision | None, current: str | None) -> None:
    """Put the review fields into an index record (in place): the decision when it was
    made on the file as it is (`current`, its sha256), else `changed` with no decision."""
    for name in FIELDS:
        record.pop(name, None)
    if decision is None:
        return
    holds = current is not None and current == decision.file_sha256
    record["decision"] = decision.decision if holds else ""
    record["comment"] = decision.comment
    record["reviewed_at"] = decision.reviewed_at
    record["review_state"] = REVIEWED if holds else CHANGED
