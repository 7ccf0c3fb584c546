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

A sheet people edit (the outbox's review.xlsx) may also have header labels other than
its column names, text that wraps in some columns (top-aligned, a width cap per column,
a row height), hidden columns, and a drop-down list of values (data validation) with an
input message. `bulk=True` writes its rows as sheet XML in one pass (text, numbers and
booleans only): 10,000 rows of draft text take a fraction of a second, where openpyxl's
cell objects take seconds. `read_sheet` reads the first sheet of a workbook back.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from followup.files import atomic_write

DATE_FORMAT: Final = "yyyy-mm-dd"
DATETIME_FORMAT: Final = "yyyy-mm-dd hh:mm"
MONEY_FORMAT: Final = "#,##0.00"
PERCENT_FORMAT: Final = "0.0%"
MAX_WIDTH: Final = 50
_CELL_LIMIT: Final = 32_767  # characters: Excel's most in one cell
_KEEP: Final = 'xml:space="preserve"'
_FORBIDDEN_IN_TITLES = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


@dataclass(frozen=True)
class Choice:
    """A drop-down list of values for one column (Excel's data validation, blank allowed),
    with the message Excel shows when the cell is selected and when a value is refused.
    Excel's limits: a title of 32 characters, a message of 255."""

    values: Sequence[str]
    title: str = ""
    prompt: str = ""
    error: str = ""


@dataclass(frozen=True)
class Sheet:
    """One table: its rows are mappings from column name to value (missing: empty)."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Mapping[str, Any]]
    formats: Mapping[str, str] = field(default_factory=dict)  # column -> number format
    labels: Mapping[str, str] = field(default_factory=dict)  # column -> header (default: name)
    wrap: frozenset[str] = frozenset()  # columns whose text wraps (every cell top-aligned)
    widths: Mapping[str, int] = field(default_factory=dict)  # column -> widest (MAX_WIDTH)
    hidden: frozenset[str] = frozenset()
    choices: Mapping[str, Choice] = field(default_factory=dict)
    row_height: float | None = None  # points, for every row below the header
    bulk: bool = False  # rows as sheet XML in one pass: text, numbers and booleans only


def write_workbook(path: Path, sheets: Sequence[Sheet], *, stamp: dt.date) -> None:
    """The sheets as one workbook at `path`, written atomically; same sheets, same bytes."""
    atomic_write(path, workbook_bytes(sheets, stamp=stamp))


def workbook_bytes(sheets: Sequence[Sheet], *, stamp: dt.date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.xml.functions import tostring

    moment = _moment(stamp)
    workbook = Workbook()
    first = workbook.active
    replace: dict[str, bytes | Callable[[bytes], bytes]] = {}
    for number, sheet in enumerate(sheets, start=1):
        target = first if first is not None else workbook.create_sheet()
        first = None
        target.title = sheet.title.translate(_FORBIDDEN_IN_TITLES)[:31]
        if sheet.bulk:
            replace[f"xl/worksheets/sheet{number}.xml"] = _fill_bulk(target, sheet)
        else:
            _fill(target, sheet)
    workbook.properties.creator = "followup"
    workbook.properties.created = moment
    buffer = io.BytesIO()
    workbook.save(buffer)  # sets `modified` to now: core.xml is rewritten below
    workbook.properties.modified = moment
    replace["docProps/core.xml"] = tostring(workbook.properties.to_tree())
    return _fixed_zip(buffer.getvalue(), replace, moment)


def _moment(stamp: dt.date) -> dt.datetime:
    """Midnight of `stamp` (or `stamp` itself), naive UTC as openpyxl takes it."""
    if isinstance(stamp, dt.datetime):
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(dt.UTC)
        return stamp.replace(tzinfo=None)
    return dt.datetime.combine(stamp, dt.time())


def _fill(target: Any, sheet: Sheet) -> None:
    """Bold frozen header, autofilter, typed and formatted cells, fitted widths."""
    from openpyxl.styles import Alignment

    columns = list(sheet.columns)
    _header(target, sheet)
    caps, widths = _caps(sheet)
    for row_number, row in enumerate(sheet.rows, start=2):
        for index, column in enumerate(columns):
            value = cell_value(row.get(column))
            cell = target.cell(row=row_number, column=index + 1)
            shown = _set(cell, value, sheet.formats.get(column))
            if column in sheet.wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[index] = max(widths[index], _fit(shown, caps[index]))
        if sheet.row_height:
            target.row_dimensions[row_number].height = sheet.row_height
    _layout(target, sheet, widths)


def _caps(sheet: Sheet) -> tuple[list[int], list[int]]:
    """Each column's widest width, and the width its header needs."""
    caps = [sheet.widths.get(column, MAX_WIDTH) for column in sheet.columns]
    labels = [sheet.labels.get(column, column) for column in sheet.columns]
    return caps, [_fit(label, cap) for label, cap in zip(labels, caps, strict=True)]


def _header(target: Any, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font

    target.append([sheet.labels.get(column, column) for column in sheet.columns])
    for cell in target[1]:
        cell.font = Font(bold=True)
        if sheet.wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _layout(target: Any, sheet: Sheet, widths: list[int]) -> None:
    """Frozen header, autofilter, widths, hidden columns, drop-down lists."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = list(sheet.columns)
    last = len(sheet.rows) + 1
    target.freeze_panes = "A2"
    target.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    for index, (column, width) in enumerate(zip(columns, widths, strict=True), start=1):
        dimension = target.column_dimensions[get_column_letter(index)]
        dimension.width = width
        dimension.hidden = column in sheet.hidden
    for column, choice in sheet.choices.items():
        letter = get_column_letter(columns.index(column) + 1)
        listed = DataValidation(
            type="list",
            formula1='"' + ",".join(choice.values) + '"',
            allow_blank=True,
            showInputMessage=bool(choice.prompt),
            promptTitle=choice.title[:32] or None,
            prompt=choice.prompt[:255] or None,
            showErrorMessage=True,
            errorTitle=choice.title[:32] or None,
            error=choice.error[:255] or None,
        )
        listed.add(f"{letter}2:{letter}{max(last, 2)}")
        target.add_data_validation(listed)


def _fill_bulk(target: Any, sheet: Sheet) -> Callable[[bytes], bytes]:
    """The header and layout by openpyxl, the rows as XML: what splices them into the
    sheet's XML as saved. Wrapped cells and the others each get one style."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    columns = list(sheet.columns)
    _header(target, sheet)
    wrapped = target.cell(row=2, column=1)
    wrapped.alignment = Alignment(wrap_text=True, vertical="top")
    plain = target.cell(row=2, column=2)
    plain.alignment = Alignment(vertical="top")
    styles = [wrapped.style_id if c in sheet.wrap else plain.style_id for c in columns]
    target.delete_rows(2)  # the styles stay in the workbook's stylesheet
    caps, widths = _caps(sheet)
    rows = _bulk_rows(sheet, styles, caps, widths)
    _layout(target, sheet, widths)
    last = f"{get_column_letter(len(columns))}{len(sheet.rows) + 1}"

    def splice(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:' + last.encode() + b'"', xml)
        if b"</sheetData>" in xml:
            return xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)
        return xml.replace(b"<sheetData/>", b"<sheetData>" + rows + b"</sheetData>", 1)

    return splice


def _bulk_rows(sheet: Sheet, styles: list[int], caps: list[int], widths: list[int]) -> bytes:
    """Rows 2... of a bulk sheet as sheet XML (inline strings); `widths` grow to fit.

    Column by column: a column of text is cleaned and escaped as one string (str methods
    in C), not cell by cell; 10,000 rows of 25 columns take ~0.2 s."""
    from openpyxl.utils import get_column_letter

    columns = []
    for index, column in enumerate(sheet.columns):
        raw = [row.get(column) for row in sheet.rows]
        letter = get_column_letter(index + 1)
        if all(value is None or type(value) is str for value in raw):
            cells, width = _text_cells(raw, letter, styles[index], caps[index])
        else:
            cells, width = _typed_cells(raw, letter, styles[index], caps[index])
        widths[index] = max(widths[index], width)
        columns.append(cells)
    height = f' ht="{sheet.row_height:g}" customHeight="1"' if sheet.row_height else ""
    rows = [
        f'<row r="{number}"{height}>{"".join(cells)}</row>'
        for number, cells in enumerate(zip(*columns, strict=True), start=2)
    ]
    return "".join(rows).encode("utf-8")


_ILLEGAL: Final = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f]")  # as openpyxl's, but NUL
_SEP: Final = "\x00"  # between the cells of a column while it is cleaned (never kept)


def _text_cells(raw: list[str | None], letter: str, style: int, cap: int) -> tuple[list[str], int]:
    """A column of text (or empty) cells as XML, and the width it needs."""
    filled = [number for number, value in enumerate(raw) if value]
    if not filled:
        return [""] * len(raw), 0
    texts = [raw[number] or "" for number in filled]
    if any(len(text) > _CELL_LIMIT or _SEP in text for text in texts):
        texts = [text[:_CELL_LIMIT].replace(_SEP, "") for text in texts]
    joined = _ILLEGAL.sub("", _SEP.join(texts)).replace("\r\n", "\n").replace("\r", "\n")
    if joined.isascii():  # one character, one unit: the longest line, measured in C
        width = min(max(map(len, joined.replace(_SEP, "\n").split("\n"))) + 2, cap)
    else:
        width = _widest(joined.split(_SEP), cap)
    escaped = joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    cells = [""] * len(raw)
    start = f' s="{style}" t="inlineStr"><is><t {_KEEP}>'
    for number, text in zip(filled, escaped.split(_SEP), strict=True):
        cells[number] = f'<c r="{letter}{number + 2}"{start}{text}</t></is></c>'
    return cells, width


def _typed_cells(raw: list[Any], letter: str, style: int, cap: int) -> tuple[list[str], int]:
    """A column of numbers, booleans and text as XML, cell by cell, and its width."""
    cells, shown = [], []
    for number, item in enumerate(raw, start=2):
        value = cell_value(item)
        where = f'<c r="{letter}{number}" s="{style}"'
        if value is None:
            cells.append("")
        elif isinstance(value, bool):
            cells.append(f'{where} t="b"><v>{int(value)}</v></c>')
            shown.append("TRUE" if value else "FALSE")
        elif isinstance(value, int | float):
            cells.append(f"{where}><v>{value!r}</v></c>")
            shown.append(str(value))
        else:
            text, _ = _text_cells([str(value)], letter, style, cap)
            cells.append(text[0].replace(f'r="{letter}2"', f'r="{letter}{number}"', 1))
            shown.append(str(value))
    return cells, _widest(shown, cap)


def _widest(shown: list[str], cap: int) -> int:
    """The width the widest of `shown` needs, at most `cap` (each distinct text once)."""
    best = 0
    for text in sorted(set(shown), key=len, reverse=True):
        if best >= cap or 2 * len(text) + 2 <= best:  # a character is at most 2 wide
            break
        best = max(best, _fit(text, cap))
    return best


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


def _fit(shown: str, cap: int) -> int:
    """The width a column needs for `shown` (its longest line, plus a margin), at most
    `cap`; a line as long as the cap is not measured character by character."""
    lines = shown.split("\n") if "\n" in shown else [shown]
    if max(map(len, lines)) + 2 >= cap:
        return cap
    return min(max(map(_text_width, lines)) + 2, cap)


def _text_width(text: str) -> int:
    """Width in Excel character units: wide (CJK) characters count twice."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def read_sheet(path: Path, display: str) -> list[tuple[int, list[Any]]]:
    """The first sheet of a workbook as (row number, cell values) rows, header first; a
    file that is not a workbook is an `InputError` naming it."""
    from openpyxl import load_workbook

    from followup.errors import InputError

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InputError("no such file", file=display) from None
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        problem = f"is not an Excel workbook (.xlsx) followup can read ({type(exc).__name__})"
        raise InputError(problem, file=display) from None
    try:
        sheet = workbook.worksheets[0]
        return [
            (number, list(values))
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


def _fixed_zip(
    data: bytes, replace: Mapping[str, bytes | Callable[[bytes], bytes]], stamp: dt.datetime
) -> bytes:
    """The same zip with every member dated `stamp` (zipfile dates members with the clock)
    and the members in `replace` swapped in (or changed by the function given)."""
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=date_time)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = info.external_attr
            new = replace.get(info.filename)
            content = source.read(info)
            if callable(new):  # a bulk sheet: megabytes of text, compressed fast
                target.writestr(member, new(content), compresslevel=1)
                continue
            target.writestr(member, content if new is None else new)
    return out.getvalue()
