"""Language values as CRM exports hold them, as BCP-47 tags: `German`, `Deutsch`, `西班牙语`,
`pt_BR`, `PT-br`, `zh_Hant_TW` -> `de`, `de`, `es`, `pt-BR`, `pt-BR`, `zh-Hant-TW`.

Read through Babel's CLDR data, not a table of our own: a code is checked against CLDR's
locales (case and `_`/`-` as written aside), a name against the language names of the
locales our users write in (`DISPLAY_LOCALES`) and every language's own name. A value that
is neither is None: the caller reports it by file, row and value.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

#: the locales whose language names are recognised (`Spanish`, `西班牙语`, `Spanisch` ...)
DISPLAY_LOCALES: Final = (
    "en", "zh", "zh_Hant", "de", "es", "fr", "pt", "it", "ru", "ja", "ko", "ar", "nl", "tr",
    "pl", "vi", "th", "id",
)  # fmt: skip

_SUBTAG: Final = re.compile(r"[-_]")


def language_tag(value: str) -> str | None:
    """The BCP-47 tag a language value means, or None when it names no language."""
    text = " ".join(value.split())
    if not text:
        return None
    found = _from_code(text) or _names().get(text.casefold())
    if found is None and (qualified := _QUALIFIED.fullmatch(text)):
        found = _qualified(*qualified.groups())
    return found or _autonyms().get(text.casefold())


#: `Português (Brasil)`, `Chinese (Traditional)`, `中文（繁体）`
_QUALIFIED: Final = re.compile(r"(.+?)\s*[(（](.+?)[)）]")


def _qualified(name: str, detail: str) -> str | None:
    """A language name with a region or script in brackets, as CLDR names them."""
    language = language_tag(name)
    subtag = _subtags().get(detail.strip().casefold())
    if language is None or subtag is None:
        return None
    return _from_code(f"{language}-{subtag}")


@cache
def _from_code(text: str) -> str | None:
    """`pt_br`, `PT-BR`, `zh_hant_tw` -> `pt-BR`, `pt-BR`, `zh-Hant-TW` when CLDR knows it."""
    from babel import Locale, UnknownLocaleError

    parts = _SUBTAG.split(text)
    if not all(p.isascii() and p.isalnum() for p in parts):
        return None
    language, rest = parts[0].lower(), [_subtag(p) for p in parts[1:]]
    if not (2 <= len(language) <= 3 and language.isalpha()) or None in rest:
        return None
    if language not in _codes():
        return None
    try:
        Locale.parse("_".join([language, *(p for p in rest if p)]))
    except (UnknownLocaleError, ValueError):
        return None
    return "-".join([language, *(p for p in rest if p)])


def _subtag(part: str) -> str | None:
    if len(part) == 4 and part.isalpha():
        return part.title()  # a script: Hant, Latn
    if (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
        return part.upper()  # a region: TW, BR, 419
    return None


@cache
def _codes() -> frozenset[str]:
    from babel import Locale

    return frozenset(str(code) for code in Locale("en").languages if "_" not in str(code))


@cache
def _names() -> dict[str, str]:
    """Language names in `DISPLAY_LOCALES` -> tags (the first locale to use a name wins)."""
    from babel import Locale

    names: dict[str, str] = {}
    for display in DISPLAY_LOCALES:
        for code, name in Locale.parse(display).languages.items():
            names.setdefault(name.casefold(), code.replace("_", "-"))
    return names


@cache
def _subtags() -> dict[str, str]:
    """Region and script names in `DISPLAY_LOCALES` -> their codes (`Brasil` -> `BR`)."""
    from babel import Locale

    names: dict[str, str] = {}
    for display in DISPLAY_LOCALES:
        locale = Locale.parse(display)
        for table in (locale.territories, locale.scripts):
            for code, name in table.items():
                if code.isalpha() or code.isdigit():
                    names.setdefault(name.casefold(), code)
    return names


@cache
def _autonyms() -> dict[str, str]:
    """Each language's name in itself (`Svenska` -> `sv`): every locale's data is read, so
    only for a value nothing else knows."""
    from babel import Locale, UnknownLocaleError
    from babel.localedata import locale_identifiers

    names: dict[str, str] = {}
    for identifier in locale_identifiers():
        if "_" in identifier:
            continue
        try:
            own = Locale.parse(identifier).languages.get(identifier)
        except (UnknownLocaleError, ValueError):
            continue
        if own:
            names.setdefault(own.casefold(), identifier)
    return names
