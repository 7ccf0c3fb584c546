"""The contact history in the workspace: `history.sqlite` (stdlib sqlite3).

Every draft a batch writes is recorded: customer, campaign, channel, language, rep,
day, template and prompt (id and hash), engine, outbox folder and file, and its status
(`drafted`; `sent` and `replied` come later from the mailbox). The outbox's journal stays
what a killed batch resumes from; this is the memory across outboxes and months that a
cooldown, a rep's follow-up count and a buyer's timeline read.

The schema is versioned (`PRAGMA user_version`, one migration a version, each in its own
transaction). WAL mode lets readers go on while one writer holds the database; a second
writer waits (busy timeout) instead of failing. A rerun of the same outbox updates its
rows (one row a draft file), it never adds a second.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from followup.errors import ConfigError, InputError, WriteError

if TYPE_CHECKING:
    from followup.data.sent import SentMark

HISTORY_FILE: Final = "history.sqlite"
BUSY_SECONDS: Final = 30.0

#: migration N brings the schema from version N-1 to N (never edit a released one)
MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (
        """CREATE TABLE drafts (
            id INTEGER PRIMARY KEY,
            customer_id TEXT NOT NULL,
            campaign TEXT NOT NULL,
            channel TEXT NOT NULL,
            language TEXT NOT NULL,
            rep TEXT NOT NULL,
            drafted_on TEXT NOT NULL,   -- the day the drafts were made for (--as-of)
            written_at TEXT NOT NULL,   -- when the batch wrote it (UTC, ISO 8601)
            template_id TEXT,
            template_hash TEXT,
            prompt_id TEXT,
            prompt_hash TEXT,
            engine TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            outbox TEXT NOT NULL,       -- the outbox folder, absolute
            file TEXT NOT NULL,         -- the draft's file in it
            status TEXT NOT NULL DEFAULT 'drafted',
            UNIQUE (outbox, file)
        )""",
        "CREATE INDEX drafts_by_customer ON drafts (customer_id, drafted_on)",
        "CREATE INDEX drafts_by_rep ON drafts (rep, drafted_on)",
    ),
    (  # 2: what happened to a draft after it was written (sent, and later pushed, replied)
        "ALTER TABLE drafts ADD COLUMN status_on TEXT",  # the day of the current status
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            draft_id INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
            kind TEXT NOT NULL,         -- sent, reviewed (later: pushed, replied, bounced)
            on_day TEXT NOT NULL,       -- the day it happened
            recorded_at TEXT NOT NULL,  -- when followup learnt it (UTC, ISO 8601)
            source TEXT NOT NULL,       -- where from: the sent list's file name
            UNIQUE (draft_id, kind)
        )""",
    ),
    (  # 3: what an event says beyond its kind (reviewed: send, hold or edit)
        "ALTER TABLE events ADD COLUMN detail TEXT",
    ),
    (  # 4: the mailbox (`followup sync`): what a draft is known by there, what came back
        "ALTER TABLE drafts ADD COLUMN message_id TEXT",  # the draft file's Message-ID
        "ALTER TABLE drafts ADD COLUMN recipient TEXT",  # the address it was drafted to
        "ALTER TABLE drafts ADD COLUMN subject TEXT",
        "ALTER TABLE drafts ADD COLUMN touch INTEGER NOT NULL DEFAULT 1",
        "CREATE INDEX drafts_by_message ON drafts (message_id)",
        "CREATE INDEX drafts_by_recipient ON drafts (recipient COLLATE NOCASE)",
        "ALTER TABLE events ADD COLUMN at TEXT",  # the moment (UTC, ISO 8601), when known
        """CREATE TABLE messages (  -- headers of the mail sync matched to a draft, no body
            id INTEGER PRIMARY KEY,
            draft_id INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
            kind TEXT NOT NULL,         -- sent, reply, bounce
            message_id TEXT,
            subject TEXT,
            address TEXT,               -- sent: to; reply: from; bounce: the failed one
            at TEXT NOT NULL,           -- its Date (UTC, ISO 8601)
            account TEXT NOT NULL,
            folder TEXT NOT NULL,
            uid INTEGER NOT NULL,
            UNIQUE (account, folder, uid, kind)
        )""",
        "CREATE INDEX messages_by_id ON messages (message_id)",
        """CREATE TABLE sync_state (  -- where each folder's last sync stopped
            account TEXT NOT NULL,
            folder TEXT NOT NULL,
            validity INTEGER NOT NULL,  -- the folder's UIDVALIDITY
            last_uid INTEGER NOT NULL,
            synced_at TEXT NOT NULL,
            PRIMARY KEY (account, folder)
        )""",
    ),
)


@dataclass(frozen=True)
class Contact:
    """One draft in a buyer's history."""

    customer_id: str
    campaign: str
    channel: str
    language: str
    rep: str
    drafted_on: dt.date
    status: str
    template_id: str | None
    engine: str
    outbox: str
    file: str
    template_hash: str | None = None
    status_on: dt.date | None = None  # the day of the status (sent on ...), when known


@contextmanager
def connect(root: Path) -> Iterator[sqlite3.Connection]:
    """The workspace's history database, made and migrated when needed."""
    path = root / HISTORY_FILE
    try:
        con = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    except sqlite3.Error as exc:
        raise WriteError(str(path), str(exc)) from None
    try:
        con.execute("PRAGMA journal_mode=WAL")
        _migrate(con, path)
        yield con
    except sqlite3.DatabaseError as exc:
        raise WriteError(str(path), str(exc)) from None
    finally:
        con.close()


def _migrate(con: sqlite3.Connection, path: Path) -> None:
    version = int(con.execute("PRAGMA user_version").fetchone()[0])
    if version > len(MIGRATIONS):
        raise ConfigError(
            f"{path}: written by a newer followup (schema {version}, this one knows "
            f"{len(MIGRATIONS)}): upgrade followup"
        )
    for number in range(version + 1, len(MIGRATIONS) + 1):
        con.execute("BEGIN IMMEDIATE")
        try:
            if int(con.execute("PRAGMA user_version").fetchone()[0]) < number:
                for statement in MIGRATIONS[number - 1]:
                    con.execute(statement)
                con.execute(f"PRAGMA user_version = {number}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


_COLUMNS: Final = (
    "customer_id", "campaign", "channel", "language", "rep", "drafted_on", "written_at",
    "template_id", "template_hash", "prompt_id", "prompt_hash", "engine", "fingerprint",
    "outbox", "file", "message_id", "recipient", "subject", "touch",
)  # fmt: skip
_UPSERT: Final = (
    f"INSERT INTO drafts ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
    "ON CONFLICT (outbox, file) DO UPDATE SET "
    # a draft whose text did not change keeps the day it was first made for
    "drafted_on = CASE WHEN drafts.fingerprint = excluded.fingerprint "
    "THEN drafts.drafted_on ELSE excluded.drafted_on END, "
    "written_at = CASE WHEN drafts.fingerprint = excluded.fingerprint "
    "THEN drafts.written_at ELSE excluded.written_at END, "
    + ", ".join(
        f"{c} = excluded.{c}"
        for c in _COLUMNS
        if c not in {"drafted_on", "written_at", "outbox", "file"}
    )
)


def record_drafts(root: Path, outbox: Path, records: Iterable[dict[str, Any]], day: dt.date) -> int:
    """Record the drafts of an outbox's index that are on disk (status `ok`); the number
    recorded. One transaction: a concurrent batch waits for it, and sees all or none."""
    written = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    folder = str(outbox.resolve())
    rows = [
        (
            r["customer_id"],
            r["campaign"],
            r["channel"],
            r["language"],
            r.get("sender_name") or "",
            day.isoformat(),
            written,
            r.get("template_id"),
            r.get("template_hash"),
            r.get("prompt_id"),
            r.get("prompt_hash"),
            r.get("engine") or "",
            r.get("fingerprint") or "",
            folder,
            r["file"],
            r.get("message_id"),
            r.get("recipient") or None,
            r.get("subject"),
            int(r.get("touch") or 1),
        )
        for r in records
        if r.get("status") == "ok" and r.get("file")
    ]
    with connect(root) as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            con.executemany(_UPSERT, rows)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return len(rows)


def contacts(
    root: Path,
    *,
    customer_id: str | None = None,
    rep: str | None = None,
    since: dt.date | None = None,
    template_id: str | None = None,
) -> list[Contact]:
    """Drafts recorded, oldest first: of one customer, one rep (case aside), since a day,
    made from one template (any version of it: each contact has its hash)."""
    if not (root / HISTORY_FILE).is_file():
        return []
    where, args = [], []
    if customer_id is not None:
        where.append("customer_id = ?")
        args.append(customer_id)
    if rep is not None:
        where.append("rep = ? COLLATE NOCASE")
        args.append(rep)
    if since is not None:
        where.append("drafted_on >= ?")
        args.append(since.isoformat())
    if template_id is not None:
        where.append("template_id = ?")
        args.append(template_id)
    sql = (
        "SELECT customer_id, campaign, channel, language, rep, drafted_on, status, "
        "template_id, engine, outbox, file, template_hash, status_on FROM drafts"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + " ORDER BY drafted_on, customer_id, campaign, channel"
    )
    with connect(root) as con:
        rows = con.execute(sql, args).fetchall()
    return [_contact(row) for row in rows]


def last_contacts(
    root: Path, since: dt.date, until: dt.date, *, rerun: tuple[str, str] | None = None
) -> dict[str, tuple[dt.date, str]]:
    """Each customer's latest draft from `since` to `until`: (day, campaign), computed in
    the database (a cooldown reads this for every batch: a year's history is no cost).
    `rerun` (campaign, outbox folder) is left out: a rerun of that campaign into that
    outbox, or a folder in it, is no new contact."""
    if not (root / HISTORY_FILE).is_file():
        return {}
    where, args = "drafted_on BETWEEN ? AND ?", [since.isoformat(), until.isoformat()]
    if rerun is not None:
        campaign, folder = rerun
        escaped = folder.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where += " AND NOT (campaign = ? AND (outbox = ? OR outbox LIKE ? ESCAPE '\\'))"
        args += [campaign, folder, escaped + os.sep.replace("\\", "\\\\") + "%"]
    # SQLite: the bare `campaign` is taken from the row holding MAX(drafted_on)
    sql = (
        f"SELECT customer_id, MAX(drafted_on), campaign FROM drafts WHERE {where} "
        "GROUP BY customer_id"
    )
    with connect(root) as con:
        rows = con.execute(sql, args).fetchall()
    return {cid: (dt.date.fromisoformat(day), campaign) for cid, day, campaign in rows}


def _contact(row: tuple[Any, ...]) -> Contact:
    """A `contacts` row (its columns in the order of `Contact`'s fields) as a Contact."""
    from dataclasses import fields

    values = dict(zip((f.name for f in fields(Contact)), row, strict=True))
    values["drafted_on"] = dt.date.fromisoformat(values["drafted_on"])
    day = values["status_on"]
    values["status_on"] = dt.date.fromisoformat(day) if day else None
    return Contact(**values)


@dataclass(frozen=True)
class Marked:
    """What `mark_sent` did: drafts marked, and rows that named a draft marked already."""

    marked: int
    again: int


def mark_sent(root: Path, marks: Sequence[SentMark], *, today: dt.date, source: str) -> Marked:
    """Mark the drafts a sent list names as `sent` on their day, all or none: a row that
    matches no draft in the history is an error naming its row, and nothing is marked.

    A row names the customer's latest draft written on or before its day, narrowed by its
    campaign, channel or file when given. Marking a draft sent again keeps the first day.
    """
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with connect(root) as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            found = [(mark, _draft_for(con, mark, today)) for mark in marks]
            missing = [mark for mark, draft in found if draft is None]
            if missing:
                raise _no_draft(missing, source)
            again = 0
            for mark, draft_id in found:
                day = (mark.sent_on or today).isoformat()
                cursor = con.execute(
                    "INSERT INTO events (draft_id, kind, on_day, recorded_at, source) "
                    "VALUES (?, 'sent', ?, ?, ?) ON CONFLICT (draft_id, kind) DO NOTHING",
                    (draft_id, day, now, source),
                )
                again += cursor.rowcount == 0
                con.execute(
                    "UPDATE drafts SET status = 'sent', status_on = (SELECT on_day FROM events "
                    "WHERE draft_id = ? AND kind = 'sent') WHERE id = ?",
                    (draft_id, draft_id),
                )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return Marked(len(marks) - again, again)


def record_reviews(
    root: Path, outbox: Path, reviews: Sequence[tuple[str, str]], *, day: dt.date, source: str
) -> int:
    """Record a manager's decisions (file in `outbox`, decision) as each draft's `reviewed`
    event, its detail the decision (a later decision replaces it); the number of drafts
    the history holds. One transaction; recording the same decisions again changes nothing."""
    return record_events(root, outbox, "reviewed", reviews, day=day, source=source)


def record_events(
    root: Path,
    outbox: Path,
    kind: str,
    items: Sequence[tuple[str, str]],
    *,
    day: dt.date,
    source: str,
    status: str | None = None,
) -> int:
    """Record `kind` events (`reviewed`, `pushed` ...) for drafts of `outbox`: (file,
    detail) each, a later one of the same kind replacing the detail; `status` also becomes
    the status of a draft still `drafted`. The number of drafts the history holds. One
    transaction; recording the same events again changes nothing."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    folder = str(outbox.resolve())
    found = 0
    with connect(root) as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            for file, detail in items:
                row = con.execute(
                    "SELECT id FROM drafts WHERE outbox = ? AND file = ?", (folder, file)
                ).fetchone()
                if row is None:
                    continue
                found += 1
                con.execute(
                    "INSERT INTO events (draft_id, kind, on_day, recorded_at, source, detail) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (draft_id, kind) DO UPDATE "
                    "SET detail = excluded.detail, on_day = excluded.on_day, "
                    "recorded_at = excluded.recorded_at, source = excluded.source "
                    "WHERE events.detail IS NOT excluded.detail",
                    (row[0], kind, day.isoformat(), now, source, detail),
                )
                if status is not None:
                    con.execute(
                        "UPDATE drafts SET status = ?, status_on = ? "
                        "WHERE id = ? AND status = 'drafted'",
                        (status, day.isoformat(), row[0]),
                    )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return found


def reviews(root: Path) -> dict[tuple[str, str], str]:
    """(outbox, file) -> the decision of each draft's `reviewed` event."""
    if not (root / HISTORY_FILE).is_file():
        return {}
    with connect(root) as con:
        rows = con.execute(
            "SELECT d.outbox, d.file, e.detail FROM events e JOIN drafts d ON d.id = e.draft_id "
            "WHERE e.kind = 'reviewed'"
        ).fetchall()
    return {(outbox, file): detail for outbox, file, detail in rows}


def _draft_for(con: sqlite3.Connection, mark: SentMark, today: dt.date) -> int | None:
    where, args = ["customer_id = ?", "drafted_on <= ?"], [mark.customer_id]
    args.append((mark.sent_on or today).isoformat())
    for column, value in (("campaign", mark.campaign), ("channel", mark.channel)):
        if value:
            where.append(f"{column} = ?")
            args.append(value)
    if mark.file:
        where.append("(file = ? OR file LIKE ? ESCAPE '\\')")
        args += [mark.file, "%/" + mark.file.replace("%", "\\%").replace("_", "\\_")]
    row = con.execute(
        f"SELECT id FROM drafts WHERE {' AND '.join(where)} "
        "ORDER BY drafted_on DESC, written_at DESC, id DESC LIMIT 1",
        args,
    ).fetchone()
    return int(row[0]) if row else None


def _no_draft(missing: Sequence[SentMark], source: str) -> InputError:
    first, more = missing[0], missing[1:]
    named = " ".join(x for x in (first.campaign, first.channel, first.file) if x)
    others = f"; {len(more)} more rows like it: {', '.join(str(m.row) for m in more[:10])}"
    return InputError(
        f"{first.customer_id!r} has no draft{f' ({named})' if named else ''} in the contact "
        f"history on or before that day{others if more else ''}; nothing was marked",
        file=source,
        row=first.row,
        column="customer_id",
    )
