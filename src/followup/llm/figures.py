"""Every figure a text states, read as what it is: a percentage, an amount of money, a date,
a duration, a year, a time, a quantity with its unit, or a plain number.

The fact guard (`followup.llm.claims`) compares these, by kind, with the facts a draft was
given. Figures are read the way a buyer reads them, in the draft's language: digits
joined to units or letters (`500W`, `12.5k`, `USD50k`, `25th`), numbers in every locale's
way of writing them (`12,500.00`, `12.500,00`, `12 500`), spelled-out numbers and
ordinals (`ten-year`, `cinco por ciento`, `the twentieth`), ranges (`3-5 days`: two
figures), and dates named, ordinal or numeric (day-first or month-first by the locale).

A figure's `context` is the few words around it, so a caller can tell a discount's
percentage from any other (`words_near`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import Final, Literal

Kind = Literal["percent", "money", "date", "day", "duration", "year", "time", "quantity", "number"]

#: spelled-out cardinals a writer may use, by language (value -> spellings)
CARDINALS: Final[dict[str, dict[int, tuple[str, ...]]]] = {
    "en": {1: ("one", "a single"), 2: ("two", "a couple of"), 3: ("three",), 4: ("four",),
           5: ("five",), 6: ("six",), 7: ("seven",), 8: ("eight",), 9: ("nine",), 10: ("ten",),
           11: ("eleven",), 12: ("twelve",), 15: ("fifteen",), 20: ("twenty",),
           30: ("thirty",), 40: ("forty",), 50: ("fifty",), 60: ("sixty",), 90: ("ninety",),
           100: ("hundred", "one hundred", "a hundred")},
    "es": {1: ("uno", "una", "un"), 2: ("dos",), 3: ("tres",), 4: ("cuatro",), 5: ("cinco",),
           6: ("seis",), 7: ("siete",), 8: ("ocho",), 9: ("nueve",), 10: ("diez",),
           11: ("once",), 12: ("doce",), 15: ("quince",), 20: ("veinte",), 30: ("treinta",),
           40: ("cuarenta",), 50: ("cincuenta",), 60: ("sesenta",), 90: ("noventa",),
           100: ("cien", "ciento")},
    "de": {1: ("eins", "ein", "eine", "einen", "einem"), 2: ("zwei",), 3: ("drei",),
           4: ("vier",), 5: ("fünf",), 6: ("sechs",), 7: ("sieben",), 8: ("acht",),
           9: ("neun",), 10: ("zehn",), 11: ("elf",), 12: ("zwölf",), 15: ("fünfzehn",),
           20: ("zwanzig",), 30: ("dreißig",), 40: ("vierzig",), 50: ("fünfzig",),
           60: ("sechzig",), 90: ("neunzig",), 100: ("hundert", "einhundert")},
    "fr": {1: ("un", "une"), 2: ("deux",), 3: ("trois",), 4: ("quatre",), 5: ("cinq",),
           6: ("six",), 7: ("sept",), 8: ("huit",), 9: ("neuf",), 10: ("dix",), 11: ("onze",),
           12: ("douze",), 15: ("quinze",), 20: ("vingt",), 30: ("trente",),
           40: ("quarante",), 50: ("cinquante",), 60: ("soixante",),
           90: ("quatre-vingt-dix",), 100: ("cent",)},
    "pt": {1: ("um", "uma"), 2: ("dois", "duas"), 3: ("três",), 4: ("quatro",),
           5: ("cinco",), 6: ("seis",), 7: ("sete",), 8: ("oito",), 9: ("nove",), 10: ("dez",),
           11: ("onze",), 12: ("doze",), 15: ("quinze",), 20: ("vinte",), 30: ("trinta",),
           40: ("quarenta",), 50: ("cinquenta",), 60: ("sessenta",), 90: ("noventa",),
           100: ("cem", "cento")},
}  # fmt: skip

#: words that make a number a percentage
PERCENT_WORDS: Final = (
    "percent", "per cent", "percentage points", "por ciento", "por cento", "prozent",
    "pour cent", "pourcent", "%", "％",
)  # fmt: skip

#: time units -> (what they count, how many of it): weeks are counted in days
DURATION_UNITS: Final[dict[str, tuple[str, int]]] = {
    unit: (kind, factor)
    for kind, factor, units in (
        ("days", 1, "day days días dia dias día tag tage tagen jour jours 天 日"),
        ("days", 7, "week weeks semana semanas woche wochen semaine semaines 周 星期"),
        ("months", 1, "month months mes meses monat monate monaten mois 个月 月"),
        ("years", 1, "year years año años jahr jahre jahren an ans année années ano anos 年"),
        ("hours", 1, "hour hours hora horas stunde stunden heure heures 小时"),
    )
    for unit in units.split()
}

#: currency words and symbols -> ISO code (codes themselves are read as they are)
CURRENCY_WORDS: Final[dict[str, str]] = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "dólar": "USD",
    "dólares": "USD", "dollar américain": "USD", "美元": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "欧元": "EUR",
    "£": "GBP", "gbp": "GBP", "¥": "CNY", "￥": "CNY", "rmb": "CNY", "cny": "CNY", "元": "CNY",
    "人民币": "CNY", "r$": "BRL", "brl": "BRL", "reais": "BRL", "mxn": "MXN", "chf": "CHF",
    "aud": "AUD", "cad": "CAD", "jpy": "JPY", "inr": "INR", "aed": "AED", "sar": "SAR",
}  # fmt: skip

_NUM = r"(?:\d{1,3}(?:[ .,\u00a0\u202f'’]\d{3})+|\d+)(?:[.,]\d+)?"
_SCALE = r"(?:\s?(?:k|K|m|M|mn|bn|million|millones|Millionen|millions|mil|thousand|tausend))?"
_CODES = r"[A-Z]{3}"


@dataclass(frozen=True)
class Figure:
    """One figure in a text: what kind, its value (a number, a date, or (month, day) for a
    date without its year), its unit, and where it is."""

    kind: Kind
    value: float | dt.date | tuple[int, int]
    unit: str | None
    text: str
    start: int
    end: int
    written_year: bool = True  # a date: whether its year is written


def number_value(token: str) -> float | None:
    """A written number's value: `12,500.00` and `12.500,00` are both 12500; `1.234` is
    read as 1234 only where a thousands separator is the only reading (3 digits after)."""
    text = token.replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'").strip()
    text = text.replace(" ", "").replace("'", "")
    if not text:
        return None
    comma, dot = text.rfind(","), text.rfind(".")
    if comma >= 0 and dot >= 0:  # the later one is the decimal mark
        decimal = "," if comma > dot else "."
        other = "." if decimal == "," else ","
        text = text.replace(other, "").replace(decimal, ".")
    elif comma >= 0 or dot >= 0:
        mark = "," if comma >= 0 else "."
        parts = text.split(mark)
        if len(parts) > 2 or (len(parts[-1]) == 3 and parts[0] != "0"):
            text = text.replace(mark, "")  # a thousands separator
        else:
            text = text.replace(mark, ".")
    try:
        return float(text)
    except ValueError:
        return None


def _scaled(value: float, scale: str) -> float:
    scale = scale.strip().lower()
    if scale in {"k", "mil", "thousand", "tausend"}:
        return value * 1_000
    if scale in {"m", "mn", "million", "millones", "millionen", "millions"}:
        return value * 1_000_000
    if scale == "bn":
        return value * 1_000_000_000
    return value


def read(text: str, language: str) -> list[Figure]:
    """Every figure in `text`, in reading order (each character belongs to one figure)."""
    base = language.split("-", maxsplit=1)[0].lower()
    found: list[Figure] = []
    masked = list(text)

    def take(figure: Figure) -> None:
        found.append(figure)
        masked[figure.start : figure.end] = " " * (figure.end - figure.start)

    for reader in (_dates, _times, _money, _percents, _durations, _ordinal_days, _quantities):
        for figure in reader("".join(masked), base):  # what earlier readers took is blanked
            take(figure)
    for figure in _years_and_numbers("".join(masked)):
        take(figure)
    for figure in _spelled("".join(masked), base):
        take(figure)
    return sorted(found, key=lambda f: f.start)


# --- dates ---------------------------------------------------------------------------------


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _dates(text: str, language: str) -> list[Figure]:
    found = []
    for match in re.finditer(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b", text):
        day = _date(*map(int, match.groups()))
        found.append(_date_figure(match, day))
    for match in re.finditer(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]", text):
        year = int(match.group(1)) if match.group(1) else 2000
        day = _date(year, int(match.group(2)), int(match.group(3)))
        found.append(_date_figure(match, day, written_year=bool(match.group(1))))
    for match in re.finditer(r"\b(\d{1,2})([./-])(\d{1,2})\2(\d{2,4})\b", text):
        first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        year += 2000 if year < 100 else 0
        month, number = (first, second) if language == "en" and first <= 12 else (second, first)
        found.append(_date_figure(match, _date(year, month, number)))
    found += _named_dates(text, language)
    return _without_overlaps(found)


def _date_figure(match: re.Match[str], day: dt.date | None, *, written_year: bool = True) -> Figure:
    value: dt.date | tuple[int, int] = day if day else (0, 0)
    if day is not None and not written_year:
        value = (day.month, day.day)
    return Figure("date", value, None, match.group(0), match.start(), match.end(), written_year)


@cache
def month_names(language: str) -> dict[str, int]:
    """Month names of a language (wide and abbreviated, from CLDR) -> month number; a reply
    in the wrong language still names months in English, so English is always known."""
    from babel.dates import get_month_names

    from followup.formatting import babel_locale

    names: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for number, name in get_month_names(width, context, babel_locale(language)).items():
                names[name.lower().rstrip(".")] = number
    if language != "en":
        names.update({k: v for k, v in month_names("en").items() if k not in names})
    return names


@cache
def _month_patterns(language: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    names = "|".join(sorted(map(re.escape, month_names(language)), key=len, reverse=True))
    ordinal = r"(?:st|nd|rd|th|º|°|er|\.)?"
    day_first = re.compile(
        rf"\b(\d{{1,2}}){ordinal}\s*(?:de\s+|of\s+)?({names})\.?(?:,?\s+(?:de\s+)?(\d{{4}}))?\b",
        re.IGNORECASE,
    )
    month_first = re.compile(
        rf"\b({names})\.?\s+(?:the\s+)?(\d{{1,2}}){ordinal}(?:,?\s+(\d{{4}}))?\b", re.IGNORECASE
    )
    return day_first, month_first


def _named_dates(text: str, language: str) -> list[Figure]:
    names = month_names(language)
    day_first, month_first = _month_patterns(language)
    found = []
    for pattern, order in ((day_first, "dm"), (month_first, "md")):
        for match in pattern.finditer(text):
            a, b, year = match.groups()
            day_text, month_text = (a, b) if order == "dm" else (b, a)
            month, day = names[month_text.lower().rstrip(".")], int(day_text)
            if year:
                value = _date(int(year), month, day)
                found.append(_date_figure(match, value))
            else:
                valid = _date(2000, month, day) is not None
                value_md: tuple[int, int] = (month, day) if valid else (0, 0)
                span = (match.group(0), match.start(), match.end())
                found.append(Figure("date", value_md, None, *span, written_year=False))
    return found


def _without_overlaps(figures: list[Figure]) -> list[Figure]:
    """The longest figure wins where two overlap (`20 December 2026` over `20 December`)."""
    kept: list[Figure] = []
    for figure in sorted(figures, key=lambda f: (f.start, -(f.end - f.start))):
        if kept and figure.start < kept[-1].end:
            continue
        kept.append(figure)
    return kept


# --- times, money, percentages, durations, quantities ---------------------------------------


def _times(text: str, _language: str) -> list[Figure]:
    pattern = r"\b([01]?\d|2[0-3])[:h]([0-5]\d)\b(?:\s?(?:am|pm|a\.m\.|p\.m\.|uhr))?"
    return [
        Figure("time", float(int(m.group(1)) * 60 + int(m.group(2))), None, m.group(0),
               m.start(), m.end())
        for m in re.finditer(pattern, text, re.IGNORECASE)
    ]  # fmt: skip


@cache
def _money_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    words = sorted(CURRENCY_WORDS, key=len, reverse=True)
    symbol = "|".join(re.escape(w) for w in words if not w.isalpha() or len(w) > 3)
    before = re.compile(
        rf"(?<![\w$€£¥])(?P<cur>{_CODES}|{symbol})\s?(?P<num>{_NUM})(?P<scale>{_SCALE})\b",
        re.IGNORECASE,
    )
    after = re.compile(
        rf"(?<![\w.,])(?P<num>{_NUM})(?P<scale>{_SCALE})\s?(?P<cur>{_CODES}|{symbol})(?![\w])",
        re.IGNORECASE,
    )
    return before, after


def _currency(text: str) -> str | None:
    lowered = text.strip().lower()
    if lowered in CURRENCY_WORDS:
        return CURRENCY_WORDS[lowered]
    code = text.strip()
    return code if code.isupper() and code in _iso_codes() else None


@cache
def _iso_codes() -> frozenset[str]:
    """ISO 4217 codes, from Babel's (CLDR's) list."""
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def _money(text: str, _language: str) -> list[Figure]:
    found = []
    for pattern in _money_patterns():
        for match in pattern.finditer(text):
            currency = _currency(match.group("cur"))
            value = number_value(match.group("num"))
            if currency is None or value is None:
                continue
            amount = _scaled(value, match.group("scale") or "")
            found.append(
                Figure("money", amount, currency, match.group(0), match.start(), match.end())
            )
    return _without_overlaps(found)


def _percents(text: str, language: str) -> list[Figure]:
    words = "|".join(re.escape(w) for w in sorted(PERCENT_WORDS, key=len, reverse=True))
    found = []
    pattern = rf"(?<![\w.,])({_NUM})\s?(?:-\s?)?(?:{words})"
    for match in re.finditer(pattern, text, re.IGNORECASE):
        value = number_value(match.group(1))
        if value is not None:
            found.append(Figure("percent", value, "%", match.group(0), match.start(), match.end()))
    for value, spelled in _spellings(language):
        for match in re.finditer(rf"\b{re.escape(spelled)}\s?(?:{words})", text, re.IGNORECASE):
            found.append(
                Figure("percent", float(value), "%", match.group(0), match.start(), match.end())
            )
    return _without_overlaps(found)


@cache
def _duration_pattern() -> re.Pattern[str]:
    units = "|".join(re.escape(u) for u in sorted(DURATION_UNITS, key=len, reverse=True))
    return re.compile(rf"(?<![\w.,])({_NUM})\s?(?:-\s?)?({units})(?![^\W\d_])", re.IGNORECASE)


def _durations(text: str, language: str) -> list[Figure]:
    found = []
    units = "|".join(re.escape(u) for u in sorted(DURATION_UNITS, key=len, reverse=True))
    ranges = rf"(?<![\w.,])({_NUM})\s?(?:[-–]|to|a|bis|à|até)\s?(?=({_NUM})\s?({units})\b)"
    for match in re.finditer(ranges, text, re.IGNORECASE):  # 3-5 days: 3 is days too
        value = number_value(match.group(1))
        if value is not None:
            kind, factor = DURATION_UNITS[match.group(3).lower()]
            span = (match.group(1), match.start(1), match.end(1))
            found.append(Figure("duration", value * factor, kind, *span))
    for match in _duration_pattern().finditer(text):
        value = number_value(match.group(1))
        if value is None:
            continue
        kind, factor = DURATION_UNITS[match.group(2).lower()]
        span = (match.group(0), match.start(), match.end())
        found.append(Figure("duration", value * factor, kind, *span))
    for value, spelled in _spellings(language):
        if value == 1:  # `un año`, `a year`: an article, not a figure
            continue
        pattern = rf"\b{re.escape(spelled)}[\s-]({units})\b"
        for match in re.finditer(pattern, text, re.IGNORECASE):
            kind, factor = DURATION_UNITS[match.group(1).lower()]
            span = (match.group(0), match.start(), match.end())
            found.append(Figure("duration", float(value * factor), kind, *span))
    return _without_overlaps(found)


#: words before a day of the month said as an ordinal (`by the 25th`, `le 1er`, `am 3.`)
_BEFORE_DAY = (
    r"(?:on|by|until|till|before|after|from|since|the|el|del|al|le|du|au|am|zum|bis|ab|vom|"
    r"o|a|do|dia|até)"
)


def _ordinal_days(text: str, _language: str) -> list[Figure]:
    """`by the 25th`, `le 1er`: a day of a month, its month unsaid (`our 2nd line` is not)."""
    pattern = rf"(?<![\w])(?:{_BEFORE_DAY}\s+(?:the\s+)?)(\d{{1,2}})(?:st|nd|rd|th|er|º)\b"
    return [
        Figure("day", float(m.group(1)), None, m.group(0), m.start(1), m.end())
        for m in re.finditer(pattern, text, re.IGNORECASE)
        if 1 <= int(m.group(1)) <= 31
    ]


#: units that may follow a number after a space (joined to it, any letters are a unit);
#: one-letter units only in capitals (`5 A`, `12 V`): `2 a`, `2 in` are words
UNITS: Final = (
    "kw", "mw", "kv", "ma", "mah", "mm", "cm", "km", "kg", "lm", "lx", "hz", "khz", "pcs",
    "ml", "ft", "lb", "oz", "sqm", "m2", "m²", "watt", "watts", "volt", "volts", "lumen",
    "lumens", "pieces", "piezas", "stück", "unités", "unidades",
)  # fmt: skip
_UNIT = (
    rf"(?:(?<=\d)[A-Za-zµ°Ω²]{{1,5}}\b|x(?=\d)|\s(?i:{'|'.join(UNITS)})\b"
    r"|\s(?:W|V|A|K|Hz|lm)\b)"
)


def _quantities(text: str, _language: str) -> list[Figure]:
    """Digits joined to letters (`500W`, `12.5k`, `600x600`), or a known unit after a
    space (`40 lm`, `500 pcs`)."""
    found = []
    pattern = rf"(?<![\w.,])({_NUM})(?P<scale>[kK](?![A-Za-z]))?(?P<unit>{_UNIT})?"
    for match in re.finditer(pattern, text):
        value = number_value(match.group(1))
        unit = (match.group("unit") or "").strip()
        if value is None or not (unit or match.group("scale")):
            continue
        if unit == "x":  # 600x600: two sizes, each a quantity
            span = (match.group(1), match.start(), match.end(1))
            found.append(Figure("quantity", value, "x", *span))
            continue
        if match.group("scale"):
            found.append(
                Figure("number", value * 1000, None, match.group(0), match.start(), match.end())
            )
            continue
        found.append(
            Figure("quantity", value, unit.lower(), match.group(0), match.start(), match.end())
        )
    return _without_overlaps(found)


def _years_and_numbers(text: str) -> list[Figure]:
    found = []
    for match in re.finditer(rf"(?<![\w.,]){_NUM}(?![\w])", text):
        value = number_value(match.group(0))
        if value is None:
            continue
        plain = match.group(0).isdigit()
        kind: Kind = (
            "year" if plain and len(match.group(0)) == 4 and 1900 <= value <= 2100 else ("number")
        )
        found.append(Figure(kind, value, None, match.group(0), match.start(), match.end()))
    return found


@cache
def _spellings(language: str) -> list[tuple[int, str]]:
    table = CARDINALS.get(language, {})
    pairs = [(value, word) for value, words in table.items() for word in words]
    return sorted(pairs, key=lambda pair: len(pair[1]), reverse=True)


def _spelled(text: str, language: str) -> list[Figure]:
    """Spelled-out numbers that state a figure: before a noun that counts (`seven orders`)
    or a unit; `one` alone (`one of our customers`) says nothing countable."""
    found = []
    for value, word in _spellings(language):
        if value == 1:
            continue
        for match in re.finditer(rf"\b{re.escape(word)}\b", text, re.IGNORECASE):
            found.append(
                Figure("number", float(value), None, match.group(0), match.start(), match.end())
            )
    return _without_overlaps(found)


def words_near(text: str, figure: Figure, *, before: int = 4, after: int = 3) -> str:
    """The few words around a figure, lowercased (what it is a figure of)."""
    left = re.findall(r"[^\W\d_]+", text[: figure.start].lower())[-before:]
    right = re.findall(r"[^\W\d_]+", text[figure.end :].lower())[:after]
    return " ".join([*left, "|", *right])
