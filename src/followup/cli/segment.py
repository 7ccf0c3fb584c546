"""`followup segment`: RFM scores and a segment for every customer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from followup.analysis.rfm import RFM_COLUMNS
from followup.cli import options, tables
from followup.cli.base import Command

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from followup.analysis.segmented import Segmented
    from followup.xlsx import Sheet

#: per-customer columns, in order: who, the RFM figures, the segment, then the rest
OUTPUT_COLUMNS = (
    *("customer_id", "company"),
    *RFM_COLUMNS[1:7],
    *("segment", "segment_label", "owner", "country", "language"),
    *RFM_COLUMNS[7:],
)


@click.command(
    "segment",
    cls=Command,
    example="followup segment --sample --summary",
    short_help="RFM scores and a segment for every customer.",
)
@options.data_options
@options.as_of_option
@options.scheme_option
@click.option(
    "--rules",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Rules file (YAML) that renames segments or redraws the grid.",
)
@click.option(
    "--thresholds",
    metavar="r=DAYS,f=N,m=AMOUNT",
    help="cn8: fixed thresholds instead of the means, e.g. r=90,f=3,m=5000.",
)
@click.option("--summary", is_flag=True, help="One line per segment instead of per customer.")
@options.format_options
def command(
    data: options.DataOptions,
    as_of: str | None,
    scheme: str,
    rules: Path | None,
    thresholds: str | None,
    summary: bool,
    fmt: str | None,
    output: Path | None,
) -> None:
    """RFM scores (1–5) and a segment for every customer.

    Reads orders (and customers, when there is a customers file) from the
    workspace or the given files. Customers with no purchase are listed as
    `prospect`.
    """
    from followup import api
    from followup.analysis.segmented import summary as summarise

    kind = options.output_format(fmt, output)  # a bad --output stops before any work
    day = options.parse_as_of(as_of)
    dataset = options.load(data, meanwhile=True)
    result = api.segment(dataset, day, scheme=scheme, rules=rules, thresholds=thresholds)
    _report_counts(result)
    if kind == "xlsx":
        sheets = _summary_sheets(summarise(result), result) if summary else None
        sheets = sheets or _customer_sheets(_per_customer(result.table), result)
        options.emit_workbook(sheets, output, stamp=result.rfm.as_of)
        return
    if summary:
        text = _format_summary(summarise(result), kind, result)
    else:
        text = _format_customers(_per_customer(result.table), kind, result)
    options.emit(text, output, kind)


def _report_counts(result: Segmented) -> None:
    rfm = result.rfm
    if rfm.orders_after_as_of:
        click.echo(
            f"Note: {rfm.orders_after_as_of} order{'s' if rfm.orders_after_as_of != 1 else ''} "
            f"dated after {rfm.as_of} ignored.",
            err=True,
        )


def _per_customer(table: pa.Table) -> pa.Table:
    return table.select([c for c in OUTPUT_COLUMNS if c in table.column_names])


def _meta(result: Segmented) -> dict[str, Any]:
    return {
        "as_of": result.rfm.as_of.isoformat(),
        "scheme": result.scheme,
        "currency": result.base_currency,
    }


def _about(result: Segmented) -> Sheet:
    """The workbook's "About" sheet: what the table is (as JSON's header says it)."""
    from followup.xlsx import Sheet

    rows: list[dict[str, Any]] = [
        {"setting": "as_of", "value": result.rfm.as_of},
        {"setting": "scheme", "value": result.scheme},
        {"setting": "currency", "value": result.base_currency},
    ]
    return Sheet("About", ("setting", "value"), rows)


def _customer_sheets(table: pa.Table, result: Segmented) -> list[Sheet]:
    from followup.xlsx import MONEY_FORMAT, Sheet, table_rows

    rows = table_rows(table)
    return [
        Sheet("Customers", table.column_names, rows, {"monetary": MONEY_FORMAT}),
        _about(result),
    ]


def _summary_sheets(frame: pd.DataFrame, result: Segmented) -> list[Sheet]:
    from followup.xlsx import MONEY_FORMAT, PERCENT_FORMAT, Sheet, table_rows

    formats = {"revenue": MONEY_FORMAT, "share": PERCENT_FORMAT, "revenue_share": PERCENT_FORMAT}
    return [Sheet("Segments", list(frame.columns), table_rows(frame), formats), _about(result)]


def _format_customers(table: pa.Table, kind: str, result: Segmented) -> str:
    from followup.files import frame_csv, json_text

    if kind == "csv":
        return frame_csv(table)
    if kind == "json":
        return json_text({**_meta(result), "customers": table.to_pylist()})
    return _customer_table(table.to_pylist(), result)


def _format_summary(frame: pd.DataFrame, kind: str, result: Segmented) -> str:
    from followup.files import frame_csv, json_text

    if kind == "csv":
        return frame_csv(frame)
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    if kind == "json":
        return json_text({**_meta(result), "segments": records})
    return _summary_table(records, result)


def _customer_table(records: list[dict[str, Any]], result: Segmented) -> str:
    has_company = bool(records) and "company" in records[0]
    spend = f"spend {result.base_currency or ''}".strip()
    headers = [
        "customer",
        *(["company"] if has_company else []),
        "days",
        "orders",
        spend,
        "RFM",
        "segment",
    ]
    rows = []
    for r in records:
        scores = f"{r['r_score']}{r['f_score']}{r['m_score']}" if r["frequency"] else ""
        company = [r["company"]] if has_company else []
        rows.append(
            [
                r["customer_id"],
                *company,
                r["recency_days"],
                r["frequency"],
                tables.money(r["monetary"]),
                scores,
                r["segment"],
            ]
        )
    right = [False, *([False] if has_company else []), True, True, True, False, False]
    head = f"{len(records)} customers, as of {result.rfm.as_of}, scheme {result.scheme}\n\n"
    return head + tables.table(headers, rows, right=right, flexible=1 if has_company else None)


def _summary_table(records: list[dict[Any, Any]], result: Segmented) -> str:
    from followup.analysis.segments import label

    revenue = f"revenue {result.base_currency or ''}".strip()
    headers = ["segment", "customers", "share", revenue, "share", "median days"]
    rows = [
        [
            f"{r['segment']} {label(r['segment'], result.scheme)}".strip(),
            r["customers"],
            tables.percent(r["share"]),
            tables.money(r["revenue"]),
            tables.percent(r["revenue_share"]),
            tables.number(r["median_recency_days"]),
        ]
        for r in records
    ]
    head = f"As of {result.rfm.as_of}, scheme {result.scheme}\n\n"
    right = [False, True, True, True, True, True]
    return head + tables.table(headers, rows, right=right, flexible=0)
