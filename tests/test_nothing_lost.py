"""Issue 11, "nothing lost, nothing silently wrong": files that shadow one another, order
lines of customers the customers file does not have, empty tables, currencies that are
not currencies, and cells too big to read or to print."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run, write
from tests.test_loading import ROWS_ASIDE, fails, rfm, segment

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
