"""Secrets never leave followup: the one place text is cleaned of them on its way out.

`redact(text)` replaces, wherever it occurs in `text`:

- the value of every `Secret` made in this process (API keys resolved for the LLM
  client; mail passwords later: wrap them in `Secret` and they are covered), and of the
  secret environment variables (`SECRET_VARIABLES`), also JSON-escaped and URL-encoded;
- anything that looks like a secret whoever it belongs to (`PATTERNS`): an
  `Authorization`/`api-key` header's value, a bearer token, an OpenAI-style `sk-…` key,
  a password in a URL, a `key=`/`token=` URL parameter.

`clip(text)` is what a record keeps of an error: redacted, on one line, at most
`REASON_LIMIT` characters (an API error page can be 100 kB). Every path where text
leaves followup goes through one of them: the CLI's error messages
(`followup.cli.errors.message`), the LLM engine's failure and fallback reasons and
findings, and a draft's index record (`Draft.record`).
"""

from __future__ import annotations

import json
import os
import re
import threading
from typing import Final
from urllib.parse import quote

MASK: Final = "[REDACTED]"
REASON_LIMIT: Final = 500
#: shorter values are not treated as secrets (masking "abc" everywhere would garble text)
MIN_SECRET: Final = 6
#: environment variables whose values are secrets wherever they show up
SECRET_VARIABLES: Final = ("FOLLOWUP_API_KEY", "OPENAI_API_KEY")

_MASKED = rf"(?!{re.escape(MASK)})"  # a value masked already is left as it is
_VALUE = _MASKED + r"[^\s\"',;&}\])]+"
_TOKEN = _MASKED + r"[A-Za-z0-9._~+/=-]{16,}"  # a bearer token: long, no spaces
#: (pattern, replacement): what looks like a secret, whoever's it is
PATTERNS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    # Authorization: Bearer xyz / "authorization": "Basic xyz" / Proxy-Authorization=xyz
    (
        re.compile(
            r"(?i)(\b(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?(?:(?:bearer|basic|token)\s+)?+)"
            + _VALUE
        ),
        rf"\g<1>{MASK}",
    ),
    # api-key: xyz / "x-api-key": "xyz" / api_key=xyz / access_token / client_secret / password
    (
        re.compile(
            r"(?i)(\b(?:x-)?(?:api[-_]?key|access[-_]?token|auth[-_]?token|client[-_]?secret|"
            r"password|passwd)[\"']?\s*[:=]\s*[\"']?)" + _VALUE
        ),
        rf"\g<1>{MASK}",
    ),
    # a key in a URL: ?key=xyz&...
    (re.compile(r"(?i)([?&](?:key|token|sig|signature)=)" + _VALUE), rf"\g<1>{MASK}"),
    (re.compile(r"(?i)(\bbearer\s+)" + _TOKEN), rf"\g<1>{MASK}"),
    # OpenAI-style keys: sk-…, sk-proj-…, including the SDK's "sk-proj-****abcd" echoes
    (re.compile(r"\bsk-[A-Za-z0-9_*-]{16,}"), MASK),
    # a password in a URL: https://user:password@host
    (
        re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s/:@]*:)" + _MASKED + r"[^\s/@]+@"),
        rf"\g<1>{MASK}@",
    ),
)

_registered: set[str] = set()
_lock = threading.Lock()


class Secret:
    """A secret that never prints: `repr`, `str` and f-strings show `**********`, and its
    value is redacted from every message and record followup writes (`redact`)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def register(value: str | None) -> None:
    """Treat `value` as a secret from now on (in this process and the ones it forks)."""
    if value and len(value.strip()) >= MIN_SECRET:
        with _lock:
            _registered.add(value.strip())


def secret_values() -> list[str]:
    """The secrets known now, with their JSON-escaped and URL-encoded forms, longest first
    (so a secret that contains another is masked whole)."""
    values = set(_registered)
    for name in SECRET_VARIABLES:
        value = os.environ.get(name, "").strip()
        if len(value) >= MIN_SECRET:
            values.add(value)
    forms = set()
    for value in values:
        forms |= {value, json.dumps(value)[1:-1], quote(value, safe=""), quote(value)}
    return sorted(forms, key=len, reverse=True)


def redact(text: str) -> str:
    """`text` with every secret in it masked (see the module's doc)."""
    for value in secret_values():
        if value in text:
            text = text.replace(value, MASK)
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def clip(text: str, limit: int = REASON_LIMIT) -> str:
    """What a record keeps of an error text: redacted, on one line, at most `limit` chars."""
    line = " ".join(redact(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
