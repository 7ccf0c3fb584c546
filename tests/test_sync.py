"""`followup sync` against a real IMAP server (Dovecot on 127.0.0.1, tests/imap_server.py):
what a rep's mail client sent (drafts edited, some with a new Message-ID) and what came
back (answers, an out-of-office, a delivery failure) become the history's sent, replied
and bounced; `history` shows reply rates, `due` who is due a second touch."""

from __future__ import annotations

import datetime as dt
import email
import email.utils
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import imapclient
import pytest

from tests.conftest import run
from tests.imap_server import Server, imap_server
from tests.test_push import AS_OF, USERS, drafted, workspace

SENT_AT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def client(server: Server, user: str) -> imapclient.IMAPClient:
    box = imapclient.IMAPClient(server.host, port=server.port, ssl=False)
    box.login(user, USERS[user])
    return box


def drafts_of(server: Server, user: str) -> list[EmailMessage]:
    box = client(server, user)
    box.select_folder("Drafts", readonly=True)
    fetched = box.fetch(box.search(["ALL"]), ["BODY.PEEK[]"])
    box.logout()
    return [
        email.message_from_bytes(data[b"BODY[]"], policy=default)  # type: ignore[misc]
        for _uid, data in sorted(fetched.items())
    ]


def send(
    server: Server,
    user: str,
    draft: EmailMessage,
    *,
    new_id: bool = False,
    at: dt.datetime = SENT_AT,
) -> str:
    """What a mail client does with a draft: the rep edits it, sends it, and a copy goes to
    Sent (some clients give the message a new Message-ID). The id it went out with."""
    sent = EmailMessage(policy=default)
    for name in ("From", "To", "Subject"):
        sent[name] = draft[name]
    message_id = email.utils.make_msgid(domain="mail.example") if new_id else draft["Message-ID"]
    sent["Message-ID"] = message_id
    sent["Date"] = email.utils.format_datetime(at)
    sent.set_content(draft.get_content().replace("Thank you", "Many thanks", 1))
    append(server, user, "Sent", sent)
    return str(message_id)


def answer(
    draft: EmailMessage,
    sent_id: str,
    hours: float,
    *,
    sent_at: dt.datetime = SENT_AT,
    **headers: str,
) -> EmailMessage:
    """The buyer's answer to a sent draft, `hours` after it went out (at `sent_at`)."""
    reply = EmailMessage(policy=default)
    reply["From"] = headers.pop("From", draft["To"])
    reply["To"] = draft["From"]
    reply["Subject"] = headers.pop("Subject", f"Re: {draft['Subject']}")
    reply["Message-ID"] = email.utils.make_msgid(domain="buyer.example")
    reply["Date"] = email.utils.format_datetime(sent_at + dt.timedelta(hours=hours))
    if sent_id:
        reply["In-Reply-To"] = sent_id
        reply["References"] = sent_id
    for name, value in headers.items():
        reply[name.replace("_", "-")] = value
    reply.set_content("Thanks, please send the price list.\n")
    return reply


def bounce(draft: EmailMessage, sent_id: str) -> bytes:
    """A delivery status notification (RFC 3464) for a sent draft, as Postfix writes one."""
    address = email.utils.parseaddr(str(draft["To"]))[1]
    when = email.utils.format_datetime(SENT_AT + dt.timedelta(minutes=3))
    return "\r\n".join([
        "From: Mail Delivery System <MAILER-DAEMON@mail.example>",
        f"To: {draft['From']}",
        "Subject: Undelivered Mail Returned to Sender",
        f"Date: {when}",
        f"Message-ID: {email.utils.make_msgid(domain='mail.example')}",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
        "",
        "--B",
        "Content-Type: text/plain",
        "",
        "This is the mail system. Your message could not be delivered.",
        "--B",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; mail.example",
        "",
        f"Final-Recipient: rfc822; {address}",
        "Action: failed",
        "Status: 5.1.1",
        "--B",
        "Content-Type: text/rfc822-headers",
        "",
        f"Message-ID: {sent_id}",
        f"To: {address}",
        "--B--",
        "",
    ]).encode()  # fmt: skip


def append(server: Server, user: str, folder: str, message: EmailMessage | bytes) -> None:
    box = client(server, user)
    data = message if isinstance(message, bytes) else message.as_bytes(
        policy=default.clone(linesep="\r\n"))  # fmt: skip
    box.append(folder, data)
    box.logout()


def test_sync_reads_sent_answers_and_bounces_into_the_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with imap_server(USERS) as server:
        root = workspace(tmp_path, server, monkeypatch)
        out = root / "ob"
        ws = drafted(root, out, "--owner", "Amy Zhao", limit=5)
        run("push", str(out), *ws, *AS_OF)
        mine = drafts_of(server, "amy")
        assert len(mine) == 5
        kept, renamed, failed, quiet, unsent = mine
        kept_id = send(server, "amy", kept)  # the client kept the draft's Message-ID
        renamed_id = send(server, "amy", renamed, new_id=True)  # matched by its address
        failed_id = send(server, "amy", failed)
        quiet_id = send(server, "amy", quiet, new_id=True)
        append(server, "amy", "INBOX", answer(kept, kept_id, hours=5))
        append(server, "amy", "INBOX", answer(renamed, renamed_id, hours=30))
        append(server, "amy", "INBOX", answer(quiet, quiet_id, hours=1,
               Subject="Automatic reply: out of office", Auto_Submitted="auto-replied"))  # fmt: skip
        append(server, "amy", "INBOX", bounce(failed, failed_id))
        stranger = answer(unsent, "", hours=2, From="someone@elsewhere.example")
        append(server, "amy", "INBOX", stranger)

        done = run("sync", *ws, "--as-of", "2026-11-24").stdout
        assert done == (
            "amy: 9 new messages; 4 follow-ups sent, 2 answered; 1 bounced "
            f"({email.utils.parseaddr(str(failed['To']))[1]}); 1 automatic answer (out of "
            "office) left aside.\njason, kevin, lily: no new messages.\n"
        )
        again = run("sync", *ws, "--as-of", "2026-11-24").stdout
        assert again == "amy, jason, kevin, lily: no new messages.\n"

        customer = str(kept["X-Followup-Customer"])
        timeline = run("history", customer, *ws, "--as-of", "2026-11-24").stdout
        assert "2026-11-23  sent" in timeline and "answered" in timeline
        assert kept_id[:30] in timeline  # the id it was sent with (the column is cut)
        report = run("history", "--rep", "Amy Zhao", *ws, "--as-of", "2026-11-24").stdout
        assert "Follow-ups sent from 2026-10-26 to 2026-11-24: 4, answered 2 (50%)" in report
        sent = report.split("Follow-ups sent")[1].splitlines()
        row = next(line for line in sent if line.startswith("Amy Zhao  thanks"))
        assert row.split()[3:] == ["4", "2", "50%", "1", "18", "h"]  # median of 5 h and 30 h

        due = run("due", *ws, "--as-of", "2026-11-30").stdout
        assert due.startswith("1 buyer due a next touch")
        assert str(quiet["X-Followup-Customer"]) in due  # the out-of-office is no answer
        early = run("due", *ws, "--as-of", "2026-11-26").stdout
        assert early == "No buyer is due a next touch.\n"
        assert (
            str(quiet["X-Followup-Customer"])
            in run("due", *ws, "--as-of", "2026-11-26", "--days", "3").stdout
        )


def test_a_bounced_address_is_flagged_in_the_next_preflight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with imap_server(USERS) as server:
        root = workspace(tmp_path, server, monkeypatch)
        out = root / "ob"
        ws = drafted(root, out, "--owner", "Amy Zhao", limit=1)
        run("push", str(out), *ws, *AS_OF)
        (draft,) = drafts_of(server, "amy")
        append(server, "amy", "INBOX", bounce(draft, send(server, "amy", draft)))
        run("sync", *ws, "--as-of", "2026-11-24")
        customer = str(draft["X-Followup-Customer"])
        plan = run("batch", "--campaign", "thanks", "--owner", "Amy Zhao", "--ignore-cooldown",
                   *ws, *AS_OF, "--dry-run", "--out", str(root / "next"))  # fmt: skip
        address = email.utils.parseaddr(str(draft["To"]))[1]
        assert f"1 draft go to an address that bounced: {customer} {address}" in plan.output
