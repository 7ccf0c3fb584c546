"""followup.langid: the language of short texts, on a labelled set and guard-like cases.

The labelled set (tests/data/langid/texts.jsonl) is followup's kind of text, written for
these tests: subjects, paragraphs and WhatsApp messages in the 18 languages of
`LANGUAGES`, with hard cases (English trade terms inside Spanish, product names, very
short subjects, Portuguese against Spanish, Traditional Chinese). A row's `also` names a
language the same words are equally written in ("Pedido" is Spanish and Portuguese).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from followup import langid
from followup.errors import UsageError
from followup.langid import LANGUAGES, Detection, detect, is_language, strip_non_language

DATA = Path(__file__).parent / "data" / "langid" / "texts.jsonl"
SHIPPED = ("en", "es", "de", "fr", "pt")
ROWS: list[dict[str, Any]] = [
    json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line
]


def own(row: dict[str, Any]) -> set[str]:
    return {row["language"], *row.get("also", ())}


def test_the_labelled_set_has_enough_texts_of_every_language_and_kind() -> None:
    count: dict[str, int] = defaultdict(int)
    for row in ROWS:
        assert row["language"] in LANGUAGES and row["kind"] in {"subject", "paragraph", "whatsapp"}
        count[row["language"]] += 1
    assert set(count) == set(LANGUAGES)
    assert all(count[code] >= 15 for code in (*SHIPPED, "zh"))
    assert all(count[code] >= 5 for code in LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_paragraphs_are_detected_in_every_language(language: str) -> None:
    paragraphs = [r for r in ROWS if r["language"] == language and r["kind"] == "paragraph"]
    found = [detect(r["text"]) for r in paragraphs]
    right = sum(
        d is not None and d.language in own(r) for r, d in zip(paragraphs, found, strict=True)
    )
    assert right >= 0.98 * len(paragraphs), [
        (r["text"], d) for r, d in zip(paragraphs, found, strict=True)
    ]


def test_most_short_texts_are_detected_too() -> None:
    """Measured, not promised: 99 % of subjects and WhatsApp lines (bench/RESULTS.md)."""
    short = [r for r in ROWS if r["kind"] != "paragraph"]
    right = sum((d := detect(r["text"])) is not None and d.language in own(r) for r in short)
    assert right >= 0.95 * len(short)


def test_no_text_is_refused_in_its_own_language() -> None:
    """The guard's first duty: a correct text, however short, is never called wrong."""
    alarms = [
        (row["text"], language)
        for row in ROWS
        for language in own(row)
        if is_language(row["text"], language) is False
    ]
    assert alarms == []


def test_every_paragraph_in_another_language_is_caught() -> None:
    missed = [
        (row["text"], language)
        for row in ROWS
        if row["kind"] == "paragraph"
        for language in LANGUAGES
        if language not in own(row) and is_language(row["text"], language) is not False
    ]
    assert missed == []


RUSSIAN_REPLY = (
    "Здравствуйте, Мария! Благодарим вас за последний заказ. Наши новые LED-панели на 15% "
    "экономичнее, и мы можем отгрузить их в течение трёх недель после подтверждения."
)
GERMAN_WITH_ENGLISH = (
    "Vielen Dank für Ihr Interesse an unseren Solarwechselrichtern. Wir haben die technischen "
    "Datenblätter beigefügt. Please let me know if you need anything else. Die Lieferzeit "
    "beträgt derzeit etwa vier Wochen ab Zahlungseingang."
)
SPANISH_WITH_ENGLISH = (
    "Hola, the MOQ for LED panels es de 200 unidades por modelo, y podemos enviarlas en tres "
    "semanas desde la confirmación del pedido."
)
PORTUGUESE = (
    "Olá João, obrigado pelo seu último pedido. Gostaríamos de saber se os painéis chegaram "
    "em bom estado e se você precisa repor o estoque antes do verão."
)
ENGLISH = (
    "Hi Maria, thank you for your order last spring. Our new LED panels are 15% more "
    "efficient and we can ship within three weeks of your confirmation."
)


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "ru"])
def test_a_whole_russian_reply_is_not_in_any_other_language(language: str) -> None:
    assert is_language(RUSSIAN_REPLY, "ru") is True
    assert is_language(RUSSIAN_REPLY, language) is False


def test_mixed_paragraphs_are_in_the_language_of_most_of_them() -> None:
    assert is_language(GERMAN_WITH_ENGLISH, "de") is True
    assert is_language(GERMAN_WITH_ENGLISH, "en") is False
    assert is_language(SPANISH_WITH_ENGLISH, "es") is True
    assert is_language(SPANISH_WITH_ENGLISH, "en") is False


def test_portuguese_is_not_spanish() -> None:
    assert is_language(PORTUGUESE, "pt") is True
    assert is_language(PORTUGUESE, "pt-BR") is True
    assert is_language(PORTUGUESE, "es") is False
    assert detect(PORTUGUESE) == Detection("pt", pytest.approx(1.0, abs=0.05))


@pytest.mark.parametrize(
    "subject",
    [
        "LED Panel 600x600 40W — USD 12.50",
        "Pedido 2027",
        "Re: PI-2041",
        "Solaris PowerWall Home Kit",
        "Fwd: Canton Fair 2027",
        "OK 👍",
    ],
)
@pytest.mark.parametrize("language", [*SHIPPED, "zh"])
def test_short_subjects_with_names_and_numbers_are_never_refused(
    subject: str, language: str
) -> None:
    assert is_language(subject, language) is not False


@pytest.mark.parametrize(
    "text",
    [
        "",
        "600x600 40W — USD 12.50",
        "https://example.com/catalogue-2027.pdf",
        "ana.lopez@example.com",
        "{{ customer.first_name }}",
        "2027-01-20 14:30",
        "👍😊",
        "MOQ FOB CIF",
        "Re: PI-2041",
    ],
)
def test_texts_without_language_have_no_verdict(text: str) -> None:
    assert detect(text) is None
    assert is_language(text, "es") is None
    assert is_language(text, "zh") is None


def test_simplified_and_traditional_chinese_are_both_zh() -> None:
    assert detect("王先生您好，感谢您上次的订单。我们想了解货物是否完好到达。") == Detection(
        "zh", 1.0
    )
    assert detect("陳先生您好，感謝您上次的訂單。我們想確認貨物是否已完好送達。") == Detection(
        "zh", 1.0
    )
    assert is_language("謝謝，我們再聯絡！", "zh-Hant") is True
    assert is_language("谢谢，我们再联系！", "zh_CN") is True


def test_chinese_japanese_and_english_are_told_apart() -> None:
    japanese = (
        "弊社工場は春節のため2月5日から18日まで休業いたします。ご注文の確定をお願いいたします。"
    )
    chinese = "我们工厂将于2月5日至18日春节放假。为了按时收货，建议您在1月20日前确认订单。"
    assert is_language(japanese, "zh") is False and is_language(japanese, "ja") is True
    assert is_language(chinese, "ja") is False and is_language(chinese, "zh") is True
    assert is_language(ENGLISH, "zh") is False
    assert is_language(ENGLISH + " Best regards, 深圳光明照明有限公司", "zh") is False
    # Latin product names and trade terms inside Chinese do not make it English
    assert is_language("Solaris PowerWall Home Kit 报价单", "zh") is True
    assert is_language("您好，LED panel的MOQ是每款200件，交期大约25天。", "zh") is True


def test_a_subject_in_another_script_is_caught_even_short() -> None:
    assert is_language("Новый прайс-лист на 2027 год", "es") is False
    assert is_language("Thanks a lot, talk soon!", "zh") is False
    assert is_language("Спасибо", "es") is None  # one word: too little to tell


def test_a_short_latin_text_in_another_language_is_not_judged_on_a_guess() -> None:
    assert is_language("Muchas gracias", "pt") is None
    assert is_language("Thank you for your order, see you soon", "es") is None  # en 0.53
    long_enough = "Thank you for your order, we will ship it on Monday with the tracking number."
    assert is_language(long_enough, "es") is False


def test_strip_non_language() -> None:
    assert strip_non_language("LED Panel 600x600 40W — USD 12.50") == "Panel —"
    assert strip_non_language("Re: AW: MOQ and payment terms") == "and payment terms"
    assert strip_non_language("Hola {{ customer.name }}, vea https://x.example/a?b=1") == (
        "Hola , vea"
    )
    assert strip_non_language("{% if plan %}Pedido{% endif %} 200 pcs, 40 kg") == "Pedido ,"
    assert strip_non_language("2027年新价格表") == "年新价格表"
    assert strip_non_language("ÉCHANTILLONS PRÊTS") == "ÉCHANTILLONS PRÊTS"  # not a code


def test_language_codes() -> None:
    assert langid.base_code("pt-BR") == "pt"
    assert langid.base_code("zh_Hant_TW") == "zh"
    assert langid.base_code(" EN ") == "en"
    assert set(LANGUAGES) <= langid.supported()
    assert is_language(ENGLISH, "tlh") is None  # a language the detector does not know
    assert detect("Tack för din beställning, vi skickar varorna nästa vecka.") != Detection(
        "sv", pytest.approx(1.0)
    )  # Swedish is not among the defaults ...
    found = detect("Tack för din beställning, vi skickar varorna nästa vecka.", among=["sv", "de"])
    assert found is not None and found.language == "sv"  # ... but can be asked for


def test_among_must_name_known_languages() -> None:
    with pytest.raises(UsageError, match="unknown language code"):
        detect(ENGLISH, among=["en", "xx"])
    with pytest.raises(UsageError):
        is_language(ENGLISH, "en", among=[])
    assert detect(ENGLISH, among=["en", "es"]) == Detection("en", pytest.approx(1.0, abs=0.05))


def test_importing_the_module_does_not_import_lingua() -> None:
    code = (
        "import sys\n"
        "import followup.langid as langid\n"
        "assert 'lingua' not in sys.modules, 'imported at import'\n"
        "assert langid.detect('Hola, gracias por su pedido.').language == 'es'\n"
        "assert 'lingua' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_threads_share_one_detector_and_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    import lingua

    built = []
    real = lingua.LanguageDetectorBuilder.from_languages

    def counting(*languages: lingua.Language) -> lingua.LanguageDetectorBuilder:
        built.append(languages)
        return real(*languages)

    monkeypatch.setattr(langid, "_DETECTORS", {})
    monkeypatch.setattr(lingua.LanguageDetectorBuilder, "from_languages", counting)
    texts = [row["text"] for row in ROWS]
    start = threading.Barrier(8)

    def work(offset: int) -> list[Detection | None]:
        start.wait()
        return [detect(text) for text in texts[offset:] + texts[:offset]]

    with ThreadPoolExecutor(8) as pool:
        runs = list(pool.map(work, range(0, 80, 10)))
    assert len(built) == 1
    sequential = [detect(text) for text in texts]

    def rounded(found: list[Detection | None]) -> list[tuple[str, float] | None]:
        # lingua sums in hash order: the last bits of a confidence may differ between calls
        return [None if d is None else (d.language, round(d.confidence, 9)) for d in found]

    for offset, found in zip(range(0, 80, 10), runs, strict=True):
        turned = found[len(texts) - offset :] + found[: len(texts) - offset]
        assert rounded(turned) == rounded(sequential)


def test_preload_builds_the_default_detector() -> None:
    langid.preload()
    assert (frozenset(LANGUAGES), True) in langid._DETECTORS
