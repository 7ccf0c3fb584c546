"""review.xlsx: the batch writes it, a manager decides in it, `review apply` reads it back,
and what comes after obeys it (real XLSX files, opened back with openpyxl)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook

from followup.history.store import HISTORY_FILE
from followup.outbox.review import approved
from followup.outbox.sheet import COLUMNS
from tests.conftest import run

AS_OF = ("--as-of", "2026-11-22")
HEADER = {c.name: c.label for c in COLUMNS}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    run("init", "ws", "--sample")
    return tmp_path / "ws"


def batch(root: Path, *extra: str, out: str = "outbox") -> Path:
    run("batch", "--campaign", "urgency", "--workspace", str(root), *AS_OF, "--limit", "4",
        "--out", str(root / out), *extra)  # fmt: skip
    return root / out


def sheet_rows(path: Path) -> list[dict[str, object]]:
    sheet = load_workbook(path).active
    header = [str(cell.value).split(" ", 1)[0] for cell in sheet[1]]
    return [
        dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]


def decide(path: Path, choices: dict[str, tuple[str, str]]) -> None:
    """As a manager does in Excel: a decision (and a comment) on some rows, then save."""
    workbook = load_workbook(path)
    sheet = workbook.active
    names = [str(cell.value).split(" ", 1)[0] for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        key = row[names.index("key")].value
        if key in choices:
            row[names.index("decision")].value, row[names.index("comment")].value = choices[key]
    workbook.save(path)


def test_the_batch_writes_a_review_sheet_a_manager_can_fill_in(workspace: Path) -> None:
    outbox = batch(workspace)
    path = outbox / "review.xlsx"
    sheet = load_workbook(path).active
    assert [cell.value for cell in sheet[1]] == [c.label for c in COLUMNS]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:Z{sheet.max_row}"
    (listed,) = sheet.data_validations.dataValidation
    assert listed.formula1 == '"send,hold,edit"' and listed.allow_blank
    assert str(listed.sqref) == f"B2:B{sheet.max_row}"
    assert "发送" in (listed.prompt or "") and listed.showInputMessage
    assert sheet.column_dimensions["Z"].hidden  # the draft's hash: not for editing
    assert sheet["N2"].alignment.wrap_text and sheet.column_dimensions["N"].width == 80
    rows = sheet_rows(path)
    records = [json.loads(line) for line in (outbox / "drafts.jsonl").read_text().splitlines()]
    assert [r["key"] for r in rows] == [r["key"] for r in records] and len(rows) == 4
    first, record = rows[0], records[0]
    assert first["body"] == record["body"] and first["subject"] == record["subject"]
    assert first["draft_sha256"] == record["file_sha256"]
    assert first["decision"] is None and first["state"] == "to review 待审"
    assert first["template_status"] == "approved 已批准" and first["engine"] == "template"
    assert first["summary_zh"].startswith("主题：")  # the Chinese view, from the index
    # the dated facts the draft was given, by role, to check it against
    assert first["facts"].startswith("offer: ") and "last slot: " in first["facts"]
    assert path.read_bytes() == (batch(workspace) / "review.xlsx").read_bytes()  # same bytes


def test_review_round_trip_decide_apply_and_only_send_goes_out(workspace: Path) -> None:
    outbox = batch(workspace)
    keys = [r["key"] for r in sheet_rows(outbox / "review.xlsx")]
    decide(outbox / "review.xlsx", {keys[0]: ("send", ""), keys[1]: ("暂缓", "wait for the new price"),
                                    keys[2]: ("Edit", "")})  # fmt: skip
    result = run("review", "apply", str(outbox / "review.xlsx"), "--workspace", str(workspace))
    assert result.output.startswith(
        f"Applied {outbox / 'review.xlsx'} to {outbox}/: 3 decisions recorded "
        "(edit 1, hold 1, send 1), 1 rows without a decision.\n"
    )
    assert "Contact history: 3 drafts marked reviewed." in result.output
    index = {
        r["key"]: r for r in map(json.loads, (outbox / "drafts.jsonl").read_text().splitlines())
    }
    assert (index[keys[1]]["decision"], index[keys[1]]["comment"]) == (
        "hold",
        "wait for the new price",
    )
    assert index[keys[0]]["review_state"] == "reviewed" and "decision" not in index[keys[3]]
    with (outbox / "drafts.csv").open(encoding="utf-8-sig", newline="") as handle:
        by_key = {row["key"]: row for row in csv.DictReader(handle)}
    assert by_key[keys[2]]["decision"] == "edit" and by_key[keys[3]]["decision"] == ""
    assert [r["key"] for r in approved(outbox)] == [keys[0]]
    exported = outbox.parent / "send.csv"
    run("review", "export", str(outbox), "--only-approved", "--output", str(exported))
    data = exported.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # for Excel
    assert [row["key"] for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))] == [
        keys[0]
    ]
    with sqlite3.connect(workspace / HISTORY_FILE) as con:
        events = con.execute(
            "SELECT d.file, e.detail FROM events e JOIN drafts d ON d.id = e.draft_id "
            "WHERE e.kind = 'reviewed' ORDER BY d.file"
        ).fetchall()
    assert sorted(detail for _, detail in events) == ["edit", "hold", "send"]
    again = run("review", "apply", str(outbox / "review.xlsx"), "--workspace", str(workspace))
    assert "0 decisions recorded, 3 recorded before (kept)" in again.output  # idempotent
    assert len((outbox / "review.jsonl").read_text().splitlines()) == 3
    with sqlite3.connect(workspace / HISTORY_FILE) as con:
        assert con.execute("SELECT COUNT(*) FROM events WHERE kind = 'reviewed'").fetchone() == (3,)
    rerun = batch(workspace)  # a rerun keeps the decisions of unchanged drafts
    assert [r["decision"] for r in sheet_rows(rerun / "review.xlsx")] == [
        "send",
        "hold",
        "edit",
        None,
    ]
    assert not (outbox / "replaced").exists()  # the sheet applied is not kept as a copy


def test_a_draft_edited_after_review_is_shown_changed_and_not_sent(workspace: Path) -> None:
    outbox = batch(workspace)
    keys = [r["key"] for r in sheet_rows(outbox / "review.xlsx")]
    decide(outbox / "review.xlsx", {keys[0]: ("send", ""), keys[1]: ("send", "")})
    run("review", "apply", str(outbox / "review.xlsx"))
    edited = outbox / f"{keys[0]}.eml"
    data = edited.read_bytes()
    blank = b"\r\n\r\n" if b"\r\n\r\n" in data else b"\n\n"  # headers, then the body
    edited.write_bytes(data.replace(blank, blank + b"P.S. a rep's line." + blank[:2], 1))
    assert [r["key"] for r in approved(outbox)] == [keys[1]]  # the edit needs review again
    run("review", "sheet", str(outbox), *AS_OF)
    first, second = sheet_rows(outbox / "review.xlsx")[:2]
    assert first["decision"] is None and str(first["state"]).startswith("changed since review")
    assert "edited by hand" in str(first["state"])
    assert second["decision"] == "send" and second["state"] == "reviewed 已审"
    # applying the old decisions again: the changed row is reported, not applied
    decide(outbox / "review.xlsx", {keys[0]: ("send", "")})
    sheet = load_workbook(outbox / "review.xlsx")
    sheet.active["Z2"] = "0" * 64  # as the sheet written before the edit said
    sheet.save(outbox / "review.xlsx")
    result = run("review", "apply", str(outbox / "review.xlsx"))
    assert (
        f"1 changed since the sheet was written (not applied: review again): row 2 {keys[0]}"
        in (result.output)
    )
    assert [r["key"] for r in approved(outbox)] == [keys[1]]
    # reviewed again as it is now: the edited text is what goes out
    run("review", "sheet", str(outbox), *AS_OF)
    decide(outbox / "review.xlsx", {keys[0]: ("send", "")})
    run("review", "apply", str(outbox / "review.xlsx"))
    sent = {r["key"]: r for r in approved(outbox)}
    assert set(sent) == {keys[0], keys[1]} and "P.S. a rep's line." in sent[keys[0]]["body"]


def test_a_redrafted_draft_loses_its_decision(workspace: Path) -> None:
    outbox = batch(workspace)
    keys = [r["key"] for r in sheet_rows(outbox / "review.xlsx")]
    decide(outbox / "review.xlsx", {keys[0]: ("send", "")})
    run("review", "apply", str(outbox / "review.xlsx"))
    customers = workspace / "data" / "customers.csv"
    name = str(sheet_rows(outbox / "review.xlsx")[0]["contact"])
    customers.write_text(customers.read_text(encoding="utf-8").replace(name, "Ana Ruiz"), "utf-8")
    result = run("batch", "--campaign", "urgency", "--workspace", str(workspace), *AS_OF,
                 "--limit", "4", "--out", str(outbox))  # fmt: skip
    assert "Done: 1 drafted, 3 unchanged" in result.output  # a new contact: drafted again
    (row, *_) = sheet_rows(outbox / "review.xlsx")
    assert row["decision"] is None and str(row["state"]).startswith("changed since review")
    assert approved(outbox) == []


@pytest.mark.parametrize(
    ("value", "column", "problem"),
    [
        ("maybe", HEADER["decision"], '"maybe" is not a decision: use send, hold or edit '
         "(发送 / 暂缓 / 修改), or leave it empty"),
        ("send", HEADER["key"], '"C9999.urgency.email" is no draft of {outbox}: is this the '
         "review sheet of another outbox?"),
    ],
)  # fmt: skip
def test_a_bad_row_is_reported_by_row_and_nothing_is_recorded(
    workspace: Path, value: str, column: str, problem: str
) -> None:
    outbox = batch(workspace)
    keys = [r["key"] for r in sheet_rows(outbox / "review.xlsx")]
    decide(outbox / "review.xlsx", {keys[0]: ("send", ""), keys[2]: (value, "")})
    if "C9999" in problem:
        workbook = load_workbook(outbox / "review.xlsx")
        workbook.active["A4"] = "C9999.urgency.email"
        workbook.save(outbox / "review.xlsx")
    before = (outbox / "drafts.jsonl").read_bytes()
    result = run("review", "apply", str(outbox / "review.xlsx"), ok=False)
    assert result.exit_code == 2
    where = f'{outbox / "review.xlsx"} row 4, column "{column}"'
    expected = f"Error: {where}: {problem.format(outbox=outbox)}; nothing was recorded\n"
    assert result.stderr == expected
    assert (
        not (outbox / "review.jsonl").exists() and (outbox / "drafts.jsonl").read_bytes() == before
    )


def test_a_sheet_decided_but_not_applied_is_kept_when_a_batch_rewrites_it(workspace: Path) -> None:
    outbox = batch(workspace)
    keys = [r["key"] for r in sheet_rows(outbox / "review.xlsx")]
    decide(outbox / "review.xlsx", {keys[0]: ("hold", "")})
    batch(workspace)
    (kept,) = (outbox / "replaced").iterdir()
    assert sheet_rows(kept)[0]["decision"] == "hold"
    assert sheet_rows(outbox / "review.xlsx")[0]["decision"] is None
