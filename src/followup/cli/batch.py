"""`followup batch --campaign C`: pre-flight, then a whole segment's drafts into an outbox."""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from followup.campaigns import CHANNELS, DEFAULT_CHANNEL
from followup.cli import options, tables
from followup.cli.base import Command
from followup.cli.draft import campaign_option, lang_option, strict_option
from followup.cli.engine_options import EngineOptions, engine_options
from followup.cli.plan import buffer_option, growth_option

if TYPE_CHECKING:
    from followup.drafting.engine import Engine
    from followup.drafting.preflight import Planned, Preflight
    from followup.drafting.workbench import Workbench
    from followup.history.threads import Previous
    from followup.outbox.batch import Summary


@click.command(
    "batch",
    cls=Command,
    example="followup batch --campaign urgency --segment at_risk --sample --out outbox",
    short_help="Draft a campaign for a whole segment into an outbox.",
)
@campaign_option
@click.option(
    "--segment", "segments", multiple=True, help="Only these segments (either scheme; repeatable)."
)
@click.option("--owner", help="Only this rep's customers.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many customers.")
@click.option(
    "--channel",
    type=click.Choice([*CHANNELS, "auto"]),
    default=DEFAULT_CHANNEL,
    show_default=True,
    help="auto: email when there is an address, else WhatsApp.",
)
@lang_option
@engine_options(concurrency=True)
@strict_option
@click.option(
    "--from-plan",
    is_flag=True,
    help="Target the customers whose reorder-plan contact-by date is due (see plan).",
)
@click.option(
    "--due-within",
    default="30d",
    show_default=True,
    metavar="DAYS",
    help="With --from-plan: contact-by within this many days (or already past).",
)
@click.option(
    "--plan-year", type=int, help="With --from-plan: the plan's year (default: next year)."
)
@growth_option
@buffer_option
@click.option(
    "--touch",
    type=click.IntRange(1, 5),
    default=1,
    show_default=True,
    help="2: the follow-up to a first message sent with no answer (see due), in its thread.",
)
@click.option(
    "--due",
    "due_only",
    is_flag=True,
    help="With --touch 2: only buyers whose wait ([contact] touch_after_days) is over.",
)
@click.option(
    "--explain", is_flag=True, help="List each targeted customer and the rule that picked it."
)
@click.option("--dry-run", is_flag=True, help="Pre-flight report only: draft nothing.")
@click.option(
    "--overwrite-edited",
    is_flag=True,
    help="Redraft drafts edited by hand too (a copy of each goes to the outbox's replaced/).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("outbox"),
    show_default=True,
    help="Outbox folder.",
)
@click.option(
    "--ignore-cooldown",
    is_flag=True,
    help="Also draft buyers held back: written to within [contact] cooldown_days, or "
    "another campaign comes first for them.",
)
@click.option(
    "--split-by-owner",
    is_flag=True,
    help="One outbox folder per rep (OUT/<rep's name>/), each with its own drafts.csv.",
)
@options.as_of_option
@options.data_options
def command(
    campaign: str,
    segments: tuple[str, ...],
    owner: str | None,
    limit: int | None,
    channel: str,
    language: str | None,
    engine: EngineOptions,
    strict: bool,
    from_plan: bool,
    due_within: str,
    plan_year: int | None,
    growth: float,
    buffer_days: int,
    touch: int,
    due_only: bool,
    explain: bool,
    dry_run: bool,
    overwrite_edited: bool,
    out: Path,
    ignore_cooldown: bool,
    split_by_owner: bool,
    as_of: str | None,
    data: options.DataOptions,
) -> None:
    """Draft a campaign for everyone it targets (or --segment, or --from-plan), after a
    pre-flight report.

    The pre-flight lists who is targeted, by language and channel, and every
    customer that cannot be drafted with the field that is missing. A rerun skips
    drafts whose text is unchanged, and keeps every draft a rep edited by hand
    (--overwrite-edited redrafts them). --touch 2 drafts the follow-up to each first
    message `followup sync` found sent and unanswered: a reply in its thread, in its
    language (--due: only those whose wait is over). Two batches may write into one outbox at
    once: they take turns on its lock and both land in its index. Exit 0 done, 1
    some drafts failed or could not be written, 2 bad input (nothing written).
    """
    from followup import api
    from followup.errors import UsageError

    if from_plan and segments:
        raise UsageError("--from-plan and --segment both choose customers: pass one of them")
    _check_touch(touch, due_only, from_plan=from_plan, segments=segments)
    window = options.parse_days(due_within, "--due-within") if from_plan else None
    bench = options.workbench(data, as_of)
    previous = _previous(bench, campaign, touch, due_only=due_only)
    if touch > 1 and not previous:
        click.echo(
            f"No buyer is due touch {touch} of {campaign}: `followup due` lists who is "
            "(`followup sync` reads what was sent and answered)."
        )
        return
    drafter = engine.build(bench)
    targets = api.preflight(
        bench,
        campaign,
        engine=drafter,
        channel=channel,
        segments=segments,
        owner=owner,
        limit=limit,
        language=language,
        due_within=window,
        plan_year=plan_year,
        plan_growth=growth,
        plan_buffer_days=buffer_days,
        ignore_cooldown=ignore_cooldown,
        outbox=str(out.resolve()),
        touch=touch,
        previous=previous,
    )
    click.echo(preflight_text(targets, explain), nl=False)
    if dry_run:
        click.echo(_api_budget(targets, drafter, out, bench.as_of), nl=False)
    if dry_run or not targets.drafts:
        return
    failed, index_errors = 0, []
    for folder, part in _outboxes(targets, out, split=split_by_owner):
        summary = _run(bench, part, drafter, folder, strict, overwrite_edited)
        for note in summary.notes:
            click.echo(f"Note: {note}", err=True)
        cost = drafter.cost(summary.tokens_in, summary.tokens_out)
        click.echo(report(summary, folder, cost=cost))
        failed += summary.failed_total
        index_errors += [summary.index_error] if summary.index_error else []
    if targets.fallbacks:  # said before the run too: the rep must not miss it
        click.echo(f"Language fallback: {targets.fallback_text()}")
    if index_errors or failed:
        from followup.errors import DraftError

        said = f"{failed} draft{'s' if failed != 1 else ''} failed (listed above)"
        raise DraftError("; ".join(index_errors) or said)


def _check_touch(touch: int, due_only: bool, *, from_plan: bool, segments: tuple[str, ...]) -> None:
    from followup.errors import UsageError

    if due_only and touch == 1:
        raise UsageError("--due picks the buyers a later touch follows up: pass --touch 2")
    if touch > 1 and (from_plan or segments):
        raise UsageError(
            "--touch follows up the buyers the history says are due: drop --from-plan and --segment"
        )


def _previous(
    bench: Workbench, campaign: str, touch: int, *, due_only: bool
) -> dict[str, Previous]:
    """A later touch's targets: customer id -> the unanswered message it follows up."""
    from followup import api

    if touch == 1:
        return {}
    found = api.due(bench.dataset, bench.as_of, campaign=campaign, waited=due_only)
    return {item.customer_id: item.previous for item in found if item.touch == touch}


def _outboxes(targets: Preflight, out: Path, *, split: bool) -> list[tuple[Path, Preflight]]:
    """Where the drafts go: `out`, or with `split` one folder in it per rep (who signs)."""
    from dataclasses import replace

    from followup.outbox.names import folder_name

    if not split:
        return [(out, targets)]
    by_rep: dict[str, list[Planned]] = {}
    for planned in targets.drafts:
        by_rep.setdefault(planned.request.context["sender"]["name"], []).append(planned)
    return [
        (out / folder_name(rep), replace(targets, drafts=drafts, notes=[]))
        for rep, drafts in sorted(by_rep.items())
    ]


def _api_budget(targets: Preflight, drafter: Engine, out: Path, as_of: dt.date) -> str:
    """The dry run's API calls and token budget (nothing for the template engine)."""
    from followup.drafting.budget import describe, estimate
    from followup.outbox.folder import Outbox

    current = Outbox(out, date=as_of, read_only=True).is_current if out.is_dir() else None
    budget = estimate(targets, drafter, current)
    return describe(budget) if budget is not None else ""


def _run(
    bench: Workbench,
    targets: Preflight,
    drafter: Engine,
    out: Path,
    strict: bool,
    overwrite_edited: bool,
) -> Summary:
    """Run the batch: a progress bar on a terminal (with the LLM's counts), none in a pipe."""
    from functools import partial

    from followup.api import run

    def say(text: str) -> None:
        click.echo(f"Note: {text}", err=True)

    go = partial(
        run,
        bench,
        targets,
        out,
        engine=drafter,
        strict=strict,
        overwrite_edited=overwrite_edited,
        on_wait=say,
    )
    if not sys.stderr.isatty():
        return go()
    llm = drafter.name == "llm"
    with click.progressbar(
        length=len(targets.drafts),
        label="Drafting",
        file=sys.stderr,
        item_show_func=lambda totals: totals and progress_line(totals, llm=llm),
    ) as bar:
        return go(progress=lambda _customer, _outcome, totals: bar.update(1, totals))


def progress_line(summary: Summary, *, llm: bool) -> str:
    """Counts beside the bar: done / failed (and fallbacks and tokens for the LLM)."""
    text = f"{summary.drafted + summary.unchanged} done, {summary.failed_total} failed"
    if llm:
        tokens = summary.tokens_in + summary.tokens_out
        text += f", {summary.fallbacks} fallback, {tokens:,} tokens"
    return text


MAX_REASONS = 10  # failure reasons a summary lists; drafts.jsonl has them all


def preflight_text(targets: Preflight, explain: bool) -> str:
    counts = targets.counts()
    what = targets.campaign + (f" touch {targets.touch}" if targets.touch > 1 else "")
    lines = [
        f"Pre-flight — {what}: {len(targets.drafts) + len(targets.blocked)} "
        f"customers targeted, {len(targets.drafts)} can be drafted, "
        f"{len(targets.blocked)} cannot."
    ]
    for name, counter in counts.items():
        if counter:
            lines.append(
                f"  by {name}: " + ", ".join(f"{k} {v}" for k, v in sorted(counter.items()))
            )
    if targets.fallbacks:
        lines.append(f"Language fallback: {targets.fallback_text()}")
    if targets.held:
        by_reason = Counter(h.problem for h in targets.held)
        lines.append(
            f"Held back: {len(targets.held)} (written to lately, or another campaign comes "
            "first for them; --ignore-cooldown drafts them too):"
        )
        for reason, n in by_reason.most_common():
            ids = [h.customer_id for h in targets.held if h.problem == reason]
            shown = ", ".join(ids[:5]) + (" …" if len(ids) > 5 else "")
            lines.append(f"  {n} {reason} ({shown})")
    if targets.notes:
        lines.append("Before you send:")
        lines += [f"  {note}" for note in targets.notes]
    if targets.blocked:
        lines.append("Cannot be drafted:")
        rows = [[b.customer_id, b.problem] for b in targets.blocked]
        lines.append(tables.table(["customer", "missing"], rows).rstrip())  # never cut
    if explain and targets.drafts:
        lines.append("Targeted because:")
        rows = [
            [p.request.customer_id, p.request.context["customer"]["segment"], p.why]
            for p in targets.drafts
        ]
        lines.append(tables.table(["customer", "segment", "rule"], rows, flexible=2).rstrip())
    return "\n".join(lines) + "\n"


def report(summary: Summary, out: Path, *, cost: float | None = None) -> str:
    parts = [
        f"Done: {summary.drafted} drafted, {summary.unchanged} unchanged (skipped), "
        f"{summary.failed_total} failed, {summary.blocked} could not be drafted."
    ]
    if summary.kept:
        parts.append(
            f"{len(summary.kept)} draft{'s' if len(summary.kept) != 1 else ''} edited by hand, "
            "kept as they are (--overwrite-edited redrafts them): "
            + ", ".join(summary.kept[:5])
            + (" …" if len(summary.kept) > 5 else "")
        )
    if summary.tokens_in or summary.fallbacks:
        parts.append(
            f"LLM: {summary.fallbacks} replies refused and drafted from the template instead; "
            f"tokens {summary.tokens_in:,} in, {summary.tokens_out:,} out."
        )
    if cost is not None:
        from followup.drafting.budget import money

        parts.append(f"Estimated cost: {money(cost)} at the prices in followup.toml.")
    if summary.with_findings:
        parts.append(
            f"{summary.with_findings} drafts have check findings: see drafts.csv, column findings."
        )
    from followup.redact import redact

    reasons = summary.failed.most_common()
    for reason, count in reasons[:MAX_REASONS]:
        parts.append(f"  failed ({count}): {redact(reason)}")
    if len(reasons) > MAX_REASONS:
        more = len(reasons) - MAX_REASONS
        parts.append(f"  … and {more} other reasons: drafts.jsonl lists every failed draft")
    parts.append(
        f"Outbox: {out}/ (drafts.csv for mail merge, .eml opens as a draft in Outlook/Thunderbird)"
    )
    if summary.sheet is not None:
        parts.append(
            f"Review: {summary.sheet} (decide send/hold/edit 发送/暂缓/修改 per draft, then "
            f"`followup review apply {summary.sheet}`)"
        )
    if summary.sheet_kept is not None:
        parts.append(
            f"  the review.xlsx there was edited and not applied: a copy is {summary.sheet_kept}"
        )
    return "\n".join(parts)
