"""A buyer whose language no approved template is written in: the model writes the
approved English message in the buyer's language, held by the same fact guard; a message
the guard refuses keeps the whole English draft (never a Russian subject over English)."""

from __future__ import annotations

import json
from pathlib import Path

from followup.drafting.workbench import DraftRequest, request
from tests.test_llm_engine import bench, engine

RUSSIAN = (Path(__file__).parent / "data" / "translation" / "thanks-C1001-ru.txt").read_text(
    encoding="utf-8"
)
SUBJECT = "Спасибо за 2026 год и взгляд на 2027 год"


def reply(message: str, subject: str = SUBJECT) -> str:
    return json.dumps({"subject": subject, "message": message}, ensure_ascii=False)


def russian_request() -> DraftRequest:
    return request(bench(), "C1001", "thanks", "email", "ru")  # no ru template is shipped


def test_a_faithful_translation_is_the_draft_in_the_buyers_language() -> None:
    llm, client = engine([reply(RUSSIAN)])
    draft = llm.draft(russian_request())
    assert (draft.engine, draft.language, draft.translated_from) == ("llm", "ru", "en")
    assert not draft.language_fallback and draft.findings == [] and draft.kept == {}
    assert draft.rewritten == ["subject", "message"] and draft.subject == SUBJECT
    assert draft.body.startswith("Уважаемый Сантьяго Варгас,\n\n2026 год подходит к концу")
    # the signature stays the template's: the rep's name as the company spells it
    assert draft.body.endswith(
        "С уважением,\nKevin Wang\nAccount Manager\nNingbo Everbright Lighting Co., Ltd.\n"
    )
    sent = client.requests[0]["messages"]
    assert (
        "Your company approved this message in English only, and the buyer reads Russian."
        in sent[1]["content"]
    )
    assert (
        "- Greet the buyer and sign off in Russian; no signature: the message adds it."
        in sent[0]["content"]
    )
    schema = client.requests[0]["response_format"]["json_schema"]["schema"]
    assert schema["required"] == ["message", "subject"]  # the rep's Chinese: asked after


def test_a_translation_that_adds_a_discount_keeps_the_english_draft() -> None:
    lying = RUSSIAN.replace(
        "Ещё раз спасибо", "Дарим вам скидку 15% на следующий заказ. Ещё раз спасибо"
    )
    again = json.dumps({"message": lying}, ensure_ascii=False)  # asked once more: the message
    llm, client = engine([reply(lying), again])
    draft = llm.draft(russian_request())
    assert len(client.requests) == 2
    assert draft.engine == "template" and draft.language_fallback
    assert draft.body.startswith("Dear Santiago Vargas,") and draft.subject.startswith("Thank you")
    assert draft.kept["message"] == "states '15%', which no fact supports"
    assert draft.kept["subject"] == "the message kept English"


def test_an_english_reply_is_not_a_translation() -> None:
    english = (
        "Dear Santiago Vargas,\n\nThank you and the whole team at Importaciones Vargas S.A.S. "
        "for the trust you showed us in 2026: two orders, and four years of working together "
        "since 2022. We would like to plan your first orders for 2027 early, around our "
        "Chinese New Year closure, so please tell me what you expect to need.\n\n"
        "Best regards,\n"
    )
    again = json.dumps({"message": english})
    llm, _ = engine([reply(english, "Thank you for 2026"), again])
    draft = llm.draft(russian_request())
    assert draft.engine == "template" and draft.language_fallback
    assert draft.kept["message"].startswith("a paragraph is in 'en', not 'ru': 'Thank you and")


def test_a_language_the_library_has_is_not_translated() -> None:
    llm, _ = engine([])
    _, asks, base, _ = llm._messages(request(bench(), "C1001", "thanks", "email", "de"))
    assert "message" not in base.wording
    assert not any("English only" in messages.user for _, messages in asks)
