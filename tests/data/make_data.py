"""Write the messy input files in tests/data/, byte for byte the same on every run.

Every orders file describes the same 12 order lines, the way a different CRM or
spreadsheet would export them; the customers files describe the same 6 customers.
tests/test_loading.py reads each one and expects the same result:

    order    customer  date        amount          product
    SO-1001  00123     2026-01-15   1,234.50 USD   LED panel light 600x600
    SO-1002  00123     2026-03-05     800.00 USD   T8 tube 1.2 m
    SO-1003  00123     2026-10-02   2,000.00 USD   High bay 150 W       (14:22)
    SO-1004  17850     2025-11-20   5,000.00 USD   Solar street light
    SO-1005  17850     2026-06-30   1,000.00 USD   Flood light 200 W    (order of
    SO-1005  17850     2026-06-30     500.00 USD   Mounting brackets     two lines)
    CN-1006  17850     2026-07-15    -200.00 USD   credit note: damaged in transit
    SO-1007  C201      2026-09-01   1,000.00 EUR   Tri-proof 1.5 m
    SO-1008  C201      2026-11-01     300.00 USD   Spare drivers
    SO-1009  C202      2025-12-24  12,345.67 USD   Stadium floodlights
    SO-1010  C203      2026-02-28     450.00 USD   Emergency exit signs
    SO-1011  C203      2026-11-20      99.90 USD   Samples

Customer C204 has no orders (a prospect). The files hold the messiness real exports
have: ids exported as floats (`17850.0`), ids with leading zeros, dates in mixed forms,
Excel serial dates, thousands separators, currency symbols, decimal commas,
parenthesised credits, CRLF line ends, blank rows, columns followup does not use, GBK
bytes, a UTF-8 BOM, UTF-16 tab-separated text.

Run from anywhere: `python tests/data/make_data.py`. Edit this script, not the files.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
FIXED_TIMESTAMP = "2026-01-01T00:00:00Z"
EXCEL_EPOCH = dt.date(1899, 12, 30)


def serial(day: str) -> int:
    """The Excel serial number of an ISO date (what a date cell holds without its format)."""
    return (dt.date.fromisoformat(day) - EXCEL_EPOCH).days


# Exported by a US CRM: English headers, `$`/`€` amounts, ids as floats (the column went
# through pandas), mixed date forms, a parenthesised credit, quoted commas, CRLF and the
# trailing empty row Excel leaves.
ORDERS_UTF8 = '''\
Order No,Customer ID,Order Date,Amount,Currency,Product,Sales Rep,Notes
SO-1001,00123,2026-01-15,"$1,234.50",USD,LED panel light 600x600,Lily Chen,"Paid by T/T, 30% deposit"
SO-1002,00123,2026/3/5,$800.00,USD,T8 tube 1.2 m,Lily Chen,
SO-1003,00123,2026-10-02 14:22,"$2,000.00",USD,High bay 150 W,Lily Chen,
SO-1004,17850.0,2025-11-20T09:30:00,"$5,000.00",USD,Solar street light,Kevin Wang,
SO-1005,17850.0,2026-06-30,"$1,000.00",USD,Flood light 200 W,Kevin Wang,two lines
SO-1005,17850.0,2026-06-30,$500.00,USD,Mounting brackets,Kevin Wang,two lines
CN-1006,17850.0,2026-07-15,($200.00),USD,"credit note: damaged in transit",Kevin Wang,
SO-1007, C201 ,2026-09-01,"€1,000.00",EUR,Tri-proof 1.5 m,Amy Zhao,
SO-1008,C201,2026-11-01,$300.00,USD,Spare drivers,Amy Zhao,
SO-1009,C202,2025/12/24,"$12,345.67",USD,Stadium floodlights,Amy Zhao,"big one, ""VIP"""
SO-1010,C203,2026-02-28,$450.00,USD,Emergency exit signs,Grace Xu,
SO-1011,C203,2026-11-20 08:05:59,$99.90,USD,Samples,Grace Xu,
,,,,,,,
'''

# Excel "CSV UTF-8": BOM, CRLF, an ERP's headers ("Invoice No" -> order_id, "Client ID"
# -> customer_id, "Curr" -> currency), plain numbers, midnight timestamps.
ORDERS_UTF8_BOM = """\
Invoice No,Client ID,Invoice Date,Total Amount,Curr,Item,Item Description,Warehouse
SO-1001,00123,2026-01-15 00:00:00,1234.5,USD,LED-P66,LED panel light 600x600,Ningbo
SO-1002,00123,2026-03-05 00:00:00,800,USD,T8-12,T8 tube 1.2 m,Ningbo
SO-1003,00123,2026-10-02 14:22:00,2000,USD,HB-150,High bay 150 W,Ningbo
SO-1004,17850,2025-11-20 00:00:00,5000,USD,SSL-100,Solar street light,Yiwu
SO-1005,17850,2026-06-30 00:00:00,1000,USD,FL-200,Flood light 200 W,Ningbo
SO-1005,17850,2026-06-30 00:00:00,500,USD,BRK-1,Mounting brackets,Ningbo
CN-1006,17850,2026-07-15 00:00:00,-200,USD,CN,Credit note,
SO-1007,C201,2026-09-01 00:00:00,1000,EUR,TP-15,Tri-proof 1.5 m,Ningbo
SO-1008,C201,2026-11-01 00:00:00,300,USD,DRV,Spare drivers,Ningbo
SO-1009,C202,2025-12-24 00:00:00,12345.67,USD,STF-1000,Stadium floodlights,Ningbo
SO-1010,C203,2026-02-28 00:00:00,450,USD,EXIT-2,Emergency exit signs,Yiwu
SO-1011,C203,2026-11-20 00:00:00,99.9,USD,SMPL,Samples,Ningbo
"""

# A Chinese CRM export saved by Excel as "CSV" on a Chinese Windows: GBK bytes,
# Chinese headers, currencies written 美元/欧元, dates as 2026年1月15日 and 2026/03/05,
# columns followup does not use (业务员, 备注, 发货状态).
ORDERS_GBK = """\
订单号,客户编号,下单日期,金额,币种,产品,业务员,备注,发货状态
SO-1001,00123,2026年1月15日,"1,234.50",美元,LED面板灯 600x600,陈丽,预付30%定金，余款见提单副本,已发货
SO-1002,00123,2026/03/05,800.00,美元,T8灯管 1.2米,陈丽,,已发货
SO-1003,00123,2026-10-02 14:22,"2,000.00",USD,工矿灯 150瓦,陈丽,客户要求加急,已发货
SO-1004,17850,2025年11月20日,"5,000.00",美元,太阳能路灯,王凯,,已发货
SO-1005,17850,2026/06/30,"1,000.00",美元,投光灯 200瓦,王凯,一单两行,已发货
SO-1005,17850,2026/06/30,500.00,美元,安装支架,王凯,一单两行,已发货
CN-1006,17850,2026/07/15,-200.00,美元,贷项通知：运输破损,王凯,退款,
SO-1007,C201,2026/09/01,"1,000.00",欧元,三防灯 1.5米,赵敏,,已发货
SO-1008,C201,2026年11月1日,300.00,美元,备用驱动电源,赵敏,,已发货
SO-1009,C202,2025/12/24,"12,345.67",美元,体育场投光灯,赵敏,大客户,已发货
SO-1010,C203,2026/02/28,450.00,美元,应急出口指示灯,徐静,,已发货
SO-1011,C203,2026/11/20,99.90,美元,样品,徐静,免费样品另计运费,待发货
"""

# The same Chinese headers with only ASCII data below them: the commonest shape of a
# Chinese CRM export (ids, dates and amounts are ASCII), saved as GBK.
ORDERS_GBK_ASCII_ROWS = """\
订单号,客户编号,下单日期,金额,币种
SO-1001,00123,2026-01-15,1234.50,USD
SO-1002,00123,2026/3/5,800.00,USD
SO-1003,00123,2026-10-02 14:22,2000.00,USD
SO-1004,17850,2025-11-20,5000.00,USD
SO-1005,17850,2026-06-30,1000.00,USD
SO-1005,17850,2026-06-30,500.00,USD
CN-1006,17850,2026-07-15,-200.00,USD
SO-1007,C201,2026-09-01,1000.00,EUR
SO-1008,C201,2026-11-01,300.00,USD
SO-1009,C202,2025-12-24,12345.67,USD
SO-1010,C203,2026-02-28,450.00,USD
SO-1011,C203,2026-11-20,99.90,USD
"""

# European Excel: `;` delimiter, decimal commas, space and no-break-space thousands
# separators, `€` after the number, day-first dates (needs [data] date_format).
ORDERS_SEMICOLON_EU = """\
Order No.;Customer No;Order Date;Order Amount;Currency;Product Name;Bemerkung
SO-1001;00123;15.01.2026;1 234,50;USD;LED-Panel 600x600;Zahlung per Überweisung
SO-1002;00123;05.03.2026;800,00;USD;T8-Röhre 1,2 m;
SO-1003;00123;02.10.2026;2\u00a0000,00;USD;Hallenstrahler 150 W;
SO-1004;17850;20.11.2025;5 000,00;USD;Solar-Straßenleuchte;
SO-1005;17850;30.06.2026;1 000,00;USD;Fluter 200 W;zwei Zeilen
SO-1005;17850;30.06.2026;500,00;USD;Montagebügel;zwei Zeilen
CN-1006;17850;15.07.2026;-200,00;USD;Gutschrift: Transportschaden;
SO-1007;C201;01.09.2026;1.000,00 €;EUR;Feuchtraumleuchte 1,5 m;
SO-1008;C201;01.11.2026;300,00;USD;Ersatztreiber;
SO-1009;C202;24.12.2025;12.345,67;USD;Stadionstrahler;
SO-1010;C203;28.02.2026;450,00;USD;Notausgangsschilder;
SO-1011;C203;20.11.2026;99,90;USD;Muster;
"""

CUSTOMERS_ZH = """\
客户编号,公司名称,联系人,邮箱,WhatsApp,国家,语言,业务员,客户等级,备注,创建时间
00123,Importaciones Vargas S.A.S.,Santiago Vargas,santiago@vargas.example,+573109231266,哥伦比亚,es,陈丽,A,老客户，每年两次大单,2021/3/1
17850,Hughes Commercial Lighting Inc.,Emily Reynolds,emily@hughes.example,+14025550116,美国,en,王凯,A,,2020/7/9
C201,Weber LED-Systeme GmbH,Anna Weber,anna@weber.example,+4917581014650,德国,de,赵敏,B,只接受欧元报价,2024/5/2
C202,深圳市光明照明工程有限公司,张伟,zhangwei@guangming.example,,中国,zh,赵敏,A,体育场项目,2025/1/8
C203,Distribution Electrique Bordeaux SAS,Nathalie Martin,nmartin@deb.example,+33696093998,法国,fr,徐静,C,,2026/1/20
C204,Al Noor Lighting Trading LLC,Omar Haddad,omar@alnoor.example,+971501234567,阿联酋,ar,徐静,,展会新客户，尚未下单,2026/10/15
"""

# UTF-8 with BOM, as Excel saves "CSV UTF-8": Chinese reasons, one reason followup
# does not know (汇率), a reason spelled as an alias (价格太高).
LOSSES_ZH = """\
客户编号,流失日期,流失原因,详情,竞争对手
C202,2026-05-10,价格,对方说我们比越南工厂贵15%,越南某灯具厂
C203,2026/6/1,质量问题,样品色温不一致,
17850,2026-08-01,交期,旺季交货期要45天，客户等不了,
C204,2026-10-30,价格太高,展会报价后没有回复,
00123,2026-09-30,汇率,人民币升值后改从印度采购,
"""


def write_text(name: str, text: str, encoding: str, *, crlf: bool = False) -> None:
    if crlf:
        text = text.replace("\n", "\r\n")
    (HERE / name).write_bytes(text.encode(encoding))


def write_bom(name: str, text: str, *, crlf: bool = False) -> None:
    if crlf:
        text = text.replace("\n", "\r\n")
    (HERE / name).write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))


def save_workbook(book: Workbook, name: str) -> None:
    """Save with fixed timestamps (zip entries and docProps) so reruns are identical."""
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rb"\g<1>" + FIXED_TIMESTAMP.encode() + rb"\g<2>",
                    data,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)
    (HERE / name).write_bytes(out.getvalue())


def orders_xlsx() -> None:
    """Real date cells, raw serial numbers, a text date, float ids, numeric amounts."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Orders"
    sheet.append(["Order ID", "Customer ID", "Order Date", "Amount", "Currency", "Product", "Qty"])
    rows = [
        ["SO-1001", "00123", dt.date(2026, 1, 15), 1234.5, "USD", "LED panel light 600x600", 120],
        ["SO-1002", "00123", "2026/3/5", 800.0, "USD", "T8 tube 1.2 m", 400],
        ["SO-1003", "00123", dt.datetime(2026, 10, 2, 14, 22), 2000, "USD", "High bay 150 W", 40],
        ["SO-1004", 17850.0, serial("2025-11-20"), 5000, "USD", "Solar street light", 25],
        ["SO-1005", 17850.0, dt.date(2026, 6, 30), 1000, "USD", "Flood light 200 W", 20],
        ["SO-1005", 17850.0, dt.date(2026, 6, 30), 500, "USD", "Mounting brackets", 20],
        [None] * 7,  # a blank row in the middle of the sheet
        ["CN-1006", 17850.0, serial("2026-07-15") + 0.6, -200, "USD", "Credit note", None],
        ["SO-1007", "C201", dt.date(2026, 9, 1), 1000, "EUR", "Tri-proof 1.5 m", 50],
        ["SO-1008", "C201", dt.date(2026, 11, 1), 300, "USD", "Spare drivers", 30],
        ["SO-1009", "C202", dt.date(2025, 12, 24), 12345.67, "USD", "Stadium floodlights", 12],
        ["SO-1010", "C203", serial("2026-02-28"), 450, "USD", "Emergency exit signs", 90],
        ["SO-1011", "C203", dt.datetime(2026, 11, 20, 8, 5, 59), 99.9, "USD", "Samples", 3],
    ]
    for row in rows:
        sheet.append(row)
    for (cell,) in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        if isinstance(cell.value, dt.date):
            cell.number_format = "yyyy-mm-dd hh:mm"
    notes = book.create_sheet("Notes")
    notes.append(["Exported from the CRM; the first sheet is the data."])
    save_workbook(book, "orders.xlsx")


def customers_xlsx() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Customers"
    sheet.append(
        ["Customer ID", "Company Name", "Contact", "E-mail", "Country", "Sales Rep", "Created"]
    )
    for row in [
        ["00123", "Importaciones Vargas S.A.S.", "Santiago Vargas", "santiago@vargas.example",
         "Colombia", "陈丽", dt.date(2021, 3, 1)],
        [17850.0, "Hughes Commercial Lighting Inc.", "Emily Reynolds", "emily@hughes.example",
         "United States", "王凯", dt.date(2020, 7, 9)],
        ["C201", "Weber LED-Systeme GmbH", "Anna Weber", "anna@weber.example",
         "Germany", "赵敏", dt.date(2024, 5, 2)],
        ["C202", "深圳市光明照明工程有限公司", "张伟", "zhangwei@guangming.example",
         "China", "赵敏", dt.date(2025, 1, 8)],
        ["C203", "Distribution Electrique Bordeaux SAS", "Nathalie Martin", "nmartin@deb.example",
         "France", "徐静", dt.date(2026, 1, 20)],
        ["C204", "Al Noor Lighting Trading LLC", "Omar Haddad", "omar@alnoor.example",
         "United Arab Emirates", "徐静", dt.date(2026, 10, 15)],
    ]:  # fmt: skip
        sheet.append(row)
    save_workbook(book, "customers.xlsx")


def main() -> None:
    write_text("orders_utf8.csv", ORDERS_UTF8, "utf-8", crlf=True)
    write_bom("orders_utf8_bom.csv", ORDERS_UTF8_BOM, crlf=True)
    write_text("orders_gbk.csv", ORDERS_GBK, "gbk", crlf=True)
    write_text("orders_gbk_ascii_rows.csv", ORDERS_GBK_ASCII_ROWS, "gbk", crlf=True)
    write_text("orders_semicolon_eu.csv", ORDERS_SEMICOLON_EU, "utf-8", crlf=True)
    # Excel "Unicode Text (*.txt)": UTF-16 LE with a BOM, tab-delimited.
    write_text("orders_excel_unicode.txt", ORDERS_UTF8_BOM.replace(",", "\t"), "utf-16", crlf=True)
    orders_xlsx()
    write_text("customers_zh.csv", CUSTOMERS_ZH, "gbk", crlf=True)
    customers_xlsx()
    write_bom("losses_zh.csv", LOSSES_ZH, crlf=True)


if __name__ == "__main__":
    main()
