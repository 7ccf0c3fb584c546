"""A workspace's data, loaded and checked: the starting point of every command."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from followup.data.loading import ColumnMap, Reject, load_column_map, load_customers, load_losses
from followup.data.orders import Orders, load_orders
from followup.errors import UsageError
from followup.settings import Settings, load_settings
from followup.workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


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
