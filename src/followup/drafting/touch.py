"""Later touches: the message a second (third ...) follow-up answers in its thread.

A buyer who did not answer the first message gets a short follow-up to it: in the same
language, as a reply in the same thread (In-Reply-To and References to the message as it
was sent, a `Re:` subject), from templates of its own (`touch: 2` in the header). What the
earlier message was (`Previous`) comes from the contact history
(`followup.history.threads.due`), which `followup sync` fills from each rep's Sent folder.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Final

from followup.history.threads import Previous

if TYPE_CHECKING:
    from followup.drafting.context import PreviousContext


#: the reply prefixes mail clients put before a subject, in the reps' and buyers' languages
_REPLY_PREFIX: Final = re.compile(
    r"^\s*(?:(?:re|aw|antw|sv|vs|rif|r|res|ynt|odp|回复|答复|回覆|転送)\s*(?:\[\d+\])?\s*[:：]\s*)+",
    re.IGNORECASE,
)


def reply_subject(subject: str) -> str:
    """`Re: ` and the subject, once: a subject that is a reply already (`Re:`, `AW:`,
    `回复：`) keeps a single `Re: `."""
    core = _REPLY_PREFIX.sub("", subject).strip()
    return f"Re: {core}" if core else "Re:"


def previous_context(previous: Previous, as_of: dt.date) -> PreviousContext:
    """What a touch template may say about the message it follows up."""
    return {
        "touch": previous.touch,
        "subject": previous.subject,
        "reply_subject": reply_subject(previous.subject),
        "sent_on": previous.sent_on,
        "days_ago": (as_of - previous.sent_on).days,
    }
