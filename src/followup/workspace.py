"""Where a command's files are: a workspace folder, the bundled sample, or explicit paths."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from followup.errors import InputError, UsageError

#: what `data/<table>.<suffix>` may be (case ignored); `.xls` is found to be refused
DATA_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xls", ".txt", ".tsv")
TABLE_NAMES = ("customers", "orders", "losses")


def sample_root() -> Path:
    """The sample workspace shipped inside the package."""
    return Path(str(files("followup") / "sample"))


@dataclass(frozen=True)
class Workspace:
    root: Path | None
    is_sample: bool = False

    def data_file(self, table: str) -> Path | None:
        """`data/<table>.csv|.xlsx|...` of this workspace, if there is one (the name's case
        ignored, as on Windows). Two such files (`customers.csv` and `customers.xlsx`)
        are an error: which one is the table is not followup's guess to make."""
        if self.root is None or not (self.root / "data").is_dir():
            return None
        found = sorted(
            path
            for path in (self.root / "data").iterdir()
            if path.stem.lower() == table
            and path.suffix.lower() in DATA_SUFFIXES
            and path.is_file()
        )
        if len(found) > 1:
            names = [self.display(path) for path in found]
            listed = ", ".join(names[:-1]) + " and " + names[-1]
            raise InputError(
                f"{listed} could both be the {table} table: keep one in data/ "
                f"(delete or rename the other), or pass --{table} FILE"
            )
        return found[0] if found else None

    def display(self, path: Path) -> str:
        """A path as a user should read it in a message."""
        if self.is_sample and self.root is not None:
            try:
                return "sample:" + path.relative_to(self.root).as_posix()
            except ValueError:
                pass
        return display_path(path)


def display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def resolve(workspace: Path | None, *, sample: bool) -> Workspace:
    """`--sample` wins; then `--workspace`; then the current folder if it is a workspace."""
    if sample:
        if workspace is not None:
            raise UsageError("--sample and --workspace name two workspaces: pass one of them")
        return Workspace(sample_root(), is_sample=True)
    if workspace is not None:
        if not workspace.is_dir():
            raise UsageError(f"workspace {display_path(workspace)} is not a folder")
        return Workspace(workspace)
    cwd = Path.cwd()
    if (cwd / "followup.toml").is_file() or (cwd / "data").is_dir():
        return Workspace(cwd)
    return Workspace(None)
