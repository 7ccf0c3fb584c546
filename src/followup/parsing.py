"""Vectorised parsing of text cells: ids, dates, amounts.

Each parser takes a pyarrow string array and returns the parsed array plus a
boolean numpy mask of cells that were present but could not be parsed. Clean
files take a fast vectorised path; only odd cells go through Python, once per
distinct value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EPOCH = dt.date(1970, 1, 1)
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{1,6}(?:\.\d+)?$")
_PLAIN_NUMBER = r"^-?\d+(\.\d+)?$"
_AMOUNT_NOISE = re.compile(r"[^\d,.\-()]")
_FLOAT_ID = r"^(\d+)\.0+$"


def numbers(values: pa.Array | pa.ChunkedArray, fill: int | float = 0) -> np.ndarray:
    """A numeric Arrow array as numpy, nulls as `fill`, without going through pandas."""
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if values.null_count:
        values = values.fill_null(fill)
    result: np.ndarray = values.to_numpy()
    return result


def flags(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow array as a numpy bool array (nulls are False)."""
    import pyarrow as pa

    return numbers(values.cast(pa.int8())).astype(bool)


def map_unique(values: pa.Array, parse: Callable[[str], Any], type_: pa.DataType) -> pa.Array:
    """Apply `parse` to each distinct value (None for a failure) and map back."""
    import pyarrow as pa
    import pyarrow.compute as pc

    uniques = pc.unique(values)
    parsed = pa.array([parse(v) for v in uniques.to_pylist()], type=type_)
    return pc.take(parsed, pc.index_in(values, value_set=uniques))


def clean_text(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Cells without surrounding whitespace (any Unicode space, e.g. U+3000)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return pc.utf8_trim_whitespace(values)


def present(values: pa.Array) -> np.ndarray:
    """Mask of non-empty cells."""
    import pyarrow.compute as pc

    result: np.ndarray = numbers(pc.binary_length(values)) != 0
    return result


def parse_ids(values: pa.Array) -> pa.Array:
    """Ids are text: `00123` stays, `17850.0` (a float export) becomes `17850`."""
    import pyarrow.compute as pc

    if not pc.any(pc.match_substring(values, ".0")).as_py():
        return values
    return pc.replace_substring_regex(values, pattern=_FLOAT_ID, replacement=r"\1")


def parse_dates(
    values: pa.Array, *, excel_serials: bool = False, day_first_format: str | None = None
) -> tuple[pa.Array, np.ndarray]:
    """Parse to date32 (the calendar date; a time of day is dropped)."""
    import pyarrow as pa

    def one(text: str) -> int | None:
        day = parse_date_text(text, excel_serials=excel_serials, fmt=day_first_format)
        return None if day is None else (day - _EPOCH).days

    dates = map_unique(values, one, pa.int32()).cast(pa.date32())
    return dates, _failed(values, dates)


def parse_date_text(
    text: str, *, excel_serials: bool = False, fmt: str | None = None
) -> dt.date | None:
    """One date in any accepted form, or None (empty or not a date)."""
    if not text:
        return None
    if fmt is not None:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups()[:3])
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
    if excel_serials and _SERIAL.match(text):
        serial = int(float(text))
        if 1 <= serial <= 2_958_465:
            return _EXCEL_EPOCH + dt.timedelta(days=serial)
    return None


def parse_amounts(values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Parse money: `1234.5`, `$1,234.50`, `1 234,50`, `1.234,50 €`, `(120.00)`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:  # fast path: every cell a plain number
        amounts = pc.cast(values, pa.float64())
        if len(values) and not pc.any(pc.invert(pc.is_finite(amounts))).as_py():
            return amounts, _failed(values, amounts)
    except pa.ArrowInvalid:
        pass
    plain = pc.match_substring_regex(values, _PLAIN_NUMBER)
    fast = pc.cast(pc.if_else(plain, values, None), pa.float64())
    slow = map_unique(pc.if_else(plain, None, values), parse_amount_text, pa.float64())
    amounts = pc.coalesce(fast, slow)
    return amounts, _failed(values, amounts)


def parse_amount_text(text: str | None) -> float | None:
    """One money amount in any accepted form, or None."""
    if not text:
        return None
    negative = text.startswith("(") and text.endswith(")")
    digits = _AMOUNT_NOISE.sub("", text).strip("()")
    if not digits or not any(c.isdigit() for c in digits):
        return None
    if digits.startswith("-"):
        negative, digits = True, digits[1:]
    if "-" in digits:
        return None
    normalised = _decimal_point(digits)
    if normalised is None:
        return None
    try:
        value = float(normalised)
    except ValueError:
        return None
    return -value if negative else value


def _decimal_point(digits: str) -> str | None:
    """Resolve thousands separators and decimal commas to a plain decimal string."""
    if "," in digits and "." in digits:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        return digits.replace(thousands, "").replace(decimal, ".")
    for sep in (",", "."):
        if sep in digits:
            parts = digits.split(sep)
            if len(parts) > 2 or (sep == "," and len(parts[-1]) == 3):
                if not all(len(p) == 3 for p in parts[1:]):
                    return None
                return "".join(parts)
            return digits.replace(sep, ".")
    return digits


def _failed(values: pa.Array, parsed: pa.Array) -> np.ndarray:
    import numpy as np

    if not len(values):
        return np.zeros(0, dtype=bool)
    missing = flags(parsed.is_null())
    result: np.ndarray = missing & present(values)
    return result
