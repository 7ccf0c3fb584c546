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

from followup.drafting.workbench import Workbench, prepare, request
from followup.errors import DraftError
from followup.llm.client import resolve
from followup.llm.engine import LLMEngine
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


def faithful_reply() -> str:
    """The approved template's own text: every fact in it is traceable."""
    baseline = LLMEngine(bench(), None, resolve(LLMSettings(), {}), fallback=True).templates
    draft = baseline.draft(request(bench(), "C1001", "thanks", "email", "en"))
    return json.dumps({"subject": draft.subject, "body": draft.body})


def test_a_faithful_reply_is_accepted_with_its_provenance() -> None:
    llm, client = engine([faithful_reply()])
    draft = llm.draft(request(bench(), "C1001", "thanks", "email", "en"))
    assert (draft.engine, draft.model, draft.prompt_id) == ("llm", "test-model", "thanks")
    assert (draft.tokens_in, draft.tokens_out) == (500, 120)
    assert draft.fallback_reason is None and draft.findings == []
    sent = client.requests[0]
    assert sent["response_format"]["json_schema"]["schema"]["required"] == ["subject", "body"]
    assert sent["messages"][0]["role"] == "system"


def test_an_invented_discount_falls_back_to_the_template_with_the_reason() -> None:
    body = (
        "Dear Santiago Vargas,\nAs a thank-you we give you 37% off every order in 2027.\nLily Chen"
    )
    llm, _ = engine([json.dumps({"subject": "Thank you", "body": body})])
    draft = llm.draft(request(bench(), "C1001", "thanks", "email", "en"))
    assert draft.engine == "template" and draft.template_id == "thanks-email-en"
    assert draft.fallback_reason is not None
    assert draft.fallback_reason == (
        "the reply failed the fact guard (fact_discount: body: states a '37%' discount; the discounts given: 5%)"
    )
    assert draft.model == "test-model" and draft.tokens_in == 500


def test_an_unparsable_reply_is_asked_again_once() -> None:
    llm, client = engine(["Sure! Here it is.", faithful_reply()])
    draft = llm.draft(request(bench(), "C1001", "thanks", "email", "en"))
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
    draft = auto.draft(request(bench(), "C1001", "thanks", "email", "en"))
    assert draft.engine == "template"
    reason = "the API call to http://127.0.0.1:9/v1 failed: APIConnectionError: Connection error."
    assert draft.fallback_reason == reason
    strict, _ = engine([error], fallback=False)
    with pytest.raises(DraftError) as caught:
        strict.draft(request(bench(), "C1001", "thanks", "email", "en"))
    assert str(caught.value) == reason


def test_fingerprint_follows_the_messages_and_model() -> None:
    llm, _ = engine([])
    req = request(bench(), "C1001", "thanks", "email", "en")
    first = llm.fingerprint(req)
    assert first == llm.fingerprint(req)
    other, _ = engine([])
    other.config = resolve(LLMSettings(model="another-model", base_url="http://127.0.0.1:9/v1"), {})
    assert other.fingerprint(req) != first
