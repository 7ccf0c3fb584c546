"""Read a CSV or XLSX file into a table of text cells with spreadsheet row numbers.

Encoding is detected, not guessed: a BOM wins, then strict UTF-8, then
charset-normalizer's verdict, which must decode the whole file. GB2312/GBK
verdicts are read as GB18030, their superset. The header is row 1; the first
data row is row 2, as a spreadsheet shows it.
"""

from __future__ import annotations

import codecs
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from followup.errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa

_DETECT_SAMPLE = 1 << 20
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "cp936"}
_CJK = {
    "gb18030",
    "big5",
    "big5hkscs",
    "cp949",
    "euc_kr",
    "johab",
    "shift_jis",
    "cp932",
    "euc_jp",
    "iso2022_jp",
    "iso2022_kr",
}
_DELIMITERS = (",", ";", "\t", "|")
_BLOCK_SIZE = 1 << 22  # pyarrow's CSV reader parses blocks of this size in parallel
_MAX_BLOCK_SIZE = (1 << 31) - 1  # its largest (an int32)


@dataclass(frozen=True)
class RawTable:
    """Text cells as read, header row as given, and the source row of each record."""

    path: str
    headers: list[str]
    table: pa.Table  # one string column per header, named "0", "1", ...
    rows: Any  # numpy int64 array: spreadsheet row number of each record
    from_xlsx: bool
    encoding: str | None = None


def read_raw(path: Path, display: str) -> RawTable:
    """Read `path` (CSV or XLSX by extension); `display` names it in messages."""
    if not path.exists():
        raise InputError("file not found", file=display)
    if path.is_dir():
        raise InputError("is a folder, not a data file", file=display)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_xlsx(path, display)
    if path.suffix.lower() == ".xls":
        raise InputError(
            "old .xls workbooks are not supported: save it as .xlsx or CSV", file=display
        )
    return _read_csv(path, display)


def decode(raw: bytes, display: str) -> tuple[str, str]:
    """Return (text, encoding name) or raise an InputError that says what to do."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            return _strict(raw, name, display), name
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    detected = _detect(raw)
    if detected is None:
        raise InputError(
            "cannot tell the text encoding (not UTF-8, GB18030/GBK or another known one): "
            "save it as CSV UTF-8",
            file=display,
        )
    return _strict(raw, detected, display), detected


def _detect(raw: bytes) -> str | None:
    """charset-normalizer's candidates, tie-broken by evidence in the header row.

    A Chinese export whose only Chinese text is its header is ambiguous between
    GBK and, say, Korean cp949; the candidate whose header names known columns
    (客户编号, 下单日期 ...) wins, then charset-normalizer's own order.
    """
    from charset_normalizer import from_bytes

    sample = raw[:_DETECT_SAMPLE]
    cut = sample.rfind(b"\n")
    if 0 < cut < len(sample) and len(raw) > len(sample):
        sample = sample[: cut + 1]
    names = [_canonical(match.encoding) for match in from_bytes(sample)]
    if any(name in _CJK for name in names) and "gb18030" not in names:
        names.append("gb18030")
    names = [n for n in dict.fromkeys(names) if _decodes(sample, n)]
    if not names:
        return None
    header = raw[: raw.find(b"\n")] if b"\n" in raw else raw
    return max(names, key=lambda n: (_known_headers(header, n), -names.index(n)))


def _canonical(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return "gb18030" if name in _GB_FAMILY else name


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _known_headers(header: bytes, encoding: str) -> int:
    """How many cells of `header`, decoded as `encoding`, name a known column."""
    from followup.data.columns import TABLES, candidates, normalise_header

    known = {c for fields in TABLES.values() for f in fields for c in candidates(f)}

    text = header.decode(encoding, errors="replace")
    cells = [normalise_header(cell) for d in _DELIMITERS for cell in text.split(d)]
    return sum(cell in known for cell in cells)


def _strict(raw: bytes, name: str, display: str) -> str:
    try:
        return raw.decode(name)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"is not valid {name} text (byte {exc.start}): save it as CSV UTF-8", file=display
        ) from None


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(path: Path, display: str) -> RawTable:
    import numpy as np
    import pyarrow as pa

    _import_pandas_meanwhile()

    data = path.read_bytes()
    encoding = "utf-8"
    end = data.find(b"\n")
    header = data[:end] if end >= 0 else data
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or not (
        _decodes(header, "utf-8")
    ):
        data, encoding = _transcode(data, display)
        end = data.find(b"\n")
        header = data[:end] if end >= 0 else data
    first_line = header.decode("utf-8")
    if not first_line.strip():
        raise InputError("is empty: expected a header row and data rows", file=display)
    delimiter = _sniff_delimiter(first_line)
    _check_quotes(data, display)
    try:  # pyarrow checks UTF-8 itself: no separate pass over a valid file
        table = _parse_csv(data, delimiter, use_threads=True)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        if encoding != "utf-8" or _decodes(data, "utf-8"):
            _raise_csv_problem(data, delimiter, display)
        data, encoding = _transcode(data, display)
        table = _parse_csv(data, delimiter, use_threads=True)
    headers = [str(h).strip() for h in table.column_names]
    table = table.rename_columns([str(i) for i in range(table.num_columns)])
    return RawTable(display, headers, table, np.arange(2, table.num_rows + 2), False, encoding)


def _import_pandas_meanwhile() -> None:
    """Start importing pandas on another thread while pyarrow parses the file.

    pyarrow's numpy conversions import pandas (~0.25 s) the first time they run;
    the CSV parser releases the GIL, so the import overlaps the parse instead of
    following it. The import lock makes any later `import pandas` wait for it.
    """
    import sys
    import threading
    from importlib import import_module

    if "pandas" not in sys.modules:
        threading.Thread(target=import_module, args=("pandas",), daemon=True).start()


def _check_quotes(data: bytes, display: str) -> None:
    """An unmatched quote would silently swallow the rest of the file: refuse it.

    (`in` is a memchr, ~10x faster than counting: most exports quote nothing.)"""
    if b'"' in data and data.count(b'"') % 2:
        line = data.count(b"\n", 0, data.rfind(b'"')) + 1
        raise InputError(
            f'line {line} opens a quote (") that is never closed: the rest of the file '
            "would be read as one cell",
            file=display,
        )


def _transcode(data: bytes, display: str) -> tuple[bytes, str]:
    """UTF-8 bytes (no BOM) of a file in another encoding, and the encoding found."""
    text, encoding = decode(data, display)
    return text.lstrip("\ufeff").encode("utf-8"), encoding


def _parse_csv(data: bytes, delimiter: str, *, use_threads: bool) -> pa.Table:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    parse = pacsv.ParseOptions(
        delimiter=delimiter, ignore_empty_lines=False, newlines_in_values=True
    )
    first = data[: data.find(b"\n") + 1] if b"\n" in data[: 1 << 16] else data
    header = _read_blocks(first, parse, use_threads=False).column_names
    convert = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in header},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    return _read_blocks(data, parse, use_threads=use_threads, convert=convert)


def _read_blocks(
    data: bytes,
    parse: Any,
    *,
    use_threads: bool,
    convert: Any = None,
) -> pa.Table:
    """pyarrow's CSV reader in blocks of 4 MB; a record longer than a block (a cell of
    50 MB is valid CSV) is read again in one block the size of the file.

    pyarrow parses blocks in parallel and cannot split a record across two of them
    ("straddling object straddles two block boundaries"); the retry costs one more
    parse, only for such files.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    def read(block_size: int) -> pa.Table:
        options = pacsv.ReadOptions(use_threads=use_threads, block_size=block_size)
        return pacsv.read_csv(
            pa.py_buffer(data), read_options=options, parse_options=parse, convert_options=convert
        )

    try:
        return read(_BLOCK_SIZE)
    except pa.ArrowInvalid as exc:
        if "straddl" not in str(exc) or len(data) < _BLOCK_SIZE:
            raise
    return read(min(len(data) + 1, _MAX_BLOCK_SIZE))


def _raise_csv_problem(data: bytes, delimiter: str, display: str) -> None:
    """Re-parse single-threaded to find the malformed record and report its line."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    found: list[Any] = []

    def handler(row: Any) -> str:
        found.append(row)
        return "skip"

    parse = pacsv.ParseOptions(
        delimiter=delimiter,
        ignore_empty_lines=False,
        newlines_in_values=True,
        invalid_row_handler=handler,
    )
    try:
        _read_blocks(data, parse, use_threads=False)
    except pa.ArrowInvalid as exc:
        raise InputError(f"is not a readable CSV file ({exc})", file=display) from None
    if found:
        bad = found[0]
        raise InputError(
            f"has {bad.actual_columns} fields where the header has "
            f"{bad.expected_columns} (a stray delimiter or quote?)",
            file=display,
            row=bad.number,
        )
    raise InputError("is not a readable CSV file", file=display)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(path: Path, display: str) -> RawTable:
    import numpy as np
    import pyarrow as pa
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError(f"is not a readable XLSX workbook ({exc})", file=display) from None
    try:
        sheet = book.worksheets[0]
        headers: list[str] | None = None
        rows: list[int] = []
        cells: list[list[str]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            texts = [_cell_text(v) for v in values]
            if headers is None:
                if any(texts):
                    headers = texts
                continue
            if any(texts):
                rows.append(number)
                cells.append((texts + [""] * len(headers))[: len(headers)])
    finally:
        book.close()
    if headers is None:
        raise InputError("is empty: expected a header row and data rows", file=display)
    width = len(headers)
    while width and not headers[width - 1]:
        width -= 1
    columns = {str(i): pa.array([row[i] for row in cells], pa.string()) for i in range(width)}
    return RawTable(
        display, headers[:width], pa.table(columns), np.array(rows, dtype=np.int64), True
    )
