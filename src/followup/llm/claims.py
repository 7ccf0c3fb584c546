"""The claim-level fact guard: every figure a model writes must be a fact of a compatible
role, and every commitment without a figure must be one the company makes.

Facts come from company.yaml and the customer's structured data only, each with its role
(`Facts.of`): the offer's discount, the dated deadlines, the lead time, the buyer's order
counts and amounts, the years together, and the figures inside the company's own texts
(achievements, what changed, new products, the offer's conditions). Customer free text
(notes, what the customer said when it left, names) is material for tone, never a source
of facts: a note saying "offer a 90% discount" allows nothing.

A figure is accepted only in a compatible role (`check`): a percentage next to a discount
word must be a discount the company gives; a number of days must be a duration fact; a
date must be one of the dated facts; an amount of money one of the buyer's or the
company's amounts in the same currency. Claims without digits (free shipping, free
samples, guarantees, certifications, the best price, exclusivity, a discount without a
figure, a waived deposit, links, e-mail addresses, phone and account numbers) need a
matching fact: company.yaml `claims:`, the company's texts, or the offer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Final

from followup.drafting.draft import Finding
from followup.llm import figures
from followup.llm.figures import Figure

if TYPE_CHECKING:
    from followup.drafting.context import DraftContext


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: words that make a percentage (or an amount) a discount, by language
DISCOUNT_WORDS: Final = _words(
    "discount discounts off rebate reduction descuento descuentos rebaja rebajas rabatt "
    "nachlass preisnachlass ermäßigung remise réduction rabais desconto descontos "
    "abatimento 折扣 优惠 减价"
)
_DISCOUNT_CLAIM = DISCOUNT_WORDS - {"off"}  # "off" alone says no discount ("off-season")
#: words that make a plain number a count of the buyer's orders
ORDER_WORDS: Final = _words(
    "order orders pedido pedidos bestellung bestellungen auftrag aufträge commande "
    "commandes encomenda encomendas 订单"
)

#: claims a reply may make only when the company makes them: id -> phrases by language
CLAIMS: Final[dict[str, tuple[str, ...]]] = {
    "free_shipping": (
        "free shipping", "free delivery", "free freight", "shipping is free", "ship for free",
        "envío gratis", "envío gratuito", "portes gratis", "flete gratis",
        "kostenloser versand", "kostenlose lieferung", "versandkostenfrei", "frachtfrei",
        "livraison gratuite", "port gratuit", "frais de port offerts", "frete grátis",
        "frete gratuito", "envio grátis", "entrega grátis", "免运费", "包邮",
    ),
    "free_samples": (
        "free sample", "free samples", "samples for free", "samples free of charge",
        "muestra gratis", "muestras gratis", "muestras gratuitas", "muestra gratuita",
        "kostenlose muster", "kostenloses muster", "gratismuster", "échantillon gratuit",
        "échantillons gratuits", "amostra grátis", "amostras grátis", "amostras gratuitas",
        "免费样品", "免费样",
    ),
    "guarantee": (
        "guarantee", "guaranteed", "we guarantee", "guaranty", "garantizamos", "garantizado",
        "garantía", "garantieren", "garantiert", "garantie", "garantissons", "garanti",
        "garantimos", "garantido", "garantia", "保证", "担保",
    ),
    "best_price": (
        "lowest price", "best price", "cheapest", "unbeatable price", "mejor precio",
        "precio más bajo", "el más barato", "bester preis", "günstigster preis",
        "niedrigster preis", "meilleur prix", "prix le plus bas", "moins cher", "melhor preço",
        "preço mais baixo", "最低价", "最优惠", "competitive price", "competitive prices",
        "best deal", "best deals", "precio competitivo", "precios competitivos",
        "wettbewerbsfähige preise", "wettbewerbsfähigen preisen", "prix compétitif",
        "prix compétitifs", "preço competitivo", "preços competitivos", "价格优势",
    ),
    "exclusive": (
        "exclusive", "exclusivo", "exclusiva", "exklusiv", "exclusif", "exclusive",
        "exclusividade", "独家",
    ),
    "waived_deposit": (
        "no deposit", "without a deposit", "without deposit", "waive the deposit",
        "deposit waived", "sin depósito", "sin anticipo", "ohne anzahlung", "keine anzahlung",
        "sans acompte", "sans dépôt", "sem depósito", "sem sinal", "免定金",
    ),
    "certified": (
        "certified", "certification", "certificate", "certificado", "certificación",
        "certificada", "zertifiziert", "zertifikat", "zertifizierung", "certifié",
        "certification", "certificat", "certificação", "certificados", "认证", "证书",
    ),
}  # fmt: skip
#: claims written as two words near each other (`el envío es gratis`): id -> the words
#: that say it is free, and the words that say what is
_FREE = ("free", "gratis", "gratuito", "gratuita", "gratuitos", "gratuitas", "kostenlos",
         "kostenlose", "kostenloser", "kostenfrei", "gratuit", "gratuite", "gratuits",
         "offert", "offerts", "grátis", "免费")  # fmt: skip
#: comparatives that promise better delivery or prices than before (`our lead time is
#: shorter`, `entregas más rápidas`): a claim unless a fact says so
_FASTER = ("shorter", "faster", "quicker", "kürzer", "kürzere", "kürzeren", "schneller",
           "schnellere", "schnelleren", "rápido", "rápida", "rápidos", "rápidas", "corto",
           "cortos", "rapide", "rapides", "court", "courts", "curto", "curtos")  # fmt: skip
_DELIVERY = ("lead", "delivery", "deliveries", "plazo", "plazos", "entrega", "entregas",
             "lieferzeit", "lieferzeiten", "lieferung", "lieferungen", "délai", "délais",
             "livraison", "livraisons", "prazo", "prazos")  # fmt: skip
_LOWER = ("lower", "cheaper", "niedrigere", "niedrigeren", "günstigere", "günstigeren",
          "bajos", "bajo", "baratos", "barato", "bas", "baixos", "baixo")  # fmt: skip
_PRICES = ("price", "prices", "pricing", "precio", "precios", "preis", "preise", "preisen",
           "prix", "preço", "preços")  # fmt: skip
CLAIM_PAIRS: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "faster_delivery": (_FASTER, _DELIVERY),
    "lower_price": (_LOWER, _PRICES),
    "free_shipping": (_FREE, ("shipping", "delivery", "freight", "envío", "envio", "envíos",
                              "flete", "portes", "versand", "lieferung", "fracht", "livraison",
                              "port", "transport", "frete", "entrega", "运费")),
    "free_samples": (_FREE, ("sample", "samples", "muestra", "muestras", "muster",
                             "échantillon", "échantillons", "amostra", "amostras", "样品")),
}  # fmt: skip
#: certification names a reply may name only when the company's facts do
CERTIFICATIONS: Final = (
    "CE", "RoHS", "UL", "ETL", "FCC", "CB", "SAA", "ENEC", "DLC", "TÜV", "TUV", "SGS", "GS",
    "ISO 9001", "ISO 14001", "ISO 45001", "ISO", "REACH", "ERP", "ErP", "EMC", "LVD",
)  # fmt: skip
#: internal labels that must never reach a buyer
LABEL_WORDS: Final = _words(
    "campaign campaña campanha kampagne campagne segment segmento reactivation urgency "
    "winback win-back"
)

#: ... and how a reply names the rep's notes or the CRM the prompt quotes (the buyer reads
#: what the notes say, never that there are notes)
LABEL_PHRASES: Final = re.compile(
    r"\brep(?:'s|s)?\s+notes?\b|\b(?:our|sales|internal|crm)\s+notes?\b|\bCRM\b"
    r"|\bnotes?\s+(?:say|says|said|show|shows|indicate|indicates|mention|mentions)\b"
    r"|\bnotas?\s+(?:del|do)\s+(?:representante|vendedor|comercial)\b"
    r"|\bNotizen\s+(?:des|unseres)\s+(?:Vertreters|Vertriebs|Außendienstes)\b"
    r"|\bnotes?\s+(?:du|de\s+notre)\s+commercial\b",
    re.IGNORECASE,
)

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')]+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(  # +1 415 555 0199, (021) 5555-0199: digit groups, not a date's dots
    r"(?<![\w.])(?:\+\d[\d\s()-]{6,}\d|\(?\d{2,4}\)?[\s-]\d{3,4}[\s-]\d{3,4})(?![\w.])"
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){3,7}(?:\s?[A-Z0-9]{1,4})?\b")


@dataclass
class Facts:
    """What a draft may state, by role (values normalised: dates as dates, amounts as
    numbers with a currency, durations in days, months or years)."""

    discounts: set[float] = field(default_factory=set)
    percents: set[float] = field(default_factory=set)  # any percentage the company gives
    money: set[tuple[float, str | None]] = field(default_factory=set)
    dates: set[dt.date] = field(default_factory=set)
    durations: set[tuple[float, str]] = field(default_factory=set)  # (value, days|months|...)
    years: set[float] = field(default_factory=set)
    counts: set[float] = field(default_factory=set)
    quantities: set[tuple[float, str]] = field(default_factory=set)
    times: set[float] = field(default_factory=set)
    claims: set[str] = field(default_factory=set)  # ids of CLAIMS the company makes
    texts: list[str] = field(default_factory=list)  # the company's own texts (lowercased)
    contacts: set[str] = field(default_factory=set)  # links, addresses, numbers it gives
    names: list[str] = field(default_factory=list)  # written as they are, never figures

    def accept_text(self, text: str, language: str) -> None:
        """The figures and claims in one of the company's own texts become facts."""
        self.texts.append(text.lower())
        for figure in figures.read(text, language):
            self._add(figure, text)

    def _add(self, figure: Figure, text: str) -> None:
        value = figure.value
        if figure.kind == "percent" and isinstance(value, float):
            self.percents.add(value)
            if _near(text, figure, DISCOUNT_WORDS):
                self.discounts.add(value)
        elif figure.kind == "money" and isinstance(value, float):
            self.money.add((round(value, 2), figure.unit))
        elif figure.kind == "date" and isinstance(value, dt.date):
            self.dates.add(value)
        elif figure.kind == "duration" and isinstance(value, float) and figure.unit:
            self.durations.add((value, figure.unit))
        elif figure.kind == "quantity" and isinstance(value, float) and figure.unit:
            self.quantities.add((value, figure.unit))
        elif figure.kind == "time" and isinstance(value, float):
            self.times.add(value)
        elif isinstance(value, float):
            (self.years if figure.kind == "year" else self.counts).add(value)


def facts_of(context: DraftContext, language: str, claims: Iterable[str] = ()) -> Facts:
    """The facts of a draft context, by role: company.yaml and the customer's structured
    data; never the customer's free text."""
    facts = Facts(claims=set(claims))
    _company_facts(facts, context, language)
    _customer_facts(facts, context)
    for day in list(facts.dates):
        facts.years.add(float(day.year))
    return facts


def _company_facts(facts: Facts, context: DraftContext, language: str) -> None:
    offer, production = context["offer"], context["production"]
    if offer is not None:
        facts.discounts.add(float(offer["discount_percent"]))
        facts.percents.add(float(offer["discount_percent"]))
        facts.dates.add(offer["valid_until"])
        facts.claims.add("discount")
        facts.names.append(offer["name"])
        facts.accept_text(offer["conditions"], language)
    facts.durations.add((float(production["lead_time_days"]), "days"))
    closure = production["closure"]
    if closure is not None:
        facts.dates.update({closure["start"], closure["end"]})
        facts.names.append(closure["name"])
    if production["last_slot"] is not None:
        facts.dates.add(production["last_slot"])
    change = context["price_change"]
    if change is not None:
        facts.dates.add(change["date"])
        facts.accept_text(change["description"], language)
    facts.dates.update(lever["act_by"] for lever in context["levers"])
    company = context["company"]
    facts.names.append(company["name"])
    if company["founded"]:
        facts.years.add(float(company["founded"]))
    for text in [*company["achievements"], *context["answers"]]:
        facts.accept_text(text, language)
    for product in company["new_products"]:
        facts.names.append(product["name"])
        facts.accept_text(product["description"], language)
    sender = context["sender"]
    facts.names += [sender["name"], sender["title"], sender["phone"], sender["whatsapp"]]
    facts.contacts.update(
        c.lower() for c in (sender["email"], sender["phone"], sender["whatsapp"]) if c
    )
    if company["website"]:
        facts.contacts.add(company["website"].lower())
    facts.dates.add(context["today"])
    facts.years.update({float(context["year"]), float(context["next_year"])})


def _customer_facts(facts: Facts, context: DraftContext) -> None:
    customer = context["customer"]
    facts.counts.update(
        float(n) for n in (customer["orders"], customer["orders_this_year"]) if n is not None
    )
    # the buyer's own money: this year's value as invoiced; the spend (base currency) only
    # when that is the buyer's currency too (a EUR buyer is never told a USD figure)
    for money in (customer["spend"], customer["volume_this_year"]):
        if money.amount and money.currency == customer["currency"]:
            facts.money.add((round(money.amount, 2), money.currency))
    facts.dates.update(d for d in (customer["first_order"], customer["last_order"]) if d)
    if customer["days_since_order"] is not None:
        facts.durations.add((float(customer["days_since_order"]), "days"))
    facts.durations.add((float(customer["years_as_customer"]), "years"))
    facts.counts.add(float(customer["years_as_customer"]))
    if customer["customer_since"]:
        facts.years.add(float(customer["customer_since"]))
    facts.names += [customer["company"], customer["contact_name"], *customer["products"]]
    facts.contacts.update(c.lower() for c in (customer["email"], customer["whatsapp"]) if c)
    facts.names.append(customer["whatsapp"])
    plan = context["plan"]
    if plan is not None:
        facts.dates.update(d for d in (plan["next_order"], plan["contact_by"]) if d)
        facts.counts.add(float(plan["orders_expected"]))
        if plan["amount"] is not None:
            facts.money.add((round(plan["amount"].amount, 2), plan["amount"].currency))
        facts.names += plan["products"]
        facts.years.add(float(plan["year"]))
    previous = context["previous"]
    if previous is not None:  # a later touch may say when the first message went out
        facts.dates.add(previous["sent_on"])
        facts.durations.add((float(previous["days_ago"]), "days"))


def check(text: str, facts: Facts, language: str, *, part: str = "body") -> list[Finding]:
    """Findings for one part of a reply (the subject, a region, a body)."""
    base = language.split("-", maxsplit=1)[0].lower()
    blanked = masked(text, facts.names)
    found = _contact_findings(blanked, facts, part)
    blanked = _URL.sub(" ", _EMAIL.sub(" ", blanked))
    for figure in figures.read(blanked, base):
        problem = _untraceable(figure, blanked, facts)
        if problem is not None:
            found.append(Finding(problem[0], f"{part}: {problem[1]}"))
    found += _claim_findings(blanked, facts, part)
    found += _label_findings(blanked, part)
    return found


def masked(text: str, names: list[str]) -> str:
    """`text` with the names it may write as they are blanked (a company called `3M`, a
    product `LED Panel 600x600`): they are never figures."""
    for name in sorted((n for n in names if n and n.strip()), key=len, reverse=True):
        text = re.sub(re.escape(name.strip()), lambda m: " " * len(m.group(0)), text, flags=re.I)
    return text


def _untraceable(figure: Figure, text: str, facts: Facts) -> tuple[str, str] | None:
    """The finding's code and message when no fact of a compatible role holds `figure`."""
    said = repr(figure.text)
    if figure.kind == "percent" and _near(text, figure, DISCOUNT_WORDS):
        if _close(_number(figure), facts.discounts):
            return None
        allowed = _listed(facts.discounts, "%") or "none"
        return "fact_discount", f"states a {said} discount; the discounts given: {allowed}"
    known = _KNOWN[figure.kind](figure, text, facts)
    if known:
        return None
    code, what = _UNKNOWN[figure.kind]
    return code, what.format(said)


def _number(figure: Figure) -> float:
    return figure.value if isinstance(figure.value, float) else float("nan")


_KNOWN: Final[dict[str, Callable[[Figure, str, Facts], bool]]] = {
    "percent": lambda f, _t, facts: _close(_number(f), facts.percents | facts.discounts),
    "money": lambda f, _t, facts: any(_same_money(_number(f), f.unit, m) for m in facts.money),
    "date": lambda f, _t, facts: _known_date(f, facts.dates),
    "day": lambda f, _t, facts: _number(f) in {float(d.day) for d in facts.dates},
    "duration": lambda f, _t, facts: any(
        unit == f.unit and _close(_number(f), {v}) for v, unit in facts.durations
    ),
    "time": lambda f, _t, facts: _number(f) in facts.times,
    "quantity": lambda f, _t, facts: (_number(f), f.unit or "") in facts.quantities,
    "year": lambda f, _t, facts: _number(f) in facts.years,
    "number": lambda f, text, facts: _plain_number_known(_number(f), f, text, facts),
}
_UNKNOWN: Final[dict[str, tuple[str, str]]] = {
    "percent": ("fact_number", "states {}, which no fact supports"),
    "money": ("fact_money", "states the amount {}, which no fact supports"),
    "date": ("fact_date", "states the date {}, which no fact supports"),
    "day": ("fact_date", "states the date {}, which no fact supports"),
    "duration": ("fact_duration", "states {}, which no fact supports"),
    "time": ("fact_time", "states a time {} it was not given"),
    "quantity": ("fact_number", "states {}, which no fact supports"),
    "year": ("fact_date", "states the year {}, which no fact supports"),
    "number": ("fact_number", "states {}, which no fact supports"),
}


def _plain_number_known(value: float, figure: Figure, text: str, facts: Facts) -> bool:
    if _near(text, figure, ORDER_WORDS):
        return value in facts.counts
    return (
        _close(value, facts.counts)
        or _close(value, {v for v, _ in facts.quantities})
        or (value in facts.years)
    )


def _claim_findings(text: str, facts: Facts, part: str) -> list[Finding]:
    lowered = f" {text.lower()} "
    found = []
    for claim in dict.fromkeys([*CLAIMS, *CLAIM_PAIRS]):
        phrases = CLAIMS.get(claim, ())
        if claim in facts.claims:
            continue
        phrase = next((p for p in phrases if _has_phrase(lowered, p)), None)
        phrase = phrase or _pair(lowered, *CLAIM_PAIRS.get(claim, ((), ())))
        if phrase is None or any(_has_phrase(f" {t} ", phrase) for t in facts.texts):
            continue
        if (
            claim == "certified"
            and _certifications(text)
            and all(_known_certification(name, facts) for name in _certifications(text))
        ):
            continue
        found.append(Finding("claim", f"{part}: promises {phrase!r}, which the facts do not hold"))
    for name in _certifications(text):
        if not _known_certification(name, facts):
            found.append(
                Finding("claim", f"{part}: names the certification {name!r}, not in the facts")
            )
    if "discount" not in facts.claims and any(_has_phrase(lowered, w) for w in _DISCOUNT_CLAIM):
        found.append(Finding("claim", f"{part}: offers a discount, but no offer is open"))
    return found


def _contact_findings(text: str, facts: Facts, part: str) -> list[Finding]:
    found = []
    known = " ".join(facts.contacts)
    for pattern, what in ((_URL, "link"), (_EMAIL, "e-mail address"), (_IBAN, "account number")):
        for match in pattern.finditer(text):
            if match.group(0).lower().rstrip("./") not in known:
                found.append(
                    Finding(
                        "claim", f"{part}: gives the {what} {match.group(0)!r}, not in the facts"
                    )
                )
    digits_known = {re.sub(r"\D", "", c) for c in facts.contacts if re.sub(r"\D", "", c)}
    for match in _PHONE.finditer(_URL.sub(" ", _EMAIL.sub(" ", text))):
        digits = re.sub(r"\D", "", match.group(0))
        if len(digits) >= 8 and not any(digits in d or d in digits for d in digits_known):
            found.append(
                Finding(
                    "claim",
                    f"{part}: gives the number {match.group(0).strip()!r}, not in the facts",
                )
            )
    return found


def _label_findings(text: str, part: str) -> list[Finding]:
    words = set(re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)?", text.lower()))
    labels = sorted((words & LABEL_WORDS) | {s for s in _segment_ids() if s in text.lower()})
    labels += [match.group(0) for match in LABEL_PHRASES.finditer(text)]
    if not labels:
        return []
    return [Finding("internal_label", f"{part}: shows the internal label {labels[0]!r}")]


@cache
def _segment_ids() -> frozenset[str]:
    """Segment ids of both schemes, as written (`at_risk`) and spaced (`at risk`)."""
    from followup.analysis.segments import SCHEMES, all_segments

    ids = {s for scheme in SCHEMES for s in all_segments(scheme) if s != "prospect"}
    spaced = {s.replace("_", " ") for s in ids if "_" in s} - {"need attention"}
    return frozenset({s for s in ids if "_" in s} | {s for s in spaced if len(s.split()) > 1})


def _certifications(text: str) -> list[str]:
    names = "|".join(re.escape(n) for n in sorted(CERTIFICATIONS, key=len, reverse=True))
    return [
        m.group(0) for m in re.finditer(rf"(?<![\w])(?:{names})(?:\s?\d{{3,5}})?(?![\w])", text)
    ]


def _known_certification(name: str, facts: Facts) -> bool:
    return any(re.search(rf"(?<![\w]){re.escape(name.lower())}(?![\w])", t) for t in facts.texts)


_CJK = re.compile(r"[\u3000-\u9fff\uac00-\ud7af]")


def _has_phrase(lowered: str, phrase: str) -> bool:
    """A phrase as words (`garantie` is not inside `garanties`); CJK text has no spaces."""
    if _CJK.search(phrase):
        return phrase in lowered
    return re.search(rf"(?<![\w]){re.escape(phrase)}(?![\w])", lowered) is not None


def _pair(lowered: str, firsts: tuple[str, ...], seconds: tuple[str, ...]) -> str | None:
    """`envío ... gratis` within four words of each other, in either order: the words."""
    words = re.findall(r"[^\W\d_]+", lowered)
    for i, word in enumerate(words):
        if word in firsts:
            near = words[max(0, i - 4) : i + 5]
            other = next((w for w in near if w in seconds), None)
            if other is not None:
                return (
                    f"{other} … {word}"
                    if near.index(other) < near.index(word)
                    else (f"{word} {other}")
                )
    return None


def _near(text: str, figure: Figure, words: frozenset[str]) -> bool:
    """Whether one of `words` is among the few around the figure (`5 % de descuento`)."""
    return any(w in words for w in figures.words_near(text, figure).split() if w != "|")


def _close(value: float, known: set[float]) -> bool:
    """Equal as a writer may round it: 12499.6 is 12500, 98.46 is 98.5."""
    return any(abs(value - k) < 0.005 or round(k) == value or round(k, 1) == value for k in known)


def _same_money(value: float, currency: str | None, fact: tuple[float, str | None]) -> bool:
    amount, unit = fact
    if currency is not None and unit is not None and currency != unit:
        return False
    if _close(value, {amount}):
        return True
    return amount >= 1000 and abs(value - amount) / amount < 0.005  # 12.5k for 12,499.60


def _known_date(figure: Figure, dates: set[dt.date]) -> bool:
    value = figure.value
    if isinstance(value, dt.date):
        return value in dates
    if isinstance(value, tuple):
        return value in {(d.month, d.day) for d in dates}
    return False


def _listed(values: set[float], unit: str) -> str:
    return ", ".join(f"{v:g}{unit}" for v in sorted(values))
