"""The one place an OpenAI client is built, from settings, environment and options.

Precedence: `followup.toml [llm]` < environment (`FOLLOWUP_MODEL`, `FOLLOWUP_BASE_URL`,
`FOLLOWUP_API_KEY` / `OPENAI_API_KEY`) < command-line options. `OPENAI_API_KEY` is
only ever sent to OpenAI's own endpoint; a custom base URL gets `FOLLOWUP_API_KEY`, or
no key at all (local servers), so a key never leaks to a third-party server. Keys are
`Secret`s: their repr and str never show the value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from followup.errors import ConfigError
from followup.settings import LLMSettings

if TYPE_CHECKING:
    from openai import OpenAI

OPENAI_HOSTS = frozenset({"api.openai.com"})
NO_KEY = "none"  # the SDK wants a string; local servers ignore it


class Secret:
    """A key that never prints: `repr`, `str` and f-strings show `**********`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class LLMConfig:
    """Settings resolved for one command: what the client and the engine use."""

    model: str | None
    base_url: str | None
    api_key: Secret | None
    key_source: str  # which variable the key came from ("" when none), for messages
    settings: LLMSettings

    @property
    def configured(self) -> bool:
        """Enough to call an API: a model, and a key or a custom (local) base URL."""
        return bool(self.model) and (self.api_key is not None or self.base_url is not None)

    @property
    def is_openai(self) -> bool:
        return self.base_url is None or urlparse(self.base_url).hostname in OPENAI_HOSTS


def resolve(
    settings: LLMSettings, env: Mapping[str, str] | None = None, **options: Any
) -> LLMConfig:
    """Apply the precedence; options that are None do not override."""
    env = os.environ if env is None else env
    tuning = {k: v for k, v in options.items() if v is not None and k not in {"model", "base_url"}}
    merged = replace(settings, **tuning)
    model = options.get("model") or env.get("FOLLOWUP_MODEL") or settings.model
    base_url = options.get("base_url") or env.get("FOLLOWUP_BASE_URL") or settings.base_url
    config = LLMConfig(model, base_url, None, "", merged)
    key, source = _key(config, env)
    return replace(config, api_key=key, key_source=source)


def _key(config: LLMConfig, env: Mapping[str, str]) -> tuple[Secret | None, str]:
    if env.get("FOLLOWUP_API_KEY"):
        return Secret(env["FOLLOWUP_API_KEY"]), "FOLLOWUP_API_KEY"
    if config.is_openai and env.get("OPENAI_API_KEY"):
        return Secret(env["OPENAI_API_KEY"]), "OPENAI_API_KEY"
    return None, ""


def make_client(config: LLMConfig) -> OpenAI:
    """The OpenAI client for `config`: the SDK's own retries (backoff, Retry-After), one timeout."""
    from openai import OpenAI

    if not config.configured:
        raise ConfigError(
            "No API configured: set FOLLOWUP_MODEL and FOLLOWUP_API_KEY (or FOLLOWUP_BASE_URL "
            "for a local server), or pass --engine template"
        )
    key = config.api_key.reveal() if config.api_key is not None else NO_KEY
    return OpenAI(
        api_key=key,
        base_url=config.base_url,
        timeout=config.settings.timeout,
        max_retries=config.settings.max_retries,
    )
