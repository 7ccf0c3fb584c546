"""A buyer reads its own money: the figures of a draft are in the currency the buyer was
invoiced in, formatted for its language, and the fact guard holds the model to those."""

from __future__ import annotations

import csv
from pathlib import Path

import followup
from followup.drafting.draft import Draft
from followup.drafting.workbench import request
from followup.llm.claims import check, facts_of
from tests.conftest import run

AS_OF = "2026-11-22"


def workspace(tmp_path: Path, lines: list[tuple[str, str, str, str]]) -> Path:
    """The sample workspace with extra 2026 order lines for C1055 (customer, order id,
    amount, currency) and a CNY rate."""
    root = tmp_path / "ws"
    run("init", str(root), "--sample")
    orders = root / "data" / "orders.csv"
    with orders.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["customer_id"] != "C1055"]
    for customer, order, amount, currency in lines:
        rows.append(
            {
                "order_id": order,
                "customer_id": customer,
                "order_date": "2026-09-01",
                "amount": amount,
                "currency": currency,
                "product": "LED Flood Light 200W",
            }
        )
    with orders.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    settings = root / "followup.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("EUR = 1.08", "EUR = 1.08\nCNY = 0.14"),
        encoding="utf-8",
    )
    return root


def thanks(root: Path | None, customer: str = "C1055") -> Draft:
    """The thanks draft, its spaces made plain (Babel puts a no-break space before EUR)."""
    data = followup.load(root) if root else followup.load(sample=True)
    made = followup.draft(followup.workbench(data, as_of=AS_OF), customer, "thanks")
    made.body = made.body.replace("\xa0", " ").replace("\u202f", " ")
    return made


def test_a_buyer_invoiced_in_eur_reads_eur_in_its_own_format() -> None:
    made = thanks(None)  # C1055, Elektro Zimmermann: two orders in EUR this year
    assert "2 Bestellungen im Wert von 52.730,50 EUR" in made.body  # not "56.948,94 USD"
    assert "USD" not in made.body


def test_a_buyer_invoiced_in_cny_reads_cny(tmp_path: Path) -> None:
    root = workspace(tmp_path, [("C1055", "X-1", "70000", "CNY"), ("C1055", "X-2", "30000", "CNY")])
    made = thanks(root)
    assert "2 Bestellungen im Wert von 100.000,00 CNY" in made.body
    assert "USD" not in made.body and "EUR" not in made.body


def test_a_buyer_that_paid_in_two_currencies_gets_no_total(tmp_path: Path) -> None:
    root = workspace(tmp_path, [("C1055", "X-1", "20000", "EUR"), ("C1055", "X-2", "9000", "USD")])
    made = thanks(root)
    assert "2 Bestellungen bei uns platziert" in made.body  # the count stays, no sum of two
    assert "USD" not in made.body and "EUR" not in made.body


def test_the_guard_allows_the_buyers_own_figure_only() -> None:
    bench = followup.workbench(followup.load(sample=True), as_of=AS_OF)
    context = request(bench, "C1055", "thanks", "email", "en").context
    facts = facts_of(context, "en")
    assert check("This year your orders came to EUR 52,730.50.", facts, "en") == []
    converted = check("This year your orders came to USD 56,948.94.", facts, "en")
    assert "fact_money" in [f.code for f in converted]
