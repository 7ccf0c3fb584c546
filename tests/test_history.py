"""The contact history: every draft a batch writes lands in the workspace's SQLite
database once, across outboxes, reruns and concurrent batches."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from followup.errors import ConfigError
from followup.history.store import HISTORY_FILE, connect, contacts
from followup.workspace import sample_root
from tests.conftest import run

AS_OF = ("--as-of", "2026-11-22")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    run("init", "ws", "--sample")
    return tmp_path / "ws"


def batch(root: Path, campaign: str, out: str, *extra: str) -> None:
    run("batch", "--campaign", campaign, "--workspace", str(root), *AS_OF, "--out",
        str(root / out), *extra)  # fmt: skip


def rows(root: Path) -> list[tuple[str, ...]]:
    with sqlite3.connect(root / HISTORY_FILE) as con:
        return con.execute(
            "SELECT customer_id, campaign, channel, outbox, file FROM drafts"
        ).fetchall()


def test_every_draft_is_recorded_once_across_reruns_and_outboxes(workspace: Path) -> None:
    batch(workspace, "thanks", "a")
    first = rows(workspace)
    written = len(list((workspace / "a").glob("*.eml")))
    assert len(first) == written > 50
    batch(workspace, "thanks", "a")  # a rerun: the same rows, no second copy
    assert rows(workspace) == first
    batch(workspace, "urgency", "b", "--limit", "5")
    assert len(rows(workspace)) == written + 5
    with sqlite3.connect(workspace / HISTORY_FILE) as con:
        assert con.execute("PRAGMA user_version").fetchone() == (1,)
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    amy = contacts(workspace, rep="amy zhao")
    assert amy and {c.rep for c in amy} == {"Amy Zhao"} and all(c.status == "drafted" for c in amy)


def test_two_batches_at_once_both_land_in_the_history(workspace: Path) -> None:
    main = "import sys; from followup.cli import main; sys.exit(main())"
    command = [sys.executable, "-c", main, "batch", "--workspace", str(workspace), *AS_OF]
    runs = [
        subprocess.Popen(
            [*command, "--campaign", campaign, "--out", str(workspace / campaign)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for campaign in ("thanks", "urgency", "reactivation")
    ]
    for process in runs:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    folders = [workspace / c for c in ("thanks", "urgency", "reactivation")]
    on_disk = sum(len([*f.glob("*.eml"), *f.glob("*.txt")]) for f in folders)
    assert len(rows(workspace)) == on_disk  # every .eml/.txt, none lost to a busy database


def test_history_shows_a_buyers_timeline_and_each_reps_follow_ups(workspace: Path) -> None:
    batch(workspace, "thanks", "a")
    timeline = run("history", "C1055", "--workspace", str(workspace), *AS_OF).stdout
    lines = timeline.splitlines()
    assert lines[0] == "C1055"
    assert any(line.startswith("2026-08-03  order  SO-2026-0176: 12,513 EUR") for line in lines)
    assert lines[-1].startswith("2026-11-22  draft  thanks email (de), Amy Zhao, drafted:")
    counts = run("history", "--workspace", str(workspace), "--since", "30d", *AS_OF).stdout
    assert counts.startswith("Follow-ups drafted from 2026-10-24 to 2026-11-22: ")
    assert any(line.split()[:3] == ["Amy", "Zhao", "thanks"] for line in counts.splitlines())
    by_alias = run("history", "--workspace", str(workspace), "--rep", "赵敏", *AS_OF).stdout
    assert by_alias.splitlines()[3].split()[:3] == ["Amy", "Zhao", "thanks"]
    later = run("history", "--workspace", str(workspace), "--since", "7d", "--as-of", "2027-01-31")
    assert later.stdout == "No follow-ups drafted from 2027-01-25 to 2027-01-31.\n"


def test_the_bundled_sample_keeps_no_history(tmp_path: Path) -> None:
    run("batch", "--campaign", "thanks", "--sample", *AS_OF, "--out", str(tmp_path / "o"),
        "--limit", "2")  # fmt: skip
    assert not (sample_root() / HISTORY_FILE).exists()


def test_a_history_from_a_newer_followup_is_refused(workspace: Path) -> None:
    with connect(workspace):
        pass
    with sqlite3.connect(workspace / HISTORY_FILE) as con:
        con.execute("PRAGMA user_version = 99")
    with pytest.raises(ConfigError, match="written by a newer followup"), connect(workspace):
        pass


def test_a_history_that_cannot_be_written_keeps_the_drafts_and_exits_1(workspace: Path) -> None:
    (workspace / HISTORY_FILE).mkdir()  # in the way: the database cannot be opened
    args = ("batch", "--campaign", "thanks", "--workspace", str(workspace), *AS_OF)
    result = run(*args, "--out", str(workspace / "a"), "--limit", "3", ok=False)
    assert result.exit_code == 1
    assert "the contact history was not updated: cannot write " in result.stderr
    assert len(list((workspace / "a").glob("*.eml"))) == 3  # the drafts stay
