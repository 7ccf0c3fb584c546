"""`followup demo`: the whole job on the bundled sample, offline, into ./followup-demo/."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from followup.campaigns import CAMPAIGNS
from followup.cli import options
from followup.cli.base import Command

if TYPE_CHECKING:
    pass


@click.command(
    "demo",
    cls=Command,
    example="followup demo",
    short_help="Segment the sample and draft all three campaigns (offline).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("followup-demo"),
    show_default=True,
    help="Where to write the demo.",
)
@options.as_of_option
def command(out: Path, as_of: str | None) -> None:
    """Segment the bundled sample and batch-draft urgency, reactivation and thank-you
    messages with the template engine: no network, no API key."""
    from followup import api
    from followup.analysis.segmented import summary
    from followup.files import atomic_write, frame_csv

    bench = options.workbench(options.DataOptions(sample=True), as_of)
    segmented = api.segment(bench.dataset, bench.as_of)
    atomic_write(out / "segments.csv", frame_csv(segmented.table))
    click.echo(f"Segmented {segmented.table.num_rows} customers as of {bench.as_of}:")
    for row in summary(segmented).head(5).itertuples(index=False):
        click.echo(f"  {row.segment:<20} {row.customers:>4} customers")
    for campaign in CAMPAIGNS:
        targets = api.preflight(bench, campaign, channel="auto")
        result = api.run(bench, targets, out / "outbox")
        click.echo(
            f"{campaign:<13} {result.drafted + result.unchanged:>4} drafts"
            f" ({len(targets.blocked)} could not be drafted, {result.failed_total} failed)"
        )
    click.echo(f"\nLook at: {out}/segments.csv, {out}/outbox/drafts.csv (one row per draft),")
    click.echo(f"and open any {out}/outbox/*.eml in Outlook or Thunderbird: it opens as a draft.")
