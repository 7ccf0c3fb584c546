"""The rep's Chinese view of a template draft (中文对照): the same slot's zh template.

A rep who reads Chinese checks a German or Spanish draft against its Chinese gloss: the
zh template that the same selection picks (campaign, channel, loss reason, segment; the
language zh), rendered with the same context but the company's free text (achievements,
offer, changes ...) in Chinese. It is the approved Chinese wording of the same template
slot with the same facts, so it is deterministic and faithful by construction: no
translation is made and nothing is sent anywhere. Its figures are the draft's figures,
formatted for zh-CN (`2026年12月20日`, `USD 12,500.00`, `5%`).

Always Simplified Chinese (the rep's script), whatever the buyer's language is. None
when the library has no usable zh template for the slot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from followup.drafting.engine import GLOSS_LANGUAGE, TemplateEngine, view_text

if TYPE_CHECKING:
    from followup.drafting.workbench import DraftRequest, Workbench

__all__ = ["GLOSS_LANGUAGE", "gloss", "view_text"]


def gloss(source: Workbench | TemplateEngine, req: DraftRequest) -> tuple[str | None, str] | None:
    """(subject, body) of the Chinese view of the template draft `req` asks for, or None
    when no usable zh template fits its slot.

    `source` is the workbench (then only approved templates gloss) or the template engine
    that drafts (its templates: `allow_unapproved` included). The subject is None on a
    channel without one (WhatsApp). Raises `TemplateError` as the draft's render would.
    """
    engine = source if isinstance(source, TemplateEngine) else TemplateEngine(source)
    return engine.chinese(req)
