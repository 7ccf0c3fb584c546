"""`followup prompts show CAMPAIGN --customer C`: the exact messages an LLM draft would send."""

from __future__ import annotations

import click

from followup.campaigns import CAMPAIGNS
from followup.cli import options
from followup.cli.base import Command, Group
from followup.cli.draft import channel_option
from followup.cli.engine_options import length_option, tone_option


@click.group(
    "prompts",
    cls=Group,
    example="followup prompts show reactivation --customer C1014 --sample",
    short_help="Show the LLM prompts a draft would send.",
)
def group() -> None:
    """The LLM prompts (prompts/<campaign>.j2; a workspace's prompts/ overrides them)."""


@group.command(
    "show", cls=Command, example="followup prompts show thanks --customer C1001 --sample"
)
@click.argument("campaign", type=click.Choice(list(CAMPAIGNS)))
@click.option("--customer", "customer_id", required=True, help="Customer id to render for.")
@channel_option
@click.option(
    "--lang",
    "language",
    type=options.LANGUAGE,
    help="Write in this language instead of the customer's.",
)
@tone_option
@length_option
@options.as_of_option
@options.data_options
def show(
    campaign: str,
    customer_id: str,
    channel: str,
    language: str | None,
    tone: str,
    length: str,
    as_of: str | None,
    data: options.DataOptions,
) -> None:
    """Print the system and user messages of each conversation, exactly as they would be
    sent (what the model writes anew is asked apart from what it edits)."""
    from followup.drafting.engine import TemplateEngine
    from followup.drafting.workbench import request
    from followup.llm.prompts import build_asks, load_prompt

    bench = options.workbench(data, as_of)
    req = request(bench, customer_id, campaign, channel, language)
    templates = TemplateEngine(bench)
    prompt, base = load_prompt(campaign, bench.root), templates.baseline(req)
    asks = build_asks(prompt, base, tone=tone, length=length)
    header = prompt.header
    click.echo(
        f"# prompt {header.id} ({prompt.path.name}, sha256 {prompt.sha256[:12]}), "
        f"temperature {header.temperature:g}, max_tokens {header.max_tokens}",
        err=True,
    )
    for number, (regions, messages) in enumerate(asks, start=1):
        click.echo(f"=== request {number} of {len(asks)}: {', '.join(regions)} ===\n")
        for role, content in (("system", messages.system), ("user", messages.user)):
            click.echo(f"--- {role} ---\n{content}\n")
