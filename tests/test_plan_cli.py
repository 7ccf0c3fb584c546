"""`followup plan` and `batch --from-plan` as a manager uses them, on the sample."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from followup.cli.tables import width
from tests.conftest import run

AS_OF = ("--as-of", "2026-11-22")


def plan_json(*extra: str) -> dict:
    args = ("plan", "--sample", "--year", "2027", "--format", "json", *AS_OF, *extra)
    return json.loads(run(*args).stdout)


def test_plan_table_is_sorted_by_contact_date_and_fits_80_columns() -> None:
    out = run("plan", "--sample", "--year", "2027", *AS_OF).stdout
    lines = out.splitlines()
    assert lines[0].startswith("Reorder plan 2027 as of 2026-11-22: ")
    assert max(width(line) for line in lines) <= 80
    dates = [line[:10] for line in lines[4:] if line[:4] == "2026" or line[:4] == "2027"]
    assert dates == sorted(dates) and len(dates) > 100
    assert "No plan for 159 customers" in out
    assert "    70  lost, and no order since: win back first (reactivation)" in out
    assert "    62  too little history: only 1 purchase order" in out


def test_plan_json_lists_planned_and_skipped_customers() -> None:
    data = plan_json()
    planned = {row["customer_id"] for row in data["plan"]}
    skipped = {row["customer_id"]: row["reason"] for row in data["skipped"]}
    assert not planned & set(skipped)
    assert len(planned) + len(skipped) == 320  # every customer is either planned or explained
    assert skipped["C1246"] == "too little history: no purchase order"  # credits only


def test_contact_dates_never_fall_inside_the_new_year_closure() -> None:
    closure = (dt.date(2027, 1, 30), dt.date(2027, 2, 21))
    for row in plan_json()["plan"]:
        day = dt.date.fromisoformat(row["contact_by"])
        assert not closure[0] <= day <= closure[1], row


def test_xlsx_and_ics_files(tmp_path: Path) -> None:
    result = run(
        "plan", "--sample", "--year", "2027", *AS_OF, "--output", "plan.xlsx", "--ics", "plan.ics"
    )
    assert "Wrote plan.xlsx" in result.stderr and "Wrote plan.ics" in result.stderr
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "plan.xlsx").worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert isinstance(sheet.cell(row=2, column=4).value, dt.datetime)  # contact_by, a real date
    import icalendar

    calendar = icalendar.Calendar.from_ical((tmp_path / "plan.ics").read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(plan_json()["plan"])


def test_goal_arithmetic_from_a_new_customer_target() -> None:
    out = run(
        "plan",
        "--sample",
        *AS_OF,
        "--target-new",
        "500000",
        "--avg-order",
        "10000",
        "--conversion",
        "0.10",
        "--workdays",
        "250",
    ).stdout
    assert "500,000 / average order 10,000 = 50 orders" in out
    assert "/ conversion 10% = 500 leads a year, 2.0 a working day (250 days)" in out


def test_goal_splits_a_yearly_target_into_repeat_and_new() -> None:
    out = run("plan", "--sample", *AS_OF, "--target", "20000000").stdout
    line = next(line for line in out.splitlines() if "yearly target" in line)
    assert line.startswith("  yearly target 20,000,000 = repeat customers ")


def test_from_plan_targets_exactly_the_customers_due(tmp_path: Path) -> None:
    rows = plan_json()["plan"]
    limit = dt.date(2026, 11, 22) + dt.timedelta(days=30)
    due = {r["customer_id"] for r in rows if dt.date.fromisoformat(r["contact_by"]) <= limit}
    out = run(
        "batch",
        "--campaign",
        "thanks",
        "--from-plan",
        "--due-within",
        "30d",
        "--sample",
        *AS_OF,
        "--dry-run",
        "--explain",
    ).stdout
    explained = {line.split()[0] for line in out.splitlines() if "reorder plan: contact by" in line}
    cannot = {line.split()[0] for line in out.splitlines() if "no email address" in line}
    assert explained | cannot == due
    run(
        "batch",
        "--campaign",
        "thanks",
        "--from-plan",
        "--due-within",
        "30d",
        "--sample",
        *AS_OF,
        "--out",
        "out",
    )
    records = [
        json.loads(line) for line in (tmp_path / "out" / "drafts.jsonl").read_text().splitlines()
    ]
    assert {r["customer_id"] for r in records} == explained
    rows_csv = list(csv.DictReader((tmp_path / "out" / "drafts.csv").open(encoding="utf-8-sig")))
    assert all(not row["findings"] for row in rows_csv)
    from followup.formatting import format_date

    first = {r["customer_id"]: dt.date.fromisoformat(r["first_expected"]) for r in rows}
    english = [r for r in records if r["language"] == "en" and r["channel"] == "email"]
    assert english
    for record in english:  # the letter proposes the plan's own expected date
        assert format_date(first[record["customer_id"]], "en") in record["body"]


def test_from_plan_and_segment_exclude_each_other() -> None:
    result = run(
        "batch", "--campaign", "thanks", "--from-plan", "--segment", "loyal", "--sample", ok=False
    )
    assert result.exit_code == 2
    assert "--from-plan and --segment both choose customers: pass one of them" in result.stderr


def test_the_plan_options_default_to_the_plans_own_defaults() -> None:
    # the CLI cannot import followup.reorder.plan to read them (it pulls pydantic into --help)
    from followup.cli.plan import buffer_option, growth_option
    from followup.reorder.plan import DEFAULT_BUFFER_DAYS, DEFAULT_GROWTH

    def default(option: object) -> object:
        params = option(lambda: None).__click_params__  # type: ignore[operator]
        return params[0].default

    assert (default(growth_option), default(buffer_option)) == (DEFAULT_GROWTH, DEFAULT_BUFFER_DAYS)


def test_from_plan_uses_the_same_buffer_and_growth_as_the_plan() -> None:
    rows = plan_json("--buffer-days", "60")["plan"]
    limit = dt.date(2026, 11, 22) + dt.timedelta(days=30)
    due = {r["customer_id"] for r in rows if dt.date.fromisoformat(r["contact_by"]) <= limit}
    args = ("batch", "--campaign", "thanks", "--from-plan", "--sample", *AS_OF, "--dry-run")
    wider = run(*args, "--explain", "--buffer-days", "60").stdout
    explained = {line.split()[0] for line in wider.splitlines() if "reorder plan:" in line}
    cannot = {line.split()[0] for line in wider.splitlines() if "no email address" in line}
    assert explained | cannot == due
    default = run(*args).stdout
    assert int(default.split(" customers targeted")[0].split()[-1]) < len(due)


def test_a_lost_customer_is_won_back_first_not_expected_to_order(tmp_path: Path) -> None:
    """C1014, lost on price in 2023 and silent since, was planned to order in January."""
    plan = plan_json()
    assert "C1014" not in {row["customer_id"] for row in plan["plan"]}
    lost = next(row for row in plan["skipped"] if row["customer_id"] == "C1014")
    assert lost["campaign"] == "reactivation" and lost["reason"].startswith("lost, and no order")
    # the same customer, its loss dated before orders it placed since: planned again
    run("init", "ws", "--sample")
    losses = tmp_path / "ws" / "data" / "losses.csv"
    losses.write_text(
        losses.read_text(encoding="utf-8").replace("C1014,2023-11-10", "C1014,2021-01-05"),
        encoding="utf-8",
    )
    args = ("plan", "--workspace", "ws", "--year", "2027", "--format", "json", *AS_OF)
    again = json.loads(run(*args).stdout)
    skipped = {row["customer_id"]: row["reason"] for row in again["skipped"]}
    assert not skipped.get("C1014", "").startswith("lost")


def test_plan_owner_takes_a_reps_alias_and_keeps_only_their_customers() -> None:
    everyone = plan_json()
    amy = plan_json("--owner", "赵敏")  # Amy Zhao's alias in the sample's company.yaml
    assert amy["plan"] and {row["owner"] for row in amy["plan"]} == {"Amy Zhao"}
    assert {row["owner"] for row in amy["skipped"]} == {"Amy Zhao"}
    expected = [row for row in everyone["plan"] if row["owner"] == "Amy Zhao"]
    assert amy["plan"] == expected
    unknown = run("plan", "--sample", *AS_OF, "--owner", "Nobody", ok=False)
    assert unknown.exit_code == 2
    assert unknown.stderr.endswith(
        "Error: no customer of owner 'Nobody' (owners: Amy Zhao, Grace Xu, Jason Liu, Kevin Wang, "
        "Lily Chen)\n"
    )


def test_one_calendar_per_rep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import icalendar

    monkeypatch.chdir(tmp_path)
    result = run("plan", "--sample", "--year", "2027", *AS_OF, "--ics-per-rep", "cal",
                 "--format", "json")  # fmt: skip
    planned = json.loads(result.stdout)["plan"]
    files = sorted(p.name for p in (tmp_path / "cal").iterdir())
    # Grace Xu has no rep profile: her customers still get her own calendar
    assert files == ["Amy Zhao.ics", "Grace Xu.ics", "Jason Liu.ics", "Kevin Wang.ics",
                     "Lily Chen.ics"]  # fmt: skip
    events: dict[str, set[str]] = {}
    for name in files:
        calendar = icalendar.Calendar.from_ical((tmp_path / "cal" / name).read_bytes())
        rep = name.removesuffix(".ics")
        assert calendar["x-wr-calname"] == f"Reorder plan 2027: {rep}"
        events[rep] = {str(e["uid"]).split("-")[0] for e in calendar.walk("VEVENT")}
    for rep, customers in events.items():
        assert customers == {row["customer_id"] for row in planned if row["owner"] == rep}
    assert sum(map(len, events.values())) == len(planned)
    assert "Wrote 5 calendars to cal (events: Amy Zhao " in result.stderr
