"""`followup history`: a buyer's timeline, or the follow-ups each rep wrote."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from followup.cli import options, tables
from followup.cli.base import Command

if TYPE_CHECKING:
    from followup.data.dataset import Dataset
    from followup.history.store import Contact
    from followup.history.threads import Event, Outcome

#: the events of a draft the timeline shows, and how
_SHOWN = {"pushed": "pushed", "sent": "sent", "replied": "answered", "bounced": "bounced"}


@click.command(
    "history",
    cls=Command,
    example="followup history --rep 'Amy Zhao' --since 30d",
    short_help="A buyer's timeline, or follow-ups per rep.",
)
@click.argument("customer", required=False)
@click.option("--rep", help="Only this rep's follow-ups (their name, owner value or alias).")
@click.option("--since", default="30d", show_default=True, help="Follow-ups of the last N days.")
@click.option(
    "--mark-sent",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Mark the drafts a CSV/XLSX lists (customer_id; sent_on, campaign, channel, file "
    "when known) as sent: all rows or none.",
)
@options.as_of_option
@options.data_options
def command(
    customer: str | None,
    rep: str | None,
    since: str,
    mark_sent: Path | None,
    as_of: str | None,
    data: options.DataOptions,
) -> None:
    """With CUSTOMER: its orders, losses and the drafts written to it, by date. Without:
    the follow-ups drafted in the last --since days, by rep and campaign.

    The drafts come from the workspace's contact history (history.sqlite), which every
    `followup batch` into the workspace adds to.
    """
    from followup.data.facts import rep_name
    from followup.errors import UsageError
    from followup.history.store import contacts
    from followup.history.threads import outcomes, thread

    dataset = options.load(data)
    root = dataset.sources.workspace.root
    if root is None:
        raise UsageError("the contact history lives in a workspace: pass --workspace DIR")
    if mark_sent is not None:
        if customer is not None:
            raise UsageError("--mark-sent takes no CUSTOMER: the file names the customers")
        click.echo(_mark_sent(root, mark_sent, options.parse_as_of(as_of)))
        return
    if customer is not None:
        drafted = contacts(root, customer_id=customer)
        click.echo(_timeline(dataset, customer, drafted, thread(root, customer)), nl=False)
        return
    day = options.parse_as_of(as_of)
    start = day - dt.timedelta(days=max(options.parse_days(since, "--since") - 1, 0))
    signer = rep_name(root, rep) if rep else None
    found = [c for c in contacts(root, rep=signer, since=start) if c.drafted_on <= day]
    click.echo(_per_rep(found, start, day), nl=False)
    click.echo(_outcomes(outcomes(root, start, day, rep=signer), start, day), nl=False)


def _mark_sent(root: Path, path: Path, day: dt.date) -> str:
    from followup.data.sent import load_sent
    from followup.history.store import mark_sent

    marks = load_sent(path, str(path), today=day)
    done = mark_sent(root, marks, today=day, source=str(path))
    again = f" ({done.again} marked sent before, kept)" if done.again else ""
    return f"Marked {done.marked} draft{'s' if done.marked != 1 else ''} sent from {path}{again}"


def _timeline(dataset: Dataset, customer: str, drafted: list[Contact], steps: list[Event]) -> str:
    """Orders, losses, drafts and what became of them (pushed, sent, answered), oldest
    first."""
    import pyarrow.compute as pc

    orders = dataset.orders.table
    mine = orders.filter(pc.equal(orders.column("customer_id").cast("string"), customer))
    invoiced = "currency" in mine.column_names
    events: list[tuple[dt.date, str, str]] = []
    for row in mine.to_pylist():
        amount = row["invoiced"] if invoiced else row["amount"]
        currency = row["currency"] if invoiced else (dataset.orders.base_currency or "")
        what = f"{row['order_id']}: {tables.money(amount)} {currency}".rstrip()
        events.append((row["order_date"], "order", f"{what} {row['product'] or ''}".rstrip()))
    if dataset.losses is not None:
        for loss in dataset.losses[dataset.losses["customer_id"] == customer].to_dict("records"):
            day = loss["lost_date"].date() if loss["lost_date"] == loss["lost_date"] else None
            events.append((day or dt.date.min, "lost", f"{loss['reason']}: {loss['detail']}"))
    for c in drafted:
        status = f"{c.status} {c.status_on}" if c.status_on else c.status
        where = f"{c.campaign} {c.channel} ({c.language}), {c.rep}, {status}: {c.file}"
        events.append((c.drafted_on, "draft", where))
    for step in steps:
        if step.kind in _SHOWN:
            what = f"{step.file}: {step.detail}" if step.detail else step.file
            events.append((step.on_day, _SHOWN[step.kind], what))
    if not events:
        return f"{customer}: no orders, losses or drafts on record\n"
    rows = [(d if d != dt.date.min else "", kind, what) for d, kind, what in sorted(events)]
    return f"{customer}\n" + tables.table(["date", "what", ""], rows, flexible=2)


def _per_rep(found: list[Contact], start: dt.date, day: dt.date) -> str:
    """Follow-ups drafted per rep and campaign in the window."""
    window = f"{start} to {day}"
    if not found:
        return f"No follow-ups drafted from {window}.\n"
    per = Counter((c.rep, c.campaign) for c in found)
    buyers = {rep: len({c.customer_id for c in found if c.rep == rep}) for rep, _ in per}
    rows = [(rep, campaign, n, buyers[rep]) for (rep, campaign), n in sorted(per.items())]
    header = f"Follow-ups drafted from {window}: {len(found)}\n"
    return header + tables.table(
        ["rep", "campaign", "drafts", "buyers (rep)"], rows, right=[False, False, True, True]
    )


def _outcomes(found: list[Outcome], start: dt.date, day: dt.date) -> str:
    """Follow-ups sent in the window per rep and campaign: answers, reply rate, median
    time to the first answer (from `followup sync`, or `--mark-sent`)."""
    if not found:
        return ""  # nothing sent on record (followup sync, or --mark-sent, records it)
    rows = [
        (o.rep, o.campaign, o.sent, o.replied, f"{o.reply_rate:.0%}", o.bounced,
         _duration(o.response_hours))
        for o in found
    ]  # fmt: skip
    sent, replied = sum(o.sent for o in found), sum(o.replied for o in found)
    header = (
        f"\nFollow-ups sent from {start} to {day}: {sent}, answered {replied} "
        f"({replied / sent:.0%})\n"
    )
    return header + tables.table(
        ["rep", "campaign", "sent", "answered", "reply rate", "bounced", "median answer"],
        rows,
        right=[False, False, True, True, True, True, True],
    )


def _duration(hours: float | None) -> str:
    """`5 h`, `2.5 days`; empty when nobody answered."""
    if hours is None:
        return ""
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.1f} days"
