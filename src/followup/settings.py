"""Workspace settings from `followup.toml`.

Precedence, written down once: `followup.toml` < environment < command-line
options. Unknown keys are errors (a typo must not silently do nothing).

The settings are plain frozen dataclasses; pydantic validates them strictly when
a `followup.toml` is read, and is not even imported when there is none. Every number
is finite and within the range its field's type says (`annotated_types.Interval`, the
constraints pydantic reads natively): the same range is checked when a setting is
made in code or overridden on the command line (`number_problem`), and shown in
docs/settings.md.
"""

from __future__ import annotations

import math
import re
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from annotated_types import Interval

from followup.campaigns import CAMPAIGNS, CONTACT_PRIORITY
from followup.errors import ConfigError

if TYPE_CHECKING:
    from pydantic import ValidationError

SETTINGS_FILE = "followup.toml"
_STRICT: dict[str, Any] = {"extra": "forbid", "allow_inf_nan": False}

#: the allowed range of each kind of number (pydantic reads them; so do the docs and the CLI)
Rate = Annotated[float, Interval(ge=1e-9, le=1e9)]
Seconds = Annotated[float, Interval(gt=0, le=3600)]
Retries = Annotated[int, Interval(ge=0, le=10)]
InFlight = Annotated[int, Interval(ge=1, le=64)]
Price = Annotated[float, Interval(ge=0, le=1000)]
Days = Annotated[int, Interval(ge=0, le=365)]
Touches = Annotated[int, Interval(ge=1, le=5)]
Connections = Annotated[int, Interval(ge=1, le=8)]


def _check_numbers(settings: object) -> None:
    """Every number of a settings table is finite and in its range (when made in code:
    pydantic has checked a followup.toml already, with the key in its message)."""
    for item in fields(settings):  # type: ignore[arg-type]
        value = getattr(settings, item.name)
        values = value.items() if isinstance(value, dict) else [(None, value)]
        for sub, number in values:
            problem = number_problem(type(settings), item.name, number)
            if problem:
                key = item.name if sub is None else f"{item.name}.{sub}"
                raise ValueError(f"{key}: {problem}")


@dataclass(frozen=True)
class CurrencySettings:
    """`[currency]`: the base currency and conversion rates."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT
    base: str | None = field(default=None, metadata={"doc": "Base currency (ISO code)"})
    rates: dict[str, Rate] = field(
        default_factory=dict, metadata={"doc": "1 unit of a currency = this many base units"}
    )

    def __post_init__(self) -> None:
        _check_numbers(self)
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
    timeout: Seconds = field(default=60.0, metadata={"doc": "Seconds per request"})
    max_retries: Retries = field(
        default=3, metadata={"doc": "Retries of 429/5xx/timeouts (the SDK's backoff, Retry-After)"}
    )
    concurrency: InFlight = field(default=4, metadata={"doc": "Requests in flight in a batch"})
    response_format: Literal["json_schema", "json_object", "none"] = field(
        default="json_schema",
        metadata={
            "doc": "How a JSON reply is asked for: json_schema (strict schema), json_object "
            "(DeepSeek, older servers) or none (the prompt alone); a server that refuses "
            "json_schema gets json_object instead"
        },
    )
    price_in_per_1k: Price | None = field(
        default=None, metadata={"doc": "Cost per 1k input tokens"}
    )
    price_out_per_1k: Price | None = field(
        default=None, metadata={"doc": "Cost per 1k output tokens"}
    )

    def __post_init__(self) -> None:
        _check_numbers(self)

    def cost(self, tokens_in: int, tokens_out: int) -> float | None:
        """At the prices per 1k tokens; None when either price is not set."""
        if self.price_in_per_1k is None or self.price_out_per_1k is None:
            return None
        return tokens_in / 1000 * self.price_in_per_1k + tokens_out / 1000 * self.price_out_per_1k


@dataclass(frozen=True)
class ContactSettings:
    """`[contact]`: how often one buyer may be written to (the contact history's rules)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT
    cooldown_days: Days = field(
        default=14,
        metadata={
            "doc": "At most one campaign per buyer in this many days, across outboxes "
            "(0: no cooldown; `batch --ignore-cooldown` overrides it)"
        },
    )
    priority: tuple[str, ...] = field(
        default=CONTACT_PRIORITY,
        metadata={
            "doc": "A buyer targeted by several campaigns gets the first of these; the "
            "pre-flight of a later one holds it back (a campaign not listed is never held)"
        },
    )

    touch_after_days: Days = field(
        default=7,
        metadata={
            "doc": "A follow-up sent this many days ago with no answer is due its next touch "
            "(`followup due`, `batch --touch 2 --due`)"
        },
    )
    touch_after: dict[str, Days] = field(
        default_factory=dict,
        metadata={"doc": "Days before the next touch per campaign: {urgency = 5}"},
    )
    max_touches: Touches = field(
        default=2,
        metadata={"doc": "At most this many touches of one campaign to one buyer"},
    )

    def after_days(self, campaign: str) -> int:
        """Days a follow-up of `campaign` waits for an answer before its next touch."""
        return self.touch_after.get(campaign, self.touch_after_days)

    def __post_init__(self) -> None:
        _check_numbers(self)
        for name in self.touch_after:
            if name not in CAMPAIGNS:
                raise ValueError(
                    f"touch_after: unknown campaign {name!r} (use {', '.join(CAMPAIGNS)})"
                )
        for name in self.priority:
            if name not in CAMPAIGNS:
                raise ValueError(
                    f"priority: unknown campaign {name!r} (use {', '.join(CAMPAIGNS)})"
                )
        if len(set(self.priority)) != len(self.priority):
            raise ValueError("priority: a campaign is listed twice")


#: the environment variable that names the current user's rep (overrides `[user] rep`)
REP_VARIABLE = "FOLLOWUP_REP"


@dataclass(frozen=True)
class UserSettings:
    """`[user]`: who runs followup here. A workspace shared by a team leaves it out and
    each person sets `FOLLOWUP_REP` instead (the environment wins)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT
    rep: str | None = field(
        default=None,
        metadata={
            "doc": "You: a rep's key, alias or name in company.yaml `reps:` (or any name); "
            "`templates approve` and `revoke` record the rep's name when --by is not given. "
            f"`{REP_VARIABLE}` overrides it"
        },
    )


@dataclass(frozen=True)
class MailAccount:
    """`[mail.accounts.NAME]`: one rep's mailbox (a rep profile names it: `mail_account`).
    The password is never here: it comes from the environment variable `password_env`."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT
    host: str = field(metadata={"doc": "IMAP server, e.g. imap.exmail.qq.com"})
    user: str = field(metadata={"doc": "login, usually the email address"})
    port: int = field(default=993, metadata={"doc": "993 for TLS, 143 for STARTTLS or none"})
    tls: Literal["ssl", "starttls", "none"] = field(
        default="ssl", metadata={"doc": "ssl (port 993), starttls (143), none (tests only)"}
    )
    password_env: str = field(
        default="",
        metadata={"doc": "variable holding the (app) password; default FOLLOWUP_MAIL_<NAME>"},
    )
    drafts: str = field(
        default="", metadata={"doc": "Drafts folder when SPECIAL-USE does not say (草稿箱)"}
    )
    sent: str = field(
        default="", metadata={"doc": "Sent folder when SPECIAL-USE does not say (已发送)"}
    )


@dataclass(frozen=True)
class MailSettings:
    """`[mail]`: the reps' mailboxes, for `followup push` and `followup sync`."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT
    accounts: dict[str, MailAccount] = field(
        default_factory=dict, metadata={"doc": "one table per account: [mail.accounts.amy]"}
    )
    connections_per_server: Connections = field(
        default=2,
        metadata={
            "doc": "`push`: accounts on one IMAP server (host) pushed at once, each on one "
            "connection, its drafts in order (a server may refuse or slow down many "
            "connections from one address)"
        },
    )

    def __post_init__(self) -> None:
        _check_numbers(self)


@dataclass(frozen=True)
class Settings:
    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT
    currency: CurrencySettings = field(default_factory=CurrencySettings)
    data: DataSettings = field(default_factory=DataSettings)
    llm: LLMSettings = field(default_factory=LLMSettings)
    contact: ContactSettings = field(default_factory=ContactSettings)
    user: UserSettings = field(default_factory=UserSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    #: `[reasons]`: loss reasons as the team types them -> the reason they mean
    reasons: dict[str, str] = field(default_factory=dict)


_SECTIONS = frozenset(f.name for f in fields(Settings))


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
        settings = TypeAdapter(Settings).validate_python(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_number_or_other(exc)}") from None
    return settings  # `[reasons]` values are checked by the data side (data.dataset)


def configured_rep(root: Path | None, env: Mapping[str, str] | None = None) -> str | None:
    """The current user's rep as configured: `FOLLOWUP_REP`, else `[user] rep` (followup.toml
    < environment), stripped; None when neither is set."""
    import os

    env = os.environ if env is None else env
    value = env.get(REP_VARIABLE, "").strip() or (load_settings(root).user.rep or "").strip()
    return value or None


def section_table(section: str) -> type:
    """The settings table of a `[section]`: `llm` -> `LLMSettings`."""
    table: type = typing.get_type_hints(Settings)[section]
    return table


def _number_or_other(exc: ValidationError) -> str:
    """A number out of its range as `llm.timeout: inf is not allowed: use ...`, with the
    range; any other problem as pydantic names it."""
    first = exc.errors()[0]
    loc = [str(part) for part in first["loc"]]
    if first["type"] in _NUMBER_ERRORS and len(loc) >= 2 and loc[0] in _SECTIONS:
        problem = number_problem(section_table(loc[0]), loc[1], first["input"])
        if problem:
            return f"{'.'.join(loc)}: {problem}{_more(exc)}"
    return describe_validation(exc)


@cache
def limits(table: type, name: str) -> Interval | None:
    """The allowed range of a number setting (of a dict's values: `rates`), or None."""
    hint = typing.get_type_hints(table, include_extras=True).get(name)
    return _interval(hint)


def _interval(hint: Any) -> Interval | None:
    for part in getattr(hint, "__metadata__", ()):
        if isinstance(part, Interval):
            return part
    for arg in typing.get_args(hint):
        found = _interval(arg)
        if found is not None:
            return found
    return None


def number_problem(table: type, name: str, value: object) -> str | None:
    """What is wrong with `value` for the setting `name` of `table`, or None when it fits."""
    bounds = limits(table, name)
    if bounds is None or value is None or isinstance(value, bool):
        return None
    if not isinstance(value, int | float) or not math.isfinite(value):
        return f"{value!r} is not allowed: use a finite number {describe_range(bounds)}"
    fits = (
        (bounds.gt is None or value > bounds.gt)  # type: ignore[operator]
        and (bounds.ge is None or value >= bounds.ge)  # type: ignore[operator]
        and (bounds.lt is None or value < bounds.lt)  # type: ignore[operator]
        and (bounds.le is None or value <= bounds.le)  # type: ignore[operator]
    )
    return None if fits else f"{value!r} is out of range: use a number {describe_range(bounds)}"


def describe_range(bounds: Interval) -> str:
    """`> 0 and ≤ 3600`: the range as the docs and messages say it."""
    parts = [
        f"{sign} {limit:g}"
        for sign, limit in (
            (">", bounds.gt),
            ("≥", bounds.ge),
            ("<", bounds.lt),
            ("≤", bounds.le),
        )
        if limit is not None
    ]
    return " and ".join(parts)


_NUMBER_ERRORS = frozenset(
    {"finite_number", "greater_than", "greater_than_equal", "less_than", "less_than_equal"}
)


def describe_validation(exc: ValidationError) -> str:
    """First problem of a pydantic error as `key.path: message`."""
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = first["msg"]
    if first["type"] in {"extra_forbidden", "unexpected_keyword_argument"}:
        message = "unknown key"
    elif first["type"] in _NUMBER_ERRORS:
        message = f"{message}, got {first['input']!r}"
    elif first["type"] == "value_error":  # our own check: its words, without pydantic's
        message = str(first.get("ctx", {}).get("error", message))
        if first["loc"] and _KEYED.match(message):  # `priority: ...` of the table at `key`
            return f"{key}.{message}{_more(exc)}"
    return f"{key}: {message}{_more(exc)}"


_KEYED = re.compile(r"[a-z_]+(\.[a-z0-9_]+)*: ")


def _more(exc: ValidationError) -> str:
    more = len(exc.errors()) - 1
    return f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
