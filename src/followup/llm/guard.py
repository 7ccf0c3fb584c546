"""The fact guard: a model's draft may state only what it was given (README: LLM drafts).

Every number, percentage, money amount, date and time in a reply must trace back to
the facts in the prompt's context (compared as values: "5%" = "5 percent" = "five
per cent"; "Jan 20" = "2027-01-20"; "USD 12,500" = "12500" = "12.500,00 USD"). On top:
the customer's and sender's names are present and not swapped, no placeholder like
"[Your Name]" is left, the text is in the target language, and the checks every draft
gets (forbidden phrases, lengths) pass. Findings, not exceptions: the engine decides
(auto falls back to the template; llm records the failure).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from followup.drafting.draft import Draft, Finding

#: small number words a model may spell out, by language (value -> words)
NUMBER_WORDS: Final[dict[str, dict[int, tuple[str, ...]]]] = {
    "en": {1: ("one",), 2: ("two",), 3: ("three",), 4: ("four",), 5: ("five",), 6: ("six",),
           7: ("seven",), 8: ("eight",), 9: ("nine",), 10: ("ten",), 12: ("twelve",),
           15: ("fifteen",), 20: ("twenty",), 30: ("thirty",), 50: ("fifty",)},
    "es": {1: ("uno", "una"), 2: ("dos",), 3: ("tres",), 4: ("cuatro",), 5: ("cinco",),
           6: ("seis",), 7: ("siete",), 8: ("ocho",), 9: ("nueve",), 10: ("diez",),
           12: ("doce",), 15: ("quince",), 20: ("veinte",), 30: ("treinta",), 50: ("cincuenta",)},
    "de": {1: ("eins", "einen", "einem"), 2: ("zwei",), 3: ("drei",), 4: ("vier",), 5: ("fünf",),
           6: ("sechs",), 7: ("sieben",), 8: ("acht",), 9: ("neun",), 10: ("zehn",),
           12: ("zwölf",), 15: ("fünfzehn",), 20: ("zwanzig",), 30: ("dreißig",), 50: ("fünfzig",)},
    "fr": {1: ("un", "une"), 2: ("deux",), 3: ("trois",), 4: ("quatre",), 5: ("cinq",),
           6: ("six",), 7: ("sept",), 8: ("huit",), 9: ("neuf",), 10: ("dix",), 12: ("douze",),
           15: ("quinze",), 20: ("vingt",), 30: ("trente",), 50: ("cinquante",)},
    "pt": {1: ("um", "uma"), 2: ("dois", "duas"), 3: ("três",), 4: ("quatro",), 5: ("cinco",),
           6: ("seis",), 7: ("sete",), 8: ("oito",), 9: ("nove",), 10: ("dez",), 12: ("doze",),
           15: ("quinze",), 20: ("vinte",), 30: ("trinta",), 50: ("cinquenta",)},
}  # fmt: skip

#: words that mark a language (a reply must lean to its target language)
STOPWORDS: Final[dict[str, frozenset[str]]] = {
    language: frozenset(words.split())
    for language, words in {
        "en": "the and you your we our for with to of is are this that will be have",
        "es": "el la los las y usted su nuestro para con de que es son este esta por",
        "de": "der die das und sie ihr wir unser für mit zu ist sind dieses ich nicht",
        "fr": "le la les et vous votre nous notre pour avec de que est sont ce cette",
        "pt": "o a os as e você seu sua nosso para com de que é são este esta não",
    }.items()
}

_NUMBER = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:[ .,\u00a0\u202f']\d{3})+|\d+)(?:[.,]\d+)?(?![\w])")
_PERCENT_WORDS = r"(?:%|\s?(?:percent|per cent|por ciento|prozent|pour cent|por cento))"
_TIME = re.compile(r"\b([01]?\d|2[0-3])[:h]([0-5]\d)\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{2,4})\b")


@dataclass(frozen=True)
class Facts:
    """What the model was allowed to say: values and dates, normalised."""

    numbers: frozenset[float]
    dates: frozenset[dt.date]


def allowed_facts(*sources: Any) -> Facts:
    """Every number and date in the context (recursively, including inside text)."""
    numbers: set[float] = set()
    dates: set[dt.date] = set()
    for value in _walk(sources):
        if isinstance(value, dt.date):
            dates.add(value if not isinstance(value, dt.datetime) else value.date())
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int | float):
            numbers.update(_variants(float(value)))
        elif isinstance(value, str):
            numbers.update(n for token in _NUMBER.findall(value) for n in _readings(token))
    for day in list(dates):
        numbers.update({float(day.day), float(day.month), float(day.year)})
    return Facts(frozenset(numbers), frozenset(dates))


def _walk(value: Any) -> Iterable[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _walk(item)
    elif hasattr(value, "__dataclass_fields__"):
        yield from _walk({k: getattr(value, k) for k in value.__dataclass_fields__})
    elif hasattr(value, "model_dump"):
        yield from _walk(value.model_dump())
    else:
        yield value


def _variants(value: float) -> set[float]:
    """A value and its roundings a writer may use (12499.6 -> 12500, 12499.6, 12.5k no)."""
    return {round(value, 2), float(round(value)), round(value, 1)}


def _readings(token: str) -> set[float]:
    """A written number's possible values: `1.234` is 1.234 or 1234 depending on locale."""
    from followup.data.parsing import parse_amount_text

    compact = token.replace("\u00a0", " ").replace("\u202f", " ").replace("'", "")
    found = set()
    parsed = parse_amount_text(compact)
    if parsed is not None:
        found.add(round(abs(parsed), 2))
    for decimal in (",", "."):
        other = "." if decimal == "," else ","
        plain = compact.replace(" ", "").replace(other, "").replace(decimal, ".")
        try:
            found.add(round(float(plain), 2))
        except ValueError:
            continue
    return found


def check_reply(draft: Draft, facts: Facts, *, language: str) -> list[Finding]:
    """All guard findings for a model's draft: untraceable facts, the checks' placeholder
    and name findings, swapped names, and the wrong language."""
    from followup.drafting.checks import name_findings, placeholder_findings

    findings = _untraceable(f"{draft.subject or ''}\n{draft.body}", facts, language)
    findings += placeholder_findings(draft) + name_findings(draft)
    findings += _swapped(draft.body, draft.recipient_name, draft.sender_name)
    detected = detect_language(draft.body)
    if detected is not None and detected != language.split("-", maxsplit=1)[0]:
        findings.append(Finding("language", f"is written in {detected!r}, not {language!r}"))
    return findings


def _untraceable(text: str, facts: Facts, language: str) -> list[Finding]:
    """Dates and numbers in `text` that the facts do not hold."""
    findings = []
    text, date_findings = _strip_dates(text, facts, language)
    findings += date_findings
    for match in _TIME.finditer(text):
        findings.append(Finding("fact_time", f"states a time {match.group(0)!r} it was not given"))
    text = _TIME.sub(" ", text)
    for token in _NUMBER.findall(text):
        if not _readings(token) & facts.numbers:
            findings.append(Finding("fact_number", f"states {token!r}, which no fact supports"))
    for value, word in _number_words(text, language):
        if float(value) not in facts.numbers:
            findings.append(
                Finding("fact_number", f"states {word!r} ({value}), which no fact supports")
            )
    return findings


def _strip_dates(text: str, facts: Facts, language: str) -> tuple[str, list[Finding]]:
    """Remove the dates from `text` (so their parts are not read as numbers); flag unknown ones."""
    findings: list[Finding] = []

    def check(match: re.Match[str], day: dt.date | None, partial: tuple[int, int] | None) -> str:
        known = day in facts.dates if day else any((d.month, d.day) == partial for d in facts.dates)
        if not known:
            findings.append(
                Finding("fact_date", f"states the date {match.group(0)!r}, which no fact supports")
            )
        return " "

    text = _ISO_DATE.sub(lambda m: check(m, _date(*map(int, m.groups())), None), text)
    text = _NUMERIC_DATE.sub(lambda m: check(m, _numeric(m, language), None), text)
    base = language.split("-", maxsplit=1)[0]
    names = _month_names(base)
    for pattern, order in zip(_month_patterns(base), ("dm", "md"), strict=True):

        def named(match: re.Match[str], order: str = order) -> str:
            return check(match, *_named(match, order, names))

        text = pattern.sub(named, text)
    return text, findings


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _numeric(match: re.Match[str], language: str) -> dt.date | None:
    first, second, year = (int(g) for g in match.groups())
    year += 2000 if year < 100 else 0
    month, day = (first, second) if language.startswith("en") else (second, first)
    return _date(year, month, day)


@cache
def _month_names(language: str) -> dict[str, int]:
    """Month names of a language (wide and abbreviated, from CLDR) -> month number."""
    from babel.dates import get_month_names

    from followup.formatting import babel_locale

    names: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for number, name in get_month_names(width, locale=babel_locale(language)).items():
            names[name.lower().rstrip(".")] = number
    if language != "en":  # a reply in the wrong language still names months in English
        names.update({k: v for k, v in _month_names("en").items() if k not in names})
    return names


@cache
def _month_patterns(language: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """`20 December 2026`, `20. Dezember`, `20 de diciembre de 2026`; `December 20, 2026`."""
    alternation = "|".join(sorted(map(re.escape, _month_names(language)), key=len, reverse=True))
    day_first = re.compile(
        rf"\b(\d{{1,2}})\.?\s+(?:de\s+)?({alternation})\.?(?:,?\s+(?:de\s+)?(\d{{4}}))?\b",
        re.IGNORECASE,
    )
    month_first = re.compile(
        rf"\b({alternation})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", re.IGNORECASE
    )
    return day_first, month_first


def _named(
    match: re.Match[str], order: str, names: dict[str, int]
) -> tuple[dt.date | None, tuple[int, int] | None]:
    """A named-month date: the full date when it has a year, else (month, day)."""
    a, b, year = match.groups()
    day_text, month_text = (a, b) if order == "dm" else (b, a)
    month, day = names[month_text.lower().rstrip(".")], int(day_text)
    if year:
        return _date(int(year), month, day), None
    return None, (month, day)


def _number_words(text: str, language: str) -> list[tuple[int, str]]:
    """Spelled-out percentages (`five per cent`, `cinco por ciento`): their values."""
    lowered = text.lower()
    found = []
    for value, spellings in NUMBER_WORDS.get(language.split("-", maxsplit=1)[0], {}).items():
        for word in spellings:
            if re.search(rf"\b{re.escape(word)}{_PERCENT_WORDS}", lowered):
                found.append((value, word))
    return found


def _swapped(body: str, customer: str, sender: str) -> list[Finding]:
    """A model that greets the sender, or signs as the customer."""
    findings = []
    lines = [line.strip() for line in body.strip().splitlines() if line.strip()]
    greeting, closing = (lines[0] if lines else ""), " ".join(lines[-3:]).casefold()
    if sender.strip() and sender.casefold() in greeting.casefold():
        findings.append(
            Finding("names_swapped", f"greets the sender ({sender}) instead of the customer")
        )
    if customer.strip() and customer.casefold() in closing and sender.casefold() not in closing:
        findings.append(Finding("names_swapped", f"signs as the customer ({customer})"))
    return findings


def detect_language(text: str) -> str | None:
    """The language whose common words the text uses most, or None when too short to say."""
    words = re.findall(r"[a-zà-ÿß]+", text.casefold())
    if len(words) < 12:
        return None
    scores = {lang: sum(w in stop for w in words) for lang, stop in STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    ranked = sorted(scores.values(), reverse=True)
    return best if ranked[0] >= 3 and ranked[0] > ranked[1] else None
