"""The `followup` command line: thin commands over the library.

Only click is imported here; each command imports the library (and pandas) when it
runs, so `followup --help` stays fast.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import NoReturn

import click

from followup.cli.base import FollowupGroup
from followup.version import __version__


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
    from followup.cli import (
        batch,
        demo,
        draft,
        due,
        history,
        init,
        losses,
        plan,
        prompts,
        push,
        review,
        segment,
        sync,
        templates,
    )  # fmt: skip

    commands = (demo, segment, losses, plan, draft, batch, push, sync, due, history, init)
    for module in commands:
        cli.add_command(module.command)
    cli.add_command(templates.group)
    cli.add_command(prompts.group)
    cli.add_command(review.group)


_register()


def invoke(args: list[str]) -> object:
    """Run the command line; return its exit code (what `sys.exit` was given)."""
    try:
        cli.main(prog_name="followup", args=args)
    except SystemExit as stop:
        return stop.code
    return 0


def main() -> NoReturn:
    """The console script: run the command, then leave without tearing the heap down.

    Freeing a big batch's objects one by one at exit took ~0.4 s for nothing: the OS takes
    the memory back at once. Every file followup writes is closed (atomic writes) or
    flushed line by line (the outbox journal) before a command returns, so only the
    standard streams need flushing.
    """
    _leave(invoke(sys.argv[1:]))


def _leave(code: object) -> NoReturn:
    if isinstance(code, str):  # sys.exit("message") prints it, as Python would
        print(code, file=sys.stderr)
    status = code if isinstance(code, int) else (0 if code is None else 1)
    for stream in (sys.stdout, sys.stderr):
        # a closed pipe (followup ... | head) has nothing left to save
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)
