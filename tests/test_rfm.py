"""RFM rules, each pinned by a hand-computed fixture, plus hypothesis invariants."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followup.analysis.rfm import compute_rfm, score
from followup.data.orders import Orders, load_orders
from followup.settings import CurrencySettings
from tests.conftest import write

AS_OF = dt.date(2026, 11, 22)


def orders_from(text: str, currency: CurrencySettings | None = None) -> Orders:
    path = write(Path("orders.csv"), text)
    return load_orders(path, "orders.csv", currency=currency or CurrencySettings())


def rfm_rows(text: str, as_of: dt.date = AS_OF, customers: tuple[str, ...] = ()) -> dict[str, dict]:
    result = compute_rfm(orders_from(text), as_of, customers)
    return {row["customer_id"]: row for row in result.table.to_pylist()}


def test_lines_of_one_order_are_one_order_dated_by_its_earliest_line() -> None:
    rows = rfm_rows(
        "order_id,customer_id,order_date,amount\n"
        "A1,C1,2026-11-20,100\n"
        "A1,C1,2026-11-12,50.5\n"  # earlier line of the same order
        "A2,C1,2026-10-01,10\n"
    )
    c1 = rows["C1"]
    assert (c1["frequency"], c1["monetary"], c1["recency_days"]) == (2, 160.5, 10)
    assert c1["last_order"] == dt.date(2026, 11, 12)


def test_same_order_id_at_two_customers_is_two_orders() -> None:
    rows = rfm_rows(
        "order_id,customer_id,order_date,amount\nA1,C1,2026-11-01,1\nA1,C2,2026-11-02,2\n"
    )
    assert rows["C1"]["frequency"] == rows["C2"]["frequency"] == 1


def test_without_order_id_each_row_is_one_order() -> None:
    rows = rfm_rows("customer_id,order_date,amount\nC1,2026-11-01,5\nC1,2026-11-01,5\n")
    assert rows["C1"]["frequency"] == 2


def test_as_of_is_inclusive_and_later_orders_are_ignored_and_counted() -> None:
    result = compute_rfm(
        orders_from(
            "order_id,customer_id,order_date,amount\n"
            "A1,C1,2026-11-22,100\n"  # on the as-of day: counts, recency 0
            "A2,C1,2026-11-23,999\n"  # after: ignored
            "A3,C2,2026-12-01,5\n"  # C2 has only a later order: a prospect
        ),
        AS_OF,
    )
    rows = {r["customer_id"]: r for r in result.table.to_pylist()}
    assert (rows["C1"]["recency_days"], rows["C1"]["frequency"], rows["C1"]["monetary"]) == (
        0,
        1,
        100,
    )
    assert rows["C2"]["frequency"] == 0 and rows["C2"]["monetary"] == 0
    assert result.orders_after_as_of == 2


def test_credit_nets_into_monetary_but_is_not_a_purchase() -> None:
    rows = rfm_rows(
        "order_id,customer_id,order_date,amount\n"
        "A1,C1,2026-10-23,1000\n"
        "CR1,C1,2026-11-20,-200\n"  # later credit: recency stays 30, frequency 1
    )
    c1 = rows["C1"]
    assert (c1["recency_days"], c1["frequency"], c1["monetary"], c1["credits"]) == (30, 1, 800, 1)


def test_order_netting_below_zero_is_a_credit_and_zero_is_an_order() -> None:
    rows = rfm_rows(
        "order_id,customer_id,order_date,amount\n"
        "A1,C1,2026-11-01,100\n"
        "A1,C1,2026-11-01,-150\n"  # nets to -50: a credit
        "Z1,C2,2026-11-02,0\n"  # zero: still an order
    )
    assert rows["C1"]["frequency"] == 0 and rows["C1"]["monetary"] == -50
    assert rows["C1"]["r_score"] is None
    assert rows["C2"]["frequency"] == 1 and rows["C2"]["recency_days"] == 20


def test_credit_only_and_orderless_customers_are_listed_unscored() -> None:
    result = compute_rfm(
        orders_from(
            "order_id,customer_id,order_date,amount\nA1,C1,2026-11-01,10\nCR,C2,2026-11-01,-5\n"
        ),
        AS_OF,
        customers=("C1", "C2", "C3"),
    )
    table = result.table.to_pandas().set_index("customer_id")
    assert list(table.index) == ["C1", "C2", "C3"]
    for cid in ("C2", "C3"):
        assert table.loc[cid, "frequency"] == 0
        assert table[["r_score", "f_score", "m_score"]].loc[cid].isna().all()
    assert table.loc["C1", ["r_score", "f_score", "m_score"]].tolist() == [1, 1, 1]


def test_scores_follow_the_formula_with_ties_together() -> None:
    # frequencies 1,1,2,3,5 -> k (strictly fewer) 0,0,2,3,4 -> 1+(5k)//5 = 1,1,3,4,5
    lines = ["order_id,customer_id,order_date,amount"]
    for cid, count in (("A", 1), ("B", 1), ("C", 2), ("D", 3), ("E", 5)):
        lines += [f"{cid}{i},{cid},2026-11-0{i + 1},100" for i in range(count)]
    rows = rfm_rows("\n".join(lines) + "\n")
    assert [rows[c]["f_score"] for c in "ABCDE"] == [1, 1, 3, 4, 5]


def test_recency_score_counts_customers_with_more_days() -> None:
    rows = rfm_rows(
        "order_id,customer_id,order_date,amount\n"
        "1,A,2026-11-22,1\n2,B,2026-11-22,1\n3,C,2026-01-01,1\n4,D,2025-01-01,1\n"
    )
    # recency 0,0,325,690 -> k (strictly more days) 2,2,1,0 of N=4 -> 1+(5k)//4 = 3,3,2,1
    assert [rows[c]["r_score"] for c in "ABCD"] == [3, 3, 2, 1]


def test_currencies_convert_to_the_base() -> None:
    orders = orders_from(
        "order_id,customer_id,order_date,amount,currency\n"
        "1,C1,2026-11-01,100,EUR\n2,C1,2026-11-02,50,usd\n3,C2,2026-11-03,10,\n",
        CurrencySettings(base="USD", rates={"EUR": 1.1}),
    )
    rows = {r["customer_id"]: r for r in compute_rfm(orders, AS_OF).table.to_pylist()}
    assert rows["C1"]["monetary"] == 160.0 and rows["C2"]["monetary"] == 10.0
    assert orders.base_currency == "USD"


def test_single_currency_without_rates_is_the_base() -> None:
    orders = orders_from(
        "order_id,customer_id,order_date,amount,currency\n1,C1,2026-11-01,100,EUR\n"
    )
    assert orders.base_currency == "EUR"


def test_monetary_is_rounded_to_cents_so_equal_spend_ties() -> None:
    rows = rfm_rows(
        "order_id,customer_id,order_date,amount\n"
        "1,A,2026-11-01,0.1\n1,A,2026-11-01,0.2\n2,B,2026-11-01,0.3\n"
    )
    assert rows["A"]["monetary"] == rows["B"]["monetary"] == 0.3
    assert rows["A"]["m_score"] == rows["B"]["m_score"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=60))
def test_scores_stay_in_range_and_ties_share_a_score(values: list[int]) -> None:
    array = np.array(values, dtype=float)
    for higher in (True, False):
        scores = score(array, higher_is_better=higher)
        assert scores.min() >= 1 and scores.max() <= 5
        for value in set(values):
            assert len(set(scores[array == value])) == 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=3000), min_size=2, max_size=60))
def test_more_recent_customer_never_gets_a_lower_r_score(days: list[int]) -> None:
    array = np.array(days, dtype=float)
    scores = score(array, higher_is_better=False)
    order = np.argsort(array, kind="stable")
    assert all(np.diff(scores[order]) <= 0)  # more days -> same or lower score


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=60))
def test_scores_match_the_formula_by_brute_force(values: list[int]) -> None:
    array = np.array(values, dtype=float)
    scores = score(array, higher_is_better=True)
    n = len(values)
    expected = [1 + (5 * sum(other < v for other in values)) // n for v in values]
    assert scores.tolist() == expected


@pytest.mark.parametrize("as_of", [dt.date(2026, 11, 22), dt.date(2025, 6, 30)])
def test_sample_has_every_classic_segment_and_prospects(as_of: dt.date) -> None:
    from followup.analysis.segmented import segment
    from followup.analysis.segments import Thresholds, default_rules
    from followup.data.dataset import Sources, load_dataset
    from followup.workspace import resolve

    dataset = load_dataset(Sources(resolve(None, sample=True)))
    result = segment(dataset, as_of, default_rules("classic"), Thresholds())
    table = result.table.to_pandas()
    assert table["customer_id"].is_unique
    assert (table["segment"] == "prospect").sum() >= 10
    if as_of == AS_OF:
        from followup.analysis.segments import all_segments

        assert set(table["segment"]) == set(all_segments("classic"))


def test_a_customer_whose_only_rows_were_set_aside_is_not_listed() -> None:
    path = write(
        Path("orders.csv"),
        "order_id,customer_id,order_date,amount\nA1,C1,2026-11-01,10\nB1,C2,2026-11-01,oops\n",
    )
    orders = load_orders(path, "orders.csv", currency=CurrencySettings(), keep_bad_rows=True)
    assert [r.row for r in orders.rejects] == [3]
    assert compute_rfm(orders, AS_OF).table.column("customer_id").to_pylist() == ["C1"]
