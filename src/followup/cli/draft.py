"""`followup draft CUSTOMER --campaign C`: one draft, printed (and written with --out)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from followup.campaigns import CAMPAIGNS, CHANNELS, DEFAULT_CHANNEL, campaign_help
from followup.cli import options
from followup.cli.base import Command
from followup.cli.engine_options import EngineOptions, engine_options

if TYPE_CHECKING:
    from followup.drafting.draft import Draft

campaign_option = click.option(
    "--campaign", type=click.Choice(list(CAMPAIGNS)), required=True, help=campaign_help()
)
channel_option = click.option(
    "--channel", type=click.Choice(list(CHANNELS)), default=DEFAULT_CHANNEL, show_default=True
)
lang_option = click.option(
    "--lang",
    "language",
    type=options.LANGUAGE,
    help="Write in this language instead of the customer's (a code or a name: de, German).",
)
strict_option = click.option("--strict", is_flag=True, help="Treat any check finding as a failure.")


@click.command(
    "draft",
    cls=Command,
    example="followup draft C1042 --campaign reactivation --sample",
    short_help="Draft one follow-up for one customer and print it.",
)
@click.argument("customer_id")
@campaign_option
@channel_option
@lang_option
@engine_options()
@strict_option
@click.option(
    "--out", type=click.Path(path_type=Path, file_okay=False), help="Also write it to this outbox."
)
@click.option(
    "--no-gloss", is_flag=True, help="Do not print the Chinese view (中文对照) under the draft."
)
@options.as_of_option
@options.data_options
def command(
    customer_id: str,
    campaign: str,
    channel: str,
    language: str | None,
    engine: EngineOptions,
    strict: bool,
    out: Path | None,
    no_gloss: bool,
    as_of: str | None,
    data: options.DataOptions,
) -> None:
    """Draft one follow-up for one customer and print it (subject, body, findings), and
    under it the rep's Chinese view (中文对照: the same template slot in Chinese, the same
    facts; never in the buyer's file)."""
    from followup import api
    from followup.errors import DraftError

    bench = options.workbench(data, as_of)
    drafter = engine.build(bench)
    draft = api.draft(
        bench, customer_id, campaign, channel=channel, language=language, engine=drafter
    )
    print_draft(draft)
    if not no_gloss and draft.summary_zh and not draft.language.startswith("zh"):
        click.echo(f"\n{GLOSS_RULE}\n{draft.summary_zh}", nl=False)
    if strict and draft.findings:
        raise DraftError(f"--strict: {len(draft.findings)} finding(s); nothing written")
    if out is not None:
        from followup.outbox.folder import Outbox

        outbox = Outbox(out, date=bench.as_of)
        path = outbox.write(draft)
        outbox.finish()
        click.echo(f"Wrote {path}", err=True)


#: the line above the Chinese view: it is for the rep, and is never sent
GLOSS_RULE = "----- 中文对照（仅供您核对，不会发给客户）-----"


def print_draft(draft: Draft, status: str | None = None) -> None:
    """The draft as a rep reads it in a terminal, provenance and findings on stderr (what
    went wrong redacted and cut short, as the draft's record keeps it)."""
    from followup.redact import clip

    origin = f"{draft.engine}: {draft.model or draft.template_id or ''}".strip()
    flags = [
        f
        for f, on in (
            ("language fallback to " + draft.language, draft.language_fallback),
            ("UNAPPROVED template", draft.unapproved),
        )
        if on
    ]
    if status:
        flags.append(f"template {status}")
    if draft.fallback_reason:
        flags.append(f"fell back to the template: {clip(draft.fallback_reason)}")
    note = f" ({', '.join(flags)})" if flags else ""
    click.echo(f"# {draft.key} — {origin}{note}", err=True)
    to = f"{draft.recipient_name} <{draft.recipient}>" if draft.recipient else draft.recipient_name
    click.echo(f"To: {to}")
    if draft.subject is not None:
        click.echo(f"Subject: {draft.subject}")
    click.echo()
    click.echo(draft.body, nl=False)
    for finding in draft.findings:
        click.echo(f"! {finding.code}: {clip(finding.message)}", err=True)
    _print_regions(draft)


def _print_regions(draft: Draft) -> None:
    """An LLM draft: which regions the model rewrote, and what it wrote where it was refused."""
    from followup.redact import clip

    if draft.rewritten:
        click.echo(f"# rewritten by the model: {', '.join(draft.rewritten)}", err=True)
    for name, why in draft.kept.items():
        click.echo(f"# {name}: kept the approved wording ({clip(why)})", err=True)
        if name in draft.rejected:
            click.echo(f"#   the model wrote: {clip(draft.rejected[name])}", err=True)
