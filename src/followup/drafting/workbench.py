"""The workbench (everything drafting needs, prepared once per command) and requests.

`build_workbench()` takes loaded data, the company facts and the template library and
segments every customer with both schemes once; `request()` builds what an engine needs
to draft one customer (`followup.drafting.engine`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from followup.campaigns import CAMPAIGNS, CHANNELS
from followup.drafting.draft import fingerprint, key_suffix
from followup.drafting.library import Library
from followup.errors import UsageError

if TYPE_CHECKING:
    from followup.analysis.customer_stats import CustomerStats
    from followup.data.dataset import Dataset, Sources
    from followup.data.facts import CompanyFacts, Sender
    from followup.drafting.context import (
        CompanyPart,
        CustomerContext,
        DraftContext,
        LossContext,
        PlanContext,
        Profile,
        SenderContext,
    )
    from followup.history.threads import Previous


@dataclass
class Workbench:
    """Everything drafting needs, loaded once per command."""

    dataset: Dataset
    facts: CompanyFacts
    library: Library
    as_of: dt.date
    profiles: dict[str, Profile]  # customer id -> its customer and loss
    facts_hash: str
    root: Path | None = None  # the workspace folder (its prompts/ override the shipped ones)
    #: (customer id, address field) -> why that address cannot be used (file, row, value)
    unusable: dict[tuple[str, str], str] = field(default_factory=dict)
    #: customer id -> what was made of its address cell ("2 addresses: drafting to ...")
    address_notes: dict[str, str] = field(default_factory=dict)
    _company: dict[str, CompanyPart] = field(default_factory=dict)
    _answers: dict[tuple[str, str | None, str], tuple[str, ...]] = field(default_factory=dict)
    _senders: dict[str, SenderContext] = field(default_factory=dict)
    _reps: dict[str, Sender] | None = None

    def reps(self) -> dict[str, Sender]:
        """Owner value (`owner_key`) -> its rep's profile (`rep_index`, built once)."""
        from followup.data.facts import rep_index

        if self._reps is None:
            self._reps = rep_index(self.facts) if self.facts.reps else {}
        return self._reps

    def sender(self, owner: str) -> SenderContext:
        """Who signs a customer of this owner: the rep whose profile (or alias) names the
        owner, else the company's default sender (built once each)."""
        from followup.data.facts import owner_key
        from followup.drafting.context import sender_context

        key = owner_key(owner)
        if key not in self._senders:
            self._senders[key] = sender_context(self.reps().get(key, self.facts.sender))
        return self._senders[key]

    def same_owner(self, owner: str, named: str) -> bool:
        """Whether `named` (`--owner`) means this owner: the same value (case and spacing
        aside), or a spelling of the same rep's profile (an alias such as the Chinese name)."""
        from followup.data.facts import same_rep

        return same_rep(self.reps(), owner, named)

    def has_rep(self, owner: str) -> bool:
        """Whether a rep profile signs this owner's customers."""
        from followup.data.facts import owner_key

        return owner_key(owner) in self.reps()

    def company(self, language: str) -> CompanyPart:
        """The company part of the context, its free text in `language` (built once each)."""
        from followup.drafting.context import company_context

        if language not in self._company:
            self._company[language] = company_context(self.facts, self.as_of, language)
        return self._company[language]

    def answers(self, loss: LossContext | None, language: str) -> tuple[str, ...]:
        """What changed since a customer left, for its loss reason and angle, in `language`
        (built once each; a tuple, as every request with that reason shares it)."""
        from followup.drafting.context import answered_reason, answers

        key = (answered_reason(loss), loss["angle"] if loss else None, language)
        if key not in self._answers:
            self._answers[key] = tuple(answers(self.facts, *key))
        return self._answers[key]

    def buyer_facing(self, customer: CustomerContext, language: str) -> CustomerContext:
        """The customer as a draft in `language` shows it: its name in the language's
        script when the data has one (`greeted_in`), its products by the names company.yaml
        gives buyers (`product_names`)."""
        from followup.drafting.context import greeted_in

        customer = greeted_in(customer, language)
        shown = self.products(customer["products"], language)
        return customer if shown is customer["products"] else {**customer, "products": shown}

    def products(self, products: list[str], language: str) -> list[str]:
        """Products as the orders file writes them, by the names buyers see in `language`
        (company.yaml `product_names`); the same list when none is renamed."""
        from followup.data.facts import localize

        names = self.facts.product_names
        if not names or not any(product in names for product in products):
            return products
        return [localize(names[p], language) if p in names else p for p in products]

    def profile(self, customer_id: str) -> Profile:
        try:
            return self.profiles[customer_id]
        except KeyError:
            raise UsageError(
                f"no customer {customer_id!r} in the customers file or orders"
            ) from None


def prepare(sources: Sources, as_of: dt.date, *, keep_bad_rows: bool = False) -> Workbench:
    """Load the data from `sources`, then `build_workbench` on it."""
    from followup.data.dataset import load_dataset

    return build_workbench(load_dataset(sources, keep_bad_rows=keep_bad_rows), as_of)


def build_workbench(dataset: Dataset, as_of: dt.date) -> Workbench:
    """Facts and templates of the data's workspace; both schemes' segments; every profile."""
    from followup.analysis.customer_stats import customer_stats
    from followup.data.facts import FACTS_FILE, load_facts
    from followup.drafting.context import latest_losses
    from followup.drafting.library import load_library

    root = dataset.sources.workspace.root
    if root is None:
        raise UsageError(
            "drafting needs a workspace (company.yaml, data/): pass --workspace DIR or --sample"
        )
    facts = load_facts(root / FACTS_FILE)
    library = load_library(root)
    profiles = _profiles(
        dataset, as_of, customer_stats(dataset, as_of), latest_losses(dataset.losses)
    )
    facts_hash = fingerprint(facts.model_dump(mode="json"))
    bench = Workbench(dataset, facts, library, as_of, profiles, facts_hash, root=root)
    _check_addresses(bench)
    return bench


def _check_addresses(bench: Workbench) -> None:
    """Each customer's email cell down to the address a draft goes to (the first usable one
    of a list), and the cells that hold no usable email address or WhatsApp number."""
    from followup.addresses import ascii_email, email_cell, usable_phone

    where = _rows_of(bench.dataset)
    for customer_id, profile in bench.profiles.items():
        customer = profile["customer"]
        cell = customer["email"]
        if cell and not ascii_email(cell):
            found = email_cell(cell)
            customer["email"] = found.address
            if not found.usable:
                bench.unusable[customer_id, "email"] = (
                    f"the email {cell!r} is not a usable address ({where(customer_id, 'email')})"
                )
            elif len(found.usable) > 1 or found.broken:
                count = len(found.usable) + len(found.broken)
                bench.address_notes[customer_id] = (
                    f"{where(customer_id, 'email')} holds {count} addresses: "
                    f"drafting to {found.address}"
                )
        phone = customer["whatsapp"]
        if phone.strip() and not usable_phone(phone):
            bench.unusable[customer_id, "whatsapp"] = (
                f"the WhatsApp number {phone!r} is not a usable number "
                f"({where(customer_id, 'whatsapp')})"
            )


def _rows_of(dataset: Dataset) -> Callable[[str, str], str]:
    """`customers.csv row 35, column email` for a customer id and a field."""
    path = dataset.sources.path("customers")
    name = dataset.sources.workspace.display(path) if path is not None else "customers file"
    rows: dict[str, int] = {}
    if dataset.customers is not None:
        ids = dataset.customers.column("customer_id").to_pylist()
        rows = dict(zip(ids, dataset.customers.column("row").to_pylist(), strict=True))

    def where(customer_id: str, column: str) -> str:
        row = rows.get(customer_id)
        return f"{name} row {row}, column {column}" if row else f"{name}, column {column}"

    return where


def _profiles(
    dataset: Dataset, as_of: dt.date, stats: CustomerStats, losses: dict[str, LossContext]
) -> dict[str, Profile]:
    from followup.analysis.segmented import segment
    from followup.analysis.segments import Thresholds, default_rules
    from followup.drafting.context import customer_contexts

    classic = segment(dataset, as_of, default_rules("classic"), Thresholds())
    cn8 = segment(dataset, as_of, default_rules("cn8"), Thresholds())
    cn8_by_id = dict(
        zip(
            cn8.table.column("customer_id").to_pylist(),
            cn8.table.column("segment").to_pylist(),
            strict=True,
        )
    )
    return customer_contexts(
        classic.table,
        cn8_segments=cn8_by_id,
        stats=stats,
        losses=losses,
        currency=dataset.orders.base_currency,
        as_of=as_of,
    )


@dataclass(frozen=True)
class DraftRequest:
    customer_id: str
    campaign: str
    channel: str
    language: str  # the language asked for (the customer's, or --lang)
    context: DraftContext = field(repr=False)
    touch: int = 1  # 2: the follow-up to `previous`, a first message that went unanswered
    previous: Previous | None = field(default=None, repr=False)

    @property
    def customer(self) -> CustomerContext:
        return self.context["customer"]

    @property
    def reason(self) -> str:
        """The loss reason that picks a reactivation angle (`other` when unknown or none)."""
        from followup.drafting.context import answered_reason

        return answered_reason(self.context["loss"])

    @property
    def key(self) -> str:
        """The outbox slot this request fills (as `Draft.key`)."""
        return f"{self.customer_id}.{self.campaign}.{self.channel}{key_suffix(self.touch)}"

    @property
    def segments(self) -> tuple[str, str]:
        customer = self.context["customer"]
        return (customer["segment"], customer["cn8_segment"])


def request(
    bench: Workbench,
    customer_id: str,
    campaign: str,
    channel: str,
    language: str | None = None,
    *,
    plan: PlanContext | None = None,
    previous: Previous | None = None,
) -> DraftRequest:
    """What an engine needs to draft `campaign` on `channel` for one customer, in `language`
    (default: the customer's); `plan` is its reorder plan (`batch --from-plan`); `previous`
    the message this draft follows up (the next touch after it)."""
    from followup.drafting.touch import previous_context

    if campaign not in CAMPAIGNS:
        raise UsageError(f"unknown campaign {campaign!r}: use one of {', '.join(CAMPAIGNS)}")
    if channel not in CHANNELS:
        raise UsageError(f"unknown channel {channel!r}: use {' or '.join(CHANNELS)}")
    profile = bench.profile(customer_id)
    language = language or profile["customer"]["language"]
    context: DraftContext = {
        **bench.company(language),
        **profile,
        "customer": bench.buyer_facing(profile["customer"], language),
        "sender": bench.sender(profile["customer"]["owner"]),
        "answers": bench.answers(profile["loss"], language),
        "angle": profile["loss"]["angle"] if profile["loss"] else None,
        "plan": plan and {**plan, "products": bench.products(plan["products"], language)},
        "previous": previous_context(previous, bench.as_of) if previous else None,
    }
    touch = previous.touch + 1 if previous else 1
    return DraftRequest(customer_id, campaign, channel, language, context, touch, previous)


def in_language(bench: Workbench, req: DraftRequest, language: str) -> DraftRequest:
    """The same request in another language (the company's free text in that language)."""
    plan = req.context["plan"]
    return request(
        bench,
        req.customer_id,
        req.campaign,
        req.channel,
        language,
        plan=plan,
        previous=req.previous,
    )
