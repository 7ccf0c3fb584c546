"""Company facts (`company.yaml`): the only things a draft may claim about the sender.

A strict pydantic model: a missing or invalid key is an error that names it. The
levers an urgency draft may pull (offer deadline, last production slot before a
closure, price change) are computed here from these facts and a date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from followup.data.reasons import ANGLES, LOSS_REASONS
from followup.errors import ConfigError

FACTS_FILE = "company.yaml"

#: free text a draft quotes: one string, or one per language (`{en: ..., es: ...}`)
Text = str | dict[str, str]

#: commitments without a figure that a draft may make only when the company makes them
#: (company.yaml `claims:`); the fact guard knows how each is written in every language
Claim = Literal[
    "free_shipping", "free_samples", "guarantee", "best_price", "exclusive",
    "waived_deposit", "certified", "faster_delivery", "lower_price",
]  # fmt: skip


def localize(value: Text, language: str) -> str:
    """The text for `language`: exact tag, then base language, then English, then any."""
    if isinstance(value, str):
        return value
    base = language.split("-", maxsplit=1)[0]
    for tag in (language, base, "en"):
        if tag in value:
            return value[tag]
    return next(iter(value.values()), "")


class _Strict(BaseModel):
    # allow_inf_nan: `.nan` / `.inf` are refused as numbers, wherever a number is asked for
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Sender(_Strict):
    name: str = Field(min_length=1, description="Full name of the person who signs")
    title: str = Field("", description="Job title under the name")
    email: str = Field(min_length=3, description="From: address of email drafts")
    phone: str = Field("", description="Office phone")
    whatsapp: str = Field("", description="E.164 number for WhatsApp")
    signature: str = Field(min_length=1, description="Block that ends every email draft")


class Rep(Sender):
    """A rep who signs the drafts of the customers the CRM lists under their owner value."""

    languages: list[str] = Field([], description="Languages the rep writes (BCP-47)")
    aliases: list[str] = Field([], description="Other spellings of the owner value (陈莉, lily)")
    mail_account: str = Field("", description="The rep's mailbox: [mail.accounts.NAME]")


class Offer(_Strict):
    name: Text
    discount_percent: float = Field(gt=0, lt=100)
    valid_until: dt.date
    conditions: Text = ""


class Closure(_Strict):
    name: Text
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Closure:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


#: days between goods ready and the factory closing, for booking, inspection and loading
SHIP_BUFFER_DAYS = 5


class Production(_Strict):
    lead_time_days: int = Field(gt=0, le=365)
    ship_buffer_days: int = Field(default=SHIP_BUFFER_DAYS, ge=0, le=60)
    closures: list[Closure] = []


class PriceChange(_Strict):
    date: dt.date
    description: Text


class Product(_Strict):
    name: str = Field(min_length=1)
    description: Text = ""


class CompanyFacts(_Strict):
    company: str = Field(min_length=1)
    website: str = ""
    sender: Sender
    #: rep profiles keyed by the owner value as the CRM export writes it
    reps: dict[str, Rep] = {}
    founded: int | None = Field(None, ge=1800, le=2100)
    achievements: list[Text] = []
    offers: list[Offer] = []
    production: Production
    price_changes: list[PriceChange] = []
    new_products: list[Product] = []
    #: the name buyers see for a product as the orders file (the ERP) writes it
    #: (`LED面板灯 600x600: LED Panel Light 600x600`), one or one per language
    product_names: dict[str, Text] = {}
    #: what changed since a customer left, keyed by the loss reason it answers, or by
    #: reason and angle (`delivery.reliability`: for buyers who named that angle)
    changes: dict[str, list[Text]] = {}
    forbidden_claims: list[str] = []
    #: what the company does promise without a figure (free samples, free shipping ...)
    claims: list[Claim] = []

    @field_validator("changes")
    @classmethod
    def _known_reasons(cls, value: dict[str, list[Text]]) -> dict[str, list[Text]]:
        for key in value:
            reason, _, angle = key.partition(".")
            if reason not in LOSS_REASONS:
                raise ValueError(f"unknown loss reason {reason!r} (use {', '.join(LOSS_REASONS)})")
            if angle and angle not in ANGLES.get(reason, {}):
                known = ", ".join(f"{reason}.{a}" for a in ANGLES.get(reason, {})) or "none"
                raise ValueError(f"unknown angle {key!r} (angles of {reason}: {known})")
        return value


def owner_key(owner: str) -> str:
    """How owner values are compared: case, width and spacing aside (` Lily  CHEN`)."""
    import unicodedata

    return " ".join(unicodedata.normalize("NFKC", owner).split()).casefold()


def rep_index(facts: CompanyFacts) -> dict[str, Sender]:
    """Owner value (as `owner_key`) -> the rep who signs that owner's customers; the same
    spelling for two reps is an error naming both."""
    index: dict[str, Sender] = {}
    named: dict[str, str] = {}
    for key, rep in facts.reps.items():
        for spelling in (key, *rep.aliases):
            folded = owner_key(spelling)
            if folded in named and named[folded] != key:
                raise ConfigError(
                    f"company.yaml: reps: {spelling!r} names both {named[folded]!r} and {key!r}"
                )
            named[folded] = key
            index[folded] = rep
    return index


def same_rep(reps: Mapping[str, Sender], owner: str, named: str) -> bool:
    """Whether `named` (an `--owner` value) means this owner: the same value (case and
    spacing aside), or a spelling of the same rep's profile (`reps`: `rep_index`), such as
    the rep's Chinese name."""
    a, b = owner_key(owner), owner_key(named)
    return a == b or (a in reps and reps.get(b) is reps[a])


def rep_for(facts: CompanyFacts, owner: str) -> Rep | None:
    """The rep profile an owner value (or alias) names, or None."""
    found = rep_index(facts).get(owner_key(owner)) if facts.reps else None
    return found if isinstance(found, Rep) else None


def rep_name(root: Path | None, value: str) -> str:
    """The name a rep signs with, for a value naming them (owner value or alias, as
    `rep_for`) in the workspace's company.yaml; `value` itself when no rep has it."""
    if root is None or not (root / FACTS_FILE).is_file():
        return value
    profile = rep_for(load_facts(root / FACTS_FILE), value)
    return profile.name if profile is not None else value


def load_facts(path: Path) -> CompanyFacts:
    """Read and validate `company.yaml`; errors name the file and the key."""
    import yaml

    from followup.files import load_yaml
    from followup.settings import describe_validation

    if not path.is_file():
        raise ConfigError(
            f"{path}: not found: drafting needs the sender's facts (create one with "
            "`followup init DIR`, or try --sample)"
        )
    try:
        data: Any = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read it ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected keys such as company, sender, production")
    try:
        facts = CompanyFacts.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe_validation(exc)}") from None
    rep_index(facts)  # two reps with one spelling: an error now, naming both
    return facts


LEVER_KINDS = ("offer", "production", "price_change")


class Lever(_Strict):
    """A true, dated reason to order now, with the date the customer must act by."""

    kind: str
    act_by: dt.date
    offer: Offer | None = None
    closure: Closure | None = None
    lead_time_days: int | None = None
    price_change: PriceChange | None = None


def levers(facts: CompanyFacts, today: dt.date) -> list[Lever]:
    """Every lever still open on `today`, soonest deadline first.

    - offer: valid until its `valid_until` day;
    - production: the last day to confirm an order that is made and loaded before a
      closure = closure start − lead time − shipping buffer (`production.ship_buffer_days`
      in company.yaml, 5 days unless set: booking, inspection and loading);
    - price change: order before the day the new prices apply.
    """
    found = [
        Lever(kind="offer", act_by=offer.valid_until, offer=offer)
        for offer in facts.offers
        if offer.valid_until >= today
    ]
    lead = facts.production.lead_time_days
    margin = lead + facts.production.ship_buffer_days
    for closure in facts.production.closures:
        last_slot = closure.start - dt.timedelta(days=margin)
        if last_slot >= today:
            found.append(
                Lever(kind="production", act_by=last_slot, closure=closure, lead_time_days=lead)
            )
    for change in facts.price_changes:
        if change.date > today:
            act_by = change.date - dt.timedelta(days=1)
            found.append(Lever(kind="price_change", act_by=act_by, price_change=change))
    return sorted(found, key=lambda lever: (lever.act_by, LEVER_KINDS.index(lever.kind)))
