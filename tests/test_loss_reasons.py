"""Loss reasons as teams type them: free text read by keywords, a team's own map in
followup.toml, and a note that says how each free-text reason was read."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import followup
from followup.data.reasons import canonical_reason
from tests.conftest import run


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("交期太长", "delivery"),
        ("质量不稳定", "quality"),
        ("被同行抢走", "competitor"),
        ("价格高", "price"),
        ("账期太短", "payment_terms"),
        ("too expensive", "price"),
        ("Container rolled over twice; customer switched to local stock", "delivery"),
        ("price is 8% above the market", "price"),
        ("Lost to a competitor in Vietnam", "competitor"),
        ("Payment Terms", "payment_terms"),
        ("天气原因", None),  # nothing it knows: stays unknown, never guessed
        ("latex allergy", None),  # "late" inside a word is not a delay
    ],
)
def test_a_free_text_reason_is_read_by_its_words(text: str, reason: str | None) -> None:
    assert canonical_reason(text) == reason


def workspace(tmp_path: Path, reasons: dict[str, str], toml: str = "") -> Path:
    """The sample workspace with the first losses' reasons typed as free text."""
    root = tmp_path / "ws"
    run("init", str(root), "--sample")
    path = root / "data" / "losses.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["reason"] = reasons.get(row["customer_id"], row["reason"])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    if toml:
        settings = root / "followup.toml"
        settings.write_text(settings.read_text(encoding="utf-8") + toml, encoding="utf-8")
    return root


def test_the_teams_map_wins_and_the_note_says_how_each_was_read(tmp_path: Path) -> None:
    root = workspace(
        tmp_path,
        {"C1070": "交期太长", "C1013": "客户搬家"},
        toml='\n[reasons]\n"客户搬家" = "no_demand"\n',
    )
    data = followup.load(root)
    assert data.losses is not None
    read = dict(zip(data.losses["customer_id"], data.losses["reason"], strict=True))
    assert (read["C1070"], read["C1013"]) == ("delivery", "no_demand")
    result = run("losses", "--workspace", str(root), "--as-of", "2026-11-22")
    assert (
        'Note: ws/data/losses.csv: 2 losses have a reason in free text, read as: "交期太长" → '
        'delivery (1), "客户搬家" → no_demand (1)' in result.stderr
    )


def test_an_unknown_free_text_reason_is_said_and_kept(tmp_path: Path) -> None:
    root = workspace(tmp_path, {"C1070": "天气原因"})
    result = run("losses", "--workspace", str(root), "--as-of", "2026-11-22")
    assert 'losses have a reason followup does not know: "天气原因" (1)' in result.stderr


def test_a_map_to_a_reason_followup_does_not_know_is_one_line_and_exit_2(tmp_path: Path) -> None:
    root = workspace(tmp_path, {}, toml='\n[reasons]\n"交期太长" = "slow"\n')
    result = run("losses", "--workspace", str(root), "--as-of", "2026-11-22", ok=False)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f'Error: {root / "followup.toml"}: reasons."交期太长" = "slow" is not a loss reason '
        "(use one of price, quality, delivery, service, competitor, payment_terms, no_demand, "
        "other)"
    ]
