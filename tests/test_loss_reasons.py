"""Loss reasons as teams type them: free text read by keywords, a team's own map in
followup.toml, and a note that says how each free-text reason was read."""

from __future__ import annotations

from pathlib import Path

import pytest

import followup
from followup.data.reasons import canonical_reason
from tests.conftest import edit_rows, run


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
    edit_rows(root / "data" / "losses.csv", {cid: {"reason": r} for cid, r in reasons.items()})
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


# --------------------------------------------------------------------------- angles


@pytest.mark.parametrize(
    ("reason", "detail", "angle"),
    [
        ("delivery", "Container rolled over twice; customer switched to local stock", "reliability"),
        ("delivery", "Shipment arrived 5 weeks late; they missed the project deadline", "reliability"),
        ("delivery", "Could not meet the 20-day lead time they needed before CNY", "lead_time"),
        ("delivery", "Needed goods from stock within two weeks", "stock"),
        ("delivery", "客户要现货，我们只能下单生产", "stock"),
        ("delivery", "交期太长", "lead_time"),
        ("delivery", "Lieferung verspätet", "reliability"),
        ("delivery", "", "lead_time"),  # no detail: the generic angle
        ("price", "price is 8% above the market", "list_price"),
        ("price", "Moved to a rival; FOB price 14% lower for the same specs", "list_price"),
        ("price", "Our MOQ of 500 pieces per model was too high for their shop", "moq"),
        ("price", "起订量太高", "moq"),
        ("price", "Wanted CIF prices; our FOB quote plus freight came out 8% higher", "terms"),
        ("price", "pedido mínimo demasiado alto", "moq"),
        ("quality", "Two batches of drivers failed", None),  # no angles: none
    ],
)  # fmt: skip
def test_the_detail_picks_the_angle_within_the_reason(
    reason: str, detail: str, angle: str | None
) -> None:
    from followup.data.reasons import angle_of

    assert angle_of(reason, detail) == angle


def _reactivation(tmp_path: Path, details: dict[str, tuple[str, str]]) -> dict[str, str]:
    """The reactivation email bodies for customers whose loss is set to (reason, detail)."""
    root = workspace(tmp_path, {cid: reason for cid, (reason, _) in details.items()})
    edit_rows(root / "data" / "losses.csv", {cid: {"detail": d} for cid, (_, d) in details.items()})
    bodies = {}
    for cid in details:
        result = run("draft", cid, "--campaign", "reactivation", "--lang", "en",
                     "--workspace", str(root), "--as-of", "2026-11-22")  # fmt: skip
        bodies[cid] = result.stdout
    return bodies


def test_a_reactivation_answers_what_the_buyer_said_not_only_the_category(
    tmp_path: Path,
) -> None:
    bodies = _reactivation(
        tmp_path,
        {
            "C1070": ("delivery", "Container rolled over twice; customer switched to local stock"),
            "C1013": ("delivery", "Could not meet the 20-day lead time they needed"),
            "C1083": ("price", "Our MOQ of 500 pieces per model was too high for their shop"),
            "C1091": ("price", "Says our price is 8% above the market"),
        },
    )
    rolled, slow, moq, dear = (bodies[c] for c in ("C1070", "C1013", "C1083", "C1091"))
    assert "I know our shipments did not arrive when we had promised last time" in rolled
    # the sample's changes for delivery.reliability replace the lead-time list
    assert "A shipment status report every week for each open order" in rolled
    assert "Standard lead time of 30 days" not in rolled
    assert "I know our delivery did not fit your schedule last time" in slow
    assert "Standard lead time of 30 days from deposit to goods ready" in slow
    assert "our minimum order quantity was the sticking point" in moq
    assert "Orders from 100 pieces per model since 2026" in moq
    assert "3% below 2024 levels" not in moq
    assert "our price was the sticking point" in dear
    assert "3% below 2024 levels" in dear


def test_an_unknown_angle_in_company_yaml_names_the_known_ones() -> None:
    from pydantic import ValidationError

    from followup.data.facts import CompanyFacts

    facts = {
        "company": "X",
        "sender": {"name": "A"},
        "production": {"lead_time_days": 30},
        "changes": {"price.cheap": ["cheaper"]},
    }
    expected = r"unknown angle 'price\.cheap' \(angles of price: price\.list_price, price\.terms"
    with pytest.raises(ValidationError, match=expected):
        CompanyFacts.model_validate(facts)
