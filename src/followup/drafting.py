"""From a workspace to drafts: the prepared data (workbench), requests and engines.

`prepare()` loads and segments the data once; `request()` builds what an engine
needs for one customer; `TemplateEngine` renders the best approved template.
Engines share one interface so the LLM engine can stand beside this one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from followup.checks import check_draft
from followup.drafts import Draft, fingerprint
from followup.errors import DraftError, UsageError
from followup.library import CAMPAIGNS, CHANNELS, Choice, Library, TemplateFile, select

if TYPE_CHECKING:
    from followup.dataset import Dataset, Sources
    from followup.facts import CompanyFacts


@dataclass
class Workbench:
    """Everything drafting needs, loaded once per command."""

    dataset: Dataset
    facts: CompanyFacts
    library: Library
    as_of: dt.date
    profiles: dict[str, dict[str, Any]]  # customer id -> {customer, loss}
    facts_hash: str
    plans: dict[str, dict[str, Any]] = field(default_factory=dict)  # batch --from-plan
    root: Path | None = None  # the workspace folder (its prompts/ override the shipped ones)
    _company: dict[str, dict[str, Any]] = field(default_factory=dict)
    _answers: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def company(self, language: str) -> dict[str, Any]:
        """The company part of the context, its free text in `language` (built once each)."""
        from followup.context import company_context

        if language not in self._company:
            self._company[language] = company_context(self.facts, self.as_of, language)
        return self._company[language]

    def answers(self, reason: str, language: str) -> tuple[str, ...]:
        """What changed since a customer left for `reason`, in `language` (built once each;
        a tuple, as every request with that reason and language shares it)."""
        from followup.context import answers

        if (reason, language) not in self._answers:
            self._answers[reason, language] = tuple(answers(self.facts, reason, language))
        return self._answers[reason, language]

    def profile(self, customer_id: str) -> dict[str, Any]:
        try:
            return self.profiles[customer_id]
        except KeyError:
            raise UsageError(
                f"no customer {customer_id!r} in the customers file or orders"
            ) from None


def prepare(sources: Sources, as_of: dt.date, *, keep_bad_rows: bool = False) -> Workbench:
    """Load the data from `sources`, then `build_workbench` on it."""
    from followup.dataset import load_dataset

    return build_workbench(load_dataset(sources, keep_bad_rows=keep_bad_rows), as_of)


def build_workbench(dataset: Dataset, as_of: dt.date) -> Workbench:
    """Facts and templates of the data's workspace; both schemes' segments; every profile."""
    from followup.context import customer_stats, latest_losses
    from followup.facts import FACTS_FILE, load_facts
    from followup.library import load_library

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
    return Workbench(dataset, facts, library, as_of, profiles, facts_hash, root=root)


def _profiles(
    dataset: Dataset, as_of: dt.date, stats: Any, losses: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    from followup.context import customer_contexts
    from followup.segmented import segment
    from followup.segments import Thresholds, default_rules

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
    context: dict[str, Any] = field(repr=False)

    @property
    def reason(self) -> str:
        """The loss reason that picks a reactivation angle (`other` when unknown or none)."""
        from followup.context import angle

        return angle(self.context.get("loss"))

    @property
    def key(self) -> str:
        """The outbox slot this request fills (as `Draft.key`)."""
        return f"{self.customer_id}.{self.campaign}.{self.channel}"

    @property
    def segments(self) -> tuple[str, str]:
        customer = self.context["customer"]
        return (customer["segment"], customer["cn8_segment"])


def request(
    bench: Workbench, customer_id: str, campaign: str, channel: str, language: str | None = None
) -> DraftRequest:
    if campaign not in CAMPAIGNS:
        raise UsageError(f"unknown campaign {campaign!r}: use one of {', '.join(CAMPAIGNS)}")
    if channel not in CHANNELS:
        raise UsageError(f"unknown channel {channel!r}: use email or whatsapp")
    from followup.context import angle

    profile = bench.profile(customer_id)
    language = language or profile["customer"]["language"]
    context = {
        **bench.company(language),
        **profile,
        "answers": bench.answers(angle(profile["loss"]), language),
        "plan": bench.plans.get(customer_id),
    }
    return DraftRequest(customer_id, campaign, channel, language, context)


@dataclass(frozen=True)
class CallEstimate:
    """What drafting one request asks of an API: tokens sent (estimated), at most back."""

    tokens_in: int
    tokens_out: int


class Engine(Protocol):
    """What a batch, a draft and the budget need of an engine (template, llm)."""

    name: str

    def choose(self, req: DraftRequest) -> Choice | None:
        """The approved template the draft starts from (None: it cannot be drafted)."""

    def fingerprint(self, req: DraftRequest) -> str | None:
        """Of everything the draft is made from, before drafting (None: no template)."""

    def draft(self, req: DraftRequest) -> Draft: ...

    def estimate(self, req: DraftRequest) -> CallEstimate | None:
        """The API call drafting `req` makes (None: the engine makes none)."""

    def cost(self, tokens_in: int, tokens_out: int) -> float | None:
        """What these tokens cost at the configured prices (None: no API, or no prices)."""


class TemplateEngine:
    """Deterministic drafts from the approved template library."""

    name = "template"
    cpu_bound = True  # pure computation on the workbench: a batch may fork one process per core

    def __init__(self, bench: Workbench, *, allow_unapproved: bool = False) -> None:
        self.bench = bench
        self.allow_unapproved = allow_unapproved
        self.candidates = bench.library.usable(allow_unapproved=allow_unapproved)
        self._choices: dict[tuple[Any, ...], Choice | None] = {}
        self._fingerprints: dict[tuple[str, str], str | None] = {}

    @property
    def candidates(self) -> list[TemplateFile]:
        return self._candidates

    @candidates.setter
    def candidates(self, templates: list[TemplateFile]) -> None:
        self._candidates = templates
        self._choices, self._fingerprints = {}, {}

    def choose(self, req: DraftRequest) -> Choice | None:
        """The template for a request (the choice depends on a few fields: cached)."""
        key = (req.campaign, req.channel, req.language, req.reason, req.segments)
        if key not in self._choices:
            self._choices[key] = select(
                self._candidates,
                campaign=req.campaign,
                channel=req.channel,
                language=req.language,
                reason=req.reason,
                segments=req.segments,
            )
        return self._choices[key]

    def fingerprint(self, req: DraftRequest) -> str | None:
        """Of everything the draft is made from, computed before rendering (None: no template).

        Remembered per request slot: a batch asks before drafting, the draft asks again.
        """
        slot = (req.key, req.language)
        if slot not in self._fingerprints:
            self._fingerprints[slot] = self._fingerprint(req)
        return self._fingerprints[slot]

    def _fingerprint(self, req: DraftRequest) -> str | None:
        choice = self.choose(req)
        if choice is None:
            return None
        profile = {name: req.context[name] for name in ("customer", "loss", "answers", "plan")}
        return fingerprint(
            self.name,
            req.key,
            req.language,
            profile,
            choice.template.sha256,
            self.bench.facts_hash,
            self.bench.as_of,
        )

    def estimate(self, req: DraftRequest) -> CallEstimate | None:
        """Templates render here: no API call."""
        return None

    def cost(self, tokens_in: int, tokens_out: int) -> float | None:
        return None

    def draft(self, req: DraftRequest) -> Draft:
        choice = self.choose(req)
        if choice is None:
            raise DraftError(
                f"no approved {req.campaign} {req.channel} template for language "
                f"{req.language!r} or English"
            )
        asked = req
        language = choice.template.header.language if choice.template.header else req.language
        if language != req.language:  # an English fallback quotes the facts in English too
            req = request(self.bench, req.customer_id, req.campaign, req.channel, language)
        subject, body = self._render(choice, req.context)
        draft = new_draft(self.bench, req, subject, body, engine=self.name)
        template = choice.template
        draft.template_id, draft.template_hash = template.id, template.sha256
        draft.language = language
        draft.language_fallback = choice.language_fallback
        draft.unapproved = self.bench.library.status(template) != "approved"
        draft.fingerprint = self.fingerprint(asked) or ""
        draft.findings = check_draft(draft, forbidden=self.bench.facts.forbidden_claims)
        return draft

    def _render(self, choice: Choice, context: dict[str, Any]) -> tuple[str | None, str]:
        from followup.render import compile_template, render

        item = choice.template
        assert item.header is not None
        language, subject_source = item.header.language, item.header.subject
        body = tidy(render(compile_template(item.body, language, item.id), context, item.id))
        if subject_source is None:
            return None, body
        subject = render(compile_template(subject_source, language, item.id), context, item.id)
        return subject.strip(), body


def tidy(text: str) -> str:
    """Trailing spaces off, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def new_draft(
    bench: Workbench, req: DraftRequest, subject: str | None, body: str, *, engine: str
) -> Draft:
    customer = req.context["customer"]
    recipient = customer["email"] if req.channel == "email" else customer["whatsapp"]
    return Draft(
        customer_id=req.customer_id,
        campaign=req.campaign,
        channel=req.channel,
        language=req.language,
        subject=subject,
        body=body,
        recipient=recipient,
        recipient_name=customer["contact_name"] or customer["company"],
        company=customer["company"],
        segment=customer["segment"],
        sender_name=bench.facts.sender.name,
        sender_email=bench.facts.sender.email,
        engine=engine,
    )
