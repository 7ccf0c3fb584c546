"""Loss reasons: the canonical ids, their labels, and the spellings CRM exports use.

One table; `followup losses`, campaign angles and the docs read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

from followup.data.columns import normalise_header


@dataclass(frozen=True)
class Reason:
    label: str
    label_zh: str
    short: str  # column heading in an 80-column table
    aliases: tuple[str, ...]


LOSS_REASONS: Final[dict[str, Reason]] = {
    "price": Reason(
        "Price",
        "价格",
        "price",
        ("too expensive", "pricing", "price too high", "价格高", "价格太高", "报价高"),
    ),
    "quality": Reason(
        "Quality", "质量", "qual", ("quality issue", "quality problem", "质量问题", "品质")
    ),
    "delivery": Reason(
        "Delivery",
        "交期",
        "deliv",
        ("lead time", "shipping", "late delivery", "交货期", "交货", "物流"),
    ),
    "service": Reason(
        "Service", "服务", "serv", ("customer service", "response", "服务差", "售后")
    ),
    "competitor": Reason(
        "Competitor", "竞争对手", "comp", ("competition", "lost to competitor", "竞品", "同行")
    ),
    "payment_terms": Reason(
        "Payment terms", "付款方式", "terms", ("payment", "terms", "付款条件", "账期")
    ),
    "no_demand": Reason(
        "No demand", "无需求", "nodem", ("no need", "no project", "没有需求", "需求取消", "无项目")
    ),
    "other": Reason("Other", "其他", "other", ("others", "unknown", "其它")),
}


@cache
def _lookup() -> dict[str, str]:
    return {
        normalise_header(spelling): reason
        for reason, spec in LOSS_REASONS.items()
        for spelling in (reason, spec.label, spec.label_zh, *spec.aliases)
    }


def canonical_reason(raw: str) -> str | None:
    """The reason id for a spelling from a CRM export, or None when unknown."""
    return _lookup().get(normalise_header(raw))
