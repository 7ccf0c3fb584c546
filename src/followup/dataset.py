"""A workspace's data, loaded and checked: the starting point of every command."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from followup.errors import UsageError
from followup.loading import ColumnMap, Reject, load_column_map, load_customers, load_losses
from followup.orders import Orders, load_orders
from followup.settings import Settings, load_settings
from followup.workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from followup.rfm import RFM
    from followup.segments import Rules, Thresholds


@dataclass(frozen=True)
class Sources:
    """Where the tables come from: explicit paths win over the workspace's data/."""

    workspace: Workspace
    orders: Path | None = None
    customers: Path | None = None
    losses: Path | None = None
    columns: Path | None = None

    def path(self, table: str) -> Path | None:
        explicit: Path | None = getattr(self, table)
        return explicit if explicit is not None else self.workspace.data_file(table)


@dataclass
class Dataset:
    sources: Sources
    settings: Settings
    orders: Orders
    customers: pa.Table | None
    losses: pd.DataFrame | None
    rejects: list[Reject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _column_map(sources: Sources, settings: Settings) -> ColumnMap | None:
    if sources.columns is not None:
        return load_column_map(sources.columns)
    root = sources.workspace.root
    if settings.data.columns and root is not None:
        return load_column_map(root / settings.data.columns)
    return None


def load_dataset(
    sources: Sources, *, keep_bad_rows: bool = False, need_losses: bool = False
) -> Dataset:
    """Load settings and the tables; orders are required, the others optional."""
    settings = load_settings(sources.workspace.root)
    column_map = _column_map(sources, settings)
    display = sources.workspace.display
    orders_path = sources.path("orders")
    if orders_path is None:
        raise UsageError(
            "no orders file: pass --orders FILE, run inside a workspace with data/orders.csv "
            "(create one with `followup init DIR`), or try --sample"
        )
    orders = load_orders(
        orders_path,
        display(orders_path),
        currency=settings.currency,
        column_map=column_map,
        date_format=settings.data.date_format,
        keep_bad_rows=keep_bad_rows,
    )
    rejects, notes = list(orders.rejects), list(orders.notes)
    customers = losses = None
    if (path := sources.path("customers")) is not None:
        loaded = load_customers(
            path, display(path), column_map=column_map, keep_bad_rows=keep_bad_rows
        )
        customers, rejects, notes = loaded.frame, rejects + loaded.rejects, notes + loaded.notes
    if (path := sources.path("losses")) is not None:
        loaded = load_losses(
            path, display(path), column_map=column_map, keep_bad_rows=keep_bad_rows
        )
        losses, rejects, notes = loaded.frame, rejects + loaded.rejects, notes + loaded.notes
    elif need_losses:
        raise UsageError(
            "no losses file: pass --losses FILE or add data/losses.csv to the workspace"
        )
    return Dataset(sources, settings, orders, customers, losses, rejects, notes)


@dataclass(frozen=True)
class Segmented:
    """RFM plus segment per customer, with customer fields when a customers file exists."""

    rfm: RFM
    table: pa.Table  # RFM columns + segment, segment_label, company, owner, ...
    scheme: str
    base_currency: str | None


def segment(dataset: Dataset, as_of: dt.date, rules: Rules, thresholds: Thresholds) -> Segmented:
    import pyarrow as pa

    from followup.rfm import compute_rfm
    from followup.segments import assign, label

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
    from followup.segments import PROSPECT

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
