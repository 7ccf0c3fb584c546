"""The reorder plan (issue 5): hand-computed plans, contact-by dates and goal arithmetic.

Every expected date, amount and confidence below is worked out by hand in the comments
from the rules in `followup.reorder.plan`'s docstring (and, where the docstring is loose, the
exact rule in the code). Date arithmetic walks month ends: 2025 and 2026 are not leap
years, 2024 is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from followup.data.dataset import Dataset, Sources, load_dataset
from followup.data.facts import Closure
from followup.errors import UsageError
from followup.reorder.plan import (
    Expected,
    History,
    PlanRow,
    ReorderPlan,
    build_plan,
    contact_by,
    goal,
)
from followup.reorder.plan import plan_customer as _plan_customer
from followup.workspace import Workspace
from tests.conftest import write

D = dt.date
LEAD, BUFFER = 30, 7  # contact 37 days before the expected order
CNY_2027 = Closure(
    name={"en": "Chinese New Year", "es": "Año Nuevo Chino"},
    start=D(2027, 1, 30),
    end=D(2027, 2, 21),
)


def history(*orders: tuple[str, float], products: tuple[str, ...] = ()) -> History:
    return History([(D.fromisoformat(day), amount) for day, amount in orders], list(products))


def plan_customer(
    orders: list[tuple[str, float]], *, year: int, as_of: dt.date, growth: float = 0.0
) -> PlanRow:
    return _plan_customer(history(*orders), year, as_of, growth)


def dataset(root: Path, orders: str, customers: str | None = None) -> Dataset:
    """A Dataset through the real loader, from `data/orders.csv` (+ `data/customers.csv`)."""
    write(root / "data" / "orders.csv", orders)
    if customers is not None:
        write(root / "data" / "customers.csv", customers)
    return load_dataset(Sources(Workspace(root)))


def plan_of(data: Dataset, *, year: int, as_of: dt.date, **options: object) -> ReorderPlan:
    settings: dict = {
        "growth": 0.05,
        "buffer_days": BUFFER,
        "lead_time_days": LEAD,
        "closures": [],
    } | options
    return build_plan(data, year=year, as_of=as_of, **settings)


# --- when, how much, how sure: one customer -------------------------------------------

# Every 90 days: Jan 10 -> Apr 10 (21+28+31+10), -> Jul 9 (20+31+30+9), -> Oct 7 (22+31+30+7).
REGULAR = [("2025-01-10", 1000), ("2025-04-10", 2000), ("2025-07-09", 3000), ("2025-10-07", 6000)]


def test_regular_buyer_steps_by_its_median_interval_from_the_last_order() -> None:
    row = plan_customer(REGULAR, year=2026, as_of=D(2025, 12, 31), growth=0.05)
    # intervals 90, 90, 90 -> median 90; one year of history only -> not seasonal
    assert (row.pattern, row.interval_days, row.orders) == ("interval", 90, 4)
    # 2025-10-07 + 90: Oct +24 (31), Nov +30 (54), Dec +31 (85), Jan +5 -> 2026-01-05
    # + 90: Jan 5 + 26 (Jan 31) + 28 (Feb 28) + 31 (Mar 31) + 5 -> 2026-04-05
    # + 90: Apr 5 + 25+31+30+4 -> 2026-07-04; + 90: Jul 4 + 27+31+30+2 -> 2026-10-02
    # + 90: Oct 2 + 29+30+31 -> 2026-12-31; + 90 -> 2027-03-31, outside the plan year
    # amount: mean of the last three (2000 + 3000 + 6000) / 3 = 3666.67 × 1.05 = 3850
    assert row.expected == tuple(
        Expected(D.fromisoformat(day), 3850.0)
        for day in ("2026-01-05", "2026-04-05", "2026-07-04", "2026-10-02", "2026-12-31")
    )
    assert row.first == Expected(D(2026, 1, 5), 3850.0)
    assert row.expected_total == 5 * 3850.0
    # ≥ 4 orders, every interval within ±25 % of 90 (spread 0); quiet 85 days ≤ 2×90 + 90
    assert row.confidence == "high"
    assert row.reason == ""


def test_regular_buyer_with_three_orders_is_medium_not_high() -> None:
    # the same steady 90 days, but only 3 orders (2 intervals): "high" needs ≥ 4 orders
    row = plan_customer(REGULAR[1:], year=2026, as_of=D(2025, 12, 31))
    assert (row.interval_days, row.confidence) == (90, "medium")


# March and September, three years running (Mar 10 -> Sep 15 2023 is 21+30+31+30+31+31+15 = 189)
SEASONAL = [
    ("2023-03-10", 3000),
    ("2023-09-15", 3500),
    ("2024-03-12", 3800),
    ("2024-09-14", 4000),
    ("2025-03-11", 5000),
    ("2025-09-20", 6000),
]


def test_seasonal_buyer_expects_its_months_on_their_median_day() -> None:
    row = plan_customer(SEASONAL, year=2026, as_of=D(2025, 12, 31), growth=0.1)
    # 3 years; March in 3 years, September in 3 years (≥ 2 each); they cover 6/6 orders
    assert row.pattern == "seasonal"
    # March days 10, 12, 11 -> median 11; September days 15, 14, 20 -> median 15
    # amount: (4000 + 5000 + 6000) / 3 = 5000 × 1.1 = 5500
    assert row.expected == (
        Expected(D(2026, 3, 11), 5500.0),
        Expected(D(2026, 9, 15), 5500.0),
    )
    # intervals 189, 179, 186, 178, 193 -> sorted 178 179 186 189 193 -> median 186
    assert row.interval_days == 186
    # seasonal -> high (quiet 2025-09-20 .. 2025-12-31 = 10+31+30+31 = 102 days ≤ 2×186 + 90)
    assert row.confidence == "high"


def test_seasonal_usual_day_that_the_plan_year_lacks_moves_to_the_month_end() -> None:
    # every February for 3 years on days 29, 29, 28 -> median 29; 2026-02-29 does not exist
    row = plan_customer(
        [("2020-02-29", 100), ("2024-02-29", 100), ("2025-02-28", 100)],
        year=2026,
        as_of=D(2025, 3, 1),
    )
    assert row.pattern == "seasonal"
    assert [e.date for e in row.expected] == [D(2026, 2, 28)]


# Intervals 20, 200, 45, 300:
#   2025-01-01 + 20 = 2025-01-21; + 200 = Jan 21 + 10+28+31+30+31+30+31+9 = 2025-08-09;
#   + 45 = Aug 9 + 22+23 = 2025-09-23; + 300 = Sep 23 + 7+31+30+31+31+28+31+30+31+30+20
#   = 2026-07-20.
IRREGULAR = [
    ("2025-01-01", 500),
    ("2025-01-21", 900),
    ("2025-08-09", 100),
    ("2025-09-23", 200),
    ("2026-07-20", 300),
]


def test_irregular_buyer_is_low_confidence_by_its_spread() -> None:
    row = plan_customer(IRREGULAR, year=2027, as_of=D(2026, 8, 1))
    # two years only -> interval; sorted 20 45 200 300 -> median 122.5, rounded (half to
    # even) 122
    assert (row.pattern, row.interval_days) == ("interval", 122)
    # spread: the farthest interval 300 is 178 from 122 -> 178/122 = 146 % > 50 % -> low
    # (quiet only 12 days, so it is the spread that makes it low, not the silence)
    assert row.confidence == "low"
    # 2026-07-20 + 122 = Jul 20 + 11+31+30+31+19 = 2026-11-19 (still 2026)
    # + 122 = Nov 19 + 11+31+31+28+21 = 2027-03-21; + 122 = Mar 21 + 10+30+31+30+21 = 2027-07-21
    # + 122 = Jul 21 + 10+31+30+31+20 = 2027-11-20; + 122 -> 2028
    # amount: (100 + 200 + 300) / 3 = 200
    assert row.expected == tuple(
        Expected(D.fromisoformat(day), 200.0) for day in ("2027-03-21", "2027-07-21", "2027-11-20")
    )


def test_moderately_uneven_buyer_is_medium() -> None:
    # Jan 1 + 90 = Apr 1 (30+28+31+1); + 60 = May 31 (29+31); + 120 = Sep 28 (30+31+31+28)
    orders = [("2025-01-01", 100), ("2025-04-01", 200), ("2025-05-31", 300), ("2025-09-28", 400)]
    row = plan_customer(orders, year=2026, as_of=D(2025, 12, 31))
    # intervals 90, 60, 120 -> median 90; farthest 30 away -> 33 % : > 25 %, ≤ 50 % -> medium
    assert (row.interval_days, row.confidence) == (90, "medium")


def test_quiet_buyer_is_low_confidence_even_when_it_was_regular() -> None:
    # REGULAR's last order 2025-10-07; as of 2026-11-15 it has been quiet
    # 24+30+31 (2025) + 365 - 46 (2026-11-15 is day 319) = 85 + 319 = 404 days > 2×90 + 90
    row = plan_customer(REGULAR, year=2027, as_of=D(2026, 11, 15))
    assert row.confidence == "low"
    assert row.expected  # still planned (stepping on from the last order), just not trusted


def test_too_little_history_is_a_reason_not_a_plan() -> None:
    one = plan_customer([("2025-05-01", 100)], year=2026, as_of=D(2025, 12, 31))
    assert (one.reason, one.orders, one.expected) == (
        "too little history: only 1 purchase order",
        1,
        (),
    )
    none = plan_customer([], year=2026, as_of=D(2025, 12, 31))
    assert (none.reason, none.orders) == ("too little history: no purchase order", 0)
    same_day = plan_customer(
        [("2025-05-01", 100), ("2025-05-01", 50)], year=2026, as_of=D(2025, 12, 31)
    )
    assert same_day.reason == "too little history: all orders on one day"


def test_products_are_the_most_ordered_three() -> None:
    row = _plan_customer(
        history(
            ("2025-01-10", 1),
            ("2025-04-10", 1),
            products=("nuts", "bolts", "bolts", "washers", "bolts", "nuts", "rivets"),
        ),
        2026,
        D(2025, 12, 31),
        0.0,
    )
    # bolts ×3, nuts ×2, then washers and rivets once each (first seen wins the tie)
    assert row.products == ("bolts", "nuts", "washers")


# --- contact by -------------------------------------------------------------------------


def test_contact_by_is_the_order_date_less_lead_time_and_buffer() -> None:
    # 2026-03-11 − 37: Mar −11 -> Feb 28, −26 -> 2026-02-02
    assert contact_by(D(2026, 3, 11), LEAD, BUFFER, []) == (D(2026, 2, 2), "")
    assert contact_by(D(2026, 3, 11), 0, 0, []) == (D(2026, 3, 11), "")


@pytest.mark.parametrize(
    ("order_day", "expected"),
    [
        # 2027-03-30 − 37 = 2027-02-21, the last closed day -> the day before the closure
        (D(2027, 3, 30), (D(2027, 1, 29), "Chinese New Year")),
        # 2027-03-08 − 37 = 2027-01-30, the first closed day -> moved as well
        (D(2027, 3, 8), (D(2027, 1, 29), "Chinese New Year")),
        # 2027-03-20 − 37 = 2027-02-11, mid-closure
        (D(2027, 3, 20), (D(2027, 1, 29), "Chinese New Year")),
        # 2027-03-31 − 37 = 2027-02-22: work has resumed, not moved
        (D(2027, 3, 31), (D(2027, 2, 22), "")),
        # 2027-03-07 − 37 = 2027-01-29: the day before the closure, not moved
        (D(2027, 3, 7), (D(2027, 1, 29), "")),
    ],
)
def test_contact_by_inside_a_closure_moves_to_the_day_before_it(
    order_day: dt.date, expected: tuple[dt.date, str]
) -> None:
    assert contact_by(order_day, LEAD, BUFFER, [CNY_2027]) == expected


def test_contact_by_moved_into_an_earlier_closure_moves_again() -> None:
    new_year = Closure(name="New Year", start=D(2027, 1, 25), end=D(2027, 1, 29))
    # 2027-02-11 is inside CNY -> 2027-01-29, which is inside "New Year" -> 2027-01-24
    assert contact_by(D(2027, 3, 20), LEAD, BUFFER, [new_year, CNY_2027]) == (
        D(2027, 1, 24),
        "New Year",
    )


def test_closure_named_without_english_still_names_the_move() -> None:
    spring = Closure(name={"zh": "春节"}, start=D(2027, 1, 30), end=D(2027, 2, 21))
    assert contact_by(D(2027, 3, 20), LEAD, BUFFER, [spring]) == (D(2027, 1, 29), "春节")


# --- the whole plan, through the real loader ---------------------------------------------

ORDERS = """\
order_id,customer_id,order_date,amount,product
A1,C1,2025-01-10,1000,bolts
A2,C1,2025-04-10,2000,bolts
A3,C1,2025-07-09,3000,nuts
A4,C1,2025-10-07,6000,bolts
CR1,C1,2025-11-20,-500,bolts
S1,C2,2023-03-10,3000,lamps
S2,C2,2023-09-15,3500,lamps
S3,C2,2024-03-12,3800,lamps
S4,C2,2024-09-14,4000,lamps
S5,C2,2025-03-11,5000,lamps
S6,C2,2025-09-20,6000,lamps
M1,C3,2025-01-01,100,tape
M2,C3,2025-04-01,200,tape
M3,C3,2025-05-31,300,tape
M4,C3,2025-09-28,400,tape
Q1,C4,2024-01-15,700,glue
Q2,C4,2024-07-15,900,glue
O1,C5,2025-06-01,1200,pins
CR2,C6,2025-06-02,-80,pins
L1,C8,2024-01-01,100,rope
L2,C8,2025-12-30,100,rope
F1,C1,2026-01-02,99999,bolts
"""
CUSTOMERS = """\
customer_id,company,owner,growth
C1,Acme Ltd,Lily Chen,8%
C2,Beta SA,Kevin Wang,0.08
C3,Gamma,Lily Chen,
C4,Delta,Kevin Wang,
C5,Epsilon,Lily Chen,
C6,Zeta,Lily Chen,
C7,Eta,Kevin Wang,
C8,Theta,Kevin Wang,
"""
AS_OF = D(2025, 12, 31)
# The first expected order of C3 (2026-03-27) − 37 = 2026-02-18 falls inside this closure.
SPRING_2026 = Closure(name="Spring Festival", start=D(2026, 2, 10), end=D(2026, 3, 3))


@pytest.fixture
def plan(tmp_path: Path) -> ReorderPlan:
    data = dataset(tmp_path / "ws", ORDERS, CUSTOMERS)
    return plan_of(data, year=2026, as_of=AS_OF, closures=[SPRING_2026])


def test_plan_rows_hand_computed(plan: ReorderPlan) -> None:
    rows = {row.customer_id: row for row in plan.rows}
    assert set(rows) == {"C1", "C2", "C3", "C4"}

    c1 = rows["C1"]
    # CR1 (a credit on 2025-11-20) is no order date: last order stays 2025-10-07, 4 orders;
    # F1 is after the as-of day and ignored. Same dates as the regular case:
    # 2026-01-05, 04-05, 07-04, 10-02, 12-31. Own growth "8%":
    # (2000 + 3000 + 6000) / 3 × 1.08 = 3666.67 × 1.08 = 3960
    assert (c1.company, c1.owner, c1.orders, c1.interval_days) == ("Acme Ltd", "Lily Chen", 4, 90)
    assert [e.date for e in c1.expected] == [
        D(2026, 1, 5),
        D(2026, 4, 5),
        D(2026, 7, 4),
        D(2026, 10, 2),
        D(2026, 12, 31),
    ]
    assert {e.amount for e in c1.expected} == {3960.0}
    assert c1.expected_total == 19800.0  # 5 × 3960
    # contact by 2026-01-05 − 37: Jan −5 -> Dec 31, −31 -> Nov 30, −1 -> 2025-11-29
    assert (c1.contact_by, c1.moved_for) == (D(2025, 11, 29), "")
    assert (c1.confidence, c1.campaign) == ("high", "thanks")  # ordered in 2025
    assert c1.products == ("bolts", "nuts")

    c2 = rows["C2"]
    # seasonal, growth "0.08": (4000 + 5000 + 6000) / 3 × 1.08 = 5400
    assert c2.pattern == "seasonal"
    assert c2.expected == (Expected(D(2026, 3, 11), 5400.0), Expected(D(2026, 9, 15), 5400.0))
    # 2026-03-11 − 37 = 2026-02-02: 8 days before the closure starts, not moved
    assert (c2.contact_by, c2.moved_for) == (D(2026, 2, 2), "")
    assert (c2.confidence, c2.campaign) == ("high", "thanks")

    c3 = rows["C3"]
    # median 90 from 2025-09-28: 2025-12-27 (still 2025), then 2026-03-27 (Dec 27 + 4+31+28+27),
    # 2026-06-25 (+4+30+31+25), 2026-09-23 (+5+31+31+23), 2026-12-22 (+7+31+30+22)
    # blank growth -> --growth 0.05: (200 + 300 + 400) / 3 × 1.05 = 315
    assert c3.expected == tuple(
        Expected(D.fromisoformat(day), 315.0)
        for day in ("2026-03-27", "2026-06-25", "2026-09-23", "2026-12-22")
    )
    assert c3.expected_total == 1260.0
    # 2026-03-27 − 37 = 2026-02-18 (Mar −27 -> Feb 28, −10), inside 02-10..03-03 -> 2026-02-09
    assert (c3.contact_by, c3.moved_for) == (D(2026, 2, 9), "Spring Festival")
    assert (c3.confidence, c3.campaign) == ("medium", "thanks")

    c4 = rows["C4"]
    # 2024-01-15 -> 2024-07-15 = 16+29+31+30+31+30+15 = 182 days (2024 is a leap year)
    # 2024-07-15 + 182 = 2025-01-13 (+16+31+30+31+30+31+13); + 182 = 2025-07-14
    # (+18+28+31+30+31+30+14); + 182 = 2026-01-12 (+17+31+30+31+30+31+12);
    # + 182 = 2026-07-13 (+19+28+31+30+31+30+13); + 182 -> 2027
    # amount: (700 + 900) / 2 × 1.05 = 840
    assert c4.expected == (Expected(D(2026, 1, 12), 840.0), Expected(D(2026, 7, 13), 840.0))
    # quiet 2024-07-15 .. 2025-12-31 = 16+31+30+31+30+31 + 365 = 534 days > 2×182 + 90 = 454
    assert c4.confidence == "low"
    # nothing ordered in 2025 -> urgency; 2026-01-12 − 37 = 2025-12-06 (Jan −12, Dec −25)
    assert (c4.contact_by, c4.campaign) == (D(2025, 12, 6), "urgency")
    assert c4.overdue(AS_OF) and not c2.overdue(AS_OF)


def test_plan_rows_are_sorted_by_contact_by(plan: ReorderPlan) -> None:
    # C1 2025-11-29, C4 2025-12-06, C2 2026-02-02, C3 2026-02-09
    assert [row.customer_id for row in plan.rows] == ["C1", "C4", "C2", "C3"]
    assert [row.contact_by for row in plan.rows] == sorted(row.contact_by for row in plan.rows)


def test_customers_without_a_plan_are_listed_with_the_reason(plan: ReorderPlan) -> None:
    reasons = {row.customer_id: row.reason for row in plan.skipped}
    assert reasons == {
        "C5": "too little history: only 1 purchase order",
        "C6": "too little history: no purchase order",  # only a credit
        "C7": "too little history: no purchase order",  # in customers.csv, no orders
        # 2024-01-01 -> 2025-12-30 = 366 + 363 = 729 days; next 2027-12-29: none in 2026
        "C8": "no order expected in 2026",
    }
    assert [row.customer_id for row in plan.skipped] == ["C5", "C6", "C7", "C8"]
    assert {row.company for row in plan.skipped} == {"Epsilon", "Zeta", "Eta", "Theta"}


def test_repeat_revenue_counts_high_and_medium_rows_only(plan: ReorderPlan) -> None:
    # C1 19800 (high) + C2 2 × 5400 = 10800 (high) + C3 1260 (medium); C4 1680 (low) left out
    assert plan.repeat_revenue == 19800.0 + 10800.0 + 1260.0 == 31860.0
    assert (plan.year, plan.as_of, plan.growth) == (2026, AS_OF, 0.05)
    assert (plan.buffer_days, plan.lead_time_days) == (BUFFER, LEAD)


def test_growth_option_applies_when_the_customers_file_has_none(tmp_path: Path) -> None:
    data = dataset(tmp_path / "ws", ORDERS)  # no customers.csv
    plan = plan_of(data, year=2026, as_of=AS_OF, growth=0.5)
    rows = {row.customer_id: row for row in plan.rows}
    # C1: 3666.67 × 1.5 = 5500; C2: 5000 × 1.5 = 7500
    assert (rows["C1"].first, rows["C2"].first) == (
        Expected(D(2026, 1, 5), 5500.0),
        Expected(D(2026, 3, 11), 7500.0),
    )
    assert rows["C1"].company == ""


def test_unreadable_growth_falls_back_to_the_option(tmp_path: Path) -> None:
    customers = "customer_id,growth\nC1,lots\nC2,-10%\n"
    plan = plan_of(dataset(tmp_path / "ws", ORDERS, customers), year=2026, as_of=AS_OF)
    rows = {row.customer_id: row for row in plan.rows}
    # C1 "lots" -> --growth 0.05: 3666.67 × 1.05 = 3850; C2 "-10%": 5000 × 0.9 = 4500
    assert (rows["C1"].first.amount, rows["C2"].first.amount) == (3850.0, 4500.0)


def test_credit_only_customer_without_a_customers_file_is_listed_not_dropped(
    tmp_path: Path,
) -> None:
    data = dataset(tmp_path / "ws", ORDERS)  # C6 appears only in orders.csv, as a credit
    plan = plan_of(data, year=2026, as_of=AS_OF)
    reasons = {row.customer_id: row.reason for row in plan.skipped}
    assert reasons.get("C6") == "too little history: no purchase order"


def test_returned_products_are_not_ordered_products(tmp_path: Path) -> None:
    orders = (
        "order_id,customer_id,order_date,amount,product\n"
        "A1,C1,2025-01-10,100,bolts\n"
        "A2,C1,2025-04-10,100,bolts\n"
        "R1,C1,2025-05-01,-10,washers\n"
        "R2,C1,2025-05-02,-10,washers\n"
        "R3,C1,2025-05-03,-10,washers\n"
    )
    plan = plan_of(dataset(tmp_path / "ws", orders), year=2026, as_of=AS_OF)
    assert plan.rows[0].products == ("bolts",)


# --- goal arithmetic ---------------------------------------------------------------------


def test_goal_from_a_new_customer_target() -> None:
    result = goal(target_new=500_000, avg_order=10_000, conversion=0.10, workdays=250)
    # 500 000 / 10 000 = 50 orders; / 0.10 conversion = 500 leads; / 250 days = 2 a day
    assert result.orders_needed == 50
    assert result.leads_per_year == pytest.approx(500)
    assert result.leads_per_day == pytest.approx(2.0)
    assert (result.target_total, result.repeat_revenue) == (None, None)


def test_goal_splits_a_yearly_target_into_repeat_and_new(plan: ReorderPlan) -> None:
    # yearly 531 860 − the plan's repeat revenue 31 860 = 500 000 to win from new customers
    result = goal(
        target_total=531_860,
        repeat_revenue=plan.repeat_revenue,
        avg_order=10_000,
        conversion=0.10,
        workdays=250,
    )
    assert (result.target_total, result.repeat_revenue) == (531_860, 31_860.0)
    assert result.target_new == 500_000
    assert result.leads_per_year == pytest.approx(500)
    assert result.leads_per_day == pytest.approx(2.0)


def test_goal_never_needs_negative_new_revenue() -> None:
    # repeat customers already cover the year: 80 000 − 100 000 -> 0, not −20 000
    result = goal(
        target_total=80_000, repeat_revenue=100_000, avg_order=10_000, conversion=0.5, workdays=250
    )
    assert (result.target_new, result.orders_needed, result.leads_per_day) == (0.0, 0.0, 0.0)


BAD_NUMBERS = "--avg-order and --workdays must be positive, --conversion in (0, 1]"


@pytest.mark.parametrize(
    ("avg_order", "conversion", "workdays"),
    [(0, 0.1, 250), (-1, 0.1, 250), (10_000, 0, 250), (10_000, 1.01, 250), (10_000, 0.1, 0)],
)
def test_goal_rejects_bad_numbers(avg_order: float, conversion: float, workdays: int) -> None:
    with pytest.raises(UsageError) as caught:
        goal(target_new=1, avg_order=avg_order, conversion=conversion, workdays=workdays)
    assert str(caught.value) == BAD_NUMBERS


def test_goal_conversion_of_one_is_allowed() -> None:
    assert goal(target_new=20_000, avg_order=10_000, conversion=1, workdays=1).leads_per_day == 2


@pytest.mark.parametrize(
    "given", [{}, {"target_total": 100_000}, {"repeat_revenue": 5_000.0}], ids=str
)
def test_goal_needs_a_target(given: dict) -> None:
    with pytest.raises(UsageError) as caught:
        goal(avg_order=10_000, conversion=0.1, workdays=250, **given)
    assert str(caught.value) == "give --target-new, or --target (yearly total) with a plan"
