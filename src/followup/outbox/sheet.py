"""`review.xlsx`: the outbox's drafts on one sheet, for a manager to decide on.

One row per draft on disk, from the index (every run's drafts, not one run's), with a
`decision` drop-down (send 发送 / hold 暂缓 / edit 修改, blank allowed) and a `comment`
column that `followup review apply` reads back. Each row carries its draft's key and
the sha256 of the draft file's bytes as shown (the hidden `draft_sha256` column), so a
draft changed after the sheet was written is told apart when the sheet is applied.

The sheet is rewritten by every batch and by `followup review sheet`, with the
decisions already applied filled in (a draft whose file changed since shows `changed`,
its decision blank again). A review.xlsx that is not the one followup wrote last (a
manager's, decided but not applied yet) is never lost: a copy goes to `replaced/` first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from followup.files import atomic_write
from followup.outbox import decisions
from followup.outbox.decisions import CHANGED, DECISIONS, REVIEWED, SHEET_FILE

#: the hash of the review.xlsx followup wrote last (to tell a manager's edit apart)
WRITTEN: Final = ".review.xlsx.sha256"
REPLACED: Final = "replaced"
ROW_HEIGHT: Final = 90.0  # points: six lines of a draft; a row opens up on a double click


@dataclass(frozen=True)
class Column:
    name: str  # as `review apply` reads it back: the header's first word
    label: str  # the header
    width: int = 30  # widest
    wrap: bool = False


COLUMNS: Final = (
    Column("key", "key 草稿", 36),
    Column("decision", "decision 决定", 14),
    Column("comment", "comment 备注", 30, wrap=True),
    Column("state", "state 审核状态", 24, wrap=True),
    Column("customer_id", "customer_id 客户编号", 14),
    Column("company", "company 公司", 30, wrap=True),
    Column("contact", "contact 联系人", 22),
    Column("rep", "rep 业务员", 18),
    Column("segment", "segment 客户分层", 18),
    Column("campaign", "campaign 活动", 14),
    Column("channel", "channel 渠道", 11),
    Column("language", "language 语言", 11),
    Column("subject", "subject 主题", 40, wrap=True),
    Column("body", "body 正文", 80, wrap=True),
    Column("summary_zh", "summary_zh 中文对照", 60, wrap=True),
    Column("facts", "facts 事实", 40, wrap=True),
    Column("template", "template 模板", 28),
    Column("template_status", "template_status 模板状态", 16),
    Column("engine", "engine 引擎", 16),
    Column("regions", "regions 改写段落", 30, wrap=True),
    Column("fallback", "fallback 回退原因", 30, wrap=True),
    Column("findings", "findings 检查结果", 40, wrap=True),
    Column("status", "status 状态", 10),
    Column("reviewed_at", "reviewed_at 审核时间", 22),
    Column("file", "file 文件", 36),
    Column("draft_sha256", "draft_sha256 (do not edit 勿改)", 20),
)
HIDDEN: Final = frozenset({"draft_sha256"})
CHOICE_PROMPT: Final = "send 发送 / hold 暂缓 / edit 修改; empty: not decided 留空: 未决定"
CHOICE_ERROR: Final = "Use send, hold or edit (发送 / 暂缓 / 修改), or leave it empty."


def path(root: Path) -> Path:
    return root / SHEET_FILE


def write(root: Path, records: list[dict[str, Any]], *, stamp: dt.date) -> Path | None:
    """Write `root/review.xlsx` for the index records (drafts on disk, with their review
    fields); the copy of an edited sheet it kept in replaced/, if it kept one."""
    from followup.xlsx import Choice, Sheet, workbook_bytes

    rows = [row(root, record) for record in records if record.get("file")]
    sheet = Sheet(
        "review",
        [c.name for c in COLUMNS],
        rows,
        labels={c.name: c.label for c in COLUMNS},
        wrap=frozenset(c.name for c in COLUMNS if c.wrap),
        widths={c.name: c.width for c in COLUMNS},
        hidden=HIDDEN,
        choices={"decision": Choice(DECISIONS, "decision 决定", CHOICE_PROMPT, CHOICE_ERROR)},
        row_height=ROW_HEIGHT,
        bulk=True,
    )
    data = workbook_bytes([sheet], stamp=stamp)
    kept = _keep_edited(root)
    atomic_write(path(root), data)
    mark_written(root, data)
    return kept


def mark_written(root: Path, data: bytes) -> None:
    """review.xlsx now holds `data`, written or applied: a rewrite need not keep a copy."""
    atomic_write(root / WRITTEN, hashlib.sha256(data).hexdigest() + "\n")


def row(root: Path, record: dict[str, Any]) -> dict[str, Any]:
    """One draft's row on the sheet."""
    edited = bool(record.get("edited"))
    engine = str(record.get("engine") or "")
    return {
        "key": record.get("key"),
        "decision": record.get("decision") or None,
        "comment": record.get("comment"),
        "state": _state(record.get("review_state"), edited),
        "customer_id": record.get("customer_id"),
        "company": record.get("company"),
        "contact": record.get("recipient_name"),
        "rep": record.get("sender_name"),
        "segment": record.get("segment"),
        "campaign": record.get("campaign"),
        "channel": record.get("channel"),
        "language": record.get("language"),
        "subject": record.get("subject"),
        "body": record.get("body"),
        "summary_zh": record.get("summary_zh", ""),
        "facts": _facts(record.get("facts")),
        "template": record.get("template_id"),
        "template_status": "unapproved 未批准" if record.get("unapproved") else "approved 已批准",
        "engine": f"{engine} ({record['model']})" if record.get("model") else engine,
        "regions": _regions(record),
        "fallback": _fallback(record),
        "findings": "\n".join(
            f"{f.get('severity', 'error')} {f.get('code')}: {f.get('message')}"
            for f in record.get("findings") or []
        ),
        "status": record.get("status"),
        "reviewed_at": record.get("reviewed_at"),
        "file": record.get("file"),
        "draft_sha256": decisions.file_hash(root, record),
    }


def _state(review: object, edited: bool) -> str:
    said = {
        REVIEWED: "reviewed 已审",
        CHANGED: "changed since review 审后已改: review again 请重审",
    }.get(str(review), "to review 待审")
    return f"{said}\nedited by hand 手工修改" if edited else said


def _facts(facts: object) -> str:
    """The facts a record lists (its `facts`: role -> value), one a line."""
    if isinstance(facts, dict):
        return "\n".join(f"{name}: {value}" for name, value in facts.items())
    if isinstance(facts, list):
        return "\n".join(
            ": ".join(str(v) for v in item.values()) if isinstance(item, dict) else str(item)
            for item in facts
        )
    return "" if facts is None else str(facts)


def _regions(record: dict[str, Any]) -> str:
    """Which regions of the template the LLM rewrote, and which kept the approved text."""
    lines = []
    if record.get("rewritten"):
        lines.append("rewritten 改写: " + ", ".join(record["rewritten"]))
    for name, why in (record.get("kept") or {}).items():
        lines.append(f"kept 保留 {name}: {why}")
    return "\n".join(lines)


def _fallback(record: dict[str, Any]) -> str:
    lines = [str(record["fallback_reason"])] if record.get("fallback_reason") else []
    if record.get("language_fallback"):
        lines.append("no template in the buyer's language: English used 无该语言模板, 用英文")
    return "\n".join(lines)


def _keep_edited(root: Path) -> Path | None:
    """A review.xlsx that is neither the one followup wrote last nor one applied since (a
    manager's decisions, not applied yet), copied to replaced/."""
    current = path(root)
    try:
        data = current.read_bytes()
    except FileNotFoundError:
        return None
    try:
        written = (root / WRITTEN).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        written = ""
    if hashlib.sha256(data).hexdigest() == written:
        return None
    moment = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    target = root / REPLACED / f"{moment}-{SHEET_FILE}"
    atomic_write(target, data)
    return target
