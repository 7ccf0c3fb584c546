"""RFM: recency, frequency and monetary value per customer, and their 1–5 scores.

The rules, exactly (so results compare with other tools):

- Rows are order lines; lines sharing (customer_id, order_id) are one order. Its
  amount is the sum of its lines, its date the earliest line's calendar date.
- Only orders dated on or before `as_of` count; later ones are ignored and counted.
- An order with net amount < 0 is a credit: it nets into monetary, but is not a
  purchase (no frequency, no recency). An order of amount 0 is a purchase.
- recency_days = as_of − last purchase date; frequency = distinct purchases;
  monetary = net total of purchases and credits (rounded to cents).
- For N scored customers and k customers strictly worse on a measure,
  score = 1 + (5·k) // N. Ties share a score.
- A customer with no purchase is not scored: segment `prospect`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from followup.data.orders import Orders

RFM_COLUMNS = (
    "customer_id",
    "recency_days",
    "frequency",
    "monetary",
    "r_score",
    "f_score",
    "m_score",
    "first_order",
    "last_order",
    "credits",
)


@dataclass(frozen=True)
class RFM:
    """Per-customer RFM table (`RFM_COLUMNS`, sorted by customer_id) and run facts.

    An Arrow table: the path from CSV in to CSV out never needs pandas.
    """

    table: pa.Table
    as_of: dt.date
    orders_counted: int
    orders_after_as_of: int


def score(values: np.ndarray, *, higher_is_better: bool) -> np.ndarray:
    """`1 + (5*k)//N` where k counts the values strictly worse than each value."""
    import numpy as np

    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    ordered = np.sort(values)
    if higher_is_better:
        worse = np.searchsorted(ordered, values, side="left")
    else:
        worse = n - np.searchsorted(ordered, values, side="right")
    result: np.ndarray = 1 + (5 * worse) // n
    return result


@dataclass(frozen=True)
class OrderRows:
    """One row per counted order: customer code, net amount, day number."""

    customer: np.ndarray
    amount: np.ndarray
    day: np.ndarray


def _encode(values: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Dense int64 codes for `values` and the distinct values they index."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()  # unifies the chunks' dictionaries
    encoded = values if _is_dict(values) else pc.dictionary_encode(values)
    codes = encoded.indices.to_numpy().astype(np.int64)
    used = np.bincount(codes, minlength=len(encoded.dictionary)) > 0
    if used.all():
        return codes, encoded.dictionary
    renumber = np.cumsum(used) - 1  # rows were filtered out: drop values no row uses
    return renumber[codes], encoded.dictionary.filter(pa.array(used))


def _is_dict(values: pa.ChunkedArray | pa.Array) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_dictionary(values.type))


def _order_keys(customers: np.ndarray, order_ids: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """A dense code per (customer, order) for every row, and the customer of each code.

    Order ids are usually unique across customers; then the order id's own code is
    the key and no second hashing pass is needed.
    """
    import numpy as np
    import pandas as pd

    codes, distinct = _encode(order_ids)
    owner = np.empty(len(distinct), dtype=np.int64)
    owner[codes] = customers
    if np.array_equal(owner[codes], customers):  # every order id belongs to one customer
        return codes, owner
    keys, _ = pd.factorize(customers * len(distinct) + codes)
    owner = np.empty(keys.max() + 1 if len(keys) else 0, dtype=np.int64)
    owner[keys] = customers
    return keys.astype(np.int64), owner


def _orders(orders: Orders, as_of: dt.date) -> tuple[OrderRows, pa.Array, int]:
    """Counted orders, the customer id of each code, and the number of orders after `as_of`."""
    import numpy as np
    import pyarrow as pa

    from followup.data.parsing import numbers

    table = orders.table
    customers, names = _encode(table.column("customer_id"))
    keys, owner = _order_keys(customers, table.column("order_id"))
    n = len(owner)
    days = numbers(table.column("order_date").cast(pa.int32())).astype(np.int64)
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, keys, days)
    amount = np.bincount(keys, weights=numbers(table.column("amount")), minlength=n)
    keep = first <= _day_number(as_of)
    return OrderRows(owner[keep], amount[keep], first[keep]), names, int((~keep).sum())


def _day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _with_listed(names: pa.Array, customers: Iterable[str]) -> pa.Array:
    """`names` followed by the listed customers that have no orders at all."""
    import pyarrow as pa
    import pyarrow.compute as pc

    listed = pa.array(list(dict.fromkeys(customers)), pa.string())
    if not len(listed):
        return names
    missing = listed.filter(pc.invert(pc.is_in(listed, value_set=names)))
    return pa.concat_arrays([names.cast(pa.string()), missing])


def compute_rfm(orders: Orders, as_of: dt.date, customers: Iterable[str] = ()) -> RFM:
    """RFM for every customer in `orders` plus any listed in `customers` (as prospects)."""
    import numpy as np
    import pyarrow.compute as pc

    rows, names, late = _orders(orders, as_of)
    names = _with_listed(names, customers)
    n = len(names)
    purchase = rows.amount >= 0
    bought, days = rows.customer[purchase], rows.day[purchase]
    last = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(last, bought, days)
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, bought, days)
    columns = {
        "frequency": np.bincount(bought, minlength=n),
        "monetary": np.bincount(rows.customer, weights=rows.amount, minlength=n).round(2),
        "credits": np.bincount(rows.customer[~purchase], minlength=n),
        "recency_days": _day_number(as_of) - last,
        "first_day": first,
        "last_day": last,
    }
    order = pc.sort_indices(names).to_numpy()
    columns = {name: values[order] for name, values in columns.items()}
    return RFM(_table(names.take(order), columns), as_of, len(rows.day), late)


def _table(ids: pa.Array, columns: dict[str, np.ndarray]) -> pa.Table:
    """The RFM table: scores for customers with a purchase, nulls for prospects."""
    import numpy as np
    import pyarrow as pa

    scored = columns["frequency"] > 0
    unscored = ~scored
    data = {
        "customer_id": ids.cast(pa.string()),
        "recency_days": pa.array(columns["recency_days"], mask=unscored),
        "frequency": pa.array(columns["frequency"]),
        "monetary": pa.array(columns["monetary"]),
    }
    measures = (("r", "recency_days", False), ("f", "frequency", True), ("m", "monetary", True))
    for name, measure, higher in measures:
        values = np.zeros(len(ids), dtype=np.int64)
        values[scored] = score(columns[measure][scored].astype(float), higher_is_better=higher)
        data[f"{name}_score"] = pa.array(values, mask=unscored)
    for name, days in (("first_order", "first_day"), ("last_order", "last_day")):
        day_numbers = np.where(scored, columns[days], 0).astype(np.int32)
        data[name] = pa.array(day_numbers, mask=unscored).cast(pa.date32())
    data["credits"] = pa.array(columns["credits"])
    return pa.table({name: data[name] for name in RFM_COLUMNS})
