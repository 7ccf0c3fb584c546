"""Every tabular output (segment, segment --summary, losses, plan) as a table, CSV, JSON or
a real Excel workbook, chosen by --format or the --output extension; CSV files for people
start with a UTF-8 BOM, CSV on a pipe does not. Workbooks are opened back with openpyxl."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from pathlib import Path

import openpyxl
import pytest

from followup.files import EXCEL_BOM, for_excel, write_csv_file
from followup.xlsx import MONEY_FORMAT, PERCENT_FORMAT, Sheet, workbook_bytes
from tests.conftest import run

AS_OF = ("--as-of", "2026-11-22")
COMMANDS = {
    "segment": ("segment", "--sample", *AS_OF),
    "summary": ("segment", "--sample", *AS_OF, "--summary"),
    "losses": ("losses", "--sample", *AS_OF),
    "plan": ("plan", "--sample", "--year", "2027", *AS_OF),
}


def book(path: Path) -> openpyxl.Workbook:
    assert path.read_bytes()[:2] == b"PK"  # a zip: a workbook, not text
    return openpyxl.load_workbook(path)


def check_layout(sheet: openpyxl.worksheet.worksheet.Worksheet) -> None:
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert (
        sheet.auto_filter.ref
        == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    )


@pytest.mark.parametrize("name", list(COMMANDS))
def test_an_xlsx_output_is_a_workbook_for_every_tabular_command(tmp_path: Path, name: str) -> None:
    target = tmp_path / "out.xlsx"
    result = run(*COMMANDS[name], "--output", str(target))
    assert f"Wrote {target}" in result.stderr and result.stdout == ""
    for sheet in book(target).worksheets:
        check_layout(sheet)
    explicit = tmp_path / "explicit.xlsx"
    run(*COMMANDS[name], "--format", "xlsx", "--output", str(explicit))
    assert explicit.read_bytes() == target.read_bytes()


def test_segment_xlsx_has_typed_cells(tmp_path: Path) -> None:
    target = tmp_path / "seg.xlsx"
    run(*COMMANDS["segment"], "-o", str(target))
    workbook = book(target)
    assert workbook.sheetnames == ["Customers", "About"]
    sheet = workbook["Customers"]
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["customer_id", "company", "recency_days", "frequency", "monetary"]
    row = {name: sheet.cell(2, i + 1) for i, name in enumerate(header)}
    assert row["customer_id"].value == "C1001" and row["customer_id"].data_type == "s"
    assert row["recency_days"].value == 44 and row["recency_days"].data_type == "n"
    assert row["monetary"].value == 112844.5 and row["monetary"].number_format == MONEY_FORMAT
    assert row["last_order"].is_date and row["last_order"].value == dt.datetime(2026, 10, 9)
    assert row["last_order"].number_format == "yyyy-mm-dd"
    assert row["segment_label"].value == "冠军客户"
    widths = sheet.column_dimensions
    assert widths["A"].width == len("customer_id") + 2
    about = [[cell.value for cell in r] for r in workbook["About"].iter_rows()]
    assert about == [["setting", "value"], ["as_of", dt.datetime(2026, 11, 22)],
                     ["scheme", "classic"], ["currency", "USD"]]  # fmt: skip


def test_segment_summary_and_losses_xlsx_have_formatted_shares(tmp_path: Path) -> None:
    run(*COMMANDS["summary"], "-o", str(tmp_path / "s.xlsx"))
    segments = book(tmp_path / "s.xlsx")["Segments"]
    assert [cell.value for cell in segments[1]] == [
        "segment", "customers", "share", "revenue", "revenue_share", "median_recency_days"
    ]  # fmt: skip
    first = list(segments[2])
    assert first[0].value == "champions" and first[1].value == 29
    assert (first[2].value, first[2].number_format) == (0.0906, PERCENT_FORMAT)
    assert first[3].number_format == MONEY_FORMAT
    run(*COMMANDS["losses"], "-o", str(tmp_path / "l.xlsx"))
    losses = book(tmp_path / "l.xlsx")
    assert losses.sheetnames == ["By reason", "By segment", "By owner", "About"]
    reason = [cell.value for cell in losses["By reason"][2]]
    assert reason == ["price", "Price", 25, 0.3571, True]
    assert losses["By reason"]["D2"].number_format == PERCENT_FORMAT


def test_the_same_data_gives_the_same_workbook_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(*COMMANDS["segment"], "-o", str(tmp_path / "a.xlsx"))
    later = time.time() + 3 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)  # zipfile dates members with the clock
    run(*COMMANDS["segment"], "-o", str(tmp_path / "b.xlsx"))
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    props = book(tmp_path / "a.xlsx").properties
    assert props.created == props.modified == dt.datetime(2026, 11, 22)


@pytest.mark.parametrize("name", list(COMMANDS))
@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("-o", "out.xls"), "--output out.xls: unknown extension .xls: use .csv, .json, .xlsx or .txt (a table), or pass --format"),
        (("-o", "out"), "--output out: no extension: use .csv, .json, .xlsx or .txt (a table), or pass --format"),
        (("-o", "out.xlsx", "--format", "csv"), "--format csv does not fit --output out.xlsx: name the file .csv, or drop --format"),
        (("-o", "out.csv", "--format", "xlsx"), "--format xlsx does not fit --output out.csv: name the file .xlsx, or drop --format"),
        (("-o", "out.txt", "--format", "xlsx"), "--format xlsx does not fit --output out.txt: name the file .xlsx, or drop --format"),
        (("--format", "xlsx"), "--format xlsx needs --output FILE.xlsx: a workbook cannot be printed"),
    ],
)  # fmt: skip
def test_an_output_whose_format_is_unclear_is_a_usage_error_and_writes_nothing(
    tmp_path: Path, name: str, args: tuple[str, ...], problem: str
) -> None:
    result = run(*COMMANDS[name], *args, ok=False)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"Error: {problem}\n"  # before any work: not even the notes
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", list(COMMANDS))
def test_csv_files_start_with_a_bom_and_csv_on_a_pipe_does_not(tmp_path: Path, name: str) -> None:
    target = tmp_path / "out.csv"
    run(*COMMANDS[name], "-o", str(target))
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and not raw.startswith(b"\xef\xbb\xbf" * 2)
    piped = run(*COMMANDS[name], "--format", "csv").stdout
    assert not piped.startswith(EXCEL_BOM)
    assert raw.decode("utf-8-sig") == piped  # the same table, as Excel's "UTF-8" reads it


def test_chinese_labels_survive_the_csv_file(tmp_path: Path) -> None:
    target = tmp_path / "cn8.csv"
    run("segment", "--sample", *AS_OF, "--scheme", "cn8", "-o", str(target))
    with target.open(encoding="utf-8-sig", newline="") as file:
        labels = {row["segment_label"] for row in csv.DictReader(file)}
    assert "重要价值客户" in labels


def test_txt_is_the_table_and_explicit_text_formats_may_go_to_txt(tmp_path: Path) -> None:
    run(*COMMANDS["segment"], "-o", str(tmp_path / "seg.txt"))
    text = (tmp_path / "seg.txt").read_text(encoding="utf-8")
    assert text.startswith("320 customers, as of 2026-11-22, scheme classic\n")
    run(*COMMANDS["segment"], "--format", "csv", "-o", str(tmp_path / "seg2.txt"))
    assert (tmp_path / "seg2.txt").read_text(encoding="utf-8-sig").startswith('"customer_id",')


def test_the_bom_rule_is_one_function() -> None:
    assert for_excel("a,b\n") == "\ufeffa,b\n"
    assert for_excel(for_excel("a,b\n")) == "\ufeffa,b\n"  # never twice


def test_write_csv_file_follows_the_rule(tmp_path: Path) -> None:
    write_csv_file(tmp_path / "x.csv", "名称\n")
    assert (tmp_path / "x.csv").read_bytes() == "\ufeff名称\n".encode()


def test_the_workbook_writer_types_what_it_is_given() -> None:
    import pandas as pd

    rows = [
        {"t": "=1+1", "n": 3, "f": float("nan"), "d": dt.date(2026, 1, 2), "b": False,
         "ts": pd.Timestamp("2026-01-02 03:04"), "na": pd.NA, "l": ["a", "b"], "e": ""},
    ]  # fmt: skip
    data = workbook_bytes([Sheet("x/y:z", list(rows[0]), rows)], stamp=dt.date(2026, 1, 1))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.title == "x y z"
    cells = {c.value: c for c in sheet[1]}
    values = [cell.value for cell in sheet[2]]
    assert values == ["=1+1", 3, None, dt.datetime(2026, 1, 2), False,
                      dt.datetime(2026, 1, 2, 3, 4), None, "a; b", None]  # fmt: skip
    assert sheet["A2"].data_type == "s"  # a formula's text stays text
    assert sheet["D2"].number_format == "yyyy-mm-dd" and len(cells) == 9
