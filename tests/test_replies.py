"""Parsing model replies: one string per region asked for, and the repairs a tolerant
parser makes."""

from __future__ import annotations

import pytest

from followup.errors import ReplyError
from followup.llm.replies import parse_reply, response_format

REGIONS = ("subject", "opening", "closing")


def test_the_schema_asks_for_the_regions_and_nothing_else() -> None:
    schema = response_format(REGIONS)["json_schema"]["schema"]
    assert set(schema["properties"]) == set(REGIONS)
    assert schema["required"] == list(REGIONS)
    assert schema["additionalProperties"] is False
    assert set(response_format(("closing",))["json_schema"]["schema"]["properties"]) == {"closing"}


def test_schema_uses_only_keywords_strict_mode_accepts() -> None:
    # strict mode takes a subset of JSON Schema (OpenAI refuses minLength/maxLength): the core only
    schema = response_format(REGIONS)["json_schema"]["schema"]
    assert set(schema) == {"type", "properties", "required", "additionalProperties"}
    assert all(spec == {"type": "string"} for spec in schema["properties"].values())
    assert response_format(REGIONS, "json_object") == {"type": "json_object"}
    assert response_format(REGIONS, "none") is None


@pytest.mark.parametrize(
    "content",
    [
        '{"opening": "Good to hear from you.", "closing": "Shall we talk?"}',
        '```json\n{"opening": "Good to hear from you.", "closing": "Shall we talk?"}\n```',
        'Here it is:\n{"opening": "Good to hear\nfrom you.", "closing": "Shall we talk?"}\nBye!',
    ],
)
def test_plain_fenced_and_raw_newline_replies_parse(content: str) -> None:
    reply = parse_reply(content, ("opening", "closing"))
    assert reply["closing"] == "Shall we talk?"
    assert reply["opening"].replace("\n", " ") == "Good to hear from you."


@pytest.mark.parametrize(
    ("content", "regions", "message"),
    [
        ("", REGIONS, "the reply is empty"),
        ("Sure! Dear Ana...", REGIONS, "the reply is not a JSON object"),
        ('{"opening": "Hi", "closing": "Dear', REGIONS, "the reply is not a JSON object"),
        ('{"opening": "x" "y"}', ("opening",), "the reply is not valid JSON (cut short?)"),
        ('{"opening": "x"}', ("opening", "closing"), "closing field required"),
        ('{"opening": "x", "tone": "warm"}', ("opening",), "tone is not allowed"),
        ('{"opening": ""}', ("opening",), "opening string should have at least 1 character"),
    ],
)
def test_bad_replies_say_what_is_wrong(
    content: str, regions: tuple[str, ...], message: str
) -> None:
    with pytest.raises(ReplyError) as caught:
        parse_reply(content, regions)
    assert str(caught.value) == message
