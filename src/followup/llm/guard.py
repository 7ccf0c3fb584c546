"""The fact guard: what a model writes may state only what it was given (README: LLM drafts).

The model rewrites regions of an approved template (`followup.drafting.library.Region`);
each region is checked on its own (`check_region`) and kept or refused on its own:

- every figure and every commitment must be a fact of a compatible role
  (`followup.llm.claims`: a discount must be the offer's, a number of days a duration,
  a date one of the dated facts, free samples a promise the company makes);
- the text is in the buyer's language, every paragraph of it, in any script
  (`followup.langid`);
- no placeholder is left, no phrase company.yaml forbids, no internal label;
- a region neither greets nor signs: the greeting and the signature are the template's,
  so a region that greets anyone, names the sender as a greeting or a signature, or
  signs as the customer is refused;
- it fits: a subject within the channel's limit, a region neither many times longer nor
  much shorter than the approved wording it replaces.

`check_reply` applies the same to a whole reply (subject and body). Findings, not
exceptions: the engine decides (a refused region keeps the approved wording).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from followup.drafting.checks import forbidden_in, name_findings, placeholder_in
from followup.drafting.draft import Draft, Finding
from followup.llm import figures
from followup.llm.claims import Facts, check, masked
from followup.llm.replies import PROSE

#: how a greeting starts, in the shipped languages (a region never greets)
GREETINGS: Final = (
    "dear", "hi", "hello", "hey", "good morning", "good afternoon", "good evening",
    "greetings", "hola", "estimado", "estimada", "estimados", "estimadas", "querido",
    "querida", "buenos días", "buenas tardes", "sehr geehrte", "sehr geehrter", "hallo",
    "liebe", "lieber", "guten tag", "guten morgen", "bonjour", "bonsoir", "cher", "chère",
    "madame", "monsieur", "salut", "olá", "ola", "prezado", "prezada", "caro", "cara",
    "bom dia", "boa tarde",
)  # fmt: skip
#: the region that is a whole message (`followup.llm.translation`): it greets and signs off
WHOLE: Final = "message"
LONGER_THAN_WORDING: Final = 3  # a region may be this many times its approved wording ...
SLACK: Final = 300  # ... plus this many characters
SHORTEST: Final = 0.25  # ... and no shorter than this share of it
MIN_WORDS: Final = 2  # words of letters a region holds at least
#: sentences a region written anew (the opening, the answer: one or two asked) keeps: a small
#: model goes on into claims about the buyer and the closing formulas of a whole letter
FRESH_SENTENCES: Final = 2


@dataclass(frozen=True)
class People:
    """Who a draft is from and to, as a region might name them."""

    customer: tuple[str, ...]  # the contact's name, first name, the company
    sender: tuple[str, ...]  # the sender's name and first name
    contact: str = ""  # the contact's full name, as the customers file has it


def people(customer: str, contact: str, sender: str) -> People:
    firsts = [name.split()[0] for name in (contact, sender) if name.strip()]
    customer_names = tuple(n for n in (contact, customer, firsts[0] if contact else "") if n)
    sender_first = sender.split(maxsplit=1)[0] if sender.strip() else ""
    return People(customer_names, tuple(n for n in (sender, sender_first) if n), contact.strip())


def check_region(
    name: str,
    text: str,
    *,
    facts: Facts,
    language: str,
    who: People,
    wording: str,
    forbidden: list[str],
    limit: int | None = None,
    around: str = "",
    material: str = "",
    products: tuple[str, ...] = (),
    instructions: str = "",
) -> list[Finding]:
    """Everything wrong with a model's text for one region; `around` is the rest of the
    message (a region must not repeat it), `material` what the buyer's data says of them
    (notes, loss detail, products: what a region may speak of, and whether they tell of a
    contact with the buyer a region may thank them for), `products` the product names a
    region keeps when its approved wording names them (a call to action's "restock X or
    Y"), `instructions` the prompt's own words to the model (a region must not give them
    back)."""
    if not text.strip():
        return [Finding("empty", f"{name}: is empty")]
    found = check(text, facts, language, part=name)
    placeholder = placeholder_in(text)
    if placeholder is not None:
        found.append(Finding("placeholder", f"{name}: holds a placeholder {placeholder!r}"))
    found += [
        Finding(f.code, f"{name}: {f.message}", f.severity) for f in forbidden_in(text, forbidden)
    ]
    found += language_findings(text, language, part=name)
    if name == WHOLE:  # the whole message greets and signs off: its names must be right
        swapped = _swapped(
            text, who.customer[0] if who.customer else "", who.sender[0] if who.sender else ""
        )
        found += [Finding(f.code, f"{name}: {f.message}") for f in swapped]
    else:
        found += _greets_or_signs(name, text, who)
    found += _repeats(name, text, around)
    found += _echoes(name, text, instructions)
    found += _length(name, text, wording, limit)
    if name in PROSE and not any(f.code.startswith("fact_") for f in found):
        found += _own_figures(name, text, wording, facts, language)
    if name in PROSE:
        found += _about_the_buyer(name, text, who)
        found += _claims_contact(name, text, material)
        found += _drops_products(name, text, wording, products)
    if name == "closing" and "?" in wording and not re.search(r"[?？]", text):
        found.append(Finding("closing_question", f"{name}: asks the buyer nothing (the approved "
                                                 "closing ends with a question)"))  # fmt: skip
    return found


#: the buyer named in the third person, as a writer speaking about them would
_ABOUT_BUYER: Final = re.compile(
    r"(?<!\w)(?:the (?:customer|client|buyer)|this (?:customer|client|buyer)|el cliente|la "
    r"clienta|el comprador|der kunde|die kundin|des kunden|dem kunden|den kunden|le client|la "
    r"cliente|l'acheteur|o cliente|a cliente|o comprador)(?!\w)",
    re.IGNORECASE,
)


def _about_the_buyer(name: str, text: str, who: People) -> list[Finding]:
    """A prose region that speaks of the buyer instead of to them: "the customer", or the
    contact's full name not as a form of address (`Emily Reynolds at Hughes ...`, where
    `Thank you, Emily Reynolds, ...` and `... this year, Emily Reynolds.` are fine)."""
    said = _ABOUT_BUYER.search(text)
    if said is None and len(who.contact.split()) > 1:
        named = re.finditer(rf"(?<!\w){re.escape(who.contact)}(?!\w)", text, re.IGNORECASE)
        said = next((m for m in named if not _addressed(text, m)), None)
    if said is None:
        return []
    quoted = _start(text[said.start() :])
    return [Finding("third_person", f"{name}: speaks of the buyer ({quoted!r}), not to them")]


def _addressed(text: str, name: re.Match[str]) -> bool:
    """Whether the name is a form of address: `Carlos Torres, ...`, `..., Carlos Torres!`."""
    before, after = text[: name.start()].rstrip(), text[name.end() :].lstrip()
    return after[:1] in {",", ":", "!", "?"} or (before.endswith(",") and after[:1] in {".", ""})


#: a contact with the buyer a region may claim only when the buyer's data tells of one
#: ("thank you for reaching out": a small model's habit, false for a buyer who never wrote)
_CONTACT_CLAIM: Final = re.compile(
    r"(?<!\w)(?:reach(?:ing|ed)? out|your (?:recent |last )?(?:inquiry|enquiry|request|message|"
    r"e-?mail|call|visit)|as (?:you mentioned|(?:we )?discussed|agreed)|"
    r"su (?:consulta|solicitud|mensaje|correo|llamada|visita)|como (?:comentamos|acordamos|"
    r"hablamos)|ihre (?:anfrage|nachricht|e-?mail|mail)|wie (?:besprochen|vereinbart)|"
    r"votre (?:demande|message|e-?mail|appel|visite)|comme (?:convenu|discuté|évoqué)|"
    r"(?:sua|seu) (?:solicitação|mensagem|e-?mail|consulta|visita)|como (?:combinado|"
    r"conversamos))(?!\w)",
    re.IGNORECASE,
)
#: what, in the buyer's data, tells of a contact (an inquiry, a visit, a meeting, a call)
_CONTACT_TOLD: Final = re.compile(
    r"inquir|enquir|asked|request|quot|\bmet\b|visit|call|meeting|consulta|solicit|anfrage|"
    r"demande|contato|contact",
    re.IGNORECASE,
)


def _claims_contact(name: str, text: str, material: str) -> list[Finding]:
    """A prose region that thanks the buyer for an inquiry, a message or a call the data
    does not tell of: a contact that never happened, stated to the one who would know."""
    said = _CONTACT_CLAIM.search(text)
    if said is None or _CONTACT_TOLD.search(material):
        return []
    return [Finding("claim", f"{name}: speaks of a contact ({said.group(0)!r}) the buyer's "
                             "data does not tell of")]  # fmt: skip


def _drops_products(name: str, text: str, wording: str, products: tuple[str, ...]) -> list[Finding]:
    """A prose region that leaves out a product its approved wording names: the rewrite
    lost what the buyer is asked to order."""
    said, ours = wording.casefold(), text.casefold()
    lost = [p for p in products if p.strip() and p.casefold() in said and p.casefold() not in ours]
    if not lost:
        return []
    return [Finding("drops_product", f"{name}: leaves out a product the approved wording "
                                     f"names ({lost[0]!r})")]  # fmt: skip


def _own_figures(name: str, text: str, wording: str, facts: Facts, language: str) -> list[Finding]:
    """A figure in a prose region that its approved wording does not state: true or not,
    it is the message's job (an opening that restates the discount repeats the offer)."""
    base = language.split("-", maxsplit=1)[0].lower()
    approved = {(f.kind, f.value) for f in figures.read(masked(wording, facts.names), base)}
    for figure in figures.read(masked(text, facts.names), base):
        if (figure.kind, figure.value) not in approved:
            return [
                Finding(
                    "region_figure",
                    f"{name}: states {figure.text!r}; this part states no figure, the message "
                    "around it does",
                )
            ]
    return []


#: a sentence at least this long, found word for word in the rest of the message, repeats it
REPEAT_CHARS: Final = 30
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")


#: a region, or a sentence of it, whose words are mostly (this share, in order) those of one
#: sentence of the rest of the message says it again, reworded a little (`Si tiene
#: previsto reponer ...` -> `¿Tienes previsto reponer ...?`)
REPEAT_SHARE: Final = 0.8


def _repeats(name: str, text: str, around: str) -> list[Finding]:
    """A region that says again what the message around it already says."""
    said = _said_again(text, around, reworded=name in PROSE)  # a subject may sum up a line
    if said is None:
        return []
    return [Finding("region_repeats", f"{name}: repeats the message ({_start(said)!r})")]


def _echoes(name: str, text: str, instructions: str) -> list[Finding]:
    """A region that gives back the prompt's own words (what the message is for, a
    region's rule): written to the model, never to the buyer ("an email to win back a
    buyer who stopped ordering")."""
    said = _said_again(text, instructions, reworded=True) if instructions.strip() else None
    if said is None:
        return []
    return [Finding("echoes_prompt", f"{name}: gives back the words of the prompt "
                                     f"({_start(said)!r})")]  # fmt: skip


#: where a sentence ends: its mark, then the next one's first letter, not a lower-case one
#: (`Importaciones Vargas S.A.S. for ...` is one sentence)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?。！？])\s+(?=[¿¡\"'(«]?(?![a-zß-ÿ])[^\W\d_])")


def first_sentences(text: str, count: int = FRESH_SENTENCES) -> str:
    """The text's first `count` sentences (all of it when it has no more)."""
    sentences = _SENTENCE_BREAK.split(" ".join(text.split()))
    return text if len(sentences) <= count else " ".join(sentences[:count])


def without_repeats(text: str, around: str) -> str:
    """A prose region without the sentences at its start or end that say again what the
    message around it says (a small model often ends its opening with the call to action
    it was shown): cutting them adds nothing, and the rest is guarded as any text is. A
    region that is nothing but such sentences is left whole, for the guard to refuse."""
    sentences = _SENTENCE_BREAK.split(" ".join(text.split()))

    def repeated(sentence: str) -> bool:
        return _said_again(sentence, around, reworded=True) is not None

    start, end = 0, len(sentences)
    while start < end - 1 and repeated(sentences[start]):
        start += 1
    while end - 1 > start and repeated(sentences[end - 1]):
        end -= 1
    if (start, end) == (0, len(sentences)):
        return text
    return " ".join(sentences[start:end])


def _said_again(text: str, other: str, *, reworded: bool) -> str | None:
    """The first sentence of `text` (or all of it) at least `REPEAT_CHARS` long that
    `other` holds word for word, or (`reworded`) mostly, in order; None if none."""
    rest = " ".join(other.split()).casefold()
    theirs = [_words_of(s) for s in _SENTENCE_END.split(rest)]
    sentences = _SENTENCE_END.split(" ".join(text.split()))
    for sentence in [" ".join(text.split()), *sentences]:
        if len(sentence) < REPEAT_CHARS:
            continue
        if sentence.casefold() in rest or (reworded and _contained(_words_of(sentence), theirs)):
            return sentence
    return None


def _words_of(sentence: str) -> list[str]:
    return re.findall(r"\w+", sentence.casefold())


def _contained(words: list[str], sentences: list[list[str]]) -> bool:
    """Whether most of `words` (6 or more) are, in order, those of one of `sentences`."""
    from difflib import SequenceMatcher

    if len(words) < 6:
        return False
    for other in sentences:
        blocks = SequenceMatcher(None, words, other, autojunk=False).get_matching_blocks()
        if sum(b.size for b in blocks) >= REPEAT_SHARE * len(words):
            return True
    return False


def check_reply(draft: Draft, facts: Facts, *, language: str) -> list[Finding]:
    """All guard findings for a whole reply: figures and claims the facts do not hold,
    placeholders, missing or swapped names, the wrong language."""
    from followup.drafting.checks import placeholder_findings

    findings = check(draft.subject, facts, language, part="subject") if draft.subject else []
    findings += check(draft.body, facts, language, part="body")
    findings += placeholder_findings(draft) + name_findings(draft)
    findings += _swapped(draft.body, draft.recipient_name, draft.sender_name)
    if draft.subject:
        findings += language_findings(draft.subject, language, part="subject")
    findings += language_findings(draft.body, language, part="body")
    return findings


def language_findings(text: str, language: str, *, part: str) -> list[Finding]:
    """A finding per paragraph of `text` that is not in `language` (too short to tell is
    not a finding)."""
    from followup.langid import detect, is_language

    found = []
    for paragraph in (p for p in re.split(r"\n\s*\n", text) if p.strip()):
        if is_language(paragraph, language) is False:
            seen = detect(paragraph)
            what = f"is in {seen.language!r}" if seen else "is not"
            found.append(
                Finding("language", f"{part}: a paragraph {what}, not {language!r}: "
                        f"{_start(paragraph)!r}")
            )  # fmt: skip
    return found


def _greets_or_signs(name: str, text: str, who: People) -> list[Finding]:
    """A region starts after the greeting and ends before the signature: it does neither."""
    found = []
    first = _first_sentence(text)
    parts = re.split(r"[,:;!]", first, maxsplit=2)
    salutation = parts[0].strip()  # `Dear Lily Chen`
    if len(parts) > 1 and _greeting(first) and len(salutation.split()) == 1:
        salutation = f"{salutation}, {parts[1].strip()}"  # `Hola, Lily`
    if _greeting(first):
        if any(names_in(salutation, n) for n in who.sender):
            found.append(Finding("names_swapped", f"{name}: greets the sender ({salutation!r})"))
        else:
            found.append(Finding("greeting", f"{name}: greets ({salutation!r}): the greeting is "
                                             "the template's"))  # fmt: skip
    elif any(names_in(salutation, n) for n in who.sender):
        found.append(Finding("names_swapped", f"{name}: addresses the sender ({salutation!r})"))
    last = text.strip().splitlines()[-1].strip().rstrip(".,!")
    signed = any(last.casefold() == n.casefold() for n in (*who.sender, *who.customer))
    if signed or any(_ends_with(last, n) for n in who.sender[:1]):  # `... Best regards, Lily Chen`
        found.append(Finding("names_swapped", f"{name}: signs ({last!r}): the signature is the "
                                              "template's"))  # fmt: skip
    return found


def _swapped(body: str, customer: str, sender: str) -> list[Finding]:
    """A whole reply that greets the sender, or signs as the customer (the first sentence
    is the greeting, however the lines break)."""
    findings = []
    lines = [line.strip() for line in body.strip().splitlines() if line.strip()]
    greeting = _first_sentence(body)
    closing = " ".join(lines[1:][-3:]).casefold()  # after the greeting, however short
    first_name = sender.split(maxsplit=1)[0] if sender.strip() else ""
    greeted = [n for n in (sender, first_name) if n and names_in(greeting, n)]
    if greeted and not (customer and names_in(greeting, customer)):
        findings.append(
            Finding("names_swapped", f"greets the sender ({greeted[0]}) instead of the customer")
        )
    if customer.strip() and customer.casefold() in closing and sender.casefold() not in closing:
        findings.append(Finding("names_swapped", f"signs as the customer ({customer})"))
    return findings


def _ends_with(line: str, name: str) -> bool:
    """The line ends with this full name, after a comma or a sentence's end."""
    return re.search(rf"[,.!?]\s*{re.escape(name)}$", line, re.IGNORECASE) is not None


def _greeting(sentence: str) -> bool:
    lowered = sentence.lower()
    return any(re.match(rf"{re.escape(g)}(?![^\W\d_])", lowered) for g in GREETINGS)


def names_in(text: str, name: str) -> bool:
    """Whether `text` holds `name` as whole words, in any case."""
    return re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text, re.IGNORECASE) is not None


def _first_sentence(text: str) -> str:
    """Up to the first `.`, `!`, `?`, `:` or line end: a greeting is the first of these."""
    first = re.split(r"(?<=[.!?:])\s|\n", text.strip(), maxsplit=1)[0]
    return first.strip()


def _length(name: str, text: str, wording: str, limit: int | None) -> list[Finding]:
    if limit is not None and len(text.strip()) > limit:
        return [Finding(f"{name}_length", f"{name}: {len(text.strip())} characters (max {limit})")]
    words = re.findall(r"[^\W\d_]{2,}", text)
    if len(words) < MIN_WORDS or len(text.strip()) < len(wording.strip()) * SHORTEST:
        return [Finding("region_short", f"{name}: says too little ({_start(text)!r})")]
    longest = LONGER_THAN_WORDING * len(wording) + SLACK
    if len(text) > longest:
        return [Finding("region_length", f"{name}: {len(text)} characters, the approved "
                                         f"wording {len(wording)}")]  # fmt: skip
    return []


def _start(text: str, size: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


#: separators inside a number (`52,730.50`, `52.730,50`, `52 730,50`): dropped to compare
_IN_NUMBER: Final = re.compile("(?<=\\d)[.,\\s\u00a0\u202f'](?=\\d)")


def summary_findings(summary: str, shown: str, forbidden: list[str]) -> list[str]:
    """What is wrong with a model's Chinese summary of a draft (the rep's 中文对照): not
    Chinese, a number the draft (`shown`: its text and its approved Chinese view) does not
    state, a placeholder, a phrase company.yaml forbids. Numbers are compared as digits,
    separators aside: a figure or date of the draft's may be written the Chinese way."""
    from followup.langid import is_language

    problems = []
    if is_language(summary, "zh") is False:
        problems.append("is not in Chinese")
    have = set(re.findall(r"\d+", _IN_NUMBER.sub("", shown)))
    extra = sorted(set(re.findall(r"\d+", _IN_NUMBER.sub("", summary))) - have)
    if extra:
        problems.append(f"states {', '.join(extra[:3])}, which the draft does not")
    placeholder = placeholder_in(summary)
    if placeholder is not None:
        problems.append(f"holds a placeholder {placeholder!r}")
    problems += [f.message for f in forbidden_in(summary, forbidden)]
    return problems
