"""Checks on every draft (docs/campaigns.md): what a manager would refuse to send.

Each check returns findings; the draft records them. `--strict` makes any error
finding fatal for that draft. The limits are the channels' (`followup.campaigns`), and
the docs render them from there.
"""

from __future__ import annotations

import re

from followup.campaigns import CHANNELS
from followup.drafting.draft import Draft, Finding

_PLACEHOLDER = re.compile(
    r"\{\{|\}\}|\{%|%\}"
    r"|\[(?:your |customer |company |contact |sender )?(?:name|company|date|email)\]"
    r"|\[[A-Z][A-Za-z ]{2,30}\]|<(?:name|company|date)>|\bX{3,}\b|\bTBD\b",
    re.IGNORECASE,
)
#: the text of `templates new`'s skeleton a manager writes over (`library.new_template` writes
#: it from these): a template or draft that still holds one is not written yet
SKELETON_MARKERS = ("(subject, at most", "(Your text.", "(what this template is for)")


def check_draft(draft: Draft, *, forbidden: list[str]) -> list[Finding]:
    """All findings for a draft, in a stable order."""
    findings = placeholder_findings(draft) + _lengths(draft)
    findings += name_findings(draft) + _forbidden(draft, forbidden) + script_findings(draft)
    return findings


def script_findings(draft: Draft) -> list[Finding]:
    """Letters of a script the draft's language is not written in (an ERP's Chinese product
    name in an English draft, `Иван` in a German greeting): a buyer would see them as
    written. Latin letters fit every language."""
    from followup.langid import foreign_words

    found = []
    for part, text in (("subject", draft.subject or ""), ("body", draft.body)):
        foreign = foreign_words(text, draft.language)
        if foreign is not None:
            script, words = foreign
            found.append(
                Finding(
                    "foreign_script",
                    f"{part} holds {script} text in a {draft.language} draft ({words!r}): "
                    "name products for buyers in company.yaml product_names, names in the "
                    "contact_name_latin column",
                )
            )
    return found


def placeholder_findings(draft: Draft) -> list[Finding]:
    found = []
    for part, text in (("subject", draft.subject or ""), ("body", draft.body)):
        placeholder = placeholder_in(text)
        if placeholder is not None:
            found.append(
                Finding("placeholder", f"{part} holds an unfilled placeholder {placeholder!r}")
            )
    return found


def placeholder_in(text: str) -> str | None:
    """The first unfilled placeholder in `text` (`[Your Name]`, `{{ x }}`, `TBD`, the
    skeleton's `(Your text. …)`), if any."""
    if _maybe_placeholder(text):  # cheap first pass; most drafts stop here
        match = _PLACEHOLDER.search(text)
        if match:
            return match.group(0)
    return skeleton_in(text)


def skeleton_in(text: str) -> str | None:
    """The first text of `templates new`'s skeleton left in `text` (up to its `)`, cut at 40
    characters), if any: three substring scans, as cheap as `_maybe_placeholder`."""
    found = [(at, marker) for marker in SKELETON_MARKERS if (at := text.find(marker)) >= 0]
    if not found:
        return None
    start = min(found)[0]
    end = text.find(")", start)
    shown = text[start : end + 1] if end >= 0 else text[start:]
    return shown if len(shown) <= 40 else shown[:39] + "…"


def _maybe_placeholder(text: str) -> bool:
    """Whether `text` holds what every placeholder needs: `{`, `}`, `[`, `<`, xxx or tbd.

    Plain substring scans (memchr-fast) where a regex alternation would try each position.
    """
    if "{" in text or "}" in text or "[" in text or "<" in text:
        return True
    lower = text.lower()
    return "xxx" in lower or "tbd" in lower


def _lengths(draft: Draft) -> list[Finding]:
    """The channel's limits (`followup.campaigns.CHANNELS`)."""
    found = []
    channel = CHANNELS[draft.channel]
    if channel.subject_max is not None:
        subject = (draft.subject or "").strip()
        if not subject:
            found.append(Finding("subject_missing", f"{channel.phrase} needs a subject"))
        elif len(subject) > channel.subject_max:
            found.append(
                Finding(
                    "subject_length",
                    f"subject has {len(subject)} characters (max {channel.subject_max})",
                )
            )
    if len(draft.body) > channel.body_max:
        limit = f"max {channel.body_max} for {channel.phrase}"
        found.append(Finding("body_length", f"body has {len(draft.body)} characters ({limit})"))
    if not draft.body.strip():
        found.append(Finding("body_missing", "the body is empty"))
    return found


def name_findings(draft: Draft) -> list[Finding]:
    found = []
    text = f"{draft.subject or ''}\n{draft.body}".casefold()
    customer_names = [n for n in (draft.recipient_name, draft.company) if n.strip()]
    if customer_names and not _names_customer(text, draft.recipient_name, customer_names):
        found.append(
            Finding(
                "customer_name", f"the customer's name ({customer_names[0]}) is not in the draft"
            )
        )
    if draft.sender_name.strip() and draft.sender_name.casefold() not in text:
        found.append(
            Finding("sender_name", f"the sender's name ({draft.sender_name}) is not in the draft")
        )
    return found


def _names_customer(text: str, contact: str, names: list[str]) -> bool:
    """Whether the (casefolded) text names the customer: the contact's full name or the
    company anywhere, or the contact's first name or surname alone as a word (`Hola,
    Santiago:`, `Sehr geehrter Herr Vargas`)."""
    if any(name.casefold() in text for name in names):
        return True
    parts = contact.casefold().split()
    words = set(re.findall(r"\w+", text))
    return len(parts) > 1 and (parts[0] in words or parts[-1] in words)


def _forbidden(draft: Draft, forbidden: list[str]) -> list[Finding]:
    return forbidden_in(f"{draft.subject or ''}\n{draft.body}", forbidden)


def forbidden_in(text: str, forbidden: list[str]) -> list[Finding]:
    """A finding for each phrase company.yaml forbids that `text` holds."""
    lowered = text.casefold()
    return [
        Finding("forbidden_phrase", f"says {phrase!r}, which company.yaml forbids")
        for phrase in forbidden
        if phrase.strip() and phrase.casefold() in lowered
    ]
