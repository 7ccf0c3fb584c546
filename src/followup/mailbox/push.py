"""`followup push OUTBOX`: each email draft into its rep's Drafts folder, flagged \\Draft.

Which drafts: when a manager applied a review sheet to the outbox, only those decided
`send` whose file is unchanged since (`outbox.review.approved`); otherwise, or with
`all_drafts`, every email draft. WhatsApp drafts stay files. Whose mailbox: the rep who
signs the draft (its `sender_name`), through the rep profile's `mail_account`.

Idempotent by Message-ID: each draft's id is stable (`outbox.messages`), and a draft is
appended only when a SEARCH finds no message with its id in the folder, so a rerun, or a
resume after a dropped connection, never makes a second copy. A connection that drops
is opened again once and the draft tried again; a draft that still fails is listed and
the others go on (exit 1). Each push is recorded in the contact history (`pushed`, with
the folder and UID).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from followup.errors import MailError
from followup.mailbox.imap import Mailbox, append_draft, connect, drafts_folder, has_message

if TYPE_CHECKING:
    from followup.data.facts import CompanyFacts
    from followup.settings import MailAccount, Settings


@dataclass(frozen=True)
class Target:
    """One draft to push: its record, its file's bytes, the account it goes to."""

    record: dict[str, Any]
    data: bytes
    account: str
    message_id: str


@dataclass
class Pushed:
    """What a push did, per draft key."""

    #: (key, file, account, folder, UID when the server said it)
    appended: list[tuple[str, str, str, str, int | None]] = field(default_factory=list)
    already: list[tuple[str, str]] = field(default_factory=list)  # (key, account)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (key, why)
    whatsapp: int = 0  # stayed files
    not_approved: int = 0  # a review was applied, and these are not `send`
    folders: dict[str, str] = field(default_factory=dict)  # account -> its Drafts folder
    #: what stopped an account (a refused login, no Drafts folder, over quota): its drafts
    #: not pushed are in `failed`
    errors: list[MailError] = field(default_factory=list)


def targets(
    root: Path, facts: CompanyFacts, settings: Settings, *, all_drafts: bool
) -> tuple[list[Target], Pushed]:
    """The drafts of the outbox `root` to push, each with its account (errors before any
    connection: a rep with no account, an account not in followup.toml)."""
    from followup.outbox.review import approved, records

    every = records(root)
    chosen = every if all_drafts else (approved(root) or _unreviewed(root, every))
    result = Pushed(whatsapp=sum(r["channel"] == "whatsapp" for r in every))
    emails = [r for r in chosen if r["channel"] == "email" and r.get("file")]
    result.not_approved = sum(r["channel"] == "email" for r in every) - len(emails)
    accounts = _accounts(facts)
    found = []
    for record in emails:
        account = accounts.get(str(record.get("sender_name") or ""))
        if not account:
            raise MailError(
                f"{record['key']}: its rep {record.get('sender_name')!r} has no mail account: "
                "add `mail_account: NAME` to the rep's profile in company.yaml"
            )
        if account not in settings.mail.accounts:
            raise MailError(
                f"mail account {account!r} (rep {record.get('sender_name')!r}) is not in "
                f"followup.toml: add a [mail.accounts.{account}] table (host, user)"
            )
        data = (root / record["file"]).read_bytes()
        found.append(Target(record, data, account, _message_id(data, record["file"])))
    return found, result


def _unreviewed(root: Path, every: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every draft, when no review was applied to the outbox; none when one was."""
    from followup.outbox import decisions

    return [] if decisions.read(root).decisions else every


def _accounts(facts: CompanyFacts) -> dict[str, str]:
    """Rep name (as a draft is signed) -> the rep's mail account."""
    return {rep.name: rep.mail_account for rep in facts.reps.values() if rep.mail_account}


_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)


def _message_id(data: bytes, file: str) -> str:
    found = _MESSAGE_ID.search(data.split(b"\r\n\r\n", 1)[0])
    if found is None:
        raise MailError(f"{file}: has no Message-ID header: draft it again with followup batch")
    return found.group(1).decode("ascii")


def push(
    found: list[Target],
    result: Pushed,
    settings: Settings,
    *,
    folder: str = "",
    cafile: str | None = None,
    progress: Callable[[str, str], None] | None = None,
) -> Pushed:
    """Push each target to its account's Drafts folder (one connection an account)."""
    by_account: dict[str, list[Target]] = {}
    for target in found:
        by_account.setdefault(target.account, []).append(target)
    for name, mine in sorted(by_account.items()):
        session = _Session(name, settings.mail.accounts[name], result, cafile)
        done = 0
        try:
            result.folders[name] = session.open(folder)
            for target in mine:
                session.push(target)
                done += 1
                if progress is not None:
                    progress(target.record["key"], name)
        except MailError as exc:  # this account stops; the others go on
            result.errors.append(exc)
            result.failed += [(t.record["key"], str(exc)) for t in mine[done:]]
        finally:
            session.close()
    return result


@dataclass
class _Session:
    """One account's connection, opened again once when it drops."""

    name: str
    account: MailAccount
    result: Pushed
    cafile: str | None
    box: Mailbox | None = None
    folder: str = ""

    def open(self, folder: str) -> str:
        self.box = connect(self.name, self.account, cafile=self.cafile)
        self.folder = drafts_folder(self.box, folder or self.account.drafts)
        return self.folder

    def push(self, target: Target) -> None:
        import imapclient

        key = target.record["key"]
        for attempt in range(2):
            assert self.box is not None
            try:
                if has_message(self.box, self.folder, target.message_id) is not None:
                    self.result.already.append((key, self.name))
                else:
                    uid = append_draft(self.box, self.folder, target.data)
                    file = target.record["file"]
                    self.result.appended.append((key, file, self.name, self.folder, uid))
                return
            except (OSError, imapclient.exceptions.IMAPClientError) as exc:
                if attempt:
                    self.result.failed.append((key, f"{type(exc).__name__}: {exc}"))
                    return
                self.close()
                self.box = connect(self.name, self.account, cafile=self.cafile)

    def close(self) -> None:
        if self.box is not None:
            with contextlib.suppress(Exception):  # a dropped connection has no logout
                self.box.client.logout()
            self.box = None


def remember(workspace: Path, root: Path, result: Pushed, day: dt.date) -> int:
    """Record every draft appended to a Drafts folder as `pushed` in the contact history
    (the folder and UID its detail)."""
    from followup.history.store import record_events

    items = [
        (file, f"{folder} UID {uid}" if uid is not None else folder)
        for _key, file, _account, folder, uid in result.appended
    ]
    return record_events(
        workspace, root, "pushed", items, day=day, source="followup push", status="pushed"
    )
