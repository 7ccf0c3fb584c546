"""Greetings a buyer expects: by the salutation on file, else the contact's name, else the
language's neutral form, never the company's name ("Bonjour Dupont Éclairage SARL,")."""

from __future__ import annotations

from pathlib import Path

import pytest

import followup
from followup.drafting.context import NEUTRAL_GREETINGS
from tests.conftest import edit_rows, run

AS_OF = "2026-11-22"
#: sample customers in each language (their campaigns have templates in it)
BY_LANGUAGE = {"en": "C1014", "fr": "C1003", "de": "C1055", "es": "C1001", "pt": "C1010"}


def workspace(tmp_path: Path, changes: dict[str, dict[str, str]], extra: str = "") -> Path:
    root = tmp_path / "ws"
    run("init", str(root), "--sample")
    edit_rows(root / "data" / "customers.csv", changes, new_column=extra)
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


def test_a_name_in_another_script_is_greeted_by_its_latin_form(tmp_path: Path) -> None:
    root = workspace(
        tmp_path,
        {
            "C1014": {"contact_name": "Иван Петров", "英文名": "Ivan Petrov"},
            "C1055": {"contact_name": "محمد علي"},  # no Latin form on file
        },
        extra="英文名",  # a Chinese header for contact_name_latin
    )
    assert first_line(root, "C1014", "urgency", "en") == "Dear Ivan Petrov,"
    bench = followup.workbench(followup.load(root), as_of=AS_OF)
    kept = followup.draft(bench, "C1055", "thanks", language="de")
    assert kept.body.startswith("Guten Tag محمد علي,")  # as written: nothing to greet by instead
    assert any(f.code == "foreign_script" and "Arabic" in f.message for f in kept.findings)
    out = run("batch", "--campaign", "thanks", "--workspace", str(root), "--as-of", AS_OF,
              "--dry-run").output  # fmt: skip
    assert (
        "1 draft greet a name in another script than their language, as written: "
        "C1055 محمد علي (de) (add its Latin form in a contact_name_latin column)"
    ) in out


def test_internal_product_names_reach_buyers_by_their_buyer_facing_names(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    run("init", str(root), "--sample")
    orders = root / "data" / "orders.csv"
    text = orders.read_text(encoding="utf-8-sig")
    product = "LED Tri-proof Light 1.5m"
    assert product in text
    orders.write_text(text.replace(product, "LED三防灯 1.5m"), encoding="utf-8-sig")
    bench = followup.workbench(followup.load(root), as_of=AS_OF)
    first = {c: p["customer"]["products"][:1] for c, p in sorted(bench.profiles.items())}
    customer = next(c for c, products in first.items() if products == ["LED三防灯 1.5m"])
    raw = followup.draft(bench, customer, "urgency", language="en")
    assert any(f.code == "foreign_script" and "'LED三防灯'" in f.message for f in raw.findings)

    facts = root / "company.yaml"
    facts.write_text(
        facts.read_text(encoding="utf-8")
        + "\nproduct_names:\n  LED三防灯 1.5m:\n    en: LED Tri-proof Light 1.5m\n"
        + "    de: LED-Feuchtraumleuchte 1,5 m\n",
        encoding="utf-8",
    )
    bench = followup.workbench(followup.load(root), as_of=AS_OF)
    english = followup.draft(bench, customer, "urgency", language="en")
    assert "LED三防灯" not in english.body and not any(
        f.code == "foreign_script" for f in english.findings
    )
    assert english.body == raw.body.replace("LED三防灯 1.5m", product)
    german = followup.draft(bench, customer, "urgency", language="de")
    assert "LED三防灯" not in german.body and "LED-Feuchtraumleuchte 1,5 m" in german.body
