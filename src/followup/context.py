"""What a template (or prompt) knows about one customer: the draft context.

Built once per batch for every customer, from the workspace's data, the RFM
segments of both schemes and the company facts. Only these values reach a
template; `docs/templates.md` lists them (rendered from `CONTEXT_DOC`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from followup.facts import CompanyFacts, levers, localize
from followup.reasons import LOSS_REASONS
from followup.render import Money

if TYPE_CHECKING:
    import pandas as pd

    from followup.dataset import Dataset

#: every name a template may use, and what it holds (rendered into docs/templates.md)
CONTEXT_DOC: dict[str, str] = {
    "customer.id": "customer id",
    "customer.company": "company name",
    "customer.contact_name": "contact person; may be empty, so write "
    "`customer.contact_name or customer.company`",
    "customer.first_name": "first word of the contact's name (may be empty)",
    "customer.email / .whatsapp": "the addresses the draft goes to",
    "customer.country / .language / .owner / .tier": "as in the customers file",
    "customer.segment / .segment_label": "classic RFM segment and its Chinese label",
    "customer.cn8_segment": "cn8 segment",
    "customer.orders": "purchase orders so far",
    "customer.spend": "net spend so far (Money: `{{ customer.spend | money }}`)",
    "customer.first_order / .last_order": "dates of the first and latest purchase",
    "customer.days_since_order": "days since the latest purchase",
    "customer.customer_since": "year of the first purchase",
    "customer.years_as_customer": "whole years since the first purchase",
    "customer.orders_this_year": "purchase orders this calendar year",
    "customer.volume_this_year": "net order value this calendar year (Money)",
    "customer.products": "up to three products the customer orders most",
    "customer.notes": "the rep's notes (data: printed as written, never run)",
    "loss": "latest loss record, or none: .reason, .reason_label, .detail, .competitor, .lost_date",
    "answers": "what changed since, for the customer's loss reason (company.yaml `changes`)",
    "sender": "the signer: .name, .title, .email, .phone, .whatsapp, .signature",
    "company": "the sender's company: .name, .website, .founded, .achievements, .new_products",
    "offer": "the open offer with the soonest deadline, or none: .name, .discount_percent, "
    ".valid_until, .conditions",
    "production": "lead time and next closure: .lead_time_days; .closure (.name .start .end) "
    "and .last_slot (closure start − lead time), both none when no closure is ahead",
    "price_change": "the next announced price change, or none: .date, .description",
    "lever": "the open lever with the soonest deadline (urgency): .kind, .act_by",
    "levers": "every open lever, soonest first: .kind (offer, production, price_change), .act_by",
    "plan": "the reorder plan's next expected order (batch --from-plan), or none: .year, "
    ".next_order (date), .amount (Money), .orders_expected, .products, .contact_by",
    "year / next_year / today": "the as-of year, the year after, the as-of date",
}


def context_names() -> frozenset[str]:
    """The top-level names of CONTEXT_DOC: all a template may use."""
    names = set()
    for key in CONTEXT_DOC:
        for part in key.split(" / "):
            if not part.startswith("."):
                names.add(part.split(".")[0])
    return frozenset(names)


@dataclass(frozen=True)
class CustomerStats:
    """Order figures per customer that RFM does not carry."""

    orders_this_year: dict[str, int]
    volume_this_year: dict[str, float]
    products: dict[str, list[str]]


def customer_stats(dataset: Dataset, as_of: dt.date) -> CustomerStats:
    """This year's purchase orders and value, and the most ordered products, per customer."""
    import pandas as pd

    table = dataset.orders.table.select(
        ["customer_id", "order_id", "order_date", "amount", "product"]
    )
    frame = table.to_pandas()
    frame["customer_id"] = frame["customer_id"].astype(str)
    frame["order_id"] = frame["order_id"].astype(str)
    frame = frame[pd.to_datetime(frame["order_date"]) <= pd.Timestamp(as_of)]
    this_year = frame[pd.to_datetime(frame["order_date"]).dt.year == as_of.year]
    per_order = this_year.groupby(["customer_id", "order_id"], sort=False)["amount"].sum()
    purchases = per_order[per_order >= 0].groupby(level=0).size()
    volume = per_order.groupby(level=0).sum().round(2)
    products = _top_products(frame)
    return CustomerStats(
        {str(k): int(v) for k, v in purchases.items()},
        {str(k): float(v) for k, v in volume.items()},
        products,
    )


def _top_products(frame: pd.DataFrame, limit: int = 3) -> dict[str, list[str]]:
    lines = frame.dropna(subset=["product"])
    lines = lines[lines["product"].astype(str).str.strip() != ""]
    counts = lines.groupby(["customer_id", "product"], sort=False).size().reset_index(name="n")
    counts = counts.sort_values(["customer_id", "n", "product"], ascending=[True, False, True])
    top = counts[counts.groupby("customer_id", sort=False).cumcount() < limit]
    products: dict[str, list[str]] = {}
    for customer, product in zip(top["customer_id"], top["product"], strict=True):
        products.setdefault(str(customer), []).append(str(product))
    return products


def latest_losses(losses: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
    """The latest loss record per customer (by lost_date, then file order)."""
    import pandas as pd

    if losses is None or losses.empty:
        return {}
    ordered = losses.assign(_order=range(len(losses))).sort_values(
        ["lost_date", "_order"], na_position="first", kind="stable"
    )
    result = {}
    for row in ordered.drop_duplicates("customer_id", keep="last").to_dict("records"):
        reason = str(row["reason"])
        lost = row["lost_date"]
        result[str(row["customer_id"])] = {
            "reason": reason,
            "reason_label": LOSS_REASONS[reason].label if reason in LOSS_REASONS else reason,
            "detail": row["detail"],
            "competitor": row["competitor"],
            "lost_date": None if pd.isna(lost) else lost.date(),
        }
    return result


def company_context(facts: CompanyFacts, as_of: dt.date, language: str) -> dict[str, Any]:
    """The part of the context that is the same for every customer in one language."""
    text = partial(localize, language=language)
    open_levers = levers(facts, as_of)
    offer = next((lv.offer for lv in open_levers if lv.offer is not None), None)
    closure = next((lv for lv in open_levers if lv.kind == "production"), None)
    change = next((lv.price_change for lv in open_levers if lv.price_change is not None), None)
    return {
        "sender": facts.sender.model_dump(),
        "company": {
            "name": facts.company,
            "website": facts.website,
            "founded": facts.founded,
            "achievements": [text(a) for a in facts.achievements],
            "new_products": [
                {"name": p.name, "description": text(p.description)} for p in facts.new_products
            ],
        },
        "offer": offer
        and {
            "name": text(offer.name),
            "discount_percent": offer.discount_percent,
            "valid_until": offer.valid_until,
            "conditions": text(offer.conditions),
        },
        "production": {
            "lead_time_days": facts.production.lead_time_days,
            "closure": closure
            and closure.closure
            and {
                "name": text(closure.closure.name),
                "start": closure.closure.start,
                "end": closure.closure.end,
            },
            "last_slot": closure.act_by if closure else None,
        },
        "price_change": change and {"date": change.date, "description": text(change.description)},
        "lever": open_levers[0].model_dump(include={"kind", "act_by"}) if open_levers else None,
        "levers": [lv.model_dump(include={"kind", "act_by"}) for lv in open_levers],
        "year": as_of.year,
        "next_year": as_of.year + 1,
        "today": as_of,
    }


def angle(loss: dict[str, Any] | None) -> str:
    """The loss reason a reactivation answers: the latest loss's, or `other` (none or unknown)."""
    reason = loss["reason"] if loss else "other"
    return reason if reason in LOSS_REASONS else "other"


def answers(facts: CompanyFacts, reason: str | None, language: str) -> list[str]:
    """What changed since the customer left, for its loss reason, in `language`."""
    return [localize(item, language) for item in facts.changes.get(reason or "", [])]


def customer_context(
    row: dict[str, Any],
    *,
    cn8_segment: str,
    stats: CustomerStats,
    loss: dict[str, Any] | None,
    facts: CompanyFacts,
    currency: str | None,
    as_of: dt.date,
) -> dict[str, Any]:
    """The `customer` and `loss` names for one customer (a row of the segment table)."""
    cid = row["customer_id"]
    first = row.get("first_order")
    contact = (row.get("contact_name") or "").strip()
    customer = {
        "id": cid,
        "company": row.get("company") or "",
        "contact_name": contact,
        "first_name": contact.split()[0] if contact else "",
        "email": row.get("email") or "",
        "whatsapp": row.get("whatsapp") or "",
        "country": row.get("country") or "",
        "language": row.get("language") or "en",
        "owner": row.get("owner") or "",
        "tier": row.get("tier") or "",
        "notes": row.get("notes") or "",
        "segment": row["segment"],
        "segment_label": row.get("segment_label") or "",
        "cn8_segment": cn8_segment,
        "orders": row["frequency"],
        "spend": Money(row["monetary"], currency),
        "first_order": first,
        "last_order": row.get("last_order"),
        "days_since_order": row.get("recency_days"),
        "customer_since": first.year if first else None,
        "years_as_customer": (as_of - first).days // 365 if first else 0,
        "orders_this_year": stats.orders_this_year.get(cid, 0),
        "volume_this_year": Money(stats.volume_this_year.get(cid, 0.0), currency),
        "products": stats.products.get(cid, []),
    }
    return {"customer": customer, "loss": loss}
