"""A workspace's data, loaded and checked: the starting point of every command."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from followup.data.loading import ColumnMap, load_column_map, load_customers, load_losses
from followup.data.orders import Orders, load_orders
from followup.data.rejects import Rejects
from followup.errors import ConfigError, UsageError
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
    rejects: Rejects = field(default_factory=Rejects)
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
    _check_reasons(sources, settings)
    column_map = _column_map(sources, settings)
    display = sources.workspace.display
    paths = {table: sources.path(table) for table in ("orders", "customers", "losses")}
    orders_path, customers_path, losses_path = paths.values()
    if orders_path is None and sources.workspace.root is not None:
        folder = display(sources.workspace.root / "data")
        raise UsageError(
            f"no orders file in {folder}/: put your orders export there as orders.xlsx or "
            "orders.csv, or pass --orders FILE"
        )
    if orders_path is None:
        raise UsageError(
            "no orders file: pass --orders FILE, run inside a workspace with data/orders.csv "
            "(create one with `followup init DIR`), or try --sample"
        )
    if losses_path is None and need_losses:
        raise UsageError(
            "no losses file: pass --losses FILE or add data/losses.csv to the workspace"
        )
    orders = load_orders(
        orders_path,
        display(orders_path),
        currency=settings.currency,
        column_map=column_map,
        date_format=settings.data.date_format,
        keep_bad_rows=keep_bad_rows,
    )
    rejects, notes = orders.rejects, list(orders.notes)
    customers = losses = None
    if customers_path is not None:
        loaded = load_customers(
            customers_path,
            display(customers_path),
            column_map=column_map,
            keep_bad_rows=keep_bad_rows,
        )
        customers, rejects, notes = loaded.frame, rejects + loaded.rejects, notes + loaded.notes
    if losses_path is not None:
        loaded = load_losses(
            losses_path,
            display(losses_path),
            column_map=column_map,
            keep_bad_rows=keep_bad_rows,
            reason_map=settings.reasons,
        )
        losses, rejects, notes = loaded.frame, rejects + loaded.rejects, notes + loaded.notes
    if customers is not None and customers.num_rows:  # an empty one has its own note
        names = {table: display(path) for table, path in paths.items() if path is not None}
        notes += _orphans(names, orders, customers, losses)
    return Dataset(sources, settings, orders, customers, losses, rejects, notes)


def _check_reasons(sources: Sources, settings: Settings) -> None:
    """Every `[reasons]` entry of followup.toml names a reason followup knows."""
    from followup.data.reasons import LOSS_REASONS
    from followup.settings import SETTINGS_FILE

    for phrase, reason in settings.reasons.items():
        if reason not in LOSS_REASONS:
            where = (sources.workspace.root or Path()) / SETTINGS_FILE
            raise ConfigError(
                f'{where}: reasons."{phrase}" = "{reason}" is not a loss reason '
                f"(use one of {', '.join(LOSS_REASONS)})"
            )


def _orphans(
    names: dict[str, str], orders: Orders, customers: pa.Table, losses: pd.DataFrame | None
) -> list[str]:
    """Notes on order lines and losses whose customer the customers file does not list."""
    import pyarrow as pa

    from followup.data.orphans import orphan_note

    listed = customers.column("customer_id").combine_chunks()
    ordering = orders.table.column("customer_id")
    notes = orphan_note(
        ordering,
        orders.table.column("row"),
        listed,
        file=names["orders"],
        customers=names["customers"],
        lines=("order line", "order lines"),
        consequence=", so those customers have no name",
    )
    if losses is not None:
        buyers = ordering.cast(pa.string()).unique()
        notes += orphan_note(
            pa.array(losses["customer_id"], pa.string()),
            pa.array(losses["row"], pa.int64()),
            pa.concat_arrays([listed, buyers]),
            file=names["losses"],
            customers=f"{names['customers']} or the orders",
            lines=("loss", "losses"),
            consequence=", so those losses have no segment or owner",
        )
    return notes
