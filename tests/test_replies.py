"""Parsing model replies: the schema, and the repairs a tolerant parser makes."""

from __future__ import annotations

import pytest

from followup.errors import ReplyError
from followup.llm.replies import EmailReply, WhatsAppReply, parse_reply, response_format


def test_schema_asks_for_subject_and_body_and_nothing_else() -> None:
    schema = response_format("email")["json_schema"]["schema"]
    assert set(schema["properties"]) == {"subject", "body"}
    assert schema["required"] == ["subject", "body"]
    assert schema["additionalProperties"] is False
    assert set(response_format("whatsapp")["json_schema"]["schema"]["properties"]) == {"body"}


def test_schema_uses_only_keywords_strict_mode_accepts() -> None:
    # strict mode takes a subset of JSON Schema (OpenAI refuses minLength/maxLength): the core only
    schema = response_format("email")["json_schema"]["schema"]
    assert set(schema) == {"type", "properties", "required", "additionalProperties"}
    assert all(spec == {"type": "string"} for spec in schema["properties"].values())


@pytest.mark.parametrize(
    "content",
    [
        '{"subject": "Hi", "body": "Dear Ana,\\nthanks."}',
        '```json\n{"subject": "Hi", "body": "Dear Ana,\\nthanks."}\n```',
        'Here is the draft:\n{"subject": "Hi", "body": "Dear Ana,\nthanks."}\nHope it helps!',
    ],
)
def test_plain_fenced_and_raw_newline_replies_parse(content: str) -> None:
    reply = parse_reply(content, "email")
    assert isinstance(reply, EmailReply)
    assert (reply.subject, reply.body) == ("Hi", "Dear Ana,\nthanks.")


@pytest.mark.parametrize(
    ("content", "channel", "message"),
    [
        ("", "email", "the reply is empty"),
        ("Sure! Dear Ana...", "email", "the reply is not a JSON object"),
        ('{"subject": "Hi", "body": "Dear', "email", "the reply is not a JSON object"),
        ('{"subject": "Hi", "body": "x" "y"}', "email", "the reply is not valid JSON (cut short?)"),
        ('{"body": "Dear Ana"}', "email", "subject field required"),
        ('{"subject": "Hi", "body": "x", "tone": "warm"}', "email", "tone is not allowed"),
        ('{"subject": "Hi", "body": "x"}', "whatsapp", "subject is not allowed"),
    ],
)
def test_bad_replies_say_what_is_wrong(content: str, channel: str, message: str) -> None:
    with pytest.raises(ReplyError) as caught:
        parse_reply(content, channel)
    assert str(caught.value) == message


def test_whatsapp_reply() -> None:
    assert parse_reply('{"body": "Hola Ana"}', "whatsapp") == WhatsAppReply(body="Hola Ana")
