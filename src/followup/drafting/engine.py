"""Engines: the one interface every engine has (`Engine`), and the template engine.

`TemplateEngine` renders the best approved template for a request: deterministic and
offline. The LLM engine (`followup.llm.engine`) stands beside it behind the same
interface, and starts from its draft.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Protocol

from followup.campaigns import CHANNELS
from followup.drafting.checks import check_draft
from followup.drafting.chinese import converts, to_script
from followup.drafting.context import stated_facts
from followup.drafting.draft import Draft, fingerprint
from followup.drafting.library import Choice, TemplateFile, select
from followup.drafting.workbench import DraftRequest, Workbench, in_language
from followup.errors import DraftError, FollowupError

if TYPE_CHECKING:
    from followup.drafting.context import DraftContext


@dataclass(frozen=True)
class CallEstimate:
    """What drafting one request asks of an API: tokens sent (estimated), at most back, in
    how many requests (before any re-ask)."""

    tokens_in: int
    tokens_out: int
    calls: int = 1


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
        self._last: tuple[tuple[str, str], Draft] | None = None  # rendered by fingerprint

    @property
    def candidates(self) -> list[TemplateFile]:
        return self._candidates

    @candidates.setter
    def candidates(self, templates: list[TemplateFile]) -> None:
        self._candidates = templates
        self._choices, self._fingerprints, self._last = {}, {}, None

    def choose(self, req: DraftRequest) -> Choice | None:
        """The template for a request (the choice depends on a few fields: cached)."""
        key = (req.campaign, req.channel, req.language, req.reason, req.segments, req.touch)
        if key not in self._choices:
            self._choices[key] = select(
                self._candidates,
                campaign=req.campaign,
                channel=req.channel,
                language=req.language,
                reason=req.reason,
                segments=req.segments,
                touch=req.touch,
            )
        return self._choices[key]

    def fingerprint(self, req: DraftRequest) -> str | None:
        """Of what the draft is made of: the template and what it renders for this customer
        (subject, body, addresses), not the day as such, so a draft whose text does not
        change is not made again tomorrow (None: no template, or it does not render).

        Remembered per request slot; the rendered draft is kept for the `draft` call a
        batch makes next.
        """
        slot = (req.key, req.language)
        if slot not in self._fingerprints:
            try:
                made = self._make(req) if self.choose(req) is not None else None
            except FollowupError:  # `draft` raises it, for the batch to record
                made = None
            self._fingerprints[slot] = None if made is None else made.fingerprint
            self._last = None if made is None else (slot, made)
        return self._fingerprints[slot]

    def estimate(self, req: DraftRequest) -> CallEstimate | None:
        """Templates render here: no API call."""
        return None

    def cost(self, tokens_in: int, tokens_out: int) -> float | None:
        return None

    def draft(self, req: DraftRequest) -> Draft:
        slot = (req.key, req.language)
        if self._last is not None and self._last[0] == slot:
            made, self._last = self._last[1], None
        else:
            made = self._make(req)
        return self.glossed(made, req)

    def glossed(self, draft: Draft, req: DraftRequest) -> Draft:
        """The draft with its Chinese view (`summary_zh`, 中文对照, for the rep: never in the
        buyer's file): the same slot's zh template (`followup.drafting.gloss`); a draft in
        Simplified Chinese is its own view."""
        if draft.language == GLOSS_LANGUAGE or draft.language.startswith("zh-Hans"):
            draft.summary_zh = view_text(draft.subject, draft.body)
        else:
            found = self.chinese(req)
            draft.summary_zh = view_text(*found) if found else ""
        draft.summary_zh_by = "template" if draft.summary_zh else ""
        return draft

    def chinese(self, req: DraftRequest) -> tuple[str | None, str] | None:
        """(subject, body) of the same slot's zh template for `req`'s context with the
        company's text in Chinese, or None when no usable zh template fits the slot."""
        chinese = in_language(self.bench, req, GLOSS_LANGUAGE)
        choice = self.choose(chinese)
        if choice is None or choice.language_fallback:
            return None
        return self._render(choice, chinese.context)

    def _make(self, req: DraftRequest) -> Draft:
        return self.baseline(req).draft

    def baseline(self, req: DraftRequest) -> Baseline:
        """The template draft, with the approved wording of each region an LLM may rewrite."""
        choice = self.choose(req)
        if choice is None:
            raise DraftError(
                f"no approved {req.campaign} {req.channel} template for language "
                f"{req.language!r} or English"
            )
        language = choice.template.header.language if choice.template.header else req.language
        traditional = converts(language, req.language)  # zh-TW from a zh template
        if language != req.language and not traditional:
            req = in_language(self.bench, req, language)  # an English fallback quotes the
            # facts in English too; a Traditional reader's context is the zh one already
        seen: dict[str, str] = {}
        subject, body = self._render(choice, req.context, seen=seen)
        if traditional:
            subject, body = _in_script(subject, req.language), to_script(body, req.language)
            seen = {name: to_script(text, req.language) for name, text in seen.items()}
        draft = self.finished(choice, req, subject, body)
        regions = choice.template.header.regions if choice.template.header else []
        found = {**seen, **({"subject": subject} if subject is not None else {})}
        wording: dict[str, str] = {name: found[name] for name in regions if name in found}
        return Baseline(draft, choice, req, wording)

    def assemble(self, base: Baseline, texts: dict[str, str]) -> Draft:
        """The template draft with these regions' text in place of the approved wording."""
        body_texts = {
            name: text.strip() + ("\n" if base.wording[name].endswith("\n") else "")
            for name, text in texts.items()
            if name != "subject"
        }
        subject, body = self._render(base.choice, base.request.context, regions=body_texts)
        if "subject" in texts:
            subject = " ".join(texts["subject"].split())
        if _traditional(base):  # the approved text around the regions, as the buyer reads it
            subject, body = (
                _in_script(subject, base.request.language),
                to_script(body, base.request.language),
            )
        return self.finished(base.choice, base.request, subject, body)

    def skeleton(self, base: Baseline) -> str:
        """The template draft's body with each region an LLM rewrites shown as `[OPENING]`:
        the message a writer sees around the parts it writes."""
        marks = {
            name: f"[{name.upper()}]" + ("\n" if text.endswith("\n") else "")
            for name, text in base.wording.items()
            if name != "subject"
        }
        _, body = self._render(base.choice, base.request.context, regions=marks)
        return to_script(body, base.request.language) if _traditional(base) else body

    def finished(self, choice: Choice, req: DraftRequest, subject: str | None, body: str) -> Draft:
        """A draft of `choice` for `req` with this text: provenance, findings, fingerprint."""
        draft = new_draft(self.bench, req, subject, body, engine=self.name)
        template = choice.template
        draft.template_id, draft.template_hash = template.id, template.sha256
        draft.language = req.language
        draft.language_fallback = choice.language_fallback
        draft.unapproved = self.bench.library.status(template) != "approved"
        draft.findings = check_draft(draft, forbidden=self.bench.facts.forbidden_claims)
        draft.facts = stated_facts(req.context, req.campaign)
        draft.fingerprint = _content_hash(draft)
        return draft

    def _render(
        self,
        choice: Choice,
        context: DraftContext,
        *,
        regions: dict[str, str] | None = None,
        seen: dict[str, str] | None = None,
    ) -> tuple[str | None, str]:
        from followup.drafting.sandbox import compile_template, render

        item = choice.template
        assert item.header is not None
        language, subject_source = item.header.language, item.header.subject
        template = compile_template(item.body, language, item.id)
        body = tidy(render(template, context, item.id, regions=regions, seen=seen))
        if subject_source is None:
            return None, body
        subject = render(compile_template(subject_source, language, item.id), context, item.id)
        return subject.strip(), body


#: the language of the rep's view (`TemplateEngine.glossed`)
GLOSS_LANGUAGE: Final = "zh"


def view_text(subject: str | None, body: str) -> str:
    """The Chinese view as one text: `主题：` and the subject (when the channel has one),
    then the body."""
    return f"主题：{subject}\n\n{body}" if subject else body


@dataclass(frozen=True)
class Baseline:
    """A template draft and what an LLM may rewrite in it: region -> its approved wording
    (as rendered for this customer), and the request it was rendered for."""

    draft: Draft
    choice: Choice
    request: DraftRequest  # in the template's language (an English fallback is English)
    wording: dict[str, str]


def _traditional(base: Baseline) -> bool:
    """Whether the baseline's Simplified template drafts for a Traditional reader."""
    header = base.choice.template.header
    return header is not None and converts(header.language, base.request.language)


def _in_script(subject: str | None, language: str) -> str | None:
    return None if subject is None else to_script(subject, language)


def _content_hash(draft: Draft) -> str:
    """What a template draft is made of, as its file shows it: who from and to, the text,
    the template it came from (the day it was made is not part of it)."""
    return fingerprint(
        "template",
        draft.key,
        draft.language,
        draft.template_hash,
        draft.subject,
        draft.body,
        draft.recipient,
        draft.recipient_name,
        draft.sender_name,
        draft.sender_email,
        *((draft.in_reply_to, draft.references) if draft.touch > 1 else ()),
    )


def tidy(text: str) -> str:
    """Trailing spaces off, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def new_draft(
    bench: Workbench, req: DraftRequest, subject: str | None, body: str, *, engine: str
) -> Draft:
    customer = req.context["customer"]
    recipient = customer[CHANNELS[req.channel].address_field]
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
        sender_name=req.context["sender"]["name"],
        sender_email=req.context["sender"]["email"],
        engine=engine,
        touch=req.touch,
        in_reply_to=req.previous.message_id if req.previous else "",
        references=req.previous.thread if req.previous else (),
    )
