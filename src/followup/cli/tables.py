"""Plain-text tables for an 80-column terminal (CJK characters count two columns)."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from typing import Any

WIDTH = 80


def width(text: str) -> int:
    """Columns `text` takes in a terminal."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fit(text: str, size: int) -> str:
    """Cut `text` to `size` columns, marking the cut with an ellipsis."""
    if width(text) <= size:
        return text
    out, used = [], 0
    for char in text:
        step = width(char)
        if used + step > size - 1:
            break
        out.append(char)
        used += step
    return "".join(out) + "…"


def pad(text: str, size: int, *, right: bool = False) -> str:
    gap = " " * max(size - width(text), 0)
    return gap + text if right else text + gap


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    right: Sequence[bool] = (),
    flexible: int | None = None,
    limit: int = WIDTH,
) -> str:
    """Columns sized to content; the `flexible` column is cut so lines fit `limit`."""
    cells = [[_text(v) for v in row] for row in rows]
    sizes = [max([width(h), *(width(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    if flexible is not None:
        others = sum(w for i, w in enumerate(sizes) if i != flexible) + 2 * (len(sizes) - 1)
        sizes[flexible] = max(width(headers[flexible]), min(sizes[flexible], limit - others))
    align = list(right) + [False] * (len(headers) - len(right))

    def line(values: Sequence[str]) -> str:
        parts = [pad(fit(v, n), n, right=r) for v, n, r in zip(values, sizes, align, strict=True)]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * n for n in sizes)
    return "\n".join([line(list(headers)), rule, *(line(r) for r in cells)]) + "\n"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if type(value).__name__ in {"NAType", "NaTType"}:
        return ""
    return str(value)


def number(value: object) -> str:
    """A whole number, or "" for a missing value."""
    text = _text(value)
    return f"{float(text):.0f}" if text else ""


def money(value: Any) -> str:
    return f"{float(value):,.0f}"


def percent(share: Any, digits: int = 1) -> str:
    text = f"{float(share) * 100:.{digits}f}%"
    return text[1:] if text.startswith("-") and not text.strip("-0.%") else text


def count(n: int, noun: str, plural: str = "") -> str:
    """`1 buyer`, `2 buyers` (`plural` when adding an s is wrong: `1 follow-up`...)."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
