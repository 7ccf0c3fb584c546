"""Golden drafts: each campaign × channel in each shipped language, byte for byte.

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


@cache
def bench() -> Workbench:
    from followup.data.dataset import Sources
    from followup.workspace import resolve

    return prepare(Sources(resolve(None, sample=True)), AS_OF)


def rendered(campaign: str, channel: str, language: str) -> str:
    engine = TemplateEngine(bench())
    draft = engine.draft(request(bench(), CUSTOMERS[campaign], campaign, channel, language))
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


def test_golden_customer_for_reactivation_lost_on_price() -> None:
    loss = bench().profile(CUSTOMERS["reactivation"])["loss"]
    assert loss is not None and loss["reason"] == "price"
