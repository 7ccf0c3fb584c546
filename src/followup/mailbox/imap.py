"""One IMAP connection to a rep's mailbox (imapclient): log in, find the Drafts folder,
look a draft up by its Message-ID, append one.

imapclient over stdlib imaplib: it encodes folder names in IMAP's modified UTF-7 (a
Tencent Exmail or Foxmail `草稿箱` is `&g0l6P3ux-` on the wire), parses LIST's SPECIAL-USE
flags and APPENDUID, and quotes SEARCH arguments, which imaplib leaves to its caller.
Every failure a rep can fix is a `MailError` naming the account and the fix; passwords are
`Secret`s and never reach a message.
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from followup.errors import MailError

if TYPE_CHECKING:
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


def password(name: str, account: MailAccount) -> str:
    """The account's password from its environment variable (never from a file)."""
    from followup.redact import Secret

    variable = account.password_env or f"FOLLOWUP_MAIL_{name.upper().replace('-', '_')}"
    value = os.environ.get(variable, "")
    if not value:
        raise MailError(
            f"mail account {name!r}: no password: set {variable} (an app password for Gmail, "
            "Outlook 365 or Tencent Exmail)"
        )
    return Secret(value).reveal()


def connect(name: str, account: MailAccount, *, cafile: str | None = None) -> Mailbox:
    """Log in to the account; a refused login, an untrusted certificate or a server that
    does not answer is a `MailError` saying what to fix."""
    import imapclient

    secret = password(name, account)
    where = f"mail account {name!r} ({account.host}:{account.port})"
    context = tls_context(cafile) if account.tls != "none" else None
    try:
        client = imapclient.IMAPClient(
            account.host,
            port=account.port,
            ssl=account.tls == "ssl",
            ssl_context=context,
            timeout=TIMEOUT,
        )
        if account.tls == "starttls":
            client.starttls(context)
    except ssl.SSLCertVerificationError as exc:
        raise MailError(
            f"{where}: the server's TLS certificate is not trusted ({exc.verify_message}): "
            "pass --cafile FILE with the certificate that signs it"
        ) from None
    except (OSError, imapclient.exceptions.IMAPClientError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise MailError(f"{where}: cannot connect: {reason}") from None
    try:
        client.login(account.user, secret)
    except imapclient.exceptions.LoginError:
        raise MailError(
            f"{where}: the server refused the login of {account.user!r}: check the password "
            "(Gmail, Outlook 365 and Tencent Exmail need an app password, and IMAP turned on)"
        ) from None
    return Mailbox(name, client)


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
    folders = box.client.list_folders()
    names = [name for _flags, _sep, name in folders]
    if named:
        if named not in names:
            raise MailError(
                f"mail account {box.name!r}: no folder {named!r} (folders: {', '.join(names)})"
            )
        return named
    for flags, _sep, name in folders:
        if b"\\Drafts" in flags:
            return str(name)
    for name in DRAFTS_NAMES:
        if name in names:
            return name
    raise MailError(
        f"mail account {box.name!r}: no Drafts folder (folders: {', '.join(names)}): name "
        "it with --folder, or `drafts` in its [mail.accounts] table"
    )


def has_message(box: Mailbox, folder: str, message_id: str) -> int | None:
    """The UID of the message with this Message-ID in `folder`, or None."""
    box.client.select_folder(folder)
    found = box.client.search(["HEADER", "Message-ID", message_id])
    return int(found[0]) if found else None


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
