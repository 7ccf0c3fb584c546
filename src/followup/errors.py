"""The one error hierarchy of followup.

The library raises these; the CLI maps them to a message and an exit code in
exactly one place (`followup.cli.errors`). Each message names the problem and,
where there is one, the fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol


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


class RejectedRow(Protocol):
    """Where a row that cannot be used is, and why (`followup.data.loading.Reject`)."""

    @property
    def file(self) -> str: ...
    @property
    def row(self) -> int: ...
    @property
    def column(self) -> str | None: ...
    @property
    def value(self) -> str | None: ...
    @property
    def problem(self) -> str: ...


class RejectedRowsError(InputError):
    """Rows that cannot be used, when the caller did not ask to set them aside: the first
    is named, with the count."""

    def __init__(self, rejects: Sequence[RejectedRow]) -> None:
        first = rejects[0]
        super().__init__(
            first.problem, file=first.file, row=first.row, column=first.column, value=first.value
        )
        self.rejects = rejects
        rows = "1 row cannot" if len(rejects) == 1 else f"{len(rejects)} rows cannot"
        self.message = (
            f"{self.message} ({rows} be used: fix the data, or pass --rejects FILE "
            "to set such rows aside and go on)"
        )


class ConfigError(FollowupError):
    """Settings, a column map, a rules file or company facts are invalid."""


class TemplateError(FollowupError):
    """A template or prompt cannot be parsed or rendered."""


class BudgetExceeded(TemplateError):
    """A render went past its bounds (`followup.drafting.bounds`: steps, text, time,
    numbers); the sandbox reports it as a `TemplateError` that names the template."""


class DraftError(FollowupError):
    """A draft cannot be made for one customer (the batch goes on with the others)."""


class ReplyError(DraftError):
    """A model's reply that is not the draft asked for (the message says what is wrong)."""


class UnusableReply(DraftError):
    """No usable reply (API failure, or unparsable twice), with the tokens spent getting it."""

    def __init__(
        self, message: str, usage: tuple[tuple[int, int], int], *, api: bool = False
    ) -> None:
        super().__init__(message)
        self.usage = usage  # ((tokens in, tokens out), latency in ms)
        self.api = api  # the API call failed (no reply at all): the next would fail too


class UsageError(FollowupError):
    """Options that do not fit together, or name something that does not exist."""


class WriteError(FollowupError):
    """A file cannot be written (disk full, read-only, a folder in the way): `path`, `cause`."""

    def __init__(self, path: str, cause: str) -> None:
        super().__init__(f"cannot write {path}: {cause}")
        self.path = path
        self.cause = cause


class MailError(FollowupError):
    """A mailbox that cannot be used as configured: no account, a refused login, an
    untrusted TLS certificate, no Drafts folder. Nothing was pushed to it."""


class OutboxError(FollowupError):
    """An outbox folder that cannot be used as it is (a journal that is a link or a pipe, a
    folder that cannot be made, a lock held too long): nothing is written."""


#: a value longer than this is cut in messages (the rejects file keeps it whole)
VALUE_LIMIT = 60


def format_location(
    file: str | None, row: int | None, column: str | None, value: object, problem: str
) -> str:
    """`data/orders.csv row 17, column "下单日期": "2023-13-01" is not a date`.

    A value is shown on one line (line breaks as `\\n`) and cut after `VALUE_LIMIT`
    characters, with its length: `"xxxx…" (1,100 characters) is not a date`.
    """
    where = []
    if file is not None:
        where.append(file if row is None else f"{file} row {row}")
    elif row is not None:
        where.append(f"row {row}")
    if column is not None:
        where.append(f'column "{column}"')
    prefix = ", ".join(where)
    subject = f"{shown_value(value)} {problem}" if value is not None else problem
    return f"{prefix}: {subject}" if prefix else subject


def shown_value(value: object) -> str:
    """A cell's value quoted for a one-line message, cut to a readable length."""
    text = str(value)
    one_line = text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    if len(one_line) <= VALUE_LIMIT:
        return f'"{one_line}"'
    return f'"{one_line[:VALUE_LIMIT]}…" ({len(text):,} characters)'
