"""The cache folder: compiled templates are kept for later runs, and a bad cache is skipped."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from jinja2.sandbox import SandboxedEnvironment

from followup.cache import cache_dir
from followup.drafting import sandbox

SOURCE = "Dear {{ name }}, your total is {{ total | number }}."


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A new process's view: nothing compiled in memory, the cache folder in tmp_path."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("FOLLOWUP_CACHE_DIR", str(folder))
    sandbox._compiled.cache_clear()
    sandbox._code_store.cache_clear()
    yield folder
    sandbox._compiled.cache_clear()  # later tests: back to the session's cache folder
    sandbox._code_store.cache_clear()


def draft(locale: str = "de") -> str:
    template = sandbox.compile_template(SOURCE, locale, "t")
    return sandbox.render(template, {"name": "Jörg", "total": 12500.5}, "t")


def compiling_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(SandboxedEnvironment, "compile", refuse)


def test_a_later_run_loads_the_compiled_template(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = draft()
    assert first == "Dear Jörg, your total is 12.500,5."
    assert len(list((fresh / "templates").iterdir())) == 1
    sandbox._compiled.cache_clear()  # a new process: only the folder remembers
    compiling_fails(monkeypatch)
    assert draft() == first


def test_a_changed_source_or_other_locale_compiles_anew(fresh: Path) -> None:
    assert draft("de") != draft("en")
    template = sandbox.compile_template(SOURCE + "!", "de", "t")
    assert sandbox.render(template, {"name": "A", "total": 1}, "t").endswith("1.!")
    assert len(list((fresh / "templates").iterdir())) == 3


def test_a_corrupt_cache_file_is_compiled_again(fresh: Path) -> None:
    expected = draft()
    for file in (fresh / "templates").iterdir():
        file.write_bytes(file.read_bytes()[:40] + b"\x00garbage")
    sandbox._compiled.cache_clear()
    assert draft() == expected


def test_an_unusable_cache_folder_is_skipped(
    fresh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("FOLLOWUP_CACHE_DIR", str(blocker))
    assert draft() == "Dear Jörg, your total is 12.500,5."


def test_an_empty_setting_turns_the_cache_off(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWUP_CACHE_DIR", "")
    assert cache_dir() is None
    draft()
    assert not fresh.exists()


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the XDG rule is Linux's")
def test_default_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FOLLOWUP_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "followup"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "followup"
