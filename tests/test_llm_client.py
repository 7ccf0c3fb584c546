"""Settings precedence, key routing and secrecy for the LLM client."""

from __future__ import annotations

from pathlib import Path

import pytest

from followup.errors import ConfigError
from followup.llm.client import Secret, make_client, resolve
from followup.settings import LLMSettings, load_settings
from tests.conftest import write

KEY = "sk-test-0123456789abcdefghij"


def test_toml_then_environment_then_options(tmp_path: Path) -> None:
    write(tmp_path / "followup.toml", '[llm]\nmodel = "from-toml"\ntimeout = 30\n')
    settings = load_settings(tmp_path).llm
    assert resolve(settings, {}).model == "from-toml"
    assert resolve(settings, {"FOLLOWUP_MODEL": "from-env"}).model == "from-env"
    config = resolve(settings, {"FOLLOWUP_MODEL": "from-env"}, model="from-option", timeout=5.0)
    assert (config.model, config.settings.timeout) == ("from-option", 5.0)


def test_openai_key_goes_only_to_openai() -> None:
    openai = resolve(LLMSettings(model="gpt-4o-mini"), {"OPENAI_API_KEY": KEY})
    assert openai.configured and openai.key_source == "OPENAI_API_KEY"
    other = resolve(LLMSettings(model="deepseek-chat", base_url="https://api.deepseek.com/v1"),
                    {"OPENAI_API_KEY": KEY})  # fmt: skip
    assert other.api_key is None and other.key_source == ""
    own = resolve(LLMSettings(model="deepseek-chat", base_url="https://api.deepseek.com/v1"),
                  {"OPENAI_API_KEY": KEY, "FOLLOWUP_API_KEY": "sk-followup-abcdefghijklmnop"})  # fmt: skip
    assert own.key_source == "FOLLOWUP_API_KEY"


def test_local_server_needs_no_key() -> None:
    local = resolve(
        LLMSettings(),
        {"FOLLOWUP_MODEL": "smollm2", "FOLLOWUP_BASE_URL": "http://127.0.0.1:8080/v1"},
    )
    assert local.configured and local.api_key is None
    client = make_client(local)
    assert str(client.base_url).startswith("http://127.0.0.1:8080/v1")


def test_not_configured_says_what_to_do() -> None:
    with pytest.raises(ConfigError) as caught:
        make_client(resolve(LLMSettings(), {}))
    assert str(caught.value) == (
        "No API configured: set FOLLOWUP_MODEL and FOLLOWUP_API_KEY (or FOLLOWUP_BASE_URL "
        "for a local server), or pass --engine template"
    )


def test_a_key_never_prints() -> None:
    config = resolve(LLMSettings(model="gpt-4o-mini"), {"OPENAI_API_KEY": KEY})
    for text in (repr(config), str(config), f"{config.api_key}", repr(Secret(KEY))):
        assert KEY not in text
    assert config.api_key is not None and config.api_key.reveal() == KEY


def test_bad_llm_settings_name_the_key(tmp_path: Path) -> None:
    write(tmp_path / "followup.toml", "[llm]\nconcurrency = 0\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'followup.toml'}: llm.concurrency: 0 is out of range: use a number "
        "≥ 1 and ≤ 64"
    )
