"""Languages as CRMs hold them, read through CLDR (Babel), and no silent fallback to
English: the pre-flight, the batch summary and `templates lint` say who gets English."""

from __future__ import annotations

from pathlib import Path

import pytest

import followup
from followup.languages import language_tag
from tests.conftest import edit_rows, run

AS_OF = ("--as-of", "2026-11-22")


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("de", "de"),
        ("EN", "en"),
        ("German", "de"),
        ("Deutsch", "de"),
        ("西班牙语", "es"),
        ("español", "es"),
        ("Français", "fr"),
        ("pt_BR", "pt-BR"),
        ("PT-br", "pt-BR"),
        ("Português (Brasil)", "pt-BR"),
        ("zh_Hant_TW", "zh-Hant-TW"),
        ("zh-tw", "zh-TW"),
        ("中文", "zh"),
        ("繁体中文", "zh-Hant"),
        ("Chinese (Traditional)", "zh-Hant"),
        ("中文（繁体）", "zh-Hant"),
        ("Russian", "ru"),
        ("русский", "ru"),
        ("日本語", "ja"),
        ("  Spanish   (Mexico) ", "es-MX"),
        ("es-419", "es-419"),
        ("Svenska", "sv"),  # a language's own name
        ("xx", None),
        ("Klingonish", None),
        ("en_QQ", None),  # a region CLDR does not know
        ("", None),
    ],
)
def test_language_values_as_crms_hold_them(value: str, tag: str | None) -> None:
    assert language_tag(value) == tag


def _workspace(tmp_path: Path, languages: dict[str, str]) -> Path:
    root = tmp_path / "ws"
    run("init", str(root), "--sample")
    changes = {cid: {"language": value} for cid, value in languages.items()}
    edit_rows(root / "data" / "customers.csv", changes)
    return root


def test_a_customers_file_of_language_names_is_read_and_an_unknown_one_is_named(
    tmp_path: Path,
) -> None:
    root = _workspace(
        tmp_path,
        {"C1055": "Deutsch", "C1001": "西班牙语", "C1010": "PT-br", "C1007": "Klingonish"},
    )
    bench = followup.workbench(followup.load(root), as_of="2026-11-22")
    language = {cid: p["customer"]["language"] for cid, p in bench.profiles.items()}
    assert (language["C1055"], language["C1001"], language["C1010"]) == ("de", "es", "pt-BR")
    assert language["C1007"] == "en"
    out = run("segment", "--workspace", str(root), *AS_OF)
    assert (
        "ws/data/customers.csv: column \"language\": 'Klingonish' is no language CLDR knows "
        "(row 8): drafted in en; write a code such as de, pt-BR, zh-TW, or a name such as "
        "German\n"
    ) in out.stderr


def test_the_preflight_and_the_summary_show_fallbacks_by_language(tmp_path: Path) -> None:
    root = _workspace(tmp_path, {"C1014": "Russian", "C1020": "ru", "C1003": "日语"})
    ws = ("--workspace", str(root), *AS_OF, "--ignore-cooldown")
    dry = run("batch", "--campaign", "thanks", *ws, "--dry-run").stdout
    line = (
        "Language fallback: ja 1 → en, ru 1 → en: no thanks templates in ja, ru (write them, "
        "or approve copies of the English ones)\n"
    )
    assert line in dry
    done = run("batch", "--campaign", "thanks", *ws, "--out", str(root / "ob")).stdout
    assert done.endswith(line)
    lint = run("templates", "lint", "--workspace", str(root)).stdout
    assert (
        "library: warning: 2 customers are in 'ru', and no approved template is: their "
        "drafts fall back to English [language_missing]\n"
    ) in lint


def test_an_unknown_lang_option_is_an_error_not_english() -> None:
    result = run("draft", "C1001", "--campaign", "thanks", "--sample", *AS_OF, "--lang", "xx",
                 ok=False)  # fmt: skip
    assert result.exit_code == 2
    assert (
        "Invalid value for '--lang': 'xx' is no language: use a code such as de, pt-BR, zh-TW"
        in result.stderr
    )
    named = run("draft", "C1001", "--campaign", "thanks", "--sample", *AS_OF, "--lang", "German")
    assert "template: thanks-email-de" in named.stderr
