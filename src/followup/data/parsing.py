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
# The same forms for pyarrow (RE2, ASCII classes): a year-first date, and a time of day
# whose hour and minute `_calendar_date` accepts. Cells it does not match (full-width
# digits, Unicode spaces ...) go through `_DATE` in Python as before.
_DATE_PART = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
_ISO_DATE = r"\d{4}-\d\d-\d\d"  # a _DATE_PART of 10 characters
_TIME_OF_DAY = r"[ T]+(?:[01]?\d|2[0-3]):[0-5]\d(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?"
#: strptime directives that can read a time of day (and so the `:` of one)
_TIME_DIRECTIVES = "HIMSpfzcXTRr"
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{1,6}(?:\.\d+)?$")
#: Excel serial numbers read as dates: 1950-01-01 .. 2099-12-31 (a bare 2026 is not a date)
_SERIAL_RANGE = (18264, 73050)
_PLAIN_NUMBER = r"^-?\d+(\.\d+)?$"
_AMOUNT_SPACES = str.maketrans({"\u2212": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " "})
_AMOUNT_DIGITS = re.compile(r"\d(?:[\d ,.']*\d)?")
_CURRENCY = r"(?:[A-Za-z]{1,3}\.?\s*)?[$€£¥￥₹₩]?"
_AMOUNT_PREFIX = re.compile(rf"^\s*[-+]?\s*{_CURRENCY}\s*[-+]?\s*$")
_AMOUNT_SUFFIX = re.compile(r"^\s*(?:[A-Za-z]{1,3}|[$€£¥￥₹₩元])?\s*$")
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
    values: pa.Array | pa.ChunkedArray,
    *,
    excel_serials: bool = False,
    day_first_format: str | None = None,
) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Parse to date32 (the calendar date; a time of day is dropped).

    Returns the dates and two masks: cells that are blank, and cells that are not a
    date. Each distinct cell is parsed once in Python (an export has a few thousand
    dates); a cell with a time of day (`2024-03-05 14:22:08`: nearly every one distinct)
    is first cut to its date in one vectorised step, so only the distinct days are.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    timed, iso = _timed(values, day_first_format)
    if not timed.any():
        return _parse_distinct(values, excel_serials, day_first_format)
    cells = values if timed.all() else values.filter(pa.array(timed))
    if iso:  # 2024-03-05 14:22:08 or 2024-03-05T14:22:08Z: the first 10 characters
        days = pc.utf8_slice_codeunits(cells, 0, 10)
    else:  # the date before the time (and maybe a space, which parse_date_text strips)
        days = pc.struct_field(pc.extract_regex(cells, f"^(?P<day>{_DATE_PART})"), [0])
    if timed.all():
        return _parse_distinct(days, False, None)
    untimed = _parse_distinct(values.filter(pa.array(~timed)), excel_serials, day_first_format)
    cut = _parse_distinct(days, False, None)
    order = np.argsort(np.concatenate([np.flatnonzero(~timed), np.flatnonzero(timed)]))
    dates = pc.take(pa.concat_arrays([untimed[0], cut[0]]), pa.array(order))
    blank, bad = (np.concatenate([untimed[i], cut[i]])[order] for i in (1, 2))
    return dates, blank, bad


def _timed(values: pa.Array, fmt: str | None) -> tuple[np.ndarray, bool]:
    """Cells that are a year-first date and a valid time of day, which `parse_date_text`
    reads as the date alone, and whether all of them are ISO (`2024-03-05 14:22`). A
    `date_format` that could read a time is tried first on whole cells: then none is."""
    import numpy as np
    import pyarrow.compute as pc

    none = np.zeros(len(values), dtype=bool)
    if fmt is not None and (":" in fmt or any(f"%{c}" in fmt for c in _TIME_DIRECTIVES)):
        return none, False
    longest = pc.max(pc.binary_length(values)).as_py()
    if longest is None or longest < len("2024/3/5 1:00"):  # too short to hold a time: 1 ms
        return none, False
    colons = flags(pc.match_substring(values, ":"))
    if not colons.any():  # no time of day anywhere
        return none, False
    iso = flags(pc.match_substring_regex(values, f"^{_ISO_DATE}{_TIME_OF_DAY}$"))
    if iso.sum() == colons.sum():  # every cell with a time is ISO (iso is within colons)
        return iso, True
    return flags(pc.match_substring_regex(values, f"^{_DATE_PART}{_TIME_OF_DAY}$")), False


def _parse_distinct(
    values: pa.Array, excel_serials: bool, fmt: str | None
) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """`parse_date_text` once per distinct cell, mapped back to every cell."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(values)
    texts = [text.strip() for text in encoded.dictionary.to_pylist()]
    days = [parse_date_text(t, excel_serials=excel_serials, fmt=fmt) for t in texts]
    numbers_ = pa.array([None if d is None else (d - _EPOCH).days for d in days], pa.int32())
    codes = numbers(encoded.indices)
    blank = np.array([not t for t in texts], dtype=bool)
    bad = np.array([d is None and bool(t) for d, t in zip(days, texts, strict=True)], dtype=bool)
    dates = pc.take(numbers_, encoded.indices).cast(pa.date32())
    return dates, blank[codes], bad[codes]


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
        return _calendar_date(match.groups())
    if excel_serials and _SERIAL.match(text):
        serial = int(float(text))
        if _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + dt.timedelta(days=serial)
    return None


def _calendar_date(groups: tuple[str | None, ...]) -> dt.date | None:
    """(year, month, day[, hour, minute, second]) as a date, if it is a real moment."""
    year, month, day = (int(g or 0) for g in groups[:3])
    hour, minute = (int(g or 0) for g in (*groups[3:5], None, None)[:2])
    if hour > 23 or minute > 59:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_amounts(values: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Parse money: `1234.5`, `$1,234.50`, `1 234,50`, `1.234,50 €`, `(120.00)`.

    Returns the amounts and two masks: blank cells, and cells that are not an amount.
    A column of plain numbers is cast in one vectorised step; anything else is read
    once per distinct cell.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    none = np.zeros(len(values), dtype=bool)
    try:  # fast path: every cell a plain number
        amounts = pc.cast(values, pa.float64())
        if len(values) and not pc.any(pc.invert(pc.is_finite(amounts))).as_py():
            return amounts, none, none
    except pa.ArrowInvalid:
        pass
    trimmed = clean_text(values)
    plain = pc.match_substring_regex(trimmed, _PLAIN_NUMBER)
    fast = pc.cast(pc.if_else(plain, trimmed, None), pa.float64())
    slow = map_unique(pc.if_else(plain, None, trimmed), parse_amount_text, pa.float64())
    amounts = pc.coalesce(fast, slow)
    blank = ~present(trimmed)
    return amounts, blank, flags(amounts.is_null()) & ~blank


def parse_amount_text(text: str | None) -> float | None:
    """One money amount in any accepted form, or None when it is not clearly one.

    Accepted: a sign or accounting parentheses, a currency symbol or code before or
    after (`$`, `US$`, `EUR`, `Rs.`), thousands separators (`,` `.` space `'`) and a
    decimal comma. Anything else around the number (`approx. 1000`, `1.5E+06`) is
    rejected rather than misread.
    """
    if not text:
        return None
    text = text.strip().translate(_AMOUNT_SPACES)
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    span = _AMOUNT_DIGITS.search(text)
    if span is None:
        return None
    prefix, suffix = _AMOUNT_PREFIX.match(text[: span.start()]), text[span.end() :]
    if prefix is None or not _AMOUNT_SUFFIX.match(suffix):
        return None
    if "-" in prefix.group(0):
        negative = not negative
    normalised = _decimal_point(re.sub(r"[ ']", "", span.group(0)))
    try:
        value = float(normalised) if normalised is not None else None
    except ValueError:
        return None
    if value is None:
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
