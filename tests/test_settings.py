"""followup.toml: defaults without a file, strict keys, normalised currency codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from followup.errors import ConfigError
from followup.settings import CurrencySettings, Settings, load_settings
from tests.conftest import write


def test_no_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == Settings()
    assert load_settings(None).currency == CurrencySettings(base=None, rates={})


def test_codes_are_upper_cased(tmp_path: Path) -> None:
    write(tmp_path / "followup.toml", '[currency]\nbase = "usd"\n[currency.rates]\neur = 1.08\n')
    assert load_settings(tmp_path).currency == CurrencySettings(base="USD", rates={"EUR": 1.08})


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[currency]\ncolour = 1\n", "currency.colour: unknown key"),
        (
            "[currency.rates]\nEUR = -1\n",
            "currency: Value error, rate for EUR must be positive, got -1.0",
        ),
        (
            '[currency.rates]\nEUR = "a lot"\n',
            "currency.rates.EUR: Input should be a valid number, "
            "unable to parse string as a number",
        ),
        (
            "[currency\n",
            "not valid TOML (Expected ']' at the end of a table declaration "
            "(at line 1, column 10))",
        ),
    ],
)
def test_bad_settings_name_the_key(tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path / "followup.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert str(caught.value) == f"{path}: {problem}"
