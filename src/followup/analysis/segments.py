"""Segment schemes: each table lives here once; the docs are rendered from it.

- `classic`: the 11 marketing segments by R score (rows) and FM = (F + M + 1) // 2
  (columns).
- `cn8`: the 8 classes of Chinese CRM practice: R, F, M each high (H) or low (L)
  against the mean of scored customers (or fixed thresholds). R high ⇔ recency_days
  below the threshold; F high ⇔ frequency above it; M high ⇔ monetary above it;
  equal is low.

A manager's rules file (YAML) can rename segments or redraw a grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from followup.errors import UsageError

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

PROSPECT: Final = "prospect"

#: R score -> segment for FM = 1..5
CLASSIC_GRID: Final[dict[int, tuple[str, str, str, str, str]]] = {
    5: ("new_customers", "potential_loyalist", "potential_loyalist", "champions", "champions"),
    4: ("promising", "potential_loyalist", "potential_loyalist", "loyal", "loyal"),
    3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cannot_lose_them"),
    1: ("lost", "hibernating", "at_risk", "at_risk", "cannot_lose_them"),
}

#: classic segment -> what it means (English) and its usual Chinese name
CLASSIC_LABELS: Final[dict[str, tuple[str, str]]] = {
    "champions": ("Bought recently, buy often and spend the most", "冠军客户"),
    "loyal": ("Buy regularly and spend well", "忠诚客户"),
    "potential_loyalist": ("Recent buyers with average frequency and spend", "潜力客户"),
    "new_customers": ("Bought recently, not yet often", "新客户"),
    "promising": ("Recent buyers who have not spent much yet", "有希望客户"),
    "need_attention": ("Above-average value, not bought very recently", "需关注客户"),
    "about_to_sleep": (
        "Below-average recency and value: will lapse without contact",
        "即将沉睡客户",
    ),
    "at_risk": ("Bought often and spent well, but long ago", "有流失风险客户"),
    "cannot_lose_them": ("Best customers by frequency and spend, gone quiet", "不能失去的客户"),
    "hibernating": ("Last bought long ago, low frequency and spend", "沉睡客户"),
    "lost": ("Lowest recency, frequency and spend", "已流失客户"),
}

#: (R high, F high, M high) -> (segment id, Chinese label)
CN8_TABLE: Final[dict[tuple[bool, bool, bool], tuple[str, str]]] = {
    (True, True, True): ("important_value", "重要价值客户"),
    (True, False, True): ("important_develop", "重要发展客户"),
    (False, True, True): ("important_retain", "重要保持客户"),
    (False, False, True): ("important_winback", "重要挽留客户"),
    (True, True, False): ("general_value", "一般价值客户"),
    (True, False, False): ("general_develop", "一般发展客户"),
    (False, True, False): ("general_retain", "一般保持客户"),
    (False, False, False): ("general_winback", "一般挽留客户"),
}

SCHEMES: Final = ("classic", "cn8")


def cn8_code(cell: tuple[bool, bool, bool]) -> str:
    """(True, False, True) -> "HLH"."""
    return "".join("H" if high else "L" for high in cell)


def all_segments(scheme: str) -> list[str]:
    """Every segment id a scheme can give, in table order, plus `prospect`."""
    if scheme == "classic":
        ids = [s for row in CLASSIC_GRID.values() for s in row]
    else:
        ids = [segment for segment, _ in CN8_TABLE.values()]
    return [*dict.fromkeys(ids), PROSPECT]


@dataclass(frozen=True)
class Thresholds:
    """Fixed cn8 thresholds; None means "the mean of scored customers"."""

    r: float | None = None
    f: float | None = None
    m: float | None = None

    @classmethod
    def parse(cls, text: str | None) -> Thresholds:
        """`r=90,f=3,m=5000` (any subset)."""
        if not text:
            return cls()
        values: dict[str, float] = {}
        for part in text.split(","):
            key, sep, number = part.partition("=")
            key = key.strip().lower()
            if not sep or key not in {"r", "f", "m"}:
                raise UsageError(f"--thresholds: expected r=DAYS,f=ORDERS,m=AMOUNT, got {part!r}")
            try:
                values[key] = float(number)
            except ValueError:
                raise UsageError(f"--thresholds: {key}={number!r} is not a number") from None
            if not math.isfinite(values[key]):
                raise UsageError(
                    f"--thresholds: {key}={number.strip()} is not allowed: use a finite number"
                )
        return cls(**values)


@dataclass(frozen=True)
class Rules:
    """A manager's adjustments: a redrawn grid and/or renamed segments."""

    scheme: str
    classic_grid: dict[int, tuple[str, ...]] = field(default_factory=lambda: dict(CLASSIC_GRID))
    cn8_cells: dict[str, str] = field(
        default_factory=lambda: {cn8_code(k): v for k, (v, _) in CN8_TABLE.items()}
    )
    rename: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


def default_rules(scheme: str) -> Rules:
    if scheme not in SCHEMES:
        raise UsageError(f"unknown scheme {scheme!r}: use one of {', '.join(SCHEMES)}")
    return Rules(scheme)


def assign(rfm: pa.Table, rules: Rules, thresholds: Thresholds = Thresholds()) -> np.ndarray:
    """The segment of every row of an RFM table (`prospect` when unscored)."""
    import numpy as np

    scored = _column(rfm, "frequency") > 0
    names = np.full(len(scored), PROSPECT, dtype=object)
    if scored.any():
        if rules.scheme == "classic":
            names[scored] = _classic(rfm, scored, rules)
        else:
            names[scored] = _cn8(rfm, scored, rules, thresholds)
    if rules.rename:
        names = np.array([rules.rename.get(n, n) for n in names], dtype=object)
    return names


def _column(table: pa.Table, name: str) -> np.ndarray:
    from followup.data.parsing import numbers

    return numbers(table.column(name))


def _classic(rfm: pa.Table, scored: np.ndarray, rules: Rules) -> np.ndarray:
    import numpy as np

    grid = np.array([rules.classic_grid[r] for r in (1, 2, 3, 4, 5)], dtype=object)
    r, f, m = (_column(rfm, f"{x}_score")[scored].astype(int) for x in "rfm")
    result: np.ndarray = grid[r - 1, (f + m + 1) // 2 - 1]
    return result


def cn8_flags(
    rfm: pa.Table, scored: np.ndarray, thresholds: Thresholds
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(R high, F high, M high) per scored row: strictly better than the threshold or mean."""
    recency = _column(rfm, "recency_days")[scored].astype(float)
    frequency = _column(rfm, "frequency")[scored]
    monetary = _column(rfm, "monetary")[scored]
    r_cut = thresholds.r if thresholds.r is not None else recency.mean()
    f_cut = thresholds.f if thresholds.f is not None else frequency.mean()
    m_cut = thresholds.m if thresholds.m is not None else monetary.mean()
    return recency < r_cut, frequency > f_cut, monetary > m_cut


def _cn8(rfm: pa.Table, scored: np.ndarray, rules: Rules, thresholds: Thresholds) -> np.ndarray:
    import numpy as np

    r_high, f_high, m_high = cn8_flags(rfm, scored, thresholds)
    order = [(r, f, m) for r in (True, False) for f in (True, False) for m in (True, False)]
    lookup = np.array([rules.cn8_cells[cn8_code(cell)] for cell in order], dtype=object)
    index = (~r_high).astype(int) * 4 + (~f_high).astype(int) * 2 + (~m_high).astype(int)
    result: np.ndarray = lookup[index]
    return result


def label(segment: str, scheme: str) -> str:
    """The Chinese label shown beside a segment id ("" when there is none)."""
    if scheme == "cn8":
        return next((zh for seg, zh in CN8_TABLE.values() if seg == segment), "")
    return CLASSIC_LABELS.get(segment, ("", ""))[1]
