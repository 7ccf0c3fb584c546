"""The one place where library errors become messages and exit codes."""

from __future__ import annotations

from typing import Final

from followup.errors import (
    ConfigError,
    DraftError,
    FollowupError,
    InputError,
    MailError,
    OutboxError,
    UsageError,
)
from followup.redact import redact

OK: Final = 0
SOME_FAILED: Final = 1
BAD_INPUT: Final = 2
INTERNAL: Final = 70
INTERRUPTED: Final = 130

#: error class -> (exit code, what it means); the first matching class wins
EXIT_CODES: Final[tuple[tuple[type[BaseException], int, str], ...]] = (
    (InputError, BAD_INPUT, "a data file cannot be used as given"),
    (ConfigError, BAD_INPUT, "settings, column map, rules or company facts are invalid"),
    (UsageError, BAD_INPUT, "options that do not fit together or name nothing"),
    (OutboxError, BAD_INPUT, "the outbox folder cannot be used as it is (nothing written)"),
    (MailError, BAD_INPUT, "the mailbox cannot be used as configured (login, TLS, folder)"),
    (DraftError, SOME_FAILED, "the draft could not be made (API failure, refused reply, --strict)"),
    (FollowupError, BAD_INPUT, "any other problem followup can name"),
)

#: exit code -> meaning, for the docs
MEANINGS: Final[dict[int, str]] = {
    OK: "done",
    SOME_FAILED: "done, but some drafts failed or could not be written or recorded (a full "
    "disk, a read-only folder): the summary says which and why; the drafts written are kept, "
    "and a rerun completes the outbox",
    BAD_INPUT: "bad input or usage (a data row, a setting, an outbox folder that cannot be "
    "used): nothing was written",
    INTERNAL: "a bug in followup: rerun with --debug and report the traceback",
    INTERRUPTED: "interrupted (Ctrl-C); finished work is kept",
}


def exit_code(error: BaseException) -> int:
    for kind, code, _ in EXIT_CODES:
        if isinstance(error, kind):
            return code
    if isinstance(error, KeyboardInterrupt):
        return INTERRUPTED
    return INTERNAL


def message(error: BaseException) -> str:
    """The one line a user sees for `error`, with every secret in it masked."""
    if isinstance(error, FollowupError):
        return redact(f"Error: {error}")
    if isinstance(error, KeyboardInterrupt):
        return "Interrupted."
    return redact(
        f"Internal error: {type(error).__name__}: {error}. "
        "Rerun with --debug for the traceback and report it."
    )
