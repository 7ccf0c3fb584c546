"""The draft context: what a template, a prompt and the fact guard know about one customer.

Its shape is typed here once (`DraftContext` and the records in it); `docs/templates.md`
lists every name from these types (`context_fields`), and `templates lint` refuses a name
that is not in them. Built once per batch for every customer, from the workspace's data,
the RFM segments of both schemes and the company facts. Only these values reach a
template.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    Final,
    TypedDict,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

from followup.data.facts import CompanyFacts, Sender, levers, localize
from followup.data.reasons import LOSS_REASONS, angle_of
from followup.formatting import Money

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from followup.analysis.customer_stats import CustomerStats
    from followup.reorder.plan import PlanRow, ReorderPlan


class CustomerContext(TypedDict):
    """`customer`: the buyer, from the customers file, its orders and its segments."""

    id: Annotated[str, "customer id"]
    company: Annotated[str, "company name"]
    contact_name: Annotated[
        str, "contact person; may be empty, so write `customer.contact_name or customer.company`"
    ]
    first_name: Annotated[
        str,
        "how an informal greeting names the buyer: the salutation, else the first word of "
        "the contact's name (may be empty)",
    ]
    contact_name_latin: Annotated[str, "the contact's name in Latin letters, when the data has it"]
    greeting_name: Annotated[
        str,
        "how a formal greeting names the buyer: the salutation, else the contact's name "
        "(may be empty: then greet with `neutral_greeting`)",
    ]
    email: Annotated[str, "the email address a draft goes to"]
    whatsapp: Annotated[str, "the WhatsApp number a draft goes to"]
    country: Annotated[str, "as in the customers file"]
    language: Annotated[str, "the customer's language (BCP-47; `en` when the file has none)"]
    owner: Annotated[str, "the rep who owns the customer, as in the customers file"]
    tier: Annotated[str, "as in the customers file"]
    notes: Annotated[str, "the rep's notes (data: printed as written, never run)"]
    segment: Annotated[str, "classic RFM segment"]
    segment_label: Annotated[str, "the classic segment's Chinese label"]
    cn8_segment: Annotated[str, "cn8 segment"]
    orders: Annotated[int, "purchase orders so far"]
    spend: Annotated[
        Money, "net spend so far, in the base currency (internal: for segments, not buyers)"
    ]
    first_order: Annotated[dt.date | None, "date of the first purchase"]
    last_order: Annotated[dt.date | None, "date of the latest purchase"]
    days_since_order: Annotated[int | None, "days since the latest purchase"]
    customer_since: Annotated[int | None, "year of the first purchase"]
    years_as_customer: Annotated[int, "whole years since the first purchase"]
    orders_this_year: Annotated[int, "purchase orders this calendar year"]
    volume_this_year: Annotated[
        Money,
        "net order value this calendar year, in the currency the buyer was invoiced in "
        "(`{{ customer.volume_this_year | money }}`); 0 when it paid in several currencies",
    ]
    currency: Annotated[str | None, "the currency the buyer is invoiced in (of most orders)"]
    products: Annotated[list[str], "up to three products the customer orders most"]


class LossContext(TypedDict):
    """`loss`: the customer's latest loss record."""

    reason: Annotated[str, "the reason id (docs/data.md), or the text when unknown"]
    reason_label: Annotated[str, "the reason in words"]
    detail: Annotated[str, "what the customer said (data: printed as written, never run)"]
    competitor: Annotated[str, "who won the deal, when known"]
    lost_date: Annotated[dt.date | None, "when the deal was lost"]
    angle: Annotated[
        str | None,
        "what within the reason the customer named (docs/data.md: delivery: `lead_time`, "
        "`reliability`, `stock`; price: `list_price`, `terms`, `moq`), or none",
    ]


class Profile(TypedDict):
    """One customer's part of the context, built once per batch."""

    customer: Annotated[CustomerContext, "the buyer"]
    loss: Annotated[LossContext | None, "the latest loss record, or none"]


class SenderContext(TypedDict):
    name: Annotated[str, "the person who signs"]
    title: Annotated[str, "job title"]
    email: Annotated[str, "From: address"]
    phone: Annotated[str, "office phone"]
    whatsapp: Annotated[str, "WhatsApp number"]
    signature: Annotated[str, "the block that ends every email"]


class ProductContext(TypedDict):
    name: Annotated[str, "product name"]
    description: Annotated[str, "what it is, in the draft's language"]


class CompanyContext(TypedDict):
    name: Annotated[str, "the sender's company"]
    website: Annotated[str, "its website"]
    founded: Annotated[int | None, "year founded"]
    achievements: Annotated[list[str], "this year's achievements (company.yaml)"]
    new_products: Annotated[list[ProductContext], "new products (company.yaml)"]


class OfferContext(TypedDict):
    name: Annotated[str, "the offer's name"]
    discount_percent: Annotated[float, "its discount, in percent (`| percent`)"]
    valid_until: Annotated[dt.date, "its deadline"]
    conditions: Annotated[str, "its conditions"]


class ClosureContext(TypedDict):
    name: Annotated[str, "the closure's name (e.g. Chinese New Year)"]
    start: Annotated[dt.date, "first day closed"]
    end: Annotated[dt.date, "last day closed"]


class ProductionContext(TypedDict):
    lead_time_days: Annotated[int, "days from deposit to goods ready"]
    closure: Annotated[ClosureContext | None, "the next factory closure, or none"]
    last_slot: Annotated[
        dt.date | None,
        "the last day to confirm an order that ships before it (start − lead time − "
        "shipping buffer)",
    ]


class PriceChangeContext(TypedDict):
    date: Annotated[dt.date, "the day new prices apply"]
    description: Annotated[str, "what changes"]


class LeverContext(TypedDict):
    kind: Annotated[str, "offer, production or price_change"]
    act_by: Annotated[dt.date, "the day the customer must act by"]


class CompanyPart(TypedDict):
    """The part of the context that is the same for every customer in one language."""

    sender: Annotated[SenderContext, "the signer"]
    company: Annotated[CompanyContext, "the sender's company"]
    offer: Annotated[OfferContext | None, "the open offer with the soonest deadline, or none"]
    production: Annotated[ProductionContext, "lead time and the next closure"]
    price_change: Annotated[PriceChangeContext | None, "the next announced price change, or none"]
    lever: Annotated[LeverContext | None, "the open lever with the soonest deadline (urgency)"]
    levers: Annotated[list[LeverContext], "every open lever, soonest first"]
    year: Annotated[int, "the as-of year"]
    next_year: Annotated[int, "the year after"]
    today: Annotated[dt.date, "the as-of date"]
    neutral_greeting: Annotated[
        str,
        "the greeting line for a buyer with no name on file, in the draft's language "
        "(`Dear Sir or Madam,`, `Sehr geehrte Damen und Herren,`)",
    ]


#: the greeting of a buyer whose name is not on file, by language (never the company's name)
NEUTRAL_GREETINGS: Final = {
    "en": "Dear Sir or Madam,",
    "de": "Sehr geehrte Damen und Herren,",
    "fr": "Madame, Monsieur,",
    "es": "Estimados señores:",
    "pt": "Prezados senhores,",
    "it": "Gentili Signori,",
    "nl": "Geachte heer, mevrouw,",
    "zh": "尊敬的客户：",
}


def neutral_greeting(language: str) -> str:
    """`NEUTRAL_GREETINGS` for `language` or its base language, else the English one."""
    base = language.split("-", maxsplit=1)[0].lower()
    return NEUTRAL_GREETINGS.get(language, NEUTRAL_GREETINGS.get(base, NEUTRAL_GREETINGS["en"]))


class PlanContext(TypedDict):
    """`plan`: what a draft may say about the reorder plan (figures the plan computed)."""

    year: Annotated[int, "the plan's year"]
    next_order: Annotated[dt.date | None, "the next expected order's date"]
    amount: Annotated[Money | None, "its expected amount"]
    orders_expected: Annotated[int, "orders expected in the plan year"]
    products: Annotated[list[str], "the customer's usual products"]
    contact_by: Annotated[dt.date | None, "the contact-by date"]


class PreviousContext(TypedDict):
    """`previous`: the message a later touch follows up (`batch --touch 2`), as sent."""

    touch: Annotated[int, "which touch it was (1: the first message)"]
    subject: Annotated[str, "its subject as sent"]
    reply_subject: Annotated[str, "the subject of a reply to it: `Re: ` and its subject"]
    sent_on: Annotated[dt.date, "the day it was sent"]
    days_ago: Annotated[int, "days between then and the as-of day"]


class DraftContext(Profile, CompanyPart):
    """Everything a template may use for one draft."""

    answers: Annotated[
        tuple[str, ...],
        "what changed since, for the customer's loss reason and angle (company.yaml)",
    ]
    angle: Annotated[str | None, "the latest loss's angle (`loss.angle`), or none"]
    plan: Annotated[
        PlanContext | None, "the reorder plan's next expected order (batch --from-plan), or none"
    ]
    previous: Annotated[
        PreviousContext | None,
        "the message this one follows up (a touch-2 template, `batch --touch 2`), or none",
    ]


def context_fields(shape: type = DraftContext, prefix: str = "") -> list[tuple[str, str, str]]:
    """(name, kind, what) for every name in the context, nested records' fields after their
    record (`offer`, then `offer.name` ...): the table in docs/templates.md."""
    rows = []
    for name, hint in get_type_hints(shape, include_extras=True).items():
        kind, doc = get_args(hint)[0], get_args(hint)[1]
        rows.append((f"{prefix}{name}", _kind(kind), doc))
        record = _record(kind)
        if record is not None:
            inner = (
                f"{prefix}{name}[]." if get_origin(_optional(kind)) is list else f"{prefix}{name}."
            )
            rows += context_fields(record, inner)
    return rows


def context_names() -> frozenset[str]:
    """The top-level names of the context: all a template may use."""
    return frozenset(get_type_hints(DraftContext))


def _optional(kind: Any) -> Any:
    """`X | None` -> X."""
    args = [a for a in get_args(kind) if a is not type(None)]
    return args[0] if get_origin(kind) in (Union, type(int | None)) and len(args) == 1 else kind


def _record(kind: Any) -> type | None:
    inner = _optional(kind)
    if get_origin(inner) is list:
        inner = get_args(inner)[0]
    return inner if isinstance(inner, type) and issubclass(inner, dict) else None


_KINDS = {str: "text", int: "number", float: "number", dt.date: "date", Money: "money"}


def _kind(kind: Any) -> str:
    inner = _optional(kind)
    suffix = " or none" if inner is not kind else ""
    if get_origin(inner) in (list, tuple):
        item = get_args(inner)[0]
        return f"list of {'records' if _record(inner) else _KINDS.get(item, 'values')}{suffix}"
    if _record(inner) is not None:
        return f"record{suffix}"
    return f"{_KINDS.get(inner, 'value')}{suffix}"


def latest_losses(losses: pd.DataFrame | None) -> dict[str, LossContext]:
    """The latest loss record per customer (by lost_date, then file order)."""
    import pandas as pd

    if losses is None or losses.empty:
        return {}
    from followup.analysis.losses import latest_per_customer

    result: dict[str, LossContext] = {}
    for row in latest_per_customer(losses).to_dict("records"):
        reason = str(row["reason"])
        lost = row["lost_date"]
        result[str(row["customer_id"])] = {
            "reason": reason,
            "reason_label": LOSS_REASONS[reason].label if reason in LOSS_REASONS else reason,
            "detail": row["detail"],
            "competitor": row["competitor"],
            "lost_date": None if pd.isna(lost) else lost.date(),
            "angle": angle_of(reason, str(row["detail"] or "")),
        }
    return result


def sender_context(sender: Sender) -> SenderContext:
    """`sender`: who signs (company.yaml's sender, or the customer's rep)."""
    return {
        "name": sender.name,
        "title": sender.title,
        "email": sender.email,
        "phone": sender.phone,
        "whatsapp": sender.whatsapp,
        "signature": sender.signature,
    }


def company_context(facts: CompanyFacts, as_of: dt.date, language: str) -> CompanyPart:
    """The part of the context that is the same for every customer in one language."""
    text = partial(localize, language=language)
    open_levers = levers(facts, as_of)
    offer = next((lv.offer for lv in open_levers if lv.offer is not None), None)
    closure = next((lv for lv in open_levers if lv.kind == "production"), None)
    change = next((lv.price_change for lv in open_levers if lv.price_change is not None), None)
    lever_list: list[LeverContext] = [{"kind": lv.kind, "act_by": lv.act_by} for lv in open_levers]
    return {
        "sender": sender_context(facts.sender),
        "company": {
            "name": facts.company,
            "website": facts.website,
            "founded": facts.founded,
            "achievements": [text(a) for a in facts.achievements],
            "new_products": [
                {"name": p.name, "description": text(p.description)} for p in facts.new_products
            ],
        },
        "offer": None
        if offer is None
        else {
            "name": text(offer.name),
            "discount_percent": offer.discount_percent,
            "valid_until": offer.valid_until,
            "conditions": text(offer.conditions),
        },
        "production": {
            "lead_time_days": facts.production.lead_time_days,
            "closure": None
            if closure is None or closure.closure is None
            else {
                "name": text(closure.closure.name),
                "start": closure.closure.start,
                "end": closure.closure.end,
            },
            "last_slot": closure.act_by if closure else None,
        },
        "price_change": None
        if change is None
        else {"date": change.date, "description": text(change.description)},
        "lever": lever_list[0] if lever_list else None,
        "levers": lever_list,
        "year": as_of.year,
        "next_year": as_of.year + 1,
        "today": as_of,
        "neutral_greeting": neutral_greeting(language),
    }


def stated_facts(context: DraftContext, campaign: str) -> dict[str, str]:
    """The dated and counted facts a draft of `campaign` is given to state, by role, dates
    as ISO text (the review sheet's `facts` column: what to check the draft against)."""
    from followup.campaigns import CAMPAIGNS

    kind, facts = CAMPAIGNS[campaign], {}
    offer, production = context["offer"], context["production"]
    if offer and not kind.shows_year:
        facts["offer"] = (
            f"{offer['name']}: {offer['discount_percent']:g}% until {offer['valid_until']}"
        )
    closure = production["closure"]
    if production["last_slot"] and closure:
        facts["last slot"] = (
            f"{production['last_slot']} (before {closure['name']}, {closure['start']} to "
            f"{closure['end']}; lead time {production['lead_time_days']} days)"
        )
    if context["price_change"] and kind.needs_lever:
        facts["price change"] = str(context["price_change"]["date"])
    customer = context["customer"]
    if kind.shows_year and customer["orders_this_year"]:
        value = customer["volume_this_year"]
        amount = f", {value.currency or ''} {value.amount:,.2f}".rstrip() if value.amount else ""
        facts["this year"] = f"{customer['orders_this_year']} orders{amount}"
    if kind.by_loss_reason and context["answers"]:
        facts["what changed"] = "; ".join(context["answers"])
    if context["previous"]:
        facts["follows up"] = (
            f"touch {context['previous']['touch']} of {context['previous']['sent_on']}"
        )
    return facts


def greeted_in(customer: CustomerContext, language: str) -> CustomerContext:
    """The customer as a draft in `language` greets it: a name in a script the language is
    not written in (`Иван Петров` in English) is replaced by its Latin form when the data
    has one (`contact_name_latin`); else it is kept (the pre-flight flags it)."""
    latin = customer["contact_name_latin"]
    if not latin or not customer["greeting_name"]:
        return customer
    from followup.langid import foreign_script

    if foreign_script(customer["greeting_name"], language) is None:
        return customer
    return {**customer, "greeting_name": latin, "first_name": latin.split()[0]}


def answered_reason(loss: LossContext | None) -> str:
    """The loss reason a reactivation answers: the latest loss's, or `other` (none or unknown)."""
    reason = loss["reason"] if loss else "other"
    return reason if reason in LOSS_REASONS else "other"


def answers(facts: CompanyFacts, reason: str, angle: str | None, language: str) -> list[str]:
    """What changed since the customer left, in `language`: company.yaml's `changes` for
    the reason's angle (`delivery.reliability`) when it has some, else for the reason."""
    items = facts.changes.get(f"{reason}.{angle}") if angle else None
    return [localize(item, language) for item in items or facts.changes.get(reason, [])]


def customer_contexts(
    table: pa.Table,
    *,
    cn8_segments: dict[str, str],
    stats: CustomerStats,
    losses: dict[str, LossContext],
    currency: str | None,
    as_of: dt.date,
) -> dict[str, Profile]:
    """The `customer` and `loss` names per customer id (the rows of the segment table).

    Built column by column: one batch makes 10,000 of them.
    """
    n = table.num_rows
    names = set(table.column_names)
    col: dict[str, list[Any]] = {
        name: table.column(name).to_pylist() if name in names else [None] * n for name in _ROW
    }
    text = [[value or "" for value in col[name]] for name in _TEXT]
    contexts: dict[str, Profile] = {}
    for i, cid in enumerate(col["customer_id"]):
        first = col["first_order"][i]
        contact = (col["contact_name"][i] or "").strip()
        salutation = " ".join((col["salutation"][i] or "").split())
        volume = _buyers_money(stats, cid, currency)
        company, email, whatsapp, country, owner, tier, notes, label = (c[i] for c in text)
        customer: CustomerContext = {
            "id": cid,
            "company": company,
            "contact_name": contact,
            "contact_name_latin": " ".join((col["contact_name_latin"][i] or "").split()),
            "first_name": salutation or (contact.split()[0] if contact else ""),
            "greeting_name": salutation or contact,
            "email": email,
            "whatsapp": whatsapp,
            "country": country,
            "language": col["language"][i] or "en",
            "owner": owner,
            "tier": tier,
            "notes": notes,
            "segment": col["segment"][i],
            "segment_label": label,
            "cn8_segment": cn8_segments[cid],
            "orders": col["frequency"][i],
            "spend": Money(col["monetary"][i], currency),
            "first_order": first,
            "last_order": col["last_order"][i],
            "days_since_order": col["recency_days"][i],
            "customer_since": first.year if first else None,
            "years_as_customer": (as_of - first).days // 365 if first else 0,
            "orders_this_year": stats.orders_this_year.get(cid, 0),
            "volume_this_year": volume,
            "currency": volume.currency,
            "products": stats.products.get(cid, []),
        }
        contexts[cid] = {"customer": customer, "loss": losses.get(cid)}
    return contexts


def _buyers_money(stats: CustomerStats, cid: str, base: str | None) -> Money:
    """This year's value in the buyer's own currency (what the buyer was invoiced), or 0
    (left out of drafts) when it paid in several: no one figure of those is true."""
    if cid not in stats.invoiced_this_year:
        return Money(stats.volume_this_year.get(cid, 0.0), base)
    currency, value = stats.invoiced_this_year[cid]
    return Money(value or 0.0, currency)


_TEXT = ("company", "email", "whatsapp", "country", "owner", "tier", "notes", "segment_label")
_ROW = (
    "customer_id",
    "contact_name",
    "contact_name_latin",
    "salutation",
    "language",
    "segment",
    "frequency",
    "monetary",
    "first_order",
    "last_order",
    "recency_days",
    *_TEXT,
)


def plan_context(row: PlanRow, plan: ReorderPlan) -> PlanContext:
    """What a draft may say about a customer's reorder plan: only figures the plan computed."""
    first = row.first
    return {
        "year": plan.year,
        "next_order": first.date if first else None,
        "amount": Money(first.amount, plan.currency) if first else None,
        "orders_expected": len(row.expected),
        "products": list(row.products),
        "contact_by": row.contact_by,
    }
