"""The Python API: the README's example runs as written, and the CLI is made of it."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import pytest

import followup
from followup.errors import InputError, UsageError
from tests.conftest import run, write

ROOT = Path(__file__).resolve().parent.parent


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- api:example -->", 1)[1]
    return block.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readme_example_runs_as_written() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(readme_example(), "README.md", "exec"), {})
    printed = out.getvalue()
    assert "'customer_id': 'C1001'" in printed
    assert printed.rstrip().endswith("0 failed")
    drafted = int(printed.rstrip().splitlines()[-1].split()[0])
    assert drafted > 0
    assert len(list(Path("outbox").glob("*.eml"))) == drafted
    assert len(readme_example().strip().splitlines()) <= 12


def test_the_api_draft_is_the_command_lines_draft() -> None:
    bench = followup.workbench(followup.load(sample=True), as_of="2026-11-22")
    draft = followup.draft(bench, "C1042", "reactivation")
    printed = run(
        "draft", "C1042", "--campaign", "reactivation", "--sample", "--as-of", "2026-11-22",
        "--no-gloss",
    )  # fmt: skip
    assert (
        printed.stdout
        == f"To: {draft.recipient_name} <{draft.recipient}>\nSubject: {draft.subject}\n\n{draft.body}"
    )


def test_the_api_raises_library_errors(tmp_path: Path) -> None:
    bad = write(
        tmp_path / "orders.csv", "order_id,customer_id,order_date,amount\n1,C1,2026-13-45,5\n"
    )
    with pytest.raises(InputError) as caught:
        followup.load(orders=bad)
    assert caught.value.row == 2 and caught.value.column == "order_date"
    assert len(followup.load(orders=bad, keep_bad_rows=True).rejects) == 1
    with pytest.raises(UsageError, match="is not a date"):
        followup.day("someday")


def test_importing_followup_loads_none_of_the_heavy_libraries() -> None:
    code = (
        "import sys, followup\n"
        "heavy = ('pandas', 'pyarrow', 'jinja2', 'babel', 'pydantic', 'openai', 'numpy')\n"
        "print([m for m in heavy if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
