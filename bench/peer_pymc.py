"""Peer for the segment benchmark: pymc-marketing's ``rfm_segments`` on the orders CSV.

Run with the peer venv's Python (``bash bench/setup_peer.sh`` creates it)::

    bench/.venv-peer/bin/python bench/peer_pymc.py \\
        --orders bench/data/orders_1m.csv --as-of 2026-11-22 --output /tmp/peer_seg.csv

Times, inside the process: ``import pandas, pymc_marketing`` (plus ``pymc_marketing.clv``),
``pandas.read_csv``, with ``--drop-missing-ids`` dropping the lines without a customer id
(``followup segment --rejects`` sets those aside; rfm_segments would count them as one
customer ``NaN``), ``pymc_marketing.clv.rfm_segments(...)`` on the raw order lines
(nothing is aggregated here: rfm_segments sums lines per customer-day itself and parses
the dates, time of day included), and the CSV write. Prints one JSON object on the last
stdout line so ``bench_segment.py`` can parse it. Heavy imports are deferred into ``main``
so the import timing starts at zero.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_ORDERS = Path(__file__).resolve().parent / "data" / "orders_1m.csv"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="pymc-marketing rfm_segments peer run")
    parser.add_argument("--orders", type=Path, default=DEFAULT_ORDERS)
    parser.add_argument("--as-of", default="2026-11-22", help="observation_period_end")
    parser.add_argument("--output", type=Path, required=True, help="segments CSV to write")
    parser.add_argument(
        "--drop-missing-ids",
        action="store_true",
        help="drop lines without a customer id first (as followup sets them aside)",
    )
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Import, read, segment, write; return the phase timings in seconds."""
    t0 = time.perf_counter()
    import pandas as pd  # deferred: the import is timed
    import pymc_marketing
    from pymc_marketing import clv

    t1 = time.perf_counter()
    orders = pd.read_csv(args.orders)
    rows_read = len(orders)
    t2a = time.perf_counter()
    if args.drop_missing_ids:
        orders = orders.dropna(subset=["customer_id"])
    t2 = time.perf_counter()
    segments = clv.rfm_segments(
        orders,
        customer_id_col="customer_id",
        datetime_col="order_date",
        monetary_value_col="amount",
        observation_period_end=args.as_of,
    )
    t3 = time.perf_counter()
    segments.to_csv(args.output, index=False)
    t4 = time.perf_counter()
    return {
        "peer": "pymc-marketing",
        "version": pymc_marketing.__version__,
        "pandas": pd.__version__,
        "api": "pymc_marketing.clv.rfm_segments",
        "rows_in": rows_read,
        "rows_dropped": rows_read - len(orders),
        "customers_out": len(segments),
        "import_s": t1 - t0,
        "read_s": t2a - t1,
        "drop_s": t2 - t2a,
        "rfm_segments_s": t3 - t2,
        "write_s": t4 - t3,
        "import_read_segment_s": t3 - t0,
        "segments": {str(k): int(v) for k, v in segments["segment"].value_counts().items()},
    }


def main(argv: list[str] | None = None) -> int:
    result = run(parse_args(argv))
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
