"""Every command that reads data loads it the same way: one error, one exit code, one rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run

AS_OF = ("--as-of", "2026-11-22")

#: every command that reads the workspace's data, with what it needs besides the data
DATA_COMMANDS: dict[str, tuple[str, ...]] = {
    "segment": ("segment",),
    "losses": ("losses",),
    "plan": ("plan",),
    "draft": ("draft", "C1001", "--campaign", "thanks"),
    "batch": ("batch", "--campaign", "urgency", "--out", "ob"),
    "history": ("history", "C1001"),
    "due": ("due",),
    "templates preview": ("templates", "preview", "thanks-email-en", "--customer", "C1001"),
    "templates lint": ("templates", "lint"),
    "templates approve": ("templates", "approve", "thanks-email-en", "--by", "Grace Xu"),
    "prompts show": ("prompts", "show", "thanks", "--customer", "C1001"),
}

BAD_DATE = (
    'Error: ws/data/orders.csv row 2154, column "order_date": "2026-13-45" is not a date '
    "(1 row cannot be used: fix the data, or pass --rejects FILE to set such rows aside "
    "and go on)\n"
)


@pytest.fixture
def bad_workspace(sample_workspace: Path) -> Path:
    """The sample with one order whose date cannot be read (the last row, 2154)."""
    orders = sample_workspace / "data" / "orders.csv"
    with orders.open("a", encoding="utf-8") as file:
        file.write("SO-2026-9999,C1001,2026-13-45,100.00,USD,LED Tube T8 1.2m\n")
    return sample_workspace


def _args(name: str, *extra: str) -> list[str]:
    args = [*DATA_COMMANDS[name], "--workspace", "ws", *extra]
    return args if name in {"templates lint", "templates approve"} else [*args, *AS_OF]


@pytest.mark.parametrize("name", DATA_COMMANDS)
def test_a_bad_row_stops_every_data_command_with_the_same_error(
    bad_workspace: Path, name: str
) -> None:
    result = run(*_args(name), ok=False)
    assert (result.exit_code, result.stderr) == (2, BAD_DATE)
    assert result.stdout == ""
    assert not Path("ob").exists()  # nothing written


@pytest.mark.parametrize("name", DATA_COMMANDS)
def test_rejects_sets_the_row_aside_and_every_data_command_goes_on(
    bad_workspace: Path, name: str
) -> None:
    result = run(*_args(name, "--rejects", "rejects.csv"), ok=False)
    assert result.exit_code == 0, result.output + result.stderr
    assert "1 row set aside: see rejects.csv\n" in result.stderr
    lines = Path("rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith("ws/data/orders.csv,2154,order_date,2026-13-45,")


def test_the_list_above_is_every_command_with_the_data_options() -> None:
    import click

    from followup.cli import cli

    def walk(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
        found = []
        for name, command in group.commands.items():
            path = f"{prefix} {name}".strip()
            if isinstance(command, click.Group):
                found += walk(command, path)
            else:
                found.append((path, command))
        return found

    reading = {
        path
        for path, command in walk(cli, "")
        if any(param.name == "orders" for param in command.params)
    }
    assert reading == set(DATA_COMMANDS)
