"""The fact guard on whole replies: figures and claims by role, names, placeholders, language.

The facts are C1042's in the sample workspace (tests/test_guard_corpus.py builds them; the
labelled corpus there covers figures and claims in every shipped language)."""

from __future__ import annotations

import pytest

from followup.drafting.draft import Draft
from followup.llm.guard import check_reply
from tests.test_guard_corpus import facts


def draft(body: str, language: str = "en", subject: str = "Year-end dates") -> Draft:
    return Draft("C1042", "urgency", "email", language, subject, body,
                 "carlos.torres@iluminacionsanchez.example", "Carlos Torres",
                 "Iluminación Sánchez S.L.", "loyal", "Lily Chen", "lily@x.example", "llm")  # fmt: skip


def codes(body: str, language: str = "en", subject: str = "Year-end dates") -> list[str]:
    found = check_reply(draft(body, language, subject), facts(language), language=language)
    return [f.code for f in found]


GOOD_EN = (
    "Dear Carlos Torres,\n\nOur Year-end order bonus gives 5% (five per cent) off until December "
    "20, 2026, and orders confirmed by 2026-12-26 ship before the closure. You have placed 13 "
    "orders with us since 2022, two of them this year for USD 39,412.40. This year we raised "
    "capacity to 180,000 fixtures a month and shipped 98.5% on time. We look forward to "
    "2027.\n\nBest regards,\nLily Chen"
)


def test_a_faithful_reply_passes() -> None:
    assert codes(GOOD_EN) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (("5% (five per cent)", "8% (eight per cent)"), "fact_discount"),
        (("(five per cent)", "(ten per cent)"), "fact_discount"),
        (("December 20, 2026", "January 31, 2027"), "fact_date"),
        (("by 2026-12-26", "by 2027-01-16"), "fact_date"),
        (("180,000 fixtures", "250,000 fixtures"), "fact_number"),
        (("USD 39,412.40", "USD 45,000.00"), "fact_money"),
        (("ship before the closure", "ship before the closure at 14:00"), "fact_time"),
        (("Dear Carlos Torres", "Dear [Customer Name]"), "placeholder"),
        (("Best regards,\nLily Chen", "Best regards,\n[Your Name]"), "placeholder"),
        (("Dear Carlos Torres", "Dear Lily Chen"), "names_swapped"),
        (("Best regards,\nLily Chen", "Best regards,\nCarlos Torres"), "names_swapped"),
        (("We look forward", "Samples are free, and we look forward"), "claim"),
    ],
)
def test_an_invented_or_swapped_fact_is_caught(change: tuple[str, str], code: str) -> None:
    assert change[0] in GOOD_EN
    assert code in codes(GOOD_EN.replace(*change))


def test_the_subject_is_checked_too() -> None:
    assert codes(GOOD_EN, subject="15% off until December 20") == ["fact_discount"]
    assert codes(GOOD_EN, subject="Reactivation campaign: dates") == ["internal_label"]


def test_equal_values_in_other_forms_are_traced() -> None:
    body = (
        "Hola Carlos Torres,\n\nnuestra oferta del 5 % (cinco por ciento) vale hasta el 20 de "
        "diciembre de 2026. Este año usted ha comprado por 39.412,40 USD. La capacidad llegó a "
        "180.000 luminarias al mes y el 98,5 % de los pedidos salió a tiempo. Confirme su pedido "
        "antes del 26/12/2026 para que salga antes del cierre.\n\nSaludos,\nLily Chen"
    )
    assert codes(body, "es") == []


def test_german_dates_and_numbers() -> None:
    body = (
        "Guten Tag Carlos Torres,\n\nunser Jahresendbonus von 5 % gilt bis zum 20. Dezember "
        "2026. Aufträge, die bis zum 26.12.2026 bestätigt sind, werden vor der Schließung "
        "verschickt. Wir haben die Kapazität auf 180.000 Leuchten im Monat erhöht und 98,5 % "
        "pünktlich geliefert.\n\nMit freundlichen Grüßen\nLily Chen"
    )
    assert codes(body, "de") == []
    assert "fact_date" in codes(body.replace("20. Dezember 2026", "22. Dezember 2026"), "de")


def test_the_customers_notes_allow_nothing() -> None:
    """The note says "offer a 90% discount", the loss detail "8% above the market" and
    "delivery in 20 days": none of them is a fact."""
    body = GOOD_EN.replace("5% (five per cent)", "90%")
    assert "fact_discount" in codes(body)
    assert "fact_duration" in codes(
        GOOD_EN.replace("We look forward", "We deliver in 20 days. We look forward")
    )


def test_wrong_language_is_caught() -> None:
    assert "language" in codes(GOOD_EN, "es")


def test_a_paragraph_in_another_language_is_caught() -> None:
    mixed = GOOD_EN.replace(
        "We look forward to 2027.",
        "We look forward to 2027.\n\nWir freuen uns sehr auf die weitere Zusammenarbeit mit "
        "Ihnen und Ihrem Team im kommenden Jahr.",
    )
    assert "language" in codes(mixed)
    russian = "Уважаемый Карлос, благодарим вас за сотрудничество в этом году и ждём новых заказов."
    assert "language" in codes(russian, "es")


def test_the_first_sentence_is_the_greeting_even_on_one_line() -> None:
    one_line = "Dear Carlos Torres, thanks for the 13 orders since 2022! Best, Lily Chen"
    assert "names_swapped" not in codes(one_line)
    assert "names_swapped" in codes("Hola, Lily: gracias por los 13 pedidos. Carlos Torres", "es")


def region_codes(
    name: str, text: str, wording: str, around: str = "", material: str = ""
) -> list[str]:
    """The findings of `text` written for region `name` of C1042's message."""
    from followup.llm.guard import check_region, people
    from tests.test_guard_corpus import context

    customer = context("en")["customer"]
    who = people(customer["company"], customer["contact_name"], "Lily Chen")
    found = check_region(
        name, text, facts=facts("en"), language="en", who=who, wording=wording,
        forbidden=[], around=around, material=material,
    )  # fmt: skip
    return [f.code for f in found]


OPENING = "I have been meaning to get back in touch with you."


@pytest.mark.parametrize(
    "text",
    [
        "Our Year-end order bonus takes 5% off your order until December 20, 2026.",
        "As a customer since 2022, you know our LED panels well.",
        "Thank you for the 13 orders you placed with us.",
    ],
)
def test_a_prose_region_states_no_figure_its_approved_wording_does_not(text: str) -> None:
    # true figures, but the offer and the dates are the message's lines, not the opening's
    assert region_codes("opening", text, OPENING) == ["region_figure"]
    assert "region_figure" not in region_codes("subject", text[:60], "Year-end dates")


def test_a_prose_region_may_keep_the_figures_of_its_own_wording() -> None:
    wording = "A lot has changed on our side since March 2026."
    rewritten = "Since March 2026 a lot has changed on our side, Carlos."
    assert region_codes("opening", rewritten, wording) == []


@pytest.mark.parametrize(
    "text",
    [
        "Our production lead time is also shorter now, so your panels arrive sooner.",
        "We can now offer lower prices on the panels you usually order.",
    ],
)
def test_better_terms_than_before_are_claims_without_a_fact(text: str) -> None:
    assert "claim" in region_codes("opening", text, OPENING)


def test_a_region_must_not_say_again_what_another_region_says() -> None:
    from followup.llm.engine import _around

    closing = "If you are planning to restock, just reply with the quantities this week."
    skeleton = "Dear Carlos Torres,\n\n[OPENING]\n\nThe offer.\n\n[CLOSING]\n\nBest regards"
    around = _around(skeleton, {"opening": OPENING, "closing": closing}, "opening")
    text = f"Good to hear from you again. {closing}"
    assert "region_repeats" in region_codes("opening", text, OPENING, around)


@pytest.mark.parametrize(
    "text",
    [
        "Carlos Torres at Iluminación Sánchez S.L. has stopped ordering from us.",
        "The customer usually orders our LED panels and has been quiet lately.",
    ],
)
def test_a_prose_region_speaks_to_the_buyer_not_about_them(text: str) -> None:
    assert "third_person" in region_codes("opening", text, OPENING)
    for addressed in (
        "Thank you, Carlos Torres, for your trust.",
        "Thank you for your trust this year, Carlos Torres.",
    ):
        assert "third_person" not in region_codes("opening", addressed, OPENING)


def test_a_closing_that_asks_nothing_keeps_the_approved_question() -> None:
    approved = "Would a short call next week suit you?"
    assert "closing_question" in region_codes("closing", "Please contact me any time.", approved)
    assert region_codes("closing", "Shall we talk next week, Carlos?", approved) == []


def test_a_sentence_reworded_a_little_still_repeats_the_message() -> None:
    around = "Si tiene previsto reponer LED Panel Light 300x1200, respóndame con las cantidades y esta misma semana le reservo capacidad de producción."
    text = "¿Tienes previsto reponer LED Panel Light 300x1200? ¡Responde con las cantidades y esta misma semana le reservo capacidad de producción!"
    assert "region_repeats" in region_codes("opening", text, OPENING, around)


def test_a_subject_may_sum_up_a_line_of_the_message() -> None:
    around = "Year-end order bonus: 5% off the order value until December 20, 2026."
    subject = "5% off orders until December 20"
    assert "region_repeats" not in region_codes("subject", subject, subject, around)


def test_a_closing_that_leaves_out_the_products_its_wording_asks_about_is_refused() -> None:
    from followup.llm.guard import check_region, people

    approved = "If you plan to restock LED Flood Light 100W, reply with the quantities."
    who = people("Iluminación Sánchez S.L.", "Carlos Torres", "Lily Chen")
    kwargs = {
        "facts": facts("en"), "language": "en", "who": who, "wording": approved,
        "forbidden": [], "products": ("LED Flood Light 100W", "LED Panel Light 600x600"),
    }  # fmt: skip
    vague = check_region("closing", "Please let me know if you have any questions.", **kwargs)
    assert "drops_product" in [f.code for f in vague]
    kept = "Shall I hold a slot for your next LED Flood Light 100W order? Send the quantities."
    assert check_region("closing", kept, **kwargs) == []


def test_a_contact_is_claimed_only_when_the_buyers_data_tells_of_one() -> None:
    """ "Thank you for reaching out" is false to a buyer who never wrote."""
    from followup.llm.guard import check_region, people

    who = people("Leeds Lighting Distribution Ltd", "Sophie Fletcher", "Jason Liu")
    kwargs = {
        "facts": facts("en"), "language": "en", "who": who, "forbidden": [],
        "wording": "Thank you for this year's cooperation, and for the orders.",
    }  # fmt: skip
    text = "Thank you for your visit to our booth; it was good to talk about your projects."
    assert [f.code for f in check_region("opening", text, **kwargs)] == ["claim"]
    met = check_region("opening", text, **kwargs, material="Met at Canton Fair, spring session")
    assert met == []
