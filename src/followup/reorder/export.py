"""The reorder plan as files: CSV, JSON, an Excel workbook and an iCalendar file.

- **XLSX** for a manager (`followup.xlsx`, the writer every workbook goes through): a
  "ReorderPlan <year>" sheet with a bold, frozen header row, an autofilter, real date
  cells, money as `#,##0.00` and widths that fit, and a "No plan" sheet listing the
  customers without a plan and why.
- **ICS** (icalendar) for the sales team's calendars: one all-day event per customer on
  its contact-by date, importable into Outlook, Google and Apple calendars.

Both are deterministic: the same plan gives the same bytes (timestamps come from
`plan.as_of`, never the clock), so a re-run does not look like a change.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from followup.files import atomic_write, csv_text

if TYPE_CHECKING:
    from followup.reorder.plan import PlanRow, ReorderPlan

Record = dict[str, Any]

PLAN_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "company",
    "owner",
    "contact_by",
    "first_expected",  # date of the first expected order
    "expected_orders",  # how many in the plan year
    "expected_amount",  # per order
    "expected_total",
    "currency",
    "products",  # joined with "; "
    "pattern",
    "interval_days",
    "confidence",
    "campaign",
    "moved_for",  # the closure that moved the contact date earlier
    "overdue",  # the contact date has passed already
)
SKIPPED_COLUMNS: tuple[str, ...] = (
    "customer_id", "company", "owner", "orders", "reason", "campaign"
)  # fmt: skip

PRODID = "-//followup//reorder plan//EN"
UID_DOMAIN = "followup.invalid"
_MONEY_COLUMNS = frozenset({"expected_amount", "expected_total"})


def plan_records(plan: ReorderPlan) -> list[Record]:
    """The planned customers, one dict a row in `PLAN_COLUMNS` order (dates as `date`)."""
    return [_plan_record(row, plan) for row in plan.rows]


def _plan_record(row: PlanRow, plan: ReorderPlan) -> Record:
    first = row.first
    return {
        "customer_id": row.customer_id,
        "company": row.company,
        "owner": row.owner,
        "contact_by": row.contact_by,
        "first_expected": first.date if first else None,
        "expected_orders": len(row.expected),
        "expected_amount": first.amount if first else None,
        "expected_total": row.expected_total,
        "currency": plan.currency or "",
        "products": "; ".join(row.products),
        "pattern": row.pattern,
        "interval_days": row.interval_days,
        "confidence": row.confidence,
        "campaign": row.campaign,
        "moved_for": row.moved_for,
        "overdue": row.overdue(plan.as_of),
    }


def skipped_records(plan: ReorderPlan) -> list[Record]:
    """The customers without a plan, in `SKIPPED_COLUMNS` order, with the reason."""
    return [
        {
            "customer_id": row.customer_id,
            "company": row.company,
            "owner": row.owner,
            "orders": row.orders,
            "reason": row.reason,
            "campaign": row.campaign,  # reactivation: a lost customer to win back first
        }
        for row in plan.skipped
    ]


# --- CSV and JSON ------------------------------------------------------------------------


def csv_text_for(plan: ReorderPlan, *, skipped: bool = False) -> str:
    """The planned rows (or, with `skipped=True`, the customers without a plan) as
    spreadsheet-safe CSV: ISO dates, `true`/`false`, empty cells for missing values."""
    columns = SKIPPED_COLUMNS if skipped else PLAN_COLUMNS
    records = skipped_records(plan) if skipped else plan_records(plan)
    return csv_text(columns, ([_csv_cell(r[c]) for c in columns] for r in records))


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def json_data_for(plan: ReorderPlan) -> Record:
    """The whole plan as JSON-ready data (ISO dates): settings, planned and skipped rows."""
    planned = []
    for row, record in zip(plan.rows, plan_records(plan), strict=True):
        expected = [{"date": e.date.isoformat(), "amount": e.amount} for e in row.expected]
        planned.append({**_iso(record), "products": list(row.products), "expected": expected})
    return {
        "year": plan.year,
        "as_of": plan.as_of.isoformat(),
        "currency": plan.currency,
        "growth": plan.growth,
        "buffer_days": plan.buffer_days,
        "lead_time_days": plan.lead_time_days,
        "repeat_revenue": plan.repeat_revenue,
        "plan": planned,
        "skipped": skipped_records(plan),
    }


def _iso(record: Record) -> Record:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in record.items()}


# --- XLSX --------------------------------------------------------------------------------


def write_xlsx(plan: ReorderPlan, path: Path) -> None:
    """The plan as an Excel workbook (`followup.xlsx`), written atomically; same plan, same
    bytes: a "ReorderPlan <year>" sheet and a "No plan" sheet."""
    from followup.xlsx import MONEY_FORMAT, Sheet, write_workbook

    money = dict.fromkeys(_MONEY_COLUMNS, MONEY_FORMAT)
    sheets = [
        Sheet(f"ReorderPlan {plan.year}", PLAN_COLUMNS, plan_records(plan), money),
        Sheet("No plan", SKIPPED_COLUMNS, skipped_records(plan)),
    ]
    write_workbook(path, sheets, stamp=plan.as_of)


# --- iCalendar ---------------------------------------------------------------------------


def write_ics(plan: ReorderPlan, path: Path, *, sender_company: str, rep: str = "") -> None:
    """One all-day event per planned customer on its contact-by date, written atomically;
    same plan, same bytes. `sender_company` (the exporter) names the calendar's owner,
    `rep` the rep whose customers it holds (one calendar per rep)."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Reorder plan {plan.year}" + (f": {rep}" if rep else ""))
    owner = f"{sender_company}: " if sender_company.strip() else ""
    calendar.add("x-wr-caldesc", f"{owner}when to contact repeat buyers in {plan.year}")
    for row in plan.rows:
        if row.contact_by is not None and row.first is not None:
            calendar.add_component(_event(row, row.contact_by, plan))
    atomic_write(path, calendar.to_ical())


def _event(row: PlanRow, day: dt.date, plan: ReorderPlan) -> Any:
    from icalendar import Event

    event = Event()
    event.add("uid", f"{row.customer_id}-{plan.year}@{UID_DOMAIN}")
    event.add("dtstamp", _stamp(plan))
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", event_summary(row, plan))
    event.add("description", event_description(row, plan))
    event.add("categories", ["followup"])
    event.add("transp", "TRANSPARENT")  # a reminder: the day stays free
    return event


def event_summary(row: PlanRow, plan: ReorderPlan) -> str:
    """`Contact <company or id>: order expected <date> (<amount> <currency>)`."""
    first, who = row.first, row.company or row.customer_id
    if first is None:
        return f"Contact {who}: no order expected"
    return f"Contact {who}: order expected {first.date.isoformat()} ({_money(first.amount, plan)})"


def event_description(row: PlanRow, plan: ReorderPlan) -> str:
    """The expected orders, usual products, confidence, suggested campaign, moved date."""
    who = f"{row.company} ({row.customer_id})" if row.company else row.customer_id
    lines = [f"Customer: {who}"]
    if row.owner:
        lines.append(f"Owner: {row.owner}")
    lines.append(f"Expected orders in {plan.year}:")
    lines += [f"- {e.date.isoformat()}: {_money(e.amount, plan)}" for e in row.expected]
    lines.append(f"Expected total: {_money(row.expected_total, plan)}")
    if row.products:
        lines.append(f"Usual products: {'; '.join(row.products)}")
    every = f", about every {row.interval_days} days" if row.pattern == "interval" else ""
    lines.append(f"Confidence: {row.confidence} ({row.pattern}{every})")
    if row.campaign:
        lines.append(f"Suggested campaign: {row.campaign}")
    if row.moved_for:
        lines.append(f"Contact date moved before {row.moved_for}")
    return "\n".join(lines)


def _money(amount: float, plan: ReorderPlan) -> str:
    return f"{amount:,.2f} {plan.currency}" if plan.currency else f"{amount:,.2f}"


def _stamp(plan: ReorderPlan) -> dt.datetime:
    """The fixed timestamp of an export: midnight UTC of the plan's as-of date."""
    return dt.datetime.combine(plan.as_of, dt.time(), tzinfo=dt.UTC)
