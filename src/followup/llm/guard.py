"""The fact guard: a model's draft may state only what it was given (README: LLM drafts).

Every figure and every commitment in a reply must be a fact of a compatible role
(`followup.llm.claims`: a discount must be the offer's, a number of days a duration,
a date one of the dated facts, free samples a promise the company makes). On top: the
customer's and sender's names are present and not swapped, no placeholder like "[Your
Name]" is left, the text is in the target language, and the checks every draft gets
(forbidden phrases, lengths) pass. Findings, not exceptions: the engine decides (auto
falls back to the template; llm records the failure).
"""

from __future__ import annotations

import re
from typing import Final

from followup.drafting.draft import Draft, Finding
from followup.llm.claims import Facts, check

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


def check_reply(draft: Draft, facts: Facts, *, language: str) -> list[Finding]:
    """All guard findings for a model's draft: figures and claims the facts do not hold
    (`followup.llm.claims`), the checks' placeholder and name findings, swapped names,
    and the wrong language."""
    from followup.drafting.checks import name_findings, placeholder_findings

    findings = check(draft.subject, facts, language, part="subject") if draft.subject else []
    findings += check(draft.body, facts, language, part="body")
    findings += placeholder_findings(draft) + name_findings(draft)
    findings += _swapped(draft.body, draft.recipient_name, draft.sender_name)
    detected = detect_language(draft.body)
    if detected is not None and detected != language.split("-", maxsplit=1)[0]:
        findings.append(Finding("language", f"is written in {detected!r}, not {language!r}"))
    return findings


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
