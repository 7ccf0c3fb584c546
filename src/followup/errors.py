"""The one error hierarchy of followup.

The library raises these; the CLI maps them to a message and an exit code in
exactly one place (`followup.cli.errors`). Each message names the problem and,
where there is one, the fix.
"""

from __future__ import annotations

from pathlib import Path


class FollowupError(Exception):
    """Base of every error followup reports to a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(FollowupError):
    """A data file cannot be used as given (bad value, missing column, encoding...)."""

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.value = value
        self.problem = problem
        super().__init__(format_location(self.file, row, column, value, problem))


class ConfigError(FollowupError):
    """Settings, a column map, a rules file or company facts are invalid."""


class TemplateError(FollowupError):
    """A template or prompt cannot be parsed or rendered."""


class DraftError(FollowupError):
    """A draft cannot be made for one customer (the batch goes on with the others)."""


class UsageError(FollowupError):
    """Options that do not fit together, or name something that does not exist."""


def format_location(
    file: str | None, row: int | None, column: str | None, value: object, problem: str
) -> str:
    """`data/orders.csv row 17, column "下单日期": "2023-13-01" is not a date`."""
    where = []
    if file is not None:
        where.append(file if row is None else f"{file} row {row}")
    elif row is not None:
        where.append(f"row {row}")
    if column is not None:
        where.append(f'column "{column}"')
    prefix = ", ".join(where)
    subject = f'"{value}" {problem}' if value is not None else problem
    return f"{prefix}: {subject}" if prefix else subject
