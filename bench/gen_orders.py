"""Seeded generator of a large orders CSV for the `followup segment` benchmark.

Writes ``order_id,customer_id,order_date,amount,currency,product`` rows (one row per
order line). Defaults: 1,000,000 lines for 100,000 customers, ~1.3 lines per order
(lines of one order share order_id, customer and date), dates 2022-01-01..2026-11-20,
amounts with 2 decimals, ~1% negative (credits), currency USD.

The output is byte-identical for the same arguments: one numpy ``default_rng`` with a
constant seed drives everything, and the CSV is formatted by hand (no locale, no float
repr surprises).

Usage::

    python bench/gen_orders.py [--rows 1000000] [--customers 100000] [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

SEED = 20261122
HEADER = "order_id,customer_id,order_date,amount,currency,product"
START = np.datetime64("2022-01-01")
END = np.datetime64("2026-11-20")
MEAN_LINES_PER_ORDER = 1.3
CREDIT_SHARE = 0.01
PRODUCTS = np.array(
    [
        "LED Panel 60x60",
        "Solar Inverter 5kW",
        "Ceramic Tile 600x600",
        "Steel Fastener Kit",
        "Cotton T-Shirt",
        "Bamboo Cutting Board",
        "Power Bank 20000mAh",
        "Hydraulic Pump",
    ]
)
PRODUCT_WEIGHTS = np.array([0.20, 0.08, 0.15, 0.17, 0.18, 0.09, 0.10, 0.03])
DEFAULT_OUT = Path(__file__).resolve().parent / "data" / "orders_1m.csv"
CHUNK_LINES = 200_000


def lines_per_order(rng: np.random.Generator, rows: int) -> np.ndarray:
    """Sizes of orders (1 + Poisson(0.3) lines, mean ~1.3) summing exactly to ``rows``."""
    n_orders = max(1, round(rows / MEAN_LINES_PER_ORDER))
    sizes = 1 + rng.poisson(MEAN_LINES_PER_ORDER - 1.0, size=n_orders)
    total = int(sizes.sum())
    while total < rows:  # top up with single-line orders
        extra = 1 + rng.poisson(MEAN_LINES_PER_ORDER - 1.0, size=max(1, rows - total))
        sizes = np.concatenate([sizes, extra])
        total = int(sizes.sum())
    cut = int(np.searchsorted(np.cumsum(sizes), rows))  # first order reaching `rows`
    sizes = sizes[: cut + 1].copy()
    sizes[-1] -= int(sizes.sum()) - rows
    return sizes.astype(np.int64)


def order_customers(rng: np.random.Generator, n_orders: int, customers: int) -> np.ndarray:
    """Customer index per order: every customer has >= 1 order, the rest skewed (lognormal)."""
    if n_orders < customers:
        raise SystemExit(f"--rows too small: {n_orders} orders cannot cover {customers} customers")
    activity = rng.lognormal(mean=0.0, sigma=1.2, size=customers)
    extra = rng.choice(customers, size=n_orders - customers, p=activity / activity.sum())
    cust = np.concatenate([np.arange(customers, dtype=np.int64), extra.astype(np.int64)])
    rng.shuffle(cust)
    return cust


def order_days(rng: np.random.Generator, cust: np.ndarray, customers: int) -> np.ndarray:
    """Day offset per order: each customer has an active window inside the date range."""
    span = int((END - START).astype(int))
    first = rng.integers(0, span + 1, size=customers)
    last = np.minimum(span, first + rng.integers(0, span + 1, size=customers))
    lo, hi = first[cust], last[cust]
    return lo + np.floor(rng.random(cust.size) * (hi - lo + 1)).astype(np.int64)


def line_amounts(rng: np.random.Generator, rows: int) -> np.ndarray:
    """Amounts in cents: lognormal (median ~$800), ~1% negative credits."""
    cents = np.round(rng.lognormal(mean=np.log(80_000), sigma=1.1, size=rows)).astype(np.int64)
    cents = np.clip(cents, 100, 50_000_000)
    credit = rng.random(rows) < CREDIT_SHARE
    cents[credit] = -np.maximum(100, cents[credit] // 5)
    return cents


def format_amounts(cents: np.ndarray) -> np.ndarray:
    """Exact 2-decimal text from integer cents (no float formatting involved)."""
    sign = np.where(cents < 0, "-", "")
    mag = np.abs(cents)
    whole = (mag // 100).astype(str)
    frac = np.char.zfill((mag % 100).astype(str), 2)
    return np.char.add(np.char.add(np.char.add(sign, whole), "."), frac)


def build_columns(rows: int, customers: int) -> dict[str, np.ndarray]:
    """All columns as numpy arrays, ordered by order date then order id."""
    rng = np.random.default_rng(SEED)
    sizes = lines_per_order(rng, rows)
    cust = order_customers(rng, sizes.size, customers)
    days = order_days(rng, cust, customers)
    order_idx = np.argsort(days, kind="stable")  # order ids increase with date
    cust, days = cust[order_idx], days[order_idx]
    sizes = sizes[order_idx]
    line_order = np.repeat(np.arange(sizes.size, dtype=np.int64), sizes)
    products = rng.choice(PRODUCTS.size, size=rows, p=PRODUCT_WEIGHTS)
    return {
        "order_no": line_order + 1,
        "customer": cust[line_order] + 1,
        "date": (START + days[line_order].astype("timedelta64[D]")).astype(str),
        "amount": format_amounts(line_amounts(rng, rows)),
        "product": PRODUCTS[products],
    }


def write_csv(cols: dict[str, np.ndarray], out: Path) -> None:
    """Write the columns as CSV in chunks (LF line endings, no quoting needed)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    rows = cols["order_no"].size
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(HEADER + "\n")
        for start in range(0, rows, CHUNK_LINES):
            sl = slice(start, start + CHUNK_LINES)
            lines = [
                f"SO{o:07d},C{c:06d},{d},{a},USD,{p}"
                for o, c, d, a, p in zip(
                    cols["order_no"][sl].tolist(),
                    cols["customer"][sl].tolist(),
                    cols["date"][sl].tolist(),
                    cols["amount"][sl].tolist(),
                    cols["product"][sl].tolist(),
                    strict=True,
                )
            ]
            fh.write("\n".join(lines) + "\n")
    tmp.replace(out)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="order lines to write")
    parser.add_argument("--customers", type=int, default=100_000, help="distinct customers")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output CSV path")
    args = parser.parse_args(argv)
    if args.rows < 1 or args.customers < 1:
        parser.error("--rows and --customers must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cols = build_columns(args.rows, args.customers)
    write_csv(cols, args.out)
    n_orders = int(cols["order_no"][-1])
    print(
        f"wrote {args.out} ({args.rows:,} lines, {n_orders:,} orders, "
        f"{np.unique(cols['customer']).size:,} customers)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
