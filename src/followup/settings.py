"""Workspace settings from `followup.toml`.

Precedence, written down once: `followup.toml` < environment < command-line
options. Unknown keys are errors (a typo must not silently do nothing).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from followup.errors import ConfigError

SETTINGS_FILE = "followup.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CurrencySettings(_Strict):
    base: str | None = Field(None, description="Base currency of monetary figures (ISO code)")
    rates: dict[str, float] = Field(
        default_factory=dict, description="1 unit of a currency = this many base units"
    )

    @field_validator("base")
    @classmethod
    def _upper_base(cls, value: str | None) -> str | None:
        return value.strip().upper() if value else value

    @field_validator("rates")
    @classmethod
    def _upper_rates(cls, value: dict[str, float]) -> dict[str, float]:
        for code, rate in value.items():
            if rate <= 0:
                raise ValueError(f"rate for {code} must be positive, got {rate}")
        return {code.strip().upper(): rate for code, rate in value.items()}


class DataSettings(_Strict):
    columns: str | None = Field(None, description="Column-map YAML file, relative to the workspace")
    date_format: str | None = Field(
        None, description='strptime format for day-first exports, e.g. "%d/%m/%Y"'
    )


class Settings(_Strict):
    currency: CurrencySettings = CurrencySettings()
    data: DataSettings = DataSettings()


def load_settings(root: Path | None) -> Settings:
    """Settings of the workspace at `root` (defaults when there is no followup.toml)."""
    if root is None or not (root / SETTINGS_FILE).is_file():
        return Settings()
    path = root / SETTINGS_FILE
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe_validation(exc)}") from None


def describe_validation(exc: ValidationError) -> str:
    """First problem of a pydantic error as `key.path: message`."""
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown key"
    more = len(exc.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{key}: {message}{suffix}"
