"""`followup templates ...`: the manager's view of the approved library."""

from __future__ import annotations

import datetime as dt
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
    overrides shipped ones with the same id. Approvals live in
    templates/approvals.json with the file's sha256, the approver and the date.
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


@group.command("list", cls=Command, example="followup templates list --sample")
@options.workspace_options
def list_templates(workspace: Path | None, sample: bool) -> None:
    """Every template with its status: approved, modified, unapproved or invalid.

    `regions` are the parts an LLM draft may rewrite; the rest is always the approved text.
    """
    library, _ = _library(workspace, sample)
    rows, broken = [], []
    for item in sorted(library.templates.values(), key=lambda t: t.id):
        status = library.status(item)
        header = item.header
        if status == "invalid":
            broken.append(f"  {item.id} ({item.path}): {item.problem}")
        fields = (
            (header.campaign, header.channel, header.language, " ".join(header.regions) or "-")
            if header
            else ("", "", "", "")
        )
        rows.append([item.id, *fields, item.source, status])
    headers = ["id", "campaign", "channel", "lang", "regions", "source", "status"]
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
    from followup.drafting.workbench import request

    bench = options.workbench(data, as_of)
    item = bench.library.get(template_id)
    if item.header is None:
        from followup.errors import TemplateError

        raise TemplateError(f"{template_id} is invalid: {item.problem}")
    engine = TemplateEngine(bench, allow_unapproved=True)
    engine.candidates = [item]
    header = item.header
    draft = engine.draft(
        request(bench, customer_id, header.campaign, header.channel, header.language)
    )
    from followup.cli.draft import print_draft

    print_draft(draft, status=bench.library.status(item))


@group.command(
    "approve", cls=Command, example="followup templates approve my-urgency-email-en --by 'Grace Xu'"
)
@click.argument("template_id")
@click.option("--by", "by", required=True, help="Who approves (recorded with the date).")
@options.workspace_options
def approve(template_id: str, by: str, workspace: Path | None, sample: bool) -> None:
    """Approve the template as it is now (sha256, approver and date go to approvals.json)."""
    from followup.drafting.library import approve as approve_template

    library, ws = _library(workspace, sample)
    _writable(ws)
    approval = approve_template(library, template_id, by, dt.date.today())
    who = f"{approval.approved_by} on {approval.approved_on}"
    click.echo(f"Approved {template_id} ({approval.sha256[:12]}) by {who}")


@group.command(
    "revoke", cls=Command, example="followup templates revoke my-urgency-email-en --by 'Grace Xu'"
)
@click.argument("template_id")
@click.option("--by", "by", default="", help="Who revokes (recorded).")
@options.workspace_options
def revoke(template_id: str, by: str, workspace: Path | None, sample: bool) -> None:
    """Withdraw approval: the template no longer drafts until approved again."""
    from followup.drafting.library import revoke as revoke_template

    library, ws = _library(workspace, sample)
    _writable(ws)
    revoke_template(library, template_id, by, dt.date.today())
    click.echo(f"Revoked {template_id}")


@group.command("diff", cls=Command, example="followup templates diff my-urgency-email-en")
@click.argument("template_id")
@options.workspace_options
def diff(template_id: str, workspace: Path | None, sample: bool) -> None:
    """Show what changed since the template was approved."""
    from followup.drafting.library import diff as template_diff

    library, _ = _library(workspace, sample)
    text = template_diff(library, template_id)
    click.echo(text or f"{template_id} is unchanged since its approval", nl=not text)
