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
    import pandas as pd

    from followup.orders import Orders

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
    """Per-customer RFM table (`RFM_COLUMNS`, sorted by customer_id) and run facts."""

    table: pd.DataFrame
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


def _orders(orders: Orders, as_of: dt.date) -> tuple[pd.DataFrame, np.ndarray, int]:
    """One row per (customer, order) with integer customer codes; the code -> id
    array; and the number of orders dated after `as_of`."""
    import numpy as np
    import pandas as pd
    import pyarrow.compute as pc

    table = orders.table
    customers = pc.dictionary_encode(table.column("customer_id")).combine_chunks()
    order_ids = pc.dictionary_encode(table.column("order_id")).combine_chunks()
    width = max(len(order_ids.dictionary), 1)
    key = customers.indices.to_numpy().astype(np.int64) * width + order_ids.indices.to_numpy()
    codes, uniques = pd.factorize(key)
    days = table.column("order_date").combine_chunks().to_numpy(zero_copy_only=False)
    days = days.astype("datetime64[D]").astype(np.int64)
    first = np.full(len(uniques), np.iinfo(np.int64).max)
    np.minimum.at(first, codes, days)
    amount = np.bincount(codes, weights=table.column("amount").to_numpy(), minlength=len(uniques))
    per_order = pd.DataFrame({"customer": uniques // width, "amount": amount, "day": first})
    late = per_order["day"].to_numpy() > _day_number(as_of)
    names = np.asarray(customers.dictionary.to_numpy(zero_copy_only=False), dtype=object)
    return per_order[~late], names, int(late.sum())


def _day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def compute_rfm(orders: Orders, as_of: dt.date, customers: Iterable[str] = ()) -> RFM:
    """RFM for every customer in `orders` plus any listed in `customers` (as prospects)."""
    import numpy as np
    import pandas as pd

    per_order, names, late = _orders(orders, as_of)
    purchase = per_order["amount"] >= 0
    monetary = per_order.groupby("customer", sort=False)["amount"].sum()
    credits = (~purchase).groupby(per_order["customer"], sort=False).sum()
    bought = per_order[purchase].groupby("customer", sort=False)["day"]
    table = pd.DataFrame({"monetary": monetary.round(2), "credits": credits})
    table["frequency"] = bought.size()
    table["last_day"] = bought.max()
    table["first_day"] = bought.min()
    table.index = pd.Index(names[table.index.to_numpy()], dtype=object)
    everyone = pd.Index([*names, *customers], dtype=object)  # incl. those with only later orders
    listed = everyone.difference(table.index)
    if len(listed):
        table = pd.concat([table, pd.DataFrame(index=listed)])
    table["frequency"] = table["frequency"].fillna(0).astype(np.int64)
    table["monetary"] = table["monetary"].fillna(0.0)
    table["credits"] = table["credits"].fillna(0).astype(np.int64)
    table["recency_days"] = (_day_number(as_of) - table["last_day"]).astype("Int64")
    _add_scores(table)
    table["first_order"] = _to_dates(table["first_day"])
    table["last_order"] = _to_dates(table["last_day"])
    table = table.rename_axis("customer_id").reset_index()
    table = table.sort_values("customer_id", kind="stable").reset_index(drop=True)
    return RFM(table[list(RFM_COLUMNS)], as_of, len(per_order), late)


def _add_scores(table: pd.DataFrame) -> None:
    scored = table["frequency"] > 0
    for column, measure, higher in (
        ("r_score", "recency_days", False),
        ("f_score", "frequency", True),
        ("m_score", "monetary", True),
    ):
        values = table.loc[scored, measure].to_numpy(dtype="float64")
        table[column] = None
        table.loc[scored, column] = score(values, higher_is_better=higher)
        table[column] = table[column].astype("Int64")


def _to_dates(days: pd.Series) -> pd.Series:
    """Day numbers (NaN for none) as datetime64 (NaT for none)."""
    import pandas as pd

    return pd.to_datetime(days, unit="D")
