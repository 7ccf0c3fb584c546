"""Faults a real API and a real model produce, injected by a local HTTP server (chat_stub),
and the record each one must end as: retried then accepted, fallen back with the reason,
or failed. The client is the real openai client with followup's settings; only the
server is ours.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from click.testing import Result

from followup.drafting.draft import Draft
from followup.drafting.workbench import Workbench, prepare, request
from followup.errors import DraftError
from followup.llm.client import make_client, resolve
from followup.llm.engine import UNCHANGED, LLMEngine
from followup.outbox.folder import Entry
from followup.settings import LLMSettings
from tests.chat_stub import ChatStub, StubConfig
from tests.conftest import run

AS_OF = dt.date(2026, 11, 22)
CUSTOMER, COMPANY = "C1001", "Importaciones Vargas"  # Spanish-speaking, email and WhatsApp


@cache
def bench() -> Workbench:
    from followup.data.dataset import Sources
    from followup.workspace import resolve as resolve_workspace

    return prepare(Sources(resolve_workspace(None, sample=True)), AS_OF)


@pytest.fixture
def stub(request: pytest.FixtureRequest) -> Iterator[ChatStub]:
    config = getattr(request, "param", None) or StubConfig()
    with ChatStub(config) as running:
        yield running


def engine(stub: ChatStub, *, fallback: bool = True, timeout: float = 1.0) -> LLMEngine:
    settings = LLMSettings(model="stub-model", base_url=stub.base_url, timeout=timeout)
    config = resolve(settings, {}, max_retries=2)
    return LLMEngine(bench(), make_client(config), config, fallback=fallback)


def draft(stub: ChatStub, fault: str, *, fallback: bool = True, channel: str = "email") -> Draft:
    stub.config.faults = {COMPANY: fault}
    return engine(stub, fallback=fallback).draft(
        request(bench(), CUSTOMER, "thanks", channel, None)
    )


def test_a_clean_reply_is_accepted_on_the_first_call(stub: ChatStub) -> None:
    made = engine(stub).draft(request(bench(), CUSTOMER, "thanks", "email", None))
    assert (made.engine, made.model, made.fallback_reason) == ("llm", "stub-model", None)
    assert made.findings == [] and made.tokens_in and made.tokens_out
    assert len(stub.exchanges) == 2  # the opening; the closing and the subject


def test_429_is_retried_after_the_retry_after_header_then_accepted(stub: ChatStub) -> None:
    stub.config.retry_after = 1.5
    made = draft(stub, "429")
    assert made.engine == "llm" and made.fallback_reason is None
    first, second = stub.exchanges[:2]  # each conversation: 429, then the reply
    assert [e.status for e in stub.exchanges] == [429, 200, 429, 200]
    # the SDK's own backoff without the header is under 1 s: waiting 1.5 s is the header's doing
    assert second.at - first.at >= 1.4


def test_500_is_retried_then_accepted(stub: ChatStub) -> None:
    made = draft(stub, "500")
    assert made.engine == "llm" and made.fallback_reason is None
    assert [e.status for e in stub.exchanges] == [500, 200, 500, 200]  # per conversation


def test_a_reply_slower_than_the_timeout_is_retried_then_accepted(stub: ChatStub) -> None:
    stub.config.slow_seconds = 2.0  # the client's timeout is 1 s
    made = draft(stub, "slow")
    assert made.engine == "llm" and made.fallback_reason is None
    assert len(stub.exchanges) == 4  # each of the two conversations: timed out, retried


def test_a_server_error_with_no_retries_left_falls_back_with_the_reason() -> None:
    with ChatStub(StubConfig(faults={COMPANY: "500"})) as stub:
        config = resolve(LLMSettings(model="m", base_url=stub.base_url), {}, max_retries=0)
        llm = LLMEngine(bench(), make_client(config), config, fallback=True)
        made = llm.draft(request(bench(), CUSTOMER, "thanks", "email", None))
    assert made.engine == "template" and len(stub.exchanges) == 1
    assert made.fallback_reason == (
        f"the API call to {stub.base_url} failed: InternalServerError: Error code: 500 - "
        "internal error"
    )


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("truncated", "the model's reply could not be used: the reply is not a JSON object"),
        ("unknown", "the model's reply could not be used: discount_code is not allowed"),
    ],
)
def test_an_unusable_reply_falls_back_to_the_template_with_the_reason(
    stub: ChatStub, fault: str, reason: str
) -> None:
    made = draft(stub, fault)
    assert made.engine == "template" and made.template_id == "thanks-email-es"
    assert made.fallback_reason == reason
    assert made.model == "stub-model" and made.prompt_id == "thanks"
    assert made.tokens_in and made.tokens_out  # what the refused replies cost is on the record
    assert "discount_code" not in made.body


@pytest.mark.parametrize(
    ("fault", "kept"),
    [
        ("discount", {"opening": "states a '37%' discount; the discounts given: 5%"}),
        ("swap", {"opening": "greets the sender ('Dear Kevin Wang')"}),  # C1001's rep
    ],
)
def test_a_refused_region_keeps_the_approved_wording_and_the_rest_is_rewritten(
    stub: ChatStub, fault: str, kept: dict[str, str]
) -> None:
    made = draft(stub, fault)
    assert made.engine == "llm" and made.rewritten == ["closing"]
    # the stub gives the subject back as it was: kept, and not counted as rewritten
    assert {name: why.split(" | ")[0] for name, why in made.kept.items()} == kept | {
        "subject": UNCHANGED
    }
    assert made.rejected["opening"]  # what the model tried is on the record
    # nothing the model invented survives: the region is the template's own wording
    assert "37%" not in made.body and "Kevin Wang," not in made.body.split("\n\n")[1]
    assert len(stub.exchanges) == 3  # the two asks, and one repair round for the opening


def test_a_reply_in_the_wrong_language_keeps_every_region_and_says_why(stub: ChatStub) -> None:
    made = draft(stub, "language")
    assert made.engine == "template" and made.rewritten == []
    assert made.fallback_reason is not None
    assert made.fallback_reason.startswith("every region kept the approved wording: subject: ")
    assert "a paragraph is in 'de', not 'es'" in made.fallback_reason


def test_unusable_replies_are_asked_again_exactly_once(stub: ChatStub) -> None:
    draft(stub, "truncated")
    assert len(stub.exchanges) == 4  # each of the two conversations: the request, one re-ask


@pytest.mark.parametrize("fault", ["truncated", "language"])
def test_with_engine_llm_an_unusable_reply_is_a_failure_not_a_fallback(
    stub: ChatStub, fault: str
) -> None:
    with pytest.raises(DraftError):
        draft(stub, fault, fallback=False)


def test_whatsapp_replies_have_no_subject(stub: ChatStub) -> None:
    made = draft(stub, "", channel="whatsapp")
    assert made.engine == "llm" and made.subject is None and made.fallback_reason is None


def test_a_server_that_refuses_the_schema_is_asked_for_a_json_object(stub: ChatStub) -> None:
    stub.config.refuse_schema = True
    llm = engine(stub)
    made = llm.draft(request(bench(), CUSTOMER, "thanks", "email", None))
    assert made.engine == "llm" and made.fallback_reason is None
    assert [(e.status, e.response_format) for e in stub.exchanges] == [
        (400, "json_schema"),
        (200, "json_object"),
        (200, "json_object"),  # the closing and the subject
    ]
    llm.draft(request(bench(), "C1002", "thanks", "email", None))
    assert len(stub.exchanges) == 5  # remembered: no second refusal


def test_response_format_none_sends_no_response_format(stub: ChatStub) -> None:
    settings = LLMSettings(model="m", base_url=stub.base_url, response_format="none")
    config = resolve(settings, {})
    llm = LLMEngine(bench(), make_client(config), config, fallback=True)
    made = llm.draft(request(bench(), CUSTOMER, "thanks", "email", None))
    assert made.engine == "llm"  # the stub answers JSON anyway; the parser reads it
    assert [e.response_format for e in stub.exchanges] == ["", ""]


def llm_env(monkeypatch: pytest.MonkeyPatch, stub: ChatStub) -> None:
    monkeypatch.setenv("FOLLOWUP_MODEL", "stub-model")
    monkeypatch.setenv("FOLLOWUP_BASE_URL", stub.base_url)


def records(outbox: Path) -> list[dict[str, object]]:
    lines = (outbox / "drafts.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def batch(out: Path, *extra: str, ok: bool = True) -> Result:
    """`followup batch --campaign thanks` on the sample's data, into `out`."""
    args = ("batch", "--campaign", "thanks", "--as-of", "2026-11-22", "--out", str(out), *extra)
    return run(*args, ok=ok)


@pytest.mark.parametrize(
    "stub", [StubConfig(fault_rate=0.2, retry_after=0.05, slow_seconds=1.5)], indirect=True
)
def test_a_batch_with_20_percent_faults_drafts_every_customer(
    stub: ChatStub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    llm_env(monkeypatch, stub)
    out = tmp_path / "outbox"
    result = batch(out, "--sample", "--timeout", "1", "--concurrency", "4")
    seen = stub.faults_seen()
    assert sum(seen.values()) >= 20 and len(seen) >= 4, seen  # several kinds were injected
    made = records(out)
    planned = int(result.output.split("can be drafted")[0].split()[-1])
    assert len(made) == planned == len({r["customer_id"] for r in made})
    by_engine = {r["engine"] for r in made}
    assert by_engine == {"llm", "template"}
    assert all(r["fallback_reason"] for r in made if r["engine"] == "template")
    whole = sum(seen[k] for k in ("truncated", "unknown", "language"))  # no region usable
    partly = sum(seen[k] for k in ("discount", "swap"))  # the opening refused
    refused = [r for r in made if set(r["kept"].values()) - {UNCHANGED}]
    assert len(refused) == whole + partly
    # a draft with nothing rewritten is the template's: every region refused, or given
    # back as approved (the stub's "." -> "!" on a one-sentence closing)
    nothing_new = [r for r in made if not r["rewritten"]]
    assert [r for r in made if r["engine"] == "template"] == nothing_new
    assert all(r["kept"] for r in nothing_new)  # each region's reason is on the record
    assert "0 failed" in result.output and "replies refused" in result.output


@pytest.mark.parametrize("stub", [StubConfig(fault_rate=0.2, kinds=("truncated",))], indirect=True)
def test_with_engine_llm_a_batch_records_each_failure_and_exits_1(
    stub: ChatStub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    llm_env(monkeypatch, stub)
    out = tmp_path / "outbox"
    result = batch(out, "--sample", "--engine", "llm", ok=False)
    assert result.exit_code == 1
    failed = stub.faults_seen()["truncated"]
    assert failed and f"{failed} failed" in result.output
    drafted = [r for r in records(out) if r["status"] != "failed"]
    assert drafted and all(r["engine"] == "llm" for r in drafted)
    failures = [r for r in records(out) if r["status"] == "failed"]  # in drafts.jsonl too
    assert len(failures) == failed and all(r["error"] and not r["file"] for r in failures)
    # a rerun asks again only for the failed ones: the accepted drafts are unchanged
    before = len(stub.exchanges)
    batch(out, "--sample", "--engine", "llm", ok=False)
    # each of their two conversations: the request and one re-ask
    assert len(stub.exchanges) - before == 4 * failed


def test_a_dry_run_counts_calls_and_tokens_and_calls_nothing(
    stub: ChatStub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    llm_env(monkeypatch, stub)
    out = tmp_path / "outbox"
    output = batch(out, "--sample", "--dry-run").output
    planned = output.split("can be drafted")[0].split()[-1]
    # two requests a draft: what the model writes anew, and what it edits
    assert f"API calls: {2 * int(planned):,} for {planned} drafts (0 already current" in output
    assert "Token budget: ~" in output and "Estimated cost" not in output  # no prices set
    assert stub.exchanges == [] and not out.exists()
    batch(out, "--sample", "--limit", "5")
    output = batch(out, "--sample", "--dry-run").output
    left = int(planned) - 5
    assert f"API calls: {2 * left:,} for {left:,} drafts (5 already current" in output


def test_the_summary_estimates_the_cost_at_the_configured_prices(
    stub: ChatStub, monkeypatch: pytest.MonkeyPatch, sample_workspace: Path
) -> None:
    llm_env(monkeypatch, stub)
    settings = sample_workspace / "followup.toml"
    settings.write_text(
        settings.read_text() + "[llm]\nprice_in_per_1k = 0.01\nprice_out_per_1k = 0.03\n"
    )
    out = sample_workspace / "outbox"
    dry = batch(out, "--workspace", str(sample_workspace), "--limit", "3", "--dry-run").output
    assert "Estimated cost: at most " in dry
    output = batch(out, "--workspace", str(sample_workspace), "--limit", "3").output
    made = records(out)
    tokens_in = sum(int(str(r["tokens_in"])) for r in made)
    tokens_out = sum(int(str(r["tokens_out"])) for r in made)
    assert f"tokens {tokens_in:,} in, {tokens_out:,} out." in output
    expected = tokens_in / 1000 * 0.01 + tokens_out / 1000 * 0.03  # under 1: 4 decimals
    assert f"Estimated cost: {expected:,.4f} at the prices in followup.toml." in output


def test_the_progress_line_shows_counts_and_tokens() -> None:
    from collections import Counter

    from followup.cli.batch import progress_line
    from followup.outbox.batch import Summary

    totals = Summary(drafted=7, unchanged=2, failed=Counter({"x": 1}), fallbacks=3)
    totals.tokens_in, totals.tokens_out = 12_000, 3_456
    assert progress_line(totals, llm=True) == "9 done, 1 failed, 3 fallback, 15,456 tokens"
    assert progress_line(totals, llm=False) == "9 done, 1 failed"


@pytest.mark.parametrize("stub", [StubConfig(delay=0.05)], indirect=True)
def test_an_interrupted_llm_batch_keeps_what_it_finished_and_the_rerun_does_the_rest(
    stub: ChatStub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import followup.outbox.folder

    llm_env(monkeypatch, stub)
    out = tmp_path / "outbox"
    args = ("--sample", "--concurrency", "4")
    real_store = followup.outbox.folder.Outbox.store
    calls = {"n": 0}

    def dying_store(self: followup.outbox.folder.Outbox, entry: Entry, data: bytes) -> Entry:
        calls["n"] += 1
        if calls["n"] == 7:
            raise KeyboardInterrupt  # Ctrl-C, as it reaches the main thread
        return real_store(self, entry, data)

    monkeypatch.setattr(followup.outbox.folder.Outbox, "store", dying_store)
    killed = batch(out, *args, ok=False)
    assert killed.exit_code == 130
    asked_before = len(stub.exchanges)
    planned = int(killed.output.split("can be drafted")[0].split()[-1])
    assert asked_before < planned  # (two requests a draft) the queued drafts were cancelled
    kept = [json.loads(line) for line in (out / ".journal.jsonl").read_text().splitlines()]
    monkeypatch.setattr(followup.outbox.folder.Outbox, "store", real_store)
    rerun = batch(out, *args).output
    assert f"{len(kept)} unchanged (skipped)" in rerun
    assert len(stub.exchanges) - asked_before == 2 * (planned - len(kept))  # only the missing
    keys = [r["key"] for r in records(out)]
    assert len(keys) == len(set(keys)) == planned


def test_a_draft_the_api_cannot_make_exits_1_naming_the_endpoint(
    monkeypatch: pytest.MonkeyPatch, sample_workspace: Path
) -> None:
    dead = "http://127.0.0.1:9/v1"  # nothing listens on the discard port
    settings = sample_workspace / "followup.toml"
    settings.write_text(settings.read_text() + "[llm]\nmax_retries = 0\n")
    monkeypatch.setenv("FOLLOWUP_MODEL", "m")
    monkeypatch.setenv("FOLLOWUP_BASE_URL", dead)
    args = ("draft", CUSTOMER, "--campaign", "thanks", "--workspace", str(sample_workspace))
    result = run(*args, "--as-of", "2026-11-22", "--engine", "llm", ok=False)
    assert result.exit_code == 1
    assert f"Error: the API call to {dead} failed: APIConnectionError" in result.stderr
    fallen = run(*args, "--as-of", "2026-11-22")  # auto: the template's draft, printed
    assert "Santiago" in fallen.stdout


def test_draft_prints_what_the_model_wrote_where_it_was_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with ChatStub(StubConfig(faults={COMPANY: "discount"})) as stub:
        llm_env(monkeypatch, stub)
        args = ("draft", CUSTOMER, "--campaign", "thanks", "--sample", "--as-of", "2026-11-22")
        result = run(*args, "--engine", "llm")
    assert "37%" not in result.stdout  # the draft a rep sends keeps the approved opening
    lines = result.stderr.splitlines()
    assert "# rewritten by the model: closing" in lines  # the subject came back as it was
    kept = next(i for i, line in enumerate(lines) if line.startswith("# opening: kept"))
    assert "states a '37%' discount" in lines[kept]
    assert lines[kept + 1].startswith("#   the model wrote: ")
    assert "37% off your next order" in lines[kept + 1]
