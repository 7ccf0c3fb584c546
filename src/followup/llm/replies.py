"""Structured replies from a model: the JSON schema asked for, and a tolerant parser.

Servers that honour `response_format` return exactly one string per region asked for
(`{"subject", "opening", "closing"}`: the parts of an approved template the model rewrites);
others wrap it in a code fence, add prose around it, or put raw newlines inside strings.
The parser copes with those; anything else is a `ReplyError` whose message goes into the
one re-ask the engine makes.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from followup.errors import ReplyError

#: the model's Chinese for the rep of what the regions it wrote say (above the approved view
#: in the draft's 中文对照): asked on its own once the guard accepted them, optional in
#: that reply (without it, the approved template's view alone)
SUMMARY: Final = "summary_zh"
#: regions of prose inside the message: they state no figure of their own, the message
#: around them does
PROSE: Final = frozenset({"opening", "answer", "closing"})


#: regions a writer composes anew rather than edits (the prompt does not show their wording)
FRESH: Final = frozenset({"opening", "answer"})


def ask_order(wording: dict[str, str]) -> tuple[str, ...]:
    """The regions in the order they are asked for: the prose the model edits first (the
    closing, whose approved wording it is shown: written after the opening, a small model
    put that wording in the opening), then the prose it writes anew, the subject last (a
    subject that sums up the offer, written first, leads it to restate the offer in the
    opening)."""
    return tuple(sorted(wording, key=lambda name: (name == "subject", name in FRESH)))


def ask_groups(wording: dict[str, str]) -> tuple[tuple[str, ...], ...]:
    """The regions in the conversations they are asked in: what the model writes anew
    (the opening, the answer) on its own, then what it edits (the closing, the subject),
    each group in `ask_order`. Asked together, a small model put the closing's approved
    wording, the one text it was shown, into the opening."""
    order = ask_order(wording)
    groups = ([n for n in order if n in FRESH], [n for n in order if n not in FRESH])
    return tuple(tuple(group) for group in groups if group)


@cache
def reply_model(regions: tuple[str, ...]) -> type[BaseModel]:
    """A strict model of a reply that rewrites these regions: one string field each."""
    fields: dict[str, Any] = {
        name: (str, "") if name == SUMMARY else (str, Field(min_length=1)) for name in regions
    }
    model: type[BaseModel] = create_model(
        f"Reply_{'_'.join(regions)}", __config__=ConfigDict(extra="forbid"), **fields
    )
    return model


def response_format(regions: tuple[str, ...], kind: str = "json_schema") -> dict[str, Any] | None:
    """`response_format` for chat completions: by default a strict JSON schema of the reply
    (one string per region asked for).

    Only the keywords every strict implementation accepts (OpenAI's strict mode refuses
    a schema with `minLength`/`maxLength`); the parser checks the rest. `json_object`
    asks for any JSON object (the prompt says which); `none` sends no response_format.
    """
    if kind == "none":
        return None
    if kind == "json_object":
        return {"type": "json_object"}
    return {
        "type": "json_schema",
        "json_schema": {
            "name": "regions",
            "strict": True,
            "schema": {
                "type": "object",
                "properties": {name: {"type": "string"} for name in regions},
                "required": list(regions),
                "additionalProperties": False,
            },
        },
    }


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)


def parse_reply(content: str | None, regions: tuple[str, ...]) -> dict[str, str]:
    """The reply's text per region, repairing what servers commonly get wrong."""
    if not content or not content.strip():
        raise ReplyError("the reply is empty")
    data = _json_object(content)
    try:
        reply = reply_model(regions).model_validate(data)
        texts = {name: str(getattr(reply, name)) for name in regions}
        return {name: text for name, text in texts.items() if name != SUMMARY or text.strip()}
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "reply"
        problem = "is not allowed" if first["type"] == "extra_forbidden" else first["msg"].lower()
        raise ReplyError(f"{where} {problem}") from None


def _json_object(content: str) -> Any:
    text = content.strip()
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1).strip()
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise ReplyError("the reply is not a JSON object")
    text = text[start : end + 1]
    for candidate in (text, _escape_raw_newlines(text)):
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    raise ReplyError("the reply is not valid JSON (cut short?)")


def _escape_raw_newlines(text: str) -> str:
    """Newlines and tabs inside JSON strings, escaped (a common model mistake)."""
    out, in_string, escaped = [], False, False
    for char in text:
        if in_string and not escaped and char in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
            continue
        if char == '"' and not escaped:
            in_string = not in_string
        escaped = char == "\\" and not escaped
        out.append(char)
    return "".join(out)
