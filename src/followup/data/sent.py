"""A list of follow-ups sent (`followup history --mark-sent FILE`): a CSV or XLSX with a
customer id per row and, when known, the day, campaign, channel or draft file, until the
mailbox sync reads what was sent. Every row is checked before anything is marked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING

from followup.campaigns import CAMPAIGNS, CHANNELS
from followup.errors import InputError

if TYPE_CHECKING:
    from followup.data.loading import Mapped


@dataclass(frozen=True)
class SentMark:
    """One row: which customer's draft was sent, and when (None: the as-of day)."""

    row: int
    customer_id: str
    sent_on: dt.date | None
    campaign: str | None
    channel: str | None
    file: str | None


def load_sent(path: Path, display: str, *, today: dt.date) -> list[SentMark]:
    """The rows of a sent list; a bad cell is an error naming the file, row and column."""
    from followup.data.loading import read_mapped
    from followup.data.parsing import parse_ids

    mapped = read_mapped(path, display, "sent", None)
    columns = {
        name: [str(v or "").strip() for v in mapped.text(name).to_pylist()]
        if mapped.has(name)
        else None
        for name in ("sent_on", "campaign", "channel", "file")
    }
    columns["customer_id"] = [v or "" for v in parse_ids(mapped.text("customer_id")).to_pylist()]
    marks = []
    for i, row in enumerate(int(r) for r in mapped.raw.rows.tolist()):
        cell = {name: (values[i] if values else "") for name, values in columns.items()}
        if any(cell.values()):  # a blank line is no row
            marks.append(_mark(cell, row, mapped, display, today))
    return marks


def _mark(cell: dict[str, str], row: int, mapped: Mapped, display: str, today: dt.date) -> SentMark:
    from followup.data.parsing import parse_date_text

    def bad(name: str, problem: str, value: str | None = None) -> InputError:
        return InputError(problem, file=display, row=row, column=mapped.header(name), value=value)

    if not cell["customer_id"]:
        raise bad("customer_id", "no customer id")
    day = parse_date_text(cell["sent_on"], excel_serials=True) if cell["sent_on"] else None
    if cell["sent_on"] and (day is None or day > today):
        raise bad("sent_on", "not a date" if day is None else f"after {today}", cell["sent_on"])
    for name, known in (("campaign", CAMPAIGNS), ("channel", CHANNELS)):
        if cell[name] and cell[name].casefold() not in known:
            raise bad(name, f"unknown {name} (use {', '.join(known)})", cell[name])
    return SentMark(
        row,
        cell["customer_id"],
        day,
        cell["campaign"].casefold() or None,
        cell["channel"].casefold() or None,
        PureWindowsPath(cell["file"]).name if cell["file"] else None,  # / or \\,
    )
