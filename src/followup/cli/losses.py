"""`followup losses`: why customers were lost, by reason, segment and owner."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from followup.cli import options, tables
from followup.cli.base import Command

if TYPE_CHECKING:
    import pandas as pd

    from followup.analysis.losses import LossReport
    from followup.xlsx import Sheet


@click.command(
    "losses",
    cls=Command,
    example="followup losses --sample --by segment",
    short_help="Share of lost customers by reason, segment and owner.",
)
@options.data_options
@options.as_of_option
@options.scheme_option
@click.option(
    "--by",
    "views",
    type=click.Choice(["reason", "segment", "owner"]),
    multiple=True,
    help="Which breakdowns to show (repeatable; default: all three).",
)
@options.format_options
def command(
    data: options.DataOptions,
    as_of: str | None,
    scheme: str,
    views: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
) -> None:
    """Share of losses by reason, by segment and by owner, with counts.

    Reasons followup does not know are shown as written and flagged, never
    dropped. Segments come from RFM as of --as-of.
    """
    from followup import api
    from followup.analysis.losses import loss_report

    kind = options.output_format(fmt, output)  # a bad --output stops before any work
    day = options.parse_as_of(as_of)
    dataset = options.load(data, need_losses=True, meanwhile=True)
    assert dataset.losses is not None  # need_losses guarantees it
    segmented = api.segment(dataset, day, scheme=scheme)
    report = loss_report(dataset.losses, segmented.table.to_pandas())
    chosen = views or ("reason", "segment", "owner")
    if kind == "xlsx":
        options.emit_workbook(_sheets(report, chosen, day, scheme), output, stamp=day)
    else:
        options.emit(_format(report, chosen, kind), output, kind)


def _frames(report: LossReport, views: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    frames = {"reason": report.by_reason, "segment": report.by_segment, "owner": report.by_owner}
    return {view: frames[view] for view in views}


def _sheets(report: LossReport, views: tuple[str, ...], day: dt.date, scheme: str) -> list[Sheet]:
    """A sheet per breakdown (its counts and shares), and what the report covers."""
    from followup.xlsx import PERCENT_FORMAT, Sheet, table_rows

    sheets = [
        Sheet(f"By {view}", list(frame.columns), table_rows(frame), {"share": PERCENT_FORMAT})
        for view, frame in _frames(report, views).items()
    ]
    unknown = "; ".join(f"{k} ({v})" for k, v in report.unknown_reasons.items())
    about: list[dict[str, Any]] = [
        {"setting": "as_of", "value": day},
        {"setting": "scheme", "value": scheme},
        {"setting": "losses", "value": report.total},
        {"setting": "unknown_reasons", "value": unknown},
    ]
    return [*sheets, Sheet("About", ("setting", "value"), about)]


def _format(report: LossReport, views: tuple[str, ...], kind: str) -> str:
    from followup.files import csv_text, json_text

    frames = _frames(report, views)
    if kind == "json":
        return json_text(
            {
                "total": report.total,
                "unknown_reasons": report.unknown_reasons,
                **{f"by_{v}": f.to_dict("records") for v, f in frames.items()},
            }
        )
    if kind == "csv":
        rows = []
        for view, frame in frames.items():
            key = "reason" if view == "reason" else view
            for r in frame.itertuples(index=False):
                rows.append(
                    (
                        view,
                        getattr(r, key) if view != "reason" else "all",
                        r.reason,
                        r.losses,
                        r.share,
                    )
                )
        return csv_text(("view", "group", "reason", "losses", "share"), rows)
    return _text(report, frames)


def _text(report: LossReport, frames: dict[str, pd.DataFrame]) -> str:
    parts = [f"{report.total} losses\n"]
    if "reason" in frames:
        rows = [
            [
                f"{r.reason}{'' if r.known else ' (unknown reason)'}",
                r.losses,
                tables.percent(r.share),
            ]
            for r in frames["reason"].itertuples(index=False)
        ]
        parts.append(tables.table(["reason", "losses", "share"], rows, right=[False, True, True]))
    for view in ("segment", "owner"):
        if view in frames:
            parts.append(_crosstab(frames[view], view))
    if report.unknown_reasons:
        listed = ", ".join(f'"{k}" ({v})' for k, v in report.unknown_reasons.items())
        parts.append(f"Reasons followup does not know, kept as written: {listed}\n")
    return "\n".join(parts)


def _crosstab(frame: pd.DataFrame, view: str) -> str:
    """One row per group: its losses, then each reason's share of them."""
    from followup.data.reasons import LOSS_REASONS

    reasons = [*LOSS_REASONS, *sorted(set(frame["reason"]) - set(LOSS_REASONS))]
    headers = [
        view,
        "losses",
        *(LOSS_REASONS[r].short if r in LOSS_REASONS else r for r in reasons),
    ]
    rows = []
    for group, part in frame.groupby(view, sort=False):
        shares = dict(zip(part["reason"], part["share"], strict=True))
        cells = [tables.percent(shares[r], digits=0) if r in shares else "" for r in reasons]
        rows.append([group, int(part["losses"].sum()), *cells])
    note = f"Share of each {view}'s losses by reason (counts: --format csv or json)\n"
    return note + tables.table(
        headers, rows, right=[False] + [True] * (len(headers) - 1), flexible=0
    )
