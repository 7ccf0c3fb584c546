"""`followup templates ...`: the manager's view of the approved library."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from followup.campaigns import CAMPAIGNS
from followup.cli import options, tables
from followup.cli.base import Command, Group
from followup.cli.draft import channel_option

if TYPE_CHECKING:
    from followup.drafting.library import Library
    from followup.workspace import Workspace


@click.group(
    "templates",
    cls=Group,
    example="followup templates lint --sample",
    short_help="List, lint, preview and approve the template library.",
)
def group() -> None:
    """The approved template library: only approved wording drafts.

    Shipped templates come approved; a workspace's templates/ adds its own and
    overrides shipped ones with the same id (`templates copy` starts one from the
    shipped text). Approvals live in templates/approvals.json with the file's sha256,
    the approver and the date, and every approve and revoke stays in its history.
    """


def _library(workspace: Path | None, sample: bool) -> tuple[Library, Workspace]:
    from followup.drafting.library import load_library
    from followup.workspace import resolve

    ws = resolve(workspace, sample=sample)
    return load_library(ws.root), ws


def _writable(ws: Workspace) -> Path:
    from followup.errors import UsageError

    if ws.is_sample or ws.root is None:
        raise UsageError(
            "the bundled sample is read-only: `followup init DIR --sample` makes a copy to edit"
        )
    return ws.root


STATUSES = ("approved", "modified", "unapproved", "invalid")


@group.command(
    "list", cls=Command, example="followup templates list --campaign urgency --lang de --sample"
)
@click.option("--campaign", type=click.Choice(list(CAMPAIGNS)), help="Only this campaign's.")
@click.option("--lang", "language", help="Only this language's (`pt` lists pt-BR too).")
@click.option(
    "--status",
    "statuses",
    type=click.Choice(STATUSES),
    multiple=True,
    help="Only templates with this status (repeatable).",
)
@options.workspace_options
def list_templates(
    campaign: str | None,
    language: str | None,
    statuses: tuple[str, ...],
    workspace: Path | None,
    sample: bool,
) -> None:
    """Every template with its status: approved, modified, unapproved or invalid.

    `regions` are the parts an LLM draft may rewrite; the rest is always the approved text.
    `touch` 2: the follow-up to a first message with no answer (`batch --touch 2`).
    """
    library, _ = _library(workspace, sample)
    found = library.listing(campaign=campaign, language=language, statuses=statuses)
    if not found:
        click.echo("No template matches: `followup templates list` shows them all")
        return
    rows, broken = [], []
    for item in found:
        status = library.status(item)
        header = item.header
        if status == "invalid":
            broken.append(f"  {item.id} ({item.path}): {item.problem}")
        fields = (
            (header.campaign, header.channel, header.language, str(header.touch),
             " ".join(header.regions) or "-")
            if header
            else ("", "", "", "", "")
        )  # fmt: skip
        rows.append([item.id, *fields, item.source, status])
    headers = ["id", "campaign", "channel", "lang", "touch", "regions", "source", "status"]
    click.echo(tables.table(headers, rows), nl=False)
    if broken:
        click.echo("Invalid (never drafted until fixed):\n" + "\n".join(broken))


@group.command("show", cls=Command, example="followup templates show thanks-email-en --sample")
@click.argument("template_id")
@options.workspace_options
def show(template_id: str, workspace: Path | None, sample: bool) -> None:
    """Print a template file as it is, with its status."""
    library, _ = _library(workspace, sample)
    item = library.get(template_id)
    click.echo(f"# {item.path} ({item.source}, {library.status(item)})", err=True)
    click.echo(item.text, nl=not item.text.endswith("\n"))


@group.command(
    "new",
    cls=Command,
    example="followup templates new my-urgency-en --campaign urgency --lang en",
)
@click.argument("template_id")
@click.option("--campaign", type=click.Choice(list(CAMPAIGNS)), required=True)
@channel_option
@click.option("--lang", "language", default="en", show_default=True, help="BCP-47 language tag.")
@click.option("--reason", "reasons", multiple=True, help="Loss reason it answers (repeatable).")
@options.workspace_options
def new(
    template_id: str,
    campaign: str,
    channel: str,
    language: str,
    reasons: tuple[str, ...],
    workspace: Path | None,
    sample: bool,
) -> None:
    """Create a template in the workspace from a skeleton (unapproved until approved)."""
    from followup.drafting.library import new_template

    _, ws = _library(workspace, sample)
    path = new_template(
        _writable(ws),
        template_id,
        campaign=campaign,
        channel=channel,
        language=language,
        reasons=list(reasons),
    )
    click.echo(f"Wrote {path}: edit it, then `followup templates lint` and `approve {template_id}`")


@group.command("lint", cls=Command, example="followup templates lint --sample")
@options.data_options
@click.option("--no-render", is_flag=True, help="Skip rendering against the workspace's customers.")
def lint(data: options.DataOptions, no_render: bool) -> None:
    """Check every template: names, sandbox, literal facts, lengths, coverage gaps.

    Exits 2 when an error is found (warnings alone exit 0).
    """
    from followup.drafting.lint import lint_library, summary

    library, ws = _library(data.workspace, data.sample)
    bench = None if no_render or ws.root is None else options.workbench(data, None)
    forbidden = bench.facts.forbidden_claims if bench else []
    issues = lint_library(library, bench, forbidden)
    for issue in issues:
        click.echo(issue.line())
    counts = summary(issues)
    errors_, warnings = counts["errors"], counts["warnings"]
    click.echo(f"{len(library.templates)} templates: {errors_} errors, {warnings} warnings")
    if counts["errors"]:
        from followup.errors import TemplateError

        raise TemplateError("the library has errors (listed above): fix them, then lint again")


@group.command(
    "preview",
    cls=Command,
    example="followup templates preview thanks-email-en --customer C1001 --sample",
)
@click.argument("template_id")
@click.option("--customer", "customer_id", required=True, help="Customer id to render for.")
@options.as_of_option
@options.data_options
def preview(
    template_id: str, customer_id: str, as_of: str | None, data: options.DataOptions
) -> None:
    """Render one template for one real customer, approved or not, with its findings."""
    from followup.drafting.engine import TemplateEngine
    from followup.drafting.lint import template_request

    bench = options.workbench(data, as_of)
    item = bench.library.get(template_id)
    if item.header is None:
        from followup.errors import TemplateError

        raise TemplateError(f"{template_id} is invalid: {item.problem}")
    engine = TemplateEngine(bench, allow_unapproved=True)
    engine.candidates = [item]
    draft = engine.draft(template_request(bench, customer_id, item.header))
    from followup.cli.draft import print_draft

    print_draft(draft, status=bench.library.status(item))


@group.command(
    "approve", cls=Command, example="followup templates approve my-urgency-email-en --by 'Grace Xu'"
)
@click.argument("template_id")
@click.option("--by", "by", help="Who approves (default: your rep, FOLLOWUP_REP or [user] rep).")
@click.option("--no-render", is_flag=True, help="Lint without rendering for the customers.")
@options.data_options
def approve(template_id: str, by: str | None, no_render: bool, data: options.DataOptions) -> None:
    """Approve the template as it is now (sha256, approver and date go to approvals.json).

    A template that `templates lint` finds an error in (the skeleton's text left in it, a
    name the context does not have, text in another language than its tag ...) is refused.
    """
    from followup.drafting.approvals import approve as approve_template
    from followup.drafting.approvals import approver, check_approvable

    library, ws = _library(data.workspace, data.sample)
    who = approver(by, _writable(ws))
    check_approvable(library, template_id, None)  # the quick checks, before the data loads
    bench = None if no_render else options.workbench(data, None)
    approval = approve_template(
        bench.library if bench else library, template_id, who, _now(), bench=bench
    )
    when = f"{approval.approved_by} on {approval.approved_on}"
    click.echo(f"Approved {template_id} ({approval.sha256[:12]}) by {when}")


@group.command(
    "revoke",
    cls=Command,
    example="followup templates revoke urgency-email-en --reason 'offer ended' --by 'Grace Xu'",
)
@click.argument("template_id")
@click.option("--reason", required=True, help="Why the approval is withdrawn (recorded).")
@click.option("--by", "by", help="Who revokes (default: your rep, FOLLOWUP_REP or [user] rep).")
@options.workspace_options
def revoke(
    template_id: str, reason: str, by: str | None, workspace: Path | None, sample: bool
) -> None:
    """Withdraw approval: the template no longer drafts until approved again.

    A shipped template is revoked for this workspace only.
    """
    from followup.drafting.approvals import approver
    from followup.drafting.approvals import revoke as revoke_template

    library, ws = _library(workspace, sample)
    who = approver(by, _writable(ws), verb="revokes")
    event = revoke_template(library, template_id, who, reason, _now())
    click.echo(f"Revoked {template_id} ({(event.sha256 or '')[:12]}) by {who} on {event.on}")


@group.command("history", cls=Command, example="followup templates history urgency-email-en")
@click.argument("template_id")
@options.workspace_options
def history(template_id: str, workspace: Path | None, sample: bool) -> None:
    """Every approve and revoke of a template: the day, the file's hash, the library that
    recorded it (shipped or workspace), who, and why."""
    from followup.drafting.approvals import history as template_history

    library, _ = _library(workspace, sample)
    events = template_history(library, template_id)
    if not events:
        click.echo(f"{template_id} was never approved")
        return
    lines = [f"{template_id}: {len(events)} approvals and revocations, oldest first"]
    for where, e in events:
        why = e.reason or e.note
        line = f"{e.on}  {_ACTIONS[e.action]:<8}  {(e.sha256 or '-')[:12]:<12}  {where:<9}  {e.by}"
        lines.append(line + (f": {why}" if why else ""))
    click.echo("\n".join(lines))


_ACTIONS = {"approve": "approved", "revoke": "revoked"}


@group.command("copy", cls=Command, example="followup templates copy urgency-email-en")
@click.argument("template_id")
@options.workspace_options
def copy(template_id: str, workspace: Path | None, sample: bool) -> None:
    """Copy a shipped template into the workspace's templates/ to edit it there.

    The copy keeps the shipped approval while its bytes are the approved ones; once
    edited it is `modified` and needs approving (`templates diff` shows the changes).
    """
    from followup.drafting.approvals import copy_shipped
    from followup.workspace import display_path

    library, ws = _library(workspace, sample)
    _writable(ws)
    copied = copy_shipped(library, template_id, _now())
    where = display_path(copied.path)
    if copied.approval is None:
        click.echo(f"Copied {template_id} to {where}: unapproved (approve it to draft with it)")
        return
    who = f"{copied.approval.approved_by} on {copied.approval.approved_on}"
    click.echo(f"Copied {template_id} to {where}: approved ({who}, carried over)")


@group.command("diff", cls=Command, example="followup templates diff urgency-email-en")
@click.argument("template_id")
@click.option(
    "--against",
    type=click.Choice(["approved", "shipped"]),
    help="Its own approved version, or the shipped approved text "
    "(default: shipped for a workspace copy of a shipped template).",
)
@options.workspace_options
def diff(template_id: str, against: str | None, workspace: Path | None, sample: bool) -> None:
    """Show what changed since the template was approved (a unified diff)."""
    from followup.drafting.approvals import diff as template_diff

    library, _ = _library(workspace, sample)
    found = template_diff(library, template_id, against)  # type: ignore[arg-type]
    if found.diff:
        click.echo(found.diff, nl=False)
    elif found.against == "shipped":
        click.echo(f"{template_id} is the same as the shipped approved text")
    else:
        click.echo(f"{template_id} is unchanged since its approval")


@group.command("drafts", cls=Command, example="followup templates drafts urgency-email-en")
@click.argument("template_id")
@click.option(
    "--outbox",
    "outboxes",
    type=click.Path(path_type=Path, file_okay=False),
    multiple=True,
    help="Also an outbox folder's index (repeatable; default: ./outbox).",
)
@options.workspace_options
def drafts(
    template_id: str, outboxes: tuple[Path, ...], workspace: Path | None, sample: bool
) -> None:
    """The drafts a template produced, and from which version of it.

    From the contact history (every draft a batch in this workspace recorded) and the
    outboxes' indexes: `approved` (the approved text), `current` (the file as it is now,
    not approved) or `earlier` (a version since changed).
    """
    from followup.outbox.produced import template_drafts
    from followup.workspace import display_path

    library, ws = _library(workspace, sample)
    found = template_drafts(library, ws.root, template_id, outboxes or (Path("outbox"),))
    if not found:
        click.echo(f"{template_id} has produced no drafts on record")
        return
    rows = [
        [p.drafted_on or "", p.customer_id, p.version, (p.template_hash or "")[:8], p.status,
         display_path(Path(p.outbox) / p.file)]
        for p in found
    ]  # fmt: skip
    versions: Counter[str] = Counter(p.version for p in found)
    counts = ", ".join(f"{versions[v]} {v}" for v in _VERSIONS if versions[v])
    click.echo(f"{template_id}: {len(found)} drafts ({counts})")
    headers = ["date", "customer", "version", "sha256", "status", "file"]
    click.echo(tables.table(headers, rows, flexible=5), nl=False)


_VERSIONS = ("approved", "current", "earlier", "unknown")


def _now() -> dt.datetime:
    from followup.drafting.approval_log import now

    return now()
