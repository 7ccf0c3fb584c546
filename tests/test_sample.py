"""The bundled sample is realistic enough to try every command on."""

from __future__ import annotations

import pandas as pd

from followup.workspace import sample_root


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(sample_root() / "data" / f"{name}.csv", dtype=str, keep_default_na=False)


def test_sample_breadth() -> None:
    customers, orders, losses = read("customers"), read("orders"), read("losses")
    assert 200 <= len(customers) <= 500
    assert customers["country"].nunique() >= 6
    assert customers["language"].nunique() >= 4
    assert customers["owner"].nunique() >= 3
    dates = pd.to_datetime(orders["order_date"])
    assert (dates.max() - dates.min()).days >= 3 * 365
    assert (orders["amount"].astype(float) < 0).sum() >= 3  # returns
    assert set(losses["reason"]) == {
        "price",
        "quality",
        "delivery",
        "service",
        "competitor",
        "payment_terms",
        "no_demand",
        "other",
    }
    assert set(orders["customer_id"]) <= set(customers["customer_id"])
    assert (customers["notes"].str.contains("{{ 7*7 }}", regex=False)).sum() == 1


def test_sample_company_facts() -> None:
    import yaml

    facts = yaml.safe_load((sample_root() / "company.yaml").read_text(encoding="utf-8"))
    assert facts["achievements"] and facts["offers"][0]["valid_until"]
    closure = facts["production"]["closures"][0]
    assert closure["name"]["en"] == "Chinese New Year" and closure["start"] < closure["end"]
    assert facts["production"]["lead_time_days"] > 0
