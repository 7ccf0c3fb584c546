"""A real IMAP server for the tests: Debian's Dovecot on 127.0.0.1, with its own config,
users and maildirs in a temporary folder, stopped by its PID.

Tests that need it skip when `dovecot` is not installed (`apt-get install dovecot-imapd`)
unless `IMAP_TESTS_REQUIRED=1` (`.ci/run` sets it and installs the package).

`tls=True` serves IMAPS instead (`ssl = required`) with a self-signed certificate for
127.0.0.1 made by `openssl req -x509` in the server's folder (`Server.cert`): a client
trusts it only when given that file as its CA. `serving(...)` starts one without pytest
(bench/bench_push.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REQUIRED = os.environ.get("IMAP_TESTS_REQUIRED") == "1"


def missing(*, tls: bool = False) -> str | None:
    """Why Dovecot cannot be started here (with IMAPS: `tls`), or None."""
    if find_dovecot() is None:
        return "dovecot is not installed (apt-get install dovecot-imapd)"
    if os.geteuid() != 0:
        return "dovecot's test setup runs as root (its mail user is nobody)"
    if tls and shutil.which("openssl") is None:
        return "openssl is not installed (apt-get install openssl): IMAPS needs a certificate"
    return None


def find_dovecot() -> str | None:
    return shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )


def dovecot(*, tls: bool = False) -> str:
    """The dovecot binary, or the test skips (fails when IMAP_TESTS_REQUIRED=1)."""
    import pytest

    why = missing(tls=tls)
    found = find_dovecot()
    if why is not None or found is None:
        why = why or "dovecot is not installed"
        if REQUIRED:
            pytest.fail(f"IMAP_TESTS_REQUIRED=1, but {why}")
        pytest.skip(why)
    return found


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    root: Path
    cert: Path | None = None  # IMAPS: the self-signed certificate (a client's --cafile)

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    def log(self) -> str:
        """Dovecot's log so far (logins, refusals, disconnections)."""
        return (self.root / "dovecot.log").read_text(encoding="utf-8", errors="replace")

    def logged(self, text: str, *, expected: int = 1, seconds: float = 5.0) -> int:
        """How many lines of the log hold `text`, once `expected` of them are there or
        `seconds` have passed (Dovecot's log process writes a moment later)."""
        deadline = time.monotonic() + seconds
        while True:
            found = sum(text in line for line in self.log().splitlines())
            if found >= expected or time.monotonic() > deadline:
                return found
            time.sleep(0.02)

    def maildir(self, user: str) -> Path:
        return self.root / "mail" / user


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


CONFIG = """protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = dovecot
default_login_user = dovenull
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/mail/%u
}}
mail_location = maildir:{root}/mail/%u
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox "{drafts}" {{
    special_use = \\Drafts
    auto = subscribe
  }}
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
}}
"""


PLAIN = "ssl = no"
#: IMAPS only: the plain listener is off, and TLS is required of every connection
TLS = """ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem"""

QUOTA = """mail_plugins = $mail_plugins quota
plugin {{
  quota = maildir:User quota
  quota_rule = *:storage={kb}K
}}
"""


@contextmanager
def imap_server(
    users: dict[str, str],
    *,
    drafts: str = "Drafts",
    quota_kb: int | None = None,
    tls: bool = False,
    extra: str = "",
) -> Iterator[Server]:
    """Dovecot serving `users` (name -> password) on a free port, until the block ends
    (the test skips when Dovecot cannot run here). `extra`: more config lines."""
    with serving(
        dovecot(tls=tls), users, drafts=drafts, quota_kb=quota_kb, tls=tls, extra=extra
    ) as on:
        yield on


@contextmanager
def serving(
    binary: str,
    users: dict[str, str],
    *,
    drafts: str = "Drafts",
    quota_kb: int | None = None,
    tls: bool = False,
    extra: str = "",
) -> Iterator[Server]:
    """Dovecot (`binary`) serving `users`, its folder removed at the end. The folder is
    made in the system's temp folder, not pytest's: Dovecot's own users (dovecot, nobody)
    must reach it, and pytest's folders are the owner's alone."""
    root = Path(tempfile.mkdtemp(prefix="followup-imap-"))
    try:
        with _serving(binary, root, users, drafts, quota_kb, tls, extra) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def _serving(
    binary: str,
    root: Path,
    users: dict[str, str],
    drafts: str,
    quota_kb: int | None,
    tls: bool,
    extra: str,
) -> Iterator[Server]:
    for folder in ("run", "state", "mail"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "passwd").write_text("".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in users.items()))
    os.chmod(root, 0o755)
    shutil.chown(root / "mail", "nobody", "nogroup")
    port = _free_port()
    ports = {"imap_port": 0, "imaps_port": port} if tls else {"imap_port": port, "imaps_port": 0}
    cert = _self_signed(root) if tls else None
    ssl = TLS.format(root=root) if tls else PLAIN
    config = root / "dovecot.conf"
    text = CONFIG.format(root=root, drafts=drafts, ssl=ssl, **ports)
    if quota_kb is not None:  # every mailbox this small: an APPEND past it is [OVERQUOTA]
        text += QUOTA.format(kb=quota_kb)
    config.write_text(text + extra, encoding="utf-8")
    subprocess.run([binary, "-c", str(config)], check=True)
    pid_file = root / "run" / "master.pid"
    try:
        _wait_for(port)
        yield Server("127.0.0.1", port, root, cert)
    finally:
        if pid_file.exists():
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)


def _self_signed(root: Path) -> Path:
    """A self-signed certificate for 127.0.0.1 (an EC key: made in milliseconds)."""
    cert = root / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(root / "key.pem"), "-out", str(cert), "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert


def _wait_for(port: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"dovecot did not listen on 127.0.0.1:{port}")
