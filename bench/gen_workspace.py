"""Seeded generator of a large drafting workspace for the `followup batch` benchmark.

Writes ``<out>/followup.toml`` and ``<out>/company.yaml`` (copied from the bundled sample
workspace) and ``<out>/data/``:

* ``customers.csv``: ``customer_id,company,contact_name,email,whatsapp,country,language,
  owner,tier,notes``; ids ``C00001``..; every customer has an email address; languages
  en, es, de, fr, pt-BR (about 40/25/13/11/11 %), names, companies, e-mail domains and
  WhatsApp numbers generated per country (all invented, domains ``.example``).
* ``orders.csv``: ``order_id,customer_id,order_date,amount,currency,product``; about 10
  lines per customer (1-4 lines per order), every customer at least one order with a
  positive amount (so nobody is a ``prospect``: ``--segment`` with the 11 classic segments
  targets every customer), dates 2022-01-01..2026-11-20, USD only, products named as in
  the sample's orders.
* ``losses.csv``: ``customer_id,lost_date,reason,detail,competitor`` for about 30 % of the
  customers (mostly those whose last order is old), every loss reason present.

Stdlib only. One ``random.Random`` with a constant seed drives everything and the files
are written with ``\\n`` line ends in a fixed order: byte-identical on rerun.

Usage::

    python bench/gen_workspace.py [--customers 10000] [--out bench/data/ws10k]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import re
import sys
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

K = TypeVar("K")

SEED = 20261122
FIRST_DAY = dt.date(2022, 1, 1)
LAST_DAY = dt.date(2026, 11, 20)
BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DEFAULT_OUT = BENCH_DIR / "data" / "ws10k"
SAMPLE_FILES = ("followup.toml", "company.yaml")

CUSTOMER_HEADER = [
    "customer_id", "company", "contact_name", "email", "whatsapp", "country", "language",
    "owner", "tier", "notes",
]  # fmt: skip
ORDER_HEADER = ["order_id", "customer_id", "order_date", "amount", "currency", "product"]
LOSS_HEADER = ["customer_id", "lost_date", "reason", "detail", "competitor"]

LANGUAGE_WEIGHTS = {"en": 40, "es": 25, "de": 13, "fr": 11, "pt-BR": 11}
TIER_WEIGHTS = {"A": 10, "B": 35, "C": 55}
WHATSAPP_SHARE = 0.85
NOTE_SHARE = 0.25
LOSS_SHARE = 0.30
ORDER_COUNT_WEIGHTS = {
    1: 12, 2: 12, 3: 12, 4: 11, 5: 10, 6: 9, 7: 8, 8: 7, 9: 6, 10: 5, 12: 4, 15: 3, 20: 1,
}  # fmt: skip
LINES_PER_ORDER_WEIGHTS = {1: 45, 2: 30, 3: 15, 4: 10}  # mean 1.9
LINES_TARGET = 10  # order lines per customer on average (order count is scaled to it)

# Unit prices in USD for the sample's products; an unknown name gets FALLBACK_PRICE.
UNIT_PRICES = {
    "LED Downlight 12W": 3.20,
    "LED Flood Light 100W": 18.50,
    "LED Flood Light 200W": 34.00,
    "LED Panel Light 300x1200": 11.80,
    "LED Panel Light 600x600": 9.60,
    "LED Street Light 150W": 52.00,
    "LED Tri-proof Light 1.5m": 12.40,
    "LED Tube T8 1.2m": 1.45,
    "Linear Trunking System": 27.50,
    "Solar Street Light 100W": 68.00,
    "UFO High Bay 150W": 29.00,
    "UFO High Bay 200W": 37.50,
}
FALLBACK_PRICE = 20.00
QUANTITIES = (50, 100, 100, 200, 200, 300, 500, 500, 1000, 2000)

REASON_WEIGHTS = {
    "price": 30,
    "competitor": 12,
    "quality": 12,
    "delivery": 11,
    "service": 8,
    "payment_terms": 8,
    "no_demand": 11,
    "other": 8,
}
COMPETITORS = (
    "Hanoi Solaris LED JSC",
    "Zhongshan Guangrui Lighting",
    "Shenzhen Lucentra Optoelectronics",
    "Anatolux Aydınlatma",
    "Xiamen Bluetide Lighting",
    "Jiangmen Hengyue Electric",
    "Lumivar India Pvt Ltd",
)
LOSS_DETAILS = {
    "price": (
        "{competitor} quoted {pct}% lower on {product}",
        "Says our {product} price is {pct}% above the market",
        "Lost the tender on price; {competitor} came in {pct}% under us",
        "{competitor}报价比我们低{pct}%，客户转单",
    ),
    "competitor": (
        "Switched to {competitor}, who holds local stock",
        "{competitor} offered 90-day credit and consignment stock",
        "Their group signed a framework agreement with {competitor}",
    ),
    "quality": (
        "Two batches of drivers failed after 6 months",
        "Colour temperature differed between batches of {product}",
        "Failure rate around {pct}% on {product} in the first year",
    ),
    "delivery": (
        "Shipment arrived 5 weeks late; they missed the project deadline",
        "Could not meet the 20-day lead time they needed before CNY",
        "Partial shipments caused extra freight cost",
    ),
    "service": (
        "Slow replies while their contact person was on leave",
        "Claim handling took 3 months; buyer unhappy",
        "No technical support for commissioning the {product}",
    ),
    "payment_terms": (
        "Wanted 60 days open account; we require 30% deposit",
        "Asked for 90-day credit after the first order; finance declined",
        "Credit insurance limit for the buyer was not approved",
    ),
    "no_demand": (
        "Construction market slowdown; projects on hold",
        "Main hotel project finished; no new projects this year",
        "Municipal budget for street lighting was cut",
    ),
    "other": (
        "Buyer left the company; new buyer not responding",
        "Company acquired by a group with central purchasing",
        "原采购离职，新采购一直未回复",
    ),
}
NOTES = (
    "Prefers WhatsApp; buys for hotel projects",
    "Met at Canton Fair, spring session",
    "Pays 30% deposit, balance against B/L copy",
    "Price-sensitive; compares us with two other Ningbo suppliers",
    "Wants private-label boxes and manuals",
    "Contractor; orders per project tender",
    "Uses own forwarder in Ningbo",
    "Asks for samples before every new model",
    "Ships LCL; combine with other orders when possible",
)
ROLE_MAILBOXES = {
    "en": ("purchasing", "procurement", "info"),
    "es": ("compras", "info"),
    "de": ("einkauf", "info"),
    "fr": ("achats", "contact"),
    "pt-BR": ("compras", "contato"),
}


@dataclass(frozen=True)
class Country:
    name: str
    language: str
    weight: int  # share within its language
    dial: str
    national_len: int
    owner: str
    places: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    companies: tuple[str, ...]  # patterns with {last}, {last2}, {place}


COUNTRIES = (
    Country(
        "United States", "en", 50, "1", 10, "Lily Chen",
        ("Houston", "Phoenix", "Tampa", "Denver", "Atlanta", "Charlotte", "Columbus",
         "Nashville", "Dallas", "Orlando", "Omaha", "Raleigh"),
        ("Michael", "Jennifer", "David", "Sarah", "James", "Jessica", "Robert", "Ashley",
         "John", "Emily", "Daniel", "Amanda", "Chris", "Megan", "Brian", "Laura"),
        ("Miller", "Johnson", "Carter", "Thompson", "Reynolds", "Brooks", "Sullivan",
         "Hayes", "Bennett", "Foster", "Coleman", "Griffin", "Warren", "Porter", "Hughes"),
        ("{last} Lighting Supply LLC", "{place} Electrical Distributors Inc.",
         "{last} & {last2} Electric Co.", "{place} LED Solutions LLC",
         "{last} Commercial Lighting Inc."),
    ),
    Country(
        "United Kingdom", "en", 25, "44", 10, "Jason Liu",
        ("Leeds", "Bristol", "Manchester", "Sheffield", "Glasgow", "Leicester", "Cardiff"),
        ("Oliver", "Emma", "Harry", "Charlotte", "George", "Sophie", "Jack", "Lucy",
         "Thomas", "Hannah"),
        ("Clarke", "Walker", "Wright", "Turner", "Baxter", "Holmes", "Fletcher", "Marsh",
         "Pearce", "Lawson"),
        ("{last} Electrical Wholesale Ltd", "{place} Lighting Distribution Ltd",
         "{last} & Sons Electrical Ltd", "{place} LED Direct Ltd"),
    ),
    Country(
        "Australia", "en", 15, "61", 9, "Jason Liu",
        ("Brisbane", "Perth", "Adelaide", "Geelong", "Newcastle", "Hobart", "Darwin"),
        ("Jack", "Olivia", "Liam", "Chloe", "Noah", "Mia", "Lachlan", "Isla", "Cooper"),
        ("Mitchell", "Kelly", "O'Brien", "Ryan", "Campbell", "Harrison", "Murray", "Doyle"),
        ("{last} Lighting Pty Ltd", "{place} Electrical Wholesalers Pty Ltd",
         "{place} LED Projects Pty Ltd"),
    ),
    Country(
        "United Arab Emirates", "en", 10, "971", 9, "Jason Liu",
        ("Dubai", "Sharjah", "Abu Dhabi", "Ajman"),
        ("Ahmed", "Mohammed", "Khalid", "Omar", "Faisal", "Rashid", "Yousef"),
        ("Al Mansoori", "Al Hashimi", "Al Suwaidi", "Al Nuaimi", "Al Ketbi"),
        ("{last} Electrical Trading LLC", "{place} Lighting Trading LLC"),
    ),
    Country(
        "Spain", "es", 35, "34", 9, "Amy Zhao",
        ("Valencia", "Sevilla", "Zaragoza", "Málaga", "Murcia", "Bilbao", "Alicante"),
        ("Javier", "María", "Carlos", "Laura", "Alejandro", "Lucía", "Miguel", "Elena",
         "Pablo", "Carmen"),
        ("García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro",
         "Torres", "Domínguez", "Vázquez"),
        ("Iluminación {last} S.L.", "Distribuciones Eléctricas {place} S.L.",
         "Suministros Eléctricos {last} S.A.", "Instalaciones {last} y {last2} S.L."),
    ),
    Country(
        "Mexico", "es", 35, "52", 10, "Kevin Wang",
        ("Monterrey", "Guadalajara", "Querétaro", "Puebla", "León", "Mérida", "Tijuana"),
        ("José", "Guadalupe", "Juan Carlos", "Alejandra", "Luis", "Fernanda", "Ricardo",
         "Gabriela", "Eduardo", "Verónica"),
        ("Hernández", "González", "Ramírez", "Flores", "Cruz", "Morales", "Reyes",
         "Gutiérrez", "Mendoza", "Aguilar"),
        ("Iluminación {last} S.A. de C.V.", "Distribuidora Eléctrica {place} S.A. de C.V.",
         "Importadora {last} S. de R.L. de C.V."),
    ),
    Country(
        "Colombia", "es", 30, "57", 10, "Kevin Wang",
        ("Medellín", "Bogotá", "Cali", "Barranquilla", "Bucaramanga", "Pereira"),
        ("Andrés", "Paola", "Julián", "Catalina", "Santiago", "Natalia", "Camilo", "Diana"),
        ("Restrepo", "Gómez", "Cardona", "Ospina", "Jaramillo", "Castaño", "Londoño"),
        ("Iluminaciones {last} S.A.S.", "Eléctricos {place} S.A.S.",
         "Importaciones {last} S.A.S."),
    ),
    Country(
        "Germany", "de", 80, "49", 11, "Amy Zhao",
        ("Hamburg", "Köln", "Stuttgart", "Dortmund", "Hannover", "Leipzig", "Nürnberg"),
        ("Thomas", "Sabine", "Andreas", "Katrin", "Markus", "Julia", "Stefan", "Nicole",
         "Jan", "Anna", "Tobias"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann",
         "Schäfer", "Koch", "Richter", "Krüger"),
        ("{last} Lichttechnik GmbH", "Elektro {last} GmbH & Co. KG",
         "Leuchtenhandel {place} GmbH", "{last} LED-Systeme GmbH"),
    ),
    Country(
        "Austria", "de", 20, "43", 10, "Amy Zhao",
        ("Wien", "Graz", "Linz", "Salzburg", "Innsbruck"),
        ("Lukas", "Sarah", "Florian", "Lisa", "Michael", "Katharina", "David"),
        ("Gruber", "Huber", "Bauer", "Wagner", "Pichler", "Steiner", "Moser"),
        ("Elektro {last} GmbH", "{last} Licht GmbH", "Leuchten {place} GmbH"),
    ),
    Country(
        "France", "fr", 80, "33", 9, "Amy Zhao",
        ("Lyon", "Marseille", "Toulouse", "Nantes", "Bordeaux", "Lille", "Rennes"),
        ("Nicolas", "Camille", "Julien", "Sophie", "Antoine", "Céline", "Maxime", "Émilie",
         "Pierre", "Nathalie"),
        ("Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Lefèvre", "Girard",
         "Fontaine", "Mercier", "Rousseau"),
        ("{last} Éclairage SARL", "Distribution Électrique {place} SAS",
         "{last} Électricité Générale SARL", "Lumière {place} Import SAS"),
    ),
    Country(
        "Canada", "fr", 20, "1", 10, "Lily Chen",
        ("Montréal", "Laval", "Québec", "Sherbrooke"),
        ("Mathieu", "Geneviève", "Étienne", "Isabelle", "Sébastien"),
        ("Tremblay", "Gagnon", "Côté", "Bouchard", "Gauthier"),
        ("Éclairage {last} Inc.", "Distribution Électrique {place} Inc."),
    ),
    Country(
        "Brazil", "pt-BR", 100, "55", 11, "Grace Xu",
        ("Campinas", "Curitiba", "Porto Alegre", "Belo Horizonte", "Recife", "Goiânia",
         "Fortaleza", "Salvador", "Joinville"),
        ("João", "Ana", "Pedro", "Juliana", "Lucas", "Fernanda", "Rafael", "Camila",
         "Thiago", "Patrícia", "Bruno"),
        ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Rodrigues", "Almeida",
         "Nascimento", "Carvalho", "Araújo"),
        ("{last} Iluminação Ltda.", "Elétrica {place} Comercial Ltda.",
         "{last} Engenharia Elétrica Ltda.", "Importadora {last} Ltda."),
    ),
)  # fmt: skip


@dataclass
class Customer:
    number: int
    country: Country
    company: str
    contact: str
    email: str
    whatsapp: str
    tier: str
    notes: str
    products: list[str]

    @property
    def customer_id(self) -> str:
        return f"C{self.number:05d}"


@dataclass(frozen=True)
class Line:
    customer: int  # Customer.number
    day: dt.date
    order_seq: int  # global order number before ids are assigned by date
    cents: int
    product: str


# --------------------------------------------------------------------------- helpers


def weighted(rng: random.Random, weights: Mapping[K, int]) -> K:
    """One key of `weights`, drawn with its weight."""
    return rng.choices(list(weights), weights=list(weights.values()), k=1)[0]


def ascii_slug(text: str, sep: str = "") -> str:
    """`Iluminación García S.L.` -> `iluminaciongarcia` (accents dropped, ASCII only)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", plain.lower())
    return sep.join(words)


_LEGAL = re.compile(
    r"\s+(LLC|Inc\.|Co\.|Ltd|Pty Ltd|S\.L\.|S\.A\.|S\.A\. de C\.V\.|S\. de R\.L\. de C\.V\.|"
    r"S\.A\.S\.|GmbH & Co\. KG|GmbH|SARL|SAS|Ltda\.)$"
)


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def sample_dir() -> Path:
    """The bundled sample workspace: the repo's copy, else the installed package's."""
    local = REPO_DIR / "src" / "followup" / "sample"
    if all((local / name).is_file() for name in SAMPLE_FILES):
        return local
    from followup.workspace import sample_root  # needs followup installed

    return Path(sample_root())


def sample_products(sample: Path) -> list[str]:
    """Distinct product names of the sample's orders, sorted."""
    path = sample / "data" / "orders.csv"
    if not path.is_file():
        return sorted(UNIT_PRICES)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        names = {row["product"].strip() for row in csv.DictReader(fh) if row.get("product")}
    return sorted(names) or sorted(UNIT_PRICES)


# --------------------------------------------------------------------------- customers


def pick_country(rng: random.Random) -> Country:
    language = weighted(rng, LANGUAGE_WEIGHTS)
    options = [c for c in COUNTRIES if c.language == language]
    return rng.choices(options, weights=[c.weight for c in options], k=1)[0]


def make_customer(
    rng: random.Random, number: int, products: list[str], used_emails: set[str]
) -> Customer:
    country = pick_country(rng)
    first, last = rng.choice(country.first_names), rng.choice(country.last_names)
    last2 = rng.choice([n for n in country.last_names if n != last])
    place = rng.choice(country.places)
    company = rng.choice(country.companies).format(last=last, last2=last2, place=place)
    core = _LEGAL.sub("", company)
    domain = ascii_slug(core, rng.choice(("", "-"))) + ".example"
    if rng.random() < 0.2:
        local = rng.choice(ROLE_MAILBOXES[country.language])
    elif rng.random() < 0.5:
        local = f"{ascii_slug(first, '')}.{ascii_slug(last, '')}"
    else:
        local = f"{ascii_slug(first, '')[:1]}{ascii_slug(last, '')}"
    email = f"{local}@{domain}"
    if email in used_emails:  # same name at a same-named company: number the mailbox
        email = f"{local}{number}@{domain}"
    used_emails.add(email)
    whatsapp = ""
    if rng.random() < WHATSAPP_SHARE:
        digits = "".join(str(rng.randrange(10)) for _ in range(country.national_len - 1))
        whatsapp = f"+{country.dial}{rng.randrange(1, 10)}{digits}"
    notes = rng.choice(NOTES) if rng.random() < NOTE_SHARE else ""
    k = rng.randint(1, 4)  # the product lines this buyer usually orders
    return Customer(
        number,
        country,
        company,
        f"{first} {last}",
        email,
        whatsapp,
        weighted(rng, TIER_WEIGHTS),
        notes,
        rng.sample(products, k=min(k, len(products))),
    )


# --------------------------------------------------------------------------- orders


def order_days(rng: random.Random, n: int) -> list[dt.date]:
    """`n` order dates in an active window inside FIRST_DAY..LAST_DAY (recency varies)."""
    span = (LAST_DAY - FIRST_DAY).days
    start = rng.randint(0, span)
    end = min(span, start + rng.randint(0, span))
    return sorted(FIRST_DAY + dt.timedelta(days=rng.randint(start, end)) for _ in range(n))


def make_lines(rng: random.Random, cust: Customer, all_products: list[str], seq: int) -> list[Line]:
    """This customer's order lines; `seq` numbers its orders (globally unique)."""
    mean_orders = sum(k * w for k, w in ORDER_COUNT_WEIGHTS.items()) / sum(
        ORDER_COUNT_WEIGHTS.values()
    )
    mean_lines = sum(k * w for k, w in LINES_PER_ORDER_WEIGHTS.items()) / sum(
        LINES_PER_ORDER_WEIGHTS.values()
    )
    n_orders = weighted(rng, ORDER_COUNT_WEIGHTS)
    n_orders = max(1, round(n_orders * LINES_TARGET / (mean_orders * mean_lines)))
    size = rng.lognormvariate(0.0, 0.8)  # order value scale of this buyer
    lines = []
    for i, day in enumerate(order_days(rng, n_orders)):
        for _ in range(weighted(rng, LINES_PER_ORDER_WEIGHTS)):
            product = rng.choice(cust.products) if rng.random() < 0.85 else rng.choice(all_products)
            qty = max(1, round(rng.choice(QUANTITIES) * size))
            unit = round(UNIT_PRICES.get(product, FALLBACK_PRICE) * rng.uniform(0.93, 1.07) * 100)
            lines.append(Line(cust.number, day, seq + i, qty * unit, product))
    return lines


def order_ids(lines: list[Line]) -> dict[int, str]:
    """`SO-<year>-<nnnnnn>`, numbered by date within each year (then customer, seq)."""
    firsts = sorted({(ln.day, ln.customer, ln.order_seq) for ln in lines})
    ids: dict[int, str] = {}
    counter: dict[int, int] = {}
    for day, _, seq in firsts:
        counter[day.year] = counter.get(day.year, 0) + 1
        ids[seq] = f"SO-{day.year}-{counter[day.year]:06d}"
    return ids


# --------------------------------------------------------------------------- losses


def make_losses(
    rng: random.Random, customers: list[Customer], last_day: dict[int, dt.date]
) -> list[list[str]]:
    """~LOSS_SHARE of the customers, picked among the older last orders; every reason used."""
    by_age = sorted(customers, key=lambda c: (last_day[c.number], c.number))
    pool = by_age[: round(len(by_age) * LOSS_SHARE * 2)]  # the oldest 60 %
    chosen = [c for c in pool if rng.random() < 0.5]
    reasons = list(REASON_WEIGHTS)[: len(chosen)]  # one of each first, then weighted
    reasons += [weighted(rng, REASON_WEIGHTS) for _ in range(len(chosen) - len(reasons))]
    rng.shuffle(reasons)
    rows = []
    for cust, reason in zip(chosen, reasons, strict=True):
        lost = min(LAST_DAY, last_day[cust.number] + dt.timedelta(days=rng.randint(14, 200)))
        competitor = ""
        if reason == "competitor" or (reason == "price" and rng.random() < 0.7):
            competitor = rng.choice(COMPETITORS)
        template = rng.choice(LOSS_DETAILS[reason])
        if "{competitor}" in template and not competitor:
            template = LOSS_DETAILS[reason][1]  # the price line without a competitor
        detail = template.format(
            competitor=competitor, pct=rng.randint(5, 18), product=rng.choice(cust.products)
        )
        rows.append([cust.customer_id, lost.isoformat(), reason, detail, competitor])
    rows.sort(key=lambda r: (r[1], r[0]))
    return rows


# --------------------------------------------------------------------------- writing


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def build(customers_n: int, products: list[str]) -> dict[str, bytes]:
    """The three data files, as bytes, keyed by file name."""
    rng = random.Random(SEED)
    used: set[str] = set()
    customers = [make_customer(rng, i, products, used) for i in range(1, customers_n + 1)]
    lines: list[Line] = []
    for cust in customers:
        lines += make_lines(rng, cust, products, seq=len(lines))
    ids = order_ids(lines)
    last_day: dict[int, dt.date] = {}
    for ln in lines:
        last_day[ln.customer] = max(ln.day, last_day.get(ln.customer, ln.day))
    lines.sort(key=lambda ln: (ln.day, ids[ln.order_seq]))  # stable: lines keep their order
    order_rows = [
        [ids[ln.order_seq], f"C{ln.customer:05d}", ln.day.isoformat(), money(ln.cents)]
        for ln in lines
    ]
    for row, ln in zip(order_rows, lines, strict=True):
        row += ["USD", ln.product]
    customer_rows = [
        [
            c.customer_id, c.company, c.contact, c.email, c.whatsapp, c.country.name,
            c.country.language, c.country.owner, c.tier, c.notes,
        ]
        for c in customers
    ]  # fmt: skip
    loss_rows = make_losses(rng, customers, last_day)
    return {
        "customers.csv": csv_bytes(CUSTOMER_HEADER, customer_rows),
        "orders.csv": csv_bytes(ORDER_HEADER, order_rows),
        "losses.csv": csv_bytes(LOSS_HEADER, loss_rows),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=10_000, help="customers to write")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="workspace folder")
    args = parser.parse_args(argv)
    if args.customers < 1:
        parser.error("--customers must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sample = sample_dir()
    files = build(args.customers, sample_products(sample))
    for name in SAMPLE_FILES:
        write_atomic(args.out / name, (sample / name).read_bytes())
    for name, data in files.items():
        write_atomic(args.out / "data" / name, data)
    if (args.out / "templates").exists():  # not ours: leave it, but say so
        print(f"note: {args.out / 'templates'} exists and is used by followup", file=sys.stderr)
    counts = {name: data.count(b"\n") - 1 for name, data in files.items()}
    print(
        f"wrote {args.out}: {counts['customers.csv']:,} customers, "
        f"{counts['orders.csv']:,} order lines, {counts['losses.csv']:,} losses"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
