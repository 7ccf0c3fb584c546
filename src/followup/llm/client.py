"""The one place an OpenAI client is built, from settings, environment and options.

Precedence: `followup.toml [llm]` < environment (`FOLLOWUP_MODEL`, `FOLLOWUP_BASE_URL`,
`FOLLOWUP_API_KEY` / `OPENAI_API_KEY`) < command-line options. `OPENAI_API_KEY` is
only ever sent to OpenAI's own endpoint, over HTTPS (`https://api.openai.com`, never a
plain `http://` one); a custom base URL gets `FOLLOWUP_API_KEY`, or no key at all (local
servers), so a key never leaks to a third-party server. The client is always given its
base URL, so the SDK never reads `OPENAI_BASE_URL` behind our back. Keys are `Secret`s
(`followup.redact`): their repr and str never show the value, and the value is masked in
every message and record.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from followup.errors import ConfigError
from followup.redact import Secret
from followup.settings import LLMSettings

if TYPE_CHECKING:
    from openai import OpenAI

OPENAI_HOSTS = frozenset({"api.openai.com"})
OPENAI_URL = "https://api.openai.com/v1"
NO_KEY = "none"  # the SDK wants a string; local servers ignore it


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
        """OpenAI's own endpoint, over HTTPS on its standard port: the only place
        `OPENAI_API_KEY` may go (a plain `http://api.openai.com` would send it in clear)."""
        if self.base_url is None:
            return True
        try:
            url = urlparse(self.base_url.strip())
            port = url.port
        except ValueError:  # a malformed URL or port: not OpenAI's
            return False
        return url.scheme == "https" and url.hostname in OPENAI_HOSTS and port in {None, 443}


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
        base_url=config.base_url or OPENAI_URL,  # None would read OPENAI_BASE_URL
        timeout=config.settings.timeout,
        max_retries=config.settings.max_retries,
    )
