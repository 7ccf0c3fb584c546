"""LLM prompts: one Jinja file per campaign, rendered in the sandbox into chat messages.

A prompt file is `prompts/<campaign>.j2`: a YAML header (id, campaign, temperature,
max_tokens, description) between `---` lines, then `{% block system %}` and
`{% block user %}`. The shipped prompts live in the package; a workspace's `prompts/`
overrides one with the same id. Customer free text reaches the model only fenced as
quoted data (`| quoted`), never as instructions.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from followup.campaigns import DEFAULT_LENGTH, DEFAULT_TONE, LENGTHS, CampaignName, channel_rule
from followup.drafting.context import DraftContext
from followup.errors import TemplateError, UsageError

if TYPE_CHECKING:
    from followup.drafting.draft import Draft
    from followup.drafting.workbench import DraftRequest


class PromptHeader(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    campaign: CampaignName
    temperature: float = Field(ge=0, le=2)
    max_tokens: int = Field(gt=0, le=4000)
    description: str = ""


@dataclass(frozen=True)
class Prompt:
    path: Path
    header: PromptHeader
    text: str
    body: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def shipped_prompts() -> Path:
    from importlib.resources import files

    packaged = Path(str(files("followup"))) / "_library" / "prompts"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[3] / "prompts"


def load_prompt(campaign: str, workspace_root: Path | None) -> Prompt:
    """The workspace's prompt for `campaign` if it has one, else the shipped one."""
    for root in ([workspace_root / "prompts"] if workspace_root else []) + [shipped_prompts()]:
        path = root / f"{campaign}.j2"
        if path.is_file():
            return parse_prompt(path)
    raise UsageError(f"no prompt for campaign {campaign!r} in prompts/")


def parse_prompt(path: Path) -> Prompt:
    from followup.files import load_yaml
    from followup.settings import describe_validation

    text = path.read_text(encoding="utf-8")
    match = re.match(r"^---\s*\n(.*?)\n---\s*\n?(.*)$", text, re.DOTALL)
    if not match:
        raise TemplateError(f"{path}: no header: the file must start with a `---` block")
    try:
        header = PromptHeader.model_validate(load_yaml(match.group(1)) or {})
    except ValidationError as exc:
        raise TemplateError(f"{path}: header {describe_validation(exc)}") from None
    return Prompt(path, header, text, match.group(2))


@dataclass(frozen=True)
class Messages:
    system: str
    user: str

    def as_list(self) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]


def render_prompt(prompt: Prompt, context: PromptContext) -> Messages:
    """The chat messages for one draft (sandboxed and bounded as templates are, strict:
    an unknown name is an error)."""
    from followup.drafting.sandbox import compile_template, render_block

    name = str(prompt.path)
    template = compile_template(prompt.body, context["language"], name)
    parts = {
        block: render_block(template, block, context, name).strip() for block in ("system", "user")
    }
    return Messages(parts["system"], parts["user"])


def language_name(language: str) -> str:
    """`pt-BR` -> `Portuguese (Brazil)`: what the model is asked to write in."""
    from babel import Locale

    from followup.formatting import babel_locale

    return str(Locale.parse(babel_locale(language)).get_display_name("en"))


class BaselineContext(TypedDict):
    subject: str | None
    body: str


class PromptContext(DraftContext):
    """What a prompt knows: the draft context, plus the baseline draft, the rules, the facts."""

    language: str  # the language to write in (BCP-47)
    language_name: str  # ... in English words: `Portuguese (Brazil)`
    channel: str
    channel_rules: str  # the channel's format and limits
    tone: str
    length: str  # in words: `about 120 words`
    baseline: BaselineContext  # the approved template's draft to personalise
    facts: list[str]  # the facts a draft may use, one a line


def prompt_context(
    context: DraftContext,
    *,
    baseline: tuple[str | None, str],
    language: str,
    channel: str,
    tone: str,
    length: str,
    allowed: list[str],
) -> PromptContext:
    """The draft context plus what only prompts need: the baseline draft, the rules, the facts."""
    subject, body = baseline
    return {
        **context,
        "language": language,
        "language_name": language_name(language),
        "channel": channel,
        "channel_rules": channel_rule(channel),
        "tone": tone,
        "length": LENGTHS[length],
        "baseline": {"subject": subject, "body": body},
        "facts": allowed,
    }


def fact_lines(context: DraftContext) -> list[str]:
    """The facts a draft may use, one per line, values as plain as possible (ISO dates)."""
    c, lines = context["customer"], []
    lines.append(
        f"customer company: {c['company']}; contact person: {c['contact_name'] or '(none)'}"
    )
    if c["customer_since"]:
        lines.append(f"customer since {c['customer_since']} ({c['years_as_customer']} years)")
    lines.append(
        f"orders this year: {c['orders_this_year']}; order value this year: {c['volume_this_year']}"
    )
    if c["products"]:
        lines.append("products the customer usually orders: " + ", ".join(c["products"]))
    lines += _offer_lines(context)
    lines += [f"this year: {item}" for item in context["company"]["achievements"]]
    lines += [f"what changed since the customer left: {item}" for item in context["answers"]]
    lines += [
        f"new product: {p['name']} — {p['description']}" for p in context["company"]["new_products"]
    ]
    plan = context["plan"]
    if plan and plan["next_order"]:
        lines.append(f"the customer's next order is expected around {plan['next_order']}")
    sender = context["sender"]
    lines.append(f"sender: {sender['name']}, {sender['title']}, {context['company']['name']}")
    return lines


def _offer_lines(context: DraftContext) -> list[str]:
    lines = []
    offer, production, change = context["offer"], context["production"], context["price_change"]
    if offer:
        lines.append(
            f"offer: {offer['name']}, {offer['discount_percent']:g}% off, valid until "
            f"{offer['valid_until']}" + (f" ({offer['conditions']})" if offer["conditions"] else "")
        )
    lines.append(f"production lead time: {production['lead_time_days']} days")
    if production["closure"]:
        closure = production["closure"]
        lines.append(
            f"factory closed for {closure['name']} from {closure['start']} to {closure['end']}; "
            f"last day to confirm an order that ships before it: {production['last_slot']}"
        )
    if change:
        lines.append(f"price change on {change['date']}: {change['description']}")
    return lines


def build_messages(
    prompt: Prompt,
    req: DraftRequest,
    baseline: Draft,
    *,
    tone: str = DEFAULT_TONE,
    length: str = DEFAULT_LENGTH,
) -> Messages:
    """The exact messages an LLM draft of `req` sends, personalising `baseline`."""
    context = prompt_context(
        req.context,
        baseline=(baseline.subject, baseline.body),
        language=req.language,
        channel=req.channel,
        tone=tone,
        length=length,
        allowed=fact_lines(req.context),
    )
    return render_prompt(prompt, context)
