"""Money, numbers, dates and percentages in the buyer's language (Babel, CLDR).

`Money` is an amount with its currency; the `*_text` functions are what the templates'
filters call (`{{ x | money }}`, `| date`, `| number`, `| percent`), cached per value and
locale. A plain module: Babel loads only when something is formatted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel import Locale


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


# The templates' filters. Babel takes 10-40 µs a value; a batch formats the same dates,
# discounts and totals thousands of times (the values are immutable: each is formatted
# once per locale).
@lru_cache(maxsize=4096)
def money_text(value: Money | float, locale: str) -> str:
    return format_money(value, locale)


@lru_cache(maxsize=4096)
def date_text(value: dt.date, style: str = "long", *, locale: str) -> str:
    return format_date(value, locale, style)


@lru_cache(maxsize=4096)
def number_text(value: float, locale: str) -> str:
    return format_number(value, locale)


@lru_cache(maxsize=4096)
def percent_text(value: float, locale: str) -> str:
    return format_percent(value, locale)
