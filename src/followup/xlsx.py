"""Excel workbooks for people (openpyxl): the one writer of every table followup saves as
XLSX (`segment`, `losses`, `plan`).

Every sheet has a bold header row frozen in place and an autofilter over the table; its
cells are typed (numbers as numbers, dates as dates shown `yyyy-mm-dd`, booleans as
TRUE/FALSE, text as text, never a formula even when it starts with `=`; a missing value
is an empty cell), a column may carry a number format (`MONEY_FORMAT`,
`PERCENT_FORMAT`), and the widths fit the content (wide CJK characters count twice, at
most `MAX_WIDTH`). The same sheets give the same bytes: the workbook's timestamps are
the `stamp` the caller passes (an as-of date), never the clock, so a re-run does not
look like a change.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from followup.files import atomic_write

DATE_FORMAT: Final = "yyyy-mm-dd"
DATETIME_FORMAT: Final = "yyyy-mm-dd hh:mm"
MONEY_FORMAT: Final = "#,##0.00"
PERCENT_FORMAT: Final = "0.0%"
MAX_WIDTH: Final = 50
_FORBIDDEN_IN_TITLES = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


@dataclass(frozen=True)
class Sheet:
    """One table: its rows are mappings from column name to value (missing: empty)."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Mapping[str, Any]]
    formats: Mapping[str, str] = field(default_factory=dict)  # column -> number format


def write_workbook(path: Path, sheets: Sequence[Sheet], *, stamp: dt.date) -> None:
    """The sheets as one workbook at `path`, written atomically; same sheets, same bytes."""
    atomic_write(path, workbook_bytes(sheets, stamp=stamp))


def workbook_bytes(sheets: Sequence[Sheet], *, stamp: dt.date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.xml.functions import tostring

    moment = _moment(stamp)
    workbook = Workbook()
    first = workbook.active
    for sheet in sheets:
        target = first if first is not None else workbook.create_sheet()
        first = None
        target.title = sheet.title.translate(_FORBIDDEN_IN_TITLES)[:31]
        _fill(target, sheet)
    workbook.properties.creator = "followup"
    workbook.properties.created = moment
    buffer = io.BytesIO()
    workbook.save(buffer)  # sets `modified` to now: core.xml is rewritten below
    workbook.properties.modified = moment
    core = tostring(workbook.properties.to_tree())
    return _fixed_zip(buffer.getvalue(), {"docProps/core.xml": core}, moment)


def _moment(stamp: dt.date) -> dt.datetime:
    """Midnight of `stamp` (or `stamp` itself), naive UTC as openpyxl takes it."""
    if isinstance(stamp, dt.datetime):
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(dt.UTC)
        return stamp.replace(tzinfo=None)
    return dt.datetime.combine(stamp, dt.time())


def _fill(target: Any, sheet: Sheet) -> None:
    """Bold frozen header, autofilter, typed and formatted cells, fitted widths."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    columns = list(sheet.columns)
    target.append(columns)
    for cell in target[1]:
        cell.font = Font(bold=True)
    widths = [_text_width(column) for column in columns]
    for row_number, row in enumerate(sheet.rows, start=2):
        for index, column in enumerate(columns):
            value = cell_value(row.get(column))
            cell = target.cell(row=row_number, column=index + 1)
            shown = _set(cell, value, sheet.formats.get(column))
            widths[index] = max(widths[index], _text_width(shown))
    target.freeze_panes = "A2"
    target.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(sheet.rows) + 1}"
    for index, width in enumerate(widths, start=1):
        target.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)


def cell_value(value: Any) -> Any:
    """A value as a cell holds it: None for missing (None, NaN, NaT, ""), Python numbers,
    dates and booleans (numpy and pandas ones converted), lists joined by "; "."""
    if value is None or (isinstance(value, str) and not value):
        return None
    if type(value).__name__ in {"NAType", "NaTType"}:  # pandas' missing values
        return None
    if type(value).__module__ == "numpy":  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.datetime):  # pandas Timestamp included
        naive = value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
        return dt.datetime(*naive.timetuple()[:6], naive.microsecond)
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    return value


def table_rows(table: Any) -> list[dict[str, Any]]:
    """An Arrow table's or a pandas DataFrame's rows as dicts, timestamps as dates (the
    tables followup writes hold days, as their CSV does)."""
    import pyarrow as pa

    if not isinstance(table, pa.Table):
        table = pa.Table.from_pandas(table, preserve_index=False)
    for index, column in enumerate(table.schema):
        if pa.types.is_timestamp(column.type):
            table = table.set_column(index, column.name, table.column(index).cast(pa.date32()))
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def _set(cell: Any, value: Any, number_format: str | None) -> str:
    """Put `value` in `cell`; returns the text Excel shows for it (to fit the width)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None:
        return ""
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"  # text, never a formula, even when it starts with "="
        return value
    if isinstance(value, bool | int | float | dt.date):
        cell.value = value
    else:
        cell.value = str(value)
        cell.data_type = "s"
        return str(value)
    if isinstance(value, dt.datetime):
        cell.number_format = number_format or DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = number_format or DATE_FORMAT
    elif number_format is not None and not isinstance(value, bool):
        cell.number_format = number_format
    return _shown(value, number_format)


def _shown(value: Any, number_format: str | None) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if number_format == MONEY_FORMAT:
        return f"{value:,.2f}"
    if number_format == PERCENT_FORMAT:
        return f"{value * 100:.1f}%"
    return str(value)


def _text_width(text: str) -> int:
    """Width in Excel character units: wide (CJK) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fixed_zip(data: bytes, replace: dict[str, bytes], stamp: dt.datetime) -> bytes:
    """The same zip with every member dated `stamp` (zipfile dates members with the clock)
    and the members in `replace` swapped in."""
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=date_time)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = info.external_attr
            target.writestr(member, replace.get(info.filename, source.read(info)))
    return out.getvalue()
