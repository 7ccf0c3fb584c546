"""`followup push OUTBOX`: the outbox's email drafts into each rep's Drafts folder (IMAP)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from followup.cli import options
from followup.cli.base import Command

if TYPE_CHECKING:
    from followup.mailbox.push import Pushed, Target


@click.command(
    "push",
    cls=Command,
    example="followup push outbox --dry-run",
    short_help="Put the outbox's email drafts into each rep's Drafts folder (IMAP).",
)
@click.argument("outbox", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--all", "all_drafts", is_flag=True, help="Every draft, not only those decided send.")
@click.option("--folder", default="", help="The Drafts folder, when the server marks none.")
@click.option("--dry-run", is_flag=True, help="List what would go where; connect to nothing.")
@options.mail_options
@options.as_of_option
def command(
    outbox: Path,
    all_drafts: bool,
    folder: str,
    cafile: Path | None,
    dry_run: bool,
    workspace: Path | None,
    as_of: str | None,
) -> None:
    """APPEND each email draft to its rep's Drafts folder, flagged \\Draft, so it opens as a
    draft in Outlook, Thunderbird, Gmail or Tencent Exmail. Only drafts decided `send` in
    an applied review.xlsx (--all: every one), and only those not there yet (looked up by
    Message-ID): a rerun never makes a second copy. Accounts: [mail.accounts.NAME] in
    followup.toml, named by each rep's `mail_account` in company.yaml; passwords come from
    the environment or the system keyring (docs/mailbox.md). Progress goes to stderr; a
    dropped connection or a busy server is tried again after a pause; accounts on one
    server push [mail] connections_per_server at a time. Exit 1 when some drafts were not
    pushed.
    """
    from followup.data.facts import FACTS_FILE, load_facts
    from followup.errors import DraftError, UsageError
    from followup.mailbox.push import push, remember, targets
    from followup.settings import load_settings
    from followup.workspace import resolve

    root = resolve(workspace, sample=False).root
    if root is None:
        raise UsageError("the mail accounts live in a workspace: pass --workspace DIR")
    settings, facts = load_settings(root), load_facts(root / FACTS_FILE)
    found, result = targets(outbox, facts, settings, all_drafts=all_drafts)
    if dry_run:
        click.echo(_plan_text(found, result), nl=False)
        return
    try:
        with _progress(len(found)) as progress:
            cafile_name = str(cafile) if cafile else None
            push(found, result, settings, folder=folder, cafile=cafile_name, progress=progress)
    finally:  # interrupted too: what went in is in the history
        remember(root, outbox, result, options.parse_as_of(as_of))
    if result.errors and not (result.appended or result.already):
        raise result.errors[0]  # nothing reached a mailbox: the one thing to fix (exit 2)
    click.echo(_done_text(result), nl=False)
    if result.failed:
        shown = "; ".join(f"{key}: {why}" for key, why in result.failed[:5])
        raise DraftError(f"{len(result.failed)} drafts were not pushed: {shown}")


@contextmanager
def _progress(total: int) -> Iterator[Callable[[str, str], None]]:
    """A callback for each draft done (pushed, there already or failed), on stderr: a bar
    on a terminal, else `500 of 1,000 drafts done…` every tenth (at most every 100)."""
    import math
    import sys
    import threading

    lock, done = threading.Lock(), [0]
    if sys.stderr.isatty():
        with click.progressbar(length=total, label="Pushing", file=sys.stderr) as bar:

            def step(_key: str, _account: str) -> None:  # from the accounts' threads
                with lock:
                    bar.update(1)

            yield step
        return
    every = max(1, min(100, math.ceil(total / 10)))

    def line(_key: str, _account: str) -> None:
        with lock:
            done[0] += 1
            if done[0] % every == 0 or done[0] == total:
                click.echo(f"{done[0]:,} of {total:,} drafts done…", err=True)

    yield line


def _plan_text(found: list[Target], result: Pushed) -> str:
    from collections import Counter

    per = Counter(target.account for target in found)
    lines = [f"Would push {len(found)} email drafts: " + ", ".join(
        f"{account} {n}" for account, n in sorted(per.items())) + "."]  # fmt: skip
    return "\n".join(lines + _stayed(result)) + "\n"


def _done_text(result: Pushed) -> str:
    where = ", ".join(f"{account} → {folder}" for account, folder in sorted(result.folders.items()))
    lines = [
        f"Pushed {len(result.appended)} drafts ({where}); {len(result.already)} were there "
        f"already; {len(result.failed)} failed."
    ]
    return "\n".join(lines + _stayed(result)) + "\n"


def _stayed(result: Pushed) -> list[str]:
    lines = []
    if result.whatsapp:
        lines.append(f"{result.whatsapp} WhatsApp drafts stay files (send them from WhatsApp).")
    if result.not_approved:
        lines.append(
            f"{result.not_approved} email drafts are not decided send in the applied review "
            "(--all pushes every draft)."
        )
    return lines
