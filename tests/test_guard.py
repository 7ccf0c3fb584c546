"""The fact guard: a model's draft states only what it was given, in the right language."""

from __future__ import annotations

import datetime as dt

import pytest

from followup.drafting.draft import Draft
from followup.formatting import Money
from followup.llm.guard import allowed_facts, check_reply, detect_language

CONTEXT = {
    "offer": {
        "name": "Year-end order bonus",
        "discount_percent": 5,
        "valid_until": dt.date(2026, 12, 20),
    },
    "production": {"lead_time_days": 30, "last_slot": dt.date(2026, 12, 31)},
    "customer": {"spend": Money(12500.0, "USD"), "orders": 7, "customer_since": 2019},
    "company": {
        "achievements": ["Capacity raised to 180,000 fixtures a month", "98.5% shipped on time"]
    },
    "year": 2026,
    "next_year": 2027,
}
FACTS = allowed_facts(CONTEXT)


def draft(body: str, language: str = "en", subject: str = "Year-end dates") -> Draft:
    return Draft("C1", "urgency", "email", language, subject, body, "m@lopez.example", "Maria López",
                 "López SA", "at_risk", "Lily Chen", "lily@x.example", "llm")  # fmt: skip


def codes(body: str, language: str = "en", subject: str = "Year-end dates") -> list[str]:
    found = check_reply(draft(body, language, subject), FACTS, language=language)
    return [f.code for f in found]


GOOD_EN = (
    "Dear Maria López,\n\nOur Year-end order bonus gives 5% (five per cent) off until December 20, "
    "2026, and orders confirmed by 2026-12-31 ship before the closure. You have placed 7 orders "
    "with us since 2019 for USD 12,500.00. This year we raised capacity to 180,000 fixtures a "
    "month and shipped 98.5% on time. We look forward to 2027.\n\nBest regards,\nLily Chen"
)


def test_a_faithful_reply_passes() -> None:
    assert codes(GOOD_EN) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (("5% (five per cent)", "8% (eight per cent)"), "fact_number"),
        (("(five per cent)", "(ten per cent)"), "fact_number"),
        (("December 20, 2026", "January 31, 2027"), "fact_date"),
        (("by 2026-12-31", "by 2027-01-15"), "fact_date"),
        (("180,000 fixtures", "250,000 fixtures"), "fact_number"),
        (("USD 12,500.00", "USD 15,000.00"), "fact_number"),
        (("ship before the closure", "ship before the closure at 14:00"), "fact_time"),
        (("Dear Maria López", "Dear [Customer Name]"), "placeholder"),
        (("Best regards,\nLily Chen", "Best regards,\n[Your Name]"), "placeholder"),
        (("Dear Maria López", "Dear Lily Chen"), "names_swapped"),
        (("Best regards,\nLily Chen", "Best regards,\nMaria López"), "names_swapped"),
    ],
)
def test_an_invented_or_swapped_fact_is_caught(change: tuple[str, str], code: str) -> None:
    assert change[0] in GOOD_EN
    assert code in codes(GOOD_EN.replace(*change))


def test_equal_values_in_other_forms_are_traced() -> None:
    body = (
        "Hola Maria López,\n\nnuestra oferta del 5 % (cinco por ciento) vale hasta el 20 de diciembre "
        "de 2026. Usted ha comprado por 12.500,00 USD. Este año la capacidad llegó a 180.000 "
        "luminarias al mes y el 98,5 % de los pedidos salió a tiempo. Confirme su pedido antes "
        "del 31/12/2026 para que salga antes del cierre.\n\nSaludos,\nLily Chen"
    )
    assert codes(body, "es") == []


def test_german_dates_and_numbers() -> None:
    body = (
        "Guten Tag Maria López,\n\nunser Jahresendbonus von 5 % gilt bis zum 20. Dezember 2026. "
        "Aufträge, die bis zum 31.12.2026 bestätigt sind, werden vor der Schließung verschickt. "
        "Wir haben die Kapazität auf 180.000 Leuchten im Monat erhöht und 98,5 % pünktlich "
        "geliefert.\n\nMit freundlichen Grüßen\nLily Chen"
    )
    assert codes(body, "de") == []
    assert "fact_date" in codes(body.replace("20. Dezember 2026", "22. Dezember 2026"), "de")


def test_wrong_language_is_caught() -> None:
    assert "language" in codes(GOOD_EN, "es")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Thank you for your trust this year, we will be glad to have your next order with our team.", "en"),
        ("Muchas gracias por su confianza este año, esperamos que la colaboración con usted siga.", "es"),
        ("Vielen Dank für Ihr Vertrauen, wir freuen uns auf die weitere Zusammenarbeit mit Ihnen und dem Team.", "de"),
        ("Merci pour votre confiance cette année, nous sommes heureux de travailler avec vous et votre équipe.", "fr"),
        ("Obrigado pela confiança este ano, esperamos que a parceria com você e a sua equipe continue.", "pt"),
    ],
)  # fmt: skip
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_too_short_to_tell() -> None:
    assert detect_language("Hi Maria, thanks!") is None
