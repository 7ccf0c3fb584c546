"""`followup push` against a real IMAP server (Dovecot on 127.0.0.1, tests/imap_server.py):
each rep's email drafts land in that rep's Drafts folder flagged \\Draft, byte for byte,
once however often the push runs."""

from __future__ import annotations

import email
import ssl
import threading
import time
from email.policy import default
from pathlib import Path

import imapclient
import pytest
import yaml

from followup.mailbox import imap
from tests.conftest import run
from tests.imap_server import Server, imap_server

AS_OF = ("--as-of", "2026-11-22")
USERS = {"amy": "amy-pw", "lily": "lily-pw", "jason": "jason-pw", "kevin": "kevin-pw"}
REPS = {"Amy Zhao": "amy", "Lily Chen": "lily", "Jason Liu": "jason", "Kevin Wang": "kevin"}


def workspace(
    tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch, *, tls: str = "none"
) -> Path:
    """The sample workspace with a mail account for each rep (passwords in the environment)."""
    root = tmp_path / "ws"
    run("init", str(root), "--sample")
    facts_path = root / "company.yaml"
    facts = yaml.safe_load(facts_path.read_text(encoding="utf-8"))
    for key, rep in facts["reps"].items():
        rep["mail_account"] = REPS[key]
    facts_path.write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8")
    tables = "".join(
        f'\n[mail.accounts.{user}]\nhost = "{server.host}"\nport = {server.port}\n'
        f'tls = "{tls}"\nuser = "{user}"\n'
        for user in USERS
    )
    settings = root / "followup.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + tables, encoding="utf-8")
    for user, password in USERS.items():
        monkeypatch.setenv(f"FOLLOWUP_MAIL_{user.upper()}", password)
    return root


def drafted(root: Path, out: Path, *extra: str, limit: int = 12) -> tuple[str, str]:
    """A thanks batch of `limit` drafts into `out`; the workspace option for what follows."""
    ws = ("--workspace", str(root))
    run("batch", "--campaign", "thanks", *ws, *AS_OF, "--limit", str(limit), *extra,
        "--out", str(out))  # fmt: skip
    return ws


def mailbox(
    server: Server, user: str, folder: str = "Drafts"
) -> list[tuple[bytes, tuple[bytes, ...]]]:
    """(message bytes, flags) of every message in a user's folder."""
    client = connected(server, user)
    client.select_folder(folder, readonly=True)
    fetched = client.fetch(client.search(["ALL"]), ["BODY.PEEK[]", "FLAGS"])
    client.logout()
    return [(data[b"BODY[]"], data[b"FLAGS"]) for _uid, data in sorted(fetched.items())]


def connected(server: Server, user: str) -> imapclient.IMAPClient:
    """A test's own session as `user` (over TLS, trusting the server's certificate, on an
    IMAPS server)."""
    context = ssl.create_default_context(cafile=str(server.cert)) if server.cert else None
    client = imapclient.IMAPClient(
        server.host, port=server.port, ssl=server.cert is not None, ssl_context=context
    )
    client.login(user, USERS[user])
    return client


def test_push_puts_each_reps_drafts_in_their_drafts_folder_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with imap_server(USERS) as server:
        root = workspace(tmp_path, server, monkeypatch)
        out = root / "ob"
        ws = drafted(root, out)
        files = sorted(out.glob("*.eml"))
        dry = run("push", str(out), *ws, "--dry-run")
        assert dry.stdout.startswith(f"Would push {len(files)} email drafts: ")
        assert dry.stderr == ""  # no progress: nothing is pushed
        assert (
            sum(len(mailbox(server, user)) for user in USERS) == 0
        )  # a dry run connects to nothing

        pushing = run("push", str(out), *ws, *AS_OF)
        assert len(files) == 12 and pushing.stderr.splitlines() == [  # every second draft
            f"{done} of 12 drafts done…" for done in (2, 4, 6, 8, 10, 12)
        ]
        first = pushing.stdout
        assert first.startswith(f"Pushed {len(files)} drafts (")
        assert "; 0 were there already; 0 failed." in first
        pushed = {user: mailbox(server, user) for user in USERS}
        assert sum(map(len, pushed.values())) == len(files)
        by_id = {
            email.message_from_bytes(data, policy=default)["Message-ID"]: (user, data, flags)
            for user, messages in pushed.items()
            for data, flags in messages
        }
        for path in files:
            on_disk = path.read_bytes()
            message = email.message_from_bytes(on_disk, policy=default)
            user, data, flags = by_id[message["Message-ID"]]
            assert data == on_disk  # byte for byte
            assert b"\\Draft" in flags
            sender = message["From"]
            assert REPS[next(name for name in REPS if name in sender)] == user  # the rep's own box

        monkeypatch.setattr(imap, "LISTING_CHUNK", 2)  # each folder listed in a few FETCHes
        again = run("push", str(out), *ws, *AS_OF).stdout  # a rerun: nothing new
        assert again.startswith("Pushed 0 drafts (") and f"{len(files)} were there already" in again
        assert sum(len(mailbox(server, user)) for user in USERS) == len(files)

        history = run("history", files[0].name.split(".")[0], *ws, *AS_OF).stdout
        assert ", pushed 2026-11-22: " in history


def test_a_drafts_folder_named_in_chinese_is_found_by_special_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with imap_server(USERS, drafts="草稿箱") as server:
        root = workspace(tmp_path, server, monkeypatch)
        out = root / "ob"
        ws = drafted(root, out, limit=3)
        done = run("push", str(out), *ws, *AS_OF).stdout
        assert "→ 草稿箱" in done
        assert sum(len(mailbox(server, user, "草稿箱")) for user in USERS) == 3


def test_a_wrong_password_is_one_line_and_pushes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with imap_server(USERS) as server:
        root = workspace(tmp_path, server, monkeypatch)
        monkeypatch.setenv("FOLLOWUP_MAIL_AMY", "not-the-password")
        amys = root / "amy"  # (Dovecot delays each failed login from one address: few of them)
        ws = drafted(root, amys, "--owner", "Amy Zhao", limit=3)
        result = run("push", str(amys), *ws, ok=False)  # nothing can go in: the one fix
        assert result.exit_code == 2
        assert result.stderr.endswith(
            f"Error: mail account 'amy' (127.0.0.1:{server.port}): the server refused the login "
            "of 'amy': check the password (Gmail, Outlook 365 and Tencent Exmail need an app "
            "password, and IMAP turned on)\n"
        )
        assert "not-the-password" not in result.output + result.stderr
        assert server.logged("(auth failed, 1 attempts") == 1  # not tried again
        out = root / "ob"  # every rep's drafts: Amy's stay out, the others go in
        drafted(root, out)
        partly = run("push", str(out), *ws, ok=False)
        assert partly.exit_code == 1 and partly.stdout.startswith("Pushed ")
        assert "drafts were not pushed: " in partly.stderr
        assert "the server refused the login of 'amy'" in partly.stderr
        assert len(mailbox(server, "lily")) > 0
        assert server.logged("(auth failed, 1 attempts", expected=2) == 2


def test_a_mailbox_over_its_quota_stops_that_rep_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with imap_server(USERS, quota_kb=4) as server:  # room for a draft or so each
        root = workspace(tmp_path, server, monkeypatch)
        out = root / "ob"
        ws = drafted(root, out)
        monkeypatch.setattr(imap, "BACKOFF", 60.0)  # a retry would take a minute
        started = time.monotonic()
        result = run("push", str(out), *ws, *AS_OF, ok=False)
        assert time.monotonic() - started < 30  # over quota is not tried again
        in_boxes = sum(len(mailbox(server, user)) for user in USERS)
        assert 0 < in_boxes < 12  # some went in before the quota was reached
        assert result.exit_code == 1
        assert result.stdout.startswith(f"Pushed {in_boxes} drafts (")
        assert "drafts were not pushed: " in result.stderr
        assert "the mailbox is over its quota" in result.stderr


def test_a_connection_dropped_mid_push_is_opened_again_and_makes_no_duplicate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    from followup.data.facts import load_facts
    from followup.mailbox.push import push, targets
    from followup.settings import load_settings

    with imap_server(USERS) as server:
        root = workspace(tmp_path, server, monkeypatch)
        out = root / "ob"
        drafted(root, out)
        settings, facts = load_settings(root), load_facts(root / "company.yaml")
        found, result = targets(out, facts, settings, all_drafts=False)
        kicked: list[str] = []
        monkeypatch.setattr(imap, "BACKOFF", 0.01)

        def drop_once(_key: str, account: str) -> None:  # the server ends the session
            if account not in kicked:
                kicked.append(account)
                conf = str(server.root / "dovecot.conf")
                subprocess.run(["doveadm", "-c", conf, "kick", account], check=True,
                               capture_output=True)  # fmt: skip

        push(found, result, settings, progress=drop_once)
        log = server.log()
        logins = [line for line in log.splitlines() if "imap-login: Info: Login: user=<" in line]
        more = [user for user in kicked if sum(t.account == user for t in found) > 1]
        assert more and all(  # a rep with drafts left after the drop logged in again
            sum(f"user=<{user}>" in line for line in logins) == 2 for user in more
        )
        assert result.failed == [] and len(result.appended) == len(found)
        assert sum(len(mailbox(server, user)) for user in USERS) == len(found)  # each once


def test_imaps_with_a_self_signed_certificate_is_refused_until_cafile_trusts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with imap_server(USERS, tls=True) as server:
        assert server.cert is not None
        root = workspace(tmp_path, server, monkeypatch, tls="ssl")
        amys = root / "amy"
        ws = drafted(root, amys, "--owner", "Amy Zhao", limit=3)
        refused = run("push", str(amys), *ws, *AS_OF, ok=False)
        assert refused.exit_code == 2
        assert refused.stderr == (
            f"Error: mail account 'amy' (127.0.0.1:{server.port}): the server's TLS "
            "certificate is not trusted (self-signed certificate): pass --cafile FILE with "
            "the certificate that signs it\n"
        )
        assert server.logged("alert unknown ca") == 1  # hung up in the handshake, once
        assert mailbox(server, "amy") == []

        not_pem = root / "company.yaml"  # a file, but no certificate in it
        wrong = run("push", str(amys), *ws, *AS_OF, "--cafile", str(not_pem), ok=False)
        assert wrong.exit_code == 2
        assert wrong.stderr == (
            f"Error: --cafile {not_pem}: not a PEM certificate file (NO_CERTIFICATE_OR_CRL_FOUND)\n"
        )

        done = run("push", str(amys), *ws, *AS_OF, "--cafile", str(server.cert)).stdout
        assert done.startswith("Pushed 3 drafts (amy → Drafts); 0 were there already")
        pushed = sorted(data for data, _flags in mailbox(server, "amy"))  # over TLS too
        assert pushed == sorted(path.read_bytes() for path in amys.glob("*.eml"))


LIMIT = "Maximum number of connections from user+IP exceeded"


def test_a_login_refused_while_the_server_is_busy_is_tried_again_after_a_pause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dovecot refuses a login past its connection limit (`NO [LIMIT]`): push pauses and
    logs in again once the other session (the rep's own mail client) has ended."""
    with imap_server(USERS, extra="mail_max_userip_connections = 1\n") as server:
        root = workspace(tmp_path, server, monkeypatch)
        amys = root / "amy"
        ws = drafted(root, amys, "--owner", "Amy Zhao", limit=3)
        held = connected(server, "amy")  # Amy's Thunderbird, for now

        def hang_up_once_refused() -> None:
            deadline = time.monotonic() + 20
            while LIMIT not in server.log() and time.monotonic() < deadline:
                time.sleep(0.02)
            held.logout()

        watcher = threading.Thread(target=hang_up_once_refused)
        watcher.start()
        started = time.monotonic()
        done = run("push", str(amys), *ws, *AS_OF).stdout
        watcher.join()
        assert time.monotonic() - started >= imap.BACKOFF  # it paused before the next login
        assert done.startswith("Pushed 3 drafts (amy → Drafts); 0 were there already; 0 failed.")
        assert server.logged(LIMIT) >= 1  # refused at first
        assert server.logged("Login: user=<amy>", expected=2) == 2  # Thunderbird's, push's
        assert len(mailbox(server, "amy")) == 3


def test_a_server_that_stays_busy_is_tried_a_bounded_number_of_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with imap_server(USERS, extra="mail_max_userip_connections = 1\n") as server:
        root = workspace(tmp_path, server, monkeypatch)
        amys = root / "amy"
        ws = drafted(root, amys, "--owner", "Amy Zhao", limit=3)
        held = connected(server, "amy")  # never let go
        monkeypatch.setattr(imap, "BACKOFF", 0.01)
        result = run("push", str(amys), *ws, *AS_OF, ok=False)
        assert result.exit_code == 2
        assert result.stderr == (
            f"Error: mail account 'amy' (127.0.0.1:{server.port}): cannot connect: [LIMIT] "
            f"{LIMIT} (mail_max_userip_connections=1) ({imap.ATTEMPTS} attempts)\n"
        )
        assert server.logged(LIMIT, expected=imap.ATTEMPTS) == imap.ATTEMPTS
        held.logout()
        assert mailbox(server, "amy") == []


def test_a_folder_that_is_not_there_is_one_line_and_not_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with imap_server(USERS) as server:
        root = workspace(tmp_path, server, monkeypatch)
        amys = root / "amy"
        ws = drafted(root, amys, "--owner", "Amy Zhao", limit=2)
        result = run("push", str(amys), *ws, *AS_OF, "--folder", "Entwürfe", ok=False)
        assert result.exit_code == 2
        assert result.stderr == (
            "Error: mail account 'amy': no folder 'Entwürfe' (folders: Drafts, Sent, INBOX)\n"
        )
        assert server.logged("Login: user=<amy>") == 1


def test_a_password_comes_from_the_accounts_variable_and_its_absence_names_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with imap_server(USERS) as server:
        root = workspace(tmp_path, server, monkeypatch)
        settings = root / "followup.toml"
        text = settings.read_text(encoding="utf-8").replace(
            "[mail.accounts.amy]\n", '[mail.accounts.amy]\npassword_env = "AMY_APP_PASSWORD"\n'
        )
        settings.write_text(text, encoding="utf-8")
        amys = root / "amy"
        ws = drafted(root, amys, "--owner", "Amy Zhao", limit=2)
        result = run("push", str(amys), *ws, *AS_OF, ok=False)  # FOLLOWUP_MAIL_AMY is not it
        assert result.exit_code == 2
        assert result.stderr.startswith(
            "Error: mail account 'amy': no password found in AMY_APP_PASSWORD or the system "
            "keyring ("
        )  # why not the keyring: not installed, no keyring here, or none for amy
        assert result.stderr.endswith(
            "): set AMY_APP_PASSWORD, or store it with `keyring set followup amy`; Gmail, "
            "Outlook 365 and Tencent Exmail need an app password\n"
        )
        assert "user=<amy>" not in server.log()  # nothing was tried without a password

        monkeypatch.setenv("AMY_APP_PASSWORD", USERS["amy"])
        done = run("push", str(amys), *ws, *AS_OF).stdout
        assert done.startswith("Pushed 2 drafts (amy → Drafts)")
        assert server.logged("Login: user=<amy>") == 1


def test_a_password_from_the_system_keyring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring = pytest.importorskip(
        "keyring", reason="the optional keyring package is not installed (pip install keyring)"
    )
    from keyring.backend import KeyringBackend

    class InMemory(KeyringBackend):  # the system keyring, without a desktop session
        priority = 1

        def __init__(self) -> None:
            super().__init__()
            self.saved: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.saved.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.saved[service, username] = password

        def delete_password(self, service: str, username: str) -> None:
            self.saved.pop((service, username), None)

    previous = keyring.get_keyring()
    keyring.set_keyring(InMemory())
    try:
        with imap_server(USERS) as server:
            root = workspace(tmp_path, server, monkeypatch)
            monkeypatch.delenv("FOLLOWUP_MAIL_AMY")
            amys = root / "amy"
            ws = drafted(root, amys, "--owner", "Amy Zhao", limit=2)
            empty = run("push", str(amys), *ws, *AS_OF, ok=False)
            assert empty.exit_code == 2
            assert "or the system keyring (it holds none for this user): " in empty.stderr
            keyring.set_password("followup", "amy", USERS["amy"])
            done = run("push", str(amys), *ws, *AS_OF)
            assert done.stdout.startswith("Pushed 2 drafts (amy → Drafts)")
            assert USERS["amy"] not in done.output + done.stderr
            assert len(mailbox(server, "amy")) == 2
    finally:
        keyring.set_keyring(previous)


def test_accounts_on_one_server_push_at_once_up_to_connections_per_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server's own count of open sessions (`doveadm who`), taken after each draft:
    never more than `connections_per_server` accounts of one host at once, and that many
    when there are that many accounts; each account's drafts go in in their order."""
    import dataclasses
    import subprocess

    from followup.data.facts import load_facts
    from followup.mailbox.push import push, targets
    from followup.settings import load_settings

    with imap_server(USERS) as server:
        root = workspace(tmp_path, server, monkeypatch)
        out = root / "ob"
        drafted(root, out)
        settings, facts = load_settings(root), load_facts(root / "company.yaml")
        assert settings.mail.connections_per_server == 2  # the default

        def sessions() -> set[str]:  # the users the server has a session of, now
            who = subprocess.run(["doveadm", "-c", str(server.config), "who", "-1"],
                                 check=True, capture_output=True, text=True).stdout  # fmt: skip
            return {line.split()[0] for line in who.splitlines()[1:] if line.strip()}

        def pushed_with(mail: object) -> list[set[str]]:
            seen: list[set[str]] = []
            started: set[str] = set()
            together = threading.Barrier(2, timeout=5)  # the first two accounts meet here

            def watch(_key: str, account: str) -> None:
                if account not in started:
                    started.add(account)
                    if len(started) <= 2:
                        together.wait()  # serial pushes never meet: BrokenBarrierError
                seen.append(sessions())

            found, result = targets(out, facts, settings, all_drafts=False)
            push(found, result, dataclasses.replace(settings, mail=mail), progress=watch)
            assert result.failed == [] and not result.errors
            return seen

        seen = pushed_with(settings.mail)
        assert max(map(len, seen)) == 2  # two of the four at once, never three
        found, _ = targets(out, facts, settings, all_drafts=False)
        for user in USERS:  # each account's drafts in the order of the outbox
            ids = [
                email.message_from_bytes(data)["Message-ID"] for data, _ in mailbox(server, user)
            ]
            assert ids == [t.message_id for t in found if t.account == user]

        elsewhere = {  # Jason's and Kevin's mailboxes on another host name: another server
            name: dataclasses.replace(account, host="localhost")
            if name in ("jason", "kevin") else account
            for name, account in settings.mail.accounts.items()
        }  # fmt: skip
        one_each = dataclasses.replace(settings.mail, accounts=elsewhere, connections_per_server=1)
        seen = pushed_with(one_each)
        assert max(map(len, seen)) == 2  # one a server, the two servers at once
        assert all(len(now & {"amy", "lily"}) <= 1 and len(now & {"jason", "kevin"}) <= 1
                   for now in seen)  # fmt: skip
