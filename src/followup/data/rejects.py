"""Rows set aside (`--rejects FILE`), kept column-wise.

A real export can set aside a quarter of its lines (guest orders without a customer id:
135,000 of 540,000); making one Python object and one JSON string per row took seconds.
`Rejects` keeps, per table, where its rejected rows are and which check each failed, and
builds from that, with pyarrow compute, what is asked for: the rejects file's bytes
(`csv`), its columns as an Arrow table (`table`), or one `Reject` (the first one, for an
error message).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

from followup.errors import format_location

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from followup.data.readers import RawTable

COLUMNS = ("file", "row", "column", "value", "problem", "record")
#: characters json.dumps escapes in a string (ensure_ascii=False)
_JSON_ESCAPED = r'[\x00-\x1f"\\]'
#: `followup.files.spreadsheet_safe` in RE2: a cell starting so is defused unless it is a
#: number (Python's `\d` is any decimal digit, and its `$` matches before a final "\n")
_FORMULA_START = r"^[=+\-@\t\r]"
_NUMBER = r"^[+-]?\p{Nd}+(\.\p{Nd}+)?([eE][+-]?\p{Nd}+)?\n?$"
#: rows from which a table's lines are built in two halves, on two threads
_SPLIT_FROM = 50_000


@dataclass(frozen=True)
class Reject:
    """A row set aside, and why."""

    file: str
    row: int
    column: str | None
    value: str | None
    problem: str
    record: dict[str, str] = field(default_factory=dict)

    def message(self) -> str:
        return format_location(self.file, self.row, self.column, self.value, self.problem)


@dataclass(frozen=True)
class Check:
    """One check rows can fail: the header of its column (None: the row), the problem, and
    the cells whose value a reject shows (None: shows none, e.g. "is empty")."""

    header: str | None
    problem: str
    values: pa.Array | pa.ChunkedArray | None


@dataclass(frozen=True)
class Found:
    """The rows of one table set aside: their positions (ascending) in the table as read,
    and the check each failed (`checks[codes[i]]`)."""

    raw: RawTable
    positions: np.ndarray
    codes: np.ndarray
    checks: Sequence[Check]

    def __len__(self) -> int:
        return len(self.positions)

    def reject(self, i: int) -> Reject:
        position, check = int(self.positions[i]), self.checks[int(self.codes[i])]
        cells = self.raw.table.slice(position, 1).to_pylist()[0]
        value = _values(self.positions[i : i + 1], self.codes[i : i + 1], self.checks)[0]
        return Reject(
            self.raw.path,
            int(self.raw.rows[position]),
            check.header,
            value.as_py(),
            check.problem,
            {self.raw.headers[int(k)]: v for k, v in cells.items()},
        )

    def table(self) -> pa.Table:
        import pyarrow as pa
        import pyarrow.compute as pc

        index = pa.array(self.codes, pa.int32())
        columns = {
            "file": pc.take(pa.array([self.raw.path]), pa.array(self.codes * 0, pa.int32())),
            "row": pa.array(self.raw.rows[self.positions], pa.int64()),
            "column": pc.take(pa.array([c.header for c in self.checks], pa.string()), index),
            "value": _values(self.positions, self.codes, self.checks),
            "problem": pc.take(pa.array([c.problem for c in self.checks], pa.string()), index),
            "record": pc.binary_join_element_wise(*_record(self.raw, self.positions), ""),
        }
        return pa.table(columns)

    def csv(self) -> list[pa.Array]:
        """The lines of these rows in the rejects file; a big part in two halves built on
        two threads (pyarrow's kernels run on one core each, and release the GIL)."""
        from concurrent.futures import ThreadPoolExecutor

        if len(self) < _SPLIT_FROM:
            return [self._lines()]
        half = len(self) // 2
        parts = [self._slice(0, half), self._slice(half, len(self))]
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(Found._lines, parts))

    def _slice(self, start: int, stop: int) -> Found:
        return Found(self.raw, self.positions[start:stop], self.codes[start:stop], self.checks)

    def _lines(self) -> pa.Array:
        """One line per row, as `csv_row` writes it, built in one join of columns."""
        import pyarrow as pa
        import pyarrow.compute as pc

        index = pa.array(self.codes, pa.int32())
        column = pc.take(pa.array([_csv_cell(c.header) for c in self.checks]), index)
        problem = pc.take(pa.array([_csv_cell(c.problem) for c in self.checks]), index)
        shown = any(c.values is not None for c in self.checks)
        value = _csv_cells(_values(self.positions, self.codes, self.checks)) if shown else ""
        row = pa.array(self.raw.rows[self.positions], pa.int64()).cast(pa.string())
        pieces = [_csv_cell(self.raw.path) + ",", row, ",", column, ",", value, ",", problem]
        record = _record(self.raw, self.positions, quoted=True)
        lines = pc.binary_join_element_wise(*pieces, ',"', *record, '"\n', "")
        return _lone_cr_by_csv(lines, lambda i: _reject_row(self.reject(i)))


class Rejects(Sequence[Reject]):
    """Rows set aside, in the order they were found (file by file, row by row)."""

    def __init__(self, parts: Sequence[Found | pa.Table] = ()) -> None:
        self._parts = [part for part in parts if len(part)]

    def __len__(self) -> int:
        return sum(len(part) for part in self._parts)

    @overload
    def __getitem__(self, index: int) -> Reject: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Reject]: ...
    def __getitem__(self, index: int | slice) -> Reject | Sequence[Reject]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        index %= len(self)
        for part in self._parts:
            if index < len(part):
                return part.reject(index) if isinstance(part, Found) else _table_reject(part, index)
            index -= len(part)
        raise IndexError(index)

    def __iter__(self) -> Iterator[Reject]:
        return (self[i] for i in range(len(self)))

    def __add__(self, other: Sequence[Reject]) -> Rejects:
        theirs = other if isinstance(other, Rejects) else from_list(other)
        return Rejects([*self._parts, *theirs._parts])

    def __repr__(self) -> str:
        return f"Rejects({len(self)} rows)"

    @property
    def table(self) -> pa.Table:
        """The rejects file's columns (`COLUMNS`) as Arrow: row an int64, the rest text."""
        import pyarrow as pa

        tables = [part.table() if isinstance(part, Found) else part for part in self._parts]
        if not tables:
            types = {"row": pa.int64()}
            return pa.table({c: pa.array([], types.get(c, pa.string())) for c in COLUMNS})
        return pa.concat_tables(tables)

    def csv(self) -> bytes:
        """The rejects file, byte for byte as `followup.files.csv_text` writes its rows
        (spreadsheet-safe cells, quoted where the csv module quotes)."""
        return b"".join(self.csv_pieces())

    def csv_pieces(self) -> list[bytes | memoryview]:
        """`csv()` in pieces, to be written one after the other (a quarter of 1M lines
        set aside is 60 MB: joining it is a copy the file does not need)."""
        lines = [
            chunk
            for part in self._parts
            for chunk in (part.csv() if isinstance(part, Found) else [_table_csv(part)])
        ]
        return [",".join(COLUMNS).encode() + b"\n", *map(_bytes, lines)]


def from_list(rejects: Sequence[Reject]) -> Rejects:
    """`Reject`s made one by one (by a caller of the API), as `Rejects`."""
    import pyarrow as pa

    columns: dict[str, list[Any]] = {c: [getattr(r, c) for r in rejects] for c in COLUMNS[:5]}
    columns["record"] = [json.dumps(r.record, ensure_ascii=False) for r in rejects]
    types = {c: pa.int64() if c == "row" else pa.string() for c in COLUMNS}
    return Rejects([pa.table(columns, schema=pa.schema(types.items()))])


def set_aside(
    raw: RawTable, positions: np.ndarray, codes: np.ndarray, checks: Sequence[Check]
) -> Rejects:
    """The rows at `positions` (ascending) of `raw`, each failing `checks[codes[i]]`."""
    return Rejects([Found(raw, positions, codes, checks)])


def _table_reject(table: pa.Table, index: int) -> Reject:
    row = table.slice(index, 1).to_pylist()[0]
    record = json.loads(row.pop("record"))
    return Reject(**row, record=record)


def _reject_row(reject: Reject) -> list[Any]:
    """A reject's cells in the rejects file (before `spreadsheet_safe`)."""
    value = "" if reject.value is None else reject.value
    record = json.dumps(reject.record, ensure_ascii=False)
    return [reject.file, reject.row, reject.column or "", value, reject.problem, record]


def _values(positions: np.ndarray, codes: np.ndarray, checks: Sequence[Check]) -> pa.Array:
    """Each reject's value: its cell of the check's column, trimmed (null for checks that
    show none)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.nulls(len(positions), pa.string())
    for number, check in enumerate(checks):
        mine = np.flatnonzero(codes == number)
        if check.values is None or not len(mine):
            continue
        cells = check.values.take(pa.array(positions[mine]))
        if isinstance(cells, pa.ChunkedArray):
            cells = cells.combine_chunks()
        mask = np.zeros(len(positions), dtype=bool)
        mask[mine] = True
        values = pc.replace_with_mask(values, pa.array(mask), pc.utf8_trim_whitespace(cells))
    return values


def _record(raw: RawTable, positions: np.ndarray, *, quoted: bool = False) -> list[Any]:
    """Pieces that joined are each row as read, as `json.dumps({header: cell, ...},
    ensure_ascii=False)` writes it (a header twice keeps its first place and its last
    cell, as a dict does); `quoted`: with its quotes doubled, as inside a CSV cell."""
    import pyarrow as pa

    last: dict[str, int] = {}
    for number, header in enumerate(raw.headers[: raw.table.num_columns]):
        last[header] = number
    take = pa.array(positions)
    pieces: list[Any] = []
    for number, (header, position) in enumerate(last.items()):
        key = ("{" if number == 0 else '", ') + json.dumps(header, ensure_ascii=False) + ': "'
        pieces += [
            key.replace('"', '""') if quoted else key,
            _json_text(raw, position, take, quoted),
        ]
    if not pieces:  # a table of no columns
        return ["{}"]
    return [*pieces, '""}' if quoted else '"}']


def _json_text(raw: RawTable, position: int, take: pa.Array, quoted: bool) -> pa.Array:
    """A column's cells at `take`, escaped as in a JSON string (without the quotes)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = raw.table.column(position).take(take)
    if isinstance(cells, pa.ChunkedArray):
        cells = cells.combine_chunks()
    if not _has_json_escapes(cells):  # nothing to escape: no quote either
        return cells
    escaped = pc.match_substring_regex(cells, _JSON_ESCAPED)
    odd = [json.dumps(v, ensure_ascii=False)[1:-1] for v in cells.filter(escaped).to_pylist()]
    odd = [text.replace('"', '""') for text in odd] if quoted else odd
    result: pa.Array = pc.replace_with_mask(cells, escaped, pa.array(odd, pa.string()))
    return result


def _has_json_escapes(cells: pa.Array) -> bool:
    """Whether any byte of the cells' text is one json.dumps escapes (a control character,
    a quote or a backslash): one numpy pass over the text buffer, 5x faster than RE2 cell
    by cell. The buffer may hold bytes of no cell (an array sliced): then it says yes."""
    import numpy as np

    data = cells.buffers()[2]
    if data is None:
        return False
    text = np.frombuffer(data, dtype=np.uint8)
    return bool(((text < 0x20) | (text == ord('"')) | (text == ord("\\"))).any())


def _table_csv(table: pa.Table) -> pa.Array:
    """Lines of a table of rejects (`from_list`), cell by cell column-wise."""
    import pyarrow.compute as pc

    cells = [_csv_cells(column.combine_chunks()) for column in table.columns]
    lines = pc.binary_join_element_wise(
        *cells[:-1], pc.binary_join_element_wise(cells[-1], "\n", ""), ","
    )
    return _lone_cr_by_csv(lines, lambda i: _reject_row(_table_reject(table, i)))


def _csv_cell(text: str | None) -> str:
    """One cell as `csv_row` writes it."""
    from followup.files import csv_row

    return csv_row(["" if text is None else text, ""])[:-2]


def _csv_cells(column: pa.Array) -> pa.Array:
    """A column's cells as `csv_row` writes them: spreadsheet-safe, quoted when needed."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if column.type != pa.string():
        return column.cast(pa.string())
    text = column.fill_null("") if column.null_count else column
    starts = pc.match_substring_regex(text, _FORMULA_START)
    risky = pc.and_not(starts, pc.match_substring_regex(text, _NUMBER))
    text = _changed(text, risky, lambda cells: pc.binary_join_element_wise("'", cells, ""))
    return _changed(
        text,
        pc.match_substring_regex(text, '[",\n]'),
        lambda cells: pc.binary_join_element_wise(
            '"', pc.replace_substring(cells, '"', '""'), '"', ""
        ),
    )


def _changed(text: pa.Array, mask: pa.Array, change: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """`text` with `change` applied to the masked cells only."""
    import pyarrow.compute as pc

    if not pc.any(mask).as_py():
        return text
    result: pa.Array = pc.replace_with_mask(text, mask, change(text.filter(mask)))
    return result


def _lone_cr_by_csv(lines: pa.Array, row: Callable[[int], list[Any]]) -> pa.Array:
    """Lines holding a CR (csv's rules for one differ by Python version) from `csv_row`."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from followup.files import csv_row

    odd = pc.match_substring_regex(lines, "\r")  # (faster than match_substring)
    if not pc.any(odd).as_py():
        return lines
    texts = [csv_row(row(int(i))) for i in np.flatnonzero(odd.to_numpy(zero_copy_only=False))]
    result: pa.Array = pc.replace_with_mask(lines, odd, pa.array(texts, pa.string()))
    return result


def _bytes(lines: pa.Array) -> memoryview:
    """The text of a string array's cells, one after the other (they are in one buffer)."""
    import pyarrow as pa

    if not len(lines):
        return memoryview(b"")
    _, offsets, data = lines.buffers()
    bounds = pa.Array.from_buffers(pa.int32(), len(lines) + 1, [None, offsets], lines.offset)
    return memoryview(data)[bounds[0].as_py() : bounds[-1].as_py()]
