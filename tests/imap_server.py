"""A real IMAP server for the tests: Debian's Dovecot on 127.0.0.1, with its own config,
users and maildirs in a temporary folder, stopped by its PID.

Tests that need it skip when `dovecot` is not installed (`apt-get install dovecot-imapd`)
unless `IMAP_TESTS_REQUIRED=1` (`.ci/run` sets it and installs the package).
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

import pytest

REQUIRED = os.environ.get("IMAP_TESTS_REQUIRED") == "1"


def dovecot() -> str:
    found = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )
    if found is None or os.geteuid() != 0:
        why = (
            "dovecot is not installed (apt-get install dovecot-imapd)"
            if found is None
            else ("dovecot's test setup runs as root (its mail user is nobody)")
        )
        if REQUIRED:
            pytest.fail(f"IMAP_TESTS_REQUIRED=1, but {why}")
        pytest.skip(why)
    return found


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    root: Path

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
ssl = no
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
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
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


QUOTA = """mail_plugins = $mail_plugins quota
plugin {{
  quota = maildir:User quota
  quota_rule = *:storage={kb}K
}}
"""


@contextmanager
def imap_server(
    users: dict[str, str], *, drafts: str = "Drafts", quota_kb: int | None = None
) -> Iterator[Server]:
    """Dovecot serving `users` (name -> password) on a free port, until the block ends.
    Its folder is made in the system's temp folder, not pytest's: Dovecot's own users
    (dovecot, nobody) must reach it, and pytest's folders are the owner's alone."""
    binary = dovecot()
    root = Path(tempfile.mkdtemp(prefix="followup-imap-"))
    try:
        with _serving(binary, root, users, drafts, quota_kb) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def _serving(
    binary: str, root: Path, users: dict[str, str], drafts: str, quota_kb: int | None
) -> Iterator[Server]:
    for folder in ("run", "state", "mail"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "passwd").write_text("".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in users.items()))
    os.chmod(root, 0o755)
    shutil.chown(root / "mail", "nobody", "nogroup")
    port = _free_port()
    config = root / "dovecot.conf"
    text = CONFIG.format(root=root, port=port, drafts=drafts)
    if quota_kb is not None:  # every mailbox this small: an APPEND past it is [OVERQUOTA]
        text += QUOTA.format(kb=quota_kb)
    config.write_text(text, encoding="utf-8")
    subprocess.run([binary, "-c", str(config)], check=True)
    pid_file = root / "run" / "master.pid"
    try:
        _wait_for(port)
        yield Server("127.0.0.1", port, root)
    finally:
        if pid_file.exists():
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)


def _wait_for(port: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"dovecot did not listen on 127.0.0.1:{port}")
