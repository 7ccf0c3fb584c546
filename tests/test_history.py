"""The contact history: every draft a batch writes lands in the workspace's SQLite
database once, across outboxes, reruns and concurrent batches."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from followup.errors import ConfigError
from followup.history.store import HISTORY_FILE, MIGRATIONS, connect, contacts
from followup.workspace import sample_root
from tests.conftest import run

AS_OF = ("--as-of", "2026-11-22")
LATER = ("--as-of", "2026-11-30")


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
        assert con.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
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


# --------------------------------------------------------------------------- --mark-sent


def statuses(root: Path) -> dict[str, tuple[str, str | None]]:
    with sqlite3.connect(root / HISTORY_FILE) as con:
        found = con.execute("SELECT customer_id, status, status_on FROM drafts").fetchall()
    return {cid: (status, day) for cid, status, day in found}


def test_mark_sent_imports_a_list_of_sent_follow_ups(workspace: Path) -> None:
    batch(workspace, "thanks", "a")
    sent = workspace / "已发送.csv"  # as Excel saves it: BOM, Chinese headers
    sent.write_text(
        "客户编号,发送日期,活动\nC1055,2026-11-24,thanks\nC1001,,\n", encoding="utf-8-sig"
    )
    args = ("history", "--mark-sent", str(sent), "--workspace", str(workspace), *LATER)
    assert run(*args).stdout == f"Marked 2 drafts sent from {sent}\n"
    marked = {cid: s for cid, s in statuses(workspace).items() if s[0] == "sent"}
    assert marked == {"C1055": ("sent", "2026-11-24"), "C1001": ("sent", "2026-11-30")}
    again = run(*args).stdout  # the same list again: nothing new, the first day kept
    assert again == f"Marked 0 drafts sent from {sent} (2 marked sent before, kept)\n"
    timeline = run("history", "C1055", "--workspace", str(workspace), *LATER).stdout
    assert "thanks email (de), Amy Zhao, sent 2026-11-24: " in timeline


def test_a_sent_list_with_a_row_that_matches_no_draft_marks_nothing(workspace: Path) -> None:
    batch(workspace, "thanks", "a")
    before = statuses(workspace)
    sent = workspace / "sent.csv"
    sent.write_text(
        "customer_id,sent_on,campaign\nC1055,2026-11-24,\nC9999,2026-11-24,\nC1001,,urgency\n",
        encoding="utf-8",
    )
    result = run("history", "--mark-sent", str(sent), "--workspace", str(workspace), *LATER,
                 ok=False)  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.endswith(
        f"Error: {sent} row 3, column \"customer_id\": 'C9999' has no draft in the contact "
        "history on or before that day; 1 more rows like it: 4; nothing was marked\n"
    )
    assert statuses(workspace) == before


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("2026-13-01", 'column "sent_on": "2026-13-01" not a date'),
        ("2027-01-05", 'column "sent_on": "2027-01-05" after 2026-11-30'),
    ],
)
def test_a_bad_day_in_a_sent_list_names_the_row(workspace: Path, cell: str, problem: str) -> None:
    batch(workspace, "thanks", "a", "--limit", "1")
    sent = workspace / "sent.csv"
    sent.write_text(f"customer_id,sent_on\nC1055,2026-11-24\nC1001,{cell}\n", encoding="utf-8")
    result = run("history", "--mark-sent", str(sent), "--workspace", str(workspace), *LATER,
                 ok=False)  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: {sent} row 3, {problem}\n")


def test_a_version_1_history_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    con = sqlite3.connect(tmp_path / HISTORY_FILE)
    for statement in MIGRATIONS[0]:
        con.execute(statement)
    con.execute(
        "INSERT INTO drafts (customer_id, campaign, channel, language, rep, drafted_on, "
        "written_at, engine, fingerprint, outbox, file) VALUES ('C1', 'thanks', 'email', 'en', "
        "'Amy Zhao', '2026-11-01', '2026-11-01T08:00:00+00:00', 'template', 'f', '/ob', 'x.eml')"
    )
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    (found,) = contacts(tmp_path)
    assert (found.customer_id, found.status, found.status_on) == ("C1", "drafted", None)
    with connect(tmp_path) as con:
        assert con.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
