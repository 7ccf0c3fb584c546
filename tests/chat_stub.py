"""A chat-completions server on 127.0.0.1 that answers like a faithful model, or misbehaves.

Stdlib only. It answers `POST /v1/chat/completions` with a faithful rewrite of the approved wording of
every region it is asked to rewrite (followup's prompt shows each between triple quotes):
the same sentences in another order, so an undisturbed reply passes the fact guard; a
region asked for anew (no wording shown) gets a sentence of its own in the draft's language. A fault makes it misbehave in one of the ways
real APIs and models do:

| fault       | what the client sees                                   | on the retry / re-ask |
| ----------- | ------------------------------------------------------ | --------------------- |
| `429`       | HTTP 429 with `Retry-After`                            | a good reply          |
| `500`       | HTTP 500                                               | a good reply          |
| `slow`      | a good reply, after `slow_seconds` (past the timeout)  | a good reply, at once |
| `truncated` | a JSON object cut off mid-string                       | the same              |
| `discount`  | the opening plus an invented "37% off"                 | the same              |
| `swap`      | the opening greets the sender                          | the same              |
| `language`  | every region in German whatever the target language    | the same              |
| `unknown`   | the reply's JSON with an extra field                   | the same              |

(A draft asks for what the model writes anew, the opening, apart from what it edits, the
closing and the subject: two conversations, each faulted as the table says; `discount`
and `swap` change the opening, or a whole message, only.)

The request for the rep's Chinese view of the accepted regions (its schema asks for
`summary_zh` alone) gets a Chinese sentence with no figure, never a fault, and is kept
apart (`summaries`) from the regions' `exchanges`.

Faults are chosen per draft (the buyer line of the first user message: both of a draft's
conversations get the same): by a substring of that message
(`faults={"Vargas": "429"}`), or, with `fault_rate`, for that share of drafts,
picked by a hash of the text (deterministic across runs). Transport faults (429, 500,
slow) hit only the first attempt of a conversation; content faults hit every reply.

`GET /stats` answers the number of requests (the Chinese views' too) and the drafts by fault.

Tests run it on a thread (`with ChatStub(...) as stub:`); the benchmark runs it as a
script in its own process (`python tests/chat_stub.py --delay 0.3 --fault-rate 0.1`), so
its threads do not compete with the client's for the GIL.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TRANSPORT_FAULTS = ("429", "500", "slow")
CONTENT_FAULTS = ("truncated", "discount", "swap", "language", "unknown")
FAULTS = TRANSPORT_FAULTS + CONTENT_FAULTS
MODEL = "chat-stub"
_REGION = re.compile(
    r'^- "(\w+)": [^\n]*(?:\n|$)(?:  Approved wording:\n"""\n(.*?)\n"""|)', re.M | re.S
)
_LANGUAGE = re.compile(r"writing to a buyer abroad in (\w+)")
#: what the stub writes in a region the prompt asks to write anew (its wording not shown):
#: a sentence of its own, digit-free and promising nothing, in the draft's language
_FRESH = {
    "English": "Thank you for telling us openly what mattered to you; we have taken it to heart.",
    "German": "Vielen Dank, dass Sie uns offen gesagt haben, was Ihnen wichtig war; wir haben es "
    "uns zu Herzen genommen.",
    "Spanish": "Gracias por decirnos con franqueza lo que era importante para usted; lo hemos "
    "tenido muy en cuenta.",
    "French": "Merci de nous avoir dit franchement ce qui comptait pour vous ; nous en avons "
    "tenu compte.",
    "Portuguese": "Obrigado por nos dizer com franqueza o que era importante para a sua "
    "empresa; levamos isso muito a sério.",
}
_CUSTOMER = re.compile(r"^Buyer: (.+?); ", re.MULTILINE)
_BUYER_LINE = re.compile(r"^Buyer: .*$", re.MULTILINE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[¿¡\"(]?[^\W\d_])")
#: the sender: named where the prompt says who writes, or in the facts (a whole message)
_SENDER = re.compile(r"as you \(([^)\n]+)\) writing|^- sender: ([^,\n]+)", re.MULTILINE)
_GERMAN = (
    "Sehr geehrte Damen und Herren, wir möchten Ihnen für die gute Zusammenarbeit in diesem "
    "Jahr danken und freuen uns auf die weitere Zusammenarbeit mit Ihnen und Ihrem Team. "
    "Bitte lassen Sie uns wissen, ob wir Ihnen ein Angebot senden dürfen."
)


@dataclass
class Exchange:
    """One request the stub answered: what it did, and when."""

    conversation: str  # the first user message's hash
    fault: str | None
    status: int
    at: float  # time.monotonic() on arrival
    response_format: str = ""  # the type asked for ("" when none)
    draft: str = ""  # the hash of the buyer the prompt is about: which draft it is for


@dataclass
class StubConfig:
    delay: float = 0.0  # seconds before every answer
    faults: dict[str, str] = field(default_factory=dict)  # substring of the prompt -> fault
    fault_rate: float = 0.0  # share of conversations with a fault from `kinds`
    kinds: tuple[str, ...] = FAULTS
    retry_after: float = 0.2  # seconds, sent with 429
    slow_seconds: float = 2.0
    refuse_schema: bool = False  # answer 400 to response_format json_schema, as DeepSeek does


class ChatStub:
    """The server, on a thread: `base_url` for the client, `exchanges` for the assertions."""

    def __init__(self, config: StubConfig | None = None, **options: Any) -> None:
        self.config = config or StubConfig(**options)
        self.exchanges: list[Exchange] = []  # the regions' conversations
        self.summaries: list[Exchange] = []  # the requests for the rep's Chinese view
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def __enter__(self) -> ChatStub:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def faults_seen(self) -> Counter[str]:
        """Drafts by the fault they got ("" for none)."""
        firsts = {e.draft: e.fault or "" for e in reversed(self.exchanges)}
        return Counter(firsts.values())

    def answer(self, request: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        """The status, extra headers and body for one chat-completions request."""
        if asks_summary(request):  # the rep's Chinese view, asked on its own
            with self._lock:
                self.summaries.append(Exchange("", None, 200, time.monotonic(), "json_schema"))
            return self._reply(None, "", request)
        if self.config.refuse_schema and _asks_schema(request):
            error = {"error": {"message": "This response_format type is unavailable now"}}
            with self._lock:
                self.exchanges.append(Exchange("", "refused", 400, time.monotonic(), "json_schema"))
            return 400, {}, _json(error)
        messages = request.get("messages") or []
        first = next((m["content"] for m in messages if m.get("role") == "user"), "")
        conversation = hashlib.sha256(first.encode()).hexdigest()[:16]
        fault = self._fault(first, _draft_of(first))
        with self._lock:
            attempt = self._seen[conversation]
            self._seen[conversation] += 1
        if fault in TRANSPORT_FAULTS and attempt > 0:
            fault = None  # the retry goes through
        status = {"429": 429, "500": 500}.get(fault or "", 200)
        with self._lock:  # on arrival: a client that times out never sees the reply
            asked = (request.get("response_format") or {}).get("type", "")
            exchange = Exchange(conversation, fault, status, time.monotonic(), asked)
            self.exchanges.append(replace(exchange, draft=_draft_of(first)))
        return self._reply(fault, first, request)

    def _fault(self, prompt: str, draft: str) -> str | None:
        for needle, fault in self.config.faults.items():
            if needle in prompt:
                return fault
        if self.config.fault_rate <= 0:
            return None
        draw = int(draft, 16)
        if (draw % 10_000) >= self.config.fault_rate * 10_000:
            return None
        return self.config.kinds[(draw // 10_000) % len(self.config.kinds)]

    def _reply(
        self, fault: str | None, prompt: str, request: dict[str, Any]
    ) -> tuple[int, dict[str, str], bytes]:
        if fault == "429":
            error = {"error": {"message": "Rate limit reached", "type": "rate_limit"}}
            return 429, {"Retry-After": f"{self.config.retry_after:g}"}, _json(error)
        if fault == "500":
            return 500, {}, _json({"error": {"message": "internal error", "type": "server"}})
        if fault == "slow":
            time.sleep(self.config.slow_seconds)
        else:
            time.sleep(self.config.delay)
        content = _content(fault, prompt, request)
        return 200, {}, _json(_completion(content, request))


def _content(fault: str | None, prompt: str, request: dict[str, Any]) -> str:
    wording = dict(_REGION.findall(prompt))
    keys = asked_keys(request) or (["summary_zh"] if asks_summary(request) else list(wording))
    system = next((m["content"] for m in request.get("messages", []) if m["role"] == "system"), "")
    language = _LANGUAGE.search(system)
    fresh = _FRESH.get(language.group(1) if language else "", _FRESH["English"])
    reply = {key: _rewrite(wording[key]) if wording.get(key) else fresh for key in keys}
    if "summary_zh" in reply:  # the rep's Chinese view: no figure, so the engine keeps it
        reply["summary_zh"] = "感谢贵司一直以来的合作，期待尽快收到您的回复。"
    customer, sender = _CUSTOMER.search(prompt), _SENDER.search(prompt)
    # the opening (a region written anew: no wording shown); a whole message
    first = next((k for k in keys if k != "subject" and not wording.get(k)), "")
    first = first or ("message" if "message" in keys else "")
    if fault == "discount" and first:
        reply[first] += " As our thanks, we give you 37% off your next order."
    elif fault == "swap" and customer and sender and first:
        reply[first] = f"Dear {sender.group(1) or sender.group(2)}, {reply[first]}"
    elif fault == "language":
        reply = dict.fromkeys(keys, _GERMAN)
    if fault == "unknown":
        reply["discount_code"] = "XMAS37"
    text = json.dumps(reply, ensure_ascii=False)
    return text[: len(text) // 2] if fault == "truncated" else text


def _rewrite(text: str) -> str:
    """What a faithful model does to a region: the same words, moved. Its first two sentences
    swapped, or its closing full stop made an exclamation mark; a subject or a single
    question comes back as it was (followup counts that region as unchanged)."""
    sentences = _SENTENCE.split(text)
    if len(sentences) >= 2:
        return " ".join([sentences[1], sentences[0], *sentences[2:]])
    return text[:-1] + "!" if text.endswith(".") else text


def asked_keys(request: dict[str, Any]) -> list[str]:
    """The keys a strict JSON schema asks for (a re-ask may ask for fewer)."""
    schema = (request.get("response_format") or {}).get("json_schema", {}).get("schema", {})
    return list(schema.get("properties", {}))


def _draft_of(prompt: str) -> str:
    """Which draft a conversation is for: a hash of the buyer the prompt is about (a draft
    asks in two conversations; a fault hits the draft, both of them)."""
    buyer = _BUYER_LINE.search(prompt)
    return hashlib.sha256((buyer.group(0) if buyer else prompt).encode()).hexdigest()[:16]


def asks_summary(request: dict[str, Any]) -> bool:
    """The request for the rep's Chinese view: its schema, or (without one) its system
    message, asks for `summary_zh` alone."""
    system = next((m["content"] for m in request.get("messages", []) if m["role"] == "system"), "")
    return asked_keys(request) == ["summary_zh"] or '{"summary_zh": "..."}' in system


def _asks_schema(request: dict[str, Any]) -> bool:
    return (request.get("response_format") or {}).get("type") == "json_schema"


def _completion(content: str, request: dict[str, Any]) -> dict[str, Any]:
    prompt_chars = sum(len(m.get("content") or "") for m in request.get("messages", []))
    usage = {"prompt_tokens": prompt_chars // 4, "completion_tokens": len(content) // 4}
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 0,
        "model": request.get("model") or MODEL,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": usage,
    }


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # a batch opens up to --concurrency connections at once


def _handler(stub: ChatStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real APIs

        def setup(self) -> None:
            super().setup()
            # headers and body leave in two writes: without this, Nagle's algorithm and the
            # client's delayed ACK hold the body back ~40 ms, which no real server does
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send(404, {}, _json({"error": {"message": f"no route {self.path}"}}))
                return
            self._send(*stub.answer(request))

        def do_GET(self) -> None:
            if self.path.rstrip("/") != "/stats":
                self._send(404, {}, _json({"error": {"message": f"no route {self.path}"}}))
                return
            requests = len(stub.exchanges) + len(stub.summaries)  # the Chinese views too
            stats = {"requests": requests, "faults": stub.faults_seen()}
            self._send(200, {}, _json(stats))

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)  # a client past its timeout has hung up

        def log_message(self, *_: Any) -> None:  # quiet
            pass

    return Handler


def main() -> None:
    """Serve in the foreground: prints `serving at URL`, then answers until killed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--kinds", default=",".join(FAULTS))
    parser.add_argument("--retry-after", type=float, default=0.2)
    parser.add_argument("--slow-seconds", type=float, default=2.0)
    args = parser.parse_args()
    config = StubConfig(
        delay=args.delay,
        fault_rate=args.fault_rate,
        kinds=tuple(args.kinds.split(",")),
        retry_after=args.retry_after,
        slow_seconds=args.slow_seconds,
    )
    stub = ChatStub(config)
    print(f"serving at {stub.base_url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        stub.serve_forever()


if __name__ == "__main__":
    main()
