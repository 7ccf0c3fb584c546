"""No secret leaves followup: an API server that answers errors echoing the request's
headers (the key among them) must not get the key into a draft file, drafts.csv,
drafts.jsonl, the journal, stdout or stderr. The server is real (127.0.0.1, on a thread),
and so is the openai client; the key is the one the environment gives.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import Result

from followup.cli.errors import message
from followup.drafting.draft import Draft, Finding
from followup.errors import DraftError
from followup.llm.client import OPENAI_URL, make_client, resolve
from followup.redact import MASK, REASON_LIMIT, Secret, clip, redact
from followup.settings import LLMSettings
from tests.conftest import run

KEY = "sk-proj-Zq8Tt2cLwVb7Xy4Rk1Np6Hs3Dm9Fg0Ja5Ue"  # OpenAI-shaped
LOCAL_KEY = "local-Secret-Value-42"  # shaped like nothing: only the registry knows it
OTHER_KEY = "sk-other-9f8e7d6c5b4a3f2e1d0c9b8a"  # in the environment, never sent
AS_OF = "2026-11-22"


@dataclass
class Echo:
    """How the server answers every request: `status` with a body echoing its headers."""

    status: int = 400
    # message: an OpenAI-style error whose message quotes the headers (the SDK puts the
    # message into the exception's text); json: the headers as a field of the body (older
    # SDKs put the whole body in); text: a plain error page
    kind: str = "message"
    padding: int = 0  # characters of filler before the echo (a long error page)
    seen: list[dict[str, str]] = field(default_factory=list)


class EchoServer:
    def __init__(self, echo: Echo) -> None:
        self.echo = echo
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        echo = self.echo

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = dict(self.headers.items())
                echo.seen.append(headers)
                filler = "x" * echo.padding
                if echo.kind == "message":
                    error = {"message": f"{filler}Invalid request, headers: {headers}"}
                    body = json.dumps({"error": error}).encode()
                    kind = "application/json"
                elif echo.kind == "json":
                    body = json.dumps({"detail": filler, "request_headers": headers}).encode()
                    kind = "application/json"
                else:
                    lines = "\n".join(f"{k}: {v}" for k, v in headers.items())
                    body = f"{filler}<pre>Request was:\n{lines}</pre>".encode()
                    kind = "text/html"
                self.send_response(echo.status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def __enter__(self) -> EchoServer:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(params=[(400, "message"), (500, "message"), (400, "json"), (500, "text")], ids=str)
def server(request: pytest.FixtureRequest) -> Iterator[EchoServer]:
    status, kind = request.param
    with EchoServer(Echo(status, kind)) as running:
        yield running


def workspace(sample_workspace: Path, server: EchoServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    (sample_workspace / "followup.toml").write_text(
        '[currency]\nbase = "USD"\n[currency.rates]\nEUR = 1.08\n'
        f'[llm]\nmodel = "echo-model"\nbase_url = "{server.base_url}"\nmax_retries = 0\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("FOLLOWUP_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_API_KEY", OTHER_KEY)
    return sample_workspace


def leaks(result: Result, *folders: Path) -> list[str]:
    """Where a key shows up: stdout, stderr, or any file under `folders`."""
    places = {"stdout": result.stdout, "stderr": result.stderr}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                places[str(path)] = path.read_bytes().decode("utf-8", errors="replace")
    return [
        f"{key[:12]}… in {place}"
        for place, text in places.items()
        for key in (KEY, OTHER_KEY)
        if key in text
    ]


def test_the_server_really_echoes_the_key(server: EchoServer) -> None:
    import openai

    config = resolve(LLMSettings(model="m", base_url=server.base_url, max_retries=0), {
        "FOLLOWUP_API_KEY": KEY
    })  # fmt: skip
    with pytest.raises(openai.APIStatusError) as caught:
        make_client(config).chat.completions.create(model="m", messages=[])
    assert KEY in str(caught.value.body)
    if server.echo.kind == "message":  # what the engine reads: the exception's text
        assert KEY in str(caught.value)


def test_a_batch_that_falls_back_keeps_no_key(
    sample_workspace: Path, server: EchoServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ws = workspace(sample_workspace, server, monkeypatch)
    out = tmp_path / "outbox"
    args = ("batch", "--campaign", "thanks", "--workspace", str(ws), "--as-of", AS_OF)
    result = run(*args, "--limit", "3", "--out", str(out))
    sent = [{k.lower(): v for k, v in headers.items()} for headers in server.echo.seen]
    assert sent and all(h["authorization"] == f"Bearer {KEY}" for h in sent)
    assert leaks(result, out) == []
    records = [json.loads(line) for line in (out / "drafts.jsonl").read_text().splitlines()]
    assert len(records) == 3 and {r["engine"] for r in records} == {"template"}
    for record in records:
        reason = record["fallback_reason"]
        assert reason.startswith(f"the API call to {server.base_url} failed: ")
        assert len(reason) <= REASON_LIMIT and "\n" not in reason
        assert MASK in reason or server.echo.kind != "message"  # it did quote the key


def test_a_batch_whose_drafts_fail_reports_no_key(
    sample_workspace: Path, server: EchoServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ws = workspace(sample_workspace, server, monkeypatch)
    out = tmp_path / "outbox"
    args = ("batch", "--campaign", "thanks", "--workspace", str(ws), "--as-of", AS_OF)
    result = run(*args, "--limit", "2", "--engine", "llm", "--out", str(out), ok=False)
    assert result.exit_code == 1
    assert "failed (2): the API call to" in result.stdout
    assert result.stderr.endswith("Error: 2 drafts failed (listed above)\n")
    assert leaks(result, out) == []


def test_one_draft_that_fails_says_why_without_the_key(
    sample_workspace: Path, server: EchoServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ws = workspace(sample_workspace, server, monkeypatch)
    args = ("draft", "C1001", "--campaign", "thanks", "--workspace", str(ws), "--as-of", AS_OF)
    result = run(*args, "--engine", "llm", ok=False)
    assert result.exit_code == 1
    line = result.stderr.splitlines()[-1]
    assert line.startswith(f"Error: the API call to {server.base_url} failed: ")
    assert len(line) <= len("Error: ") + REASON_LIMIT
    assert MASK in line or server.echo.kind != "message"
    assert leaks(result) == []
    auto = run(*args, "--engine", "auto", "--out", str(tmp_path / "one"))
    assert "fell back to the template: the API call to" in auto.stderr
    assert leaks(auto, tmp_path / "one") == []


def test_a_long_error_page_is_cut_short_and_the_key_past_the_cut_is_gone_too(
    sample_workspace: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with EchoServer(Echo(500, "message", padding=100_000)) as server:
        ws = workspace(sample_workspace, server, monkeypatch)
        out = tmp_path / "outbox"
        args = ("batch", "--campaign", "thanks", "--workspace", str(ws), "--as-of", AS_OF)
        result = run(*args, "--limit", "1", "--out", str(out))
    assert leaks(result, out) == []
    (record,) = [json.loads(line) for line in (out / "drafts.jsonl").read_text().splitlines()]
    assert len(record["fallback_reason"]) == REASON_LIMIT
    assert record["fallback_reason"].endswith("…")


def test_a_record_never_holds_a_secret_whoever_made_the_draft() -> None:
    Secret(LOCAL_KEY)  # a secret followup holds (as resolve() makes them)
    draft = Draft(
        customer_id="C1", campaign="thanks", channel="email", language="en", subject="Hi",
        body="Hello", recipient="a@b.c", recipient_name="A", company="B", segment="loyal",
        sender_name="S", sender_email="s@x.y", engine="template",
        fallback_reason=f"server said: {{'Authorization': 'Bearer {LOCAL_KEY}'}}\n" + "y" * 900,
        findings=[Finding("api", f"echo api-key: {LOCAL_KEY}, token sk-abc{'d' * 30}")],
    )  # fmt: skip
    record = draft.record()
    text = json.dumps(record)
    assert LOCAL_KEY not in text and "sk-abc" not in text
    assert record["fallback_reason"].startswith(
        f"server said: {{'Authorization': 'Bearer {MASK}'}} "
    )
    assert len(record["fallback_reason"]) == REASON_LIMIT
    assert record["findings"] == [
        {"code": "api", "message": f"echo api-key: {MASK}, token {MASK}", "severity": "error"}
    ]
    assert draft.fallback_reason and LOCAL_KEY in draft.fallback_reason  # the draft itself as made


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        (f"Authorization: Bearer {KEY}", f"Authorization: Bearer {MASK}"),
        ('{"authorization": "Basic dXNlcjpwYXNzd29yZA=="}', f'{{"authorization": "Basic {MASK}"}}'),
        ("{'api-key': 'abcdef123456'}", f"{{'api-key': '{MASK}'}}"),
        ("X-Api-Key: abcdef123456", f"X-Api-Key: {MASK}"),
        ("https://bob:hunter22@mail.example.com:465", f"https://bob:{MASK}@mail.example.com:465"),
        ("GET /v1/models?key=AIzaSyA-123&alt=json", f"GET /v1/models?key={MASK}&alt=json"),
        ("Incorrect API key provided: sk-proj-****************************Zq8T.", f"Incorrect API key provided: {MASK}."),
        (f"env: {OTHER_KEY}", f"env: {MASK}"),
        ("the bearer of this letter, our key partner", "the bearer of this letter, our key partner"),
    ],
)  # fmt: skip
def test_redact_masks_values_and_what_looks_like_a_secret(
    text: str, cleaned: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", OTHER_KEY)
    assert redact(text) == cleaned


def test_a_registered_secret_is_masked_in_its_escaped_forms_too() -> None:
    odd = 'pa"ss/wo rd\\42'
    Secret(odd)
    assert redact(json.dumps({"x": odd})) == f'{{"x": "{MASK}"}}'
    assert redact("u=pa%22ss%2Fwo%20rd%5C42") == f"u={MASK}"
    assert clip(f"a\n\n{odd}  b") == f"a {MASK} b"


def test_the_cli_message_of_any_error_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWUP_API_KEY", LOCAL_KEY)
    assert message(DraftError(f"failed: {LOCAL_KEY}")) == f"Error: failed: {MASK}"
    assert message(RuntimeError(f"header Bearer {KEY}")) == (
        f"Internal error: RuntimeError: header Bearer {MASK}. "
        "Rerun with --debug for the traceback and report it."
    )


@pytest.mark.parametrize(
    "base_url",
    [
        "http://api.openai.com/v1",
        "http://api.openai.com:443/v1",
        "https://api.openai.com:8443/v1",
        "https://api.openai.com.example.net/v1",
        "https://api.openai.com:notaport/v1",
    ],
)
def test_openai_key_goes_to_https_api_openai_com_only(base_url: str) -> None:
    config = resolve(LLMSettings(model="gpt-4o-mini", base_url=base_url), {"OPENAI_API_KEY": KEY})
    assert config.api_key is None and not config.is_openai
    ok = resolve(
        LLMSettings(model="m", base_url="https://api.openai.com/v1"), {"OPENAI_API_KEY": KEY}
    )
    assert ok.api_key is not None and ok.is_openai


def test_the_sdk_never_picks_a_base_url_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    config = resolve(LLMSettings(model="gpt-4o-mini"), {"OPENAI_API_KEY": KEY})
    assert str(make_client(config).base_url).rstrip("/") == OPENAI_URL
