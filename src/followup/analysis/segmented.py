"""Segmented customers: RFM and a segment per customer, with their customer fields, and
the per-segment summary (`followup segment`, `--summary`; drafting's profiles)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from followup.analysis.rfm import RFM
    from followup.analysis.segments import Rules, Thresholds
    from followup.data.dataset import Dataset


@dataclass(frozen=True)
class Segmented:
    """RFM plus segment per customer, with customer fields when a customers file exists."""

    rfm: RFM
    table: pa.Table  # RFM columns + segment, segment_label, company, owner, ...
    scheme: str
    base_currency: str | None


def segment(dataset: Dataset, as_of: dt.date, rules: Rules, thresholds: Thresholds) -> Segmented:
    import pyarrow as pa

    from followup.analysis.rfm import compute_rfm
    from followup.analysis.segments import assign, label

    known = dataset.customers.column("customer_id").to_pylist() if dataset.customers else ()
    rfm = compute_rfm(dataset.orders, as_of, known)
    names = assign(rfm.table, rules, thresholds)
    labels = {s: rules.labels.get(s) or label(s, rules.scheme) for s in set(names)}
    table = rfm.table.append_column("segment", pa.array(names, pa.string()))
    table = table.append_column("segment_label", pa.array([labels[s] for s in names], pa.string()))
    if dataset.customers is not None:
        table = _with_customer_fields(table, dataset.customers)
    return Segmented(rfm, table, rules.scheme, dataset.orders.base_currency)


def _with_customer_fields(table: pa.Table, customers: pa.Table) -> pa.Table:
    """Add each customer's fields (company, owner, ...) in the table's row order."""
    import pyarrow.compute as pc

    position = pc.index_in(table.column("customer_id"), value_set=customers.column("customer_id"))
    for name in customers.column_names:
        if name not in {"customer_id", "row"}:
            table = table.append_column(name, pc.take(customers.column(name), position))
    return table


def summary(segmented: Segmented) -> pd.DataFrame:
    """Per segment: customers, share, revenue, share of revenue, median recency."""
    from followup.analysis.segments import PROSPECT

    table = segmented.table.select(["segment", "monetary", "recency_days"]).to_pandas()
    grouped = table.groupby("segment", sort=False)
    result = grouped.agg(
        customers=("monetary", "size"),
        revenue=("monetary", "sum"),
        median_recency_days=("recency_days", "median"),
    )
    result["revenue"] = result["revenue"].round(2)
    total_revenue = table["monetary"].sum()
    result["share"] = (result["customers"] / max(len(table), 1)).round(4)
    result["revenue_share"] = (result["revenue"] / total_revenue).round(4) if total_revenue else 0.0
    result["last"] = result.index == PROSPECT
    result = result.sort_values(["last", "revenue"], ascending=[True, False], kind="stable")
    result = result.rename_axis("segment").reset_index()
    columns = ["segment", "customers", "share", "revenue", "revenue_share", "median_recency_days"]
    ordered: pd.DataFrame = result[columns]
    return ordered
