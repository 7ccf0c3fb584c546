"""A batch's pre-flight: who a selection targets, and for each, a draft request or why not.

Nothing is discovered halfway: `preflight()` decides for every targeted customer whether
it can be drafted, and names the missing field or template when it cannot. The run
(`followup.outbox.batch.run`) then drafts the draftable ones.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from followup.campaigns import CAMPAIGNS, CHANNELS, DEFAULT_CHANNEL
from followup.drafting.engine import Engine
from followup.drafting.targeting import qualifying_rule
from followup.drafting.workbench import DraftRequest, Workbench, request

if TYPE_CHECKING:
    from followup.drafting.context import CustomerContext, PlanContext
    from followup.history.threads import Previous


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
class Preflight:
    campaign: str
    drafts: list[Planned]
    blocked: list[Blocked]
    notes: list[str] = field(default_factory=list)  # what a rep should know before sending
    #: targeted, but another campaign comes first for them (`[contact] priority`)
    held: list[Blocked] = field(default_factory=list)
    #: (the buyer's language, the template's) -> drafts, where the library has no template
    #: in the buyer's language
    fallbacks: Counter[tuple[str, str]] = field(default_factory=Counter)
    touch: int = 1  # 2: the follow-ups to unanswered first messages (`batch --touch 2`)

    def fallback_text(self) -> str:
        """`ru 14 → en, ja 3 → en: no templates in those languages` (empty: none)."""
        if not self.fallbacks:
            return ""
        parts = [f"{have} {n} → {used}" for (have, used), n in self.fallbacks.most_common()]
        langs = sorted({have for have, _ in self.fallbacks})
        return (
            f"{', '.join(parts)}: no {self.campaign} templates in "
            f"{', '.join(langs)} (write them, or approve copies of the English ones)"
        )

    def counts(self) -> dict[str, Counter[str]]:
        return {
            "language": Counter(p.request.language for p in self.drafts),
            "channel": Counter(p.request.channel for p in self.drafts),
        }


@dataclass(frozen=True)
class Selection:
    campaign: str
    channel: str = DEFAULT_CHANNEL  # a channel, or auto: the first one it has an address for
    segments: tuple[str, ...] = ()  # either scheme; none = the campaign's default targeting
    owner: str | None = None
    limit: int | None = None
    language: str | None = None  # --lang: override every customer's language
    customers: tuple[str, ...] = ()  # explicit ids (skip targeting)
    due_within: int | None = None  # --from-plan: contact-by within this many days (or past)
    plan_year: int | None = None
    plan_growth: float = 0.0  # the reorder plan's --growth and --buffer-days
    plan_buffer_days: int = 14
    ignore_cooldown: bool = False  # draft buyers held back (cooldown, another campaign first)
    outbox: str | None = None  # where the batch goes: its own earlier drafts are no cooldown
    #: 2 (3 ...): a later touch (`batch --touch 2`), whose targets are `previous`: customer
    #: id -> the message its draft follows up (`followup.api.due`), in that one's language
    touch: int = 1
    previous: Mapping[str, Previous] = field(default_factory=dict)


def preflight(bench: Workbench, engine: Engine, sel: Selection) -> Preflight:
    """Who is targeted, and for each: a draft request or the reason it cannot be drafted."""
    drafts: list[Planned] = []
    blocked: list[Blocked] = []
    fallbacks: Counter[tuple[str, str]] = Counter()
    no_lever = CAMPAIGNS[sel.campaign].needs_lever and bench.company("en")["lever"] is None
    if sel.touch > 1:  # a later touch: due by the history, no campaign's targeting
        targets, held = _touch_targets(bench, sel), list[Blocked]()
    else:
        targets, held = _first_campaign(bench, sel, _targets(bench, sel))
        targets, cooled = _cooldown(bench, sel, targets)
        held += cooled
    for customer_id, rule, why, plan in targets:
        if sel.limit is not None and len(drafts) + len(blocked) >= sel.limit:
            break
        customer = bench.profile(customer_id)["customer"]
        channel = _channel(sel.channel, customer)
        problem = _missing_address(bench, channel, customer)
        if problem is None and no_lever:
            problem = (
                "company.yaml has no offer, closure or price change ahead: nothing dated to urge"
            )
        previous = sel.previous.get(customer_id)
        language = sel.language or (previous.language if previous else None) or None
        req = request(
            bench, customer_id, sel.campaign, channel, language, plan=plan, previous=previous
        )
        choice = engine.choose(req) if problem is None else None
        if problem is None and choice is None:
            problem = (
                f"no approved {sel.campaign} {channel}{_touch_words(req.touch)} template for "
                f"language {req.language!r} or English"
            )
        if problem is None:
            drafts.append(Planned(req, rule, why))
            if choice is not None and choice.language_fallback:
                assert choice.template.header is not None  # chosen: its header is valid
                fallbacks[req.language, choice.template.header.language] += 1
        else:
            blocked.append(Blocked(customer_id, problem))
    notes = _notes(bench, drafts)
    return Preflight(sel.campaign, drafts, blocked, notes, held, fallbacks, sel.touch)


def _cooldown(
    bench: Workbench, sel: Selection, targets: list[Target]
) -> tuple[list[Target], list[Blocked]]:
    """The targets not written to in the last `[contact] cooldown_days` (the workspace's
    contact history, across outboxes), and the others held back with their last contact.
    A rerun of this campaign into the same outbox is not a new contact; customers named on
    the command line and `ignore_cooldown` are never held back."""
    from followup.history.store import last_contacts

    days = bench.dataset.settings.contact.cooldown_days
    if bench.root is None or not days or sel.customers or sel.ignore_cooldown:
        return targets, []
    since = bench.as_of - dt.timedelta(days=days - 1)
    rerun = (sel.campaign, sel.outbox) if sel.outbox else None
    last = last_contacts(bench.root, since, bench.as_of, rerun=rerun)
    kept = [t for t in targets if t[0] not in last]
    held = [
        Blocked(t[0], f"contacted {last[t[0]][0]} ({last[t[0]][1]}), within {days} days")
        for t in targets
        if t[0] in last
    ]
    return kept, held


def _first_campaign(
    bench: Workbench, sel: Selection, targets: list[Target]
) -> tuple[list[Target], list[Blocked]]:
    """The targets this campaign comes first for, and the others held back with the
    campaign they get instead (its rule's reason). Only the campaigns' own targeting is
    weighed: customers a rep chose (named, `--segment`, due in the reorder plan) and
    `ignore_cooldown` are never held back."""
    priority = bench.dataset.settings.contact.priority
    chosen = sel.customers or sel.segments or sel.due_within is not None
    if chosen or sel.ignore_cooldown or sel.campaign not in priority:
        return targets, []
    before = priority[: priority.index(sel.campaign)]
    kept: list[Target] = []
    held: list[Blocked] = []
    for target in targets:
        profile = bench.profile(target[0])
        first = next(
            ((other, rule) for other in before if (rule := qualifying_rule(other, profile))),
            None,
        )
        if first is None:
            kept.append(target)
        else:
            held.append(Blocked(target[0], f"{first[0]} first: {first[1].why}"))
    return kept, held


def _foreign_names(drafts: list[Planned]) -> list[str]:
    """Drafts that greet a name in a script their language is not written in, with no
    Latin form in the data to greet by instead."""
    from followup.langid import foreign_script

    odd = [
        f"{p.request.customer_id} {name} ({p.request.language})"
        for p in drafts
        if (name := p.request.customer["greeting_name"])
        and foreign_script(name, p.request.language)
    ]
    if not odd:
        return []
    return [
        f"{len(odd)} draft{'s' if len(odd) != 1 else ''} greet a name in another script than "
        f"their language, as written: {', '.join(odd[:5])}{' …' if len(odd) > 5 else ''} "
        "(add its Latin form in a contact_name_latin column)"
    ]


def _notes(bench: Workbench, drafts: list[Planned]) -> list[str]:
    """Address cells read one way of several, and ids that are likely one customer twice
    (they differ only by case or Unicode form: a case-insensitive disk, or a person, would
    take them for one)."""
    notes = [
        f"{planned.request.customer_id}: {note}"
        for planned in drafts
        if (note := bench.address_notes.get(planned.request.customer_id))
        and planned.request.channel == "email"
    ]
    notes += _signers(bench, drafts) + _foreign_names(drafts) + _bounced(bench, drafts)
    for ids in likely_duplicates(list(bench.profiles)):
        notes.append(
            f"customer ids {', '.join(ids)} differ only by case or width: likely one customer "
            "twice (each gets its own drafts; merge them in the CRM)"
        )
    return notes


def _bounced(bench: Workbench, drafts: list[Planned]) -> list[str]:
    """Email drafts to an address a delivery failure came back from (`followup sync`)."""
    from followup.history.threads import bounced

    failed = bounced(bench.root) if bench.root is not None else {}
    if not failed:
        return []
    hit = [
        f"{p.request.customer_id} {address} (bounced {failed[address]})"
        for p in drafts
        if p.request.channel == "email"
        and (address := p.request.customer["email"].strip().lower()) in failed
    ]
    if not hit:
        return []
    return [
        f"{len(hit)} draft{'s' if len(hit) != 1 else ''} go to an address that bounced: "
        f"{', '.join(hit[:5])}{' …' if len(hit) > 5 else ''} (correct it in the customers file)"
    ]


def _signers(bench: Workbench, drafts: list[Planned]) -> list[str]:
    """Who signs (when company.yaml has rep profiles): drafts per rep, and how many
    customers have an owner with no profile (signed by the company's default sender)."""
    if not bench.facts.reps or not drafts:
        return []
    by_rep = Counter(p.request.context["sender"]["name"] for p in drafts)
    unsigned = Counter(
        p.request.customer["owner"] or "(no owner)"
        for p in drafts
        if not bench.has_rep(p.request.customer["owner"])
    )
    notes = ["signed by: " + ", ".join(f"{name} {n}" for name, n in sorted(by_rep.items()))]
    if unsigned:
        owners = ", ".join(f"{owner} ({n})" for owner, n in unsigned.most_common(5))
        total = sum(unsigned.values())
        notes.append(
            f"{total} draft{'s' if total != 1 else ''} of owners with no rep profile in "
            f"company.yaml, signed by {bench.facts.sender.name}: {owners}"
        )
    return notes


#: a targeted customer: id, the rule that picked it, why in words, its reorder plan if any
Target = tuple[str, str, str, "PlanContext | None"]


def _targets(bench: Workbench, sel: Selection) -> list[Target]:
    if sel.customers:
        return [
            (c, "chosen", "named on the command line", None)
            for c in sel.customers
            if bench.profile(c)
        ]
    if sel.due_within is not None:
        return _plan_targets(bench, sel)
    found: list[Target] = []
    for customer_id, profile in sorted(bench.profiles.items()):
        customer = profile["customer"]
        if sel.owner and not bench.same_owner(customer["owner"], sel.owner):
            continue
        if sel.segments:
            matched = {customer["segment"], customer["cn8_segment"]} & set(sel.segments)
            if matched:
                why = f"in segment {sorted(matched)[0]} (--segment)"
                found.append((customer_id, "segment", why, None))
            continue
        rule = qualifying_rule(sel.campaign, profile)
        if rule is not None:
            found.append((customer_id, rule.name, rule.why, None))
    return found


def _touch_targets(bench: Workbench, sel: Selection) -> list[Target]:
    """The buyers a later touch follows up (`sel.previous`: those whose last touch was the
    one before), of the rep if one is named."""
    found: list[Target] = []
    for customer_id, previous in sorted(sel.previous.items()):
        if previous.touch + 1 != sel.touch or customer_id not in bench.profiles:
            continue  # no longer in the customers file: nobody to write to
        customer = bench.profile(customer_id)["customer"]
        if sel.owner and not bench.same_owner(customer["owner"], sel.owner):
            continue
        if sel.customers and customer_id not in sel.customers:
            continue
        why = f"no answer to touch {previous.touch} sent {previous.sent_on}"
        found.append((customer_id, f"touch {previous.touch + 1}", why, None))
    return found


def _touch_words(touch: int) -> str:
    return f" touch-{touch}" if touch > 1 else ""


def _plan_targets(bench: Workbench, sel: Selection) -> list[Target]:
    """Customers whose contact-by date in the reorder plan is due; their drafts get `plan`."""
    from followup.drafting.context import plan_context
    from followup.reorder.plan import due, workspace_plan

    year = sel.plan_year or bench.as_of.year + 1
    the_plan = workspace_plan(
        bench.dataset,
        bench.facts,
        year=year,
        as_of=bench.as_of,
        growth=sel.plan_growth,
        buffer_days=sel.plan_buffer_days,
    )
    found: list[Target] = []
    for row in due(the_plan, sel.due_within or 0):
        customer = bench.profile(row.customer_id)["customer"]
        if sel.owner and not bench.same_owner(customer["owner"], sel.owner):
            continue
        expected = row.first.date if row.first else ""
        why = f"reorder plan: contact by {row.contact_by}, order expected {expected}"
        found.append((row.customer_id, "plan", why, plan_context(row, the_plan)))
    return found


def _channel(wanted: str, customer: CustomerContext) -> str:
    """`auto`: the first channel (in `CHANNELS` order) the customer has an address for;
    with none, the last (whose missing address the pre-flight then reports)."""
    if wanted != "auto":
        return wanted
    reachable = [c.name for c in CHANNELS.values() if customer[c.address_field]]
    return reachable[0] if reachable else list(CHANNELS)[-1]


def _missing_address(bench: Workbench, channel: str, customer: CustomerContext) -> str | None:
    field = CHANNELS[channel].address_field
    unusable = bench.unusable.get((customer["id"], field))
    if unusable is not None:
        return unusable
    if not customer[field].strip():
        return f"no {CHANNELS[channel].label} (customers file, column {field})"
    return None


def likely_duplicates(customer_ids: list[str]) -> list[list[str]]:
    """Groups of ids that differ only by case, width or Unicode form (`c1`, `C1`, `Ｃ1`)."""
    groups: dict[str, list[str]] = {}
    for customer_id in customer_ids:
        folded = unicodedata.normalize("NFKC", customer_id).casefold().strip()
        groups.setdefault(folded, []).append(customer_id)
    return [sorted(ids) for ids in groups.values() if len(ids) > 1]
