"""The real path against a real model, offline: SmolLM2-135M behind llama.cpp's server on
127.0.0.1 (see tests/llm_server.py). The model is weak, so these tests assert the mechanics
(request built, schema honoured, reply parsed, usage reported), never the prose.

Run with `pytest -m llm -s` to see the latency and tokens/s printed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel, ConfigDict, Field

from tests.llm_server import LocalModelServer, local_model_server

pytestmark = pytest.mark.llm

SUBJECT_MAX = 60
BODY_MAX = 240
SYSTEM = (
    "You write short, polite sales follow-up emails for an export business. Use only the facts "
    "given: no prices, dates or products that are not in them. Reply with a JSON object with "
    "a subject and a body."
)
FACTS = "\n".join(
    [
        "Customer: Müller Industrietechnik GmbH, Hamburg, Germany. Contact: Anna Müller, buyer.",
        "Language: English. Channel: email. Segment: loyal customers, last order 94 days ago.",
        "- 2024-01-15: 2,000 pcs stainless steel hex bolts M8x40 (A2-70), paid on time.",
        "- 2024-06-20: 3,000 pcs stainless steel hex bolts M8x40 (A2-70), paid on time.",
        "- 2024-12-03: 2,500 pcs stainless steel hex bolts M8x40 (A2-70), paid 5 days late.",
        "Usual reorder interval: about 80 days. Their next reorder is due now.",
        "Our news: the M8x40 bolts are in stock; lead time is 3 weeks to Hamburg.",
        "Goal: thank them for their orders and ask whether they want to reorder the M8x40 bolts.",
    ]
)


class Draft(BaseModel):
    """The reply's shape; its JSON schema is the one the server must honour.

    maxLength bounds the strings, and max_tokens leaves room for both at one token per
    character, so even a looping reply closes its JSON instead of being cut at max_tokens.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    subject: str = Field(max_length=SUBJECT_MAX)
    body: str = Field(max_length=BODY_MAX)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalModelServer]:
    with local_model_server() as running:
        print(f"\nserver healthy in {running.started_in:.2f} s, {running.memory_mib()}")
        yield running


@pytest.fixture(scope="module")
def client(server: LocalModelServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="none", timeout=60, max_retries=0)


def messages(user: str = FACTS) -> list[ChatCompletionMessageParam]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def report(label: str, seconds: float, reply: Any) -> None:
    timings = (reply.model_extra or {}).get("timings", {})
    print(
        f"\n{label}: {seconds:.2f} s, prompt {reply.usage.prompt_tokens} tok "
        f"({timings.get('prompt_per_second', 0):.0f} tok/s), "
        f"completion {reply.usage.completion_tokens} tok "
        f"({timings.get('predicted_per_second', 0):.0f} tok/s generating, "
        f"{reply.usage.completion_tokens / seconds:.0f} tok/s end to end)"
    )


def test_the_server_lists_the_model(client: openai.OpenAI, server: LocalModelServer) -> None:
    assert [model.id for model in client.models.list()] == [server.model]


def test_a_json_schema_reply_parses_into_the_draft(
    client: openai.OpenAI, server: LocalModelServer
) -> None:
    schema = Draft.model_json_schema()
    started = time.perf_counter()
    raw = client.chat.completions.with_raw_response.create(
        model=server.model,
        messages=messages(),
        max_tokens=SUBJECT_MAX + BODY_MAX + 60,
        temperature=0,
        seed=7,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "draft", "strict": True, "schema": schema},
        },
    )
    seconds = time.perf_counter() - started
    reply = raw.parse()
    report("json_schema chat completion", seconds, reply)
    print(f"reply: {reply.choices[0].message.content!r}")

    assert raw.status_code == 200
    sent = json.loads(raw.http_request.content)
    assert sent["response_format"]["json_schema"]["schema"] == schema
    assert reply.model == server.model
    choice = reply.choices[0]
    content = choice.message.content or ""
    assert choice.finish_reason == "stop", content
    fields = json.loads(content)
    assert set(fields) == {"subject", "body"}, content
    assert all(isinstance(value, str) for value in fields.values()), content
    draft = Draft.model_validate_json(content)
    assert len(draft.subject) <= SUBJECT_MAX and len(draft.body) <= BODY_MAX
    assert reply.usage is not None
    assert reply.usage.prompt_tokens > 0 and reply.usage.completion_tokens > 0


def test_a_plain_chat_completion(client: openai.OpenAI, server: LocalModelServer) -> None:
    started = time.perf_counter()
    raw = client.chat.completions.with_raw_response.create(
        model=server.model,
        messages=[{"role": "user", "content": "Say hello to a customer in one sentence."}],
        max_tokens=48,
        temperature=0,
    )
    reply = raw.parse()
    report("plain chat completion", time.perf_counter() - started, reply)

    assert raw.status_code == 200
    assert "response_format" not in json.loads(raw.http_request.content)
    assert reply.model == server.model
    assert (reply.choices[0].message.content or "").strip()
    assert reply.choices[0].finish_reason in {"stop", "length"}
    assert reply.usage is not None
    assert reply.usage.prompt_tokens > 0 and reply.usage.completion_tokens > 0


def test_latency_of_a_follow_up_sized_request(
    client: openai.OpenAI, server: LocalModelServer
) -> None:
    """About 300 prompt tokens and exactly 150 output tokens (ignore_eos), no prompt cache."""
    started = time.perf_counter()
    reply = client.chat.completions.create(
        model=server.model,
        messages=messages(),
        max_tokens=150,
        temperature=0,
        extra_body={"ignore_eos": True, "cache_prompt": False},
    )
    report("300-token prompt, 150 tokens out", time.perf_counter() - started, reply)
    print(f"server memory after the requests: {server.memory_mib()}")

    assert reply.usage is not None
    assert 250 <= reply.usage.prompt_tokens <= 400
    assert reply.usage.completion_tokens == 150


def test_the_llm_engine_end_to_end_against_the_real_model(
    server: LocalModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """followup's own path: prompt built, schema sent, reply parsed, guard applied, and the
    outcome recorded: an accepted LLM draft, or the template with the reason it fell back.
    (A 135M model mostly fails the guard; the assertion is on the path, not the prose.)"""
    import json

    from tests.conftest import run

    monkeypatch.setenv("FOLLOWUP_BASE_URL", server.base_url)
    monkeypatch.setenv("FOLLOWUP_MODEL", server.model)
    result = run(
        "batch",
        "--campaign",
        "thanks",
        "--sample",
        "--as-of",
        "2026-11-22",
        "--limit",
        "1",
        "--out",
        "out",
        "--concurrency",
        "2",
    )
    from pathlib import Path

    lines = Path("out/drafts.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 1
    for record in records:
        assert record["model"] == server.model and record["prompt_id"] == "thanks"
        if record["engine"] == "llm" or "fact guard" in (record["fallback_reason"] or ""):
            assert record["tokens_in"] > 0 and record["tokens_out"] > 0
        if record["engine"] == "llm":
            assert record["fallback_reason"] is None and record["findings"] == []
        else:  # refused by the guard or unusable: the approved template, with the reason
            assert record["engine"] == "template" and record["fallback_reason"]
    assert "LLM: " in result.stdout
