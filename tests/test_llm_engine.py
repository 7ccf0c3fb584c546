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

from followup.drafting.draft import Draft
from followup.drafting.workbench import DraftRequest, Workbench, prepare, request
from followup.errors import DraftError
from followup.llm.client import resolve
from followup.llm.engine import UNCHANGED, LLMEngine
from followup.settings import LLMSettings
from tests.chat_stub import asked_keys, asks_summary

AS_OF = dt.date(2026, 11, 22)


@cache
def bench() -> Workbench:
    from followup.data.dataset import Sources
    from followup.workspace import resolve as resolve_workspace

    return prepare(Sources(resolve_workspace(None, sample=True)), AS_OF)


@dataclass
class FakeClient:
    """Answers requests from scripted replies, in turn: a reply that is a JSON object of
    regions answers each request with the regions that request asks for (the engine asks
    for what the model writes anew apart from what it edits) and is used up once every
    region of it was asked for; any other reply (text, an exception) answers one request.
    The request for the rep's Chinese view of the model's parts gets the next of
    `summaries` (none left: an empty one)."""

    replies: list[Any]
    requests: list[dict[str, Any]] = field(default_factory=list)
    summaries: list[Any] = field(default_factory=list)
    summary_requests: list[dict[str, Any]] = field(default_factory=list)
    _unasked: set[str] = field(default_factory=set)  # the head reply's regions not yet asked

    @property
    def chat(self) -> FakeClient:
        return self

    @property
    def completions(self) -> FakeClient:
        return self

    def create(self, **kwargs: Any) -> Any:
        if asks_summary(kwargs):
            self.summary_requests.append(kwargs)
            reply = self.summaries.pop(0) if self.summaries else '{"summary_zh": ""}'
        else:
            self.requests.append(kwargs)
            reply = self._next(kwargs)
        if isinstance(reply, Exception):
            raise reply
        usage = type("Usage", (), {"prompt_tokens": 500, "completion_tokens": 120})()
        message = type("Message", (), {"content": reply})()
        choice = type("Choice", (), {"message": message})()
        return type("Response", (), {"choices": [choice], "usage": usage})()

    def _next(self, request: dict[str, Any]) -> Any:
        head = self.replies[0]
        regions = _regions(head)
        asked = asked_keys(request)
        if regions is None or not asked or not set(asked) & set(regions):
            self._unasked = set()
            return self.replies.pop(0)
        if not self._unasked:
            self._unasked = set(regions)
        self._unasked -= set(asked)
        if not self._unasked:
            self.replies.pop(0)
        return json.dumps({k: regions[k] for k in regions if k in asked}, ensure_ascii=False)


def _regions(reply: Any) -> dict[str, Any] | None:
    """A scripted reply's regions, if it is a JSON object of them."""
    if not isinstance(reply, str):
        return None
    try:
        data = json.loads(reply)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def engine(
    replies: list[Any], *, fallback: bool = True, summaries: tuple[Any, ...] = ()
) -> tuple[LLMEngine, FakeClient]:
    client = FakeClient(list(replies), summaries=list(summaries))
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
    assert (draft.tokens_in, draft.tokens_out) == (1500, 360)  # two asks and the summary
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
    # what the model writes anew is asked apart from what it edits: shown the closing's
    # approved wording, a small model put it into the opening
    fresh, edited = client.requests
    assert required(fresh) == ["opening"]
    assert required(edited) == ["closing", "subject"]  # a subject written first restates the offer
    assert "Thank you again, and my best wishes" not in fresh["messages"][1]["content"]
    assert "Thank you again, and my best wishes" in edited["messages"][1]["content"]
    assert fresh["messages"][0]["role"] == "system"
    # the rep's Chinese of the accepted parts is asked on its own, after the guard
    asked = client.summary_requests[0]["messages"][1]["content"]
    assert "Santiago" in asked and "I would be glad to hear" in asked
    assert draft.summary_zh.startswith("主题：")  # it came back empty: the template's


def required(request: dict[str, Any]) -> list[str]:
    return list(request["response_format"]["json_schema"]["schema"]["required"])


def test_a_refused_region_is_asked_again_with_the_reason_then_keeps_the_wording() -> None:
    bad = json.loads(faithful_reply())
    bad["opening"] += " As a thank-you we give you 37% off every order in 2027."
    again = {"opening": bad["opening"]}  # the model repeats itself
    llm, client = engine([json.dumps(bad), json.dumps(again)])
    draft = llm.draft(req())
    assert len(client.requests) == 3  # the opening, the closing and subject, one repair
    repair = client.requests[2]["messages"]
    assert repair[-1]["content"].startswith(
        "Some parts cannot be used as written:\n- \"opening\": states a '37%' discount"
    )
    assert repair[:2] == client.requests[0]["messages"]  # in the conversation that asked
    assert required(client.requests[2]) == ["opening"]
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
    assert draft.engine == "llm" and len(client.requests) == 3
    assert (
        "That reply was not usable: the reply is not a JSON object"
        in client.requests[1]["messages"][-1]["content"]
    )
    assert draft.tokens_in == 2000  # the opening twice, the closing and subject, the summary


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
    assert len(client.requests) == 2  # nothing to repair: the approved text stands

    all_same = {name: approved[name] for name in ("subject", "opening", "closing")}
    strict, _ = engine([json.dumps(all_same)], fallback=False)
    made = strict.draft(req())  # no error: the model wrote nothing wrong, only nothing new
    assert made.engine == "template" and made.rewritten == []
    assert made.fallback_reason == (
        "every region kept the approved wording: "
        + "; ".join(f"{name}: {UNCHANGED}" for name in ("subject", "opening", "closing"))
    )


def test_a_region_that_only_repeats_a_sentence_of_the_message_is_refused() -> None:
    reply = json.loads(faithful_reply())
    reply["opening"] = "We have now been working together for 4 years, since 2022."
    llm, _ = engine([json.dumps(reply), json.dumps({"opening": reply["opening"]})])
    draft = llm.draft(req())
    assert draft.kept["opening"].startswith("repeats the message ('We have now been working")
    assert draft.body.count("We have now been working together for 4 years") == 1


def with_opening(opening: str) -> Draft:
    """C1001's thanks email drafted from the faithful reply with this opening."""
    reply = json.loads(faithful_reply()) | {"opening": opening}
    llm, _ = engine([json.dumps(reply)])
    return llm.draft(req())


def test_a_region_loses_the_sentences_it_ends_with_that_the_message_says() -> None:
    """A small model often ends its opening with a sentence of the message it was shown:
    cut, the rest is the region (and is guarded as any text is)."""
    own = "As the year comes to an end, thank you and your team for the trust you showed us."
    draft = with_opening(f"{own} We have now been working together for 4 years, since 2022.")
    assert "opening" in draft.rewritten
    assert draft.body.startswith(f"Dear Santiago Vargas,\n\n{own}\n\n")
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


def test_a_region_that_greets_the_buyer_loses_the_salutation_and_one_greeting_the_sender_is_refused() -> (
    None
):
    """The message greets above the opening; a small model often greets again."""
    draft = with_opening("Hi Santiago Vargas, as the year comes to an end, thank you for 2026.")
    assert "opening" in draft.rewritten
    assert draft.body.startswith("Dear Santiago Vargas,\n\nAs the year comes to an end, thank")
    reply = json.loads(faithful_reply())
    reply["opening"] = "Hello Kevin: as the year comes to an end, thank you for 2026."
    llm, _ = engine([json.dumps(reply), json.dumps({"opening": reply["opening"]})])
    draft = llm.draft(req())
    assert draft.kept["opening"].startswith("greets the sender ('Hello Kevin')")


def test_a_conversation_with_no_usable_reply_keeps_only_its_own_regions_approved() -> None:
    """The opening is asked apart from the closing and the subject: a reply for those that
    cannot be used keeps their approved wording, and the opening is still the model's."""
    opening = json.loads(faithful_reply())["opening"]
    llm, client = engine([json.dumps({"opening": opening}), "Sure! Here it is.", "Sorry."])
    draft = llm.draft(req())
    assert len(client.requests) == 3  # the opening; the closing and subject, asked twice
    assert draft.engine == "llm" and draft.rewritten == ["opening"]
    assert draft.kept["closing"].startswith("no usable reply: the model's reply could not be")
    assert set(draft.kept) == {"subject", "closing"} and wording()["closing"] in draft.body


def test_an_opening_keeps_its_first_two_sentences() -> None:
    """Asked for one sentence, a small model goes on with a letter's closing formulas."""
    own = "As the year comes to an end, thank you for working with us. It was a good year."
    draft = with_opening(f"{own} We look forward to hearing from you. Have a great day!")
    assert "opening" in draft.rewritten
    assert draft.body.startswith(f"Dear Santiago Vargas,\n\n{own}\n\n")
    assert "look forward to hearing" not in draft.body
