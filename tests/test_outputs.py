"""atomic_write: whole files only, by either route (unnamed file + link, or temp + rename)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from followup import files as outputs
from followup.errors import FollowupError
from followup.files import atomic_write

UNNAMED = hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd")


@pytest.fixture(params=["unnamed", "renamed"])
def route(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs both ways: the unnamed-file route (where the system has it) and the
    temp-file route every system has."""
    if request.param == "unnamed" and not UNNAMED:
        pytest.skip("no O_TMPFILE here")
    if request.param == "renamed":
        monkeypatch.setattr(outputs, "_O_TMPFILE", 0)
    return str(request.param)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_new_file(tmp_path: Path, route: str) -> None:
    target = tmp_path / "draft.eml"
    atomic_write(target, "Grüße\n")
    assert target.read_bytes() == "Grüße\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~_umask()
    assert os.listdir(tmp_path) == ["draft.eml"]


def test_replacing_swaps_the_whole_file(tmp_path: Path, route: str) -> None:
    target = tmp_path / "drafts.csv"
    target.write_bytes(b"old\n")
    with target.open("rb") as reader:  # a reader of the old file keeps the old file
        atomic_write(target, b"new\n", durable=True)
        assert reader.read() == b"old\n"
    assert target.read_bytes() == b"new\n"
    assert os.listdir(tmp_path) == ["drafts.csv"]


def test_missing_folder_is_made(tmp_path: Path, route: str) -> None:
    target = tmp_path / "outbox" / "nested" / "a.txt"
    atomic_write(target, "hello")
    assert target.read_text() == "hello"


def test_failed_write_leaves_the_old_file_and_no_trace(
    tmp_path: Path, route: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "drafts.jsonl"
    target.write_bytes(b"kept\n")

    def disk_full(fd: int, payload: bytes) -> None:
        os.write(fd, payload[:3])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs, "_write_all", disk_full)
    with pytest.raises(FollowupError, match=r"cannot write .*drafts\.jsonl: No space left"):
        atomic_write(target, b"a long new index\n")
    with pytest.raises(FollowupError):
        atomic_write(tmp_path / "new.eml", b"a new draft\n")
    assert target.read_bytes() == b"kept\n"
    assert os.listdir(tmp_path) == ["drafts.jsonl"]


@pytest.mark.skipif(not UNNAMED, reason="no O_TMPFILE here")
def test_a_new_file_is_linked_in_without_a_temp_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One directory entry made per new file: no temp file is created, nothing renamed."""

    def no_rename(*_args: object) -> None:
        raise AssertionError("renamed")

    monkeypatch.setattr(os, "replace", no_rename)
    atomic_write(tmp_path / "a.eml", b"x")
    assert (tmp_path / "a.eml").read_bytes() == b"x"


@pytest.mark.skipif(not UNNAMED, reason="no O_TMPFILE here")
def test_a_file_system_without_unnamed_files_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open

    def no_tmpfile(path: str, flags: int, mode: int = 0o777) -> int:
        if flags & os.O_TMPFILE == os.O_TMPFILE:
            raise OSError(errno.EOPNOTSUPP, "Operation not supported")
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", no_tmpfile)
    atomic_write(tmp_path / "a.eml", b"x")
    atomic_write(tmp_path / "a.eml", b"y")
    assert (tmp_path / "a.eml").read_bytes() == b"y"
    assert os.listdir(tmp_path) == ["a.eml"]


@pytest.mark.skipif(not UNNAMED, reason="no O_TMPFILE here")
def test_a_link_the_system_refuses_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some file systems make unnamed files but will not link them in (or /proc is odd)."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", refuse)
    atomic_write(tmp_path / "a.eml", b"x")
    assert (tmp_path / "a.eml").read_bytes() == b"x"
    assert os.listdir(tmp_path) == ["a.eml"]
