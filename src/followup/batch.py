"""Batch drafting: targeting, the pre-flight report, the run, and its summary.

Nothing is discovered halfway: `plan()` decides for every targeted customer
whether it can be drafted, and names the missing field when it cannot. `run()`
drafts the draftable ones into an outbox, skipping drafts whose fingerprint is
unchanged, and never stops for one customer's failure.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from followup.campaigns import qualifying_rule
from followup.drafting import DraftRequest, Engine, Workbench, request
from followup.errors import DraftError, FollowupError

if TYPE_CHECKING:
    from followup.drafts import Draft
    from followup.outbox import Entry, Outbox


@dataclass(frozen=True)
class Planned:
    request: DraftRequest
    rule: str  # why the customer is targeted
    why: str


@dataclass(frozen=True)
class Blocked:
    customer_id: str
    problem: str  # names the missing field or template


@dataclass
class Plan:
    campaign: str
    drafts: list[Planned]
    blocked: list[Blocked]

    def counts(self) -> dict[str, Counter[str]]:
        return {
            "language": Counter(p.request.language for p in self.drafts),
            "channel": Counter(p.request.channel for p in self.drafts),
        }


@dataclass(frozen=True)
class Selection:
    campaign: str
    channel: str = "email"  # email | whatsapp | auto (email when there is an address)
    segments: tuple[str, ...] = ()  # either scheme; none = the campaign's default targeting
    owner: str | None = None
    limit: int | None = None
    language: str | None = None  # --lang: override every customer's language
    customers: tuple[str, ...] = ()  # explicit ids (skip targeting)
    due_within: int | None = None  # --from-plan: contact-by within this many days (or past)
    plan_year: int | None = None
    plan_growth: float = 0.0  # the reorder plan's --growth and --buffer-days
    plan_buffer_days: int = 14


def plan(bench: Workbench, engine: Engine, sel: Selection) -> Plan:
    """Who is targeted, and for each: a draft request or the reason it cannot be drafted."""
    drafts: list[Planned] = []
    blocked: list[Blocked] = []
    no_lever = sel.campaign == "urgency" and bench.company("en")["lever"] is None
    for customer_id, rule, why in _targets(bench, sel):
        if sel.limit is not None and len(drafts) + len(blocked) >= sel.limit:
            break
        customer = bench.profile(customer_id)["customer"]
        channel = _channel(sel.channel, customer)
        problem = _missing_address(channel, customer)
        if problem is None and no_lever:
            problem = (
                "company.yaml has no offer, closure or price change ahead: nothing dated to urge"
            )
        req = request(bench, customer_id, sel.campaign, channel, sel.language)
        if problem is None and engine.choose(req) is None:
            problem = (
                f"no approved {sel.campaign} {channel} template for language "
                f"{req.language!r} or English"
            )
        if problem is None:
            drafts.append(Planned(req, rule, why))
        else:
            blocked.append(Blocked(customer_id, problem))
    return Plan(sel.campaign, drafts, blocked)


def _targets(bench: Workbench, sel: Selection) -> list[tuple[str, str, str]]:
    if sel.customers:
        return [
            (c, "chosen", "named on the command line") for c in sel.customers if bench.profile(c)
        ]
    if sel.due_within is not None:
        return _plan_targets(bench, sel)
    found = []
    for customer_id, profile in sorted(bench.profiles.items()):
        customer = profile["customer"]
        if sel.owner and customer["owner"].casefold() != sel.owner.casefold():
            continue
        if sel.segments:
            matched = {customer["segment"], customer["cn8_segment"]} & set(sel.segments)
            if matched:
                found.append(
                    (customer_id, "segment", f"in segment {sorted(matched)[0]} (--segment)")
                )
            continue
        rule = qualifying_rule(sel.campaign, profile)
        if rule is not None:
            found.append((customer_id, rule.name, rule.why))
    return found


def _plan_targets(bench: Workbench, sel: Selection) -> list[tuple[str, str, str]]:
    """Customers whose contact-by date in the reorder plan is due; their drafts get `plan`."""
    from followup.plan import draft_context, due, workspace_plan

    year = sel.plan_year or bench.as_of.year + 1
    the_plan = workspace_plan(
        bench.dataset,
        bench.facts,
        year=year,
        as_of=bench.as_of,
        growth=sel.plan_growth,
        buffer_days=sel.plan_buffer_days,
    )
    found = []
    for row in due(the_plan, sel.due_within or 0):
        customer = bench.profile(row.customer_id)["customer"]
        if sel.owner and customer["owner"].casefold() != sel.owner.casefold():
            continue
        bench.plans[row.customer_id] = draft_context(row, the_plan)
        expected = row.first.date if row.first else ""
        why = f"reorder plan: contact by {row.contact_by}, order expected {expected}"
        found.append((row.customer_id, "plan", why))
    return found


def _channel(wanted: str, customer: dict[str, str]) -> str:
    if wanted == "auto":
        return "email" if customer["email"] else "whatsapp"
    return wanted


def _missing_address(channel: str, customer: dict[str, str]) -> str | None:
    if channel == "email" and not customer["email"].strip():
        return "no email address (customers file, column email)"
    if channel == "whatsapp" and not customer["whatsapp"].strip():
        return "no WhatsApp number (customers file, column whatsapp)"
    return None


@dataclass
class Summary:
    drafted: int = 0
    unchanged: int = 0  # skipped: the same draft is in the outbox already
    failed: Counter[str] = field(default_factory=Counter)  # reason -> count
    with_findings: int = 0
    blocked: int = 0
    fallbacks: int = 0  # llm replies refused (guard, API): drafted by the template instead
    tokens_in: int = 0
    tokens_out: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (customer, reason)

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())


Progress = Callable[[str, str, "Summary"], None]  # (customer id, outcome, totals) a draft


@dataclass(frozen=True)
class Outcome:
    """What became of one planned draft (picklable: worker processes send it back)."""

    status: str  # drafted | unchanged | failed
    entry: Entry | None = None  # encoded by a worker: its file still to write, record to journal
    data: bytes | str = b""  # that file's content
    reason: str = ""  # failed: why
    findings: bool = False
    fallback: bool = False
    tokens_in: int = 0
    tokens_out: int = 0


def run(
    the_plan: Plan,
    engine: Engine,
    outbox: Outbox,
    *,
    strict: bool = False,
    progress: Progress | None = None,
    processes: int | None = None,
) -> Summary:
    """Draft every planned customer into `outbox`; one failure never stops the batch.

    An engine with `concurrency` > 1 (the LLM engine) drafts that many at a time on
    threads: the work is waiting on the API. The outbox's journal is thread-safe. A
    CPU-bound engine (the template engine) drafts a large batch in forked worker
    processes, one per core (`processes` overrides how many; 1 drafts in this process).
    """
    from followup.workers import draft_in_processes, processes_for

    summary = Summary(blocked=len(the_plan.blocked))
    lock = threading.Lock()
    drafts = the_plan.drafts
    threads = getattr(engine, "concurrency", 1)
    procs = processes_for(engine, len(drafts)) if processes is None else processes

    def done(planned: Planned, outcome: Outcome) -> None:
        customer_id = planned.request.customer_id
        with lock:
            _tally(summary, customer_id, outcome)
            if progress is not None:
                progress(customer_id, outcome.status, summary)

    def one(planned: Planned) -> None:
        done(planned, _one(planned.request, engine, outbox, strict=strict))

    if threads > 1:
        pool = ThreadPoolExecutor(max_workers=threads)
        try:
            for future in [pool.submit(one, planned) for planned in drafts]:
                future.result()
        finally:  # on Ctrl-C: start nothing new; drafts in flight finish and are kept
            pool.shutdown(wait=True, cancel_futures=True)
    elif procs > 1 and len(drafts) > 1:
        work = _by_language(drafts)  # a worker's share: fewer templates to compile

        def make(index: int) -> Outcome:  # in a worker: drafted and encoded, nothing written
            return _one(work[index].request, engine, outbox, strict=strict, write=False)

        def returned(results: list[tuple[int, Outcome]]) -> None:  # here: one writer
            stored = [(i, _store(outbox, outcome)) for i, outcome in results]
            outbox.commit([outcome.entry for _, outcome in stored if outcome.entry is not None])
            for index, outcome in stored:
                done(work[index], outcome)

        def failed(_index: int, reason: str) -> Outcome:
            return Outcome("failed", reason=reason)

        draft_in_processes(len(drafts), make, returned, processes=procs, failed=failed)
        order = {p.request.customer_id: i for i, p in enumerate(drafts)}
        summary.failures.sort(key=lambda failure: order[failure[0]])  # plan order, as one by one
    else:
        for planned in drafts:
            one(planned)
    outbox.finish()
    return summary


def _by_language(drafts: list[Planned]) -> list[Planned]:
    """The drafts grouped by language (plan order within one): a language's drafts share
    their templates and Babel locale, so a worker's share needs only some of them.

    The order of the outbox's files and index does not depend on it.
    """
    return sorted(drafts, key=lambda planned: planned.request.language)


def _one(
    req: DraftRequest, engine: Engine, outbox: Outbox, *, strict: bool, write: bool = True
) -> Outcome:
    """Draft one request unless its draft is current; `write=False` leaves the file and
    the journal line to the caller (the encoded draft comes back in the outcome)."""
    planned = engine.fingerprint(req)
    if planned is not None and outbox.is_current(req.key, planned):
        return Outcome("unchanged")  # same inputs as the draft on disk: not made again
    try:
        draft: Draft = engine.draft(req)
        if strict and draft.findings:
            raise DraftError("; ".join(f.message for f in draft.findings))
        entry: Entry | None = None
        data: bytes | str = b""
        if write:
            outbox.write(draft)
        else:
            entry, data = outbox.encode(draft)
    except FollowupError as exc:
        return Outcome("failed", reason=str(exc))
    return Outcome(
        "drafted",
        entry,
        data,
        findings=bool(draft.findings),
        fallback=bool(draft.fallback_reason),
        tokens_in=draft.tokens_in or 0,
        tokens_out=draft.tokens_out or 0,
    )


def _store(outbox: Outbox, outcome: Outcome) -> Outcome:
    """Write the file of a draft a worker encoded; a write error fails that draft only."""
    if outcome.entry is None:
        return outcome
    try:
        outbox.store(outcome.entry, outcome.data)
    except FollowupError as exc:
        return Outcome("failed", reason=str(exc))
    return outcome


def _tally(summary: Summary, customer_id: str, outcome: Outcome) -> None:
    if outcome.status == "unchanged":
        summary.unchanged += 1
    elif outcome.status == "failed":
        summary.failed[outcome.reason.split(":", maxsplit=1)[0]] += 1
        summary.failures.append((customer_id, outcome.reason))
    else:
        summary.drafted += 1
        summary.with_findings += outcome.findings
        summary.fallbacks += outcome.fallback
        summary.tokens_in += outcome.tokens_in
        summary.tokens_out += outcome.tokens_out
