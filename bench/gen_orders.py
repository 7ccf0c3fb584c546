"""Seeded generator of a large orders CSV for the `followup segment` benchmark.

Writes ``order_id,customer_id,order_date,amount,currency,product`` rows (one row per
order line). Defaults: 1,000,000 lines for 100,000 customers, ~1.3 lines per order
(lines of one order share order_id, customer and date), dates 2022-01-01..2026-11-20,
amounts with 2 decimals, ~1% negative (credits), currency USD.

Variants, as real shop exports come: ``--timestamps`` writes a time of day after each
date (``2024-03-05 14:22:08``, nearly every value distinct), and ``--missing-ids 0.25``
leaves the customer id blank on that share of lines (guest checkouts, which
``followup segment --rejects FILE`` sets aside). Both draw from their own seeded
generators, so the other columns are the same as in the plain file.

The output is byte-identical for the same arguments: one numpy ``default_rng`` with a
constant seed drives everything, and the CSV is formatted by hand (no locale, no float
repr surprises).

Usage::

    python bench/gen_orders.py [--rows 1000000] [--customers 100000] [--out PATH]
                               [--timestamps] [--missing-ids SHARE]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

SEED = 20261122
TIME_SEED = SEED + 1
MISSING_SEED = SEED + 2
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


def times_of_day(rows: int) -> np.ndarray:
    """`` HH:MM:SS`` per line, office hours weighted (08:00-19:59), from their own seed."""
    rng = np.random.default_rng(TIME_SEED)
    seconds = rng.integers(8 * 3600, 20 * 3600, size=rows)
    hh, mm, ss = seconds // 3600, seconds // 60 % 60, seconds % 60
    parts = [np.char.zfill(x.astype(str), 2) for x in (hh, mm, ss)]
    return np.char.add(
        np.char.add(np.char.add(" ", parts[0]), ":"),
        np.char.add(np.char.add(parts[1], ":"), parts[2]),
    )


def build_columns(
    rows: int, customers: int, *, timestamps: bool = False, missing_ids: float = 0.0
) -> dict[str, np.ndarray]:
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
    dates = (START + days[line_order].astype("timedelta64[D]")).astype(str)
    if timestamps:
        dates = np.char.add(dates, times_of_day(rows))
    ids = np.char.add("C", np.char.zfill((cust[line_order] + 1).astype(str), 6))
    if missing_ids:
        ids[np.random.default_rng(MISSING_SEED).random(rows) < missing_ids] = ""
    return {
        "order_no": line_order + 1,
        "customer": ids,
        "date": dates,
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
                f"SO{o:07d},{c},{d},{a},USD,{p}"
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
    parser.add_argument("--out", type=Path, default=None, help="output CSV path")
    parser.add_argument("--timestamps", action="store_true", help="a time of day after each date")
    parser.add_argument(
        "--missing-ids",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of lines (0..1) with a blank customer id",
    )
    args = parser.parse_args(argv)
    if args.rows < 1 or args.customers < 1:
        parser.error("--rows and --customers must be positive")
    if not 0.0 <= args.missing_ids < 1.0:
        parser.error("--missing-ids must be at least 0 and below 1")
    if args.out is None:
        args.out = default_out(timestamps=args.timestamps, missing_ids=args.missing_ids)
    return args


def default_out(*, timestamps: bool, missing_ids: float) -> Path:
    """``orders_1m.csv``, ``orders_1m_ts.csv``, ``orders_1m_ts_missing25.csv`` ..."""
    name = "orders_1m"
    if timestamps:
        name += "_ts"
    if missing_ids:
        name += f"_missing{round(missing_ids * 100)}"
    return DEFAULT_OUT.with_name(name + ".csv")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cols = build_columns(
        args.rows, args.customers, timestamps=args.timestamps, missing_ids=args.missing_ids
    )
    write_csv(cols, args.out)
    n_orders = int(cols["order_no"][-1])
    named = cols["customer"][cols["customer"] != ""]
    blank = args.rows - named.size
    print(
        f"wrote {args.out} ({args.rows:,} lines, {n_orders:,} orders, "
        f"{np.unique(named).size:,} customers"
        + (f", {blank:,} lines without a customer id" if blank else "")
        + ")"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
