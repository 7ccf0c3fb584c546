"""The LLM engine: prompt → OpenAI-compatible chat completion → parsed, guarded draft.

A reply is accepted only when it parses and passes the fact guard and the checks
every draft gets. Otherwise, in `auto`, the template engine drafts instead and the
record says why (`fallback_reason`); in `llm`, the draft fails with the reason.
The client is passed in (built by `llm_client.make_client`), so tests pass a fake.

What comes back from a server is untrusted text: an error body may echo the request's
headers (the key), a reply may quote anything. Every reason, finding and reply text
kept from it is redacted (`followup.redact`), and a reason is cut to one short line.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from followup.campaigns import DEFAULT_LENGTH, DEFAULT_TONE
from followup.drafting.draft import Draft, fingerprint
from followup.drafting.engine import CallEstimate, TemplateEngine
from followup.drafting.workbench import DraftRequest, Workbench
from followup.errors import DraftError, ReplyError, UnusableReply
from followup.redact import clip, redact

if TYPE_CHECKING:
    from followup.drafting.library import Choice
    from followup.llm.client import LLMConfig
    from followup.llm.prompts import Messages, Prompt


CHARS_PER_TOKEN = 4


def tokens_for(text_chars: int) -> int:
    """Estimated tokens of a text of this many characters: a rough rule for Latin-script
    text (the real count depends on the model's tokenizer)."""
    return math.ceil(text_chars / CHARS_PER_TOKEN)


class LLMEngine:
    name = "llm"

    @property
    def concurrency(self) -> int:
        return self.config.settings.concurrency

    def __init__(
        self,
        bench: Workbench,
        client: Any,
        config: LLMConfig,
        *,
        fallback: bool,
        allow_unapproved: bool = False,
        tone: str = DEFAULT_TONE,
        length: str = DEFAULT_LENGTH,
    ) -> None:
        self.bench, self.client, self.config = bench, client, config
        self.fallback = fallback  # auto: a failed reply falls back to the template engine
        self.templates = TemplateEngine(bench, allow_unapproved=allow_unapproved)
        self.tone, self.length = tone, length
        self._prompts: dict[str, Prompt] = {}
        self._format_kind = config.settings.response_format
        self._built: dict[tuple[str, str], tuple[Prompt, Messages, Draft]] = {}

    def choose(self, req: DraftRequest) -> Choice | None:
        """The approved template the draft starts from (the LLM personalises it)."""
        return self.templates.choose(req)

    def _messages(self, req: DraftRequest) -> tuple[Prompt, Messages, Draft]:
        """The prompt, its messages and the template draft they start from (built once a slot:
        a batch asks for the fingerprint first, then drafts)."""
        from followup.llm.prompts import build_messages, load_prompt

        slot = (req.key, req.language)
        if slot not in self._built:
            if req.campaign not in self._prompts:
                self._prompts[req.campaign] = load_prompt(req.campaign, self.bench.root)
            prompt, baseline = self._prompts[req.campaign], self.templates.draft(req)
            messages = build_messages(prompt, req, baseline, tone=self.tone, length=self.length)
            self._built[slot] = (prompt, messages, baseline)
        return self._built[slot]

    def fingerprint(self, req: DraftRequest) -> str | None:
        """Of the exact messages, model and parameters (None: no template to start from)."""
        if self.templates.choose(req) is None:
            return None
        prompt, messages, _ = self._messages(req)
        return fingerprint(
            self.name,
            req.key,
            self.config.model,
            messages.as_list(),
            prompt.header.temperature,
            prompt.header.max_tokens,
        )

    def estimate(self, req: DraftRequest) -> CallEstimate:
        """Tokens one request sends (estimated from its characters) and the most it gets back."""
        prompt, messages, _ = self._messages(req)
        sent = tokens_for(len(messages.system) + len(messages.user))
        return CallEstimate(sent, prompt.header.max_tokens)

    def cost(self, tokens_in: int, tokens_out: int) -> float | None:
        return self.config.settings.cost(tokens_in, tokens_out)

    def draft(self, req: DraftRequest) -> Draft:
        prompt, messages, baseline = self._messages(req)
        try:
            draft = self._ask(req, prompt, messages, baseline)
        except UnusableReply as exc:
            fallback = self._fall_back(req, str(exc))
            # the record still says which model and prompt were tried, and what they cost
            fallback.model, fallback.prompt_id = self.config.model, prompt.header.id
            fallback.prompt_hash = prompt.sha256
            (fallback.tokens_in, fallback.tokens_out), fallback.latency_ms = exc.usage
            return fallback
        if draft.findings:
            reason = "; ".join(f"{f.code}: {f.message}" for f in draft.findings)
            return self._fall_back(req, f"the reply failed the fact guard ({reason})", draft)
        return draft

    def _ask(self, req: DraftRequest, prompt: Prompt, messages: Messages, baseline: Draft) -> Draft:
        """One request, and one re-ask with the parse error; then give up."""
        from followup.llm.replies import parse_reply

        chat = messages.as_list()
        started, tokens_in, tokens_out = time.perf_counter(), 0, 0

        def usage() -> tuple[tuple[int, int], int]:
            return (tokens_in, tokens_out), round((time.perf_counter() - started) * 1000)

        for attempt in range(2):
            try:
                response = self._complete(chat, prompt, req.channel)
            except DraftError as exc:
                raise UnusableReply(str(exc), usage()) from None
            spent = getattr(response, "usage", None)
            tokens_in += getattr(spent, "prompt_tokens", 0) or 0
            tokens_out += getattr(spent, "completion_tokens", 0) or 0
            content = response.choices[0].message.content
            try:
                reply = parse_reply(content, req.channel)
                break
            except ReplyError as exc:
                if attempt:
                    message = f"the model's reply could not be used: {exc}"
                    raise UnusableReply(message, usage()) from None
                chat = [
                    *chat,
                    {"role": "assistant", "content": content or ""},
                    {
                        "role": "user",
                        "content": f"That reply was not usable: {exc}. "
                        "Answer again with only the JSON object.",
                    },
                ]
        tokens, latency = usage()
        return self._finish(req, prompt, reply, baseline.body, tokens=tokens, latency=latency)

    def _complete(self, chat: list[dict[str, str]], prompt: Prompt, channel: str) -> Any:
        """One chat completion (the SDK retries 429/5xx/timeouts). A server that refuses
        the JSON schema (DeepSeek, older servers) is asked for a JSON object from then on."""
        import openai

        from followup.llm.replies import response_format

        kind = self._format_kind
        fmt = response_format(channel, kind)
        try:
            return self.client.chat.completions.create(
                model=self.config.model,
                messages=chat,
                temperature=prompt.header.temperature,
                max_tokens=prompt.header.max_tokens,
                **({"response_format": fmt} if fmt else {}),
            )
        except openai.BadRequestError as exc:
            if kind == "json_schema" and _refuses_schema(exc):
                self._format_kind = "json_object"
                return self._complete(chat, prompt, channel)
            raise self._api_failure(exc) from None
        except openai.APIError as exc:
            raise self._api_failure(exc) from None

    def _api_failure(self, exc: Exception) -> DraftError:
        """Names the endpoint (never the key): "Connection error." alone says nothing. The
        server's body is cut short and redacted: it may echo the request's headers."""
        from followup.llm.client import OPENAI_URL

        where = self.config.base_url or OPENAI_URL
        return DraftError(clip(f"the API call to {where} failed: {type(exc).__name__}: {exc}"))

    def _finish(
        self,
        req: DraftRequest,
        prompt: Prompt,
        reply: Any,
        baseline: str,
        *,
        tokens: tuple[int, int],
        latency: int,
    ) -> Draft:
        from followup.drafting.checks import check_draft
        from followup.drafting.engine import new_draft, tidy
        from followup.llm.claims import facts_of
        from followup.llm.guard import check_reply

        subject = getattr(reply, "subject", None)
        subject = redact(subject) if subject is not None else None
        draft = new_draft(self.bench, req, subject, tidy(redact(reply.body)), engine=self.name)
        draft.model, draft.prompt_id, draft.prompt_hash = (
            self.config.model,
            prompt.header.id,
            prompt.sha256,
        )
        (draft.tokens_in, draft.tokens_out), draft.latency_ms = tokens, latency
        draft.fingerprint = self.fingerprint(req) or ""
        facts = facts_of(req.context, req.language, self.bench.facts.claims)
        draft.findings = check_reply(draft, facts, language=req.language)
        seen = {f.code for f in draft.findings}  # the guard ran the shared checks already
        forbidden = self.bench.facts.forbidden_claims
        draft.findings += [f for f in check_draft(draft, forbidden=forbidden) if f.code not in seen]
        draft.findings = [replace(f, message=clip(f.message)) for f in draft.findings]
        return draft

    def _fall_back(self, req: DraftRequest, reason: str, rejected: Draft | None = None) -> Draft:
        reason = clip(reason)  # what the server said, kept: redacted, one short line
        if not self.fallback:
            raise DraftError(reason)
        draft = replace(self._messages(req)[2])  # a copy of the template draft, then annotated
        draft.fallback_reason = reason
        draft.fingerprint = self.fingerprint(req) or draft.fingerprint  # rerun: same inputs, skip
        if rejected is not None:
            draft.model, draft.prompt_id, draft.prompt_hash = (
                rejected.model,
                rejected.prompt_id,
                rejected.prompt_hash,
            )
            draft.tokens_in, draft.tokens_out = rejected.tokens_in, rejected.tokens_out
            draft.latency_ms = rejected.latency_ms
        return draft


def _refuses_schema(exc: Exception) -> bool:
    """A 400 that is about the response_format (the server cannot do json_schema)."""
    text = str(exc).lower()
    return "response_format" in text or "json_schema" in text


ENGINES = ("auto", "template", "llm")


def make_engine(
    bench: Workbench,
    name: str,
    *,
    allow_unapproved: bool = False,
    tone: str = DEFAULT_TONE,
    length: str = DEFAULT_LENGTH,
    **llm_options: Any,
) -> TemplateEngine | LLMEngine:
    """`template`; `llm` (needs an API); `auto`: llm when an API is configured, else template."""
    from followup.llm.client import make_client, resolve
    from followup.settings import load_settings

    if name == "template":
        return TemplateEngine(bench, allow_unapproved=allow_unapproved)
    config = resolve(load_settings(bench.root).llm, **llm_options)
    if name == "auto" and not config.configured:
        return TemplateEngine(bench, allow_unapproved=allow_unapproved)
    return LLMEngine(
        bench,
        make_client(config),
        config,
        fallback=name == "auto",
        allow_unapproved=allow_unapproved,
        tone=tone,
        length=length,
    )
