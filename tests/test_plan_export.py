"""The reorder plan's exports: XLSX (openpyxl), ICS (icalendar), CSV and JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from icalendar import Calendar

from followup.files import json_text
from followup.reorder.export import (
    PLAN_COLUMNS,
    PRODID,
    SKIPPED_COLUMNS,
    csv_text_for,
    json_data_for,
    plan_records,
    skipped_records,
    write_ics,
    write_xlsx,
)
from followup.reorder.plan import Expected, PlanRow, ReorderPlan

AS_OF = dt.date(2025, 11, 20)
LONG_NAME = "Hamburg Maritime Lighting Supplies GmbH"


def make_plan(as_of: dt.date = AS_OF) -> ReorderPlan:
    rows = [
        PlanRow(
            "C001",
            company=LONG_NAME,
            owner="Lily",
            orders=7,
            pattern="seasonal",
            interval_days=182,
            expected=(
                Expected(dt.date(2026, 3, 15), 12500.5),
                Expected(dt.date(2026, 9, 14), 12500.5),
            ),
            products=("LED panel", "Driver 40W"),
            confidence="high",
            contact_by=dt.date(2026, 1, 20),
            moved_for="Spring Festival",
            campaign="thanks",
        ),
        PlanRow(
            "C002",
            company='=HYPERLINK("http://evil")',  # must stay text in every format
            owner="Tom",
            orders=3,
            pattern="interval",
            interval_days=120,
            expected=(Expected(dt.date(2026, 4, 2), 3000.0),),
            products=("Cable",),
            confidence="medium",
            contact_by=dt.date(2026, 2, 20),
            campaign="urgency",
        ),
        PlanRow(
            "C003",
            company="",  # no company: the id names it
            orders=2,
            pattern="interval",
            interval_days=300,
            expected=(Expected(dt.date(2026, 1, 5), 800.0),),
            confidence="low",
            contact_by=dt.date(2025, 11, 6),  # before as_of: overdue
            campaign="urgency",
        ),
    ]
    skipped = [
        PlanRow(
            "C009",
            company="深圳照明有限公司",
            orders=1,
            reason="too little history: only 1 purchase order",
        )
    ]
    return ReorderPlan(2026, as_of, 0.05, 14, 30, "USD", rows, skipped)


# --- records ----------------------------------------------------------------------------


def test_plan_records_have_every_column_with_real_dates() -> None:
    records = plan_records(make_plan())

    assert [list(r) for r in records] == [list(PLAN_COLUMNS)] * 3
    first = records[0]
    assert first["contact_by"] == dt.date(2026, 1, 20)
    assert first["first_expected"] == dt.date(2026, 3, 15)
    assert first["expected_orders"] == 2
    assert first["expected_amount"] == 12500.5
    assert first["expected_total"] == 25001.0
    assert first["products"] == "LED panel; Driver 40W"
    assert first["moved_for"] == "Spring Festival"
    assert [r["overdue"] for r in records] == [False, False, True]


def test_skipped_records_keep_the_reason() -> None:
    assert skipped_records(make_plan()) == [
        {
            "customer_id": "C009",
            "company": "深圳照明有限公司",
            "owner": "",
            "orders": 1,
            "reason": "too little history: only 1 purchase order",
            "campaign": "",
        }
    ]


# --- XLSX -------------------------------------------------------------------------------


def test_xlsx_opens_with_typed_dates_and_a_usable_layout(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    write_xlsx(make_plan(), path)

    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["ReorderPlan 2026", "No plan"]
    sheet = book["ReorderPlan 2026"]
    header = [c.value for c in sheet[1]]
    assert header == list(PLAN_COLUMNS)
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:P4"
    col = {name: i + 1 for i, name in enumerate(header)}

    contact = [sheet.cell(row=r, column=col["contact_by"]) for r in (2, 3, 4)]
    assert all(isinstance(c.value, dt.datetime) for c in contact)  # date cells, not text
    assert [c.value.date() for c in contact] == [
        dt.date(2026, 1, 20),
        dt.date(2026, 2, 20),
        dt.date(2025, 11, 6),
    ]
    assert {c.number_format for c in contact} == {"yyyy-mm-dd"}
    first = sheet.cell(row=2, column=col["first_expected"])
    assert first.value == dt.datetime(2026, 3, 15) and first.is_date

    amount = sheet.cell(row=2, column=col["expected_total"])
    assert (amount.value, amount.number_format) == (25001.0, "#,##0.00")
    assert sheet.cell(row=4, column=col["overdue"]).value is True
    assert sheet.cell(row=4, column=col["company"]).value is None  # empty, not ""


def test_xlsx_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    write_xlsx(make_plan(), path)

    cell = openpyxl.load_workbook(path)["ReorderPlan 2026"]["B3"]
    assert cell.value == '=HYPERLINK("http://evil")'
    assert cell.data_type == "s"


def test_xlsx_widths_fit_the_content(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    write_xlsx(make_plan(), path)

    book = openpyxl.load_workbook(path)
    widths = book["ReorderPlan 2026"].column_dimensions
    assert widths["B"].width == len(LONG_NAME) + 2  # company: the long name fits
    assert widths["D"].width == len("2026-01-20") + 2  # contact_by: a date
    assert all(widths[letter].width <= 50 for letter in "ABCDEFGHIJKLMNOP")
    wide = book["No plan"].column_dimensions["B"].width
    assert wide == 2 * len("深圳照明有限公司") + 2  # CJK characters are two wide


def test_xlsx_widths_are_capped(tmp_path: Path) -> None:
    plan = make_plan()
    plan.rows[0] = replace(plan.rows[0], company="A very long company name " * 4)
    write_xlsx(plan, tmp_path / "plan.xlsx")

    sheet = openpyxl.load_workbook(tmp_path / "plan.xlsx")["ReorderPlan 2026"]
    assert sheet.column_dimensions["B"].width == 50


def test_xlsx_lists_the_customers_without_a_plan(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    write_xlsx(make_plan(), path)

    sheet = openpyxl.load_workbook(path)["No plan"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows == [
        list(SKIPPED_COLUMNS),
        ["C009", "深圳照明有限公司", None, 1, "too little history: only 1 purchase order", None],
    ]
    assert sheet.freeze_panes == "A2"
    assert all(c.font.bold for c in sheet[1])


def test_xlsx_same_plan_gives_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_xlsx(make_plan(), tmp_path / "a.xlsx")
    later = time.time() + 3 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)  # zipfile dates members with the clock
    write_xlsx(make_plan(), tmp_path / "b.xlsx")

    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    props = openpyxl.load_workbook(tmp_path / "a.xlsx").properties
    assert props.created == props.modified == dt.datetime(2025, 11, 20)


def test_xlsx_of_an_empty_plan_has_the_headers(tmp_path: Path) -> None:
    path = tmp_path / "out" / "plan.xlsx"
    write_xlsx(ReorderPlan(2026, AS_OF, 0.0, 14, 30, None, []), path)

    book = openpyxl.load_workbook(path)
    assert [c.value for c in book["ReorderPlan 2026"][1]] == list(PLAN_COLUMNS)
    assert book["No plan"].max_row == 1
    assert list(path.parent.iterdir()) == [path]  # no temp file left behind


# --- ICS --------------------------------------------------------------------------------


def _events(path: Path) -> list[Calendar]:
    return list(Calendar.from_ical(path.read_bytes()).walk("VEVENT"))


def test_ics_parses_with_one_all_day_event_per_planned_row(tmp_path: Path) -> None:
    path = tmp_path / "plan.ics"
    write_ics(make_plan(), path, sender_company="Ningbo Bright Co.")

    calendar = Calendar.from_ical(path.read_bytes())
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "Reorder plan 2026"
    assert "Ningbo Bright Co." in str(calendar["X-WR-CALDESC"])
    events = _events(path)
    assert len(events) == 3
    for event, row in zip(events, make_plan().rows, strict=True):
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        assert type(start) is dt.date and start == row.contact_by  # all-day: a date
        assert end == start + dt.timedelta(days=1)
        assert event["DTSTAMP"].dt == dt.datetime(2025, 11, 20, tzinfo=dt.UTC)
        assert event.get("CATEGORIES").cats == ["followup"]


def test_ics_uids_are_unique_and_stable(tmp_path: Path) -> None:
    write_ics(make_plan(), tmp_path / "a.ics", sender_company="X")
    write_ics(make_plan(), tmp_path / "b.ics", sender_company="X")

    uids = [str(e["UID"]) for e in _events(tmp_path / "a.ics")]
    assert uids == [
        "C001-2026@followup.invalid",
        "C002-2026@followup.invalid",
        "C003-2026@followup.invalid",
    ]
    assert (tmp_path / "a.ics").read_bytes() == (tmp_path / "b.ics").read_bytes()


def test_ics_summary_and_description_say_who_when_and_what(tmp_path: Path) -> None:
    path = tmp_path / "plan.ics"
    write_ics(make_plan(), path, sender_company="X")

    first, second, third = _events(path)
    summary = f"Contact {LONG_NAME}: order expected 2026-03-15 (12,500.50 USD)"
    assert str(first["SUMMARY"]) == summary
    assert str(second["SUMMARY"]).startswith('Contact =HYPERLINK("http://evil")')
    assert str(third["SUMMARY"]) == "Contact C003: order expected 2026-01-05 (800.00 USD)"
    description = str(first["DESCRIPTION"])
    for part in (
        "- 2026-03-15: 12,500.50 USD",
        "- 2026-09-14: 12,500.50 USD",
        "Usual products: LED panel; Driver 40W",
        "Confidence: high",
        "Suggested campaign: thanks",
        "Contact date moved before Spring Festival",
    ):
        assert part in description
    assert "moved before" not in str(second["DESCRIPTION"])
    assert str(third["DESCRIPTION"]).startswith("Customer: C003\nExpected orders in 2026:\n")


def test_ics_lines_are_crlf_and_folded(tmp_path: Path) -> None:
    path = tmp_path / "plan.ics"
    write_ics(make_plan(), path, sender_company="X")

    lines = path.read_bytes().split(b"\r\n")
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-1] == b""
    assert all(len(line) <= 75 for line in lines)  # RFC 5545 folding, done by icalendar


# --- CSV and JSON -----------------------------------------------------------------------


def test_csv_round_trips_with_iso_dates_and_safe_cells() -> None:
    rows = list(csv.DictReader(io.StringIO(csv_text_for(make_plan()))))

    assert list(rows[0]) == list(PLAN_COLUMNS)
    assert [r["customer_id"] for r in rows] == ["C001", "C002", "C003"]
    assert rows[0]["contact_by"] == "2026-01-20" and rows[0]["first_expected"] == "2026-03-15"
    assert float(rows[0]["expected_total"]) == 25001.0
    assert [r["overdue"] for r in rows] == ["false", "false", "true"]
    assert rows[1]["company"] == '\'=HYPERLINK("http://evil")'  # not run as a formula
    assert rows[2]["company"] == ""


def test_csv_of_the_skipped_customers() -> None:
    rows = list(csv.DictReader(io.StringIO(csv_text_for(make_plan(), skipped=True))))

    assert rows == [
        {
            "customer_id": "C009",
            "company": "深圳照明有限公司",
            "owner": "",
            "orders": "1",
            "reason": "too little history: only 1 purchase order",
            "campaign": "",
        }
    ]


def test_json_round_trips_with_iso_dates() -> None:
    data = json_data_for(make_plan())

    assert json.loads(json_text(data)) == data
    assert json.loads(json.dumps(data)) == data  # plain JSON types, no default=str needed
    assert (data["year"], data["as_of"], data["currency"]) == (2026, "2025-11-20", "USD")
    assert data["repeat_revenue"] == 28001.0  # high + medium rows only
    first = data["plan"][0]
    assert first["contact_by"] == "2026-01-20"
    assert first["expected"] == [
        {"date": "2026-03-15", "amount": 12500.5},
        {"date": "2026-09-14", "amount": 12500.5},
    ]
    assert first["products"] == ["LED panel", "Driver 40W"]
    assert data["skipped"][0]["reason"] == "too little history: only 1 purchase order"
