"""Segment schemes: the full tables pinned literally, thresholds and the rules file."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from followup.analysis.segment_rules import load_rules
from followup.analysis.segments import Thresholds, assign, default_rules, label
from followup.errors import ConfigError, UsageError
from tests.conftest import run, write

# The table, written out here on purpose: a change to the code's grid must fail.
CLASSIC = {
    5: ["new_customers", "potential_loyalist", "potential_loyalist", "champions", "champions"],
    4: ["promising", "potential_loyalist", "potential_loyalist", "loyal", "loyal"],
    3: ["about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"],
    2: ["hibernating", "hibernating", "at_risk", "at_risk", "cannot_lose_them"],
    1: ["lost", "hibernating", "at_risk", "at_risk", "cannot_lose_them"],
}

# (R high, F high, M high) -> id, label. 价值 = value (all high), 保持 = retain (R low).
CN8 = {
    (1, 1, 1): ("important_value", "重要价值客户"),
    (1, 0, 1): ("important_develop", "重要发展客户"),
    (0, 1, 1): ("important_retain", "重要保持客户"),
    (0, 0, 1): ("important_winback", "重要挽留客户"),
    (1, 1, 0): ("general_value", "一般价值客户"),
    (1, 0, 0): ("general_develop", "一般发展客户"),
    (0, 1, 0): ("general_retain", "一般保持客户"),
    (0, 0, 0): ("general_winback", "一般挽留客户"),
}


def scored_table(rows: list[tuple[int, int, int]]) -> pa.Table:
    return pa.Table.from_pylist(
        [{"r_score": r, "f_score": f, "m_score": m, "frequency": 1} for r, f, m in rows]
    )


def test_classic_table_for_all_125_score_combinations() -> None:
    combos = list(itertools.product(range(1, 6), repeat=3))
    segments = assign(scored_table(combos), default_rules("classic"))
    for (r, f, m), segment in zip(combos, segments, strict=True):
        assert segment == CLASSIC[r][(f + m + 1) // 2 - 1], (r, f, m)


def test_classic_fm_rounds_half_up() -> None:
    # f=4, m=5 -> fm = (4+5+1)//2 = 5 -> champions; f=1, m=2 -> fm = 2
    segments = assign(scored_table([(5, 4, 5), (5, 1, 2)]), default_rules("classic"))
    assert segments.tolist() == ["champions", "potential_loyalist"]


def cn8_rows() -> pa.Table:
    # means: recency 50, frequency 3, monetary 300; one customer per cell, plus one exactly at means
    rows = []
    for r_high, f_high, m_high in CN8:
        rows.append(
            {
                "recency_days": 10 if r_high else 90,
                "frequency": 5 if f_high else 1,
                "monetary": 500.0 if m_high else 100.0,
            }
        )
    return pa.Table.from_pylist(rows)


def test_cn8_table_with_mean_thresholds() -> None:
    table = cn8_rows()
    segments = assign(table, default_rules("cn8"))
    for cell, segment in zip(CN8, segments, strict=True):
        assert segment == CN8[cell][0]
        assert label(segment, "cn8") == CN8[cell][1]


def test_cn8_value_equal_to_the_mean_is_low() -> None:
    table = pa.table(
        {"recency_days": [10, 30, 50], "frequency": [1, 2, 3], "monetary": [1.0, 2.0, 3.0]}
    )
    # means: 30 days, 2 orders, 2.0 -> the middle customer is exactly at every mean: R, F, M low
    assert assign(table, default_rules("cn8")).tolist()[1] == "general_winback"


def test_cn8_fixed_thresholds() -> None:
    table = pa.table({"recency_days": [89, 90], "frequency": [4, 3], "monetary": [5001.0, 5000.0]})
    segments = assign(table, default_rules("cn8"), Thresholds.parse("r=90,f=3,m=5000"))
    assert segments.tolist() == ["important_value", "general_winback"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("r=90,x=1", "--thresholds: expected r=DAYS,f=ORDERS,m=AMOUNT, got 'x=1'"),
        ("r=ninety", "--thresholds: r='ninety' is not a number"),
    ],
)
def test_bad_thresholds(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        Thresholds.parse(text)
    assert str(caught.value) == message


def test_unscored_customers_are_prospects() -> None:
    table = pa.Table.from_pylist(
        [
            {"r_score": None, "f_score": None, "m_score": None, "frequency": 0},
            {"r_score": 5, "f_score": 5, "m_score": 5, "frequency": 3},
        ]
    )
    assert assign(table, default_rules("classic")).tolist() == ["prospect", "champions"]


def test_rules_file_renames_and_redraws(tmp_path: Path) -> None:
    path = write(
        tmp_path / "rules.yaml",
        """
scheme: classic
rename:
  cannot_lose_them: vip_slipping
grid:
  5: [new_customers, promising, promising, champions, champions]
  4: [promising, promising, loyal, loyal, loyal]
  3: [about_to_sleep, about_to_sleep, need_attention, loyal, loyal]
  2: [hibernating, hibernating, at_risk, at_risk, cannot_lose_them]
  1: [lost, lost, at_risk, at_risk, cannot_lose_them]
""",
    )
    rules = load_rules(path)
    segments = assign(scored_table([(5, 2, 2), (1, 5, 5), (1, 2, 1)]), rules)
    assert segments.tolist() == ["promising", "vip_slipping", "lost"]


def test_cn8_rules_file_moves_a_cell(tmp_path: Path) -> None:
    path = write(tmp_path / "rules.yaml", "scheme: cn8\ncells:\n  HLH: important_value\n")
    segments = assign(cn8_rows(), load_rules(path))
    assert segments.tolist()[1] == "important_value"  # the HLH customer


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("scheme: rfm\n", "scheme: expected one of classic, cn8"),
        ("colour: red\n", "colour: unknown key"),
        ("grid:\n  5: [a, b]\n", "grid: needs rows 5, 4, 3, 2 and 1 (R score)"),
        ("rename:\n  champs: stars\n", "rename.champs: no such segment in the classic scheme"),
        (
            "scheme: cn8\ncells:\n  XYZ: a\n",
            "cells: unknown cell 'XYZ': use codes like HHH, HLH, LLL",
        ),
    ],
)
def test_bad_rules_file_names_the_key(tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path / "rules.yaml", text)
    with pytest.raises(ConfigError) as caught:
        load_rules(path)
    assert str(caught.value) == f"{path}: {problem}"


def test_segment_command_with_rules_file_and_cn8_labels(tmp_path: Path) -> None:
    write(
        tmp_path / "rules.yaml",
        "scheme: cn8\nrename:\n  important_value: vip\nlabels:\n  vip: 大客户\n",
    )
    result = run(
        "segment", "--sample", "--as-of", "2026-11-22", "--rules", "rules.yaml", "--format", "csv"
    )
    frame = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert "vip" in set(frame["segment"]) and "important_value" not in set(frame["segment"])
    assert set(frame.loc[frame["segment"] == "vip", "segment_label"]) == {"大客户"}
    assert set(frame.loc[frame["segment"] == "general_winback", "segment_label"]) == {
        "一般挽留客户"
    }
