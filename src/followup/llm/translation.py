"""A buyer whose language no approved template is written in (`ru`, `ja`, `ar` ...): the
model writes the approved message, from its English (the fallback), in the buyer's
language, instead of the buyer getting English.

The whole message from the greeting to the sign-off is one region (`message`), the subject
another; the signature stays the template's. The same fact guard holds: every figure and
claim must be a fact of its role, every paragraph must be in the buyer's language (any
script), the names must not be swapped. All or nothing: a message the guard refuses keeps
the whole English template draft (a Russian subject over an English message would be
worse than either), and the record says why.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from followup.drafting.draft import Draft
from followup.drafting.engine import Baseline, TemplateEngine, tidy
from followup.drafting.workbench import DraftRequest

MESSAGE: Final = "message"


def whole_message(base: Baseline, req: DraftRequest) -> tuple[Baseline, str] | None:
    """The fallback template's draft as regions to write in `req`'s language: a baseline
    whose wording is the subject and the message (greeting to sign-off), for the buyer's
    request; and the skeleton (`[MESSAGE]`, then the signature). None when the signature
    (the last paragraph's lines from the one naming the sender) cannot be found."""
    split = _split(base.draft.body, base.request.context["sender"]["name"])
    if split is None:
        return None
    message, signature = split
    wording = {"subject": base.draft.subject} if base.draft.subject is not None else {}
    whole = Baseline(base.draft, base.choice, req, {**wording, MESSAGE: message})
    return whole, f"[{MESSAGE.upper()}]\n\n{signature}"


def _split(body: str, sender: str) -> tuple[str, str] | None:
    lines = body.rstrip("\n").split("\n")
    blanks = [i for i, line in enumerate(lines) if not line.strip()]
    start = blanks[-1] + 1 if blanks else 0
    at = next((i for i in range(start, len(lines)) if sender and sender in lines[i]), None)
    if at is None or at == 0:
        return None
    return "\n".join(lines[:at]).strip() + "\n", "\n".join(lines[at:]) + "\n"


def signature_of(skeleton: str) -> str:
    return skeleton.split("\n\n", 1)[1]


def assemble(templates: TemplateEngine, base: Baseline, texts: dict[str, str], tail: str) -> Draft:
    """The draft in the buyer's language: the model's message above the template's
    signature, its subject; checked as every draft is."""
    subject = " ".join(texts["subject"].split()) if "subject" in texts else base.draft.subject
    body = tidy(f"{texts[MESSAGE].strip()}\n{tail}")
    draft = templates.finished(base.choice, base.request, subject, body)
    return replace(draft, language_fallback=False, translated_from=base.draft.language)
