"""Order figures per customer that RFM does not carry: this year's purchase orders and
their value, and the products each customer orders most (the draft context's `customer`)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from followup.data.dataset import Dataset


@dataclass(frozen=True)
class CustomerStats:
    """Order figures per customer that RFM does not carry."""

    orders_this_year: dict[str, int]
    volume_this_year: dict[str, float]  # in the base currency (for ranking, totals)
    products: dict[str, list[str]]
    #: customer -> (currency, this year's value in it) for what the buyer reads: the
    #: currency of most of its orders this year; the value None when it also paid in
    #: another (no one figure is true then). Empty when all orders are in one currency.
    invoiced_this_year: dict[str, tuple[str, float | None]] = field(default_factory=dict)


def customer_stats(dataset: Dataset, as_of: dt.date) -> CustomerStats:
    """This year's purchase orders and value, and the most ordered products, per customer."""
    import pyarrow as pa
    import pyarrow.compute as pc

    invoiced = "currency" in dataset.orders.table.column_names
    extra = ["invoiced", "currency"] if invoiced else []
    table = dataset.orders.table.select(
        ["customer_id", "order_id", "order_date", "amount", "product", *extra]
    )
    for name in ("customer_id", "order_id"):  # dictionary-encoded: plain text to group by
        table = table.set_column(
            table.schema.get_field_index(name), name, pc.cast(table.column(name), pa.string())
        )
    dates = table.column("order_date")  # a missing date is left out
    table = table.filter(pc.less_equal(dates, pa.scalar(as_of, pa.date32())))
    this_year = table.filter(pc.equal(pc.year(table.column("order_date")), as_of.year))
    frame = this_year.select(["customer_id", "order_id", "amount"]).to_pandas()
    per_order = frame.groupby(["customer_id", "order_id"], sort=False)["amount"].sum()
    purchases = per_order[per_order >= 0].groupby(level=0).size()
    volume = per_order.groupby(level=0).sum().round(2)
    return CustomerStats(
        {str(k): int(v) for k, v in zip(purchases.index.tolist(), purchases.tolist(), strict=True)},
        {str(k): float(v) for k, v in zip(volume.index.tolist(), volume.tolist(), strict=True)},
        _top_products(table.select(["customer_id", "product"])),
        _invoiced(this_year) if invoiced else {},
    )


def _invoiced(this_year: pa.Table) -> dict[str, tuple[str, float | None]]:
    """Each customer's currency this year (of most orders; ties: the larger value) and its
    value in it, None when the customer also paid in another currency."""
    frame = this_year.select(["customer_id", "order_id", "invoiced", "currency"]).to_pandas()
    frame["currency"] = frame["currency"].astype(str)
    per_order = frame.groupby(["customer_id", "currency", "order_id"], sort=False)["invoiced"]
    orders = per_order.sum().groupby(level=[0, 1]).agg(["size", "sum"]).reset_index()
    orders = orders.sort_values(["customer_id", "size", "sum"], ascending=[True, False, False])
    used = orders.groupby("customer_id", sort=False).size()
    main = orders.drop_duplicates("customer_id", keep="first")
    alone = (used.reindex(main["customer_id"]) == 1).tolist()
    values = main["sum"].round(2).tolist()
    return {
        str(customer): (str(currency), float(value) if one else None)
        for customer, currency, value, one in zip(
            main["customer_id"].tolist(), main["currency"].tolist(), values, alone, strict=True
        )
    }


def _top_products(lines: pa.Table, limit: int = 3) -> dict[str, list[str]]:
    """The `limit` products each customer has most order lines of (ties by name)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    product = lines.column("product")
    blank = [p for p in pc.unique(product).to_pylist() if p is not None and not p.strip()]
    keep = pc.and_(pc.is_valid(lines.column("customer_id")), pc.is_valid(product))
    if blank:
        keep = pc.and_(keep, pc.invert(pc.is_in(product, value_set=pa.array(blank, pa.string()))))
    counts = _pair_counts(lines.filter(keep), "customer_id", "product")
    counts = counts.sort_by(
        [("customer_id", "ascending"), ("count_all", "descending"), ("product", "ascending")]
    )
    starts = _run_starts(counts.column("customer_id"))
    positions = np.arange(len(starts))
    rank = positions - np.maximum.accumulate(np.where(starts, positions, 0))
    top = counts.filter(rank < limit)  # sorted by customer: one run of up to `limit` each
    customers, names = top.column("customer_id").to_pylist(), top.column("product").to_pylist()
    bounds = [*np.flatnonzero(_run_starts(top.column("customer_id"))).tolist(), len(names)]
    return {customers[a]: names[a:b] for a, b in itertools.pairwise(bounds)}


def _pair_counts(table: pa.Table, first: str, second: str) -> pa.Table:
    """Rows per distinct (first, second) pair, as columns first, second and count_all.

    By dictionary codes and numpy rather than `Table.group_by`, whose first use imports
    pyarrow's query engine and dataset modules (~45 ms of a batch's start-up).
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    a = pc.dictionary_encode(table.column(first).combine_chunks())
    b = pc.dictionary_encode(table.column(second).combine_chunks())
    width = max(len(b.dictionary), 1)
    codes = a.indices.to_numpy().astype(np.int64) * width + b.indices.to_numpy()
    pairs, counts = np.unique(codes, return_counts=True)
    return pa.table(
        {
            first: a.dictionary.take(pa.array(pairs // width)),
            second: b.dictionary.take(pa.array(pairs % width)),
            "count_all": pa.array(counts, pa.int64()),
        }
    )


def _run_starts(keys: pa.ChunkedArray) -> np.ndarray:
    """True where a run of equal keys starts."""
    import numpy as np
    import pyarrow.compute as pc

    values = keys.combine_chunks()
    starts = np.ones(len(values), dtype=bool)
    if len(values) > 1:
        starts[1:] = pc.not_equal(values[1:], values[:-1]).to_numpy(zero_copy_only=False)
    return starts
