"""Workspace settings from `followup.toml`.

Precedence, written down once: `followup.toml` < environment < command-line
options. Unknown keys are errors (a typo must not silently do nothing).

The settings are plain frozen dataclasses; pydantic validates them strictly when
a `followup.toml` is read, and is not even imported when there is none.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from followup.errors import ConfigError

if TYPE_CHECKING:
    from pydantic import ValidationError

SETTINGS_FILE = "followup.toml"
_STRICT: dict[str, Any] = {"extra": "forbid"}


@dataclass(frozen=True)
class CurrencySettings:
    """`[currency]`: the base currency and conversion rates."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT
    base: str | None = field(default=None, metadata={"doc": "Base currency (ISO code)"})
    rates: dict[str, float] = field(
        default_factory=dict, metadata={"doc": "1 unit of a currency = this many base units"}
    )

    def __post_init__(self) -> None:
        for code, rate in self.rates.items():
            if rate <= 0:
                raise ValueError(f"rate for {code} must be positive, got {rate}")
        object.__setattr__(self, "base", self.base.strip().upper() if self.base else None)
        object.__setattr__(self, "rates", {c.strip().upper(): r for c, r in self.rates.items()})


@dataclass(frozen=True)
class DataSettings:
    """`[data]`: how the workspace's data files are read."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT
    columns: str | None = field(
        default=None, metadata={"doc": "Column-map YAML file, relative to the workspace"}
    )
    date_format: str | None = field(
        default=None, metadata={"doc": 'strptime format for day-first exports, e.g. "%d/%m/%Y"'}
    )


@dataclass(frozen=True)
class LLMSettings:
    """`[llm]`: the OpenAI-compatible API. Keys never live here: they come from the
    environment (`FOLLOWUP_API_KEY`, or `OPENAI_API_KEY` for OpenAI's own endpoint)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT
    model: str | None = field(default=None, metadata={"doc": "Model name, e.g. gpt-4o-mini"})
    base_url: str | None = field(
        default=None, metadata={"doc": "API base URL; none: OpenAI (https://api.openai.com/v1)"}
    )
    timeout: float = field(default=60.0, metadata={"doc": "Seconds per request"})
    max_retries: int = field(
        default=3, metadata={"doc": "Retries of 429/5xx/timeouts (the SDK's backoff, Retry-After)"}
    )
    concurrency: int = field(default=4, metadata={"doc": "Requests in flight in a batch"})
    response_format: Literal["json_schema", "json_object", "none"] = field(
        default="json_schema",
        metadata={
            "doc": "How a JSON reply is asked for: json_schema (strict schema), json_object "
            "(DeepSeek, older servers) or none (the prompt alone); a server that refuses "
            "json_schema gets json_object instead"
        },
    )
    price_in_per_1k: float | None = field(
        default=None, metadata={"doc": "Cost per 1k input tokens"}
    )
    price_out_per_1k: float | None = field(
        default=None, metadata={"doc": "Cost per 1k output tokens"}
    )

    def __post_init__(self) -> None:
        if self.timeout <= 0 or self.max_retries < 0 or self.concurrency < 1:
            raise ValueError("timeout > 0, max_retries >= 0 and concurrency >= 1 please")

    def cost(self, tokens_in: int, tokens_out: int) -> float | None:
        """At the prices per 1k tokens; None when either price is not set."""
        if self.price_in_per_1k is None or self.price_out_per_1k is None:
            return None
        return tokens_in / 1000 * self.price_in_per_1k + tokens_out / 1000 * self.price_out_per_1k


@dataclass(frozen=True)
class Settings:
    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT
    currency: CurrencySettings = field(default_factory=CurrencySettings)
    data: DataSettings = field(default_factory=DataSettings)
    llm: LLMSettings = field(default_factory=LLMSettings)


def load_settings(root: Path | None) -> Settings:
    """Settings of the workspace at `root` (defaults when there is no followup.toml)."""
    if root is None or not (root / SETTINGS_FILE).is_file():
        return Settings()
    from pydantic import TypeAdapter, ValidationError

    path = root / SETTINGS_FILE
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    try:
        return TypeAdapter(Settings).validate_python(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe_validation(exc)}") from None


def describe_validation(exc: ValidationError) -> str:
    """First problem of a pydantic error as `key.path: message`."""
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = first["msg"]
    if first["type"] in {"extra_forbidden", "unexpected_keyword_argument"}:
        message = "unknown key"
    more = len(exc.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{key}: {message}{suffix}"
