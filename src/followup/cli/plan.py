"""`followup plan --year Y`: the reorder plan, its calendar, and the year's goal arithmetic."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from followup.cli import options, tables
from followup.cli.base import Command

if TYPE_CHECKING:
    from followup.data.facts import CompanyFacts
    from followup.reorder.plan import Goal, ReorderPlan


growth_option = click.option(
    "--growth",
    type=options.FINITE,
    default=0.0,
    show_default=True,
    help="Expected growth per order, e.g. 0.08 (a customer's growth column wins).",
)
buffer_option = click.option(
    "--buffer-days",
    type=click.IntRange(min=0),
    default=14,
    show_default=True,
    help="Contact this many days before the lead time starts.",
)


@click.command(
    "plan",
    cls=Command,
    example="followup plan --sample --year 2027 --ics plan.ics",
    short_help="Reorder plan: expected orders next year and when to contact each buyer.",
)
@click.option("--year", type=int, help="The plan year (default: next year).")
@growth_option
@buffer_option
@options.format_options
@click.option(
    "--ics",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write an iCalendar file: one event per contact-by date.",
)
@click.option(
    "--ics-per-rep",
    type=click.Path(path_type=Path, file_okay=False),
    help="Also write one iCalendar file per rep into this folder (DIR/<rep>.ics).",
)
@click.option("--owner", help="Only this rep's customers (the owner value, or a rep's alias).")
@click.option("--target-new", type=options.FINITE, help="New-customer revenue target for the year.")
@click.option(
    "--target",
    "target_total",
    type=options.FINITE,
    help="Yearly revenue target: the plan's repeat revenue is taken off it.",
)
@click.option(
    "--avg-order", type=options.FINITE, default=10000, show_default=True, help="Average new order."
)
@click.option(
    "--conversion", type=options.FINITE, default=0.10, show_default=True, help="Lead-to-order rate."
)
@click.option("--workdays", type=int, default=250, show_default=True, help="Working days a year.")
@options.as_of_option
@options.data_options
def command(
    year: int | None,
    growth: float,
    buffer_days: int,
    fmt: str | None,
    output: Path | None,
    ics: Path | None,
    ics_per_rep: Path | None,
    owner: str | None,
    target_new: float | None,
    target_total: float | None,
    avg_order: float,
    conversion: float,
    workdays: int,
    as_of: str | None,
    data: options.DataOptions,
) -> None:
    """Expected orders next year per repeat customer, with a contact-by date.

    From each customer's own history: its usual months (seasonal buyers) or median
    interval, its recent order size × growth, its usual products; contact by =
    expected order − lead time − buffer, moved before a holiday closure. Customers
    with too little history are listed with the reason.
    """
    from followup.data.facts import FACTS_FILE, load_facts
    from followup.reorder.plan import goal, workspace_plan

    kind = options.output_format(fmt, output)  # a bad --output stops before any work
    day = options.parse_as_of(as_of)
    dataset = options.load(data, meanwhile=True)
    facts = load_facts((dataset.sources.workspace.root or Path.cwd()) / FACTS_FILE)
    the_plan = workspace_plan(
        dataset, facts, year=year or day.year + 1, as_of=day, growth=growth, buffer_days=buffer_days
    )
    if owner is not None:
        from followup.reorder.plan import for_owner

        the_plan = for_owner(the_plan, facts, owner)
    _emit(the_plan, kind, output)
    if ics is not None:
        from followup.reorder.export import write_ics

        write_ics(the_plan, ics, sender_company=facts.company)
        click.echo(f"Wrote {ics} ({len(the_plan.rows)} events)", err=True)
    if ics_per_rep is not None:
        _write_calendars(the_plan, facts, ics_per_rep)
    if target_new is not None or target_total is not None:
        click.echo(
            _goal_text(
                goal(
                    avg_order=avg_order,
                    conversion=conversion,
                    workdays=workdays,
                    target_new=target_new,
                    target_total=target_total,
                    repeat_revenue=the_plan.repeat_revenue,
                )
            )
        )


def _write_calendars(the_plan: ReorderPlan, facts: CompanyFacts, folder: Path) -> None:
    """One .ics per rep in `folder`, named for the rep (valid on Windows)."""
    from followup.outbox.names import folder_name
    from followup.reorder.export import write_ics
    from followup.reorder.plan import by_rep

    folder.mkdir(parents=True, exist_ok=True)
    parts = by_rep(the_plan, facts)
    for rep, part in parts.items():
        write_ics(part, folder / f"{folder_name(rep)}.ics", sender_company=facts.company, rep=rep)
    listed = ", ".join(f"{rep} {len(part.rows)}" for rep, part in parts.items())
    click.echo(f"Wrote {len(parts)} calendars to {folder} (events: {listed})", err=True)


def _emit(the_plan: ReorderPlan, kind: str, output: Path | None) -> None:
    from followup.reorder.export import csv_text_for, json_data_for, write_xlsx

    options.settle()
    if kind == "xlsx":
        assert output is not None  # output_format() refuses xlsx without a file
        write_xlsx(the_plan, output)
        click.echo(f"Wrote {output}", err=True)
        return
    if kind == "csv":
        text = csv_text_for(the_plan)
    elif kind == "json":
        from followup.files import json_text

        text = json_text(json_data_for(the_plan))
    else:
        text = _table(the_plan)
    options.emit(text, output, kind)


def _table(the_plan: ReorderPlan) -> str:
    rows = []
    for row in the_plan.rows:
        first = row.first
        when = f"{row.contact_by}{' !' if row.overdue(the_plan.as_of) else ''}"
        rows.append(
            [
                when,
                row.customer_id,
                row.company,
                str(first.date) if first else "",
                tables.money(first.amount) if first else "",
                len(row.expected),
                row.confidence,
                row.campaign,
            ]
        )
    headers = ["contact by", "customer", "company", "1st order", "amount", "n", "conf", "campaign"]
    head = (
        f"Reorder plan {the_plan.year} as of {the_plan.as_of}: {len(the_plan.rows)} customers\n"
        f"Repeat revenue expected: {tables.money(the_plan.repeat_revenue)} "
        f"{the_plan.currency or ''} (high and medium confidence)\n\n"
    )
    table = tables.table(headers, rows, right=[False, False, False, False, True, True], flexible=2)
    overdue = sum(row.overdue(the_plan.as_of) for row in the_plan.rows)
    notes = [f"! {overdue} contact-by dates have passed: contact them now."] if overdue else []
    if the_plan.skipped:
        from collections import Counter

        reasons = Counter(row.reason for row in the_plan.skipped)
        notes.append(f"No plan for {len(the_plan.skipped)} customers (--format csv lists them):")
        notes += [f"  {count:>4}  {reason}" for reason, count in reasons.most_common()]
    return head + table + "".join(f"{note}\n" for note in notes)


def _goal_text(result: Goal) -> str:
    lines = ["", "New-customer goal:"]
    if result.target_total is not None:
        lines.append(
            f"  yearly target {tables.money(result.target_total)} = repeat customers "
            f"{tables.money(result.repeat_revenue or 0)} (plan) + new customers "
            f"{tables.money(result.target_new)}"
        )
    lines += [
        f"  {tables.money(result.target_new)} / average order {tables.money(result.avg_order)} "
        f"= {result.orders_needed:,.0f} orders",
        f"  / conversion {result.conversion:.0%} = {result.leads_per_year:,.0f} leads a year, "
        f"{result.leads_per_day:.1f} a working day ({result.workdays} days)",
    ]
    return "\n".join(lines)
