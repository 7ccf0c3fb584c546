"""Parsing single cells and columns: dates, amounts, ids; and detecting a file's encoding."""

from __future__ import annotations

import codecs
import datetime as dt
import random
import re

import numpy as np
import pyarrow as pa
import pytest

from followup.data.parsing import (
    _timed,
    parse_amount_text,
    parse_amounts,
    parse_date_text,
    parse_dates,
    parse_ids,
)
from followup.data.readers import decode
from followup.errors import InputError

MARCH_5 = dt.date(2024, 3, 5)
CANNOT_TELL = (
    "orders.csv: cannot tell the text encoding (not UTF-8, GB18030/GBK or another known "
    "one): save it as CSV UTF-8"
)


def strings(*values: str) -> pa.Array:
    return pa.array(values, pa.string())


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-05",
        "2024/3/5",
        "2024/03/05",
        "2024.3.5",
        "2024-3-5",
        "20240305",
        "2024-03-05 14:22",
        "2024-03-05 14:22:09",
        "2024/3/5 9:05",
        "2024-03-05T14:22:09Z",
        "2024-03-05T14:22:09.123+08:00",
        "2024年3月5日",
        "2024年03月05日 14:22",
    ],
)
def test_date_forms_crm_exports_use(text: str) -> None:
    assert parse_date_text(text) == MARCH_5


@pytest.mark.parametrize(
    "text",
    [
        "2023-13-01",  # no 13th month
        "2023-02-30",  # no 30 February
        "2023-02-29",  # 2023 is not a leap year
        "2024-00-10",
        "2024-04-31",
        "5/3/2024",  # day-first or month-first? needs [data] date_format
        "24-03-05",
        "March 5, 2024",
        "2024-03",
        "45356",  # an Excel serial is a date only in an XLSX file
        "TBD",
        "",
    ],
)
def test_not_a_date(text: str) -> None:
    assert parse_date_text(text) is None


def test_leap_day() -> None:
    assert parse_date_text("2024-02-29") == dt.date(2024, 2, 29)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("45356", MARCH_5),
        ("45356.604166", MARCH_5),  # 14:30 on 2024-03-05: the time is dropped
        ("18264", dt.date(1950, 1, 1)),  # the earliest serial read as a date
        ("2024-03-05", MARCH_5),
    ],
)
def test_excel_serial_dates(text: str, day: dt.date) -> None:
    assert parse_date_text(text, excel_serials=True) == day


@pytest.mark.parametrize("text", ["0", "-5", "3000000", "45356.5.1"])
def test_not_an_excel_serial(text: str) -> None:
    assert parse_date_text(text, excel_serials=True) is None


def test_date_format_for_day_first_exports() -> None:
    assert parse_date_text("05/03/2024", fmt="%d/%m/%Y") == MARCH_5
    assert parse_date_text("2024-03-05", fmt="%d/%m/%Y") == MARCH_5  # ISO still reads
    assert parse_date_text("31/02/2024", fmt="%d/%m/%Y") is None


def test_parse_dates_flags_bad_cells_and_blank_ones_apart() -> None:
    dates, blank, bad = parse_dates(
        strings("2024-03-05", "", "2023-13-01", " 2024/3/5 ", "2023-13-01", "45356", "\u3000")
    )

    assert dates.to_pylist() == [MARCH_5, None, None, MARCH_5, None, None, None]
    assert blank.tolist() == [False, True, False, False, False, False, True]
    assert bad.tolist() == [False, False, True, False, True, True, False]


def test_parse_dates_reads_serials_from_xlsx() -> None:
    dates, _, bad = parse_dates(strings("45356", "2024-03-05 14:22:00"), excel_serials=True)

    assert dates.to_pylist() == [MARCH_5, MARCH_5]
    assert not bad.any()


def test_parse_dates_with_a_date_format() -> None:
    dates, _, bad = parse_dates(
        strings("05.03.2024", "2024-03-05", "30.02.2024"), day_first_format="%d.%m.%Y"
    )

    assert dates.to_pylist() == [MARCH_5, MARCH_5, None]
    assert bad.tolist() == [False, False, True]


# --------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1234.5", 1234.5),
        ("$1,234.50", 1234.5),
        ("US$1,234.50", 1234.5),
        ("USD 1,234.50", 1234.5),
        ("1,234.50 USD", 1234.5),
        ("€1.234,50", 1234.5),
        ("1.234,50 €", 1234.5),
        ("1 234,50", 1234.5),
        ("1\u00a0234,50", 1234.5),  # French Excel: no-break space
        ("1\u202f234,50", 1234.5),  # narrow no-break space
        ("1'234.50", 1234.5),  # Swiss
        ("¥1,234", 1234.0),
        ("￥1,234.00", 1234.0),
        ("RMB 1,234.00", 1234.0),
        ("1,000,000.00", 1_000_000.0),
        ("1.000.000,00", 1_000_000.0),
        ("1 234 567,89", 1_234_567.89),
        ("0", 0.0),
        ("0.00", 0.0),
    ],
)
def test_amount_forms(text: str, amount: float) -> None:
    assert parse_amount_text(text) == amount


@pytest.mark.parametrize(
    "text", ["-200", "-200.00", "(200.00)", "($200.00)", "-$200", "$-200", "- 200", "-200,00 €"]
)
def test_negative_amounts_are_credits(text: str) -> None:
    assert parse_amount_text(text) == -200.0


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1,234", 1234.0),  # a comma before three digits groups thousands
        ("1,500", 1500.0),
        ("1,5", 1.5),  # otherwise it is a decimal comma
        ("1,50", 1.5),
        ("1,2345", 1.2345),
        ("1.234", 1.234),  # a single dot is a decimal point
        ("1.234.567", 1_234_567.0),  # repeated, it groups thousands
    ],
)
def test_ambiguous_amounts_read_one_documented_way(text: str, amount: float) -> None:
    assert parse_amount_text(text) == amount


@pytest.mark.parametrize(
    "text",
    [
        "",
        "-",
        "N/A",
        "TBD",
        "待定",
        "$",
        "1,234,5",  # groups that are not three digits
        "12,34,567",
        "1.234.5",
        "200-",
        "1-2",
        "1.234,567.89",
    ],
)
def test_not_an_amount(text: str) -> None:
    assert parse_amount_text(text) is None


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("Rs. 1,234", 1234.0),  # Indian rupees: read as 1.234
        ("Rs. 500", 500.0),  # read as 0.5
        ("approx. 1000", 1000.0),  # read as 0.1
        ("\u2212200", -200.0),  # U+2212 MINUS SIGN (Numbers, some Excel locales): read as 200
        ("1.5E+06", 1_500_000.0),  # Excel scientific format: read as 1.506
    ],
)
def test_an_amount_is_never_silently_misread(text: str, meant: float) -> None:
    assert parse_amount_text(text) in (meant, None)  # the right number, or rejected


def test_parse_amounts_clean_column() -> None:
    amounts, blank, bad = parse_amounts(strings("1234.5", "-200", "0", "99.90"))

    assert amounts.to_pylist() == [1234.5, -200.0, 0.0, 99.9]
    assert not bad.any()
    assert not blank.any()


def test_parse_amounts_flags_bad_cells_and_blank_ones_apart() -> None:
    amounts, blank, bad = parse_amounts(
        strings("$1,234.50", "", "N/A", " 500 ", "(20.00)", "N/A", "\u3000")
    )

    assert amounts.to_pylist() == [1234.5, None, None, 500.0, -20.0, None, None]
    assert blank.tolist() == [False, True, False, False, False, False, True]
    assert bad.tolist() == [False, False, True, False, False, True, False]


def test_parse_amounts_of_no_cells() -> None:
    amounts, blank, bad = parse_amounts(strings())

    assert len(amounts) == len(blank) == len(bad) == 0


def test_parse_amounts_never_misreads_a_cell() -> None:
    amounts, _, _ = parse_amounts(strings("1.5E+06", "$5.00"))

    assert amounts[0].as_py() in (1_500_000.0, None)


# --------------------------------------------------------------------------- ids


def test_ids_are_text() -> None:
    ids = parse_ids(
        strings("00123", "17850.0", "17850.00", "17850", "C201", "1.05", "A17.0", "00123.0", "")
    )

    assert ids.to_pylist() == [
        "00123",  # leading zeros kept
        "17850",  # a float export becomes the id
        "17850",
        "17850",
        "C201",
        "1.05",  # not a whole number: left alone
        "A17.0",  # not a number: left alone
        "00123",
        "",
    ]


def test_ids_without_float_exports_are_unchanged() -> None:
    assert parse_ids(strings("00123", "C201", "17850")).to_pylist() == ["00123", "C201", "17850"]


# --------------------------------------------------------------------------- encodings

ZH = (
    "客户编号,订单号,下单日期,金额,币种,产品\r\n"
    '00123,SO-1001,2026年1月15日,"1,234.50",美元,LED面板灯 600x600\r\n'
    'C202,SO-1009,2025/12/24,"12,345.67",美元,体育场投光灯 防水等级IP66\r\n'
)


def test_utf8() -> None:
    assert decode(ZH.encode(), "orders.csv") == (ZH, "utf-8")


def test_utf8_with_bom_drops_the_bom() -> None:
    assert decode(codecs.BOM_UTF8 + ZH.encode(), "orders.csv") == (ZH, "utf-8-sig")


def test_utf16_as_excel_unicode_text() -> None:
    text, encoding = decode(ZH.replace(",", "\t").encode("utf-16"), "orders.txt")

    assert text.lstrip("\ufeff") == ZH.replace(",", "\t")
    assert encoding == "utf-16"


def test_gbk_is_read_as_gb18030() -> None:
    assert decode(ZH.encode("gbk"), "orders.csv") == (ZH, "gb18030")


def test_gb18030_only_characters() -> None:
    text = ZH + "C205,SO-1012,2026/3/1,88.00,美元,𠮷野家 门店灯 䶮\r\n"
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")  # 𠮷 (U+20BB7) is not in GBK: four bytes in GB18030

    assert decode(text.encode("gb18030"), "orders.csv") == (text, "gb18030")


@pytest.mark.parametrize("seed", range(3))
def test_binary_bytes_are_not_text(seed: int) -> None:
    with pytest.raises(InputError) as error:
        decode(random.Random(seed).randbytes(4000), "orders.csv")

    assert str(error.value) == CANNOT_TELL


def test_utf8_with_a_stray_latin1_byte_is_not_guessed() -> None:
    raw = ZH.encode() + "C9,SO-9,2026/1/1,5,EUR,Réglette\r\n".encode("latin-1")

    with pytest.raises(InputError) as error:
        decode(raw, "orders.csv")

    assert str(error.value) == CANNOT_TELL


def test_a_bom_does_not_excuse_bad_bytes() -> None:
    with pytest.raises(InputError) as error:
        decode(codecs.BOM_UTF8 + b"customer_id\r\nC\xe91\r\n", "orders.csv")

    assert re.fullmatch(
        r"orders\.csv: is not valid utf-8-sig text \(byte \d+\): save it as CSV UTF-8",
        str(error.value),
    )


def test_gbk_with_chinese_only_in_the_header() -> None:
    text = "客户编号,下单日期,金额\r\nC1,2026-11-01,5\r\nC2,2026-11-02,6\r\n"

    assert decode(text.encode("gbk"), "orders.csv") == (text, "gb18030")


# --------------------------------------------------------------------------- dates, vectorised

DATE_PIECES = (
    ["2024", "1999", "２０２４", "202"],
    ["-", "/", ".", "年", " - ", "", "　"],
    ["3", "03", "13", "00", "３"],
    ["-", "/", "月", ".", ""],
    ["5", "05", "30", "31", "29"],
    ["", "日", " 日"],
    ["", " 14:22", " 14:22:08", "T14:22:09Z", "T14:22:09.123+08:00", " 9:05", " 23:59:59",
     " 24:00", " 14:60", "  07:30 ", " 7:3", "T", " 14:22:08 +0800", "\u3000 14:22", " 1４:22",
     " 14:22\n"],
    ["", " ", "\t", "\u3000"],
)  # fmt: skip


def random_cells(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    cells = ["".join(rng.choice(piece) for piece in DATE_PIECES) for _ in range(count)]
    return [*cells, "", " ", "TBD", "45356", "45356.604166", "20240305", "20240305 14:22",
            "05/03/2024", "05.03.2024 14:22", "2024-02-29 12:00", "2023-02-29 12:00"]  # fmt: skip


@pytest.mark.parametrize(
    ("fmt", "serials"),
    [(None, False), (None, True), ("%d.%m.%Y", False), ("%d.%m.%Y %H:%M", False),
     ("%Y-%d-%m", False), ("%d/%m/%Y", True)],
)  # fmt: skip
def test_parse_dates_reads_each_cell_as_parse_date_text_does(
    fmt: str | None, serials: bool
) -> None:
    """The vectorised path for cells with a time of day changes no cell's reading."""
    cells = random_cells(11, 4000)

    dates, blank, bad = parse_dates(strings(*cells), excel_serials=serials, day_first_format=fmt)

    expected = [parse_date_text(c.strip(), excel_serials=serials, fmt=fmt) for c in cells]
    assert dates.to_pylist() == expected
    assert blank.tolist() == [not c.strip() for c in cells]
    assert bad.tolist() == [
        e is None and bool(c.strip()) for e, c in zip(expected, cells, strict=True)
    ]
    timed, _ = _timed(strings(*cells), fmt)
    read = np.array([e is not None for e in expected])
    if fmt is None or "%H" not in fmt:  # the cells exercise both paths
        assert sum(read & timed) > 100 and sum(read & ~timed) > 100


def test_timestamps_are_cut_to_their_date_in_one_step() -> None:
    cells = [f"2024-03-05 {h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60)
             for s in (0, 31)] + ["2024/3/6 9:05", "2024年3月7日 14:22", "2024-03-05 25:00"]  # fmt: skip

    dates, blank, bad = parse_dates(strings(*cells))

    assert dates.to_pylist() == [MARCH_5] * 2880 + [
        dt.date(2024, 3, 6),
        dt.date(2024, 3, 7),
        None,  # no 25th hour
    ]
    assert not blank.any()
    assert bad.tolist() == [False] * 2882 + [True]


def test_timestamps_are_parsed_once_per_day_not_once_per_cell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """1M order lines with a time of day have ~1M distinct cells but ~1,800 days."""
    from followup.data import parsing

    calls: list[str] = []
    real = parsing.parse_date_text

    def counted(text: str, **options: object) -> dt.date | None:
        calls.append(text)
        return real(text, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(parsing, "parse_date_text", counted)
    cells = [
        f"2024-03-0{d} {h:02d}:{m:02d}:07" for d in (5, 6) for h in range(24) for m in range(60)
    ]

    dates, _, bad = parse_dates(strings(*cells))

    assert dates.to_pylist() == [MARCH_5] * 1440 + [dt.date(2024, 3, 6)] * 1440
    assert not bad.any()
    assert sorted(c.strip() for c in calls) == ["2024-03-05", "2024-03-06"]


def test_iso_timestamps_read_as_parse_date_text_does() -> None:
    rng = random.Random(5)
    cells = [
        f"{rng.choice(['2023', '2024'])}-{rng.randint(0, 13):02d}-{rng.randint(0, 32):02d}"
        f"{rng.choice([' ', 'T', '  '])}{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
        f"{rng.choice(['', ':07', ':59.5', 'Z', '+08:00', ' +0800'])}"
        for _ in range(3000)
    ]

    timed, iso = _timed(strings(*cells), None)
    dates, _, bad = parse_dates(strings(*cells))

    expected = [parse_date_text(c) for c in cells]
    assert iso and timed.sum() == 3000  # the ISO path, with valid and invalid dates
    assert dates.to_pylist() == expected
    assert bad.tolist() == [e is None for e in expected]
