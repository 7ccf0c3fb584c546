"""Click classes: the group that maps errors once, and commands that carry an example."""

from __future__ import annotations

from typing import Any

import click

from followup.cli import errors


class FollowupGroup(click.Group):
    """Maps library errors to one-line messages and exit codes; lists examples."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except (Exception, KeyboardInterrupt) as error:
            if ctx.meta.get("debug"):
                raise
            click.echo(errors.message(error), err=True)
            ctx.exit(errors.exit_code(error))

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            example = getattr(command, "example", None)
            if example:
                rows.append((example, ""))
        if rows:
            with formatter.section("Examples"):
                formatter.write_dl(rows)
        super().format_epilog(ctx, formatter)


class Command(click.Command):
    """A command with an `example`, shown in its own help and in `followup --help`."""

    def __init__(self, *args: Any, example: str = "", **kwargs: Any) -> None:
        self.example = example
        if example:
            kwargs.setdefault("epilog", f"Example:\n\n  {example}")
        super().__init__(*args, **kwargs)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.example:
            with formatter.section("Example"):
                formatter.write_text(self.example)


class Group(click.Group):
    """A command group with an `example`, like `Command`."""

    def __init__(self, *args: Any, example: str = "", **kwargs: Any) -> None:
        self.example = example
        super().__init__(*args, **kwargs)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.example:
            with formatter.section("Example"):
                formatter.write_text(self.example)
