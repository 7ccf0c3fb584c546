"""What a template (or prompt) knows about one customer: the draft context.

Built once per batch for every customer, from the workspace's data, the RFM
segments of both schemes and the company facts. Only these values reach a
template; `docs/templates.md` lists them (rendered from `CONTEXT_DOC`).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from followup.data.facts import CompanyFacts, levers, localize
from followup.data.reasons import LOSS_REASONS
from followup.formatting import Money

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from followup.data.dataset import Dataset

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
    import pyarrow as pa
    import pyarrow.compute as pc

    table = dataset.orders.table.select(
        ["customer_id", "order_id", "order_date", "amount", "product"]
    )
    for name in ("customer_id", "order_id"):  # dictionary-encoded: plain text to group by
        table = table.set_column(
            table.schema.get_field_index(name), name, pc.cast(table.column(name), pa.string())
        )
    dates = table.column("order_date")  # a missing date is left out
    table = table.filter(pc.less_equal(dates, pa.scalar(as_of, pa.date32())))
    this_year = table.filter(pc.equal(pc.year(table.column("order_date")), as_of.year))
    frame = this_year.select(["customer_id", "order_id", "amount"]).to_pandas()
    per_order = frame.groupby(["customer_id", "order_id"], sort=False)["amount"].sum()
    purchases = per_order[per_order >= 0].groupby(level=0).size()
    volume = per_order.groupby(level=0).sum().round(2)
    return CustomerStats(
        {str(k): int(v) for k, v in zip(purchases.index.tolist(), purchases.tolist(), strict=True)},
        {str(k): float(v) for k, v in zip(volume.index.tolist(), volume.tolist(), strict=True)},
        _top_products(table.select(["customer_id", "product"])),
    )


def _top_products(lines: pa.Table, limit: int = 3) -> dict[str, list[str]]:
    """The `limit` products each customer has most order lines of (ties by name)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    product = lines.column("product")
    blank = [p for p in pc.unique(product).to_pylist() if p is not None and not p.strip()]
    keep = pc.and_(pc.is_valid(lines.column("customer_id")), pc.is_valid(product))
    if blank:
        keep = pc.and_(keep, pc.invert(pc.is_in(product, value_set=pa.array(blank, pa.string()))))
    counts = _pair_counts(lines.filter(keep), "customer_id", "product")
    counts = counts.sort_by(
        [("customer_id", "ascending"), ("count_all", "descending"), ("product", "ascending")]
    )
    starts = _run_starts(counts.column("customer_id"))
    positions = np.arange(len(starts))
    rank = positions - np.maximum.accumulate(np.where(starts, positions, 0))
    top = counts.filter(rank < limit)  # sorted by customer: one run of up to `limit` each
    customers, names = top.column("customer_id").to_pylist(), top.column("product").to_pylist()
    bounds = [*np.flatnonzero(_run_starts(top.column("customer_id"))).tolist(), len(names)]
    return {customers[a]: names[a:b] for a, b in itertools.pairwise(bounds)}


def _pair_counts(table: pa.Table, first: str, second: str) -> pa.Table:
    """Rows per distinct (first, second) pair, as columns first, second and count_all.

    By dictionary codes and numpy rather than `Table.group_by`, whose first use imports
    pyarrow's query engine and dataset modules (~45 ms of a batch's start-up).
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    a = pc.dictionary_encode(table.column(first).combine_chunks())
    b = pc.dictionary_encode(table.column(second).combine_chunks())
    width = max(len(b.dictionary), 1)
    codes = a.indices.to_numpy().astype(np.int64) * width + b.indices.to_numpy()
    pairs, counts = np.unique(codes, return_counts=True)
    return pa.table(
        {
            first: a.dictionary.take(pa.array(pairs // width)),
            second: b.dictionary.take(pa.array(pairs % width)),
            "count_all": pa.array(counts, pa.int64()),
        }
    )


def _run_starts(keys: pa.ChunkedArray) -> np.ndarray:
    """True where a run of equal keys starts."""
    import numpy as np
    import pyarrow.compute as pc

    values = keys.combine_chunks()
    starts = np.ones(len(values), dtype=bool)
    if len(values) > 1:
        starts[1:] = pc.not_equal(values[1:], values[:-1]).to_numpy(zero_copy_only=False)
    return starts


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


def customer_contexts(
    table: pa.Table,
    *,
    cn8_segments: dict[str, str],
    stats: CustomerStats,
    losses: dict[str, dict[str, Any]],
    currency: str | None,
    as_of: dt.date,
) -> dict[str, dict[str, Any]]:
    """The `customer` and `loss` names per customer id (the rows of the segment table).

    Built column by column: one batch makes 10,000 of them.
    """
    n = table.num_rows
    names = set(table.column_names)
    col: dict[str, list[Any]] = {
        name: table.column(name).to_pylist() if name in names else [None] * n for name in _ROW
    }
    text = [[value or "" for value in col[name]] for name in _TEXT]
    contexts = {}
    for i, cid in enumerate(col["customer_id"]):
        first = col["first_order"][i]
        contact = (col["contact_name"][i] or "").strip()
        company, email, whatsapp, country, owner, tier, notes, label = (c[i] for c in text)
        customer = {
            "id": cid,
            "company": company,
            "contact_name": contact,
            "first_name": contact.split()[0] if contact else "",
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
            "volume_this_year": Money(stats.volume_this_year.get(cid, 0.0), currency),
            "products": stats.products.get(cid, []),
        }
        contexts[cid] = {"customer": customer, "loss": losses.get(cid)}
    return contexts


_TEXT = ("company", "email", "whatsapp", "country", "owner", "tier", "notes", "segment_label")
_ROW = (
    "customer_id",
    "contact_name",
    "language",
    "segment",
    "frequency",
    "monetary",
    "first_order",
    "last_order",
    "recency_days",
    *_TEXT,
)
