"""The package's shape: every module in a room, imports only downward, no cycles.

The rooms and their order are read from docs/architecture.md, the one picture of the
house: a module may import from its own room and from earlier rooms, never a later one.
Every import counts, lazy ones inside functions and `TYPE_CHECKING` ones too.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "followup"


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def rooms() -> list[tuple[str, list[str]]]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("<!-- BEGIN rooms", 1)[1].split("<!-- END rooms -->", 1)[0]
    lines = block.split("```", 2)[1].strip().splitlines()
    return [(line.split()[0], line.split()[1:]) for line in lines]


def room_of(module: str) -> int:
    """The position of the room a module is in: the longest listed prefix wins."""
    best, where = "", -1
    for index, (_, names) in enumerate(rooms()):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > len(best):
                best, where = name, index
    return where


def imports(module: str) -> set[str]:
    """The package's modules that `module` imports, anywhere in its code."""
    path = modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            named = [f"{base}.{alias.name}" for alias in node.names]
            submodules = [name for name in named if name in modules()]
            # `from followup.data import loading` imports the submodule (the package's
            # __init__ holds nothing); `from followup.x import name` imports followup.x
            targets = submodules if len(submodules) == len(named) else [base, *submodules]
        for target in targets:
            known = target
            while known and known not in modules():
                known = known.rpartition(".")[0]
            if known and known != module:
                found.add(known)
    return found


@cache
def _packages() -> frozenset[str]:
    return frozenset(m for m, p in modules().items() if p.name == "__init__.py")


def test_every_module_is_in_a_room_and_every_listed_name_exists() -> None:
    assert [m for m in modules() if room_of(m) < 0] == []
    listed = [name for _, names in rooms() for name in names]
    assert [n for n in listed if n not in modules()] == []


def test_no_module_imports_a_later_room() -> None:
    names = [room for room, _ in rooms()]
    upward = [
        f"{module} ({names[room_of(module)]}) imports {target} ({names[room_of(target)]})"
        for module in modules()
        for target in sorted(imports(module))
        if room_of(target) > room_of(module)
    ]
    assert upward == []


def test_there_is_no_import_cycle() -> None:
    graph = {module: imports(module) for module in modules()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_subpackages_import_nothing_on_their_own() -> None:
    """A room's `__init__` is its description: importing one module loads no other."""
    for module, path in modules().items():
        if path.name == "__init__.py" and module not in {"followup", "followup.cli"}:
            assert imports(module) == set(), module


def _import_alone(module: str) -> tuple[str, int, str]:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, check=False
    )
    return module, done.returncode, done.stderr.strip().splitlines()[-1:] and done.stderr


def test_every_module_imports_in_a_fresh_interpreter() -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(_import_alone, sorted(modules())))
    assert [(m, err) for m, code, err in results if code != 0] == []
