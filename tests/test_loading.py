"""Loading customers, orders and losses from real exports, through the CLI.

Every orders file in tests/data/ (written by tests/data/make_data.py) is the same 12
order lines exported a different way, so each must give the same RFM. Every bad input
is one `Error: ...` line naming file, row, column and value, with exit code 2 and no
traceback.
"""

from __future__ import annotations

import codecs
import csv
import importlib.util
import io
import json
import random
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from followup.errors import InputError
from tests.conftest import DATA, run, write

AS_OF = "2026-11-22"
RATES = '[currency]\nbase = "USD"\n\n[currency.rates]\nEUR = 1.25\n'
ROWS_ASIDE = "fix the data, or pass --rejects FILE to set such rows aside and go on"

# customer_id -> (recency_days, frequency, monetary in USD, credits) as of 2026-11-22,
# worked out by hand from the table in tests/data/make_data.py (EUR at 1.25).
EXPECTED = {
    "00123": (51, 3, 4034.50, 0),  # 1,234.50 + 800 + 2,000; last order 2026-10-02 14:22
    "17850": (145, 2, 6300.00, 1),  # 5,000 + one order of two lines (1,000 + 500) - 200 credit
    "C201": (21, 2, 1550.00, 0),  # 1,000 EUR = 1,250 USD, + 300 USD
    "C202": (333, 1, 12345.67, 0),  # one order on 2025-12-24
    "C203": (2, 2, 549.90, 0),  # 450 + 99.90; last order 2026-11-20
}
COMPANIES = {
    "00123": "Importaciones Vargas S.A.S.",
    "17850": "Hughes Commercial Lighting Inc.",
    "C201": "Weber LED-Systeme GmbH",
    "C202": "深圳市光明照明工程有限公司",
    "C203": "Distribution Electrique Bordeaux SAS",
    "C204": "Al Noor Lighting Trading LLC",
}
# Settings a file needs beyond the rates (German Excel writes day-first dates).
EXTRA_SETTINGS = {"orders_semicolon_eu.csv": '\n[data]\ndate_format = "%d.%m.%Y"\n'}


# Bugs in src these tests show (strict: a fix makes the test pass and the mark must go).
def data_files(prefix: str) -> list[pytest.ParameterSet]:
    """Every `<prefix>*` CSV, TXT or XLSX in tests/data/."""
    return [
        pytest.param(path, id=path.name)
        for path in sorted(DATA.glob(f"{prefix}*"))
        if path.suffix in {".csv", ".txt", ".xlsx"}
    ]


def copy_in(path: Path, folder: Path) -> str:
    """Copy a data file into `folder/data/` and return it as the user would type it."""
    (folder / "data").mkdir(exist_ok=True)
    shutil.copy(path, folder / "data" / path.name)
    return f"data/{path.name}"


def rfm(stdout: str) -> dict[str, tuple[int, int, float, int]]:
    customers = json.loads(stdout)["customers"]
    return {
        c["customer_id"]: (c["recency_days"], c["frequency"], c["monetary"], c["credits"])
        for c in customers
        if c["frequency"]
    }


def fails(*args: str) -> str:
    """Run a command that must stop on bad input; return its stderr.

    Exit code 2, nothing on stdout, and no traceback anywhere.
    """
    result = run(*args, ok=False)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    return result.stderr


def segment(*args: str) -> tuple[str, ...]:
    return ("segment", "--as-of", AS_OF, *args)


def losses_report(*args: str) -> tuple[str, ...]:
    return ("losses", "--as-of", AS_OF, "--by", "reason", *args)


def xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


# --------------------------------------------------------------------------- same data


def test_data_files_are_what_make_data_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("make_data", DATA / "make_data.py")
    assert spec is not None and spec.loader is not None
    make_data = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_data)
    monkeypatch.setattr(make_data, "HERE", tmp_path)

    make_data.main()

    written = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    committed = sorted(p.name for p in DATA.iterdir() if p.suffix != ".py" and p.is_file())
    assert written == committed
    for name in written:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_data_folder_holds_every_kind_of_export() -> None:
    raw = {p.name: p.read_bytes() for p in DATA.glob("orders*")}

    assert raw["orders_utf8_bom.csv"].startswith(codecs.BOM_UTF8)
    assert raw["orders_excel_unicode.txt"].startswith(codecs.BOM_UTF16_LE)
    assert raw["orders.xlsx"].startswith(b"PK")
    gbk = raw["orders_gbk.csv"]
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    assert gbk.decode("gbk").startswith("订单号,客户编号,下单日期,金额,币种,产品")


@pytest.mark.parametrize("path", data_files("orders"))
def test_every_orders_export_gives_the_same_rfm(path: Path, tmp_path: Path) -> None:
    write(tmp_path / "followup.toml", RATES + EXTRA_SETTINGS.get(path.name, ""))
    orders = copy_in(path, tmp_path)

    result = run(*segment("--orders", orders, "--format", "json"))

    assert rfm(result.stdout) == EXPECTED
    assert json.loads(result.stdout)["currency"] == "USD"
    assert result.stderr == f"Note: {orders}: amounts converted to USD (EUR at 1.25)\n"


@pytest.mark.parametrize("path", data_files("customers"))
def test_customers_files_add_companies_and_prospects(path: Path, tmp_path: Path) -> None:
    write(tmp_path / "followup.toml", RATES)
    orders = copy_in(DATA / "orders_utf8.csv", tmp_path)
    customers = copy_in(path, tmp_path)

    result = run(*segment("--orders", orders, "--customers", customers, "--format", "json"))

    rows = {c["customer_id"]: c for c in json.loads(result.stdout)["customers"]}
    assert {k: c["company"] for k, c in rows.items()} == COMPANIES
    assert rows["C202"]["owner"] == "赵敏"
    # the customers file says 17850; the orders file says 17850.0: the same customer
    assert rows["17850"]["frequency"] == 2
    assert (rows["C204"]["frequency"], rows["C204"]["segment"]) == (0, "prospect")


def test_losses_with_chinese_reasons(tmp_path: Path) -> None:
    write(tmp_path / "followup.toml", RATES)
    orders = copy_in(DATA / "orders_utf8_bom.csv", tmp_path)
    customers = copy_in(DATA / "customers.xlsx", tmp_path)
    losses = copy_in(DATA / "losses_zh.csv", tmp_path)

    tables = ("--orders", orders, "--customers", customers, "--losses", losses)

    result = run(*losses_report(*tables, "--format", "json"))

    report = json.loads(result.stdout)
    assert {r["reason"]: r["losses"] for r in report["by_reason"]} == {
        "price": 2,  # 价格 and 价格太高
        "quality": 1,  # 质量问题
        "delivery": 1,  # 交期
        "汇率": 1,  # not a reason followup knows: kept as written
    }
    assert report["unknown_reasons"] == {"汇率": 1}
    assert (
        f'Note: {losses}: 1 losses have a reason followup does not know: "汇率" (1)\n'
        in result.stderr
    )


# --------------------------------------------------------------------------- ids, columns


def test_customer_ids_are_text(tmp_path: Path) -> None:
    write(
        tmp_path / "data/orders.csv",
        "customer_id,order_date,amount\n"
        "00123,2026-11-01,10\n"
        "123,2026-11-02,20\n"
        "17850.0,2026-11-03,30\n"
        "17850,2026-11-04,40\n",
    )

    result = run(*segment("--orders", "data/orders.csv", "--format", "json"))

    assert rfm(result.stdout) == {
        "00123": (21, 1, 10.0, 0),  # leading zeros kept: not the same customer as 123
        "123": (20, 1, 20.0, 0),
        "17850": (18, 2, 70.0, 0),  # an id exported as a float is the same customer
    }


def test_columns_the_tool_does_not_use_are_ignored(tmp_path: Path) -> None:
    write(
        tmp_path / "data/orders.csv",
        "Customer ID,Order Date,Amount,Ship Date,Discount,Payment Status,Internal Notes\n"
        'C1,2026-11-01,100,TBD,n/a,#ERROR!,"=HYPERLINK(""x"")"\n',
    )

    result = run(*segment("--orders", "data/orders.csv", "--format", "json"))

    assert rfm(result.stdout) == {"C1": (21, 1, 100.0, 0)}


def test_column_map_maps_headers_the_alias_table_does_not_know(tmp_path: Path) -> None:
    write(
        tmp_path / "data/orders.csv",
        "Beleg;Kunde Nr.;Lieferdatum;Belegdatum;Netto (EUR)\n"
        "R-1;K-0042;2026-12-01;2026-11-01;1.234,50\n"
        "R-2;K-0042;2026-12-02;2026-11-02;765,50\n",
        encoding="utf-8-sig",
    )
    write(
        tmp_path / "map.yaml",
        "orders:\n"
        "  order_id: Beleg\n"
        "  customer_id: Kunde Nr.\n"
        "  order_date: Belegdatum  # not the Lieferdatum\n"
        "  amount: Netto (EUR)\n",
    )

    result = run(
        *segment("--orders", "data/orders.csv", "--columns", "map.yaml", "--format", "json")
    )

    assert rfm(result.stdout) == {"K-0042": (20, 2, 2000.0, 0)}
    assert json.loads(result.stdout)["currency"] is None


def test_column_map_named_in_followup_toml(tmp_path: Path) -> None:
    write(tmp_path / "followup.toml", '[data]\ncolumns = "columns.yaml"\n')
    write(tmp_path / "columns.yaml", "orders:\n  customer_id: 客户\n  amount: 货款\n")
    write(tmp_path / "data/orders.csv", "客户,日期,货款\nA-1,2026-11-20,88\n")

    result = run(*segment("--format", "json"))

    assert rfm(result.stdout) == {"A-1": (2, 1, 88.0, 0)}


def test_one_currency_and_no_rates_is_the_base(tmp_path: Path) -> None:
    write(
        tmp_path / "data/orders.csv",
        "customer_id,order_date,amount,currency\nC1,2026-11-01,100,EUR\nC2,2026-11-02,50,€\n",
    )

    result = run(*segment("--orders", "data/orders.csv", "--format", "json"))

    assert json.loads(result.stdout)["currency"] == "EUR"
    assert rfm(result.stdout) == {"C1": (21, 1, 100.0, 0), "C2": (20, 1, 50.0, 0)}
    assert result.stderr == ""


def test_blank_rows_are_skipped_not_rejected(tmp_path: Path) -> None:
    write(
        tmp_path / "data/orders.csv",
        "customer_id,order_date,amount\r\n"
        "C1,2026-11-01,5\r\n"
        "\r\n"  # an empty line
        ",,\r\n"  # an empty row as Excel writes it
        " , , \r\n"
        "C2,2026-11-02,6\r\n"
        ",,\r\n",
    )

    result = run(*segment("--orders", "data/orders.csv", "--format", "json", "--rejects", "r.csv"))

    assert rfm(result.stdout) == {"C1": (21, 1, 5.0, 0), "C2": (20, 1, 6.0, 0)}
    assert result.stderr == "0 rows set aside: see r.csv\n"


# --------------------------------------------------------------------------- bad input

GOOD_ROWS_ZH = [
    f"SO-{n},C{n % 4},2026-{n % 12 + 1:02d}-{n + 1:02d},{n * 100}.00,{'灯管面板路灯'[n % 6]}型号{n}"
    for n in range(15)
]


def test_bad_date_in_a_gbk_file_with_chinese_headers(tmp_path: Path) -> None:
    rows = [*GOOD_ROWS_ZH, "SO-99,C1,2023-13-01,500.00,应急灯 (客户急单)", *GOOD_ROWS_ZH[:3]]
    write(
        tmp_path / "data/orders.csv",
        "订单号,客户编号,下单日期,金额,产品\r\n" + "\r\n".join(rows) + "\r\n",
        encoding="gbk",
    )

    assert fails(*segment("--orders", "data/orders.csv")) == (
        'Error: data/orders.csv row 17, column "下单日期": "2023-13-01" is not a date '
        f"(1 row cannot be used: {ROWS_ASIDE})\n"
    )


def test_bad_amount(tmp_path: Path) -> None:
    write(
        tmp_path / "data/orders.csv",
        'Customer ID,Order Date,Amount\nC1,2026-11-01,"$1,234.50"\nC2,2026-11-02,N/A\n'
        "C3,2026-11-03,TBD\n",
    )

    assert fails(*segment("--orders", "data/orders.csv")) == (
        'Error: data/orders.csv row 3, column "Amount": "N/A" is not an amount '
        f"(2 rows cannot be used: {ROWS_ASIDE})\n"
    )


def test_bad_date_in_xlsx_counts_spreadsheet_rows(tmp_path: Path) -> None:
    xlsx(
        tmp_path / "data/orders.xlsx",
        [
            ["Customer ID", "Order Date", "Amount"],
            [17850.0, 46081, 100],
            [None, None, None],
            ["C201", "2026-02-30", 200],
        ],
    )

    assert fails(*segment("--orders", "data/orders.xlsx")) == (
        'Error: data/orders.xlsx row 4, column "Order Date": "2026-02-30" is not a date '
        f"(1 row cannot be used: {ROWS_ASIDE})\n"
    )


def test_bad_lost_date_in_losses(tmp_path: Path) -> None:
    copy_in(DATA / "orders_utf8_bom.csv", tmp_path)
    write(tmp_path / "followup.toml", RATES)
    write(tmp_path / "data/losses.csv", "客户编号,流失日期,流失原因\nC201,2026-02-30,价格\n")

    orders = "data/orders_utf8_bom.csv"

    assert fails(*losses_report("--orders", orders, "--losses", "data/losses.csv")) == (
        'Error: data/losses.csv row 2, column "流失日期": "2026-02-30" is not a date '
        f"(1 row cannot be used: {ROWS_ASIDE})\n"
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param(
            "orders.csv",
            "订单号,客户编号,金额\nSO-1,C1,100\n".encode(),
            'data/orders.csv: has no order_date column (looked for "order_date", '
            '"order date", "invoice date", "invoicedate", …; found 订单号, 客户编号, 金额): '
            "map yours with --columns map.yaml",
            id="missing column, chinese headers",
        ),
        pytest.param(
            "orders.csv",
            b"\xef\xbb\xbfcustomer_id,amount\r\nC1,5\r\n",
            'data/orders.csv: has no order_date column (looked for "order_date", '
            '"order date", "invoice date", "invoicedate", …; found customer_id, amount): '
            "map yours with --columns map.yaml",
            id="missing column, BOM not in the header",
        ),
        pytest.param(
            "orders.csv",
            b"",
            "data/orders.csv: is empty: expected a header row and data rows",
            id="empty file",
        ),
        pytest.param(
            "orders.csv",
            b"\xef\xbb\xbf\r\n",
            "data/orders.csv: is empty: expected a header row and data rows",
            id="empty sheet saved as CSV UTF-8",
        ),
        pytest.param(
            "orders.csv",
            b"\r\n\r\n\r\n",
            "data/orders.csv: is empty: expected a header row and data rows",
            id="blank lines only",
        ),
        pytest.param(
            "orders.csv",
            random.Random(7).randbytes(3000),
            "data/orders.csv: cannot tell the text encoding (not UTF-8, GB18030/GBK or "
            "another known one): save it as CSV UTF-8",
            id="binary bytes",
        ),
        pytest.param(
            "orders.csv",
            "客户编号,下单日期,金额,品名\n".encode() + "C1,2026-11-01,5,Réglet\n".encode("latin-1"),
            "data/orders.csv: cannot tell the text encoding (not UTF-8, GB18030/GBK or "
            "another known one): save it as CSV UTF-8",
            id="UTF-8 with a stray Latin-1 byte",
        ),
        pytest.param(
            "orders.csv",
            b"customer_id,order_date,amount\nC1,2026-11-01,5\nC2,2026-11-02,1,234.00\n",
            "data/orders.csv row 3: has 4 fields where the header has 3 "
            "(a stray delimiter or quote?)",
            id="too many fields",
        ),
        pytest.param(
            "orders.xlsx",
            b"customer_id,order_date,amount\nC1,2026-11-01,5\n",
            "data/orders.xlsx: is not a readable XLSX workbook (File is not a zip file)",
            id="CSV named .xlsx",
        ),
        pytest.param(
            "orders.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
            "data/orders.xls: old .xls workbooks are not supported: save it as .xlsx or CSV",
            id="old xls",
        ),
    ],
)
def test_unusable_orders_file(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / name).write_bytes(content)

    assert fails(*segment("--orders", f"data/{name}")) == f"Error: {message}\n"


def test_empty_xlsx(tmp_path: Path) -> None:
    xlsx(tmp_path / "data/orders.xlsx", [])

    assert fails(*segment("--orders", "data/orders.xlsx")) == (
        "Error: data/orders.xlsx: is empty: expected a header row and data rows\n"
    )


def test_missing_orders_file() -> None:
    assert fails(*segment("--orders", "data/orders.csv")) == (
        "Error: data/orders.csv: file not found\n"
    )


@pytest.mark.parametrize("name", ["orders.csv", "orders.xlsx"])
def test_header_only_file_gives_an_empty_result(tmp_path: Path, name: str) -> None:
    """A header and no data rows is read as "no orders yet", not as an error, and said."""
    if name.endswith(".xlsx"):
        xlsx(tmp_path / "data" / name, [["customer_id", "order_date", "amount"]])
    else:
        write(tmp_path / "data" / name, "customer_id,order_date,amount\r\n")

    result = run(*segment("--orders", f"data/{name}"))

    assert result.stdout.startswith(f"0 customers, as of {AS_OF}, scheme classic\n")
    assert (
        result.stderr == f"Note: data/{name}: has a header but no data rows: 0 order lines read\n"
    )


def test_losses_without_a_reason_column(tmp_path: Path) -> None:
    write(tmp_path / "data/orders.csv", "customer_id,order_date,amount\nC1,2026-11-01,5\n")
    write(tmp_path / "data/losses.csv", "客户编号,流失日期,说明\nC1,2026-10-01,太贵\n")

    assert fails(*losses_report()) == (
        'Error: data/losses.csv: has no reason column (looked for "reason", "loss reason", '
        '"lost reason", "reason lost", …; found 客户编号, 流失日期, 说明): '
        "map yours with --columns map.yaml\n"
    )


def test_customers_without_an_id_column(tmp_path: Path) -> None:
    write(tmp_path / "data/orders.csv", "customer_id,order_date,amount\nC1,2026-11-01,5\n")
    xlsx(tmp_path / "data/customers.xlsx", [["Company", "Country"], ["Acme", "Chile"]])

    assert fails(*segment()) == (
        'Error: data/customers.xlsx: has no customer_id column (looked for "customer_id", '
        '"customer id", "customerid", "customer no", …; found Company, Country): '
        "map yours with --columns map.yaml\n"
    )


def test_duplicate_customer_id(tmp_path: Path) -> None:
    write(tmp_path / "data/orders.csv", "customer_id,order_date,amount\nC1,2026-11-01,5\n")
    write(
        tmp_path / "data/customers.csv",
        "客户编号,公司名称\nC1,Acme\n17850.0,Hughes Lighting\nC3,Weber\n17850,Hughes (new)\n",
    )

    assert fails(*segment("--customers", "data/customers.csv")) == (
        'Error: data/customers.csv row 5, column "客户编号": "17850" appears twice '
        "(first at row 3): customer ids must be unique\n"
    )


def test_duplicate_customer_id_is_fatal_even_with_rejects(tmp_path: Path) -> None:
    write(tmp_path / "data/orders.csv", "customer_id,order_date,amount\nC1,2026-11-01,5\n")
    write(tmp_path / "data/customers.csv", "customer_id\nC1\nC1\n")

    assert fails(*segment("--rejects", "rejects.csv")) == (
        'Error: data/customers.csv row 3, column "customer_id": "C1" appears twice '
        "(first at row 2): customer ids must be unique\n"
    )
    assert not (Path.cwd() / "rejects.csv").exists()


def test_unknown_currency_with_rates_configured(tmp_path: Path) -> None:
    write(tmp_path / "followup.toml", RATES)
    write(
        tmp_path / "data/orders.csv",
        "customer_id,order_date,amount,currency\n"
        "C1,2026-11-01,5,USD\nC2,2026-11-01,5,eur\nC3,2026-11-01,5,gbp\n",
    )

    assert fails(*segment()) == (
        'Error: data/orders.csv row 4, column "currency": "gbp" is a currency with no rate '
        "in followup.toml [currency.rates]: add one, e.g. GBP = 1.0 (units of the base "
        "currency per GBP)\n"
    )


def test_two_currencies_and_no_rates(tmp_path: Path) -> None:
    write(
        tmp_path / "data/orders.csv",
        "客户编号,下单日期,金额,币种\nC1,2026-11-01,5,美元\nC2,2026-11-01,5,€\n",
    )

    assert fails(*segment()) == (
        "Error: data/orders.csv: orders are in 2 currencies (EUR, USD) and followup.toml has "
        'no [currency] base and rates: add them, e.g. base = "USD" and rates EUR = 1.08\n'
    )


def test_rates_without_a_base(tmp_path: Path) -> None:
    write(tmp_path / "followup.toml", "[currency.rates]\nEUR = 1.25\n")
    write(
        tmp_path / "data/orders.csv",
        "customer_id,order_date,amount,currency\nC1,2026-11-01,5,EUR\n",
    )

    assert fails(*segment()) == (
        'Error: followup.toml: [currency] has rates but no base: add base = "USD" (or yours)\n'
    )


def test_column_map_names_a_header_the_file_does_not_have(tmp_path: Path) -> None:
    write(tmp_path / "data/orders.csv", "Kunde,Datum,Betrag\nC1,2026-11-01,5\n")
    write(tmp_path / "map.yaml", "orders:\n  customer_id: Kundennummer\n")

    assert fails(*segment("--columns", "map.yaml")) == (
        'Error: data/orders.csv: the column map names "Kundennummer" for orders.customer_id, '
        "but there is no such column (columns: Kunde, Datum, Betrag)\n"
    )


def test_column_map_with_an_unknown_field(tmp_path: Path) -> None:
    write(tmp_path / "data/orders.csv", "Kunde,Datum,Betrag\nC1,2026-11-01,5\n")
    write(tmp_path / "map.yaml", "orders:\n  client: Kunde\n")

    assert fails(*segment("--columns", "map.yaml")) == (
        "Error: map.yaml: orders.client: unknown field (known: amount, currency, customer_id, "
        "order_date, order_id, product, quantity, unit_price)\n"
    )


# --------------------------------------------------------------------------- --rejects

BAD_ROWS = (
    "订单号,客户编号,下单日期,金额\n"
    'SO-1,C1,2026-11-01,"1,000.00"\n'  # row 2: good
    "SO-2,,2026-11-02,50\n"  # row 3: no customer
    ",,,\n"  # row 4: blank, skipped
    "SO-3,C2,2023-13-01,70\n"  # row 5: no 13th month
    "SO-4,C3,2026-11-04,N/A\n"  # row 6: not an amount
    "SO-5,C3,2023-02-30,待定\n"  # row 7: bad date and bad amount: the date is reported
    "SO-6,C4,,80\n"  # row 8: no date
    "SO-7,C1,2026-11-05,(200.00)\n"  # row 9: good (a credit)
)


def test_bad_rows_are_fatal_and_counted(tmp_path: Path) -> None:
    write(tmp_path / "data/orders.csv", BAD_ROWS)

    assert fails(*segment()) == (
        'Error: data/orders.csv row 3, column "客户编号": is empty '
        f"(5 rows cannot be used: {ROWS_ASIDE})\n"
    )


def test_rejects_sets_bad_rows_aside_with_the_reason(tmp_path: Path) -> None:
    write(tmp_path / "data/orders.csv", BAD_ROWS)
    write(tmp_path / "data/customers.csv", "customer_id,company\nC1,Acme\n,Nameless Ltd\n")

    result = run(*segment("--format", "json", "--rejects", "out/rejects.csv"))

    assert result.stderr == "6 rows set aside: see out/rejects.csv\n"
    assert rfm(result.stdout) == {"C1": (21, 1, 800.0, 1)}
    raw = (tmp_path / "out/rejects.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads the Chinese headers right
    rejects = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r[:5] for r in rejects] == [
        ["file", "row", "column", "value", "problem"],
        ["data/orders.csv", "3", "客户编号", "", "is empty"],
        ["data/orders.csv", "5", "下单日期", "2023-13-01", "is not a date"],
        ["data/orders.csv", "6", "金额", "N/A", "is not an amount"],
        ["data/orders.csv", "7", "下单日期", "2023-02-30", "is not a date"],
        ["data/orders.csv", "8", "下单日期", "", "is empty"],
        ["data/customers.csv", "3", "customer_id", "", "is empty"],
    ]
    assert json.loads(rejects[4][5]) == {
        "订单号": "SO-5",
        "客户编号": "C3",
        "下单日期": "2023-02-30",
        "金额": "待定",
    }


# --------------------------------------------------------------------------- --debug


@pytest.mark.parametrize(
    "args",
    [("--debug", *segment()), (*segment(), "--debug")],
    ids=["followup --debug segment", "followup segment --debug"],
)
def test_debug_lets_the_traceback_through(tmp_path: Path, args: tuple[str, ...]) -> None:
    write(tmp_path / "data/orders.csv", "customer_id,order_date,amount\nC1,2023-13-01,5\n")

    result = run(*args, ok=False)

    assert isinstance(result.exception, InputError)
    assert str(result.exception).startswith(
        'data/orders.csv row 2, column "order_date": "2023-13-01" is not a date'
    )
    assert "Error:" not in result.stderr


# --------------------------------------------------------------------------- known bugs


def test_too_many_fields_after_a_multiline_cell_names_the_row(tmp_path: Path) -> None:
    write(
        tmp_path / "data/orders.csv",
        'customer_id,order_date,amount,notes\nC1,2026-11-01,5,"Ship to:\nPort of Ningbo"\n'
        "C2,2026-11-02,1,234.00,\n",
    )

    assert fails(*segment()) == (
        "Error: data/orders.csv row 3: has 5 fields where the header has 4 "
        "(a stray delimiter or quote?)\n"
    )


def test_a_quote_never_closed_does_not_swallow_rows(tmp_path: Path) -> None:
    write(
        tmp_path / "data/orders.csv",
        'customer_id,order_date,amount,notes\nC1,2026-11-01,5,"VIP\nC2,2026-11-02,7,\n'
        "C3,2026-11-03,9,\n",
    )

    result = run(*segment("--format", "json"), ok=False)

    assert result.exit_code == 2 or set(rfm(result.stdout)) == {"C1", "C2", "C3"}
