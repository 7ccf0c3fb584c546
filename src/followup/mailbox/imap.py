"""One IMAP connection to a rep's mailbox (imapclient): log in (trying again when the
network or the server fails for a while), find the Drafts folder, list the Message-IDs
in it, append a draft.

imapclient over stdlib imaplib: it encodes folder names in IMAP's modified UTF-7 (a
Tencent Exmail or Foxmail `草稿箱` is `&g0l6P3ux-` on the wire), parses LIST's SPECIAL-USE
flags and APPENDUID, and quotes SEARCH arguments, which imaplib leaves to its caller.
Every failure a rep can fix is a `MailError` naming the account and the fix; passwords are
`Secret`s and never reach a message.
"""

from __future__ import annotations

import contextlib
import os
import re
import ssl
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from followup.errors import MailError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from followup.settings import MailAccount

#: Drafts folders by name, when the server marks none with SPECIAL-USE (RFC 6154)
DRAFTS_NAMES: Final = (
    "Drafts", "草稿箱", "草稿", "Draft", "[Gmail]/Drafts", "[Google Mail]/Drafts", "Entwürfe",
    "Brouillons", "Borradores", "Rascunhos", "Bozze", "Черновики", "INBOX/Drafts",
    "INBOX.Drafts",
)  # fmt: skip
TIMEOUT: Final = 30.0


@dataclass(frozen=True)
class Mailbox:
    """A logged-in connection, and the account's name for messages."""

    name: str
    client: Any  # imapclient.IMAPClient


#: the system keyring's service under which a mail password is stored (`keyring set
#: followup USER`), USER the account's `user`
KEYRING_SERVICE: Final = "followup"


def password(name: str, account: MailAccount) -> str:
    """The account's password: its environment variable (`password_env`, else
    FOLLOWUP_MAIL_<NAME>), else the system keyring (`keyring.get_password("followup",
    user)`) when the optional `keyring` package is installed; never from a file."""
    from followup.redact import Secret

    variable = account.password_env or f"FOLLOWUP_MAIL_{name.upper().replace('-', '_')}"
    value = os.environ.get(variable, "")
    why = ""
    if not value:
        value, why = _from_keyring(account.user)
    if not value:
        raise MailError(  # (no "password:" in it: the redaction would mask what follows)
            f"mail account {name!r}: no password found in {variable} or the system keyring "
            f"({why}): set {variable}, or store it with `keyring set {KEYRING_SERVICE} "
            f"{account.user}`; Gmail, Outlook 365 and Tencent Exmail need an app password"
        )
    return Secret(value).reveal()


def _from_keyring(user: str) -> tuple[str, str]:
    """The password the system keyring holds for `user`, or "" and why there is none."""
    import importlib

    try:
        keyring = importlib.import_module("keyring")
    except ImportError:
        return "", "keyring is not installed: pip install 'followup[keyring]'"
    try:
        found = keyring.get_password(KEYRING_SERVICE, user)
    except Exception as exc:  # keyring.errors.KeyringError, or a backend's own failure
        return "", f"the keyring could not be read: {type(exc).__name__}"
    return (found, "") if found else ("", "it holds none for this user")


def connect(name: str, account: MailAccount, *, cafile: str | None = None) -> Mailbox:
    """Log in to the account, trying again after a pause (`pause`) when the network or the
    server fails for a while (`transient`), `ATTEMPTS` times in all. A refused login, an
    untrusted certificate or a server that still does not answer is a `MailError` saying
    what to fix; the first two are not tried again (the same password fails the same way,
    and each failed login makes the server slower to answer the next)."""
    import imapclient

    secret = password(name, account)
    where = f"mail account {name!r} ({account.host}:{account.port})"
    context = tls_context(cafile) if account.tls != "none" else None
    for attempt in range(ATTEMPTS):
        try:
            return Mailbox(name, _login(where, account, secret, context))
        except (OSError, imapclient.exceptions.IMAPClientError) as exc:
            if not transient(exc, login=True):
                raise MailError(f"{where}: cannot connect: {reason(exc)}") from None
            if attempt == ATTEMPTS - 1:
                raise MailError(
                    f"{where}: cannot connect: {reason(exc)} ({ATTEMPTS} attempts)"
                ) from None
            pause(attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _login(where: str, account: MailAccount, secret: str, context: ssl.SSLContext | None) -> Any:
    """One connection, logged in; a refused login or certificate is a `MailError`, any
    other failure the exception as raised (for `connect` to judge)."""
    import imapclient

    try:
        client = imapclient.IMAPClient(
            account.host,
            port=account.port,
            ssl=account.tls == "ssl",
            ssl_context=context,
            timeout=TIMEOUT,
        )
    except ssl.SSLCertVerificationError as exc:
        raise _untrusted(where, exc) from None
    try:
        if account.tls == "starttls":
            client.starttls(context)
        client.login(account.user, secret)
    except ssl.SSLCertVerificationError as exc:
        _drop(client)
        raise _untrusted(where, exc) from None
    except imapclient.exceptions.LoginError as exc:
        _drop(client)
        if transient(exc, login=True):
            raise
        raise MailError(
            f"{where}: the server refused the login of {account.user!r}: check the password "
            "(Gmail, Outlook 365 and Tencent Exmail need an app password, and IMAP turned on)"
        ) from None
    except BaseException:
        _drop(client)
        raise
    return client


def _untrusted(where: str, exc: ssl.SSLCertVerificationError) -> MailError:
    return MailError(
        f"{where}: the server's TLS certificate is not trusted ({exc.verify_message}): "
        "pass --cafile FILE with the certificate that signs it"
    )


def _drop(client: Any) -> None:
    """Close a connection without a word to the server (it may be gone already)."""
    with contextlib.suppress(Exception):
        client.shutdown()


#: attempts at an operation that fails for a while (`transient`): a connection and login,
#: a lookup or an append; the pause before the next is `BACKOFF` seconds, doubled each time
#: (0.5 s, 1 s, 2 s: 3.5 s at most before giving up)
ATTEMPTS: Final = 4
BACKOFF = 0.5  # not Final: the tests set it

#: response codes (RFC 5530) of a server that is busy or briefly down: try again later
BUSY_CODES: Final = ("[UNAVAILABLE]", "[INUSE]")
#: at login also a server's limit of connections (Dovecot: `NO [LIMIT] Maximum number of
#: connections from user+IP exceeded`), which frees as other sessions end
LOGIN_BUSY_CODES: Final = (*BUSY_CODES, "[LIMIT]")


def transient(exc: BaseException, *, login: bool = False) -> bool:
    """Whether `exc` may go away if tried again: the network (a connection reset, refused
    or timed out), the server ending the session (BYE) or saying it is busy. Not: a
    certificate or TLS setup that fails, a refused login, over quota, any `MailError`."""
    import imapclient

    if isinstance(exc, ssl.SSLError):  # a handshake cut short, not a certificate refused
        return isinstance(exc, ssl.SSLEOFError | ssl.SSLZeroReturnError)
    if isinstance(exc, OSError | imapclient.exceptions.IMAPClientAbortError):
        return True  # ConnectionError, TimeoutError, or the server's BYE / a closed socket
    if isinstance(exc, imapclient.exceptions.IMAPClientError):
        text = str(exc).upper()
        return any(code in text for code in (LOGIN_BUSY_CODES if login else BUSY_CODES))
    return False


def pause(attempt: int) -> None:
    """Wait before attempt `attempt + 2`: `BACKOFF` × 2^attempt seconds."""
    time.sleep(BACKOFF * 2**attempt)


def reason(exc: BaseException) -> str:
    """What went wrong, in a few words (an OSError's strerror, a server's text)."""
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    if text.startswith(("b'", 'b"')):  # imaplib's bytes as text: b'[LIMIT] Maximum ...'
        text = text[2:-1]
    return text


def tls_context(cafile: str | None) -> ssl.SSLContext:
    """The system's trusted CAs, or those of `cafile` (--cafile): a file that holds no
    certificate is a `MailError`, not a traceback."""
    try:
        return ssl.create_default_context(cafile=cafile)
    except (ssl.SSLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
        raise MailError(f"--cafile {cafile}: not a PEM certificate file ({reason})") from None


def drafts_folder(box: Mailbox, named: str = "") -> str:
    """The Drafts folder: `named` (--folder, or the account's `drafts`), else the one the
    server marks \\Drafts (SPECIAL-USE), else the first of `DRAFTS_NAMES` it has."""
    return special_folder(
        box, named, flag=b"\\Drafts", fallbacks=DRAFTS_NAMES, missing="no Drafts folder",
        fix="name it with --folder, or `drafts` in its [mail.accounts] table",
    )  # fmt: skip


def special_folder(
    box: Mailbox,
    named: str,
    *,
    flag: bytes,
    fallbacks: Sequence[str],
    missing: str,
    fix: str,
) -> str:
    """`named` when given (it must exist), else the folder the server marks `flag`
    (SPECIAL-USE, RFC 6154), else the first of `fallbacks` it has; a `MailError` saying
    `missing` and `fix`, with the server's folders, when none is."""
    folders = box.client.list_folders()
    names = [str(name) for _flags, _sep, name in folders]
    if named:
        if named not in names:
            raise MailError(
                f"mail account {box.name!r}: no folder {named!r} (folders: {', '.join(names)})"
            )
        return named
    for flags, _sep, name in folders:
        if flag in flags:
            return str(name)
    for name in fallbacks:
        if name in names:
            return name
    raise MailError(f"mail account {box.name!r}: {missing} (folders: {', '.join(names)}): {fix}")


#: messages whose Message-ID one FETCH asks for (a UID each: a command line of a few kB)
LISTING_CHUNK: Final = 500
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\s]+>)", re.IGNORECASE | re.MULTILINE)


def message_ids(box: Mailbox, folder: str) -> dict[str, int]:
    """Message-ID -> UID of every message in `folder`: the header field alone, fetched
    `LISTING_CHUNK` messages a command. Listed once a session, this is what a draft is
    looked up in: a SEARCH HEADER a draft makes the server read every message's headers
    again, so the cost grows with the folder (a rerun of 1,000 drafts against Dovecot:
    2.4 s with a SEARCH a draft, 0.3 s listed; bench/RESULTS.md)."""
    box.client.select_folder(folder, readonly=True)
    uids = box.client.search(["ALL"])
    found: dict[str, int] = {}
    for start in range(0, len(uids), LISTING_CHUNK):
        chunk = uids[start : start + LISTING_CHUNK]
        fetched = box.client.fetch(chunk, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
        for uid, data in fetched.items():
            header = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), b"")
            match = _MESSAGE_ID.search(header or b"")
            if match:
                found.setdefault(match.group(1).decode("ascii", "replace"), int(uid))
    return found


def append_draft(box: Mailbox, folder: str, message: bytes) -> int | None:
    """Append `message` to `folder` flagged \\Draft; its UID when the server says it
    (UIDPLUS). Over quota is a `MailError` naming it."""
    import imapclient

    try:
        reply = box.client.append(folder, message, flags=[imapclient.DRAFT])
    except imapclient.exceptions.IMAPClientError as exc:
        text = str(exc)
        if "OVERQUOTA" in text.upper() or "quota" in text.lower():
            problem = f"mail account {box.name!r}: the mailbox is over its quota ({text})"
            raise MailError(problem) from None
        raise
    words = reply.split() if isinstance(reply, bytes) else []
    return int(words[2].rstrip(b"]")) if len(words) > 2 and words[0] == b"[APPENDUID" else None
