"""`followup demo`: the whole job on the bundled sample, offline, into ./followup-demo/."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from followup.campaigns import CAMPAIGNS
from followup.cli import options
from followup.cli.base import Command

if TYPE_CHECKING:
    from followup.drafting.preflight import Blocked


def _one_view(outbox: Path) -> str:
    """One draft in a language a Chinese-speaking rep may not read, with its 中文对照 (the
    first lines): what every draft's record carries (drafts.csv, column summary_zh)."""
    import datetime as dt

    from followup.outbox.folder import Outbox

    records = Outbox(outbox, date=dt.date.today(), read_only=True).records()
    shown = next((r for r in records if r.get("summary_zh") and r["language"] == "de"), None)
    if shown is None:
        return ""
    view = "\n".join(f"  {line}" for line in shown["summary_zh"].splitlines()[:6])
    return (
        f"\n中文对照 of {shown['file']} ({shown['language']}; every draft has one, in "
        f"drafts.csv, column summary_zh):\n{view}\n  …\n"
    )


def _held(held: list[Blocked]) -> str:
    """Why buyers were held back, most common first: `12 reactivation first, 3 contacted`."""
    why = Counter(h.problem.split(":", 1)[0].split(" (", 1)[0] for h in held)
    return ", ".join(f"{n} {reason}" for reason, n in why.most_common()) or "none"


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
    signers: Counter[tuple[bool, str]] = Counter()  # (signed by the owner's rep, who)
    for campaign in CAMPAIGNS:
        targets = api.preflight(bench, campaign, channel="auto")
        result = api.run(bench, targets, out / "outbox")
        for planned in targets.drafts:
            owner = planned.request.customer["owner"]
            signed = bench.has_rep(owner)
            signers[signed, planned.request.context["sender"]["name"] if signed else owner] += 1
        click.echo(
            f"{campaign:<13} {result.drafted + result.unchanged:>4} drafts"
            f" ({len(targets.blocked)} could not be drafted, {len(targets.held)} held back:"
            f" {_held(targets.held)}; {result.failed_total} failed)"
        )
    reps = ", ".join(f"{name} {n}" for (signed, name), n in sorted(signers.items()) if signed)
    click.echo(f"Signed by each buyer's rep: {reps}")
    unsigned = [(o or "(no owner)", n) for (signed, o), n in sorted(signers.items()) if not signed]
    if unsigned:
        owners = ", ".join(f"{owner} {n}" for owner, n in unsigned)
        sender = bench.facts.sender.name
        click.echo(f"  and by the company's sender {sender}: {owners} (no rep profile)")
    click.echo(_one_view(out / "outbox"), nl=False)
    click.echo(f"\nLook at: {out}/segments.csv, {out}/outbox/drafts.csv (one row per draft),")
    click.echo(f"and open any {out}/outbox/*.eml in Outlook or Thunderbird: it opens as a draft.")
    click.echo(
        f"A manager decides in {out}/outbox/review.xlsx (send 发送 / hold 暂缓 / edit 修改 per "
        f"draft), then: followup review apply {out}/outbox/review.xlsx"
    )
