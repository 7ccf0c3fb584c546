"""The `followup` command line: thin commands over the library.

Only click is imported here; each command imports the library (and pandas) when it
runs, so `followup --help` stays fast.
"""

from __future__ import annotations

import sys

import click

from followup import __version__
from followup.cli.base import FollowupGroup


@click.group(cls=FollowupGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="followup")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Draft the follow-ups that win export orders.

    Segment customers by RFM, see why deals were lost, and draft year-end
    urgency, reactivation and thank-you messages from approved templates.
    """
    ctx.meta["debug"] = debug


def _register() -> None:
    from followup.cli import batch, demo, draft, init, losses, plan, prompts, segment, templates

    for module in (demo, segment, losses, plan, draft, batch, init):
        cli.add_command(module.command)
    cli.add_command(templates.group)
    cli.add_command(prompts.group)


_register()


def main() -> None:
    cli.main(prog_name="followup", args=sys.argv[1:])
