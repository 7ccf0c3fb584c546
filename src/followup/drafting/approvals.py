"""What a manager does to the library: approve, revoke, read the history, copy a shipped
template into the workspace, and compare.

Approval refuses a template that `templates lint` finds an error in (the skeleton's text
left in it first of all). Every approve and revoke is added to the workspace's
`approvals.json` history (`followup.drafting.approval_log`) with who, when and the hash;
the shipped library is read-only, so a shipped template is revoked for this workspace
only. Who: `--by`, else the configured rep of the current user (`FOLLOWUP_REP`, else
followup.toml `[user] rep`), named as company.yaml `reps:` names them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from followup.drafting.approval_log import Approval, Event, read_log, timestamp, write_log
from followup.drafting.library import Library, TemplateFile
from followup.errors import TemplateError, UsageError

if TYPE_CHECKING:
    from followup.drafting.lint import Issue
    from followup.drafting.workbench import Workbench

Against = Literal["approved", "shipped"]


def approver(by: str | None, root: Path | None, *, verb: str = "approves") -> str:
    """Who acts: `by`, else the configured rep of the current user; the rep's name when
    company.yaml `reps:` knows the value as an owner value or alias."""
    from followup.data.facts import rep_name
    from followup.settings import REP_VARIABLE, configured_rep

    name = (by or "").strip() or configured_rep(root)
    if not name:
        raise UsageError(
            f"--by: say who {verb} (a name), or set your rep once: {REP_VARIABLE}, "
            "or [user] rep in followup.toml"
        )
    return rep_name(root, name)


def approve(
    library: Library, template_id: str, by: str, when: dt.datetime, *, bench: Workbench | None
) -> Approval:
    """Record the template as it is now as approved (in the workspace's approvals.json),
    unless lint finds an error in it (rendered for the workspace's customers with `bench`)."""
    item = check_approvable(library, template_id, bench)
    root = _lock_root(library)
    log = read_log(root)
    day = when.date().isoformat()
    approval = Approval(item.sha256, by, day, item.text)
    log.approve(Event(item.id, "approve", by, day, item.sha256, at=timestamp(when)), approval)
    write_log(root, log)
    return approval


def check_approvable(library: Library, template_id: str, bench: Workbench | None) -> TemplateFile:
    """The template, when lint finds no error in it (rendered for the customers with
    `bench`); else TemplateError naming the first (the skeleton's text before others).
    Without `bench` it is quick: a command checks so before it loads the data."""
    item = library.get(template_id)
    if item.problem:
        raise TemplateError(f"{template_id} is invalid and cannot be approved: {item.problem}")
    _refuse_on_lint(item, bench)
    return item


def _refuse_on_lint(item: TemplateFile, bench: Workbench | None) -> None:
    from followup.drafting.lint import lint_template

    forbidden = bench.facts.forbidden_claims if bench is not None else []
    errors = [i for i in lint_template(item, None, forbidden) if i.severity == "error"]
    if not errors and bench is not None:
        errors = [i for i in lint_template(item, bench, forbidden) if i.severity == "error"]
    if errors:
        raise TemplateError(f"{item.id} cannot be approved: {_first(errors)}")


def _first(errors: list[Issue]) -> str:
    more = len(errors) - 1
    also = f" (and {more} more: `followup templates lint` lists them)" if more else ""
    return f"{errors[0].message}{also}"


def revoke(library: Library, template_id: str, by: str, reason: str, when: dt.datetime) -> Event:
    """Withdraw approval, saying why; a shipped template is revoked for this workspace only."""
    item = library.get(template_id)
    if not reason.strip():
        raise UsageError("--reason: say why the approval is withdrawn")
    approval = library.approval(item)
    if approval is None:
        raise UsageError(f"{template_id} is not approved: there is no approval to revoke")
    root = _lock_root(library)
    log = read_log(root)
    event = Event(
        item.id,
        "revoke",
        by,
        when.date().isoformat(),
        approval.sha256,
        reason=reason.strip(),
        at=timestamp(when),
    )
    log.revoke(event, shipped=item.source == "shipped")
    write_log(root, log)
    return event


def _lock_root(library: Library) -> Path:
    """Approvals are recorded in the workspace's templates/ (the shipped library is read-only)."""
    root = library.roots.get("workspace")
    if root is None:
        raise UsageError(
            "approvals are recorded in a workspace's templates/: run inside a workspace "
            "(`followup init DIR`) or pass --workspace"
        )
    return root


def history(library: Library, template_id: str) -> list[tuple[str, Event]]:
    """Every approve and revoke of a template: the shipped library's, then the workspace's,
    each oldest first, with the library (`shipped` or `workspace`) that recorded it."""
    found = [
        (source, event)
        for source, root in library.roots.items()
        for event in read_log(root).events(template_id)
    ]
    if not found:
        library.get(template_id)  # no such template: the usual message
    return found


@dataclass(frozen=True)
class Copied:
    path: Path
    approval: Approval | None  # the shipped approval, carried over; None: unapproved


def copy_shipped(library: Library, template_id: str, when: dt.datetime) -> Copied:
    """Put the shipped template's file into the workspace's templates/, byte for byte; its
    approval comes along when the bytes are the approved ones (and this workspace has not
    revoked it)."""
    from followup.files import atomic_write
    from followup.workspace import display_path

    shipped = library.shipped(template_id)
    if shipped is None:
        library.get(template_id)
        raise UsageError(f"{template_id} is not a shipped template: there is nothing to copy")
    current = library.templates[template_id]
    if current.source == "workspace":
        raise UsageError(
            f"{display_path(current.path)} exists already: `followup templates diff "
            f"{template_id}` shows how it differs from the shipped text"
        )
    root = _lock_root(library)
    data = shipped.path.read_bytes()
    path = root / shipped.path.relative_to(library.roots["shipped"])
    atomic_write(path, data, durable=True)
    approval = library.approval(shipped)
    if approval is None or approval.sha256 != hashlib.sha256(data).hexdigest():
        return Copied(path, None)
    log = read_log(root)
    note = "carried over from the shipped library (templates copy)"
    event = Event(
        template_id,
        "approve",
        approval.approved_by,
        approval.approved_on,
        approval.sha256,
        at=timestamp(when),
        note=note,
    )
    log.approve(event, approval)
    write_log(root, log)
    return Copied(path, approval)


@dataclass(frozen=True)
class Comparison:
    against: Against
    diff: str  # unified diff; "" when the texts are the same


def diff(library: Library, template_id: str, against: Against | None = None) -> Comparison:
    """The template as it is now against its approved version, or (a workspace file that
    overrides a shipped one, by default) against the shipped approved text."""
    import difflib

    item = library.get(template_id)
    if against is None:
        hides = item.source == "workspace" and template_id in library.hidden
        against = "shipped" if hides else "approved"
    if against == "shipped":
        approval = library.approvals.get("shipped", {}).get(template_id)
        if library.shipped(template_id) is None or approval is None:
            raise UsageError(f"{template_id} has no shipped approved text to compare with")
        before = f"{template_id} (shipped, approved by {approval.approved_by} on "
        after = f"{template_id} ({item.source})"
    else:
        approval = library.approval(item)
        if approval is None:
            raise UsageError(f"{template_id} has no approved version to compare with")
        before = f"{template_id} (approved by {approval.approved_by} on "
        after = f"{template_id} (now)"
    lines = difflib.unified_diff(
        approval.content.splitlines(keepends=True),
        item.text.splitlines(keepends=True),
        fromfile=f"{before}{approval.approved_on})",
        tofile=after,
    )
    return Comparison(against, "".join(lines))
