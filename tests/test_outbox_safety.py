"""The outbox under real conditions: two runs at once, hand edits, a hostile journal, a
dry run, a full disk, ids a case-insensitive disk would merge (issue 11, points 1-6, 15)."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from followup import files
from followup.errors import OutboxError
from followup.outbox import journal
from followup.outbox.lock import OutboxLock
from followup.outbox.names import safe_name
from tests.conftest import run, write

AS_OF = ("--as-of", "2026-11-22")
NEXT_DAY = ("--as-of", "2026-11-23")


def batch(out: Path, *args: str, ok: bool = True, workspace: Path | None = None) -> object:
    where = ("--workspace", str(workspace)) if workspace else ("--sample",)
    return run("batch", "--campaign", "thanks", *where, "--out", str(out), *AS_OF, *args, ok=ok)


def index(out: Path) -> list[dict[str, object]]:
    text = (out / "drafts.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def followup(*args: str) -> subprocess.Popen[str]:
    """The console script in a process of its own (as two reps' terminals would run it)."""
    code = "from followup.cli import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# --- 1. two runs into one outbox --------------------------------------------------------


def test_two_batches_into_one_outbox_at_once_both_land_in_the_index(tmp_path: Path) -> None:
    out = tmp_path / "ob"
    runs = [
        followup("batch", "--campaign", campaign, "--sample", "--out", str(out), *AS_OF)
        for campaign in ("reactivation", "urgency", "thanks")
    ]
    results = [process.communicate(timeout=120) for process in runs]
    assert [process.returncode for process in runs] == [0, 0, 0], results
    drafted = sum(int(stdout.split("Done: ")[1].split()[0]) for stdout, _ in results)
    records = index(out)
    assert len(records) == drafted > 200
    assert {r["campaign"] for r in records} == {"reactivation", "urgency", "thanks"}
    files_on_disk = {p.name for p in out.iterdir() if p.suffix in {".eml", ".txt"}}
    assert {r["file"] for r in records} == files_on_disk
    rows = (out / "drafts.csv").read_text(encoding="utf-8-sig").count("\n")
    assert rows > drafted  # header + one row each (bodies hold newlines too)
    journal_lines = (out / ".journal.jsonl").read_bytes().splitlines()
    assert len(journal_lines) == drafted


HOLD = """
import sys, time
from pathlib import Path
from followup.outbox.lock import OutboxLock
with OutboxLock(Path(sys.argv[1])):
    print("held", flush=True)
    if sys.argv[2] == "stdin":
        sys.stdin.read()  # until the test closes it
    else:
        time.sleep(float(sys.argv[2]))
"""


def hold_lock(folder: Path, seconds: float | None) -> subprocess.Popen[str]:
    """A process holding the outbox's lock for `seconds`, or (None) until its stdin closes."""
    folder.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder), "stdin" if seconds is None else str(seconds)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def test_a_second_run_waits_for_the_lock_and_says_who_holds_it(tmp_path: Path) -> None:
    out = tmp_path / "ob"
    holder = hold_lock(out, None)
    second = followup("batch", "--campaign", "thanks", "--sample", "--out", str(out), *AS_OF)
    assert second.stderr is not None and holder.stdin is not None
    seen = []
    for line in second.stderr:  # the second run says it waits, and for whom ...
        seen.append(line)
        if line.startswith("Note: waiting for"):
            break
    holder.stdin.close()  # ... then the first lets go, and the second goes on
    holder.wait(timeout=30)
    stdout, rest = second.communicate(timeout=120)
    assert second.returncode == 0, "".join(seen) + rest
    assert seen[-1].startswith(f"Note: waiting for {out}: locked by PID {holder.pid} (followup ")
    assert "Done: " in stdout and index(out)


def test_a_lock_left_by_a_killed_run_does_not_block_the_next(tmp_path: Path) -> None:
    out = tmp_path / "ob"
    holder = hold_lock(out, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    started = time.monotonic()
    with OutboxLock(out, timeout=5):
        pass
    assert time.monotonic() - started < 2


def test_a_lock_held_too_long_is_an_error_naming_its_holder(tmp_path: Path) -> None:
    out = tmp_path / "ob"
    holder = hold_lock(out, 30)
    try:
        with pytest.raises(OutboxError) as caught, OutboxLock(out, timeout=1):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert f"{out} is in use: locked by PID {holder.pid} (followup " in str(caught.value)


# --- 2. a rep's hand edit ---------------------------------------------------------------


def edit_one(out: Path) -> tuple[str, Path]:
    record = next(r for r in index(out) if r["channel"] == "email" and r["language"] == "en")
    path = out / str(record["file"])
    data = path.read_bytes().replace(b"Dear ", b"Dearest ", 1)
    assert data != path.read_bytes()
    path.write_bytes(data)
    return str(record["key"]), path


def test_a_rerun_the_next_day_keeps_unchanged_drafts_and_a_reps_edit(tmp_path: Path) -> None:
    out = tmp_path / "ob"
    first = batch(out).stdout
    drafted = int(first.split("Done: ")[1].split()[0])
    key, path = edit_one(out)
    edited = path.read_bytes()
    second = run("batch", "--campaign", "thanks", "--sample", "--out", str(out), *NEXT_DAY).stdout
    assert path.read_bytes() == edited  # never overwritten
    assert (
        f"1 draft edited by hand, kept as they are (--overwrite-edited redrafts them): {key}"
        in second
    )
    done = second.split("Done: ")[1]
    unchanged = int(done.split(" unchanged")[0].split(", ")[-1])
    assert unchanged > drafted // 2  # the text did not change: not made again tomorrow
    record = next(r for r in index(out) if r["key"] == key)
    assert record["edited"] is True and record["body"].startswith("Dearest ")
    csv = (out / "drafts.csv").read_text(encoding="utf-8-sig")
    assert "Dearest " in csv  # mail merge sends what is in the file


def test_overwrite_edited_redrafts_and_keeps_a_copy(tmp_path: Path) -> None:
    out = tmp_path / "ob"
    batch(out)
    key, path = edit_one(out)
    edited = path.read_bytes()
    batch(out, "--overwrite-edited")
    assert path.read_bytes() != edited
    (copy,) = (out / "replaced").iterdir()
    assert copy.name.endswith(path.name) and copy.read_bytes() == edited
    assert next(r for r in index(out) if r["key"] == key)["edited"] is False


# --- 3. the journal is input, not trusted ------------------------------------------------


def test_a_journal_that_is_a_link_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    out = tmp_path / "ob"
    out.mkdir()
    target = write(tmp_path / "elsewhere.txt", "mine\n")
    (out / ".journal.jsonl").symlink_to(target)
    result = batch(out, ok=False)
    assert result.exit_code == 2
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"Error: {out}/.journal.jsonl is a link, not the outbox's journal")
    assert target.read_text() == "mine\n"
    assert not list(out.glob("*.eml"))


def test_a_journal_that_is_a_pipe_or_a_folder_is_refused_at_once(tmp_path: Path) -> None:
    pipe, folder = tmp_path / "pipe", tmp_path / "folder"
    pipe.mkdir()
    os.mkfifo(pipe / ".journal.jsonl")
    (folder / ".journal.jsonl").mkdir(parents=True)
    started = time.monotonic()
    for out, what in ((pipe, "a pipe"), (folder, "a folder")):
        result = batch(out, ok=False)
        assert result.exit_code == 2
        assert f".journal.jsonl is {what}, not the outbox's journal file" in result.stderr
    assert time.monotonic() - started < 30


def test_bad_journal_lines_are_skipped_with_a_note_naming_the_line(tmp_path: Path) -> None:
    out = tmp_path / "ob"
    batch(out)
    lines = (out / ".journal.jsonl").read_text(encoding="utf-8").splitlines()
    no_status = json.loads(lines[0])
    del no_status["status"]
    index_file = {**json.loads(lines[1]), "file": "drafts.csv"}
    wrong_type = {**json.loads(lines[2]), "fingerprint": 42}
    broken = [json.dumps(no_status), json.dumps(index_file), json.dumps(wrong_type), "{oops"]
    (out / ".journal.jsonl").write_text("\n".join(broken + lines[3:]) + "\n", encoding="utf-8")
    notes = batch(out).stderr
    assert f"Note: {out}/.journal.jsonl line 1: skipped (status: Field required)\n" in notes
    assert "line 2: skipped (file: names the outbox's own drafts.csv)\n" in notes
    assert "line 3: skipped (fingerprint: Input should be a valid string)\n" in notes
    assert "line 4: skipped (not a JSON record)\n" in notes
    assert len(index(out)) == len(lines)  # the skipped ones were redone
    assert (out / "drafts.csv").stat().st_size > 0


# --- 4. a dry run is read-only; only our own dead temp files go -------------------------


def test_a_dry_run_changes_nothing_and_a_run_removes_only_dead_temp_files(tmp_path: Path) -> None:
    out = tmp_path / "ob"
    batch(out)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = write(out / f".C1001.thanks.email.eml.{dead.stdout.strip()}.3.tmp", "half")
    live = write(out / f".C1002.thanks.email.eml.{os.getpid()}.9.tmp", "being written")
    mine = write(out / ".notes.tmp", "a rep's own file")
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    batch(out, "--dry-run")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    (out / next(p for p in before if p.endswith(".eml"))).unlink()  # something to redo
    batch(out)
    assert not stale.exists()
    assert live.exists() and mine.exists()


# --- 5. disk full, a folder in the way ---------------------------------------------------


def test_a_full_disk_fails_the_drafts_it_stops_and_a_rerun_completes_byte_identically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = tmp_path / "clean"
    batch(clean)
    real_write_all = files._write_all
    calls = {"n": 0}

    def fill_up(fd: int, payload: bytes) -> None:
        calls["n"] += 1
        if calls["n"] > 30:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write_all(fd, payload)

    monkeypatch.setattr(files, "_write_all", fill_up)
    out = tmp_path / "ob"
    full = batch(out, ok=False)
    assert full.exit_code == 1
    assert (
        "failed (" in full.stdout
        and "cannot write draft files (No space left on device)" in full.stdout
    )
    assert "Done: 30 drafted" in full.stdout or "drafted" in full.stdout
    assert full.stderr.splitlines()[-1].startswith("Error: ")
    monkeypatch.setattr(files, "_write_all", real_write_all)
    batch(out)
    same = {p.name: p.read_bytes() for p in clean.iterdir() if p.name != ".journal.jsonl"}
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != ".journal.jsonl"} == same
    assert (out / ".journal.jsonl").read_bytes() == (clean / ".journal.jsonl").read_bytes()


def test_a_journal_that_cannot_grow_fails_those_drafts_with_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(folder: Path, data: bytes, *, end_line_first: bool = False) -> tuple[int, int]:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(journal, "append", no_space)
    result = batch(tmp_path / "ob", ok=False)
    assert result.exit_code == 1
    assert "/.journal.jsonl: No space left on device" in result.stdout
    assert "Traceback" not in result.output + result.stderr


def test_an_out_folder_that_cannot_be_made_is_one_line_and_exit_2(tmp_path: Path) -> None:
    blocker = write(tmp_path / "file", "x")
    result = batch(blocker / "ob", ok=False)
    assert result.exit_code == 2
    last = result.stderr.splitlines()[-1]
    assert last == f"Error: cannot make the outbox folder {blocker / 'ob'}: Not a directory"
    result = batch(blocker, ok=False)
    assert result.exit_code == 2
    last = result.stderr.splitlines()[-1]
    assert last == f"Error: Invalid value for '--out': Directory '{blocker}' is a file."


# --- 6. names on case-insensitive and Windows disks ------------------------------------


def test_file_names_are_distinct_under_case_folding_and_valid_on_windows() -> None:
    keys = ["c1.thanks.email", "C1.thanks.email", "CON.thanks.email", "nul.thanks.email",
            "COM1.thanks.email", "C1042.thanks.email", "cust-9.thanks.email"]  # fmt: skip
    names = [safe_name(key) for key in keys]
    assert len({name.casefold() for name in names}) == len(keys)
    assert names[5] == "C1042.thanks.email"  # the usual CRM id stays readable
    for name in names:
        assert name.split(".")[0].upper() not in {"CON", "NUL", "COM1"}
        assert not set('<>:"/\\|?*') & set(name) and not name.endswith((".", " "))


def test_ids_that_differ_only_by_case_get_their_own_files_and_a_preflight_note(
    sample_workspace: Path, tmp_path: Path
) -> None:
    customers = sample_workspace / "data" / "customers.csv"
    lines = customers.read_text(encoding="utf-8").splitlines()
    twin = lines[1].split(",", 1)
    lines.append(f"{twin[0].lower()},{twin[1]}")
    customers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "ob"
    done = batch(out, workspace=sample_workspace)
    upper, lower = twin[0], twin[0].lower()
    assert f"customer ids {upper}, {lower} differ only by case or width" in done.stdout


# --- 15. addresses checked before drafting; failures in the index ------------------------


def test_address_cells_are_checked_in_the_preflight(sample_workspace: Path, tmp_path: Path) -> None:
    customers = sample_workspace / "data" / "customers.csv"
    text = customers.read_text(encoding="utf-8")
    rows = text.splitlines()
    header = rows[0].split(",")
    email = header.index("email")
    first, second = rows[1].split(","), rows[2].split(",")
    first[email] = '"ana@x.com; compras@x.com"'
    second[email] = "chinedu@lagospower"
    rows[1], rows[2] = ",".join(first), ",".join(second)
    customers.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "ob"
    result = run("batch", "--campaign", "thanks", "--workspace", str(sample_workspace),
                 "--out", str(out), "--segment", first_segment(sample_workspace, first[0]),
                 "--segment", first_segment(sample_workspace, second[0]), *AS_OF)  # fmt: skip
    where = "ws/data/customers.csv"
    assert (
        f"{first[0]}: {where} row 2, column email holds 2 addresses: drafting to ana@x.com"
        in result.stdout
    )
    problem = (
        f"the email 'chinedu@lagospower' is not a usable address ({where} row 3, column email)"
    )
    blocked = [line for line in result.stdout.splitlines() if line.startswith(f"{second[0]} ")]
    assert [line.split(maxsplit=1)[1] for line in blocked] == [problem]  # whole, never cut
    drafted = next(r for r in index(out) if r["customer_id"] == first[0])
    assert drafted["recipient"] == "ana@x.com"


def first_segment(workspace: Path, customer_id: str) -> str:
    out = run("segment", "--workspace", str(workspace), *AS_OF, "--format", "json").stdout
    return next(
        c["segment"] for c in json.loads(out)["customers"] if c["customer_id"] == customer_id
    )
