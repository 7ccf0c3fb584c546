"""The engine options of `draft` and `batch`, gathered into one `EngineOptions` argument."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import click

from followup.campaigns import DEFAULT_LENGTH, DEFAULT_TONE, LENGTHS
from followup.cli.options import SettingNumber, SettingOption

if TYPE_CHECKING:
    from followup.drafting.engine import Engine
    from followup.drafting.workbench import Workbench

tone_option = click.option(
    "--tone", default=DEFAULT_TONE, show_default=True, help="llm: the tone to ask for."
)
length_option = click.option(
    "--length",
    type=click.Choice(list(LENGTHS)),
    default=DEFAULT_LENGTH,
    show_default=True,
    help="llm: the length to ask for.",
)


@dataclass(frozen=True)
class EngineOptions:
    """What the command line says about the engine; None leaves followup.toml / env in charge."""

    engine: str = "auto"
    model: str | None = None
    base_url: str | None = None
    timeout: float | None = None
    tone: str = DEFAULT_TONE
    length: str = DEFAULT_LENGTH
    allow_unapproved: bool = False
    concurrency: int | None = None

    def build(self, bench: Workbench) -> Engine:
        from followup.llm.engine import make_engine

        return make_engine(
            bench,
            self.engine,
            allow_unapproved=self.allow_unapproved,
            tone=self.tone,
            length=self.length,
            model=self.model,
            base_url=self.base_url,
            timeout=self.timeout,
            concurrency=self.concurrency,
        )


_NAMES = tuple(f.name for f in fields(EngineOptions))

_OPTIONS = (
    click.option(
        "--engine",
        type=click.Choice(["auto", "template", "llm"]),
        default="auto",
        show_default=True,
        help="template: the approved library, offline and deterministic; llm: an "
        "OpenAI-compatible API, checked by the fact guard; auto: llm when an API is "
        "configured, else template.",
    ),
    click.option("--model", help="Model name (overrides FOLLOWUP_MODEL and followup.toml)."),
    click.option("--base-url", help="API base URL (overrides FOLLOWUP_BASE_URL)."),
    click.option(
        "--timeout",
        cls=SettingOption,
        type=SettingNumber("llm.timeout", float, "SECONDS"),
        help="llm: seconds per request before it is retried (default: followup.toml, else 60).",
    ),
    tone_option,
    length_option,
    click.option(
        "--allow-unapproved",
        is_flag=True,
        help="Also use unapproved templates (the draft is marked).",
    ),
)
_CONCURRENCY = click.option(
    "--concurrency",
    cls=SettingOption,
    type=SettingNumber("llm.concurrency", int, "N"),
    help="llm: requests in flight (default: followup.toml, else 4).",
)


def engine_options(*, concurrency: bool = False) -> Callable[[Callable[..., Any]], Any]:
    """Add the engine options; the command receives them as one `engine: EngineOptions`."""

    def decorate(function: Callable[..., Any]) -> Any:
        @functools.wraps(function)
        def command(*args: Any, **kwargs: Any) -> Any:
            given = {name: kwargs.pop(name) for name in _NAMES if name in kwargs}
            return function(*args, engine=EngineOptions(**given), **kwargs)

        decorated: Any = command
        for option in reversed((*_OPTIONS, _CONCURRENCY) if concurrency else _OPTIONS):
            decorated = option(decorated)
        return decorated

    return decorate
