"""`followup sync`: read each rep's Sent folder and INBOX back into the contact history.

For every account a rep profile names: log in, read the Sent folder, then INBOX, since
the last sync (`followup.mailbox.reading`), and match what was read to the rep's drafts
(`followup.history.threads.record_sync`): sent, replied, bounced. One account's trouble
(a refused login, no Sent folder) stops that account only; the others go on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from followup.errors import MailError

if TYPE_CHECKING:
    from followup.data.facts import CompanyFacts
    from followup.history.threads import Synced
    from followup.settings import Settings

#: how far back the first sync of an account reads when the history has no draft of it
FIRST_SYNC_DAYS = 90


@dataclass
class SyncResult:
    """Every account's `Synced`, and what stopped the others."""

    accounts: list[Synced] = field(default_factory=list)
    errors: list[MailError] = field(default_factory=list)


def reps_by_account(facts: CompanyFacts) -> dict[str, list[tuple[str, str]]]:
    """Mail account -> the (name, email) of the reps whose profile names it."""
    found: dict[str, list[tuple[str, str]]] = {}
    for rep in facts.reps.values():
        if rep.mail_account:
            found.setdefault(rep.mail_account, []).append((rep.name, rep.email))
    return found


def sync(
    root: Path,
    facts: CompanyFacts,
    settings: Settings,
    *,
    today: dt.date,
    accounts: tuple[str, ...] = (),
    cafile: str | None = None,
) -> SyncResult:
    """Sync the accounts the reps' profiles name (or only `accounts`)."""
    import imapclient

    from followup.history.threads import first_day, marks, record_sync
    from followup.mailbox.imap import connect
    from followup.mailbox.reading import read_folder, sent_folder

    owners = reps_by_account(facts)
    chosen = accounts or tuple(sorted(owners))
    unknown = [name for name in chosen if name not in settings.mail.accounts]
    if unknown:
        raise MailError(
            f"mail account {unknown[0]!r} is not in followup.toml: add a "
            f"[mail.accounts.{unknown[0]}] table (host, user)"
        )
    if not chosen:
        raise MailError(
            "no rep profile names a mail account: add `mail_account: NAME` to the reps in "
            "company.yaml and a [mail.accounts.NAME] table to followup.toml"
        )
    result = SyncResult()
    for name in chosen:
        account = settings.mail.accounts[name]
        reps = owners.get(name, [])
        names = [rep for rep, _email in reps]
        since = first_day(root, names) or today - dt.timedelta(days=FIRST_SYNC_DAYS)
        stopped = marks(root, name)
        box = None
        try:
            box = connect(name, account, cafile=cafile)
            sent = sent_folder(box, account.sent)
            reads = [
                read_folder(box, folder, sent=folder == sent, since=since, mark=stopped.get(folder))
                for folder in (sent, "INBOX")
            ]
            own = [account.user, *(email for _rep, email in reps)]
            result.accounts.append(record_sync(root, name, names, own, reads))
        except MailError as exc:
            result.errors.append(exc)
        except (OSError, imapclient.exceptions.IMAPClientError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            problem = f"mail account {name!r}: the connection failed: {reason}"
            result.errors.append(MailError(problem))
        finally:
            if box is not None:
                with contextlib.suppress(Exception):
                    box.client.logout()
    return result
