"""Greetings a buyer expects: by the salutation on file, else the contact's name, else the
language's neutral form, never the company's name ("Bonjour Dupont Éclairage SARL,")."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import followup
from followup.drafting.context import NEUTRAL_GREETINGS
from tests.conftest import run

AS_OF = "2026-11-22"
#: sample customers in each language (their campaigns have templates in it)
BY_LANGUAGE = {"en": "C1014", "fr": "C1003", "de": "C1055", "es": "C1001", "pt": "C1010"}


def workspace(tmp_path: Path, changes: dict[str, dict[str, str]], extra: str = "") -> Path:
    root = tmp_path / "ws"
    run("init", str(root), "--sample")
    path = root / "data" / "customers.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = list(rows[0]) + ([extra] if extra else [])
    for row in rows:
        if extra:
            row[extra] = ""
        row.update(changes.get(row["customer_id"], {}))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)
    return root


def first_line(root: Path, customer: str, campaign: str, language: str) -> str:
    bench = followup.workbench(followup.load(root), as_of=AS_OF)
    return followup.draft(bench, customer, campaign, language=language).body.splitlines()[0]


@pytest.mark.parametrize("language", sorted(BY_LANGUAGE))
@pytest.mark.parametrize("campaign", ["urgency", "thanks"])
def test_no_contact_name_gets_the_neutral_greeting(
    tmp_path: Path, language: str, campaign: str
) -> None:
    customer = BY_LANGUAGE[language]
    root = workspace(tmp_path, {customer: {"contact_name": ""}})
    line = first_line(root, customer, campaign, language)
    assert line == NEUTRAL_GREETINGS[language]


def test_the_company_name_is_never_the_greeting(tmp_path: Path) -> None:
    root = workspace(tmp_path, {"C1003": {"contact_name": ""}})
    bench = followup.workbench(followup.load(root), as_of=AS_OF)
    company = bench.profile("C1003")["customer"]["company"]
    for campaign in ("urgency", "reactivation", "thanks"):
        for channel in ("email", "whatsapp"):
            made = followup.draft(bench, "C1003", campaign, channel=channel)
            assert company not in made.body.splitlines()[0], (campaign, channel)


def test_a_salutation_column_names_the_buyer(tmp_path: Path) -> None:
    root = workspace(
        tmp_path,
        {"C1055": {"称呼": "Frau Schneider"}, "C1001": {"称呼": "Sr. Vargas"}},
        extra="称呼",
    )
    assert first_line(root, "C1055", "thanks", "de") == "Guten Tag Frau Schneider,"
    assert first_line(root, "C1001", "urgency", "es") == "Hola, Sr. Vargas:"
    assert first_line(root, "C1014", "urgency", "en") == "Dear Cooper Fraser,"  # none: the name
