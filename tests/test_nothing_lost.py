"""Issue 11, "nothing lost, nothing silently wrong": files that shadow one another, order
lines of customers the customers file does not have, empty tables, currencies that are
not currencies, and cells too big to read or to print."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
