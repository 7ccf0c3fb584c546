"""A manager's review of an outbox, applied: `followup review apply`, and what obeys it.

`apply` reads a review.xlsx back (`followup.outbox.sheet`), checks every row before it
records anything (an unknown decision, a key the outbox does not hold, a row without
its draft's hash, a key twice: an `InputError` naming the file, row and column, and
nothing recorded), then records the decisions in the outbox (`review.jsonl`, and the
index rebuilt with them) and in the workspace's contact history (an event `reviewed`
per draft, with the decision).

A row whose draft file is no longer the bytes the sheet showed (a rep edited it, a
rerun redrafted it) is not applied: it is listed as changed, to be reviewed again.

`approved` is what later steps (an export, the mailbox push) send: the drafts decided
`send` whose file is still the bytes the manager decided on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followup.errors import InputError
from followup.outbox import decisions, sheet
from followup.outbox.decisions import Decision
from followup.outbox.folder import Outbox, csv_header, csv_line
from followup.outbox.lock import OutboxLock
from followup.outbox.messages import read_back

REQUIRED = ("key", "decision", "draft_sha256")


@dataclass(frozen=True)
class Row:
    """A row of a review sheet that carries a decision."""

    row: int
    key: str
    decision: str
    comment: str
    sha256: str


@dataclass
class Applied:
    """What `apply` did."""

    recorded: list[Decision] = field(default_factory=list)  # new decisions
    again: int = 0  # rows whose decision was recorded before (the same)
    undecided: int = 0  # rows with no decision
    changed: list[tuple[int, str]] = field(default_factory=list)  # (row, key): not applied
    gone: list[tuple[int, str]] = field(default_factory=list)  # (row, key): file missing
    history: int | None = None  # drafts marked reviewed in the contact history (None: none)

    @property
    def by_decision(self) -> Counter[str]:
        return Counter(d.decision for d in self.recorded)


def apply(path: Path, root: Path, *, display: str, history: Path | None = None) -> Applied:
    """Apply the review sheet at `path` to the outbox `root`; `history`: the workspace
    whose contact history records the decisions (None: the outbox only)."""
    from followup.outbox import journal

    rows, undecided = read(path, display)
    known = journal.read(root).records
    _check(rows, known, display, root)
    done = Applied(undecided=undecided)
    now = decisions.now()
    current: list[tuple[Row, Decision]] = []
    for row in rows:
        stored = known[row.key]
        sha256 = _sha256(root / stored.file) if stored.file else None
        if sha256 is None:
            done.gone.append((row.row, row.key))
        elif sha256 != row.sha256:
            done.changed.append((row.row, row.key))
        else:
            made = Decision(row.key, stored.file or "", sha256, row.decision, row.comment, now,
                            display)  # fmt: skip
            current.append((row, made))
    with OutboxLock(root):
        recorded = decisions.read(root).decisions
        new = [made for _, made in current if not made.same_as(recorded.get(made.key))]
        decisions.append(root, new)
    done.recorded, done.again = new, len(current) - len(new)
    if path.resolve() == sheet.path(root).resolve():  # applied: no need to keep a copy of it
        sheet.mark_written(root, path.read_bytes())
    Outbox(root, date=dt.date.today()).finish()  # the index, with the decisions
    if history is not None and current:
        done.history = _remember(history, root, [made for _, made in current], display)
    return done


def read(path: Path, display: str) -> tuple[list[Row], int]:
    """The rows of a review sheet that carry a decision (every cell checked), and how many
    rows carry none."""
    from followup.xlsx import read_sheet

    found = read_sheet(path, display)
    if not found:
        raise InputError("is empty: no header row", file=display)
    header_row, header = found[0]
    names = [str(cell or "").split(" ", 1)[0].strip().casefold() for cell in header]
    where = {name: index for index, name in reversed(list(enumerate(names))) if name}
    for name in REQUIRED:
        if name not in where:
            problem = f"has no {name} column: apply the review.xlsx a batch wrote"
            raise InputError(problem, file=display, row=header_row)
    labels = {name: str(header[index]) for name, index in where.items()}
    rows, undecided, problems = [], 0, []
    for number, cells in found[1:]:
        if all(value is None or value == "" for value in cells):
            continue  # a blank line is no row
        text = {
            name: "" if index >= len(cells) or cells[index] is None else str(cells[index]).strip()
            for name, index in where.items()
        }
        try:
            row = _row(number, text, labels, display)
        except InputError as exc:
            problems.append(exc)
            continue
        if row is None:
            undecided += 1
        else:
            rows.append(row)
    _raise_first(problems)
    return rows, undecided


NOT_A_DECISION = "is not a decision: use send, hold or edit (发送 / 暂缓 / 修改), or leave it empty"


def _row(number: int, text: dict[str, str], labels: dict[str, str], display: str) -> Row | None:
    """A sheet row's decision (None: it has none); an `InputError` for a bad cell."""
    decision = decisions.decision_of(text["decision"])
    if decision is None:
        raise InputError(NOT_A_DECISION, file=display, row=number, column=labels["decision"],
                         value=text["decision"])  # fmt: skip
    if not decision:
        return None
    for name, problem in (("key", "no draft key"), ("draft_sha256", "no draft hash")):
        if not text[name]:
            raise InputError(f"{problem} in a row with a decision", file=display, row=number,
                             column=labels[name])  # fmt: skip
    return Row(number, text["key"], decision, text.get("comment", ""), text["draft_sha256"])


def approved(root: Path) -> list[dict[str, Any]]:
    """The drafts of the outbox `root` a manager decided `send` on, whose file is still
    the bytes decided on (an edited draft's record carries the text in its file), sorted
    by key. What an export with --only-approved and the mailbox push send."""
    found = decisions.read(root).decisions
    if not found:
        return []
    chosen = []
    for record in Outbox(root, date=dt.date.today(), read_only=True).records():
        decision = found.get(record["key"])
        if decision is None or decision.decision != "send":
            continue
        try:
            data = (root / record["file"]).read_bytes()
        except OSError:
            continue
        sha256 = hashlib.sha256(data).hexdigest()
        if sha256 != decision.file_sha256:
            continue  # changed since the manager decided: reviewed again first
        if sha256 != record.get("file_sha256"):  # edited by hand, then reviewed
            record.update(read_back(record["channel"], data), edited=True)
        decisions.merged(record, decision, sha256)
        chosen.append(record)
    return chosen


def records(root: Path) -> list[dict[str, Any]]:
    """Every draft of the outbox on disk with its review fields as they stand now."""
    found = decisions.read(root).decisions
    out = []
    for record in Outbox(root, date=dt.date.today(), read_only=True).records():
        current = _sha256(root / record["file"])
        if current is not None and current != record.get("file_sha256"):
            record.update(read_back(record["channel"], (root / record["file"]).read_bytes()),
                          edited=True)  # fmt: skip
        decisions.merged(record, found.get(record["key"]), current)
        out.append(record)
    return out


def csv_bytes(chosen: list[dict[str, Any]]) -> bytes:
    """Records as drafts.csv lists them (its columns; UTF-8 with a BOM), for mail merge."""
    return csv_header() + b"".join(csv_line(record) for record in chosen)


def write_sheet(root: Path, *, stamp: dt.date) -> tuple[Path, Path | None, int]:
    """Rebuild the index and write review.xlsx from it: (the sheet, the copy kept of an
    edited one, the drafts it lists)."""
    index = Outbox(root, date=stamp).finish()
    listed = [entry.record for entry in index.entries if entry.file is not None]
    kept = sheet.write(root, listed, stamp=stamp)
    return sheet.path(root), kept, len(listed)


def _check(rows: list[Row], known: dict[str, Any], display: str, root: Path) -> None:
    """Every decided row names a draft of this outbox, once."""
    problems: list[InputError] = []
    first_row: dict[str, int] = {}
    column = next(c.label for c in sheet.COLUMNS if c.name == "key")
    for row in rows:
        if row.key not in known:
            problem = f"is no draft of {root}: is this the review sheet of another outbox?"
            problems.append(InputError(problem, file=display, row=row.row, column=column,
                                       value=row.key))  # fmt: skip
        elif row.key in first_row:
            problem = f"is listed twice (rows {first_row[row.key]} and {row.row}): keep one row"
            problems.append(InputError(problem, file=display, row=row.row, column=column,
                                       value=row.key))  # fmt: skip
        first_row.setdefault(row.key, row.row)
    _raise_first(problems)


def _raise_first(problems: list[InputError]) -> None:
    """The first problem, saying how many rows have one; nothing was recorded."""
    if not problems:
        return
    first, more = problems[0], problems[1:]
    rows = ", ".join(str(p.row) for p in more[:10]) + (" …" if len(more) > 10 else "")
    others = f"; {len(more)} more rows with a problem: {rows}" if more else ""
    raise InputError(f"{first.problem}{others}; nothing was recorded", file=first.file,
                     row=first.row, column=first.column, value=first.value)  # fmt: skip


def _sha256(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def _remember(workspace: Path, root: Path, made: list[Decision], source: str) -> int | None:
    """Mark the drafts reviewed in the workspace's contact history (when it has one)."""
    from followup.history.store import HISTORY_FILE, record_reviews

    if not (workspace / HISTORY_FILE).is_file():
        return None
    reviews = [(d.file, d.decision) for d in made]
    return record_reviews(workspace, root, reviews, day=dt.date.today(), source=source)
