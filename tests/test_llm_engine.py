"""The LLM engine's decisions, with a fake client standing in for the API.

(The real path against a local model is tested by the `llm`-marked tests.)
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest

from followup.drafting.workbench import DraftRequest, Workbench, prepare, request
from followup.errors import DraftError
from followup.llm.client import resolve
from followup.llm.engine import UNCHANGED, LLMEngine
from followup.settings import LLMSettings

AS_OF = dt.date(2026, 11, 22)


@cache
def bench() -> Workbench:
    from followup.data.dataset import Sources
    from followup.workspace import resolve as resolve_workspace

    return prepare(Sources(resolve_workspace(None, sample=True)), AS_OF)


@dataclass
class FakeClient:
    """Answers each request with the next scripted reply (a string, or an exception)."""

    replies: list[Any]
    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def chat(self) -> FakeClient:
        return self

    @property
    def completions(self) -> FakeClient:
        return self

    def create(self, **kwargs: Any) -> Any:
        self.requests.append(kwargs)
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        usage = type("Usage", (), {"prompt_tokens": 500, "completion_tokens": 120})()
        message = type("Message", (), {"content": reply})()
        choice = type("Choice", (), {"message": message})()
        return type("Response", (), {"choices": [choice], "usage": usage})()


def engine(replies: list[Any], *, fallback: bool = True) -> tuple[LLMEngine, FakeClient]:
    client = FakeClient(list(replies))
    config = resolve(LLMSettings(model="test-model", base_url="http://127.0.0.1:9/v1"), {})
    return LLMEngine(bench(), client, config, fallback=fallback), client


def wording() -> dict[str, str]:
    """The approved wording of C1001's thanks email's regions (subject, opening, closing)."""
    templates = LLMEngine(bench(), None, resolve(LLMSettings(), {}), fallback=True).templates
    base = templates.baseline(request(bench(), "C1001", "thanks", "email", "en"))
    return {name: text.strip() for name, text in base.wording.items()}


def faithful_reply() -> str:
    """A rewrite of every region that states only what it was given."""
    return json.dumps(
        {
            "subject": "Thank you for 2026, Santiago",
            "opening": "As the year comes to an end, thank you and your team at Importaciones "
            "Vargas S.A.S. for working with us.",
            "closing": "I would be glad to hear what you are planning for next year.",
        }
    )


def req() -> DraftRequest:
    return request(bench(), "C1001", "thanks", "email", "en")


def test_a_faithful_reply_rewrites_every_region_and_keeps_the_rest() -> None:
    llm, client = engine([faithful_reply()])
    draft = llm.draft(req())
    assert (draft.engine, draft.model, draft.prompt_id) == ("llm", "test-model", "thanks")
    assert (draft.tokens_in, draft.tokens_out) == (500, 120)
    assert draft.fallback_reason is None and draft.findings == []
    assert draft.rewritten == ["subject", "opening", "closing"] and draft.kept == {}
    assert draft.subject == "Thank you for 2026, Santiago"
    assert draft.body.startswith("Dear Santiago Vargas,\n\nAs the year comes to an end")
    assert (
        "I would be glad to hear what you are planning for next year.\n\nBest regards,\n"
        in draft.body
    )
    template = LLMEngine(bench(), None, resolve(LLMSettings(), {}), fallback=True).templates
    kept = template.draft(req()).body.split("\n\n")[2:-2]  # the facts between the regions
    assert all(paragraph in draft.body for paragraph in kept)
    sent = client.requests[0]
    assert sent["response_format"]["json_schema"]["schema"]["required"] == [
        "opening",  # the prose first: a subject written first leads to restating the offer
        "closing",
        "subject",
        "summary_zh",  # the rep's Chinese of its parts; a reply without one: the template's
    ]
    assert draft.summary_zh.startswith("主题：")
    assert sent["messages"][0]["role"] == "system"
    assert "Thank you again, and my best wishes" in sent["messages"][1]["content"]  # the wording


def test_a_refused_region_is_asked_again_with_the_reason_then_keeps_the_wording() -> None:
    bad = json.loads(faithful_reply())
    bad["opening"] += " As a thank-you we give you 37% off every order in 2027."
    again = {"opening": bad["opening"]}  # the model repeats itself
    llm, client = engine([json.dumps(bad), json.dumps(again)])
    draft = llm.draft(req())
    assert len(client.requests) == 2
    repair = client.requests[1]["messages"][-1]["content"]
    assert repair.startswith(
        "Some parts cannot be used as written:\n- \"opening\": states a '37%' discount"
    )
    assert client.requests[1]["response_format"]["json_schema"]["schema"]["required"] == ["opening"]
    assert draft.engine == "llm" and draft.rewritten == ["subject", "closing"]
    assert draft.kept["opening"].startswith("states a '37%' discount; the discounts given: 5%")
    assert "37% off" in draft.rejected["opening"] and "37%" not in draft.body
    assert wording()["opening"] in draft.body  # the approved wording stands


def test_a_repaired_region_is_taken() -> None:
    bad = json.loads(faithful_reply())
    bad["closing"] = "We guarantee delivery before Christmas."
    llm, _ = engine([json.dumps(bad), json.dumps({"closing": "Shall we plan 2027 together?"})])
    draft = llm.draft(req())
    assert draft.rewritten == ["subject", "opening", "closing"] and draft.kept == {}
    assert "Shall we plan 2027 together?" in draft.body


def test_when_every_region_is_refused_the_draft_is_the_template_with_the_reason() -> None:
    german = "Vielen Dank für die gute Zusammenarbeit in diesem Jahr und alles Gute für Sie."
    bad = dict.fromkeys(("subject", "opening", "closing"), german)
    llm, _ = engine([json.dumps(bad), json.dumps(bad)])
    draft = llm.draft(req())
    assert draft.engine == "template" and draft.rewritten == []
    assert set(draft.kept) == {"subject", "opening", "closing"}
    assert draft.fallback_reason is not None
    assert draft.fallback_reason.startswith("every region kept the approved wording: subject: ")
    assert "a paragraph is in 'de', not 'en'" in draft.fallback_reason
    strict, _ = engine([json.dumps(bad), json.dumps(bad)], fallback=False)
    with pytest.raises(DraftError):
        strict.draft(req())


def test_an_unparsable_reply_is_asked_again_once() -> None:
    llm, client = engine(["Sure! Here it is.", faithful_reply()])
    draft = llm.draft(req())
    assert draft.engine == "llm" and len(client.requests) == 2
    assert (
        "That reply was not usable: the reply is not a JSON object"
        in client.requests[1]["messages"][-1]["content"]
    )
    assert draft.tokens_in == 1000


def test_api_failure_falls_back_in_auto_and_fails_in_llm_mode() -> None:
    import openai

    request_type = openai.APIConnectionError.__init__.__annotations__["request"]
    http = __import__(request_type.split(".")[0])  # httpx, or httpx2 in newer openai releases
    error = openai.APIConnectionError(request=http.Request("POST", "http://127.0.0.1:9/v1"))
    auto, _ = engine([error])
    draft = auto.draft(req())
    assert draft.engine == "template"
    reason = "the API call to http://127.0.0.1:9/v1 failed: APIConnectionError: Connection error."
    assert draft.fallback_reason == reason
    strict, _ = engine([error], fallback=False)
    with pytest.raises(DraftError) as caught:
        strict.draft(req())
    assert str(caught.value) == reason


def test_fingerprint_follows_the_messages_and_model() -> None:
    llm, _ = engine([])
    first = llm.fingerprint(req())
    assert first == llm.fingerprint(req())
    other, _ = engine([])
    other.config = resolve(LLMSettings(model="another-model", base_url="http://127.0.0.1:9/v1"), {})
    assert other.fingerprint(req()) != first


def test_a_region_that_repeats_the_greeting_or_the_sign_off_loses_the_copy() -> None:
    framed = json.loads(faithful_reply())
    framed["opening"] = "Dear Santiago Vargas! " + framed["opening"]
    framed["closing"] += "\n\nBest regards,\nKevin Wang\nAccount Manager"  # C1001's rep
    llm, _ = engine([json.dumps(framed)])
    draft = llm.draft(req())
    assert draft.rewritten == ["subject", "opening", "closing"]
    assert draft.body.count("Dear Santiago Vargas") == 1
    assert draft.body.count("Best regards") == 1 and draft.body.count("Kevin Wang") == 1
    assert draft.body.startswith("Dear Santiago Vargas,\n\nAs the year comes to an end")


def test_a_region_given_back_as_approved_keeps_the_approved_wording_and_is_not_counted() -> None:
    approved = wording()
    reply = json.loads(faithful_reply())
    reply["subject"] = approved["subject"]  # word for word
    reply["closing"] = approved["closing"].replace("best wishes", "warm wishes")  # one word
    llm, client = engine([json.dumps(reply)])
    draft = llm.draft(req())
    assert draft.engine == "llm" and draft.rewritten == ["opening"]
    assert draft.kept == {"subject": UNCHANGED, "closing": UNCHANGED}
    assert approved["closing"] in draft.body and "warm wishes" not in draft.body
    assert len(client.requests) == 1  # nothing to repair: the approved text stands

    all_same = {name: approved[name] for name in ("subject", "opening", "closing")}
    strict, _ = engine([json.dumps(all_same)], fallback=False)
    made = strict.draft(req())  # no error: the model wrote nothing wrong, only nothing new
    assert made.engine == "template" and made.rewritten == []
    assert made.fallback_reason == (
        "every region kept the approved wording: "
        + "; ".join(f"{name}: {UNCHANGED}" for name in ("subject", "opening", "closing"))
    )


def test_a_region_that_repeats_a_sentence_of_the_message_is_refused() -> None:
    reply = json.loads(faithful_reply())
    reply["opening"] = (
        "Thank you for this year. We have now been working together for 4 years, since 2022."
    )
    llm, _ = engine([json.dumps(reply), json.dumps({"opening": reply["opening"]})])
    draft = llm.draft(req())
    assert draft.kept["opening"].startswith("repeats the message ('We have now been working")
    assert draft.body.count("We have now been working together for 4 years") == 1


def test_a_sentence_that_ends_with_the_companys_name_keeps_it() -> None:
    reply = json.loads(faithful_reply())
    reply["closing"] = "I look forward to 2027 with everyone at Ningbo Everbright Lighting"
    llm, _ = engine([json.dumps(reply)])
    draft = llm.draft(req())
    assert "with everyone at Ningbo Everbright Lighting\n\nBest regards," in draft.body


@pytest.mark.parametrize(
    ("greeting", "named"),
    [
        ("Dear Santiago Vargas,", True),
        ("Hola, Santiago:", True),  # first name
        ("Estimado Sr. Vargas:", True),  # title and surname
        ("Dear Sir or Madam,", False),
        ("Dear Santi,", False),  # part of a word is not the name
    ],
)
def test_a_greeting_by_first_name_or_surname_names_the_customer(greeting: str, named: bool) -> None:
    from dataclasses import replace

    from followup.drafting.checks import name_findings

    template = LLMEngine(bench(), None, resolve(LLMSettings(), {}), fallback=True).templates
    made = template.draft(req())
    body = f"{greeting}\n\nThank you for this year.\n\nBest regards,\nLily Chen"
    found = name_findings(replace(made, subject="Thank you", body=body))
    assert ("customer_name" not in {f.code for f in found}) is named


def test_a_region_that_signs_off_as_the_sender_loses_the_sign_off_and_nothing_else() -> None:
    """The message signs with the template's signature; a small model often adds its own."""
    from followup.llm.engine import unframed

    texts = {
        "opening": "I hope the tender season went well. Sincerely, Lily Chen",
        "closing": "Could we talk next week? Best regards, Lily Chen.",
        "answer": "Lily Chen will send you the test reports. Is that useful?",
    }
    assert unframed(texts, "", "Lily Chen") == {
        "opening": "I hope the tender season went well.",
        "closing": "Could we talk next week?",
        "answer": "Lily Chen will send you the test reports. Is that useful?",
    }
