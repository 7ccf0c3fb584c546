"""The command line as a rep and a manager use it."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

from followup import __version__
from followup.cli.tables import width
from tests.conftest import run, write

AS_OF = ("--as-of", "2026-11-22")


def test_version() -> None:
    assert run("--version").stdout.strip() == f"followup, version {__version__}"


def test_help_lists_every_command_with_a_description_and_an_example() -> None:
    text = run("--help").stdout
    for name in ("segment", "losses"):
        assert f"  {name} " in text
        assert f"followup {name} --sample" in text
    assert run("segment", "--help").stdout.count("followup segment --sample") == 1


def test_help_imports_none_of_the_heavy_libraries() -> None:
    code = (
        "import sys; from followup.cli import invoke; invoke(['--help'])\n"
        "heavy = ('pandas', 'openai', 'pyarrow', 'numpy', 'pydantic', 'jinja2', 'babel', 'lingua', 'opencc')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout


def followup(*args: str) -> subprocess.CompletedProcess[str]:
    """The console script's entry point, in its own process (it leaves with os._exit)."""
    code = "from followup.cli import main; main()"
    command = [sys.executable, "-c", code, *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_the_console_script_flushes_its_output_and_keeps_the_exit_code(tmp_path: Path) -> None:
    done = followup("segment", "--sample", *AS_OF, "--format", "csv")
    assert done.returncode == 0
    assert done.stdout.count("\n") == 321 and done.stdout.endswith("\n")  # header + 320 rows
    bad = followup("segment", "--workspace", str(tmp_path / "nowhere"))
    assert bad.returncode == 2 and bad.stderr.startswith("Error: ")
    assert followup("--version").stdout.startswith("followup, version ")


def test_segment_table_fits_80_columns() -> None:
    text = run("segment", "--sample", *AS_OF).stdout
    lines = text.splitlines()
    assert lines[0] == "320 customers, as of 2026-11-22, scheme classic"
    assert max(width(line) for line in lines) <= 80
    assert any(line.startswith("C1135 ") for line in lines)


def test_segment_summary_fits_80_columns_and_adds_up() -> None:
    text = run("segment", "--sample", "--summary", *AS_OF).stdout
    assert max(width(line) for line in text.splitlines()) <= 80
    data = json.loads(run("segment", "--sample", "--summary", "--format", "json", *AS_OF).stdout)
    segments = data["segments"]
    assert sum(s["customers"] for s in segments) == 320
    assert abs(sum(s["share"] for s in segments) - 1) < 0.001
    assert segments[-1]["segment"] == "prospect"
    assert data["currency"] == "USD" and data["as_of"] == "2026-11-22"


def test_segment_csv_has_the_per_customer_columns() -> None:
    frame = pd.read_csv(
        StringIO(run("segment", "--sample", "--format", "csv", *AS_OF).stdout),
        dtype={"customer_id": str},
    )
    for column in (
        "customer_id",
        "recency_days",
        "frequency",
        "monetary",
        "r_score",
        "f_score",
        "m_score",
        "segment",
    ):
        assert column in frame.columns
    assert len(frame) == 320 and frame["customer_id"].is_unique
    prospects = frame[frame["segment"] == "prospect"]
    assert prospects["r_score"].isna().all() and (prospects["frequency"] == 0).all()


def test_output_file_takes_its_format_from_the_extension(tmp_path: Path) -> None:
    result = run("segment", "--sample", *AS_OF, "--output", "seg.json")
    assert result.stdout == ""
    assert "Wrote seg.json" in result.stderr
    assert len(json.loads((tmp_path / "seg.json").read_text())["customers"]) == 320


def test_json_customers_match_the_csv() -> None:
    as_json = json.loads(run("segment", "--sample", "--format", "json", *AS_OF).stdout)["customers"]
    as_csv = pd.read_csv(StringIO(run("segment", "--sample", "--format", "csv", *AS_OF).stdout))
    first = as_json[0]
    row = as_csv.iloc[0]
    assert (first["customer_id"], first["frequency"], first["segment"]) == (
        row["customer_id"],
        row["frequency"],
        row["segment"],
    )


def test_runs_inside_a_workspace_folder(
    sample_workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(sample_workspace)
    inside = run("segment", "--summary", "--format", "csv", *AS_OF).stdout
    assert inside == run("segment", "--sample", "--summary", "--format", "csv", *AS_OF).stdout


def test_no_orders_file_says_what_to_do() -> None:
    result = run("segment", ok=False)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: no orders file: pass --orders FILE, run inside a workspace with data/orders.csv "
        "(create one with `followup init DIR`), or try --sample\n"
    )


def test_sample_and_workspace_together_is_a_usage_error(tmp_path: Path) -> None:
    result = run("segment", "--sample", "--workspace", str(tmp_path), ok=False)
    assert result.exit_code == 2
    assert (
        result.stderr == "Error: --sample and --workspace name two workspaces: pass one of them\n"
    )


def test_bad_as_of() -> None:
    result = run("segment", "--sample", "--as-of", "yesterday", ok=False)
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: --as-of: 'yesterday' is not a date (use YYYY-MM-DD)\n",
    )


def test_orders_after_as_of_are_reported() -> None:
    result = run("segment", "--sample", "--as-of", "2025-12-31", "--summary")
    assert "orders dated after 2025-12-31 ignored." in result.stderr


def test_losses_shares_by_reason_segment_and_owner() -> None:
    data = json.loads(run("losses", "--sample", "--format", "json", *AS_OF).stdout)
    assert data["total"] == 70 and data["unknown_reasons"] == {}
    reasons = {r["reason"]: r for r in data["by_reason"]}
    assert set(reasons) == {
        "price",
        "quality",
        "delivery",
        "service",
        "competitor",
        "payment_terms",
        "no_demand",
        "other",
    }
    assert data["by_reason"][0]["reason"] == "price"
    assert sum(r["losses"] for r in data["by_reason"]) == 70
    for view in ("by_segment", "by_owner"):
        assert sum(r["losses"] for r in data[view]) == 70
    text = run("losses", "--sample", *AS_OF).stdout
    assert max(width(line) for line in text.splitlines()) <= 80


def test_losses_keep_unknown_reasons(sample_workspace: Path) -> None:
    losses = sample_workspace / "data" / "losses.csv"
    text = losses.read_text(encoding="utf-8").rstrip("\n")
    losses.write_text(
        text + "\nC1001,2026-10-01,too slow to answer,,\nC1002,2026-10-02,价格,,\n",
        encoding="utf-8",
    )
    result = run("losses", "--workspace", str(sample_workspace), "--format", "json", *AS_OF)
    data = json.loads(result.stdout)
    assert data["total"] == 72
    assert data["unknown_reasons"] == {"too slow to answer": 1}
    assert {r["reason"]: r["losses"] for r in data["by_reason"]}["price"] == 26  # 价格 -> price
    assert 'have a reason followup does not know: "too slow to answer" (1)' in result.stderr


def test_losses_without_a_losses_file() -> None:
    write(Path("orders.csv"), "customer_id,order_date,amount\nC1,2026-01-05,100\n")
    result = run("losses", "--orders", "orders.csv", ok=False)
    assert result.exit_code == 2
    assert (
        result.stderr
        == "Error: no losses file: pass --losses FILE or add data/losses.csv to the workspace\n"
    )


def test_debug_shows_the_traceback_of_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import followup.data.dataset

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(followup.data.dataset, "load_dataset", broken)
    plain = run("segment", "--sample", ok=False)
    assert plain.exit_code == 70
    assert plain.stderr == (
        "Internal error: RuntimeError: boom. Rerun with --debug for the traceback and report it.\n"
    )
    debug = run("segment", "--sample", "--debug", ok=False)
    assert isinstance(debug.exception, RuntimeError)
