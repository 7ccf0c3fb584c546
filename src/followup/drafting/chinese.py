"""Simplified and Traditional Chinese: which buyers read which script, and the conversion.

The shipped zh templates are written in Simplified Chinese (zh-CN). A buyer whose language
tag reads Traditional script (`zh-TW`, `zh-HK`, `zh-MO`, `zh-Hant`) gets the same draft
converted character by character with OpenCC's dictionaries: Taiwan's standard forms
(`s2tw`) or Hong Kong's (`s2hk`, for HK and Macau). Which script a tag reads is CLDR's
likely subtags (Babel), as `followup.langid` judges scripts: `zh-SG` and `zh-MY` read
Simplified, `zh-Hant` Traditional (Taiwan's forms).

The conversion changes characters only, never words (OpenCC's phrase configs such as
`s2twp` rewrite 支持 as 支援 and 信息 as 資訊: wording a manager did not approve), and
never a figure, a Latin name or a code. `opencc` (the pure-Python `opencc-python-
reimplemented`) is imported on the first conversion; its dictionaries load once per
process. Lines repeat across a batch's drafts (a template's sentences, company.yaml's
items), so each converted line is remembered.
"""

from __future__ import annotations

import threading
from functools import cache, lru_cache
from typing import Any, Final

#: the OpenCC conversion for Traditional script, by the region the tag reads (else Taiwan's)
_CONVERSIONS: Final = {"HK": "s2hk", "MO": "s2hk"}
_DEFAULT_CONVERSION: Final = "s2tw"
_LOCK = threading.Lock()


def script_and_region(language: str) -> tuple[str, str] | None:
    """(script, region) a Chinese language tag reads, from CLDR's likely subtags:
    `zh-TW` -> (Hant, TW), `zh-Hant` -> (Hant, TW), `zh` -> (Hans, CN); None for a tag
    that is not Chinese."""
    parts = language.replace("_", "-").split("-")
    if parts[0].lower() != "zh":
        return None
    script = next((p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    region = next((p.upper() for p in parts[1:] if len(p) == 2 or p.isdigit()), None)
    if script is None or region is None:
        likely = _likely(f"zh_{script or region}" if script or region else "zh")
        script = script or likely[0]
        region = region or likely[1]
    return script, region


def _likely(tag: str) -> tuple[str, str]:
    from babel.core import get_global

    found = str(get_global("likely_subtags").get(tag) or "zh_Hans_CN").split("_")
    return (found[1], found[2]) if len(found) > 2 else ("Hans", "CN")


def conversion(language: str) -> str | None:
    """The OpenCC conversion a draft in `language` gets from the Simplified templates
    (`s2tw`, `s2hk`), or None when the tag reads Simplified or is not Chinese."""
    found = script_and_region(language)
    if found is None or found[0] != "Hant":
        return None
    return _CONVERSIONS.get(found[1], _DEFAULT_CONVERSION)


def is_traditional(language: str) -> bool:
    """Whether a buyer of this language tag reads Traditional Chinese."""
    return conversion(language) is not None


def to_script(text: str, language: str) -> str:
    """`text` (Simplified Chinese) in the script `language` reads: converted to Traditional
    for `zh-TW`, `zh-HK`, `zh-Hant` ...; as it is for any other tag."""
    config = conversion(language)
    if config is None or not text:
        return text
    return "\n".join(_line(config, line) for line in text.split("\n"))


@lru_cache(maxsize=16384)
def _line(config: str, line: str) -> str:
    if line.isascii():  # nothing to convert: signatures, addresses, names, figures
        return line
    return str(_converter(config).convert(line))


@cache
def _converter(config: str) -> Any:
    with _LOCK:
        import opencc

        return opencc.OpenCC(config)


def converts(written: str, language: str) -> bool:
    """Whether a template written in `written` (Simplified Chinese: `zh`, `zh-CN`) drafts
    for `language` by conversion (a Traditional reader: `zh-TW`, `zh-HK`)."""
    found = script_and_region(written)
    return found is not None and found[0] == "Hans" and is_traditional(language)
