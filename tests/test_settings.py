"""followup.toml: defaults without a file, strict keys, normalised currency codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from followup.errors import ConfigError
from followup.settings import CurrencySettings, LLMSettings, Settings, load_settings
from tests.conftest import run, write


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
            "currency.rates.EUR: -1 is out of range: use a number ≥ 1e-09 and ≤ 1e+09",
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


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[currency.rates]\nEUR = nan\n", "currency.rates.EUR: nan is not allowed: use a finite number ≥ 1e-09 and ≤ 1e+09"),
        ("[currency.rates]\nEUR = inf\n", "currency.rates.EUR: inf is not allowed: use a finite number ≥ 1e-09 and ≤ 1e+09"),
        ("[currency.rates]\nEUR = 1e308\n", "currency.rates.EUR: 1e+308 is out of range: use a number ≥ 1e-09 and ≤ 1e+09"),
        ("[currency.rates]\nEUR = 0.0\n", "currency.rates.EUR: 0.0 is out of range: use a number ≥ 1e-09 and ≤ 1e+09"),
        ("[llm]\ntimeout = inf\n", "llm.timeout: inf is not allowed: use a finite number > 0 and ≤ 3600"),
        ("[llm]\ntimeout = nan\n", "llm.timeout: nan is not allowed: use a finite number > 0 and ≤ 3600"),
        ("[llm]\ntimeout = -inf\n", "llm.timeout: -inf is not allowed: use a finite number > 0 and ≤ 3600"),
        ("[llm]\ntimeout = 0\n", "llm.timeout: 0 is out of range: use a number > 0 and ≤ 3600"),
        ("[llm]\ntimeout = 1e9\n", "llm.timeout: 1000000000.0 is out of range: use a number > 0 and ≤ 3600"),
        ("[llm]\nconcurrency = 100000\n", "llm.concurrency: 100000 is out of range: use a number ≥ 1 and ≤ 64"),
        ("[llm]\nconcurrency = 0\n", "llm.concurrency: 0 is out of range: use a number ≥ 1 and ≤ 64"),
        ("[llm]\nmax_retries = 1000\n", "llm.max_retries: 1000 is out of range: use a number ≥ 0 and ≤ 10"),
        ("[llm]\nmax_retries = -1\n", "llm.max_retries: -1 is out of range: use a number ≥ 0 and ≤ 10"),
        ("[llm]\nprice_in_per_1k = nan\n", "llm.price_in_per_1k: nan is not allowed: use a finite number ≥ 0 and ≤ 1000"),
        ("[llm]\nprice_out_per_1k = -0.5\n", "llm.price_out_per_1k: -0.5 is out of range: use a number ≥ 0 and ≤ 1000"),
        ("[mail]\nconnections_per_server = 9\n", "mail.connections_per_server: 9 is out of range: use a number ≥ 1 and ≤ 8"),
        ("[mail]\nconnections_per_server = 0\n", "mail.connections_per_server: 0 is out of range: use a number ≥ 1 and ≤ 8"),
    ],
)  # fmt: skip
def test_every_number_is_finite_and_in_range(tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path / "followup.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert str(caught.value) == f"{path}: {problem}"


def test_a_nan_rate_stops_the_command_instead_of_moving_customers_to_prospect(
    sample_workspace: Path,
) -> None:
    toml = sample_workspace / "followup.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("1.08", "nan"), encoding="utf-8")
    result = run("segment", "--workspace", str(sample_workspace), "--as-of", "2026-11-22", ok=False)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {toml}: currency.rates.EUR: nan is not allowed: use a finite number "
        "≥ 1e-09 and ≤ 1e+09\n"
    )


@pytest.mark.parametrize("text", ["[llm]\ntimeout = inf\n", "[currency.rates]\nEUR = 1e308\n"])
def test_numbers_that_crashed_are_a_bad_input_exit(sample_workspace: Path, text: str) -> None:
    (sample_workspace / "followup.toml").write_text(text, encoding="utf-8")
    args = ("batch", "--campaign", "thanks", "--workspace", str(sample_workspace), "--dry-run")
    result = run(*args, "--as-of", "2026-11-22", ok=False)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ") and "Internal error" not in result.stderr


@pytest.mark.parametrize(
    ("option", "problem"),
    [
        (("--timeout", "nan"), "Invalid value for '--timeout': nan is not allowed: use a finite number > 0 and ≤ 3600"),
        (("--timeout", "inf"), "Invalid value for '--timeout': inf is not allowed: use a finite number > 0 and ≤ 3600"),
        (("--timeout", "soon"), "Invalid value for '--timeout': 'soon' is not a number"),
        (("--concurrency", "100000"), "Invalid value for '--concurrency': 100000 is out of range: use a number ≥ 1 and ≤ 64"),
        (("--concurrency", "2.5"), "Invalid value for '--concurrency': '2.5' is not a whole number"),
    ],
)  # fmt: skip
def test_options_that_override_settings_have_the_same_range(
    option: tuple[str, str], problem: str
) -> None:
    result = run("batch", "--sample", "--campaign", "thanks", "--dry-run", *option, ok=False)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {problem}"


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"timeout": float("inf")}, "timeout: inf is not allowed: use a finite number > 0 and ≤ 3600"),
        ({"concurrency": 10**6}, "concurrency: 1000000 is out of range: use a number ≥ 1 and ≤ 64"),
    ],
)  # fmt: skip
def test_settings_made_in_code_are_checked_too(values: dict[str, float], problem: str) -> None:
    with pytest.raises(ValueError, match="^" + problem.replace("+", r"\+") + "$"):
        LLMSettings(**values)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^rates.EUR: nan is not allowed"):
        CurrencySettings(rates={"EUR": float("nan")})


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("plan", "--sample", "--growth", "nan"), "Invalid value for '--growth': nan is not allowed: use a finite number"),
        (("plan", "--sample", "--target-new", "inf"), "Invalid value for '--target-new': inf is not allowed: use a finite number"),
        (("segment", "--sample", "--scheme", "cn8", "--thresholds", "r=90,f=3,m=nan"), "--thresholds: m=nan is not allowed: use a finite number"),
    ],
)  # fmt: skip
def test_number_options_refuse_nan_and_inf(args: tuple[str, ...], problem: str) -> None:
    result = run(*args, ok=False)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {problem}"
