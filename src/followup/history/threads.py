"""What came back from the mailbox, in the contact history: the drafts a rep sent, the
buyers who answered, the addresses that bounced, and who is due a next touch.

`record_sync` matches what `followup sync` read (`followup.mailbox.seen.Seen`) to drafts:
by Message-ID, In-Reply-To and References first, then by the buyer's address (a sent
message to it: the latest draft to it not yet sent; a reply from it, or from its company's
domain: the latest draft sent to it). It keeps the headers of the messages it matched
(`messages`: ids, subject, address, time; never a body) and raises each draft's status:
drafted < pushed < sent < bounced < replied.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

from followup.history.mail import Mark, Read, Seen
from followup.history.store import HISTORY_FILE, connect

if TYPE_CHECKING:
    from followup.settings import ContactSettings

RANK: Final = {"drafted": 0, "pushed": 1, "sent": 2, "bounced": 3, "replied": 4}
_EVENT: Final = {"sent": "sent", "reply": "replied", "bounce": "bounced"}
#: mail providers whose domain says nothing about the company (a reply from another
#: address there is no reply from the buyer)
FREE_MAIL: Final = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "ymail.com", "aol.com", "icloud.com",
    "me.com", "mail.com", "gmx.de", "gmx.net", "gmx.com", "web.de", "t-online.de", "orange.fr",
    "free.fr", "laposte.net", "libero.it", "mail.ru", "yandex.ru", "yandex.com", "qq.com",
    "163.com", "126.com", "sina.com", "sohu.com", "foxmail.com", "aliyun.com", "139.com",
    "naver.com", "hanmail.net", "rediffmail.com", "protonmail.com", "proton.me", "zoho.com",
    "uol.com.br", "bol.com.br", "terra.com.br",
})  # fmt: skip


@dataclass
class Synced:
    """What one account's sync matched: (customer id, day) per kind, and what it could not."""

    account: str
    sent: list[tuple[str, dt.date]] = field(default_factory=list)
    replied: list[tuple[str, dt.date]] = field(default_factory=list)
    bounced: list[tuple[str, str]] = field(default_factory=list)  # (customer id, address)
    automatic: int = 0  # out-of-office answers: no reply
    unmatched: int = 0  # messages that are no follow-up of ours, nor an answer to one
    read: int = 0


def marks(root: Path, account: str) -> dict[str, Mark]:
    """Folder -> where the account's last sync of it stopped."""
    if not (root / HISTORY_FILE).is_file():
        return {}
    with connect(root) as con:
        rows = con.execute(
            "SELECT folder, validity, last_uid FROM sync_state WHERE account = ?", (account,)
        ).fetchall()
    return {folder: Mark(validity, last) for folder, validity, last in rows}


def first_day(root: Path, reps: Sequence[str]) -> dt.date | None:
    """The first day the history drafted for these reps: sync reads no older mail."""
    if not (root / HISTORY_FILE).is_file() or not reps:
        return None
    with connect(root) as con:
        row = con.execute(
            f"SELECT MIN(drafted_on) FROM drafts WHERE rep IN ({','.join('?' * len(reps))})",
            list(reps),
        ).fetchone()
    return dt.date.fromisoformat(row[0]) if row and row[0] else None


def record_sync(
    root: Path, account: str, reps: Sequence[str], own: Iterable[str], reads: Sequence[Read]
) -> Synced:
    """Match the messages read from an account's folders (its Sent folder first) to the
    drafts of `reps`, record what was sent, answered and bounced, and where each folder's
    sync stopped: one transaction, so a sync that fails half-way records nothing and the
    next one reads the same messages again. `own`: the account's own addresses (its
    messages in INBOX are no answers)."""
    result = Synced(account)
    mine = {address.lower() for address in own}
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with connect(root) as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            for read in reads:
                for seen in read.messages:
                    result.read += 1
                    _match(con, result, reps=reps, mine=mine, folder=read.folder, seen=seen)
                con.execute(
                    "INSERT INTO sync_state (account, folder, validity, last_uid, synced_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, folder) DO UPDATE SET "
                    "validity = excluded.validity, last_uid = excluded.last_uid, "
                    "synced_at = excluded.synced_at",
                    (account, read.folder, read.mark.validity, read.mark.last_uid, now),
                )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return result


def _match(
    con: sqlite3.Connection,
    result: Synced,
    *,
    reps: Sequence[str],
    mine: set[str],
    folder: str,
    seen: Seen,
) -> None:
    if seen.kind == "auto":
        result.automatic += 1
        return
    if seen.kind != "sent" and seen.sender in mine:
        result.unmatched += 1  # the rep's own message (a copy to self): no answer
        return
    found = _draft_of(con, reps, seen)
    if found is None:
        result.unmatched += 1
        return
    draft_id, customer_id, address = found
    kind = _EVENT[seen.kind]
    cursor = con.execute(
        "INSERT INTO messages (draft_id, kind, message_id, subject, address, at, account, "
        "folder, uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (draft_id, seen.kind, seen.message_id, seen.subject, address, seen.at.isoformat(),
         result.account, folder, seen.uid),
    )  # fmt: skip
    if cursor.rowcount == 0:
        return  # read before (a sync that ran again from scratch)
    detail = f"{seen.message_id} ({address})" if seen.message_id else address
    _event(con, draft_id, kind, seen, detail)
    if kind == "sent":
        result.sent.append((customer_id, seen.day))
    elif kind == "replied":
        result.replied.append((customer_id, seen.day))
    else:
        result.bounced.append((customer_id, address))


def _event(con: sqlite3.Connection, draft_id: int, kind: str, seen: Seen, detail: str) -> None:
    """The draft's first event of `kind` (a second reply keeps the first one's time), and
    its status raised to `kind` (never lowered: a reply stays a reply)."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    con.execute(
        "INSERT INTO events (draft_id, kind, on_day, recorded_at, source, detail, at) "
        "VALUES (?, ?, ?, ?, 'followup sync', ?, ?) ON CONFLICT (draft_id, kind) DO NOTHING",
        (draft_id, kind, seen.day.isoformat(), now, detail, seen.at.isoformat()),
    )
    lower = [status for status, rank in RANK.items() if rank < RANK[kind]]
    con.execute(
        f"UPDATE drafts SET status = ?, status_on = ? WHERE id = ? "
        f"AND status IN ({','.join('?' * len(lower))})",
        (kind, seen.day.isoformat(), draft_id, *lower),
    )


def _draft_of(
    con: sqlite3.Connection, reps: Sequence[str], seen: Seen
) -> tuple[int, str, str] | None:
    """(draft id, customer id, the buyer's address) of the draft a message is about."""
    ids = [seen.message_id] if seen.kind == "sent" else list(seen.in_reply_to)
    if seen.kind == "bounce" and seen.failed_id:
        ids.insert(0, seen.failed_id)
    for message_id in (i for i in ids if i):
        row = con.execute(
            "SELECT id, customer_id, recipient FROM drafts WHERE message_id = ? "
            "UNION ALL SELECT d.id, d.customer_id, d.recipient FROM messages m "
            "JOIN drafts d ON d.id = m.draft_id WHERE m.message_id = ? AND m.kind = 'sent' "
            "LIMIT 1",
            (message_id, message_id),
        ).fetchone()
        if row is not None:
            return int(row[0]), str(row[1]), str(row[2] or "")
    if seen.kind == "sent":
        return _by_address(con, reps, seen.recipients, seen.day, ("drafted", "pushed"))
    if seen.kind == "bounce":
        return _by_address(con, reps, seen.failed, seen.day, ("sent",))
    found = _by_address(con, reps, (seen.sender,), seen.day, ("sent", "bounced", "replied"))
    domain = seen.sender.rpartition("@")[2]
    if found is None and domain and domain not in FREE_MAIL:
        found = _by_domain(con, reps, domain, seen.day)
    return found


def _by_address(
    con: sqlite3.Connection,
    reps: Sequence[str],
    addresses: Iterable[str],
    day: dt.date,
    statuses: Sequence[str],
) -> tuple[int, str, str] | None:
    """The latest email draft of `reps` to one of `addresses`, in one of `statuses`,
    written on or before `day` (the newest touch first)."""
    for address in (a for a in addresses if a):
        row = con.execute(
            "SELECT id, customer_id, recipient FROM drafts WHERE recipient = ? COLLATE NOCASE "
            f"AND channel = 'email' AND drafted_on <= ? AND status IN "
            f"({','.join('?' * len(statuses))}) AND rep IN ({','.join('?' * len(reps))}) "
            "ORDER BY drafted_on DESC, touch DESC, id DESC LIMIT 1",
            (address, day.isoformat(), *statuses, *reps),
        ).fetchone()
        if row is not None:
            return int(row[0]), str(row[1]), str(row[2] or address)
    return None


def _by_domain(
    con: sqlite3.Connection, reps: Sequence[str], domain: str, day: dt.date
) -> tuple[int, str, str] | None:
    """The latest sent draft of `reps` to an address at the buyer's company domain."""
    escaped = domain.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    row = con.execute(
        "SELECT id, customer_id, recipient FROM drafts WHERE recipient LIKE ? ESCAPE '\\' "
        f"AND channel = 'email' AND drafted_on <= ? AND status IN ('sent', 'replied') "
        f"AND rep IN ({','.join('?' * len(reps))}) "
        "ORDER BY drafted_on DESC, touch DESC, id DESC LIMIT 1",
        (f"%@{escaped}", day.isoformat(), *reps),
    ).fetchone()
    return (int(row[0]), str(row[1]), str(row[2])) if row is not None else None


def bounced(root: Path) -> dict[str, dt.date]:
    """Addresses that bounced (lower case) -> the day they did: the pre-flight flags them."""
    if not (root / HISTORY_FILE).is_file():
        return {}
    with connect(root) as con:
        rows = con.execute(
            "SELECT lower(address), MAX(substr(at, 1, 10)) FROM messages "
            "WHERE kind = 'bounce' GROUP BY lower(address)"
        ).fetchall()
    return {address: dt.date.fromisoformat(day) for address, day in rows if address}


@dataclass(frozen=True)
class Outcome:
    """Follow-ups sent in a window, by rep and campaign, and what came of them."""

    rep: str
    campaign: str
    sent: int
    replied: int
    bounced: int
    response_hours: float | None  # the median time to the first answer

    @property
    def reply_rate(self) -> float:
        return self.replied / self.sent if self.sent else 0.0


def outcomes(
    root: Path, since: dt.date, until: dt.date, *, rep: str | None = None
) -> list[Outcome]:
    """Per rep and campaign: the drafts sent from `since` to `until` and their answers."""
    if not (root / HISTORY_FILE).is_file():
        return []
    where, args = "s.on_day BETWEEN ? AND ?", [since.isoformat(), until.isoformat()]
    if rep is not None:
        where += " AND d.rep = ? COLLATE NOCASE"
        args.append(rep)
    sql = (
        "SELECT d.rep, d.campaign, s.on_day, s.at, r.on_day, r.at, b.id IS NOT NULL "
        "FROM events s JOIN drafts d ON d.id = s.draft_id "
        "LEFT JOIN events r ON r.draft_id = s.draft_id AND r.kind = 'replied' "
        "LEFT JOIN events b ON b.draft_id = s.draft_id AND b.kind = 'bounced' "
        f"WHERE s.kind = 'sent' AND {where}"
    )
    with connect(root) as con:
        rows = con.execute(sql, args).fetchall()
    groups: dict[tuple[str, str], list[tuple[object, ...]]] = {}
    for row in rows:
        groups.setdefault((row[0], row[1]), []).append(row)
    found = []
    for (name, campaign), mine in sorted(groups.items()):
        hours = [h for row in mine if (h := _hours(*row[2:6])) is not None]
        found.append(
            Outcome(
                name,
                campaign,
                sent=len(mine),
                replied=sum(row[4] is not None for row in mine),
                bounced=sum(bool(row[6]) for row in mine),
                response_hours=statistics.median(hours) if hours else None,
            )
        )
    return found


def _hours(sent_day: object, sent_at: object, reply_day: object, reply_at: object) -> float | None:
    """Hours from sending to the answer: by the messages' times, else by their days."""
    if reply_day is None:
        return None
    if sent_at and reply_at:
        start = dt.datetime.fromisoformat(str(sent_at))
        end = dt.datetime.fromisoformat(str(reply_at))
    else:
        start = dt.datetime.fromisoformat(str(sent_day))
        end = dt.datetime.fromisoformat(str(reply_day))
    return max((end - start).total_seconds() / 3600, 0.0)


@dataclass(frozen=True)
class Event:
    """One step of a draft's thread: drafted, reviewed, pushed, sent, replied, bounced."""

    on_day: dt.date
    kind: str
    file: str
    detail: str


def thread(root: Path, customer_id: str) -> list[Event]:
    """Every event of a customer's drafts, oldest first."""
    if not (root / HISTORY_FILE).is_file():
        return []
    with connect(root) as con:
        rows = con.execute(
            "SELECT e.on_day, e.kind, d.file, COALESCE(e.detail, '') FROM events e "
            "JOIN drafts d ON d.id = e.draft_id WHERE d.customer_id = ? "
            "ORDER BY e.on_day, e.id",
            (customer_id,),
        ).fetchall()
    return [
        Event(dt.date.fromisoformat(day), kind, file, detail) for day, kind, file, detail in rows
    ]


@dataclass(frozen=True)
class Previous:
    """The message a later touch follows up, as it was sent."""

    touch: int  # which touch it was (1: the first message)
    message_id: str  # `<...>`, as sent (a mail client may have given it a new one)
    references: tuple[str, ...]  # the thread's Message-IDs before it, oldest first
    subject: str  # as sent (a rep may have changed it)
    sent_on: dt.date
    language: str = ""  # the language it was written in: the next touch's
    text: str = ""  # its body as drafted (the outbox file), for the LLM prompt; "" if gone

    @property
    def thread(self) -> tuple[str, ...]:
        """The References of a reply to it: the thread's ids, then its own."""
        return (*self.references, self.message_id)


@dataclass(frozen=True)
class Due:
    """A buyer whose last follow-up went unanswered long enough for the next touch."""

    customer_id: str
    campaign: str
    rep: str
    channel: str
    waited: int  # days since the last touch was sent
    previous: Previous  # its `text` is empty: `followup.api.due` reads it from `file`
    file: Path  # the sent draft's file, in its outbox

    @property
    def touch(self) -> int:
        """The touch it is due: the one after the last sent."""
        return self.previous.touch + 1


def due(
    root: Path,
    day: dt.date,
    *,
    rules: ContactSettings,
    campaign: str | None = None,
    ordered: Mapping[str, dt.date] | None = None,
    waited: bool = True,
) -> list[Due]:
    """Buyers whose latest sent follow-up of a campaign had no answer: not replied to, not
    bounced, no order since (`ordered`: customer id -> latest order day), fewer touches
    than `rules.max_touches`, and (`waited`) sent `rules.after_days(campaign)` days ago."""
    if not (root / HISTORY_FILE).is_file():
        return []
    found = []
    for last in _last_sent(root, campaign):
        days = (day - last.sent_on).days
        if last.answered or last.touch >= rules.max_touches or days < 0:
            continue  # answered or bounced, the sequence is done, or sent after `day`
        if waited and days < rules.after_days(last.campaign):
            continue
        ordered_on = (ordered or {}).get(last.customer_id)
        if ordered_on is not None and ordered_on >= last.sent_on:
            continue  # a new order ends the sequence
        previous = _previous(root, last)
        file = Path(last.outbox) / last.file
        found.append(
            Due(last.customer_id, last.campaign, last.rep, last.channel, days, previous, file)
        )
    return found


@dataclass(frozen=True)
class _Sent:
    """A customer's latest sent draft of a campaign (its highest touch)."""

    customer_id: str
    campaign: str
    rep: str
    channel: str
    touch: int
    sent_on: dt.date
    answered: bool  # replied to or bounced, any draft, since this one was sent
    draft_id: int
    message_id: str
    subject: str
    outbox: str
    file: str
    language: str


def _last_sent(root: Path, campaign: str | None) -> list[_Sent]:
    where, args = "", []
    if campaign is not None:
        where, args = "AND d.campaign = ?", [campaign]
    sql = (
        "SELECT d.customer_id, d.campaign, d.rep, d.channel, d.touch, s.on_day, "
        "EXISTS (SELECT 1 FROM events x JOIN drafts o ON o.id = x.draft_id "
        "  WHERE o.customer_id = d.customer_id AND x.kind IN ('replied', 'bounced') "
        "  AND x.on_day >= s.on_day), "
        "d.id, COALESCE(d.message_id, ''), COALESCE(d.subject, ''), d.outbox, d.file, "
        "d.language FROM drafts d JOIN events s ON s.draft_id = d.id AND s.kind = 'sent' "
        f"WHERE 1 {where} ORDER BY d.customer_id, d.campaign, d.touch DESC, s.on_day DESC"
    )
    with connect(root) as con:
        rows = con.execute(sql, args).fetchall()
    latest: dict[tuple[str, str], _Sent] = {}
    for row in rows:
        sent = _Sent(
            str(row[0]), str(row[1]), str(row[2]), str(row[3]), int(row[4]),
            dt.date.fromisoformat(row[5]), bool(row[6]), int(row[7]), str(row[8]),
            str(row[9]), str(row[10]), str(row[11]), str(row[12] or ""),
        )  # fmt: skip
        latest.setdefault((sent.customer_id, sent.campaign), sent)
    return list(latest.values())


def _previous(root: Path, last: _Sent) -> Previous:
    """The message a next touch answers: the sent draft as its Sent copy shows it (its
    Message-ID and subject, when sync read it), the thread's earlier ids, its drafted text."""
    with connect(root) as con:
        copy = con.execute(
            "SELECT message_id, subject FROM messages WHERE draft_id = ? AND kind = 'sent' "
            "ORDER BY at LIMIT 1",
            (last.draft_id,),
        ).fetchone()
        earlier = con.execute(
            "SELECT COALESCE((SELECT m.message_id FROM messages m WHERE m.draft_id = d.id "
            "AND m.kind = 'sent' ORDER BY m.at LIMIT 1), d.message_id) FROM drafts d "
            "JOIN events s ON s.draft_id = d.id AND s.kind = 'sent' "
            "WHERE d.customer_id = ? AND d.campaign = ? AND d.touch < ? ORDER BY d.touch",
            (last.customer_id, last.campaign, last.touch),
        ).fetchall()
    sent_id = (copy[0] if copy and copy[0] else "") or last.message_id
    return Previous(
        touch=last.touch,
        message_id=sent_id,
        references=tuple(str(r[0]) for r in earlier if r[0] and r[0] != sent_id),
        subject=(copy[1] if copy and copy[1] else "") or last.subject,
        sent_on=last.sent_on,
        language=last.language,
    )
