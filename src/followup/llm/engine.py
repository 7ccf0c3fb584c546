"""The LLM engine: the approved template's regions → OpenAI-compatible chat completion →
each region parsed, guarded, kept or refused on its own → the template draft with them.

The model writes only the regions a manager marked (`regions:`: subject, opening, the
answer to the loss reason, closing); greeting, fact lists, dates and signature stay the
template's text, so they cannot go wrong. A region the fact guard refuses is asked for
once more, with the guard's findings quoted, and then keeps its approved wording; the
record lists what was rewritten, what kept the wording and why, and what the model
wrote there (redacted, cut short). A reply that cannot be used at all falls back to the
template draft in `auto` (the record says why) and fails in `llm`. The client is passed
in (built by `llm_client.make_client`), so tests pass a fake.

What comes back from a server is untrusted text: an error body may echo the request's
headers (the key), a reply may quote anything. Every reason, finding and reply text
kept from it is redacted (`followup.redact`), and a reason is cut to one short line.
"""

from __future__ import annotations

import contextlib
import math
import re
import time
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from followup.campaigns import DEFAULT_LENGTH, DEFAULT_TONE
from followup.drafting.draft import Draft, fingerprint
from followup.drafting.engine import Baseline, CallEstimate, TemplateEngine
from followup.drafting.workbench import DraftRequest, Workbench
from followup.errors import DraftError, ReplyError, UnusableReply
from followup.llm.replies import FRESH, PROSE, SUMMARY
from followup.llm.translation import MESSAGE, assemble, signature_of, whole_message
from followup.redact import clip, redact

if TYPE_CHECKING:
    from followup.drafting.library import Choice
    from followup.llm.client import LLMConfig
    from followup.llm.prompts import Ask, Prompt


CHARS_PER_TOKEN = 4


def tokens_for(text_chars: int) -> int:
    """Estimated tokens of a text of this many characters: a rough rule for Latin-script
    text (the real count depends on the model's tokenizer)."""
    return math.ceil(text_chars / CHARS_PER_TOKEN)


class LLMEngine:
    """Rewrites the regions an approved template marks (`regions:`), each guarded and kept
    or refused on its own; greeting, facts, dates and signature stay the template's."""

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
        self.fallback = fallback  # auto: an unusable reply falls back to the template
        self.templates = TemplateEngine(bench, allow_unapproved=allow_unapproved)
        self.tone, self.length = tone, length
        self._prompts: dict[str, Prompt] = {}
        self._format_kind = config.settings.response_format
        self._built: dict[tuple[str, str], tuple[Prompt, tuple[Ask, ...], Baseline, str]] = {}

    def choose(self, req: DraftRequest) -> Choice | None:
        """The approved template the draft starts from (the LLM rewrites its regions)."""
        return self.templates.choose(req)

    def _messages(self, req: DraftRequest) -> tuple[Prompt, tuple[Ask, ...], Baseline, str]:
        """The prompt, its conversations (the regions each asks for, and its messages) and
        the template draft they start from (built once a slot: a batch asks for the
        fingerprint first, then drafts), and the message around the regions (the
        template's body with each region marked)."""
        from followup.llm.prompts import build_asks, load_prompt

        slot = (req.key, req.language)
        if slot not in self._built:
            if req.campaign not in self._prompts:
                self._prompts[req.campaign] = load_prompt(req.campaign, self.bench.root)
            prompt, base = self._prompts[req.campaign], self.templates.baseline(req)
            whole = whole_message(base, req) if base.choice.language_fallback else None
            base, skeleton = whole or (base, self.templates.skeleton(base))
            asks = build_asks(prompt, base, tone=self.tone, length=self.length, whole=bool(whole))
            self._built[slot] = (prompt, asks, base, skeleton)
        return self._built[slot]

    def fingerprint(self, req: DraftRequest) -> str | None:
        """Of the exact messages, model and parameters (None: no template to start from)."""
        if self.templates.choose(req) is None:
            return None
        prompt, asks, base, _ = self._messages(req)
        if not base.wording:  # nothing to rewrite: the template's draft, no call
            return base.draft.fingerprint
        return fingerprint(
            self.name,
            req.key,
            self.config.model,
            [messages.as_list() for _, messages in asks],
            prompt.header.temperature,
            prompt.header.max_tokens,
        )

    def estimate(self, req: DraftRequest) -> CallEstimate:
        """Tokens a draft's requests send (estimated from their characters) and the most they
        get back."""
        prompt, asks, base, _ = self._messages(req)
        if not base.wording:
            return CallEstimate(0, 0)
        sent = sum(tokens_for(len(m.system) + len(m.user)) for _, m in asks)
        return CallEstimate(sent, prompt.header.max_tokens * len(asks), calls=len(asks))

    def cost(self, tokens_in: int, tokens_out: int) -> float | None:
        return self.config.settings.cost(tokens_in, tokens_out)

    def draft(self, req: DraftRequest) -> Draft:
        """The guarded draft, with the rep's Chinese view: the approved template's
        (`TemplateEngine.glossed`), which states the same facts the guard held it to."""
        draft = self._draft(req)
        return draft if draft.summary_zh else self.templates.glossed(draft, req)

    def _draft(self, req: DraftRequest) -> Draft:
        prompt, asks, base, skeleton = self._messages(req)
        if not base.wording:
            return replace(base.draft)  # the template marks nothing to rewrite
        talk = _Talk(self, req, prompt)
        texts: dict[str, str] = {}
        unusable: dict[str, list[str]] = {}  # regions whose conversation gave nothing usable
        failure = ""  # the first conversation's reason, should none give anything usable
        for regions, messages in asks:
            try:
                texts.update(self._cut(base, talk.ask(regions, messages.as_list()), skeleton))
            except UnusableReply as exc:
                if exc.api:  # the API failed, after its retries: so would the next call
                    return self._fall_back(base, prompt, str(exc), talk)
                failure = failure or str(exc)
                unusable |= {name: [clip(f"no usable reply: {exc}")] for name in regions}
        if not texts:  # no conversation gave anything usable
            return self._fall_back(base, prompt, failure, talk)
        kept, rejected = self._guard(base, texts, skeleton)
        if kept:
            texts.update(self._cut(base, talk.repair(kept), skeleton))
            kept, rejected = self._guard(base, texts, skeleton)
        draft = self._finish(
            base,
            prompt,
            texts,
            talk,
            refused=kept | unusable,
            rejected=rejected,
            skeleton=skeleton,
        )
        if not draft.rewritten:  # nothing of the model's: the approved template's view
            return draft
        summary, failed = talk.summary({name: texts[name] for name in draft.rewritten})
        if failed:
            draft.kept[SUMMARY] = failed
        self._provenance(draft, prompt, talk)  # the tokens of the summary too
        return self._summarised(draft, summary, req)

    def _summarised(self, draft: Draft, summary: str, req: DraftRequest) -> Draft:
        """The draft's 中文对照 when the model rewrote a region: what the model says its
        parts say, in Chinese (kept when in Chinese, every figure and date one the draft or
        its approved Chinese view states), above the approved template's view; else the
        approved view alone (`draft()`), and the record says why."""
        from followup.drafting.engine import view_text
        from followup.llm.guard import summary_findings

        if not summary.strip():  # the approved template's view
            return draft
        found = self.templates.chinese(req)
        approved = view_text(*found) if found else ""
        shown = " ".join(filter(None, [draft.subject, draft.body, *(found or ())]))
        problems = summary_findings(summary, shown, self.bench.facts.forbidden_claims)
        if problems:
            draft.kept[SUMMARY] = "; ".join(problems)
            draft.rejected[SUMMARY] = clip(summary)
            return draft
        parts = "、".join(REGION_ZH.get(name, name) for name in draft.rewritten)
        ours = f"【模型改写：{parts}】{redact(summary.strip())}\n"
        draft.summary_zh = f"{ours}\n{approved}\n" if approved else ours
        draft.summary_zh_by = "model"
        return draft

    def _cut(self, base: Baseline, texts: dict[str, str], skeleton: str) -> dict[str, str]:
        """The model's regions without what the message already has: its greeting,
        sign-off or signature repeated (`unframed`), a prose region's first or last
        sentences when the message around it says them (`without_repeats`), and what a
        region written anew goes on with past its first two sentences (asked for one: a
        small model adds a letter's closing formulas, and claims about the buyer)."""
        from followup.llm.guard import first_sentences, without_repeats

        sender = base.request.context["sender"]["name"]
        cut = unframed(texts, skeleton, sender, base.wording)
        for name in cut.keys() & PROSE:
            cut[name] = without_repeats(cut[name], _around(skeleton, base.wording, name))
            cut[name] = first_sentences(cut[name]) if name in FRESH else cut[name]
        return cut

    def _guard(
        self, base: Baseline, texts: dict[str, str], skeleton: str = ""
    ) -> tuple[dict[str, list[str]], dict[str, str]]:
        """The regions refused (name -> what is wrong) and what the model wrote there."""
        from followup.campaigns import CHANNELS
        from followup.llm.claims import facts_of
        from followup.llm.guard import check_region, people

        req = base.request
        facts = facts_of(req.context, req.language, self.bench.facts.claims)
        customer = req.customer
        who = people(customer["company"], customer["contact_name"], req.context["sender"]["name"])
        material = _material(req)
        instructions = "\n".join(m.instructions for _, m in self._messages(req)[1])
        products = (
            *customer["products"],
            *(p["name"] for p in req.context["company"]["new_products"]),
        )
        refused: dict[str, list[str]] = {}
        for name, text in texts.items():
            around = _around(skeleton, base.wording, name)
            limit = CHANNELS[req.channel].subject_max if name == "subject" else None
            findings = check_region(
                name,
                text,
                facts=facts,
                language=req.language,
                who=who,
                wording=base.wording[name],
                forbidden=self.bench.facts.forbidden_claims,
                limit=limit,
                around=around,
                material=material,
                products=products,
                instructions=instructions,
            )
            if findings:
                refused[name] = [clip(f.message.removeprefix(f"{name}: ")) for f in findings]
        return refused, {name: clip(texts[name]) for name in refused}

    def _finish(
        self,
        base: Baseline,
        prompt: Prompt,
        texts: dict[str, str],
        talk: _Talk,
        *,
        refused: dict[str, list[str]],
        rejected: dict[str, str],
        skeleton: str,
    ) -> Draft:
        """The template draft with the accepted regions in place; why the others kept the
        approved wording; what the model wrote there."""
        accepted = {name: redact(text) for name, text in texts.items() if name not in refused}
        unchanged = [name for name, text in accepted.items() if _same(text, base.wording[name])]
        refused = refused | {name: [UNCHANGED] for name in unchanged}
        accepted = {name: text for name, text in accepted.items() if name not in unchanged}
        whole = MESSAGE in base.wording  # the buyer's language: all of it, or the English
        if whole and MESSAGE not in accepted:
            refused = refused | {name: ["the message kept English"] for name in accepted}
            accepted = {}
        draft = self._assembled(base, accepted, skeleton) if accepted else replace(base.draft)
        new = {f.code for f in draft.findings} - {f.code for f in base.draft.findings}
        if new:  # the regions are fine alone, the message with them is not: the template's
            why = "; ".join(f.message for f in draft.findings if f.code in new)
            refused = {name: [f"the message with it: {why}"] for name in accepted} | refused
            rejected = {name: clip(texts[name]) for name in refused if name in texts}
            accepted, draft = {}, replace(base.draft)
        draft.engine = self.name if accepted else "template"
        draft.rewritten = [name for name in base.wording if name in accepted]
        order = [*base.wording, *(name for name in refused if name not in base.wording)]
        draft.kept = {name: "; ".join(refused[name]) for name in order if name in refused}
        draft.rejected = rejected
        draft.fingerprint = self.fingerprint(base.request) or draft.fingerprint
        self._provenance(draft, prompt, talk)
        if not accepted:
            draft.fallback_reason = clip(
                "every region kept the approved wording: "
                + "; ".join(f"{n}: {why}" for n, why in draft.kept.items())
            )
            if not self.fallback and set(unchanged) != set(draft.kept):
                raise DraftError(draft.fallback_reason)
        return draft

    def _assembled(self, base: Baseline, accepted: dict[str, str], skeleton: str) -> Draft:
        if MESSAGE in base.wording:
            return assemble(self.templates, base, accepted, signature_of(skeleton))
        return self.templates.assemble(base, accepted)

    def _fall_back(self, base: Baseline, prompt: Prompt, reason: str, talk: _Talk) -> Draft:
        reason = clip(reason)  # what the server said, kept: redacted, one short line
        if not self.fallback:
            raise DraftError(reason)
        draft = replace(base.draft)  # a copy of the template draft, then annotated
        draft.fallback_reason = reason
        draft.kept = dict.fromkeys(base.wording, "no usable reply")
        draft.fingerprint = self.fingerprint(base.request) or draft.fingerprint
        self._provenance(draft, prompt, talk)  # which model and prompt were tried, and the cost
        return draft

    def _provenance(self, draft: Draft, prompt: Prompt, talk: _Talk) -> None:
        draft.model, draft.prompt_id, draft.prompt_hash = (
            self.config.model,
            prompt.header.id,
            prompt.sha256,
        )
        (draft.tokens_in, draft.tokens_out), draft.latency_ms = talk.usage()

    def _complete(
        self, chat: list[dict[str, str]], prompt: Prompt, regions: tuple[str, ...], budget: int
    ) -> Any:
        """One chat completion (the SDK retries 429/5xx/timeouts). A server that refuses
        the JSON schema (DeepSeek, older servers) is asked for a JSON object from then on."""
        import openai

        from followup.llm.replies import response_format

        kind = self._format_kind
        fmt = response_format(regions, kind)
        try:
            return self.client.chat.completions.create(
                model=self.config.model,
                messages=chat,
                temperature=prompt.header.temperature,
                max_tokens=budget,
                **({"response_format": fmt} if fmt else {}),
            )
        except openai.BadRequestError as exc:
            if kind == "json_schema" and _refuses_schema(exc):
                self._format_kind = "json_object"
                return self._complete(chat, prompt, regions, budget)
            raise self._api_failure(exc) from None
        except openai.APIError as exc:
            raise self._api_failure(exc) from None

    def _api_failure(self, exc: Exception) -> DraftError:
        """Names the endpoint (never the key): "Connection error." alone says nothing. The
        server's body is cut short and redacted: it may echo the request's headers."""
        from followup.llm.client import OPENAI_URL

        where = self.config.base_url or OPENAI_URL
        return DraftError(clip(f"the API call to {where} failed: {type(exc).__name__}: {exc}"))


MAX_TOKENS: Final = 4000  # the most a re-ask after a cut-off reply may ask for
SUMMARY_TOKENS: Final = 300  # the rep's Chinese view of the model's parts: two sentences


def unframed(
    texts: dict[str, str], skeleton: str, sender: str = "", wording: dict[str, str] | None = None
) -> dict[str, str]:
    """The regions without the message's own frame repeated: a region that starts with the
    greeting before it, or ends with the message's sign-off (its last paragraph), exactly
    as the message has them, loses those words (the message keeps its own); so does a
    prose region that starts with a salutation of its own (`Hi Robert Foster,`: the
    message greets above it), and one that ends with a short last sentence ending in the
    `sender`'s name (`... Sincerely, Jason Liu`): the message signs with the template's
    signature. A salutation of the sender, and any other use of the name, is the guard's
    to judge. What is left starts as the region's approved `wording` does: capitalised
    after `Hola, Laura:`, not after `Guten Tag Tobias Becker,`."""
    wording = wording or {}
    lines = [line.strip() for line in skeleton.splitlines()]
    sign_off = " ".join(skeleton.strip().split("\n\n")[-1].split())  # its last paragraph
    result = dict(texts)
    for i, line in enumerate(lines):
        name = line[1:-1].lower() if _MARK.fullmatch(line) else None
        if name is None or name not in result:
            continue
        before = next((text for text in reversed(lines[:i]) if text), "")
        # a salutation of its own first: the greeting's words alone would leave a surname
        # behind (`Olá Ana Nascimento! ...` -> `Nascimento! ...`)
        text = _without_salutation(result[name], sender) if name in PROSE else result[name]
        result[name] = _without_frame(text, before, sign_off)
    for name, text in result.items():
        result[name] = _capitalised(text, wording.get(name, "")) if text != texts[name] else text
    if sender.strip():
        ends = _SENTENCE_END
        tail = rf"(?:^|(?<=[{ends}]))[^{ends}]{{0,40}}?\b{re.escape(sender)}\s*[.!]?\s*$"
        for name, text in result.items():
            result[name] = re.sub(tail, "", text).rstrip() or text
    return result


_MARK = re.compile(r"\[[A-Z]+\]")


def _around(skeleton: str, wording: dict[str, str], name: str) -> str:
    """The message around region `name`: the skeleton with every other region's approved
    wording in its place (an opening must not say again what the closing says)."""
    others = " ".join(text for other, text in wording.items() if other != name)
    return f"{_MARK.sub(' ', skeleton)} {others}"


_SENTENCE_END = ".!?…。！？"


def _loose(words: list[str]) -> str:
    """A pattern for these words in this order, whatever punctuation and spacing between."""
    return r"\W+".join(re.escape(word) for word in words)


def _without_frame(text: str, greeting: str, sign_off: str) -> str:
    """The text without a leading copy of the greeting (`Hola, Alejandra!` for `Hola,
    Alejandra:`) and without a trailing copy of the sign-off or a run of two words or more
    of it (`Best regards, Lily Chen`, the rep's name and title); nothing else is touched."""
    words = re.findall(r"\w+", greeting)
    if words:
        text = re.sub(rf"^\W*{_loose(words)}\b[^\w¿¡]*", "", text, count=1, flags=re.I)
    tail = re.findall(r"\w+", sign_off)
    last = re.findall(r"\w+", text)[-1:]
    if last and last[0].casefold() in {word.casefold() for word in tail}:
        runs = sorted(
            ((start, end) for start in range(len(tail)) for end in range(start + 2, len(tail) + 1)),
            key=lambda run: run[0] - run[1],  # the longest copy first, at least two words
        )
        for start, end in runs:
            pattern = rf"[^\w{_SENTENCE_END}]*\b{_loose(tail[start:end])}\W*$"
            cut = re.sub(pattern, "", text, count=1, flags=re.I).strip()
            if cut != text.strip() and (not cut or cut[-1] in _SENTENCE_END):
                return cut  # (a sentence that ends with the company's name keeps it)
    return text.strip()


def _without_salutation(text: str, sender: str) -> str:
    """The text without a salutation it starts with (`Hallo Tobias Becker, ich ...` ->
    `Ich ...`): a greeting word, then at most six words of a name (capitalised, or a
    particle such as `de`, `van`), then `,`, `:` or `!`. One that names the sender stays,
    for the guard to refuse (`Hola, Lily:`)."""
    from followup.llm.guard import names_in

    match = _salutation().match(text)
    rest = text[match.end() :] if match else ""
    sender_names = (sender, sender.split(maxsplit=1)[0]) if sender.strip() else ()
    if not match or not rest.strip() or any(names_in(match.group(0), n) for n in sender_names):
        return text
    return rest


def _capitalised(text: str, like: str) -> str:
    """The text, capitalised when `like` (the approved wording) starts with a capital."""
    return text[:1].upper() + text[1:] if like.strip()[:1].isupper() else text


@cache
def _salutation() -> re.Pattern[str]:
    """A salutation at the start of a text (see `_without_salutation`)."""
    from followup.llm.guard import GREETINGS

    words = "|".join(re.escape(word) for word in sorted(GREETINGS, key=len, reverse=True))
    particle = "de|da|do|dos|del|van|von|der|den|al|el|bin"
    name = rf"(?:(?![a-zß-ÿ])[^\W\d_][^\s,:;!?]*|{particle})"
    return re.compile(rf"\W*(?i:{words})(?![^\W\d_]),?(?:[^\S\n]+{name}){{0,6}}?\s*[,:!]\s*")


def _material(req: DraftRequest) -> str:
    """What the buyer's own data says of them: the rep's notes, the loss detail, the
    company and the products it orders."""
    customer, loss = req.context["customer"], req.context["loss"]
    parts = [customer["company"], customer["notes"] or "", *customer["products"]]
    return " ".join([*parts, (loss["detail"] or "") if loss else ""])


#: a region's name in the rep's Chinese view
REGION_ZH: Final = {
    "subject": "主题",
    "opening": "开头",
    "answer": "回应",
    "closing": "结尾",
    "message": "全文",
}

#: why a region the model gave back (nearly) word for word is not counted as rewritten
UNCHANGED = "the model gave the approved wording back (a word or two changed at most)"


def _same(text: str, wording: str) -> bool:
    """The model's text is the approved wording, or it with about one word in ten changed
    (at least one): a small model's one-word edits are more often slips ("da wir" -> "das
    wir", "usted" -> "tú" in one verb) than improvements, and the approved text is safer."""
    from difflib import SequenceMatcher

    ours, approved = _WORD.findall(text.casefold()), _WORD.findall(wording.casefold())
    matcher = SequenceMatcher(None, ours, approved, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return max(len(ours), len(approved)) - matched <= max(1, len(approved) // 10)


_WORD = re.compile(r"\w+")


class _Talk:
    """One draft's conversations with the model, one per group of regions (`Ask`): the
    ask, one re-ask when the reply cannot be parsed (with more room when it was cut off),
    one repair round for the regions the guard refused (quoting why, in the conversation
    that asked for them), and the rep's Chinese view of what was kept; the tokens and
    time it all took."""

    def __init__(self, engine: LLMEngine, req: DraftRequest, prompt: Prompt) -> None:
        self.engine, self.req, self.prompt = engine, req, prompt
        self.started = time.perf_counter()
        self.tokens_in = self.tokens_out = 0
        self.chats: list[list[dict[str, str]]] = []  # each conversation, as sent so far
        self._of: dict[str, int] = {}  # region -> the conversation that asked for it
        self._last: dict[int, str] = {}  # conversation -> the model's latest reply

    def usage(self) -> tuple[tuple[int, int], int]:
        elapsed = round((time.perf_counter() - self.started) * 1000)
        return (self.tokens_in, self.tokens_out), elapsed

    def ask(
        self, regions: tuple[str, ...], chat: list[dict[str, str]] | None = None
    ) -> dict[str, str]:
        """The model's text for `regions` (two tries at a usable reply): in a new
        conversation that starts with `chat`, or in the one that first asked for them."""
        from followup.llm.replies import parse_reply

        if chat is not None:
            self.chats.append(list(chat))
            self._of.update(dict.fromkeys(regions, len(self.chats) - 1))
        index = self._of[regions[0]]
        budget = self.prompt.header.max_tokens
        for attempt in range(2):
            content, cut = self._send(index, regions, budget)
            try:
                return parse_reply(content, regions)
            except ReplyError as exc:
                if attempt:
                    message = f"the model's reply could not be used: {exc}"
                    raise UnusableReply(message, self.usage()) from None
                if cut:  # cut off at max_tokens: the same budget would cut it again
                    budget = min(budget * 2, MAX_TOKENS)
                self._say(index, content, f"That reply was not usable: {exc}. Answer again "
                                          "with only the JSON object.")  # fmt: skip
        raise AssertionError("unreachable")  # pragma: no cover

    def repair(self, refused: dict[str, list[str]]) -> dict[str, str]:
        """Once: the refused regions again, the guard's findings quoted, each in the
        conversation that asked for it; nothing for a conversation whose reply to that
        cannot be used either (its regions keep the approved wording)."""
        from followup.llm.prompts import repair_message

        texts: dict[str, str] = {}
        for index in sorted({self._of[name] for name in refused}):
            here = {name: why for name, why in refused.items() if self._of[name] == index}
            self._say(index, self._last[index], repair_message(here))
            with contextlib.suppress(UnusableReply):
                texts.update(self.ask(tuple(here)))
        return texts

    def summary(self, parts: dict[str, str]) -> tuple[str, str]:
        """The rep's Chinese of the regions the draft took from the model, in a short
        conversation of its own, and why there is none ("" when it came back, or came back
        empty)."""
        from followup.llm.prompts import summary_messages
        from followup.llm.replies import parse_reply

        self.chats.append(summary_messages(parts, self.req.language).as_list())
        try:
            content, _ = self._send(len(self.chats) - 1, (SUMMARY,), SUMMARY_TOKENS)
            return parse_reply(content, (SUMMARY,)).get(SUMMARY, ""), ""
        except (UnusableReply, ReplyError) as exc:
            return "", clip(f"no Chinese view from the model: {exc}")

    def _send(self, index: int, regions: tuple[str, ...], budget: int) -> tuple[str, bool]:
        try:
            response = self.engine._complete(self.chats[index], self.prompt, regions, budget)
        except DraftError as exc:
            raise UnusableReply(str(exc), self.usage(), api=True) from None
        spent = getattr(response, "usage", None)
        self.tokens_in += getattr(spent, "prompt_tokens", 0) or 0
        self.tokens_out += getattr(spent, "completion_tokens", 0) or 0
        choice = response.choices[0]
        self._last[index] = choice.message.content or ""
        return self._last[index], getattr(choice, "finish_reason", None) == "length"

    def _say(self, index: int, content: str, message: str) -> None:
        self.chats[index] = [
            *self.chats[index],
            {"role": "assistant", "content": content},
            {"role": "user", "content": message},
        ]


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
