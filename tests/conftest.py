"""Shared fixtures: a clean environment and a temp working folder for every test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from followup.cli import cli
from followup.workspace import sample_root

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tests' cache folder (compiled templates): never the user's own."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, cache_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No FOLLOWUP_*/OPENAI_* settings leak in; each test runs in its own temp folder."""
    for name in list(os.environ):
        if name.startswith(("FOLLOWUP_", "OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FOLLOWUP_CACHE_DIR", str(cache_folder))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def sample_workspace(tmp_path: Path) -> Path:
    """A writable copy of the bundled sample workspace."""
    target = tmp_path / "ws"
    shutil.copytree(sample_root(), target)
    return target


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def run(*args: str, ok: bool = True) -> Result:
    """Invoke the CLI; on the happy path an unexpected exception fails loudly."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=not ok)
    if ok:
        assert result.exit_code == 0, result.output + result.stderr
    return result


def edit_rows(path: Path, changes: dict[str, dict[str, str]], *, new_column: str = "") -> None:
    """Set cells of a data file's rows by customer id (`changes`: id -> column -> value),
    after adding `new_column` empty to every row; a BOM the file had stays."""
    import csv

    raw = path.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    with path.open(encoding=encoding, newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = list(rows[0]) + ([new_column] if new_column else [])
    for row in rows:
        if new_column:
            row[new_column] = ""
        row.update(changes.get(row["customer_id"], {}))
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)
