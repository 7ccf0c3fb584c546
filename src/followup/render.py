"""Rendering templates in Jinja's sandbox, with locale-aware formatting from Babel.

Customer fields reach a template only as values: Jinja never renders a value, so a
customer's notes that contain `{{ 7*7 }}` print as written. Undefined names are
errors (StrictUndefined), and attribute access goes through the sandbox.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from typing import TYPE_CHECKING, Any

from followup.errors import TemplateError

if TYPE_CHECKING:
    from babel import Locale
    from jinja2 import BytecodeCache, Template
    from jinja2.bccache import Bucket
    from jinja2.sandbox import SandboxedEnvironment


@dataclass(frozen=True)
class Money:
    """An amount in a currency; `{{ x | money }}` formats it for the draft's language."""

    amount: float
    currency: str | None

    def __str__(self) -> str:
        return format_money(self, "en")


@cache
def babel_locale(language: str) -> str:
    """BCP-47 (`pt-BR`) to a Babel locale name (`pt_BR`); unknown tags fall back to `en`."""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(language.replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        return "en"


def format_money(value: Money | float | int, locale: str) -> str:
    """`USD 12,500.00` (en), `12.500,00 USD` (de): the ISO code, never an ambiguous `$`."""
    from babel.numbers import format_currency, format_decimal, get_currency_precision

    if not isinstance(value, Money):
        return format_decimal(value, format="#,##0.00", locale=_locale(locale))
    if value.currency is None:
        return format_decimal(value.amount, format="#,##0.00", locale=_locale(locale))
    digits = get_currency_precision(value.currency)
    pattern = _currency_pattern(locale)
    return format_currency(
        round(value.amount, digits),
        value.currency,
        format=pattern,
        locale=_locale(locale),
        currency_digits=True,
    )


@cache
def _locale(name: str) -> Locale:
    """Babel's Locale for a name, parsed once (Babel parses a name on every call)."""
    from babel import Locale

    return Locale.parse(name)


@cache
def _currency_pattern(locale: str) -> str:
    """The locale's currency pattern showing the ISO code (`¤¤`), spaced from the number."""
    import re

    from babel import Locale

    pattern = str(Locale.parse(locale).currency_formats["standard"].pattern).split(";")[0]
    pattern = re.sub(r"\s*¤\s*", lambda m: m.group(0).replace("¤", "¤¤"), pattern)
    if pattern.startswith("¤¤") and not pattern[2].isspace():
        pattern = "¤¤ " + pattern[2:]
    return pattern


def format_date(value: dt.date, locale: str, style: str = "long") -> str:
    """`20 December 2026` / `20 de diciembre de 2026`; `style` may be a CLDR pattern."""
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format=style, locale=_locale(locale))


def format_number(value: float, locale: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_locale(locale))


def format_percent(value: float, locale: str) -> str:
    """`5` -> `5%` (en) / `5 %` (de, fr, es): the value is in percent already."""
    from babel.numbers import format_percent as babel_format_percent

    pattern = _percent_pattern(locale)
    return babel_format_percent(value / 100, format=pattern, locale=_locale(locale))


@cache
def _percent_pattern(locale: str) -> str:
    pattern = str(_locale(locale).percent_formats[None].pattern)
    return pattern.replace("#,##0", "#,##0.##")


def environment(locale: str) -> SandboxedEnvironment:
    """A sandboxed, strict environment whose filters format for `locale`."""
    return _environment(babel_locale(locale))


_OPTIONS = {
    "autoescape": False,
    "keep_trailing_newline": False,
    "trim_blocks": True,
    "lstrip_blocks": True,
}


@cache
def _environment(locale: str) -> SandboxedEnvironment:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(undefined=StrictUndefined, **_OPTIONS)
    env.filters.update(
        {
            "money": partial(_money_filter, locale=locale),
            "date": partial(_date_filter, locale=locale),
            "number": partial(_number_filter, locale=locale),
            "percent": partial(_percent_filter, locale=locale),
            "quoted": quoted,
        }
    )
    return env


FENCE = '"""'


def quoted(text: Any) -> str:
    """Text fenced as a quotation: for prompts, customer text is data, never instructions."""
    value = str(text or "").replace(FENCE, "''").strip() or "(none)"
    return f"{FENCE}\n{value}\n{FENCE}"


# Babel takes 10-40 µs a value; a batch formats the same dates, discounts and totals
# thousands of times (the values are immutable, so each is formatted once per locale).
@lru_cache(maxsize=4096)
def _money_filter(value: Money | float, locale: str) -> str:
    return format_money(value, locale)


@lru_cache(maxsize=4096)
def _date_filter(value: dt.date, style: str = "long", *, locale: str) -> str:
    return format_date(value, locale, style)


@lru_cache(maxsize=4096)
def _number_filter(value: float, locale: str) -> str:
    return format_number(value, locale)


@lru_cache(maxsize=4096)
def _percent_filter(value: float, locale: str) -> str:
    return format_percent(value, locale)


def compile_template(source: str, locale: str, name: str) -> Template:
    """Compile `source` (once per source and locale); a syntax error names the template."""
    from jinja2 import TemplateSyntaxError

    try:
        return _compiled(source, babel_locale(locale))
    except TemplateSyntaxError as exc:
        raise TemplateError(f"{name} line {exc.lineno}: {exc.message}") from None


@cache
def _compiled(source: str, locale: str) -> Template:
    """Compiled code comes from the cache folder when an earlier run compiled the same
    source (Jinja compiles a template in ~2 ms; a batch uses dozens in every process)."""
    env = _environment(locale)
    store = _code_store()
    if store is None:
        return env.from_string(source)
    bucket = store.get_bucket(env, f"{_code_tag()}\0{locale}\0{source}", None, source)
    if bucket.code is None:
        bucket.code = env.compile(source)
        store.set_bucket(bucket)
    return env.template_class.from_code(env, bucket.code, env.make_globals(None))


@cache
def _code_store() -> BytecodeCache | None:
    """Jinja's file cache of compiled templates in the user's cache folder, if any."""
    from jinja2 import FileSystemBytecodeCache

    from followup.cache import cache_dir

    class QuietCache(FileSystemBytecodeCache):
        """A cache file that cannot be read or written is skipped, never an error."""

        def load_bytecode(self, bucket: Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # unreadable or cut short (pickle, marshal): compile instead
                bucket.reset()

        def dump_bytecode(self, bucket: Bucket) -> None:
            try:
                os.makedirs(self.directory, mode=0o700, exist_ok=True)
                super().dump_bytecode(bucket)
            except OSError:
                pass

    root = cache_dir()
    return None if root is None else QuietCache(str(root / "templates"))


@cache
def _code_tag() -> str:
    """What the compiled code depends on besides the source and locale."""
    import jinja2

    from followup import __version__

    return f"followup {__version__}, jinja2 {jinja2.__version__}, {sorted(_OPTIONS.items())}"


@cache
def _globals(template: Template) -> dict[str, Any]:
    """The template's globals (`namespace`, ...) as one dict (Jinja chains two per render)."""
    return dict(template.globals)


def render(template: Template, context: dict[str, Any], name: str) -> str:
    """Render with `context`; an unknown name or a sandbox violation names the template."""
    from jinja2 import UndefinedError
    from jinja2.exceptions import SecurityError
    from jinja2.runtime import new_context

    try:  # Template.render(context), without copying the context twice and globals thrice
        env, names = template.environment, _globals(template)
        scope = new_context(env, template.name, template.blocks, {**names, **context}, True, names)
        return env.concat(template.root_render_func(scope))
    except UndefinedError as exc:
        raise TemplateError(f"{name}: {exc.message}") from None
    except SecurityError as exc:
        raise TemplateError(f"{name}: not allowed in a template ({exc})") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise TemplateError(f"{name}: {exc}") from None
