"""Structured replies from a model: the JSON schema asked for, and a tolerant parser.

Servers that honour `response_format` return exactly `{"subject", "body"}`; others wrap
it in a code fence, add prose around it, or put raw newlines inside strings. The
parser copes with those; anything else is a `ReplyError` whose message goes into the
one re-ask the engine makes.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from followup.campaigns import CHANNELS
from followup.errors import ReplyError


class EmailReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1)
    body: str = Field(min_length=1)


class WhatsAppReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1)


def reply_model(channel: str) -> type[BaseModel]:
    return EmailReply if CHANNELS[channel].has_subject else WhatsAppReply


def response_format(channel: str, kind: str = "json_schema") -> dict[str, Any] | None:
    """`response_format` for chat completions: by default a strict JSON schema of the reply.

    Only the keywords every strict implementation accepts (OpenAI's strict mode refuses
    a schema with `minLength`/`maxLength`); the parser checks the rest. `json_object`
    asks for any JSON object (the prompt says which); `none` sends no response_format.
    """
    if kind == "none":
        return None
    if kind == "json_object":
        return {"type": "json_object"}
    fields = list(reply_model(channel).model_fields)
    return {
        "type": "json_schema",
        "json_schema": {
            "name": f"{channel}_draft",
            "strict": True,
            "schema": {
                "type": "object",
                "properties": {name: {"type": "string"} for name in fields},
                "required": fields,
                "additionalProperties": False,
            },
        },
    }


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)


def parse_reply(content: str | None, channel: str) -> BaseModel:
    """The reply as a validated model, repairing what servers commonly get wrong."""
    if not content or not content.strip():
        raise ReplyError("the reply is empty")
    data = _json_object(content)
    try:
        return reply_model(channel).model_validate(data)
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
