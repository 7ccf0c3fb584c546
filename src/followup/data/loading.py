"""Load customers, orders and losses from CSV/XLSX into checked, canonical tables.

Every unusable cell is reported with file, row, column and value. Rows that cannot
be used are either fatal (the default: the first is reported, with the count) or,
when the caller keeps bad rows aside, returned as `Rejects` for a rejects file.
Wrong shape (missing column, empty file, unreadable encoding, duplicate customer)
is always fatal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from followup.data import columns as cols
from followup.data.parsing import clean_text, parse_dates, parse_ids, present
from followup.data.readers import RawTable, read_raw
from followup.data.rejects import Check, Rejects, set_aside
from followup.errors import ConfigError, InputError, RejectedRowsError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa


ColumnMap = dict[str, dict[str, str]]  # table -> field -> header in the file

CURRENCY_ALIASES = {
    "$": "USD",
    "US$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "CNY",
    "RMB": "CNY",
    "人民币": "CNY",
    "美元": "USD",
    "欧元": "EUR",
}


@dataclass
class Mapped:
    """A raw table with its columns resolved to canonical fields."""

    raw: RawTable
    index: dict[str, int]  # field -> column position
    _clean: dict[int, pa.Array] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.index

    def header(self, name: str) -> str:
        return self.raw.headers[self.index[name]]

    def text(self, name: str) -> pa.Array:
        """Cells of a field, trimmed."""
        return self.column(self.index[name])

    def cells(self, name: str) -> pa.ChunkedArray:
        """Cells of a field as read (parsers that trim on their own take these)."""
        return self.raw.table.column(self.index[name])

    def column(self, position: int) -> pa.Array:
        """Cells of a column with surrounding whitespace trimmed (computed once)."""
        if position not in self._clean:
            self._clean[position] = clean_text(self.raw.table.column(position))
        return self._clean[position]


@dataclass
class Problems:
    """Per-row problems found while parsing one table, in the order checks run: a row
    is set aside for the first check it fails. Kept as arrays (a check index per row),
    never row by row.

    Blank rows (every cell empty) hold nothing: they are dropped, not rejected.
    """

    mapped: Mapped
    checks: list[Check] = field(default_factory=list)
    codes: np.ndarray = field(init=False)  # per row: index in `checks`, or -1
    blank: np.ndarray = field(init=False)  # per row: every cell empty

    def __post_init__(self) -> None:
        import numpy as np

        rows = self.mapped.raw.table.num_rows
        self.codes = np.full(rows, -1, dtype=np.int32)
        self.blank = np.zeros(rows, dtype=bool)

    def flag(
        self,
        mask: np.ndarray,
        column: str | None,
        problem: str,
        values: pa.Array | pa.ChunkedArray | None,
    ) -> None:
        hits = mask & (self.codes < 0) & ~self.blank
        if not hits.any():
            return
        blank = self._blank_among(hits)
        self.blank |= blank
        header = self.mapped.header(column) if column else None
        self.checks.append(Check(header, problem, values))
        self.codes[hits & ~blank] = len(self.checks) - 1

    def _blank_among(self, rows: np.ndarray) -> np.ndarray:
        """Which of the `rows` (a mask) have every cell empty: column by column, on the
        rows still in doubt (one column with text settles most of them)."""
        import numpy as np
        import pyarrow as pa

        doubt = np.flatnonzero(rows)
        for column in self.mapped.raw.table.columns:
            if not len(doubt):
                break
            doubt = doubt[~present(clean_text(column.take(pa.array(doubt))))]
        blank = np.zeros(len(rows), dtype=bool)
        blank[doubt] = True
        return blank

    def rejects(self) -> Rejects:
        import numpy as np

        positions = np.flatnonzero(self.codes >= 0)
        return set_aside(self.mapped.raw, positions, self.codes[positions], self.checks)

    def keep_mask(self) -> np.ndarray:
        keep: np.ndarray = (self.codes < 0) & ~self.blank
        return keep


def read_mapped(path: Path, display: str, table: str, column_map: ColumnMap | None) -> Mapped:
    raw = read_raw(path, display)
    return Mapped(raw, _resolve_columns(raw, table, (column_map or {}).get(table, {})))


def _resolve_columns(raw: RawTable, table: str, explicit: dict[str, str]) -> dict[str, int]:
    normalised = [cols.normalise_header(h) for h in raw.headers]
    index: dict[str, int] = {}
    for name, header in explicit.items():
        wanted = cols.normalise_header(header)
        if wanted not in normalised:
            raise InputError(
                f'the column map names "{header}" for {table}.{name}, but there is no such '
                f"column (columns: {', '.join(raw.headers)})",
                file=raw.path,
            )
        index[name] = normalised.index(wanted)
    for spec in cols.fields(table):
        if spec.name in index:
            continue
        for candidate in cols.candidates(spec):
            hits = [
                i for i, n in enumerate(normalised) if n == candidate and i not in index.values()
            ]
            if hits:
                index[spec.name] = hits[0]
                break
    _check_required(raw, table, index)
    return index


def _check_required(raw: RawTable, table: str, index: dict[str, int]) -> None:
    for spec in cols.fields(table):
        if not spec.required or spec.name in index:
            continue
        if spec.name == "amount" and {"quantity", "unit_price"} <= index.keys():
            continue
        known = ", ".join(f'"{a}"' for a in (spec.name, *spec.aliases[:3]))
        raise InputError(
            f"has no {spec.name} column (looked for {known}, …; found {', '.join(raw.headers)}): "
            f"map yours with --columns map.yaml",
            file=raw.path,
        )


def load_column_map(path: Path) -> ColumnMap:
    """Read a `--columns` YAML file: `{table: {field: header in your file}}`."""
    import yaml

    from followup.files import load_yaml

    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the column map ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected tables (customers, orders, losses) at the top level")
    result: ColumnMap = {}
    for table, mapping in data.items():
        if table not in cols.TABLES:
            raise ConfigError(
                f"{path}: unknown table {table!r} (expected one of {', '.join(cols.TABLES)})"
            )
        if not isinstance(mapping, dict):
            raise ConfigError(f"{path}: {table}: expected `field: header` lines")
        known = {f.name for f in cols.fields(table)}
        for name, header in mapping.items():
            if name not in known:
                raise ConfigError(
                    f"{path}: {table}.{name}: unknown field (known: {', '.join(sorted(known))})"
                )
            if not isinstance(header, str | int):
                raise ConfigError(f"{path}: {table}.{name}: expected the header text")
        result[table] = {str(k): str(v) for k, v in mapping.items()}
    return result


@dataclass
class Loaded:
    """A canonical table plus the rows set aside and notes for the user."""

    frame: Any  # pyarrow Table (customers) or pandas DataFrame (losses)
    rejects: Rejects
    notes: list[str] = field(default_factory=list)


def empty_note(problems: Problems, what: str) -> list[str]:
    """A note when no row is left to use: the file has a header and no data rows (a CRM
    export whose filter matched nothing, or a sheet saved before it was filled in), or
    every row was set aside. Not an error: a customers list with no orders yet is a
    team's start (every customer a prospect)."""
    keep = problems.keep_mask()
    if keep.any():
        return []
    path, rows = problems.mapped.raw.path, len(keep)
    if problems.blank.all():
        return [f"{path}: has a header but no data rows: 0 {what} read"]
    return [f"{path}: every row was set aside ({rows}): 0 {what} read"]


def finish(problems: Problems, *, keep_bad_rows: bool) -> Rejects:
    rejects = problems.rejects()
    if rejects and not keep_bad_rows:
        raise RejectedRowsError(rejects)
    return rejects


def _text_or_blank(mapped: Mapped, name: str, n: int) -> pa.Array:
    import pyarrow as pa

    return mapped.text(name) if mapped.has(name) else pa.array([""] * n, pa.string())


def load_customers(
    path: Path, display: str, *, column_map: ColumnMap | None = None, keep_bad_rows: bool = False
) -> Loaded:
    """Customers (an Arrow table) keyed by a unique customer_id; every canonical column present."""
    import pyarrow as pa

    mapped = read_mapped(path, display, "customers", column_map)
    problems = Problems(mapped)
    ids = parse_ids(mapped.text("customer_id"))
    problems.flag(~present(ids), "customer_id", "is empty", None)
    rejects = finish(problems, keep_bad_rows=keep_bad_rows)
    n = mapped.raw.table.num_rows
    data = {"customer_id": ids}
    for spec in cols.fields("customers")[1:]:
        data[spec.name] = _text_or_blank(mapped, spec.name, n)
    data["language"], unknown = _language_tags(data["language"], mapped)
    data["row"] = pa.array(mapped.raw.rows, pa.int64())
    keep = problems.keep_mask()
    table = pa.table(data).filter(pa.array(keep))
    _check_unique(table, mapped)
    notes = empty_note(problems, "customers") + _unknown_languages(unknown, keep, mapped)
    return Loaded(table, rejects, notes)


def _language_tags(values: pa.Array, mapped: Mapped) -> tuple[pa.Array, dict[str, Any]]:
    """The language column as BCP-47 tags (`German`, `西班牙语`, `pt_BR` -> `de`, `es`,
    `pt-BR`; blank: `en`), each distinct value read once; and the positions of the values
    that name no language (drafted in `en`, and reported)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from followup.languages import language_tag

    encoded = pc.dictionary_encode(values)
    distinct = encoded.dictionary.to_pylist()
    tags = [language_tag(v) if v else "en" for v in distinct]
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    unknown = {
        value: np.flatnonzero(indices == i)
        for i, (value, tag) in enumerate(zip(distinct, tags, strict=True))
        if tag is None
    }
    mapped_tags = pa.array([tag or "en" for tag in tags], pa.string())
    return pc.take(mapped_tags, encoded.indices), unknown


def _unknown_languages(unknown: dict[str, Any], keep: Any, mapped: Mapped) -> list[str]:
    """One note per language value that names no language, with the rows it is on."""
    notes = []
    for value, positions in unknown.items():
        rows = [int(mapped.raw.rows[p]) for p in positions if keep[p]]
        if rows:
            shown = ", ".join(map(str, rows[:5])) + (" …" if len(rows) > 5 else "")
            notes.append(
                f'{mapped.raw.path}: column "{mapped.header("language")}": {value!r} is no '
                f"language CLDR knows (row{'s' if len(rows) > 1 else ''} {shown}): drafted "
                "in en; write a code such as de, pt-BR, zh-TW, or a name such as German"
            )
    return notes


def _check_unique(table: pa.Table, mapped: Mapped) -> None:
    first_row: dict[str, int] = {}
    for customer, row in zip(
        table.column("customer_id").to_pylist(), table.column("row").to_pylist(), strict=True
    ):
        if customer in first_row:
            raise InputError(
                f"appears twice (first at row {first_row[customer]}): customer ids must be unique",
                file=mapped.raw.path,
                row=row,
                column=mapped.header("customer_id"),
                value=customer,
            )
        first_row[customer] = row


def _free_text_note(display: str, frame: pd.DataFrame) -> list[str]:
    """How reasons typed as free text were read (`交期太长` -> delivery), by count."""
    from followup.data.reasons import is_spelling

    free = frame[frame["reason_known"] & ~frame["reason_raw"].map(is_spelling).astype(bool)]
    if free.empty:
        return []
    counts = free.groupby(["reason_raw", "reason"], sort=False).size()
    counts = counts.sort_values(ascending=False, kind="stable")
    pairs = [(str(key[0]), str(key[1]), int(n)) for key, n in zip(
        counts.index.tolist()[:8], counts.tolist()[:8], strict=True
    )]  # fmt: skip
    shown = ", ".join(f'"{raw}" → {reason} ({n})' for raw, reason, n in pairs)
    more = f" and {len(counts) - 8} more" if len(counts) > 8 else ""
    return [f"{display}: {len(free)} losses have a reason in free text, read as: {shown}{more}"]


def load_losses(
    path: Path,
    display: str,
    *,
    column_map: ColumnMap | None = None,
    keep_bad_rows: bool = False,
    reason_map: Mapping[str, str] | None = None,
) -> Loaded:
    """Loss records; unknown reasons are kept (flagged), never dropped. A reason typed
    as free text is read by `canonical_reason` (`reason_map`: followup.toml's `[reasons]`)."""
    import pandas as pd

    from followup.data.reasons import canonical_reason

    mapped = read_mapped(path, display, "losses", column_map)
    problems = Problems(mapped)
    n = mapped.raw.table.num_rows
    ids = parse_ids(mapped.text("customer_id"))
    problems.flag(~present(ids), "customer_id", "is empty", None)
    reasons = mapped.text("reason")
    problems.flag(~present(reasons), "reason", "is empty", None)
    if mapped.has("lost_date"):
        cells = mapped.cells("lost_date")
        dates, _, bad = parse_dates(cells, excel_serials=mapped.raw.from_xlsx)
        problems.flag(bad, "lost_date", "is not a date", cells)
    else:
        import pyarrow as pa

        dates = pa.nulls(n, pa.date32())
    rejects = finish(problems, keep_bad_rows=keep_bad_rows)
    frame = pd.DataFrame(
        {
            "customer_id": ids.to_numpy(zero_copy_only=False),
            "lost_date": pd.to_datetime(dates.to_pandas()),
            "reason_raw": reasons.to_numpy(zero_copy_only=False),
            "detail": _text_or_blank(mapped, "detail", n).to_numpy(zero_copy_only=False),
            "competitor": _text_or_blank(mapped, "competitor", n).to_numpy(zero_copy_only=False),
            "row": mapped.raw.rows,
        }
    )[problems.keep_mask()].reset_index(drop=True)
    canonical = frame["reason_raw"].map(lambda raw: canonical_reason(raw, reason_map))
    frame["reason_known"] = canonical.notna()
    frame["reason"] = canonical.fillna(frame["reason_raw"])
    notes = empty_note(problems, "losses") + _free_text_note(display, frame)
    unknown = frame.loc[~frame["reason_known"], "reason_raw"].value_counts()
    if len(unknown):
        listed = ", ".join(f'"{r}" ({c})' for r, c in unknown.items())
        notes.append(
            f"{display}: {int(unknown.sum())} losses have a reason followup does not know: {listed}"
        )
    return Loaded(frame, rejects, notes)
