"""The one table of input columns: canonical fields, which are required, and header aliases.

Headers match after normalisation (case, spaces, `_`, `-`, `.` and a bracketed suffix
such as "Amount (USD)" are ignored). Earlier aliases win when a file has several
candidate headers. Anything not listed here maps through a column-map file
(`--columns map.yaml`). `docs/data.md` is rendered from this table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Field:
    name: str
    description: str
    aliases: tuple[str, ...] = ()
    required: bool = False


_CUSTOMER_ID = Field(
    "customer_id",
    "Customer id (text: leading zeros kept, `17850.0` read as `17850`)",
    (
        "customer id",
        "customerid",
        "customer no",
        "customer number",
        "customer code",
        "client id",
        "account id",
        "buyer id",
        "cust id",
        "客户编号",
        "客户id",
        "客户代码",
        "客户编码",
        "客户号",
    ),
    required=True,
)

TABLES: Final[dict[str, tuple[Field, ...]]] = {
    "customers": (
        _CUSTOMER_ID,
        Field(
            "company",
            "Company name",
            (
                "company name",
                "customer name",
                "account name",
                "client name",
                "buyer",
                "公司名称",
                "客户名称",
                "公司",
                "客户公司",
            ),
        ),
        Field(
            "contact_name",
            "Contact person",
            (
                "contact",
                "contact person",
                "contact name",
                "联系人",
                "联系人姓名",
                "姓名",
            ),
        ),
        Field(
            "contact_name_latin",
            "The contact's name in Latin letters (`Ivan Petrov` for `Иван Петров`): the "
            "greeting of a draft in a Latin-script language uses it",
            (
                "latin name",
                "name latin",
                "romanized name",
                "english name",
                "英文名",
                "英文姓名",
                "拼音",
            ),
        ),
        Field(
            "salutation",
            "How the greeting names the buyer (`Mr. Smith`, `Frau Weber`, `Carlos`), when not "
            "by the contact's name",
            ("greeting name", "greeting", "addressed as", "称呼", "尊称", "问候称呼"),
        ),
        Field(
            "email",
            "Email address",
            (
                "e-mail",
                "email address",
                "mail",
                "邮箱",
                "电子邮箱",
                "电子邮件",
                "邮件",
            ),
        ),
        Field(
            "whatsapp",
            "WhatsApp number (E.164, e.g. +34600123456)",
            (
                "whatsapp number",
                "whatsapp no",
                "wa",
                "whats app",
                "whatsapp号码",
                "whatsapp号",
            ),
        ),
        Field("country", "Country", ("country/region", "nation", "国家", "国家/地区", "国家地区")),
        Field(
            "language",
            "Language as BCP-47 (`en`, `es`, `pt-BR`; default `en`)",
            (
                "lang",
                "locale",
                "preferred language",
                "语言",
                "语种",
            ),
        ),
        Field(
            "owner",
            "Sales rep who owns the account",
            (
                "sales rep",
                "salesperson",
                "sales",
                "account manager",
                "rep",
                "assigned to",
                "业务员",
                "负责人",
                "跟进人",
                "所属业务员",
                "销售",
            ),
        ),
        Field(
            "tier",
            "Customer tier or grade",
            (
                "level",
                "grade",
                "customer level",
                "customer grade",
                "客户等级",
                "等级",
                "级别",
            ),
        ),
        Field(
            "growth",
            "Expected order growth for the reorder plan (`0.08` or `8%`); blank: --growth",
            ("growth rate", "增长率", "预计增长"),
        ),
        Field(
            "notes",
            "Free-text notes (always treated as data)",
            (
                "note",
                "remarks",
                "remark",
                "comments",
                "comment",
                "备注",
                "说明",
            ),
        ),
    ),
    "orders": (
        Field(
            "order_id",
            "Order id; lines sharing it are one order (no column: one row = one order)",
            (
                "order id",
                "order no",
                "order number",
                "invoice",
                "invoice no",
                "invoiceno",
                "pi no",
                "订单号",
                "订单编号",
                "单号",
                "合同号",
                "pi号",
            ),
        ),
        _CUSTOMER_ID,
        Field(
            "order_date",
            "Order date (2024-03-05, 2024/3/5, 2024-03-05 14:22, Excel dates)",
            (
                "order date",
                "invoice date",
                "invoicedate",
                "order time",
                "date",
                "下单日期",
                "订单日期",
                "下单时间",
                "日期",
            ),
            required=True,
        ),
        Field(
            "amount",
            "Line amount (`$1,234.50`, `1 234,50`); negative = return/credit",
            (
                "order amount",
                "total amount",
                "total",
                "value",
                "sales",
                "revenue",
                "金额",
                "订单金额",
                "总金额",
                "合同金额",
            ),
            required=True,
        ),
        Field(
            "currency",
            "ISO 4217 code (`USD`, `usd`; also `$`, `€`, `RMB`, `美元` …; blank: the base "
            "currency); any other value makes the row a bad one",
            (
                "curr",
                "ccy",
                "币种",
                "货币",
            ),
        ),
        Field(
            "product",
            "Product name",
            (
                "product name",
                "item",
                "description",
                "sku",
                "产品",
                "产品名称",
                "品名",
            ),
        ),
        Field(
            "quantity",
            "Quantity (with unit_price, used when there is no amount)",
            (
                "qty",
                "数量",
            ),
        ),
        Field(
            "unit_price",
            "Unit price (with quantity, used when there is no amount)",
            (
                "unitprice",
                "price",
                "单价",
            ),
        ),
    ),
    "losses": (
        _CUSTOMER_ID,
        Field(
            "lost_date",
            "Date the deal or customer was lost",
            (
                "lost date",
                "date lost",
                "loss date",
                "closed date",
                "date",
                "流失日期",
                "丢单日期",
                "日期",
            ),
        ),
        Field(
            "reason",
            "Loss reason (price, quality, delivery, service, competitor, "
            "payment_terms, no_demand, other)",
            (
                "loss reason",
                "lost reason",
                "reason lost",
                "流失原因",
                "丢单原因",
                "原因",
            ),
            required=True,
        ),
        Field(
            "detail",
            "What the customer said (free text, treated as data)",
            (
                "details",
                "description",
                "comment",
                "详情",
                "说明",
                "备注",
            ),
        ),
        Field("competitor", "Competitor that won the business", ("竞争对手", "竞品")),
    ),
    "sent": (  # `followup history --mark-sent FILE`: drafts sent, until the mailbox syncs
        _CUSTOMER_ID,
        Field(
            "sent_on",
            "Day the follow-up was sent (blank: the --as-of day)",
            ("sent date", "date sent", "sent", "date", "发送日期", "发送时间", "日期"),
        ),
        Field(
            "campaign",
            "Campaign of the draft sent (blank: the customer's latest draft)",
            ("活动",),
        ),
        Field("channel", "email or whatsapp (blank: either)", ("渠道",)),
        Field(
            "file", "The draft's file in its outbox (blank: the latest draft)", ("draft", "文件")
        ),
    ),
}

#: the tables of a workspace's data folder (`sent` is a list for `history --mark-sent`)
DATA_TABLES: Final = ("customers", "orders", "losses")

_BRACKETED = re.compile(r"\s*[\(（\[【].*?[\)）\]】]\s*$")
_SEPARATORS = re.compile(r"[\s_\-\.]+")


def normalise_header(header: str) -> str:
    """`" Customer_ID (CRM) "` -> `"customerid"`."""
    text = _BRACKETED.sub("", header.strip().lstrip("\ufeff"))
    return _SEPARATORS.sub("", text).casefold()


def fields(table: str) -> tuple[Field, ...]:
    return TABLES[table]


def candidates(field: Field) -> tuple[str, ...]:
    """Normalised headers that name `field`, most specific first."""
    names = (field.name, *field.aliases)
    return tuple(dict.fromkeys(normalise_header(n) for n in names))
