"""Issue 11, "nothing lost, nothing silently wrong": files that shadow one another, order
lines of customers the customers file does not have, empty tables, currencies that are
not currencies, and cells too big to read or to print."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest

from followup.errors import WriteError
from followup.files import csv_text
from tests.conftest import run, write
from tests.test_loading import ROWS_ASIDE, fails, losses_report, rfm, segment, xlsx

ORDERS = "customer_id,order_date,amount\n00123,2026-11-01,5\nC2,2026-11-02,6\n"
CUSTOMERS = [["客户编号", "公司名称"], ["00123", "Importaciones Vargas"], ["C2", "Weber GmbH"]]
LOSSES = [["客户编号", "流失原因"], ["C2", "价格"]]

# --------------------------------------------------------------------------- workspace files


def companies(stdout: str) -> dict[str, str]:
    return {c["customer_id"]: c["company"] for c in json.loads(stdout)["customers"]}


def test_init_then_the_teams_xlsx_exports(tmp_path: Path) -> None:
    created = run("init", "team")
    xlsx(tmp_path / "team/data/customers.xlsx", CUSTOMERS)
    xlsx(tmp_path / "team/data/losses.xlsx", LOSSES)
    write(tmp_path / "team/data/orders.csv", ORDERS)

    result = run(*segment("--workspace", "team", "--format", "json"))
    losses = run(*losses_report("--workspace", "team", "--format", "json"))

    assert companies(result.stdout) == {"00123": "Importaciones Vargas", "C2": "Weber GmbH"}
    assert json.loads(losses.stdout)["by_reason"][0]["losses"] == 1
    assert sorted(p.name for p in (tmp_path / "team/data").iterdir()) == [
        "README.md",
        "customers.xlsx",
        "losses.xlsx",
        "orders.csv",
    ]
    assert created.stdout == (
        "Created team/ (5 files). Next:\n"
        "  put your exports in team/data/ as orders.xlsx, customers.xlsx and losses.xlsx "
        "(or .csv; see data/README.md), and fill in company.yaml\n"
        "  cd team && followup segment --summary\n"
    )
    readme = (tmp_path / "team/data/README.md").read_text(encoding="utf-8")
    assert (
        "- orders: `customer_id` (客户编号), `order_date` (下单日期), `amount` (金额)\n" in readme
    )


def test_a_new_workspace_says_where_the_orders_go(tmp_path: Path) -> None:
    run("init", "team")

    assert fails(*segment("--workspace", "team")) == (
        "Error: no orders file in team/data/: put your orders export there as orders.xlsx "
        "or orders.csv, or pass --orders FILE\n"
    )


@pytest.mark.parametrize("table", ["customers", "losses"])
def test_two_files_for_one_table_stop(tmp_path: Path, table: str) -> None:
    """A workspace made by an older `followup init` has header-only CSVs beside the exports."""
    write(tmp_path / "data/orders.csv", ORDERS)
    write(tmp_path / f"data/{table}.csv", "customer_id,company,reason\n")
    xlsx(tmp_path / f"data/{table}.xlsx", CUSTOMERS if table == "customers" else LOSSES)

    assert fails(*losses_report()) == (
        f"Error: data/{table}.csv and data/{table}.xlsx could both be the {table} table: "
        f"keep one in data/ (delete or rename the other), or pass --{table} FILE\n"
    )
    chosen = run(*losses_report(f"--{table}", f"data/{table}.xlsx", "--format", "json"), ok=False)
    assert "could both be" not in chosen.stderr


def test_three_files_for_one_table_are_all_named(tmp_path: Path) -> None:
    for name in ("orders.csv", "Orders.txt", "orders.XLSX"):
        write(tmp_path / "data" / name, ORDERS)

    assert fails(*segment()) == (
        "Error: data/Orders.txt, data/orders.XLSX and data/orders.csv could both be the orders "
        "table: keep one in data/ (delete or rename the other), or pass --orders FILE\n"
    )


def test_a_tables_file_name_is_matched_whatever_its_case(tmp_path: Path) -> None:
    write(tmp_path / "data/orders.csv", ORDERS)
    xlsx(tmp_path / "data/Customers.XLSX", CUSTOMERS)

    result = run(*segment("--format", "json"))

    assert companies(result.stdout) == {"00123": "Importaciones Vargas", "C2": "Weber GmbH"}


def test_an_old_xls_workbook_in_data_is_not_passed_over(tmp_path: Path) -> None:
    write(tmp_path / "data/orders.csv", ORDERS)
    (tmp_path / "data/customers.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))

    assert fails(*segment()) == (
        "Error: data/customers.xls: old .xls workbooks are not supported: save it as .xlsx or CSV\n"
    )


# --------------------------------------------------------------------------- orphan ids


def test_orders_of_customers_the_customers_file_does_not_list(tmp_path: Path) -> None:
    """Excel shows 00123 as 123; a hand-kept sheet pads what the CRM does not."""
    write(
        tmp_path / "data/orders.csv",
        "客户编号,下单日期,金额\n"
        "123,2026-11-01,5\n"  # the customers file says 00123
        "C9,2026-11-02,6\n"  # nowhere
        "123,2026-11-03,7\n"
        "００７７７,2026-11-04,1\n"  # full-width digits; the customers file says 777
        "c 201,2026-11-04,1\n"  # the customers file says C201
        "C2,2026-11-05,1\n",
    )
    xlsx(
        tmp_path / "data/customers.xlsx",
        [["客户编号", "公司名称"], ["00123", "Vargas"], [777, "Al Noor"], ["C201", "Weber"],
         ["C2", "Hughes"]],
    )  # fmt: skip

    result = run(*segment("--format", "json"))

    assert result.stderr == (
        "Note: data/orders.csv: 4 customer ids (5 order lines) are not in "
        'data/customers.xlsx, so those customers have no name: "123" (row 2; "00123" '
        'there, zero-padded), "００７７７" (row 5; "777" there, leading zeros trimmed), '
        '"c 201" (row 6; "C201" there, written with other spaces, width or case), '
        '"C9" (row 3)\n'
    )
    assert companies(result.stdout)["123"] is None  # still counted: RFM is about orders
    assert rfm(result.stdout)["123"][1] == 2


def test_many_orphan_ids_are_counted_and_the_first_named(tmp_path: Path) -> None:
    lines = "".join(f"X{n},2026-11-01,5\n" for n in range(1, 13))
    write(tmp_path / "data/orders.csv", "customer_id,order_date,amount\nC2,2026-11-01,5\n" + lines)
    xlsx(tmp_path / "data/customers.xlsx", CUSTOMERS)

    result = run(*segment("--output", "out.csv"))

    named = ", ".join(f'"X{n}" (row {n + 2})' for n in range(1, 11))
    assert result.stderr == (
        "Note: data/orders.csv: 12 customer ids (12 order lines) are not in "
        f"data/customers.xlsx, so those customers have no name: {named}, and 2 more\n"
        "Wrote out.csv\n"
    )


def test_losses_of_customers_listed_nowhere(tmp_path: Path) -> None:
    write(tmp_path / "data/orders.csv", ORDERS + "C3,2026-11-03,7\n")
    xlsx(tmp_path / "data/customers.xlsx", CUSTOMERS)
    write(tmp_path / "data/losses.csv", "客户编号,流失原因\n123,价格\nC3,交期\nC4,质量问题\n")

    result = run(*losses_report())

    assert result.stderr == (
        "Note: data/orders.csv: 1 customer id (1 order line) is not in data/customers.xlsx, "
        'so those customers have no name: "C3" (row 4)\n'
        "Note: data/losses.csv: 2 customer ids (2 losses) are not in data/customers.xlsx or "
        'the orders, so those losses have no segment or owner: "123" (row 2; "00123" there, '
        'zero-padded), "C4" (row 4)\n'
    )


# --------------------------------------------------------------------------- empty tables


def test_a_header_only_orders_file_is_said_to_have_no_rows(tmp_path: Path) -> None:
    write(tmp_path / "data/orders.csv", "客户编号,下单日期,金额\r\n")

    result = run(*segment("--output", "out.csv"))

    assert result.stderr == (
        "Note: data/orders.csv: has a header but no data rows: 0 order lines read\nWrote out.csv\n"
    )


def test_header_only_customers_and_losses_are_said_to_have_no_rows(tmp_path: Path) -> None:
    write(tmp_path / "data/orders.csv", ORDERS)
    write(tmp_path / "data/customers.csv", "customer_id,company\n,\n , \n")  # blank rows only
    xlsx(tmp_path / "data/losses.xlsx", [["客户编号", "流失原因"]])

    result = run(*losses_report())

    assert result.stderr == (
        "Note: data/customers.csv: has a header but no data rows: 0 customers read\n"
        "Note: data/losses.xlsx: has a header but no data rows: 0 losses read\n"
    )


def test_every_row_set_aside_is_said(tmp_path: Path) -> None:
    write(tmp_path / "data/orders.csv", "customer_id,order_date,amount\nC1,TBD,5\n,2026-11-01,6\n")

    result = run(*segment("--rejects", "rejects.csv", "--output", "out.csv"))

    assert result.stderr == (
        "Note: data/orders.csv: every row was set aside (2): 0 order lines read\n"
        "2 rows set aside: see rejects.csv\n"
        "Wrote out.csv\n"
    )


# --------------------------------------------------------------------------- currencies

NOT_A_CURRENCY = "is not a currency code (ISO 4217: USD, EUR, CNY …)"


@pytest.mark.parametrize(
    ("codes", "row", "value"),
    [
        pytest.param(["UDS", "UDS"], 2, "UDS", id="one currency, a typo: not the base"),
        pytest.param(["USD", "xyz"], 3, "xyz", id="a made-up code"),
        pytest.param(["美元", "US"], 3, "US", id="a country, not a currency"),
    ],
)
def test_a_currency_that_is_not_iso_4217_is_reported(
    tmp_path: Path, codes: list[str], row: int, value: str
) -> None:
    lines = "".join(f"C{i},2026-11-0{i},5,{code}\n" for i, code in enumerate(codes, 1))
    write(tmp_path / "data/orders.csv", "客户编号,下单日期,金额,币种\n" + lines)

    count = sum(code == value for code in codes)
    rows = "1 row cannot" if count == 1 else f"{count} rows cannot"
    assert fails(*segment()) == (
        f'Error: data/orders.csv row {row}, column "币种": "{value}" {NOT_A_CURRENCY} '
        f"({rows} be used: fix the data, or pass --rejects FILE to set such rows aside and go "
        "on)\n"
    )


def test_rows_with_a_currency_that_is_not_iso_4217_can_be_set_aside(tmp_path: Path) -> None:
    write(
        tmp_path / "data/orders.csv",
        "customer_id,order_date,amount,currency\n"
        "C1,2026-11-01,5,usd\nC2,2026-11-02,6,UDS\nC3,2026-11-03,7,\nC4,2026-11-04,8,RMB\n",
    )
    write(tmp_path / "followup.toml", '[currency]\nbase = "USD"\n[currency.rates]\nCNY = 0.14\n')

    result = run(*segment("--format", "json", "--rejects", "rejects.csv"))

    assert set(rfm(result.stdout)) == {"C1", "C3", "C4"}  # a blank currency is the base
    rejects = list(csv.reader(io.StringIO((tmp_path / "rejects.csv").read_text("utf-8-sig"))))
    assert rejects[1:] == [
        [
            "data/orders.csv",
            "3",
            "currency",
            "UDS",
            NOT_A_CURRENCY,
            '{"customer_id": "C2", "order_date": "2026-11-02", "amount": "6", "currency": "UDS"}',
        ]
    ]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            '[currency]\nbase = "UDS"\n',
            'followup.toml: [currency] base "UDS" is not a currency code (ISO 4217, e.g. '
            'base = "USD")',
        ),
        (
            '[currency]\nbase = "USD"\n[currency.rates]\nEURO = 1.1\n',
            "followup.toml: [currency.rates] EURO is not a currency code (ISO 4217, e.g. "
            "EUR = 1.08)",
        ),
    ],
)
def test_a_base_or_rate_that_is_not_iso_4217_is_reported(
    tmp_path: Path, settings: str, message: str
) -> None:
    write(tmp_path / "followup.toml", settings)
    write(tmp_path / "data/orders.csv", ORDERS)

    assert fails(*segment()) == f"Error: {message}\n"


# --------------------------------------------------------------------------- long cells


def test_a_cell_of_50_mb_is_read(tmp_path: Path) -> None:
    notes = "Ship to: Port of Ningbo. " * 2_000_000  # 50 MB in one quoted cell
    write(
        tmp_path / "data/orders.csv",
        f'customer_id,order_date,amount,notes\nC1,2026-11-01,5,"{notes}"\nC2,2026-11-02,6,ok\n',
    )

    result = run(*segment("--format", "json"))

    assert rfm(result.stdout) == {"C1": (21, 1, 5.0, 0), "C2": (20, 1, 6.0, 0)}


def test_a_long_value_is_cut_in_the_message(tmp_path: Path) -> None:
    write(
        tmp_path / "data/orders.csv",
        f"customer_id,order_date,amount\nC1,2026-11-01,5\nC2,{'2026-11-02;' * 100},6\n",
    )

    assert fails(*segment()) == (
        'Error: data/orders.csv row 3, column "order_date": '
        '"2026-11-02;2026-11-02;2026-11-02;2026-11-02;2026-11-02;2026-…" (1,100 characters) '
        f"is not a date (1 row cannot be used: {ROWS_ASIDE})\n"
    )


def test_a_value_with_line_breaks_stays_on_one_line(tmp_path: Path) -> None:
    write(
        tmp_path / "data/orders.csv",
        'customer_id,order_date,amount\nC1,"2026-11-01\nTBD",5\n',
    )

    assert fails(*segment()) == (
        'Error: data/orders.csv row 2, column "order_date": "2026-11-01\\nTBD" is not a date '
        f"(1 row cannot be used: {ROWS_ASIDE})\n"
    )


# --------------------------------------------------------------------------- rejects, column-wise

AWKWARD = (
    "订单号,客户编号,下单日期,金额,备注,备注\r\n"
    "SO-1,C1,2026-11-01,5,ok,ok\r\n"  # row 2: good
    'SO-2,,2026-11-02,6,"said ""urgent"", C:\\path\r\nline 2\ttab",x\r\n'  # row 3: no customer
    "SO-3,C3, 2023-13-01 ,7,\x01bell,\r\n"  # row 4 (in a spreadsheet: row 3 is one row)
    ',C4,2026-11-04,"=HYPERLINK(""x"")",,\r\n'  # row 5: not an amount, a formula
    ",,,,,\r\n"  # row 6: blank, dropped
    " , ,\u3000, , , \r\n"  # row 7: blank too
    "SO-9,C9,2026-11-09,9,,最后\r\n"  # row 8: good
)


def test_the_rejects_file_holds_each_row_as_read(tmp_path: Path) -> None:
    write(tmp_path / "data/orders.csv", AWKWARD)

    result = run(*segment("--format", "json", "--rejects", "rejects.csv"))

    assert result.stderr == "3 rows set aside: see rejects.csv\n"
    assert set(rfm(result.stdout)) == {"C1", "C9"}
    text = (tmp_path / "rejects.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    cells = list(csv.reader(io.StringIO(AWKWARD.replace("\r\n", "\n"))))
    headers = cells[0]

    def record(number: int) -> str:
        return json.dumps(dict(zip(headers, cells[number], strict=True)), ensure_ascii=False)

    assert rows == [
        ["file", "row", "column", "value", "problem", "record"],
        ["data/orders.csv", "3", "客户编号", "", "is empty", record(2)],
        ["data/orders.csv", "4", "下单日期", "2023-13-01", "is not a date", record(3)],
        ["data/orders.csv", "5", "金额", '\'=HYPERLINK("x")', "is not an amount", record(4)],
    ]
    assert json.loads(rows[1][5])["备注"] == "x"  # a header twice: its last cell, as a dict
    assert text == csv_text(rows[0], rows[1:])  # byte for byte as the csv module writes


def test_rejects_from_the_api_are_rows_with_their_record(tmp_path: Path) -> None:
    import followup

    write(tmp_path / "data/orders.csv", AWKWARD)

    rejects = followup.load(tmp_path, keep_bad_rows=True).rejects

    assert [(r.row, r.column, r.value, r.problem) for r in rejects] == [
        (3, "客户编号", None, "is empty"),
        (4, "下单日期", "2023-13-01", "is not a date"),
        (5, "金额", '=HYPERLINK("x")', "is not an amount"),
    ]
    assert rejects[-1].record == {
        "订单号": "",
        "客户编号": "C4",
        "下单日期": "2026-11-04",
        "金额": '=HYPERLINK("x")',
        "备注": "",
    }
    assert rejects[0].message() == 'data/orders.csv row 3, column "客户编号": is empty'


def test_the_rejects_file_is_what_csv_writes(tmp_path: Path) -> None:
    """Written column-wise, byte for byte as the csv module (and `csv_text`) writes it."""
    from followup.data.rejects import Reject, from_list
    from followup.files import csv_text, write_rejects

    rng = random.Random(4)
    pieces = ["", "a", ",", '"', "\n", "\r", "\r\n", "=SUM(A1)", "-5", "+1", "@x", "\t", "中文",
              " ", "'", "1e5", "-", "－５", "-５", "+1\n", "\u3000"]  # fmt: skip

    def text(most: int) -> str:
        return "".join(rng.choice(pieces) for _ in range(rng.randint(0, most)))

    rejects = [
        Reject(
            rng.choice(["data/orders.csv", "=evil.csv", "a,b.csv"]),
            row,
            None if rng.random() < 0.2 else text(2),
            None if rng.random() < 0.2 else text(3),
            rng.choice(["is empty", "is not a date", "+1\n"]),
            {text(2): text(3) for _ in range(3)},
        )
        for row in range(2, 2002)
    ]
    rows = [
        (r.file, r.row, r.column or "", r.value or "", r.problem, json.dumps(r.record, ensure_ascii=False))
        for r in rejects
    ]  # fmt: skip
    header = ("file", "row", "column", "value", "problem", "record")
    expected = "\ufeff".encode() + csv_text(header, rows).encode()  # BOM: for Excel

    write_rejects(tmp_path / "objects.csv", rejects)
    write_rejects(tmp_path / "columns.csv", from_list(rejects))

    assert (tmp_path / "objects.csv").read_bytes() == expected
    assert (tmp_path / "columns.csv").read_bytes() == expected


def test_a_rejects_file_that_cannot_be_written_means_nothing_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rejects file is written while the command computes; the command's own output
    waits for it, so a failure there is still exit 2 with nothing written."""
    write(
        tmp_path / "data/orders.csv", "customer_id,order_date,amount\nC1,TBD,5\nC2,2026-11-01,6\n"
    )
    write(tmp_path / "data/losses.csv", "customer_id,lost_on,reason\nC2,2026-06-01,price\n")
    (tmp_path / "afile").write_text("not a folder\n")

    assert fails(*segment("--rejects", "afile/rejects.csv", "--output", "out.csv")) == (
        "Error: cannot write afile/rejects.csv: Not a directory\n"
    )

    def full_disk(path: Path, rejects: object) -> None:
        raise WriteError(str(path), "No space left on device")

    monkeypatch.setattr("followup.files.write_rejects", full_disk)
    for command in (
        segment("--rejects", "rejects.csv"),
        segment("--rejects", "rejects.csv", "--output", "out.xlsx"),
        losses_report("--rejects", "rejects.csv"),
        ("plan", "--as-of", "2026-11-30", "--rejects", "rejects.csv", "--output", "plan.xlsx"),
    ):
        assert fails(*command) == "Error: cannot write rejects.csv: No space left on device\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "data"]
