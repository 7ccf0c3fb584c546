"""`followup init DIR`: create a workspace (empty, or a copy of the sample)."""

from __future__ import annotations

from pathlib import Path

import click

from followup.cli.base import Command


@click.command(
    "init",
    cls=Command,
    example="followup init my-team --sample",
    short_help="Create a workspace to start from (or a copy of the sample).",
)
@click.argument("target", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--sample", is_flag=True, help="Fill it with the bundled sample data to try and edit."
)
def command(target: Path, sample: bool) -> None:
    """Create a workspace: followup.toml, company.yaml, data/, templates/, prompts/, outbox/.

    Without --sample, data/ holds no tables, only a README naming the files to put
    there (customers, orders and losses, as .xlsx or .csv), and company.yaml has every
    key, explained; fill it in, then run commands inside the folder.
    """
    from followup.scaffold import init_workspace

    written = init_workspace(target, sample=sample)
    click.echo(f"Created {target}/ ({len(written)} files). Next:")
    if not sample:
        click.echo(
            f"  put your exports in {target}/data/ as orders.xlsx, customers.xlsx and "
            "losses.xlsx (or .csv; see data/README.md), and fill in company.yaml"
        )
    click.echo(f"  cd {target} && followup segment --summary")
