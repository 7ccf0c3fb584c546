"""One error hierarchy (followup.errors), mapped to messages and exit codes in one place."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from followup import errors
from followup.cli import errors as cli_errors

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "followup"
EXCEPTION_BASES = {"Exception", "BaseException", "ValueError", "RuntimeError", "OSError"}
ERROR_CLASSES = [
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, errors.FollowupError)
]


def _trees() -> list[tuple[str, ast.Module]]:
    return [
        (path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def test_every_error_class_lives_in_errors_py() -> None:
    names = {cls.__name__ for cls in ERROR_CLASSES} | EXCEPTION_BASES
    elsewhere = [
        f"{module}: {node.name}"
        for module, tree in _trees()
        if module != "errors.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and any(isinstance(b, ast.Name | ast.Attribute) and ast.unparse(b).split(".")[-1] in names
                for b in node.bases)
    ]  # fmt: skip
    assert elsewhere == []


def test_commands_raise_library_errors_only() -> None:
    """No command exits on its own or raises click's errors: cli/base.py maps them all."""
    found = []
    for module, tree in _trees():
        if not module.startswith("cli/") or module in {"cli/__init__.py", "cli/base.py"}:
            continue
        for node in ast.walk(tree):
            text = ast.unparse(node) if isinstance(node, ast.Raise | ast.Call) else ""
            if isinstance(node, ast.Raise) and ("SystemExit" in text or "click." in text):
                found.append(f"{module}:{node.lineno}: {text}")
            if isinstance(node, ast.Call) and text.startswith(("sys.exit(", "ctx.exit(")):
                found.append(f"{module}:{node.lineno}: {text}")
    assert found == []


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_has_an_exit_code_and_an_error_message(cls: type) -> None:
    error = cls.__new__(cls)
    errors.FollowupError.__init__(error, "something is wrong")
    expected = next(code for kind, code, _ in cli_errors.EXIT_CODES if isinstance(error, kind))
    assert cli_errors.exit_code(error) == expected
    assert expected in (cli_errors.SOME_FAILED, cli_errors.BAD_INPUT)
    assert cli_errors.message(error) == "Error: something is wrong"
    drafting = issubclass(cls, errors.DraftError)
    assert (expected == cli_errors.SOME_FAILED) == drafting
