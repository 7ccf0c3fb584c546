"""`followup init DIR`: a workspace a team can start from (empty, or a copy of the sample).

An empty workspace has no data tables: a header-only `customers.csv` would shadow the
`customers.xlsx` the team drops in later. `data/README.md` says which files to put there
and which columns they need (from `followup.data.columns`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from followup.data.columns import DATA_TABLES, TABLES
from followup.errors import UsageError
from followup.files import atomic_write
from followup.workspace import sample_root

SETTINGS_TEMPLATE = """\
# followup workspace settings. Precedence: this file < environment < command-line options.

[currency]
# Monetary figures are reported in this currency (ISO code).
base = "USD"

[currency.rates]
# 1 unit of each other currency in your orders = this many base units. A currency with no
# rate stops the command with a message naming it.
# EUR = 1.08

[data]
# A column map for headers followup does not recognise (see docs/data.md):
# columns = "columns.yaml"
# strptime format for day-first dates such as 05/03/2024:
# date_format = "%d/%m/%Y"
"""

COMPANY_TEMPLATE = """\
# Facts about the sender. A draft states no fact that is not here or in the customer's data.
# Any free text may be one string or one per language: {en: "...", es: "...", de: "..."}.
company: Your Company Co., Ltd.        # legal name, as on the PI and invoice
website: https://example.com            # shown in drafts when a template uses it
sender:                                 # the person who signs the drafts
  name: Your Name                       # full name
  title: Export Sales Manager           # job title under the name
  email: you@example.com                # From: address of email drafts
  phone: ""                             # office phone
  whatsapp: ""                          # E.164 number, e.g. "+8613800000000"
  signature: |                          # block that ends every email draft
    Your Name
    Export Sales Manager
    Your Company Co., Ltd.
reps: {}                                # who signs each owner's customers (else the sender):
#  Amy Zhao:                            # the owner value as the CRM export writes it
#    name: Amy Zhao
#    title: Sales Manager, Europe
#    email: amy.zhao@yourcompany.example
#    signature: |
#      Amy Zhao
#      Your Company Co., Ltd.
#    aliases: [赵敏]                    # other spellings of the owner value
founded: 2010                           # year founded
achievements: []                        # this year's true statements: new lines, certifications ...
offers: []                              # time-limited offers, each with its deadline:
#  - name: Year-end order bonus
#    discount_percent: 5
#    valid_until: 2026-12-20
#    conditions: orders confirmed with deposit by the deadline
production:
  lead_time_days: 30                    # days from deposit to goods ready (standard orders)
  ship_buffer_days: 5                   # days kept free before a closure to book, inspect and load
  closures: []                          # factory closures, e.g. Chinese New Year:
#    - name: Chinese New Year
#      start: 2027-01-30
#      end: 2027-02-21
price_changes: []                       # announced changes: [{date: 2027-01-15, description: ...}]
new_products: []                        # [{name: ..., description: ...}]
product_names: {}                       # the name buyers see for an ERP's internal name:
#  LED面板灯 600x600: LED Panel Light 600x600   (or one per language: {en: ..., de: ...})
changes: {}                             # what changed, by the loss reason it answers:
#  quality: [Automated aging test on every driver batch since March]
#  delivery.reliability: [...]          # or by reason and angle (docs/data.md)
forbidden_claims: []                    # phrases a draft must never contain
claims: []                              # promises the company does make, so an LLM draft
                                        # may too: free_samples, free_shipping, guarantee,
                                        # best_price, exclusive, waived_deposit, certified
"""


def init_workspace(target: Path, *, sample: bool) -> list[Path]:
    """Create the workspace folders and files; refuse to overwrite anything."""
    if target.exists() and any(target.iterdir()):
        raise UsageError(f"{target} exists and is not empty: pick a new folder")
    for folder in ("data", "templates", "prompts", "outbox"):
        (target / folder).mkdir(parents=True, exist_ok=True)
    written = []
    if sample:
        source = sample_root()
        for path in [
            source / "followup.toml",
            source / "company.yaml",
            *sorted((source / "data").iterdir()),
        ]:
            destination = target / path.relative_to(source)
            shutil.copyfile(path, destination)
            written.append(destination)
    else:
        atomic_write(target / "followup.toml", SETTINGS_TEMPLATE)
        atomic_write(target / "company.yaml", COMPANY_TEMPLATE)
        atomic_write(target / "data" / "README.md", data_readme())
        written += [target / "followup.toml", target / "company.yaml", target / "data/README.md"]
    for folder in ("templates", "prompts"):
        readme = target / folder / "README.md"
        atomic_write(readme, _FOLDER_NOTES[folder])
        written.append(readme)
    return written


def data_readme() -> str:
    """What to put in `data/`: one file per table, and the columns each needs."""
    lines = [
        "# Your data",
        "",
        "Put your CRM exports here, one file per table, named after the table:",
        "`customers.xlsx`, `orders.xlsx` and `losses.xlsx` (or `.csv`: UTF-8, UTF-8 with",
        "BOM or GB18030/GBK). Only `orders` is needed; `customers` adds names and contacts,",
        "`losses` the reasons customers were lost. Keep one file per table: `customers.csv`",
        "and `customers.xlsx` side by side stop every command until one is removed.",
        "",
        "Headers in English or Chinese are recognised; map others with `--columns map.yaml`",
        "(docs/data.md). The columns:",
        "",
    ]
    for table in DATA_TABLES:
        fields = TABLES[table]
        required = ", ".join(f"`{f.name}` ({_chinese(f.aliases)})" for f in fields if f.required)
        optional = ", ".join(f"`{f.name}`" for f in fields if not f.required)
        lines += [f"- {table}: {required}", f"  and, if you have them, {optional}"]
    lines += ["", "Orders with no amount column may give `quantity` and `unit_price` instead."]
    return "\n".join(lines) + "\n"


def _chinese(aliases: tuple[str, ...]) -> str:
    """The first Chinese header a field is recognised by."""
    return next((a for a in aliases if any("\u4e00" <= c <= "\u9fff" for c in a)), "")


_FOLDER_NOTES = {
    "templates": "Your team's templates: they add to the shipped library and override a shipped\n"
    "template with the same id. `followup templates new ID ...` starts one; approve it with\n"
    "`followup templates approve ID --by NAME`. See docs/templates.md.\n",
    "prompts": "Your team's LLM prompts: they override the shipped ones with the same id.\n",
}
