"""A draft and its provenance: what every engine returns and the outbox records."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any, Literal

from followup.formatting import Money  # a plain module: Babel loads only when used
from followup.redact import clip

Severity = Literal["error", "warning"]
DraftStatus = Literal["ok", "findings", "failed"]


@dataclass(frozen=True)
class Finding:
    """One check result on a draft (docs/campaigns.md, "Checks on every draft")."""

    code: str  # e.g. "placeholder", "subject_length", "forbidden_phrase"
    message: str
    severity: Severity = "error"


@dataclass
class Draft:
    """A finished draft for one customer, campaign and channel."""

    customer_id: str
    campaign: str
    channel: str  # "email" | "whatsapp"
    language: str  # language of the text
    subject: str | None
    body: str
    recipient: str  # email address or WhatsApp number ("" when missing)
    recipient_name: str  # contact person, or the company when there is none
    company: str
    segment: str
    sender_name: str
    sender_email: str
    engine: str  # "template" | "llm"
    template_id: str | None = None
    template_hash: str | None = None
    prompt_id: str | None = None
    prompt_hash: str | None = None
    model: str | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    latency_ms: int | None = None
    fallback_reason: str | None = None
    language_fallback: bool = False  # no template in the customer's language: English used
    #: written by the model in the customer's language from the approved template in this
    #: one (no template in the customer's language: `followup.llm.translation`)
    translated_from: str | None = None
    #: the rep's Chinese view of the draft (中文对照): index and review sheet only, never
    #: the buyer's file (`followup.drafting.gloss`)
    summary_zh: str = ""
    summary_zh_by: str = ""  # "template": the zh template's; "model": the LLM's, guarded
    #: the dated and counted facts it was given, by role (`context.stated_facts`)
    facts: dict[str, str] = field(default_factory=dict)
    unapproved: bool = False  # drafted with --allow-unapproved from an unapproved template
    findings: list[Finding] = field(default_factory=list)
    fingerprint: str = ""  # of everything the draft was made from (resume skips unchanged)
    #: llm: the regions of the template the model rewrote, the ones that kept the approved
    #: wording (region -> why), and what the model wrote there (redacted, cut short)
    rewritten: list[str] = field(default_factory=list)
    kept: dict[str, str] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)
    #: a later touch (2, 3 ...): the reply to an unanswered first message, in its thread
    touch: int = 1
    in_reply_to: str = ""  # the Message-ID of the message it follows up
    references: tuple[str, ...] = ()  # the thread's Message-IDs, oldest first

    @property
    def key(self) -> str:
        """Identifies the draft slot in an outbox: one per customer, campaign, channel (and
        touch, after the first)."""
        return f"{self.customer_id}.{self.campaign}.{self.channel}{key_suffix(self.touch)}"

    @property
    def status(self) -> DraftStatus:
        if any(f.severity == "error" for f in self.findings):
            return "findings"
        return "ok"

    def record(self) -> dict[str, Any]:
        """The index record (drafts.jsonl, drafts.csv): the draft, its origin, its findings.

        Its free text about what went wrong (`fallback_reason`, the findings' messages)
        is redacted and cut short (`followup.redact.clip`): it may quote a server.
        """
        data = {f.name: getattr(self, f.name) for f in fields(self)}  # shallow: fast
        if self.fallback_reason:
            data["fallback_reason"] = clip(self.fallback_reason)
        data["rewritten"] = list(self.rewritten)
        data["references"] = list(self.references)
        data["kept"] = {name: clip(why) for name, why in self.kept.items()}
        data["rejected"] = {name: clip(text) for name, text in self.rejected.items()}
        data["findings"] = [
            {"code": f.code, "message": clip(f.message), "severity": f.severity}
            for f in self.findings
        ]
        data["status"] = self.status
        data["key"] = self.key
        return data


def key_suffix(touch: int) -> str:
    """What a later touch adds to a draft's key (`.t2`): its own slot and file in the outbox,
    next to the first message's."""
    return f".t{touch}" if touch > 1 else ""


def fingerprint(*parts: Any) -> str:
    """A stable sha256 of JSON-serialisable parts (dates as ISO text, dataclasses as fields)."""
    text = _FINGERPRINT_JSON.encode(parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):  # date or datetime: the most frequent, checked first
        return value.isoformat()
    if isinstance(value, Money):
        return [value.amount, value.currency]
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return str(value)


# as json.dumps(parts, sort_keys=True, default=_plain, ensure_ascii=False), built once
_FINGERPRINT_JSON = json.JSONEncoder(sort_keys=True, default=_plain, ensure_ascii=False)
