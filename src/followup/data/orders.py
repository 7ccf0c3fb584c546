"""Load order lines and convert them to the base currency."""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from followup.data.loading import (
    CURRENCY_ALIASES,
    ColumnMap,
    Mapped,
    Problems,
    empty_note,
    finish,
    read_mapped,
)
from followup.data.parsing import flags, parse_amounts, parse_dates, parse_ids, present
from followup.data.rejects import Rejects
from followup.errors import ConfigError, InputError

if TYPE_CHECKING:
    import pyarrow as pa

    from followup.settings import CurrencySettings


@dataclass(frozen=True)
class Orders:
    """Order lines in canonical form.

    `table` columns: customer_id and order_id (dictionary-encoded text), order_date
    (date32), amount (float64, base currency), product, row (source row number); when
    the lines are in several currencies also invoiced (float64, the amount as invoiced)
    and currency (its ISO code, dictionary-encoded).
    """

    table: pa.Table
    base_currency: str | None
    rejects: Rejects
    notes: list[str]
    has_order_ids: bool


def load_orders(
    path: Path,
    display: str,
    *,
    currency: CurrencySettings,
    column_map: ColumnMap | None = None,
    date_format: str | None = None,
    keep_bad_rows: bool = False,
) -> Orders:
    import pyarrow as pa
    import pyarrow.compute as pc

    mapped = read_mapped(path, display, "orders", column_map)
    problems = Problems(mapped)
    ids = parse_ids(mapped.text("customer_id"))
    if mapped.has("order_id"):
        order_ids = mapped.text("order_id")
    else:  # each row is one order
        order_ids = pa.array(mapped.raw.rows.astype(str), pa.string())
    # Hashing the ids (for grouping) is the costliest step on big files; pyarrow releases
    # the GIL, so it runs on the second core while the dates and amounts are parsed.
    with ThreadPoolExecutor(max_workers=2) as pool:
        encoded = [pool.submit(pc.dictionary_encode, column) for column in (ids, order_ids)]
        problems.flag(~present(ids), "customer_id", "is empty", None)
        cells = mapped.cells("order_date")
        dates, blank, bad = parse_dates(
            cells, excel_serials=mapped.raw.from_xlsx, day_first_format=date_format
        )
        problems.flag(blank, "order_date", "is empty", None)
        problems.flag(bad, "order_date", "is not a date", cells)
        amounts = _amounts(mapped, problems)
        codes = _currency_codes(mapped, problems)
        rejects = finish(problems, keep_bad_rows=keep_bad_rows)
        keep = pa.array(problems.keep_mask())
        converted, base, notes = _to_base(mapped, codes, amounts, keep, currency)
        ids, order_ids = (future.result() for future in encoded)
    n = mapped.raw.table.num_rows
    products = mapped.raw.table.column(mapped.index["product"]) if mapped.has("product") else None
    columns = {
        "customer_id": ids,
        "order_id": order_ids,
        "order_date": dates,
        "amount": converted,
        "product": products if products is not None else pa.nulls(n, pa.string()),
        "row": pa.array(mapped.raw.rows, pa.int64()),
    }
    if converted is not amounts and codes is not None and base is not None:
        columns |= _as_invoiced(amounts, codes, base)
    table = pa.table(columns)
    if not pc.all(keep).as_py():
        table = table.filter(keep)
    notes = empty_note(problems, "order lines") + notes
    return Orders(table, base, rejects, notes, mapped.has("order_id"))


def _amounts(mapped: Mapped, problems: Problems) -> pa.Array:
    import pyarrow.compute as pc

    if mapped.has("amount"):
        return _numbers(mapped, problems, "amount", "is not an amount")
    quantity, price = (
        _numbers(mapped, problems, f, "is not a number") for f in ("quantity", "unit_price")
    )
    return pc.multiply(quantity, price)


def _numbers(mapped: Mapped, problems: Problems, name: str, problem: str) -> pa.Array:
    cells = mapped.cells(name)
    values, blank, bad = parse_amounts(cells)
    problems.flag(blank, name, "is empty", None)
    problems.flag(bad, name, problem, cells)
    return values


def _currency_codes(mapped: Mapped, problems: Problems) -> pa.Array | None:
    """Currency codes, upper-cased, with symbols and Chinese names mapped to ISO codes;
    a cell that is no ISO 4217 code (`XYZ`, `UDS`) is flagged. Blank: the base currency."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not mapped.has("currency"):
        return None
    cells = mapped.cells("currency")
    encoded = pc.dictionary_encode(cells.combine_chunks())
    canonical = []
    for spelling in encoded.dictionary.to_pylist():
        text = spelling.strip()
        canonical.append(
            CURRENCY_ALIASES.get(text, CURRENCY_ALIASES.get(text.upper(), text.upper()))
        )
    unknown = [code for code in canonical if code and not is_currency(code)]
    codes = pc.take(pa.array(canonical, pa.string()), encoded.indices)
    if unknown:
        bad = flags(pc.is_in(codes, value_set=pa.array(unknown, pa.string())))
        problems.flag(bad, "currency", "is not a currency code (ISO 4217: USD, EUR, CNY …)", cells)
    return codes


def _as_invoiced(amounts: pa.Array, codes: pa.Array, base: str) -> dict[str, pa.Array]:
    """What each line was invoiced in, for what a buyer reads (its own money): the
    amount before conversion and its currency (a blank cell is the base currency)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    blank = pc.or_kleene(pc.is_null(codes), pc.equal(codes, ""))
    currency = pc.if_else(blank, pa.scalar(base, pa.string()), codes)
    return {"invoiced": amounts, "currency": pc.dictionary_encode(currency)}


def is_currency(code: str) -> bool:
    """An ISO 4217 code, as Babel (CLDR) lists them: current and historical ones."""
    return code in _iso_4217()


@functools.cache
def _iso_4217() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def _to_base(
    mapped: Mapped,
    codes: pa.Array | None,
    amounts: pa.Array,
    keep: pa.Array,
    settings: CurrencySettings,
) -> tuple[pa.Array, str | None, list[str]]:
    """Amounts in the base currency, the base, and a note on what was converted."""
    import pyarrow as pa
    import pyarrow.compute as pc

    _check_settings(settings)
    if codes is None:
        return amounts, settings.base, []
    used = sorted(c for c in pc.unique(codes.filter(keep)).to_pylist() if c)
    base = _base_currency(mapped, used, settings)
    rates = {base: 1.0, **settings.rates} if base else dict(settings.rates)
    for code in used:
        if code not in rates:
            _raise_no_rate(mapped, codes, code)
    if set(used) <= {base}:
        return amounts, base, []
    factor = pc.coalesce(
        pc.take(
            pa.array([rates.get(c, 1.0) if c else 1.0 for c in [*used, ""]]),
            pc.index_in(codes, value_set=pa.array([*used, ""])),
        ),
        pa.scalar(1.0),
    )
    converted = [f"{c} at {rates[c]:g}" for c in used if c != base]
    note = f"{mapped.raw.path}: amounts converted to {base} ({', '.join(converted)})"
    return pc.multiply(amounts, factor), base, [note]


def _check_settings(settings: CurrencySettings) -> None:
    """followup.toml's base and rates name ISO 4217 codes (a typo there would convert
    nothing, or label every figure with a currency that does not exist)."""
    if settings.base and not is_currency(settings.base):
        raise ConfigError(
            f'followup.toml: [currency] base "{settings.base}" is not a currency code '
            '(ISO 4217, e.g. base = "USD")'
        )
    for code in settings.rates:
        if not is_currency(code):
            raise ConfigError(
                f"followup.toml: [currency.rates] {code} is not a currency code "
                "(ISO 4217, e.g. EUR = 1.08)"
            )


def _base_currency(mapped: Mapped, used: list[str], settings: CurrencySettings) -> str | None:
    if settings.base:
        return settings.base
    if settings.rates:
        raise ConfigError(
            'followup.toml: [currency] has rates but no base: add base = "USD" (or yours)'
        )
    if len(used) > 1:
        raise InputError(
            f"orders are in {len(used)} currencies ({', '.join(used)}) and followup.toml has no "
            '[currency] base and rates: add them, e.g. base = "USD" and rates EUR = 1.08',
            file=mapped.raw.path,
        )
    return used[0] if used else None


def _raise_no_rate(mapped: Mapped, codes: pa.Array, code: str) -> None:
    import numpy as np
    import pyarrow.compute as pc

    position = int(np.flatnonzero(flags(pc.equal(codes, code)))[0])
    raise InputError(
        "is a currency with no rate in followup.toml [currency.rates]: add one, e.g. "
        f"{code} = 1.0 (units of the base currency per {code})",
        file=mapped.raw.path,
        row=int(mapped.raw.rows[position]),
        column=mapped.header("currency"),
        value=mapped.text("currency")[position].as_py(),
    )
