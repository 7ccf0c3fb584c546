"""`followup push OUTBOX`: each email draft into its rep's Drafts folder, flagged \\Draft.

Which drafts: when a manager applied a review sheet to the outbox, only those decided
`send` whose file is unchanged since (`outbox.review.approved`); otherwise, or with
`all_drafts`, every email draft. WhatsApp drafts stay files. Whose mailbox: the rep who
signs the draft (its `sender_name`), through the rep profile's `mail_account`.

Idempotent by Message-ID: each draft's id is stable (`outbox.messages`), and a draft is
appended only when no message of the folder has its id (the folder's Message-IDs are
listed when a session opens, and again when it opens after a drop), so a rerun, or a
resume after a dropped connection, never makes a second copy. A transient failure (a
connection reset, refused or timed out, the server's BYE, [UNAVAILABLE] or [INUSE]) is
tried again after 0.5 s, 1 s and 2 s, the connection opened again; a draft that still
fails is listed and the others go on (exit 1). A refused login, an untrusted
certificate, a missing folder or a mailbox over its quota is not tried again: it stops
that account, whose drafts are listed. Accounts push in threads, each on one
connection with its drafts in order, at most `[mail] connections_per_server` accounts of
one host at a time. Each push is recorded in the contact history (`pushed`, with
the folder and UID).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from followup.errors import MailError
from followup.mailbox.imap import (
    ATTEMPTS,
    Mailbox,
    append_draft,
    connect,
    drafts_folder,
    message_ids,
    pause,
    reason,
    transient,
)

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
    """Push each target to its account's Drafts folder, into `result`: each account on
    one connection, its drafts in their order, on a thread of its own; the accounts of one
    server (host) `[mail] connections_per_server` at a time. `progress(key, account)` is
    called after each draft, from the account's thread. Interrupted (Ctrl-C), each account
    stops after the draft it is at, and `result` holds what was done."""
    from concurrent.futures import Future, ThreadPoolExecutor, wait

    by_account: dict[str, list[Target]] = {}
    for target in found:
        by_account.setdefault(target.account, []).append(target)
    by_server: dict[str, list[str]] = {}
    for name in sorted(by_account):
        by_server.setdefault(_server(settings.mail.accounts[name]), []).append(name)
    limit = settings.mail.connections_per_server
    stop = threading.Event()
    pushing: dict[str, Future[Pushed]] = {}

    def one(name: str) -> Pushed:
        account = settings.mail.accounts[name]
        session = _Session(name, account, cafile, folder or account.drafts)
        return session.push_all(by_account[name], stop, progress)

    try:
        with contextlib.ExitStack() as pools:
            for names in by_server.values():
                pool = pools.enter_context(ThreadPoolExecutor(min(limit, len(names)), "push"))
                pushing.update((name, pool.submit(one, name)) for name in names)
            try:
                wait(pushing.values())
            except BaseException:
                stop.set()  # the pools' exit waits for the drafts being pushed
                raise
        for future in pushing.values():
            future.result()  # a bug in a thread is raised here, not lost
    finally:
        for name in sorted(pushing):
            if pushing[name].done() and pushing[name].exception() is None:
                _merge(result, pushing[name].result())
    return result


def _server(account: MailAccount) -> str:
    return account.host.strip().lower()


def _merge(into: Pushed, part: Pushed) -> None:
    into.appended += part.appended
    into.already += part.already
    into.failed += part.failed
    into.folders.update(part.folders)
    into.errors += part.errors


@dataclass
class _Session:
    """One account's connection. A transient failure (`imap.transient`: the network, the
    server's BYE, [UNAVAILABLE]) closes it, and after a pause (`imap.pause`) it is opened
    again and the step tried again, `ATTEMPTS` times in all."""

    name: str
    account: MailAccount
    cafile: str | None
    named: str  # the Drafts folder named by --folder or the account's `drafts`, or ""
    box: Mailbox | None = None
    folder: str = ""
    #: Message-ID -> UID of the folder's messages, listed when the session opens
    present: dict[str, int | None] = field(default_factory=dict)

    def push_all(
        self,
        mine: list[Target],
        stop: threading.Event,
        progress: Callable[[str, str], None] | None,
    ) -> Pushed:
        """This account's drafts, in order, until done or `stop` is set. A `MailError`
        stops the account: the drafts not pushed are listed with it."""
        result = Pushed()
        done = 0
        try:
            result.folders[self.name] = self.open()
            for target in mine:
                if stop.is_set():
                    break
                self.push(target, result)
                done += 1
                if progress is not None:
                    progress(target.record["key"], self.name)
        except MailError as exc:  # this account stops; the others go on
            result.errors.append(exc)
            result.failed += [(t.record["key"], str(exc)) for t in mine[done:]]
        finally:
            self.close()
        return result

    def open(self) -> str:
        """Log in and find the Drafts folder; a `MailError` when that cannot be done."""
        import imapclient

        for attempt in range(ATTEMPTS):
            try:
                self._open()
                return self.folder
            except (OSError, imapclient.exceptions.IMAPClientError) as exc:
                self.close()
                if not transient(exc) or attempt == ATTEMPTS - 1:
                    raise MailError(self._failure(exc, attempt)) from None
                pause(attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _open(self) -> None:
        self.box = connect(self.name, self.account, cafile=self.cafile)
        if not self.folder:
            self.folder = drafts_folder(self.box, self.named)
        self.present = dict(message_ids(self.box, self.folder))

    def push(self, target: Target, result: Pushed) -> None:
        """Append the draft unless the folder has its Message-ID already. A draft whose
        APPEND was sent when the connection dropped is found in the listing of the next
        session, and counted as appended (with the UID found). A `MailError` (over quota,
        no login any more) stops the account; any other failure is this draft's."""
        import imapclient

        key = target.record["key"]
        appending = False
        for attempt in range(ATTEMPTS):
            try:
                if self.box is None:
                    self._open()
                assert self.box is not None
                if target.message_id in self.present:
                    uid = self.present[target.message_id]
                    if not appending:
                        result.already.append((key, self.name))
                        return
                else:
                    appending = True
                    uid = append_draft(self.box, self.folder, target.data)
                    self.present[target.message_id] = uid
                result.appended.append((key, target.record["file"], self.name, self.folder, uid))
                return
            except (OSError, imapclient.exceptions.IMAPClientError) as exc:
                self.close()
                if not transient(exc) or attempt == ATTEMPTS - 1:
                    result.failed.append((key, self._failure(exc, attempt)))
                    return
                pause(attempt)

    def _failure(self, exc: BaseException, attempt: int) -> str:
        what = "the connection failed" if transient(exc) else "the server answered"
        tries = f" ({attempt + 1} attempts)" if attempt else ""
        return f"mail account {self.name!r}: {what}: {reason(exc)}{tries}"

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
