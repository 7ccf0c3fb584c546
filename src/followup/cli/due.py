"""`followup due`: buyers whose follow-up went unanswered long enough for the next touch."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from followup.campaigns import CAMPAIGNS
from followup.cli import options, tables
from followup.cli.base import Command

if TYPE_CHECKING:
    from followup.history.threads import Due


@click.command(
    "due",
    cls=Command,
    example="followup due --campaign urgency",
    short_help="Buyers due a second touch: sent N days ago, no answer.",
)
@click.option("--campaign", type=click.Choice(list(CAMPAIGNS)), help="Only this campaign.")
@click.option("--rep", help="Only this rep's buyers (their name, owner value or alias).")
@click.option(
    "--days",
    type=click.IntRange(0, 365),
    help="Due after this many days without an answer (default: [contact] touch_after_days).",
)
@options.as_of_option
@options.data_options
def command(
    campaign: str | None,
    rep: str | None,
    days: int | None,
    as_of: str | None,
    data: options.DataOptions,
) -> None:
    """List the buyers whose last follow-up was sent at least N days ago (default 7,
    `[contact] touch_after_days`, per campaign `touch_after`) with no answer, no bounce
    and no order since, and fewer touches than `[contact] max_touches`. Sent and answered
    come from `followup sync` (or `followup history --mark-sent`). `followup batch
    --campaign C --touch 2 --due` drafts their next touch.
    """
    from followup.errors import UsageError

    dataset = options.load(data)
    root = dataset.sources.workspace.root
    if root is None:
        raise UsageError("the contact history lives in a workspace: pass --workspace DIR")
    from followup.api import due

    found = due(dataset, options.parse_as_of(as_of), campaign=campaign, days=days)
    if rep:
        from followup.data.facts import rep_name

        signer = rep_name(root, rep).casefold()
        found = [d for d in found if d.rep.casefold() == signer]
    click.echo(_text(found), nl=False)


def _text(found: list[Due]) -> str:
    if not found:
        return "No buyer is due a next touch.\n"
    rows = [
        (d.customer_id, d.campaign, d.rep, d.channel, d.touch - 1, d.previous.sent_on, d.waited,
         d.touch, d.previous.subject)
        for d in sorted(found, key=lambda d: (-d.waited, d.customer_id))
    ]  # fmt: skip
    header = (
        f"{tables.count(len(found), 'buyer')} due a next touch (no answer since the last one):\n"
    )
    return header + tables.table(
        ["customer", "campaign", "rep", "channel", "touch", "sent", "days", "next", "subject"],
        rows,
        right=[False, False, False, False, True, False, True, True, False],
        flexible=8,
    )
