"""`followup sync`: each rep's Sent folder and INBOX read back into the contact history."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from followup.cli import options, tables
from followup.cli.base import Command

if TYPE_CHECKING:
    from followup.mailbox.sync import SyncResult


@click.command(
    "sync",
    cls=Command,
    example="followup sync --workspace ws",
    short_help="Read what the reps sent, and who answered, back from their mailboxes.",
)
@click.option("--account", "accounts", multiple=True, help="Only this mail account (repeatable).")
@options.mail_options
@options.as_of_option
def command(
    accounts: tuple[str, ...], cafile: Path | None, workspace: Path | None, as_of: str | None
) -> None:
    """Read each rep's Sent folder and INBOX since the last sync (headers only) and match
    them to the drafts in the contact history: a draft the rep sent, possibly edited,
    becomes `sent` with its day; an answer from the buyer (In-Reply-To, else the buyer's
    address or company domain) `replied`; a delivery failure `bounced`, and the pre-flight
    flags that address. `followup history --rep NAME` then shows reply rates and
    response times, and `followup due` who is due a second touch. Exit 1 when some
    accounts could not be read.
    """
    from followup.data.facts import FACTS_FILE, load_facts
    from followup.errors import DraftError, UsageError
    from followup.mailbox.sync import sync
    from followup.settings import load_settings
    from followup.workspace import resolve

    root = resolve(workspace, sample=False).root
    if root is None:
        raise UsageError("the mail accounts live in a workspace: pass --workspace DIR")
    settings, facts = load_settings(root), load_facts(root / FACTS_FILE)
    day = options.parse_as_of(as_of)
    result = sync(
        root, facts, settings, today=day, accounts=accounts, cafile=str(cafile) if cafile else None
    )
    if result.errors and not result.accounts:
        raise result.errors[0]  # nothing was read: the one thing to fix (exit 2)
    click.echo(_text(result), nl=False)
    if result.errors:
        shown = "; ".join(str(e) for e in result.errors)
        raise DraftError(f"{tables.count(len(result.errors), 'mail account')} not read: {shown}")


def _text(result: SyncResult) -> str:
    lines = []
    quiet = [done.account for done in result.accounts if not done.read]
    for done in (done for done in result.accounts if done.read):
        extra = []
        if done.bounced:
            extra.append(f"{len(done.bounced)} bounced ({', '.join(a for _c, a in done.bounced)})")
        if done.automatic:
            automatic = tables.count(done.automatic, "automatic answer")
            extra.append(f"{automatic} (out of office) left aside")
        lines.append(
            f"{done.account}: {tables.count(done.read, 'new message')}; "
            f"{tables.count(len(done.sent), 'follow-up')} sent, "
            f"{len(done.replied)} answered" + "".join(f"; {e}" for e in extra) + "."
        )
    if quiet:
        lines.append(f"{', '.join(quiet)}: no new messages.")
    return "\n".join(lines) + "\n"
