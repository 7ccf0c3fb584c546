"""`approvals.json`: a library's approvals now, and every approve and revoke before.

One file per library root (the shipped `templates/`, a workspace's `templates/`):

- `templates`: id -> the approval in force (sha256 of the file, who, the day, and the
  approved content, which `templates diff` compares with);
- `revoked`: shipped ids this workspace withdrew (who, the day, why);
- `history`: every approve and revoke, oldest first (who, the day and the UTC time, the
  hash, why). Entries are only ever added: re-approving or revoking never rewrites one.

Version 1 files (before the history) are read as they are: their approvals and
revocations become the first history entries, with no time; the next write stores
version 2. A file from a newer followup is refused rather than half-read.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from followup.errors import TemplateError

LOCK_FILE: Final = "approvals.json"
VERSION: Final = 2

Action = Literal["approve", "revoke"]


@dataclass(frozen=True)
class Approval:
    sha256: str
    approved_by: str
    approved_on: str
    content: str


@dataclass(frozen=True)
class Event:
    """One approve or revoke of one template, as the history keeps it."""

    template: str
    action: Action
    by: str
    on: str  # the day (ISO)
    sha256: str | None  # approve: the approved file; revoke: the approval withdrawn
    reason: str = ""  # why (a revoke's --reason)
    at: str = ""  # UTC time (ISO); "" for an entry read from a version 1 file
    note: str = ""  # e.g. "carried over from the shipped library"


@dataclass
class Log:
    """The content of one `approvals.json`."""

    approvals: dict[str, Approval] = field(default_factory=dict)
    revoked: dict[str, dict[str, str]] = field(default_factory=dict)
    history: list[Event] = field(default_factory=list)

    def approve(self, event: Event, approval: Approval) -> None:
        """Record an approve: the approval in force from now, and in the history."""
        self.history.append(event)
        self.approvals[event.template] = approval
        self.revoked.pop(event.template, None)

    def revoke(self, event: Event, *, shipped: bool) -> None:
        """Record a revoke; a shipped template's stays listed in `revoked` (this workspace
        withdrew it; the shipped library still approves it)."""
        self.history.append(event)
        self.approvals.pop(event.template, None)
        if shipped:
            self.revoked[event.template] = {
                "revoked_by": event.by,
                "revoked_on": event.on,
                "reason": event.reason,
            }

    def events(self, template_id: str) -> list[Event]:
        return [e for e in self.history if e.template == template_id]


def read_log(root: Path) -> Log:
    """The `approvals.json` in `root` (empty when there is none); a version 1 file too."""
    path = root / LOCK_FILE
    if not path.is_file():
        return Log()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        version = int(data.get("version", 1))
        if version > VERSION:
            raise TemplateError(
                f"{path}: written by a newer followup (version {version}, this one knows "
                f"{VERSION}): upgrade followup"
            )
        approvals = {k: Approval(**v) for k, v in data.get("templates", {}).items()}
        revoked = {k: dict(v) for k, v in data.get("revoked", {}).items()}
        history = (
            [Event(**e) for e in data["history"]]
            if version >= 2
            else _first_history(approvals, revoked)
        )
    except (ValueError, TypeError, KeyError, AttributeError, OSError) as exc:
        raise TemplateError(f"{path}: not a valid approvals file ({exc})") from None
    return Log(approvals, revoked, history)


def _first_history(
    approvals: dict[str, Approval], revoked: dict[str, dict[str, str]]
) -> list[Event]:
    """A version 1 file's approvals and revocations as the history's first entries."""
    events = [
        Event(key, "approve", a.approved_by, a.approved_on, a.sha256)
        for key, a in approvals.items()
    ]
    events += [
        Event(key, "revoke", r.get("revoked_by", ""), r.get("revoked_on", ""), None)
        for key, r in revoked.items()
    ]
    return sorted(events, key=lambda e: (e.on, e.template, e.action))


def write_log(root: Path, log: Log) -> None:
    from followup.files import atomic_write

    data: dict[str, Any] = {
        "version": VERSION,
        "templates": {k: asdict(log.approvals[k]) for k in sorted(log.approvals)},
        "revoked": {k: log.revoked[k] for k in sorted(log.revoked)},
        "history": [_compact(e) for e in log.history],
    }
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    atomic_write(root / LOCK_FILE, text, durable=True)


def _compact(event: Event) -> dict[str, Any]:
    """An event without its empty optional fields (reason, at, note)."""
    data = asdict(event)
    return {k: v for k, v in data.items() if v != "" or k in {"by", "on"}}


def now() -> dt.datetime:
    """The time an event is recorded at: local (its day is the local day), with its offset."""
    return dt.datetime.now().astimezone()


def timestamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")
