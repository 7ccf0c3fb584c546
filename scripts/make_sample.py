"""Generate the bundled sample workspace in ``src/followup/sample/``.

Writes ``followup.toml``, ``company.yaml``, ``README.md`` and ``data/customers.csv``,
``data/orders.csv``, ``data/losses.csv`` for an invented LED lighting manufacturer in
Ningbo ("Ningbo Everbright Lighting Co., Ltd.") and about 320 invented overseas buyers:
orders from 2022-01-01 to 2026-11-20 with seasonality (busy Mar-May and Aug-Oct, quiet
around Chinese New Year), buyers of every behaviour (VIP reorderers, steady buyers,
one-off buyers, buyers who stopped in 2023/2024/2025, new buyers in 2026, prospects with
no orders, one buyer whose only order is a credit) and the recorded reasons why lapsed
buyers were lost. Every company, person, competitor, e-mail domain (``.example``) and
phone number is made up; US/Canadian and UK WhatsApp numbers use the ranges reserved for
fiction (555-01xx, 07700 900xxx).

The random generator is seeded with a constant, so every run writes byte-identical files.
After editing this script, regenerate from the repository root with

    python scripts/make_sample.py

The script reads the CSVs back, checks them and prints a summary.
"""

import csv
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import numpy as np
import yaml

SEED = 20261122
FIRST_DAY = date(2022, 1, 1)
LAST_DAY = date(2026, 11, 20)
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "src" / "followup" / "sample"
EUR_RATE = 1.08
Rng = np.random.Generator
T = TypeVar("T")

CUSTOMER_HEADER = [
    "customer_id", "company", "contact_name", "email", "whatsapp",
    "country", "language", "owner", "tier", "notes",
]  # fmt: skip
ORDER_HEADER = ["order_id", "customer_id", "order_date", "amount", "currency", "product"]
LOSS_HEADER = ["customer_id", "lost_date", "reason", "detail", "competitor"]

REPS = ("Lily Chen", "Kevin Wang", "Amy Zhao", "Jason Liu", "Grace Xu")
SPECIAL_NOTE = "Asked for {{ 7*7 }} samples of the linear trunking before the tender"
N_EMAIL_BLANK = 16  # ~5% of 320
N_WHATSAPP_BLANK = 48  # ~15% of 320
N_CREDITS = 7  # credits against real orders, plus the credit-only customer


# --------------------------------------------------------------------------- catalogue

# product -> (2024 FOB unit price in US cents, order quantity step)
PRODUCTS: dict[str, tuple[int, int]] = {
    "LED Panel Light 600x600": (960, 50),
    "LED Panel Light 300x1200": (1240, 50),
    "UFO High Bay 150W": (3650, 10),
    "UFO High Bay 200W": (4780, 10),
    "LED Flood Light 100W": (1990, 20),
    "LED Flood Light 200W": (3860, 10),
    "Solar Street Light 100W": (11200, 10),
    "LED Street Light 150W": (6150, 10),
    "LED Tube T8 1.2m": (132, 200),
    "Linear Trunking System": (3420, 20),
    "LED Downlight 12W": (305, 100),
    "LED Tri-proof Light 1.5m": (1470, 50),
}
PRODUCT_POOLS: dict[str, tuple[str, ...]] = {
    "distributor": (
        "LED Panel Light 600x600", "LED Panel Light 300x1200", "LED Tube T8 1.2m",
        "LED Downlight 12W", "LED Tri-proof Light 1.5m", "UFO High Bay 150W",
        "LED Flood Light 100W",
    ),
    "contractor": (
        "LED Flood Light 200W", "LED Street Light 150W", "Solar Street Light 100W",
        "UFO High Bay 200W", "Linear Trunking System", "LED Tri-proof Light 1.5m",
    ),
    "importer": tuple(PRODUCTS),
}  # fmt: skip
YEAR_PRICE = {2022: 1.06, 2023: 1.03, 2024: 1.0, 2025: 0.98, 2026: 0.97}


# --------------------------------------------------------------------------- seasons

MONTH_WEIGHT = {
    1: 0.75, 2: 0.5, 3: 1.3, 4: 1.45, 5: 1.3, 6: 1.0,
    7: 0.85, 8: 1.15, 9: 1.35, 10: 1.2, 11: 1.0, 12: 0.8,
}  # fmt: skip
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 0.9, 0.2, 0.08)
CHINESE_NEW_YEAR = (
    date(2022, 2, 1), date(2023, 1, 22), date(2024, 2, 10), date(2025, 1, 29), date(2026, 2, 17),
)  # fmt: skip


# --------------------------------------------------------------------------- buyers


@dataclass(frozen=True)
class Profile:
    """How a group of customers buys: order count, first/last order windows, size."""

    name: str
    count: int
    orders: tuple[int, int]
    start: tuple[date, date]
    end: tuple[date, date]
    line_median: float
    multi_line: float
    tiers: str


def _d(text: str) -> date:
    return date.fromisoformat(text)


PROFILES = (
    Profile("vip", 6, (15, 40), (_d("2022-01-03"), _d("2022-04-30")),
            (_d("2026-09-15"), LAST_DAY), 16000, 0.5, "A"),
    Profile("steady", 62, (5, 14), (_d("2022-01-03"), _d("2024-10-31")),
            (_d("2026-01-10"), LAST_DAY), 8000, 0.35, "AABBB"),
    Profile("big_lapsed", 8, (8, 18), (_d("2022-01-03"), _d("2022-10-31")),
            (_d("2024-10-01"), _d("2025-10-31")), 13000, 0.4, "AAB"),
    Profile("big_lost", 6, (8, 16), (_d("2022-01-03"), _d("2022-06-30")),
            (_d("2023-05-01"), _d("2024-02-29")), 14000, 0.4, "AAB"),
    Profile("project", 8, (1, 3), (_d("2022-01-03"), _d("2023-12-31")),
            (_d("2023-01-10"), _d("2025-05-31")), 30000, 0.7, "ABB"),
    Profile("lapsed_2023", 30, (1, 5), (_d("2022-01-03"), _d("2022-12-31")),
            (_d("2023-01-15"), _d("2023-12-20")), 5000, 0.2, "BCC"),
    Profile("lapsed_2024", 35, (2, 6), (_d("2022-01-03"), _d("2023-12-31")),
            (_d("2024-01-15"), _d("2024-12-20")), 5500, 0.2, "BBC"),
    Profile("lapsed_2025", 35, (2, 7), (_d("2022-03-01"), _d("2024-12-31")),
            (_d("2025-01-15"), _d("2025-12-20")), 6000, 0.25, "BBC"),
    Profile("occasional", 40, (2, 4), (_d("2022-01-03"), _d("2024-12-31")),
            (_d("2025-01-10"), LAST_DAY), 5000, 0.2, "BCC"),
    Profile("one_off", 54, (1, 1), (FIRST_DAY, LAST_DAY), (FIRST_DAY, LAST_DAY),
            4500, 0.15, "CCCCB"),
    Profile("new_2026", 25, (1, 3), (_d("2026-01-05"), _d("2026-04-30")),
            (_d("2026-05-01"), LAST_DAY), 6000, 0.25, "BCC"),
    Profile("credit_only", 1, (0, 0), (_d("2024-03-01"), _d("2025-10-31")),
            (_d("2024-03-01"), _d("2025-10-31")), 2500, 0.0, "C"),
    Profile("prospect", 10, (0, 0), (_d("2024-06-01"), _d("2026-11-10")),
            (_d("2024-06-01"), _d("2026-11-10")), 0, 0.0, "CCB"),
)  # fmt: skip
PROFILE_BY_NAME = {p.name: p for p in PROFILES}


@dataclass(frozen=True)
class Country:
    """Where buyers sit: names, cities with phone prefixes, company name patterns."""

    name: str
    language: str
    count: int
    dial: str
    national_len: int
    eur_share: float
    owner: str
    places: tuple[tuple[str, str], ...]  # (city, start of the national phone number)
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    companies: tuple[tuple[str, str, str], ...]  # (name pattern, legal form, kind)
    notes: tuple[str, ...] = ()


COUNTRIES = (
    Country(
        "United States", "en", 62, "1", 10, 0.0, "Lily Chen",
        (("Houston", "71355501"), ("Phoenix", "60255501"), ("Tampa", "81355501"),
         ("Denver", "30355501"), ("Atlanta", "40455501"), ("Charlotte", "70455501"),
         ("Columbus", "61455501"), ("Nashville", "61555501"), ("Sacramento", "91655501"),
         ("Dallas", "21455501"), ("Orlando", "40755501"), ("Tucson", "52055501"),
         ("Omaha", "40255501"), ("Raleigh", "91955501")),
        ("Michael", "Jennifer", "David", "Sarah", "James", "Jessica", "Robert", "Ashley",
         "John", "Emily", "Daniel", "Amanda", "Chris", "Megan", "Brian", "Laura", "Steven",
         "Rachel", "Mark", "Nicole"),
        ("Miller", "Johnson", "Carter", "Thompson", "Reynolds", "Brooks", "Sullivan",
         "Hayes", "Bennett", "Foster", "Coleman", "Griffin", "Warren", "Porter", "Hughes",
         "Palmer", "Russell", "Dixon", "Harper", "Walsh"),
        (("{last} Lighting Supply", "LLC", "distributor"),
         ("{place} Electrical Distributors", "Inc.", "distributor"),
         ("{last} & {last2} Electric", "Co.", "contractor"),
         ("{place} LED Solutions", "LLC", "importer"),
         ("{last} Commercial Lighting", "Inc.", "contractor"),
         ("{last} Lighting Imports", "Corp.", "importer")),
        ("Asked about DLC certification", "Needs ETL-listed drivers for state projects",
         "Warehouse buyer; asks for 5-year warranty on high bays"),
    ),
    Country(
        "United Kingdom", "en", 30, "44", 10, 0.0, "Jason Liu",
        (("Leeds", "7700900"), ("Bristol", "7700900"), ("Manchester", "7700900"),
         ("Sheffield", "7700900"), ("Glasgow", "7700900"), ("Leicester", "7700900"),
         ("Norwich", "7700900"), ("Cardiff", "7700900"), ("Nottingham", "7700900"),
         ("Reading", "7700900")),
        ("Oliver", "Emma", "Harry", "Charlotte", "George", "Sophie", "Jack", "Lucy",
         "Thomas", "Hannah", "William", "Chloe", "Samuel", "Amelia", "Daniel"),
        ("Clarke", "Hughes", "Walker", "Wright", "Turner", "Baxter", "Holmes", "Fletcher",
         "Marsh", "Pearce", "Harding", "Lawson", "Barlow", "Whitfield"),
        (("{last} Electrical Wholesale", "Ltd", "distributor"),
         ("{place} Lighting Distribution", "Ltd", "distributor"),
         ("{last} & Sons Electrical", "Ltd", "contractor"),
         ("{place} LED Direct", "Ltd", "importer")),
        ("Needs UKCA marking on labels and boxes",),
    ),
    Country(
        "Australia", "en", 22, "61", 9, 0.0, "Jason Liu",
        (("Brisbane", "49157"), ("Perth", "49157"), ("Adelaide", "49157"),
         ("Geelong", "49157"), ("Newcastle", "49157"), ("Townsville", "49157"),
         ("Gold Coast", "49157"), ("Hobart", "49157"), ("Darwin", "49157")),
        ("Jack", "Olivia", "Liam", "Chloe", "Noah", "Mia", "Lachlan", "Isla", "Cooper",
         "Zoe", "Mitchell", "Brooke", "Hayden", "Jessica"),
        ("Mitchell", "Kelly", "O'Brien", "Ryan", "Campbell", "Harrison", "Murray",
         "Stewart", "Doyle", "Fraser", "McKenzie", "Walsh", "Tran", "Patel"),
        (("{last} Lighting", "Pty Ltd", "distributor"),
         ("{place} Electrical Wholesalers", "Pty Ltd", "distributor"),
         ("{place} LED Projects", "Pty Ltd", "contractor"),
         ("{last} Lighting Imports", "Pty Ltd", "importer")),
        ("Asked for RCM approval documents", "Mining-site projects; needs IP66 fittings"),
    ),
    Country(
        "Canada", "en", 15, "1", 10, 0.0, "Lily Chen",
        (("Calgary", "40355501"), ("Edmonton", "78055501"), ("Winnipeg", "20455501"),
         ("Halifax", "90255501"), ("Ottawa", "61355501"), ("Mississauga", "90555501"),
         ("Vancouver", "60455501"), ("Saskatoon", "30655501")),
        ("Ryan", "Megan", "Tyler", "Brittany", "Connor", "Kayla", "Justin", "Amanda",
         "Dylan", "Stephanie"),
        ("MacDonald", "Campbell", "Fraser", "Stewart", "Robertson", "Morrison", "Sinclair",
         "Wilson", "Grant", "Boyd"),
        (("{place} Lighting Solutions", "Inc.", "importer"),
         ("{last} Electric Supply", "Ltd.", "distributor"),
         ("{last} Electrical Contractors", "Ltd.", "contractor")),
        ("Asked about DLC certification", "Needs cold-weather drivers rated to -40 °C"),
    ),
    Country(
        "Canada", "fr", 3, "1", 10, 0.0, "Lily Chen",
        (("Montréal", "51455501"), ("Laval", "45055501"), ("Québec", "41855501"),
         ("Sherbrooke", "81955501")),
        ("Mathieu", "Geneviève", "Étienne", "Isabelle", "Sébastien"),
        ("Tremblay", "Gagnon", "Côté", "Bouchard", "Gauthier"),
        (("Éclairage {last}", "Inc.", "distributor"),
         ("Distribution Électrique {place}", "Inc.", "distributor"),
         ("Les Entreprises Électriques {last}", "Inc.", "contractor")),
        ("Prefers French for documents; bilingual labels required",),
    ),
    Country(
        "United Arab Emirates", "en", 5, "971", 9, 0.0, "Jason Liu",
        (("Dubai", "50"), ("Sharjah", "55"), ("Abu Dhabi", "56"), ("Ajman", "52")),
        ("Ahmed", "Mohammed", "Khalid", "Omar", "Faisal", "Rashid", "Yousef", "Hassan"),
        ("Al Mansoori", "Al Hashimi", "Al Suwaidi", "Al Nuaimi", "Al Ketbi", "Al Marri"),
        (("{last} Electrical Trading", "LLC", "importer"),
         ("{place} Lighting Trading", "LLC", "distributor"),
         ("{last} Electromechanical Contracting", "LLC", "contractor")),
        ("Re-exports part of the goods to Oman and Qatar",),
    ),
    Country(
        "Saudi Arabia", "en", 4, "966", 9, 0.0, "Jason Liu",
        (("Riyadh", "50"), ("Jeddah", "55"), ("Dammam", "53"), ("Khobar", "56")),
        ("Abdullah", "Fahad", "Saud", "Turki", "Nasser", "Majed"),
        ("Al Otaibi", "Al Qahtani", "Al Harbi", "Al Zahrani", "Al Shehri", "Al Dosari"),
        (("{last} Lighting", "Est.", "distributor"),
         ("{place} Electrical Contracting", "Co.", "contractor"),
         ("{last} Trading", "Co.", "importer")),
        ("SASO certificate needed for every shipment",),
    ),
    Country(
        "Spain", "es", 28, "34", 9, 0.4, "Amy Zhao",
        (("Valencia", "6"), ("Sevilla", "6"), ("Zaragoza", "6"), ("Málaga", "6"),
         ("Murcia", "6"), ("Bilbao", "6"), ("Alicante", "6"), ("Valladolid", "6"),
         ("Vigo", "6")),
        ("Javier", "María", "Carlos", "Laura", "Alejandro", "Lucía", "Miguel", "Elena",
         "Pablo", "Carmen", "Sergio", "Marta", "Jorge", "Cristina", "Raúl"),
        ("García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro",
         "Torres", "Domínguez", "Vázquez", "Ruiz", "Moreno", "Gil", "Serrano"),
        (("Iluminación {last}", "S.L.", "distributor"),
         ("Distribuciones Eléctricas {place}", "S.L.", "distributor"),
         ("Suministros Eléctricos {last}", "S.A.", "importer"),
         ("Instalaciones {last} y {last2}", "S.L.", "contractor")),
        ("Prefers communication in Spanish", "Needs CE and RoHS documents with every shipment"),
    ),
    Country(
        "Mexico", "es", 30, "52", 10, 0.0, "Kevin Wang",
        (("Monterrey", "81"), ("Guadalajara", "33"), ("Querétaro", "442"),
         ("Puebla", "222"), ("León", "477"), ("Mérida", "999"), ("Tijuana", "664"),
         ("Toluca", "722"), ("Saltillo", "844"), ("Hermosillo", "662")),
        ("José", "Guadalupe", "Juan Carlos", "Alejandra", "Luis", "Fernanda", "Ricardo",
         "Gabriela", "Eduardo", "Verónica", "Arturo", "Daniela", "Héctor", "Mariana"),
        ("Hernández", "González", "Ramírez", "Flores", "Cruz", "Morales", "Reyes",
         "Gutiérrez", "Mendoza", "Aguilar", "Castillo", "Ortiz", "Juárez", "Ríos"),
        (("Iluminación {last}", "S.A. de C.V.", "distributor"),
         ("Distribuidora Eléctrica {place}", "S.A. de C.V.", "distributor"),
         ("Proyectos Lumínicos {last}", "S.A. de C.V.", "contractor"),
         ("Importadora {last}", "S. de R.L. de C.V.", "importer")),
        ("Needs NOM certificate for panels", "Prefers communication in Spanish"),
    ),
    Country(
        "Chile", "es", 16, "56", 9, 0.0, "Kevin Wang",
        (("Santiago", "9"), ("Valparaíso", "9"), ("Concepción", "9"), ("Antofagasta", "9"),
         ("Temuco", "9"), ("La Serena", "9"), ("Rancagua", "9")),
        ("Felipe", "Camila", "Matías", "Valentina", "Cristóbal", "Constanza", "Rodrigo",
         "Francisca", "Sebastián", "Javiera"),
        ("Muñoz", "Rojas", "Díaz", "Soto", "Contreras", "Silva", "Sepúlveda", "Araya",
         "Fuentes", "Valenzuela"),
        (("Iluminación {last}", "SpA", "distributor"),
         ("Comercial Eléctrica {place}", "Ltda.", "distributor"),
         ("Montajes Eléctricos {last}", "SpA", "contractor"),
         ("Importadora {last} y Cía.", "Ltda.", "importer")),
        ("Mining projects in the north; asks for SEC certification",),
    ),
    Country(
        "Colombia", "es", 16, "57", 10, 0.0, "Kevin Wang",
        (("Medellín", "300"), ("Bogotá", "310"), ("Cali", "311"), ("Barranquilla", "315"),
         ("Bucaramanga", "320"), ("Pereira", "301"), ("Cartagena", "313")),
        ("Andrés", "Paola", "Julián", "Catalina", "Santiago", "Natalia", "Camilo", "Diana",
         "Mauricio", "Juliana"),
        ("Restrepo", "Gómez", "Cardona", "Ospina", "Jaramillo", "Castaño", "Londoño",
         "Vargas", "Rincón", "Salazar"),
        (("Iluminaciones {last}", "S.A.S.", "distributor"),
         ("Eléctricos {place}", "S.A.S.", "distributor"),
         ("Ingeniería Eléctrica {last}", "S.A.S.", "contractor"),
         ("Importaciones {last}", "S.A.S.", "importer")),
        ("Needs RETILAP certificate for street lights",),
    ),
    Country(
        "Germany", "de", 34, "49", 11, 0.75, "Amy Zhao",
        (("Hamburg", "151"), ("Köln", "160"), ("Stuttgart", "170"), ("Dortmund", "171"),
         ("Hannover", "152"), ("Leipzig", "175"), ("Nürnberg", "176"), ("Bremen", "162"),
         ("Augsburg", "157"), ("Mannheim", "172")),
        ("Thomas", "Sabine", "Andreas", "Katrin", "Markus", "Julia", "Stefan", "Nicole",
         "Jan", "Anna", "Tobias", "Claudia", "Matthias", "Lena", "Florian"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann",
         "Schäfer", "Koch", "Richter", "Wolf", "Krüger", "Hartmann", "Lange", "Zimmermann"),
        (("{last} Lichttechnik", "GmbH", "distributor"),
         ("Elektro {last}", "GmbH & Co. KG", "contractor"),
         ("Leuchtenhandel {place}", "GmbH", "distributor"),
         ("{last} LED-Systeme", "GmbH", "importer")),
        ("Wants German manuals and our WEEE registration number",
         "Prefers email; slow to reply in August"),
    ),
    Country(
        "France", "fr", 25, "33", 9, 0.5, "Amy Zhao",
        (("Lyon", "6"), ("Marseille", "6"), ("Toulouse", "7"), ("Nantes", "6"),
         ("Bordeaux", "6"), ("Lille", "7"), ("Rennes", "6"), ("Strasbourg", "6"),
         ("Montpellier", "7"), ("Grenoble", "6")),
        ("Nicolas", "Camille", "Julien", "Sophie", "Antoine", "Céline", "Maxime", "Émilie",
         "Pierre", "Aurélie", "Guillaume", "Nathalie", "Claire"),
        ("Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Lefèvre", "Girard", "Fontaine",
         "Mercier", "Rousseau", "Faure", "Chevalier", "Blanchard", "Garnier"),
        (("{last} Éclairage", "SARL", "distributor"),
         ("Distribution Électrique {place}", "SAS", "distributor"),
         ("{last} Électricité Générale", "SARL", "contractor"),
         ("Lumière {place} Import", "SAS", "importer")),
        ("Asks for French-language packaging", "Prefers email; slow to reply in August"),
    ),
    Country(
        "Brazil", "pt-BR", 30, "55", 11, 0.0, "Grace Xu",
        (("Campinas", "199"), ("Curitiba", "419"), ("Porto Alegre", "519"),
         ("Belo Horizonte", "319"), ("Recife", "819"), ("Goiânia", "629"),
         ("Fortaleza", "859"), ("Salvador", "719"), ("Joinville", "479"), ("Manaus", "929")),
        ("João", "Ana", "Pedro", "Juliana", "Lucas", "Fernanda", "Rafael", "Camila",
         "Thiago", "Patrícia", "Bruno", "Aline", "Gustavo", "Renata", "Marcelo"),
        ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Rodrigues", "Almeida",
         "Nascimento", "Carvalho", "Ribeiro", "Barbosa", "Araújo", "Cardoso"),
        (("{last} Iluminação", "Ltda.", "distributor"),
         ("Elétrica {place} Comercial", "Ltda.", "distributor"),
         ("{last} Engenharia Elétrica", "Ltda.", "contractor"),
         ("Importadora {last}", "Ltda.", "importer")),
        ("INMETRO certification required; asked for our status",
         "Prefers communication in Portuguese"),
    ),
)  # fmt: skip

ROLE_MAILBOXES = {
    "en": ("purchasing", "procurement", "info"),
    "es": ("compras", "info"),
    "de": ("einkauf", "info"),
    "fr": ("achats", "contact"),
    "pt-BR": ("compras", "contato"),
}
GENERAL_NOTES = (
    "Prefers WhatsApp; buys for hotel projects",
    "Met at Canton Fair, spring session",
    "Pays 30% deposit, balance against B/L copy",
    "Price-sensitive; compares us with two other Ningbo suppliers",
    "Wants private-label boxes and manuals",
    "Contractor; orders per project tender",
    "Uses own forwarder in Ningbo",
    "Interested in solar street lights for municipal tenders",
    "Visited our factory with their engineer",
    "Buys through Alibaba.com Trade Assurance",
    "Owner decides; contact is the buyer",
    "Asks for samples before every new model",
    "Ships LCL; combine with other orders when possible",
    'Wants the "Made in China" mark on the outer carton only',
    "Prefers WhatsApp voice messages, replies late evening our time",
)
PROSPECT_NOTES = (
    "Inquiry from Alibaba.com; quoted UFO High Bay 150W",
    "Sample approved; waiting for PI confirmation",
    "Met at Light + Building; asked for catalogue and price list",
    "Requested quotation for 2,000 panel lights for a school project",
    "Sample sent in October; follow up on test results",
    "Comparing our quote with a Vietnamese supplier",
    "Tender for a warehouse project closes in December",
)
CREDIT_ONLY_NOTE = "Claim on goods bought via a trading agent settled as credit; no direct order"


# --------------------------------------------------------------------------- losses

REASON_COUNTS = {
    "price": 25, "competitor": 8, "quality": 9, "delivery": 8,
    "service": 5, "payment_terms": 5, "no_demand": 6, "other": 4,
}  # fmt: skip
LOSS_PICKS = {
    "big_lapsed": 6, "big_lost": 5, "project": 3, "lapsed_2023": 17, "lapsed_2024": 18,
    "lapsed_2025": 14, "one_off": 7,
}  # fmt: skip
COMPETITORS = (
    "Hanoi Solaris LED JSC", "Zhongshan Guangrui Lighting", "Shenzhen Lucentra Optoelectronics",
    "Anatolux Aydınlatma", "Xiamen Bluetide Lighting", "Jiangmen Hengyue Electric",
    "Lumivar India Pvt Ltd",
)  # fmt: skip
LOSS_DETAILS = {
    "price": (
        "{competitor} quoted {pct}% lower on {product}",
        "Says our {product} price is {pct}% above the market",
        "Lost the tender on price; {competitor} came in {pct}% under us",
        "Moved to {competitor}; FOB price {pct}% lower for the same specs",
        "Asked for {pct}% discount on {product}; we could not match",
        "{competitor}报价比我们低{pct}%，客户转单",
        "Our MOQ of 500 pieces per model was too high for their shop",
        "Wanted CIF prices; our FOB quote plus freight came out {pct}% higher",
    ),
    "quality": (
        "Two batches of drivers failed after 6 months",
        "Complained about colour temperature differences between batches of {product}",
        "Water ingress in {product} housings on a coastal project",
        "Flicker with dimmers on site; customer lost confidence",
        "Failure rate around {pct}% on {product} in the first year",
    ),
    "delivery": (
        "Shipment arrived 5 weeks late; they missed the project deadline",
        "Could not meet the 20-day lead time they needed before CNY",
        "Container rolled over twice; customer switched to local stock",
        "Partial shipments caused extra freight cost",
        "Needed goods from stock within two weeks; we only build to order",
    ),
    "service": (
        "Slow replies while their contact person was on leave",
        "Claim handling took 3 months; buyer unhappy",
        "Rep changed twice in one year; customer felt neglected",
        "No technical support for commissioning the {product}",
    ),
    "competitor": (
        "Switched to {competitor}, who holds local stock",
        "{competitor} offered 90-day credit and consignment stock",
        "Their group signed a framework agreement with {competitor}",
        "{competitor} has certified models for {product} tenders that we lack",
    ),
    "payment_terms": (
        "Wanted 60 days open account; we require 30% deposit",
        "Could not agree on L/C at sight vs. D/P terms",
        "Asked for 90-day credit after the first order; finance declined",
        "Credit insurance limit for the buyer was not approved",
    ),
    "no_demand": (
        "Construction market slowdown; projects on hold",
        "Main hotel project finished; no new projects this year",
        "Stopped importing lighting and buys locally in small lots",
        "Municipal budget for street lighting was cut",
    ),
    "other": (
        "Buyer left the company; new buyer not responding",
        "Company acquired by a group with central purchasing",
        "Import licence problems in their country",
        "原采购离职，新采购一直未回复",
    ),
}


# --------------------------------------------------------------------------- model


@dataclass
class Customer:
    """One buyer, with the hidden behaviour that drives its orders."""

    key: int
    country: Country
    profile: str
    first: str
    last: str
    company: str
    email: str
    whatsapp: str
    kind: str
    currency: str
    products: list[str]
    product_p: list[float]
    size: float
    growth: float
    price_factor: float
    customer_id: str = ""
    owner: str = ""
    tier: str = ""
    notes: str = ""


@dataclass
class Line:
    """One order line; a negative quantity is a return."""

    product: str
    qty: int
    unit_cents: int

    @property
    def cents(self) -> int:
        return self.qty * self.unit_cents


@dataclass
class Order:
    """One order (or credit note) with its lines."""

    customer: Customer
    order_date: date
    lines: list[Line] = field(default_factory=list)
    credit: bool = False
    order_id: str = ""


@dataclass
class Loss:
    """One recorded loss of a customer."""

    customer: Customer
    lost_date: date
    reason: str
    detail: str
    competitor: str


# --------------------------------------------------------------------------- helpers


def pick(rng: Rng, items: Sequence[T]) -> T:
    """Pick one item with the seeded generator, keeping its Python type."""
    return items[int(rng.integers(len(items)))]


def ascii_words(text: str) -> list[str]:
    """Lower-case ASCII words of a name, German umlauts spelled out (ü -> ue)."""
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch.lower() if ch.isalnum() else " " for ch in text.replace("'", "")).split()


def money(cents: int) -> str:
    """Format cents as a plain amount with two decimals: -1234.50."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def day_weights() -> np.ndarray:
    """Relative chance of an order on each day from FIRST_DAY to LAST_DAY."""
    n_days = (LAST_DAY - FIRST_DAY).days + 1
    weights = np.empty(n_days)
    for i in range(n_days):
        day = FIRST_DAY + timedelta(days=i)
        weight = MONTH_WEIGHT[day.month] * WEEKDAY_WEIGHT[day.weekday()]
        if any(-12 <= (day - cny).days <= 14 for cny in CHINESE_NEW_YEAR):
            weight *= 0.12
        if day.month == 10 and day.day <= 7:  # Golden Week
            weight *= 0.4
        weights[i] = weight
    return weights


def pick_day(rng: Rng, weights: np.ndarray, lo: date, hi: date) -> date:
    """Pick a day in [lo, hi] following the seasonal weights."""
    if hi < lo:
        raise ValueError(f"empty date range {lo}..{hi}")
    a, b = (lo - FIRST_DAY).days, (hi - FIRST_DAY).days
    window = weights[a : b + 1]
    offset = int(rng.choice(len(window), p=window / window.sum()))
    return lo + timedelta(days=offset)


# --------------------------------------------------------------------------- customers


def make_company(
    rng: Rng, country: Country, place: str, surname: str, used: set[str]
) -> tuple[str, str, str]:
    """Invent a unique company name; returns (name without legal form, legal form, kind)."""
    for _ in range(500):
        pattern, legal, kind = pick(rng, country.companies)
        last = surname if rng.random() < 0.4 else pick(rng, country.last_names)
        last2 = pick(rng, country.last_names)
        core = pattern.format(last=last, last2=last2, place=place)
        if last2 != last and core not in used:
            used.add(core)
            return core, legal, kind
    raise RuntimeError(f"ran out of company names for {country.name}")


def make_email(rng: Rng, country: Country, first: str, last: str, core: str) -> str:
    """A buyer's address at an invented .example domain derived from the company name."""
    words = ascii_words(core)
    domain = "".join(words) if len("".join(words)) <= 22 else "-".join(words)
    given, family = "".join(ascii_words(first)), "".join(ascii_words(last))
    roll = rng.random()
    if roll < 0.7:
        local = f"{given}.{family}"
    elif roll < 0.8:
        local = f"{given[0]}{family}"
    else:
        local = pick(rng, ROLE_MAILBOXES[country.language])
    return f"{local}@{domain}.example"


def make_whatsapp(rng: Rng, country: Country, prefix: str, used: set[str]) -> str:
    """A unique E.164 mobile number for the country."""
    for _ in range(200):
        digits = rng.integers(0, 10, country.national_len - len(prefix))
        number = f"+{country.dial}{prefix}{''.join(str(int(d)) for d in digits)}"
        if number not in used:
            used.add(number)
            return number
    raise RuntimeError(f"ran out of phone numbers for {country.name} {prefix}")


def make_customer(rng: Rng, key: int, country: Country, profile: str, used: set[str]) -> Customer:
    """Invent one buyer of the given country and behaviour profile."""
    place, prefix = pick(rng, country.places)
    first, last = pick(rng, country.first_names), pick(rng, country.last_names)
    core, legal, kind = make_company(rng, country, place, last, used)
    pool = PRODUCT_POOLS[kind]
    n_products = int(rng.integers(2, 5))
    chosen = sorted(int(i) for i in rng.choice(len(pool), size=n_products, replace=False))
    return Customer(
        key=key,
        country=country,
        profile=profile,
        first=first,
        last=last,
        company=f"{core} {legal}",
        email=make_email(rng, country, first, last, core),
        whatsapp=make_whatsapp(rng, country, prefix, used),
        kind=kind,
        currency="EUR" if rng.random() < country.eur_share else "USD",
        products=[pool[i] for i in chosen],
        product_p=[float(x) for x in rng.dirichlet(np.full(n_products, 2.0))],
        size=float(rng.lognormal(0.0, 0.35)),
        growth=float(rng.uniform(-0.04, 0.15)),
        price_factor=float(rng.uniform(0.94, 1.06)),
    )


def build_customers(rng: Rng) -> list[Customer]:
    """All buyers, each country's quota paired with a shuffled behaviour profile."""
    profiles = [p.name for p in PROFILES for _ in range(p.count)]
    countries = [c for c in COUNTRIES for _ in range(c.count)]
    if len(profiles) != len(countries):
        raise RuntimeError(f"{len(profiles)} profiles for {len(countries)} customers")
    shuffled = [profiles[int(i)] for i in rng.permutation(len(profiles))]
    used: set[str] = set()
    return [
        make_customer(rng, key, country, profile, used)
        for key, (country, profile) in enumerate(zip(countries, shuffled, strict=True))
    ]


# --------------------------------------------------------------------------- orders


def order_dates(rng: Rng, weights: np.ndarray, prof: Profile) -> list[date]:
    """Distinct order dates: first and last in the profile windows, the rest spread between."""
    n = int(rng.integers(prof.orders[0], prof.orders[1] + 1))
    if n == 1:
        return [pick_day(rng, weights, *prof.end)]
    first = pick_day(rng, weights, *prof.start)
    lo = max(prof.end[0], first + timedelta(days=10 * n))
    last = pick_day(rng, weights, lo if lo <= prof.end[1] else prof.end[0], prof.end[1])
    n = min(n, max(2, (last - first).days // 10))
    span = (last - first).days - 1  # days strictly between first and last
    middle = []
    for j in range(n - 2):  # one date per equal slice keeps reorders regular
        lo_day = first + timedelta(days=1 + j * span // (n - 2))
        hi_day = first + timedelta(days=(j + 1) * span // (n - 2))
        middle.append(pick_day(rng, weights, lo_day, hi_day))
    return [first, *middle, last]


def unit_cents(cust: Customer, product: str, day: date) -> int:
    """The customer's unit price for a product in its currency in that year."""
    price = PRODUCTS[product][0] * YEAR_PRICE[day.year] * cust.price_factor
    return round(price / EUR_RATE if cust.currency == "EUR" else price)


def make_line(rng: Rng, cust: Customer, prof: Profile, day: date, product: str) -> Line:
    """One order line of a realistic value (mostly 2,000-60,000) in round quantities."""
    unit = unit_cents(cust, product, day)
    step = PRODUCTS[product][1]
    years = (day - date(2024, 1, 1)).days / 365.25
    target = prof.line_median * cust.size * (1 + cust.growth) ** years
    target *= float(rng.lognormal(0.0, 0.45))
    target = min(max(target, 1800.0), 62000.0)
    qty = max(step, round(target * 100 / unit / step) * step)
    return Line(product, qty, unit)


def make_order(rng: Rng, cust: Customer, prof: Profile, day: date) -> Order:
    """One order of 1-3 lines of the customer's usual products (now and then a new one)."""
    n_lines = 1
    if rng.random() < prof.multi_line:
        n_lines = 2 if rng.random() < 0.7 else 3
    n_lines = min(n_lines, len(cust.products))
    picked = rng.choice(len(cust.products), size=n_lines, replace=False, p=cust.product_p)
    products = [cust.products[int(i)] for i in sorted(picked)]
    if rng.random() < 0.05:
        others = [p for p in PRODUCTS if p not in products]
        products[-1] = pick(rng, others)
    return Order(cust, day, [make_line(rng, cust, prof, day, p) for p in products])


def credit_order(rng: Rng, cust: Customer, day: date, line: Line, share: float) -> Order:
    """A credit note returning part of a line (at least one piece)."""
    qty = max(1, round(line.qty * share))
    return Order(cust, day, [Line(line.product, -qty, line.unit_cents)], credit=True)


def build_orders(rng: Rng, customers: list[Customer]) -> list[Order]:
    """Every customer's orders, plus the credit-only customer's lone credit note."""
    weights = day_weights()
    orders: list[Order] = []
    for cust in customers:
        prof = PROFILE_BY_NAME[cust.profile]
        if cust.profile == "credit_only":
            day = pick_day(rng, weights, *prof.start)
            line = make_line(rng, cust, prof, day, cust.products[0])
            orders.append(credit_order(rng, cust, day, line, 1.0))
        elif cust.profile != "prospect":
            orders += [make_order(rng, cust, prof, d) for d in order_dates(rng, weights, prof)]
    pin_date_range(orders)
    return orders


def pin_date_range(orders: list[Order]) -> None:
    """Move the earliest and the latest order onto the sample's first and last day."""
    sales = [o for o in orders if not o.credit]
    min(sales, key=lambda o: (o.order_date, o.customer.key)).order_date = FIRST_DAY
    max(sales, key=lambda o: (o.order_date, -o.customer.key)).order_date = LAST_DAY


def add_credits(rng: Rng, customers: list[Customer], orders: list[Order]) -> list[Order]:
    """Returns/credits against earlier orders of a few repeat customers."""
    by_customer: dict[int, list[Order]] = defaultdict(list)
    for order in orders:
        by_customer[order.customer.key].append(order)
    latest = LAST_DAY - timedelta(days=80)
    pool = [
        c
        for c in customers
        if c.profile in {"vip", "steady", "big_lapsed", "big_lost", "lapsed_2024", "lapsed_2025"}
        and len(by_customer[c.key]) >= 3
    ]
    credits = []
    for i in sorted(int(i) for i in rng.choice(len(pool), size=N_CREDITS, replace=False)):
        cust = pool[i]
        source = pick(rng, [o for o in by_customer[cust.key] if o.order_date <= latest])
        day = source.order_date + timedelta(days=int(rng.integers(21, 76)))
        share = float(rng.uniform(0.03, 0.25))
        credits.append(credit_order(rng, cust, day, pick(rng, source.lines), share))
    return credits


def assign_customer_ids(rng: Rng, customers: list[Customer], orders: list[Order]) -> None:
    """Number customers C1001... in the order they entered the CRM (first order date)."""
    created: dict[int, date] = {}
    for order in orders:
        key = order.customer.key
        created[key] = min(created.get(key, order.order_date), order.order_date)
    prospect = PROFILE_BY_NAME["prospect"]
    for cust in customers:
        if cust.key not in created:
            created[cust.key] = FIRST_DAY + timedelta(
                days=int(rng.integers((prospect.start[0] - FIRST_DAY).days,
                                      (prospect.start[1] - FIRST_DAY).days + 1))
            )  # fmt: skip
    # Buyers from the first half of 2022 were already in the CRM: their ids are mixed.
    legacy = date(2022, 7, 1)
    shuffled = rng.permutation(len(customers))
    tiebreak = {c.key: int(i) for c, i in zip(customers, shuffled, strict=True)}
    ranked = sorted(customers, key=lambda c: (max(created[c.key], legacy), tiebreak[c.key]))
    for number, cust in enumerate(ranked, start=1001):
        cust.customer_id = f"C{number}"


def assign_order_ids(orders: list[Order]) -> None:
    """SO-YYYY-NNNN for orders and CR-YYYY-NNN for credits, numbered in date order."""
    orders.sort(key=lambda o: (o.order_date, o.credit, o.customer.customer_id))
    counters: Counter[tuple[bool, int]] = Counter()
    for order in orders:
        year = order.order_date.year
        counters[(order.credit, year)] += 1
        number = counters[(order.credit, year)]
        order.order_id = f"CR-{year}-{number:03d}" if order.credit else f"SO-{year}-{number:04d}"
    orders.sort(key=lambda o: (o.order_date, o.order_id))


# --------------------------------------------------------------------------- losses


def last_activity(orders: list[Order]) -> dict[int, date]:
    """Each customer's latest order or credit date."""
    last: dict[int, date] = {}
    for order in orders:
        key = order.customer.key
        last[key] = max(last.get(key, order.order_date), order.order_date)
    return last


def pick_lost(rng: Rng, customers: list[Customer], last: dict[int, date]) -> list[Customer]:
    """Lapsed customers that have a recorded loss (mostly those who stopped ordering)."""
    chosen: list[Customer] = []
    for profile, n in LOSS_PICKS.items():
        pool = [
            c
            for c in customers
            if c.profile == profile
            and (profile != "one_off" or last[c.key] < date(2025, 6, 1))  # one-offs: long gone
        ]
        chosen += [pool[int(i)] for i in sorted(rng.choice(len(pool), size=n, replace=False))]
    return chosen


def match_quality(chosen: list[Customer], reasons: list[str], credited: set[int]) -> None:
    """Give lost customers who returned goods the reason 'quality' (swap in place)."""
    for i, cust in enumerate(chosen):
        if cust.key not in credited or reasons[i] == "quality":
            continue
        for j, other in enumerate(chosen):
            if reasons[j] == "quality" and other.key not in credited:
                reasons[i], reasons[j] = reasons[j], reasons[i]
                break


def lost_date(rng: Rng, last: date) -> date:
    """A working day 2-10 months after the last order, not after LAST_DAY."""
    day = min(last + timedelta(days=int(rng.integers(60, 300))), LAST_DAY)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day if day > last else last + timedelta(days=1)


def build_losses(rng: Rng, customers: list[Customer], orders: list[Order]) -> list[Loss]:
    """Loss records with reasons in fixed proportions and rep-style detail text."""
    last = last_activity(orders)
    chosen = pick_lost(rng, customers, last)
    reasons = [r for r, n in REASON_COUNTS.items() for _ in range(n)]
    reasons = [reasons[int(i)] for i in rng.permutation(len(reasons))]
    if len(reasons) != len(chosen):
        raise RuntimeError(f"{len(reasons)} reasons for {len(chosen)} lost customers")
    match_quality(chosen, reasons, {o.customer.key for o in orders if o.credit})
    products: dict[int, Counter[str]] = defaultdict(Counter)
    for order in orders:
        products[order.customer.key].update(line.product for line in order.lines)
    losses = []
    for cust, reason in zip(chosen, reasons, strict=True):
        competitor = pick(rng, COMPETITORS) if reason in {"price", "competitor"} else ""
        detail = pick(rng, LOSS_DETAILS[reason]).format(
            competitor=competitor,
            product=products[cust.key].most_common(1)[0][0],
            pct=int(rng.integers(6, 19)),
        )
        losses.append(Loss(cust, lost_date(rng, last[cust.key]), reason, detail, competitor))
    return sorted(losses, key=lambda x: (x.lost_date, x.customer.customer_id))


# --------------------------------------------------------------------------- CRM fields


def make_note(rng: Rng, cust: Customer) -> str:
    """Occasional free text a rep would write; prospects always have one."""
    if cust.profile == "prospect":
        return pick(rng, PROSPECT_NOTES)
    if cust.profile == "credit_only":
        return CREDIT_ONLY_NOTE
    if rng.random() < 0.33:
        return pick(rng, GENERAL_NOTES + cust.country.notes * 3)
    return ""


def fill_crm_fields(rng: Rng, customers: list[Customer]) -> None:
    """Owner, tier and notes; blank some e-mails and WhatsApp numbers; plant the {{ }} note."""
    customers.sort(key=lambda c: c.customer_id)
    for cust in customers:
        cust.owner = pick(rng, REPS) if rng.random() < 0.1 else cust.country.owner
        cust.tier = pick(rng, PROFILE_BY_NAME[cust.profile].tiers)
        cust.notes = make_note(rng, cust)
    for i in rng.choice(len(customers), size=N_EMAIL_BLANK, replace=False):
        customers[int(i)].email = ""
    for i in rng.choice(len(customers), size=N_WHATSAPP_BLANK, replace=False):
        customers[int(i)].whatsapp = ""
    steady = [c for c in customers if c.profile == "steady" and c.email and c.whatsapp]
    pick(rng, steady).notes = SPECIAL_NOTE


# --------------------------------------------------------------------------- writing


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """UTF-8 CSV with LF line ends (byte-stable across platforms)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_tables(customers: list[Customer], orders: list[Order], losses: list[Loss]) -> None:
    """customers.csv, orders.csv and losses.csv under data/."""
    data = SAMPLE_DIR / "data"
    write_csv(data / "customers.csv", CUSTOMER_HEADER, [
        [c.customer_id, c.company, f"{c.first} {c.last}", c.email, c.whatsapp,
         c.country.name, c.country.language, c.owner, c.tier, c.notes]
        for c in customers
    ])  # fmt: skip
    write_csv(data / "orders.csv", ORDER_HEADER, [
        [o.order_id, o.customer.customer_id, o.order_date.isoformat(), money(line.cents),
         o.customer.currency, line.product]
        for o in orders
        for line in o.lines
    ])  # fmt: skip
    write_csv(data / "losses.csv", LOSS_HEADER, [
        [x.customer.customer_id, x.lost_date.isoformat(), x.reason, x.detail, x.competitor]
        for x in losses
    ])  # fmt: skip


FOLLOWUP_TOML = """\
# Settings for the bundled sample workspace.
# Generated by scripts/make_sample.py: edit the script and rerun it, not this file.
[currency]
base = "USD"
[currency.rates]   # 1 unit of the currency = this many base units
EUR = 1.08
"""

COMPANY_YAML = """\
# Facts about the sender. A draft states no fact that is not here or in the customer's data.
# Generated by scripts/make_sample.py: edit the script and rerun it, not this file.
# Free text is one string or one per language (en, es, de, fr, pt, zh); a draft uses the
# customer's language, else en.
company: Ningbo Everbright Lighting Co., Ltd.   # legal name, as on the PI and invoice
website: https://everbright-lighting.example     # company website shown in drafts
sender:                                           # the person who signs the drafts
  name: Lily Chen                                 # full name of the sender
  title: Export Sales Manager                     # job title under the name
  email: lily.chen@everbright-lighting.example    # From: address of e-mail drafts
  phone: "+86 574 8765 4321"                      # office phone (quoted to keep the +)
  whatsapp: "+8613800574321"                      # E.164 number for WhatsApp and wa.me links
  signature: |                                    # block that ends every e-mail draft
    Lily Chen
    Export Sales Manager
    Ningbo Everbright Lighting Co., Ltd.
reps:        # who signs each owner's customers (the owner as the CRM writes it); others: sender
  Lily Chen:
    name: Lily Chen
    title: Export Sales Manager
    email: lily.chen@everbright-lighting.example
    phone: "+86 574 8765 4321"
    whatsapp: "+8613800574321"
    signature: |
      Lily Chen
      Export Sales Manager
      Ningbo Everbright Lighting Co., Ltd.
    languages: [en, es]
    aliases: [陈莉]
  Amy Zhao:
    name: Amy Zhao
    title: Sales Manager, Europe
    email: amy.zhao@everbright-lighting.example
    phone: "+86 574 8765 4322"
    whatsapp: "+8613800574322"
    signature: |
      Amy Zhao
      Sales Manager, Europe
      Ningbo Everbright Lighting Co., Ltd.
    languages: [en, de, fr]
    aliases: [赵敏]
  Jason Liu:
    name: Jason Liu
    title: Sales Manager, Latin America
    email: jason.liu@everbright-lighting.example
    phone: "+86 574 8765 4323"
    whatsapp: "+8613800574323"
    signature: |
      Jason Liu
      Sales Manager, Latin America
      Ningbo Everbright Lighting Co., Ltd.
    languages: [en, es, pt]
    aliases: [刘杰]
  Kevin Wang:
    name: Kevin Wang
    title: Account Manager
    email: kevin.wang@everbright-lighting.example
    phone: "+86 574 8765 4324"
    whatsapp: "+8613800574324"
    signature: |
      Kevin Wang
      Account Manager
      Ningbo Everbright Lighting Co., Ltd.
    languages: [en]
    aliases: [王凯]
founded: 2009                                     # year founded, for "working together" lines
achievements:          # this year (2026), only true statements
  - en: Commissioned a second fully automatic SMT line in March 2026
    es: Puesta en marcha de una segunda línea SMT totalmente automática en marzo de 2026
    de: Inbetriebnahme einer zweiten vollautomatischen SMT-Linie im März 2026
    fr: Mise en service d'une deuxième ligne CMS entièrement automatique en mars 2026
    pt: Entrada em operação de uma segunda linha SMT totalmente automática em março de 2026
    zh: 2026年3月第二条全自动SMT贴片生产线投产
  - en: Raised production capacity to 180,000 fixtures a month
    es: Ampliación de la capacidad de producción a 180 000 luminarias al mes
    de: Produktionskapazität auf 180.000 Leuchten pro Monat erhöht
    fr: Capacité de production portée à 180 000 luminaires par mois
    pt: Capacidade de produção ampliada para 180.000 luminárias por mês
    zh: 月产能提升至180,000套灯具
  - en: UFO High Bay G3 series listed by DLC as DLC Premium
    es: Serie UFO High Bay G3 incluida por el DLC en su lista DLC Premium
    de: Serie UFO High Bay G3 vom DLC als DLC Premium gelistet
    fr: Série UFO High Bay G3 inscrite par le DLC sur sa liste DLC Premium
    pt: Série UFO High Bay G3 incluída pelo DLC na lista DLC Premium
    zh: UFO High Bay G3系列获DLC列入DLC Premium清单
  - en: Launched the EverTrack linear trunking system with DALI dimming
    es: Lanzamiento del sistema de línea continua EverTrack con regulación DALI
    de: Markteinführung des Lichtbandsystems EverTrack mit DALI-Dimmung
    fr: Lancement du système de ligne lumineuse continue EverTrack avec gradation DALI
    pt: Lançamento do sistema de linha contínua EverTrack com dimerização DALI
    zh: 推出EverTrack线形光带系统，支持DALI调光
  - en: Shipped 98.5% of orders on or before the confirmed date from January to October 2026
    es: De enero a octubre de 2026, el 98,5 % de los pedidos se embarcó en la fecha
      confirmada o antes
    de: Von Januar bis Oktober 2026 wurden 98,5 % der Aufträge zum bestätigten Termin oder
      früher versandt
    fr: De janvier à octobre 2026, 98,5 % des commandes ont été expédiées à la date confirmée
      ou avant
    pt: De janeiro a outubro de 2026, 98,5% dos pedidos foram embarcados na data confirmada
      ou antes
    zh: 2026年1月至10月，98.5%的订单在确认交期当天或之前发货
offers:                # time-limited offers a draft may mention, each with its deadline
  - name:                                         # offer name used in drafts
      en: Year-end order bonus
      es: Bonificación de fin de año en pedidos
      de: Jahresendbonus auf Bestellungen
      fr: Remise de fin d'année
      pt: Bônus de fim de ano em pedidos
      zh: 年终订单优惠
    discount_percent: 5                           # discount on the order value, in percent
    valid_until: 2026-12-20                       # last day the offer applies
    conditions:                                   # what the buyer must do
      en: orders confirmed with deposit by the deadline
      es: pedidos confirmados con anticipo hasta la fecha límite
      de: Bestellungen, die bis zum Stichtag mit Anzahlung bestätigt werden
      fr: commandes confirmées avec acompte au plus tard à la date limite
      pt: pedidos confirmados com depósito até a data-limite
      zh: 限截止日期前支付定金确认的订单
production:            # facts behind "book your production slot now"
  lead_time_days: 30   # days from deposit to goods ready for standard orders
  ship_buffer_days: 5  # days kept free before a closure to book, inspect and load
  closures:            # factory closures that take production slots away
    - name:                                       # closure name used in drafts
        en: Chinese New Year
        es: Año Nuevo Chino
        de: Chinesisches Neujahr
        fr: Nouvel An chinois
        pt: Ano-Novo Chinês
        zh: 春节
      start: 2027-01-30                           # first day the factory is closed
      end: 2027-02-21                             # last closed day; work resumes the day after
price_changes:         # announced price changes with their effective dates
  - date: 2027-01-15                              # day the new prices apply
    # what changes and why:
    description:
      en: new price list for solar street lights and flood lights, up 4% after
        aluminium and battery cost increases
      es: nueva lista de precios para luminarias solares de alumbrado público y proyectores,
        con un aumento del 4 % por el alza de los costos del aluminio y de las baterías
      de: neue Preisliste für Solar-Straßenleuchten und Fluter, 4 % höher aufgrund
        gestiegener Aluminium- und Batteriekosten
      fr: nouvelle grille tarifaire pour les lampadaires solaires et les projecteurs, en hausse
        de 4 % en raison de l'augmentation des coûts de l'aluminium et des batteries
      pt: nova tabela de preços para luminárias públicas solares e refletores, com aumento de
        4% devido à alta dos custos de alumínio e baterias
      zh: 太阳能路灯和投光灯启用新价目表，受铝材和电池成本上涨影响，价格上调4%
new_products:          # products launched this year that a draft may introduce
  - name: UFO High Bay G3                         # product name
    # one-line pitch:
    description:
      en: 100-240W high bay with 190 lm/W efficacy, DLC Premium listed, 5-year warranty
      es: campana industrial de 100-240 W con eficacia de 190 lm/W, en la lista DLC Premium
        y con garantía de 5 años
      de: Hallentiefstrahler mit 100-240 W und 190 lm/W Lichtausbeute, DLC Premium gelistet,
        5 Jahre Garantie
      fr: cloche industrielle de 100-240 W avec une efficacité de 190 lm/W, référencée
        DLC Premium, garantie 5 ans
      pt: luminária industrial high bay de 100-240 W com eficiência de 190 lm/W, listada como
        DLC Premium, com garantia de 5 anos
      zh: 100-240W工矿灯，光效190 lm/W，已列入DLC Premium清单，质保5年
  - name: EverTrack Linear Trunking               # product name
    # one-line pitch:
    description:
      en: tool-free linear trunking system with DALI dimming and emergency modules
      es: sistema de línea continua de montaje sin herramientas, con regulación DALI y
        módulos de emergencia
      de: werkzeuglos montierbares Lichtbandsystem mit DALI-Dimmung und Notlichtmodulen
      fr: système de ligne lumineuse continue à montage sans outil, avec gradation DALI et
        modules de secours
      pt: sistema de linha contínua com montagem sem ferramentas, dimerização DALI e
        módulos de emergência
      zh: 免工具安装的线形光带系统，支持DALI调光，可配应急模块
  - name: Split Solar Street Light 150W           # product name
    # one-line pitch:
    description:
      en: solar street light with a separate panel and a LiFePO4 battery for 3 rainy days
      es: luminaria solar de alumbrado público con panel separado y batería LiFePO4 con
        autonomía para 3 días de lluvia
      de: Solar-Straßenleuchte mit separatem Solarmodul und LiFePO4-Akku für 3 Regentage
      fr: lampadaire solaire avec panneau séparé et batterie LiFePO4 offrant 3 jours
        d'autonomie par temps de pluie
      pt: luminária pública solar com painel separado e bateria LiFePO4 com autonomia para
        3 dias de chuva
      zh: 分体式太阳能路灯，光伏板独立安装，配LiFePO4电池，可满足连续3个阴雨天照明
# What changed since customers left, keyed by loss reason (the `reason` column of losses.csv):
# a reactivation draft quotes the list for the customer's reason as `answers`.
changes:               # 1-3 short true statements per reason, consistent with the facts above
  price:               # lost on price
    - en: A value version of the UFO High Bay 150W and 200W, priced below the G3 series,
        for projects that do not need DLC Premium
      es: Una versión económica de las UFO High Bay 150W y 200W, con un precio inferior al
        de la serie G3, para proyectos que no requieren DLC Premium
      de: Eine Einstiegsvariante der UFO High Bay 150W und 200W, günstiger als die G3-Serie,
        für Projekte, die kein DLC Premium benötigen
      fr: Une version économique des UFO High Bay 150W et 200W, à un prix inférieur à celui
        de la série G3, pour les projets qui n'exigent pas le DLC Premium
      pt: Uma versão econômica das UFO High Bay 150W e 200W, com preço abaixo da série G3,
        para projetos que não exigem DLC Premium
      zh: UFO High Bay 150W和200W推出经济款，价格低于G3系列，适合不要求DLC Premium的项目
    - en: 2026 FOB prices 3% below 2024 levels across the catalogue
      es: Precios FOB de 2026 un 3 % por debajo de los de 2024 en todo el catálogo
      de: FOB-Preise 2026 im gesamten Sortiment 3 % unter dem Niveau von 2024
      fr: Prix FOB 2026 inférieurs de 3 % à ceux de 2024 sur l'ensemble du catalogue
      pt: Preços FOB de 2026 em todo o catálogo 3% abaixo dos níveis de 2024
      zh: 2026年全系列产品FOB价格比2024年下降3%
  price.moq:           # lost on the minimum order quantity (an angle of price)
    - en: Orders from 100 pieces per model since 2026, with mixed models in one container
      es: Pedidos desde 100 piezas por modelo desde 2026, con modelos mixtos en un mismo
        contenedor
      de: Seit 2026 Aufträge ab 100 Stück pro Modell, gemischte Modelle in einem Container
      fr: Depuis 2026, commandes à partir de 100 pièces par modèle, avec plusieurs modèles
        dans un même conteneur
      pt: Desde 2026, pedidos a partir de 100 peças por modelo, com modelos mistos no mesmo
        contêiner
      zh: 自2026年起每款100件起订，同一货柜可混装多款
  quality:             # lost on product quality
    - en: Automated aging test on every driver batch since March 2026
      es: Prueba de envejecimiento automatizada en cada lote de drivers desde marzo de 2026
      de: Automatisierter Alterungstest für jede Treibercharge seit März 2026
      fr: Test de vieillissement automatisé sur chaque lot de drivers depuis mars 2026
      pt: Teste de envelhecimento automatizado em cada lote de drivers desde março de 2026
      zh: 自2026年3月起，每批驱动电源均经过自动化老化测试
    - en: Second fully automatic SMT line in operation since March 2026
      es: Segunda línea SMT totalmente automática en operación desde marzo de 2026
      de: Zweite vollautomatische SMT-Linie seit März 2026 in Betrieb
      fr: Deuxième ligne CMS entièrement automatique en service depuis mars 2026
      pt: Segunda linha SMT totalmente automática em operação desde março de 2026
      zh: 第二条全自动SMT贴片生产线自2026年3月起投入运行
    - en: 5-year warranty on the UFO High Bay G3 series
      es: Garantía de 5 años en la serie UFO High Bay G3
      de: 5 Jahre Garantie auf die Serie UFO High Bay G3
      fr: Garantie de 5 ans sur la série UFO High Bay G3
      pt: Garantia de 5 anos na série UFO High Bay G3
      zh: UFO High Bay G3系列提供5年质保
  delivery:            # lost on lead time or late shipments
    - en: Production capacity of 180,000 fixtures a month
      es: Capacidad de producción de 180 000 luminarias al mes
      de: Produktionskapazität von 180.000 Leuchten pro Monat
      fr: Capacité de production de 180 000 luminaires par mois
      pt: Capacidade de produção de 180.000 luminárias por mês
      zh: 月产能180,000套灯具
    - en: Standard lead time of 30 days from deposit to goods ready
      es: Plazo estándar de 30 días desde el anticipo hasta que la mercancía está lista
      de: Standardlieferzeit von 30 Tagen ab Anzahlung bis zur Fertigstellung der Ware
      fr: Délai standard de 30 jours entre l'acompte et la marchandise prête
      pt: Prazo padrão de 30 dias do depósito até a mercadoria pronta
      zh: 标准交期30天（从收到定金到货物备妥）
    - en: 98.5% of orders shipped on or before the confirmed date from January to October 2026
      es: De enero a octubre de 2026, el 98,5 % de los pedidos se embarcó en la fecha
        confirmada o antes
      de: Von Januar bis Oktober 2026 wurden 98,5 % der Aufträge zum bestätigten Termin oder
        früher versandt
      fr: De janvier à octobre 2026, 98,5 % des commandes ont été expédiées à la date
        confirmée ou avant
      pt: De janeiro a outubro de 2026, 98,5% dos pedidos foram embarcados na data confirmada
        ou antes
      zh: 2026年1月至10月，98.5%的订单在确认交期当天或之前发货
  delivery.reliability:  # lost on late or rolled-over shipments (an angle of delivery)
    - en: 98.5% of orders shipped on or before the confirmed date from January to October 2026
      es: De enero a octubre de 2026, el 98,5 % de los pedidos se embarcó en la fecha
        confirmada o antes
      de: Von Januar bis Oktober 2026 wurden 98,5 % der Aufträge zum bestätigten Termin oder
        früher versandt
      fr: De janvier à octobre 2026, 98,5 % des commandes ont été expédiées à la date
        confirmée ou avant
      pt: De janeiro a outubro de 2026, 98,5% dos pedidos foram embarcados na data confirmada
        ou antes
      zh: 2026年1月至10月，98.5%的订单在确认交期当天或之前发货
    - en: A shipment status report every week for each open order, with container and vessel
      es: Un informe semanal del estado de cada pedido abierto, con contenedor y buque
      de: Ein wöchentlicher Versandstatus für jeden offenen Auftrag, mit Container und Schiff
      fr: Un point d'expédition chaque semaine pour chaque commande en cours, avec conteneur et
        navire
      pt: Um relatório semanal de embarque para cada pedido em aberto, com contêiner e navio
      zh: 每笔未完结订单每周提供一次出货进度报告，注明集装箱号和船名
  service:             # lost on replies, claims or support
    - en: A dedicated account manager for each market
      es: Un ejecutivo de cuenta dedicado a cada mercado
      de: Ein eigener Account Manager für jeden Markt
      fr: Un chargé de compte dédié pour chaque marché
      pt: Um gerente de contas dedicado para cada mercado
      zh: 每个市场配备专属客户经理
    - en: Replies to enquiries within one working day
      es: Respuesta a las consultas en un plazo de un día hábil
      de: Antwort auf Anfragen innerhalb eines Arbeitstages
      fr: Réponse aux demandes sous un jour ouvré
      pt: Resposta às consultas em até um dia útil
      zh: 询盘一个工作日内回复
  competitor:          # lost to a competitor
    - en: UFO High Bay G3 series listed by DLC as DLC Premium, with a 5-year warranty
      es: Serie UFO High Bay G3 incluida por el DLC en su lista DLC Premium, con garantía
        de 5 años
      de: Serie UFO High Bay G3 vom DLC als DLC Premium gelistet, mit 5 Jahren Garantie
      fr: Série UFO High Bay G3 inscrite par le DLC sur sa liste DLC Premium, avec une
        garantie de 5 ans
      pt: Série UFO High Bay G3 incluída pelo DLC na lista DLC Premium, com garantia de
        5 anos
      zh: UFO High Bay G3系列已列入DLC Premium清单，质保5年
    - en: EverTrack linear trunking system with DALI dimming and emergency modules
      es: Sistema de línea continua EverTrack con regulación DALI y módulos de emergencia
      de: Lichtbandsystem EverTrack mit DALI-Dimmung und Notlichtmodulen
      fr: Système de ligne lumineuse continue EverTrack avec gradation DALI et modules de
        secours
      pt: Sistema de linha contínua EverTrack com dimerização DALI e módulos de emergência
      zh: EverTrack线形光带系统，支持DALI调光，可配应急模块
    - en: Production capacity of 180,000 fixtures a month and a standard lead time of 30 days
      es: Capacidad de producción de 180 000 luminarias al mes y plazo estándar de 30 días
      de: Produktionskapazität von 180.000 Leuchten pro Monat und 30 Tage Standardlieferzeit
      fr: Capacité de production de 180 000 luminaires par mois et délai standard de 30 jours
      pt: Capacidade de produção de 180.000 luminárias por mês e prazo padrão de 30 dias
      zh: 月产能180,000套灯具，标准交期30天
  payment_terms:       # lost on payment terms
    - en: 30% deposit and 70% against a copy of the B/L, now available to buyers with two
        years of orders
      es: 30 % de anticipo y 70 % contra copia del B/L, ahora disponible para compradores con
        dos años de pedidos
      de: 30 % Anzahlung und 70 % gegen Kopie des B/L, jetzt für Kunden mit zwei Jahren
        Bestellhistorie
      fr: 30 % d'acompte et 70 % contre copie du B/L, désormais proposé aux acheteurs ayant
        deux ans de commandes
      pt: 30% de depósito e 70% contra cópia do B/L, agora disponível para compradores com
        dois anos de pedidos
      zh: 30%定金、70%见提单（B/L）副本付款，现已向合作满两年的客户开放
    - en: L/C at sight also accepted
      es: También se acepta carta de crédito (L/C) a la vista
      de: Sichtakkreditiv (L/C) ebenfalls möglich
      fr: Crédit documentaire (L/C) à vue également accepté
      pt: Carta de crédito (L/C) à vista também aceita
      zh: 也接受即期信用证（L/C）
  no_demand:           # no project or no need at the time
    - en: "Three new products launched in 2026: UFO High Bay G3, EverTrack Linear Trunking
        and Split Solar Street Light 150W"
      es: "Tres productos nuevos lanzados en 2026: UFO High Bay G3, EverTrack Linear
        Trunking y Split Solar Street Light 150W"
      de: "Drei 2026 neu eingeführte Produkte: UFO High Bay G3, EverTrack Linear Trunking
        und Split Solar Street Light 150W"
      fr: "Trois nouveaux produits lancés en 2026 : UFO High Bay G3, EverTrack Linear
        Trunking et Split Solar Street Light 150W"
      pt: "Três novos produtos lançados em 2026: UFO High Bay G3, EverTrack Linear Trunking
        e Split Solar Street Light 150W"
      zh: "2026年推出三款新品：UFO High Bay G3、EverTrack Linear Trunking\\
        和Split Solar Street Light 150W"
    - en: UFO High Bay G3 with 190 lm/W efficacy, DLC Premium listed, with a 5-year warranty
      es: UFO High Bay G3 con eficacia de 190 lm/W, en la lista DLC Premium y con garantía
        de 5 años
      de: UFO High Bay G3 mit 190 lm/W Lichtausbeute, DLC Premium gelistet, mit 5 Jahren
        Garantie
      fr: UFO High Bay G3 avec une efficacité de 190 lm/W, référencé DLC Premium, garantie
        5 ans
      pt: UFO High Bay G3 com eficiência de 190 lm/W, listado como DLC Premium e com garantia
        de 5 anos
      zh: UFO High Bay G3光效190 lm/W，已列入DLC Premium清单，质保5年
  other:               # any other reason: the year's main improvements
    - en: Second fully automatic SMT line since March 2026 and capacity raised to 180,000
        fixtures a month
      es: Segunda línea SMT totalmente automática desde marzo de 2026 y capacidad ampliada a
        180 000 luminarias al mes
      de: Zweite vollautomatische SMT-Linie seit März 2026 und Kapazität auf 180.000 Leuchten
        pro Monat erhöht
      fr: Deuxième ligne CMS entièrement automatique depuis mars 2026 et capacité portée à
        180 000 luminaires par mois
      pt: Segunda linha SMT totalmente automática desde março de 2026 e capacidade ampliada
        para 180.000 luminárias por mês
      zh: 2026年3月起第二条全自动SMT贴片生产线投产，月产能提升至180,000套灯具
    - en: 98.5% of orders shipped on or before the confirmed date from January to October 2026
      es: De enero a octubre de 2026, el 98,5 % de los pedidos se embarcó en la fecha
        confirmada o antes
      de: Von Januar bis Oktober 2026 wurden 98,5 % der Aufträge zum bestätigten Termin oder
        früher versandt
      fr: De janvier à octobre 2026, 98,5 % des commandes ont été expédiées à la date
        confirmée ou avant
      pt: De janeiro a outubro de 2026, 98,5% dos pedidos foram embarcados na data confirmada
        ou antes
      zh: 2026年1月至10月，98.5%的订单在确认交期当天或之前发货
    - en: UFO High Bay G3 series listed by DLC as DLC Premium
      es: Serie UFO High Bay G3 incluida por el DLC en su lista DLC Premium
      de: Serie UFO High Bay G3 vom DLC als DLC Premium gelistet
      fr: Série UFO High Bay G3 inscrite par le DLC sur sa liste DLC Premium
      pt: Série UFO High Bay G3 incluída pelo DLC na lista DLC Premium
      zh: UFO High Bay G3系列获DLC列入DLC Premium清单
forbidden_claims:      # phrases a draft must never contain
  - guaranteed lowest price
  - lifetime warranty
  - zero defects
  - UL listed
  - no minimum order quantity
"""

SAMPLE_README = """\
# Sample workspace

An invented export sales workspace for `followup --sample`: Ningbo Everbright Lighting,
an LED lighting manufacturer in Ningbo, with about 320 overseas buyers (13 countries;
en, es, de, fr, pt-BR), their orders from 2022-01-01 to 2026-11-20 in USD and EUR,
credit notes, prospects without orders, and the recorded reasons why lapsed buyers were
lost. `company.yaml` holds the sender's facts and `followup.toml` the currency settings.

All companies, people, competitors, e-mail domains (`.example`) and phone numbers are
made up. The data files are generated by `scripts/make_sample.py` (seeded, byte-identical
on every run); to change them, edit that script and run `python scripts/make_sample.py`
from the repository root instead of editing the files here.
"""


def write_texts() -> None:
    """followup.toml, company.yaml and README.md."""
    for name, text in (
        ("followup.toml", FOLLOWUP_TOML),
        ("company.yaml", COMPANY_YAML),
        ("README.md", SAMPLE_README),
    ):
        (SAMPLE_DIR / name).write_text(text, encoding="utf-8", newline="\n")


# --------------------------------------------------------------------------- checks


def read_table(path: Path, header: list[str]) -> list[dict[str, str]]:
    """Read a written CSV back and insist on its exact header."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != header:
            raise SystemExit(f"{path}: header {reader.fieldnames} != {header}")
        return list(reader)


def check(ok: bool, message: str) -> None:
    """Stop with a message when a consistency check fails."""
    if not ok:
        raise SystemExit(f"sample check failed: {message}")


def check_tables(
    customers: list[dict[str, str]], orders: list[dict[str, str]], losses: list[dict[str, str]]
) -> None:
    """Keys unique and resolvable, formats right, losses after the last order."""
    ids = [c["customer_id"] for c in customers]
    check(len(ids) == len(set(ids)), "duplicate customer_id")
    check(all(o["customer_id"] in set(ids) for o in orders), "order for unknown customer")
    check(all(x["customer_id"] in set(ids) for x in losses), "loss for unknown customer")
    check(all(re.fullmatch(r"-?\d+\.\d{2}", o["amount"]) for o in orders), "amount format")
    check(all(FIRST_DAY.isoformat() <= o["order_date"] <= LAST_DAY.isoformat()
              for o in orders), "order date out of range")  # fmt: skip
    check({x["reason"] for x in losses} == set(REASON_COUNTS), "reason set")
    check(all(bool(x["competitor"]) == (x["reason"] in {"price", "competitor"})
              for x in losses), "competitor filled iff price/competitor")  # fmt: skip
    last: dict[str, str] = {}
    for o in orders:
        last[o["customer_id"]] = max(last.get(o["customer_id"], ""), o["order_date"])
    check(all(x["lost_date"] > last[x["customer_id"]] for x in losses), "lost before last order")
    check(sum(SPECIAL_NOTE in c["notes"] for c in customers) == 1, "exactly one {{ }} note")
    check(orders == sorted(orders, key=lambda o: (o["order_date"], o["order_id"])), "order sort")
    currencies: dict[str, set[str]] = defaultdict(set)
    for o in orders:
        currencies[o["customer_id"]].add(o["currency"])
    check(all(len(v) == 1 for v in currencies.values()), "one currency per customer")


LANGUAGES = ("en", "es", "de", "fr", "pt", "zh")
#: Chinese writes a month as a number (2026年3月): the English month names, as numbers
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip


def _numbers(text: str, *, months: bool = False) -> list[str]:
    """The numbers in a text, thousands and decimal separators dropped (180,000 == 180.000);
    with `months`, an English month name counts as its number (March == 3月)."""
    if months:
        text = re.sub("|".join(MONTHS), lambda m: f"{MONTHS.index(m.group(0)) + 1}月", text)
    return sorted(re.findall(r"\d+", re.sub(r"(?<=\d)[.,\s](?=\d)", "", text)))


def check_company() -> None:
    """company.yaml: a `changes` list for every loss reason; translations complete and
    stating the same numbers as the English."""
    facts = yaml.safe_load((SAMPLE_DIR / "company.yaml").read_text(encoding="utf-8"))
    changes = facts["changes"]
    reasons = {key.partition(".")[0] for key in changes}
    check(reasons == set(REASON_COUNTS), "changes: a list for every loss reason (and angles)")
    check(all(1 <= len(v) <= 3 for v in changes.values()), "changes: 1-3 statements per reason")
    texts = [*facts["achievements"], *(t for v in changes.values() for t in v)]
    texts += [o[k] for o in facts["offers"] for k in ("name", "conditions")]
    texts += [c["name"] for c in facts["production"]["closures"]]
    texts += [x["description"] for x in facts["price_changes"] + facts["new_products"]]
    for text in texts:
        check(isinstance(text, dict) and tuple(text) == LANGUAGES, f"languages of {text!r}")
        for lang in LANGUAGES[1:]:
            same = _numbers(text[lang]) == _numbers(text["en"], months=lang == "zh")
            check(same, f"numbers differ in {lang!r}: {text[lang]!r} vs {text['en']!r}")


def counts(rows: list[dict[str, str]], column: str) -> str:
    """'value n' pairs, most common first."""
    return ", ".join(f"{k} {n}" for k, n in Counter(r[column] for r in rows).most_common())


def summarise() -> str:
    """Read the written CSVs back, check them and describe them."""
    data = SAMPLE_DIR / "data"
    customers = read_table(data / "customers.csv", CUSTOMER_HEADER)
    orders = read_table(data / "orders.csv", ORDER_HEADER)
    losses = read_table(data / "losses.csv", LOSS_HEADER)
    check_tables(customers, orders, losses)
    buyers = {o["customer_id"] for o in orders}
    net: Counter[str] = Counter()
    for o in orders:
        net[o["customer_id"]] += round(float(o["amount"]) * 100)
    order_ids = {o["order_id"]: o for o in orders}
    credits = [o for o in order_ids.values() if o["order_id"].startswith("CR-")]
    months = Counter(int(o["order_date"][5:7]) for o in order_ids.values())
    years = Counter(o["order_date"][:4] for o in order_ids.values())
    eur = {o["customer_id"] for o in orders if o["currency"] == "EUR"}
    special = next(c["customer_id"] for c in customers if SPECIAL_NOTE in c["notes"])
    ids = f"{customers[0]['customer_id']}..{customers[-1]['customer_id']}"
    dates = [o["order_date"] for o in orders]
    return "\n".join([
        f"customers: {len(customers)} ({ids})",
        f"  by country: {counts(customers, 'country')}",
        f"  by language: {counts(customers, 'language')}",
        f"  by owner: {counts(customers, 'owner')}",
        f"  by tier: {counts(customers, 'tier')}",
        f"  missing email: {sum(not c['email'] for c in customers)}, "
        f"missing whatsapp: {sum(not c['whatsapp'] for c in customers)}, "
        f"with notes: {sum(bool(c['notes']) for c in customers)}",
        f"  prospects (no orders): {len(customers) - len(buyers)}",
        f"  paying in EUR: {len(eur)} of {len(buyers)} buyers",
        f"  notes with {{{{ 7*7 }}}}: {special}",
        f"orders: {len(order_ids)} orders, {len(orders)} lines, "
        f"{sum(Counter(o['order_id'] for o in orders)[k] > 1 for k in order_ids)} multi-line",
        f"  dates: {min(dates)} .. {max(dates)}",
        "  by year: " + ", ".join(f"{y} {n}" for y, n in sorted(years.items())),
        "  by month: " + ", ".join(f"{m:02d}:{months[m]}" for m in range(1, 13)),
        f"  credit orders: {len(credits)} "
        f"({', '.join(sorted(o['order_id'] + ' ' + o['customer_id'] for o in credits))})",
        f"  customers with negative net spend: {sorted(k for k, v in net.items() if v < 0)}",
        f"losses: {len(losses)}; by reason: {counts(losses, 'reason')}",
    ])  # fmt: skip


def main() -> None:
    """Generate, write, read back and summarise the sample workspace."""
    rng = np.random.default_rng(SEED)
    customers = build_customers(rng)
    orders = build_orders(rng, customers)
    orders += add_credits(rng, customers, orders)
    assign_customer_ids(rng, customers, orders)
    assign_order_ids(orders)
    losses = build_losses(rng, customers, orders)
    fill_crm_fields(rng, customers)
    write_tables(customers, orders, losses)
    write_texts()
    check_company()
    print(f"wrote {SAMPLE_DIR}")
    print(summarise())


if __name__ == "__main__":
    main()
