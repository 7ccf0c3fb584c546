"""Loss reasons: the canonical ids, their labels, and the spellings CRM exports use.

One table; `followup losses`, campaign angles and the docs read it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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


#: words that say which reason a free-text reason means (`交期太长`, `被同行抢走`,
#: `customer switched to local stock`), matched inside the text: Chinese as written,
#: English as whole words. The earliest in the text wins (ties: the longest word).
KEYWORDS: Final[dict[str, tuple[str, ...]]] = {
    "price": ("价格", "价钱", "太贵", "偏贵", "报价", "price", "prices", "expensive", "cheaper"),
    "quality": (
        "质量", "品质", "不良", "次品", "返修", "quality", "defect", "defects", "defective",
        "broken", "failure", "failures",
    ),
    "delivery": (
        "交期", "交货", "货期", "延期", "延误", "物流", "船期", "lead time", "delivery", "late",
        "delay", "delayed", "shipping", "shipment", "container", "rolled over",
    ),
    "service": ("服务", "售后", "回复慢", "响应", "service", "support", "slow reply"),
    "competitor": (
        "同行", "竞争", "竞品", "对手", "抢走", "competitor", "competitors", "competition",
        "another supplier", "other supplier",
    ),
    "payment_terms": (
        "付款", "账期", "信用证", "定金", "预付", "payment", "payments", "deposit", "credit",
        "l/c", "letter of credit",
    ),
    "no_demand": ("需求", "项目取消", "不需要", "no need", "no demand", "no project", "cancelled"),
}  # fmt: skip


#: the angle a reactivation takes within a reason, read from what the customer said (the
#: loss `detail`): words in English, Chinese, German, Spanish, French and Portuguese, matched
#: as `KEYWORDS` are; the earliest in the text wins. A reason's first angle is its generic
#: one: a detail with none of these words, or no detail, takes it.
ANGLES: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "delivery": {
        "lead_time": (
            "lead time", "production time", "too long", "faster", "交期", "货期", "太长",
            "lieferzeit", "plazo", "délai", "prazo",
        ),
        "reliability": (
            "late", "delay", "delayed", "rolled over", "missed", "partial shipment",
            "partial shipments", "on time", "延期", "延误", "晚到", "甩柜", "分批",
            "verspätet", "verspätung", "retraso", "retard", "atraso",
        ),
        "stock": (
            "stock", "from stock", "warehouse", "in stock", "现货", "库存", "lager",
            "existencias", "inventario", "entrepôt", "estoque",
        ),
    },
    "price": {
        "list_price": (
            "above the market", "lower", "cheaper", "quoted", "discount", "价格", "报价", "便宜",
            "günstiger", "más barato", "moins cher", "mais barato",
        ),
        "terms": (
            "incoterm", "incoterms", "cif price", "ddp price", "delivered price", "landed cost",
            "freight", "shipping cost", "运费", "到岸价", "贸易条款", "fracht", "flete", "fret",
            "frete",
        ),
        "moq": (
            "moq", "minimum order", "minimum quantity", "small order", "small quantity",
            "起订量", "起订", "最小订单", "mindestbestellmenge", "pedido mínimo",
            "quantité minimale",
        ),
    },
}  # fmt: skip


def angle_of(reason: str, detail: str) -> str | None:
    """The angle a reactivation for `reason` takes from what the customer said, or None
    when the reason has no angles. No angle word in the detail: the reason's first angle."""
    angles = ANGLES.get(reason)
    if not angles:
        return None
    pattern, angle_by_word = _angle_pattern(reason)
    match = pattern.search(detail.casefold())
    return angle_by_word[match.group(0)] if match else next(iter(angles))


@cache
def _angle_pattern(reason: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for all of a reason's angle words: the leftmost match wins, and at one
    position the longest word (alternatives longest first), as `reason_in_text` picks."""
    angle_by_word = {word: name for name, words in ANGLES[reason].items() for word in words}
    words = sorted(angle_by_word, key=len, reverse=True)
    return re.compile("|".join(_pattern(w).pattern for w in words)), angle_by_word


@cache
def _lookup() -> dict[str, str]:
    return {
        normalise_header(spelling): reason
        for reason, spec in LOSS_REASONS.items()
        for spelling in (reason, spec.label, spec.label_zh, *spec.aliases)
    }


def is_spelling(raw: str) -> bool:
    """Whether `raw` is a reason's id, label or a shipped spelling of it (not free text)."""
    return normalise_header(raw) in _lookup()


def canonical_reason(raw: str, custom: Mapping[str, str] | None = None) -> str | None:
    """The reason id for a reason as a CRM export or a rep writes it, or None when unknown:
    the team's own map (`[reasons]` in followup.toml) first, then the shipped spellings,
    then the words of `KEYWORDS` inside the text."""
    key = normalise_header(raw)
    if custom:
        mapped = _custom(tuple(custom.items())).get(key)
        if mapped is not None:
            return mapped
    return _lookup().get(key) or reason_in_text(raw)


@cache
def _custom(items: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {normalise_header(phrase): reason for phrase, reason in items}


def reason_in_text(text: str) -> str | None:
    """The reason a free text names by a keyword, or None."""
    found = [
        (match.start(), -len(word), reason)
        for reason, word in _keywords()
        if (match := _pattern(word).search(text.casefold()))
    ]
    return min(found)[2] if found else None


@cache
def _keywords() -> tuple[tuple[str, str], ...]:
    return tuple((reason, word) for reason, words in KEYWORDS.items() for word in words)


@cache
def _pattern(word: str) -> re.Pattern[str]:
    if word.isascii():
        return re.compile(rf"(?<![a-z]){re.escape(word)}(?![a-z])")
    return re.compile(re.escape(word))
