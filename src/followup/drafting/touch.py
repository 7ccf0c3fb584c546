"""Later touches: the message a second (third ...) follow-up answers in its thread.

A buyer who did not answer the first message gets a short follow-up to it: in the same
language, as a reply in the same thread (In-Reply-To and References to the message as it
was sent, a `Re:` subject), from templates of its own (`touch: 2` in the header). What the
earlier message was (`Previous`) comes from the contact history
(`followup.history.threads.due`), which `followup sync` fills from each rep's Sent folder.
"""

from __future__ import annotations

from followup.history.threads import Previous

__all__ = ["Previous"]
