"""Golden drafts: each campaign × channel in each shipped language, byte for byte; and
for Chinese every template slot (each loss reason of a reactivation, for a customer lost
on it).

A template change shows up here as a diff to review. After reviewing, rewrite the
goldens with `UPDATE_GOLDENS=1 pytest tests/test_golden.py`.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cache
from pathlib import Path

import pytest

from followup.drafting.engine import TemplateEngine
from followup.drafting.library import SHIPPED_LANGUAGES
from followup.drafting.workbench import Workbench, prepare, request

GOLDEN = Path(__file__).parent / "golden"
AS_OF = dt.date(2026, 11, 22)
#: one sample customer per campaign (reactivation: lost on price)
CUSTOMERS = {"urgency": "C1004", "thanks": "C1001", "reactivation": "C1014"}
#: one sample customer lost on each reason (delivery: on reliability), for the zh slots
LOST_ON = {
    "price": "C1014",
    "quality": "C1016",
    "delivery": "C1020",
    "service": "C1038",
    "competitor": "C1010",
    "payment_terms": "C1065",
    "no_demand": "C1013",
    "other": "C1030",
}


@cache
def bench() -> Workbench:
    from followup.data.dataset import Sources
    from followup.workspace import resolve

    return prepare(Sources(resolve(None, sample=True)), AS_OF)


def rendered(campaign: str, channel: str, language: str, customer: str | None = None) -> str:
    engine = TemplateEngine(bench())
    customer = customer or CUSTOMERS[campaign]
    draft = engine.draft(request(bench(), customer, campaign, channel, language))
    assert draft.language == language and not draft.language_fallback
    assert draft.findings == []
    head = f"Template: {draft.template_id}\n"
    subject = f"Subject: {draft.subject}\n" if draft.subject is not None else ""
    return head + subject + "\n" + draft.body


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
@pytest.mark.parametrize("channel", ["email", "whatsapp"])
@pytest.mark.parametrize("campaign", list(CUSTOMERS))
def test_golden_draft(campaign: str, channel: str, language: str) -> None:
    path = GOLDEN / language / f"{campaign}-{channel}.txt"
    text = rendered(campaign, channel, language)
    if os.environ.get("UPDATE_GOLDENS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("channel", ["email", "whatsapp"])
@pytest.mark.parametrize("reason", list(LOST_ON))
def test_golden_zh_reactivation_slot(reason: str, channel: str) -> None:
    path = GOLDEN / "zh" / f"reactivation-{reason}-{channel}.txt"
    text = rendered("reactivation", channel, "zh", LOST_ON[reason])
    assert text.startswith(f"Template: reactivation-{reason}-{channel}-zh\n")
    if os.environ.get("UPDATE_GOLDENS"):
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text


def test_golden_customers_for_zh_slots_are_lost_on_their_reason() -> None:
    for reason, customer_id in LOST_ON.items():
        loss = bench().profile(customer_id)["loss"]
        assert loss is not None and loss["reason"] == reason


def test_golden_customer_for_reactivation_lost_on_price() -> None:
    loss = bench().profile(CUSTOMERS["reactivation"])["loss"]
    assert loss is not None and loss["reason"] == "price"
