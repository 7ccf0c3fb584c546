"""One writer at a time in an outbox folder: an advisory lock with its holder written in it.

The lock is `filelock`'s (`flock` on Linux and macOS, `LockFileEx` on Windows): the
operating system releases it when its holder exits, however it exits, so a lock left by
a killed run never blocks the next one. Followup holds it only while it appends to the
journal or rebuilds the index, so two runs into one outbox take turns and both land.
After taking it, a holder writes its PID, command line and start time into the lock
file; a run that has to wait reads them and says who it waits for. A lock that stays
taken longer than the timeout is an error naming its holder, never a hang.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from followup.errors import OutboxError

if TYPE_CHECKING:
    from filelock import BaseFileLock

LOCK_FILE = ".lock"
WAIT_TIMEOUT = 600.0  # seconds: the longest another run may hold the outbox before we give up
SAY_AFTER = 1.0  # a wait shorter than this is not worth a message


class OutboxLock:
    """`with lock:` holds the outbox's lock (one thread at a time: the outbox serialises its
    own threads before it takes the lock)."""

    def __init__(
        self,
        folder: Path,
        *,
        on_wait: Callable[[str], None] | None = None,
        timeout: float = WAIT_TIMEOUT,
    ) -> None:
        self.path = folder / LOCK_FILE
        self.on_wait = on_wait
        self.timeout = timeout
        self._lock: BaseFileLock | None = None

    def __enter__(self) -> OutboxLock:
        lock = self._file_lock()
        if not _try(lock, 0):
            self._wait(lock)
        self._write_holder(_me())
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._lock is not None:
            self._write_holder(None)  # an empty lock file: the same in every outbox
            self._lock.release()

    def _file_lock(self) -> BaseFileLock:
        if self._lock is None:
            from filelock import FileLock

            self._lock = FileLock(self.path, thread_local=False)
        return self._lock

    def _wait(self, lock: BaseFileLock) -> None:
        started = time.monotonic()
        said = False
        while not _try(lock, 0.2):
            waited = time.monotonic() - started
            if not said and waited >= SAY_AFTER and self.on_wait is not None:
                self.on_wait(f"waiting for {self.path.parent}: {holder(self.path)}")
                said = True
            if waited >= self.timeout:
                raise OutboxError(
                    f"{self.path.parent} is in use: {holder(self.path)}, for more than "
                    f"{self.timeout:.0f} s; wait for it to finish, or stop it, then run again"
                )

    def _write_holder(self, holder: bytes | None) -> None:
        """Who holds the lock, for a run that has to wait (best effort: the lock is held)."""
        with contextlib.suppress(OSError):
            fd = os.open(self.path, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0))
            try:
                if holder:
                    os.write(fd, holder)
            finally:
                os.close(fd)


def _me() -> bytes:
    """This process as a lock holder: PID, command line, since when."""
    record = {
        "pid": os.getpid(),
        "command": " ".join(["followup", *sys.argv[1:]])[:300],
        "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return json.dumps(record).encode("utf-8")


def _try(lock: BaseFileLock, timeout: float) -> bool:
    from filelock import Timeout

    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        return False
    except OSError as exc:
        raise OutboxError(
            f"cannot lock {lock.lock_file}: {exc.strerror or exc}: is the outbox folder writable?"
        ) from None
    return True


def holder(path: Path) -> str:
    """`locked by PID 4242 (followup batch --campaign urgency) since 2026-12-03T09:12:00+00:00`."""
    try:
        record = json.loads(path.read_bytes()[:2000])
        pid, command, since = int(record["pid"]), str(record["command"]), str(record["since"])
    except (OSError, ValueError, KeyError, TypeError):
        return "locked by another run"
    alive = "" if process_alive(pid) else ", which is no longer running"
    return f"locked by PID {pid} ({command}) since {since}{alive}"


def process_alive(pid: int) -> bool:
    """Whether a process with this PID exists (on this machine)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - os.kill(pid, 0) would end it there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
