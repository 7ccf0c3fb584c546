"""`followup review ...`: a manager's decisions on an outbox (review.xlsx), and what obeys them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from followup.cli import options
from followup.cli.base import Command, Group

if TYPE_CHECKING:
    from followup.outbox.review import Applied


@click.group(
    "review",
    cls=Group,
    example="followup review apply outbox/review.xlsx",
    short_help="Apply a manager's send/hold/edit decisions (review.xlsx).",
)
def group() -> None:
    """A manager's review of an outbox: every batch writes OUTBOX/review.xlsx, one row per
    draft with a decision drop-down (send 发送 / hold 暂缓 / edit 修改) and a comment.
    `review apply` records the decisions; a draft changed after review needs review
    again; `review export --only-approved` lists only the drafts decided `send`.
    """


def _outbox(path: Path) -> Path:
    from followup.errors import UsageError

    if not path.is_dir():
        raise UsageError(f"outbox {path} is not a folder: pass the folder a batch wrote (--out)")
    return path


@group.command("sheet", cls=Command, example="followup review sheet outbox")
@click.argument("outbox", type=click.Path(path_type=Path, file_okay=False))
@options.as_of_option
def sheet_command(outbox: Path, as_of: str | None) -> None:
    """Rewrite OUTBOX/review.xlsx from the outbox's index, with the decisions applied
    (a batch does it after every run). A review.xlsx edited and not applied is copied to
    OUTBOX/replaced/ first."""
    from followup.outbox.review import write_sheet

    written, kept, listed = write_sheet(_outbox(outbox), stamp=options.parse_as_of(as_of))
    click.echo(f"Wrote {written}: {listed} draft{'s' if listed != 1 else ''}")
    if kept is not None:
        click.echo(f"The review.xlsx there was edited and not applied: a copy is {kept}")


@group.command("apply", cls=Command, example="followup review apply outbox/review.xlsx")
@click.argument("sheet", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--outbox",
    type=click.Path(path_type=Path, file_okay=False),
    help="The outbox the sheet lists (default: the sheet's folder).",
)
@click.option(
    "--workspace",
    type=click.Path(path_type=Path, file_okay=False),
    help="Whose contact history records the decisions (default: the current folder if it "
    "is a workspace, else the nearest folder above the outbox with a history.sqlite).",
)
def apply_command(sheet: Path, outbox: Path | None, workspace: Path | None) -> None:
    """Record the decisions of a review sheet: every row is checked first (an unknown
    decision, a key not in the outbox: exit 2, nothing recorded). A draft whose file
    changed since the sheet was written is not applied: it needs review again. An empty
    decision records nothing (an earlier decision stays: decide `hold` to withdraw one).
    """
    from followup.outbox.review import apply

    root = _outbox(outbox if outbox is not None else sheet.parent)
    history = _history_root(workspace, root)
    done = apply(sheet, root, display=str(sheet), history=history)
    click.echo(applied_text(done, sheet, root))


def _history_root(workspace: Path | None, outbox: Path) -> Path | None:
    from followup.history.store import HISTORY_FILE
    from followup.workspace import resolve

    found = resolve(workspace, sample=False).root
    if found is not None:
        return found
    for folder in [outbox.resolve(), *outbox.resolve().parents][:4]:
        if (folder / HISTORY_FILE).is_file():
            return folder
    return None


def applied_text(done: Applied, sheet: Path, outbox: Path) -> str:
    counts = ", ".join(f"{name} {n}" for name, n in sorted(done.by_decision.items()))
    lines = [
        f"Applied {sheet} to {outbox}/: {len(done.recorded)} decision"
        f"{'s' if len(done.recorded) != 1 else ''} recorded{f' ({counts})' if counts else ''}"
        + (f", {done.again} recorded before (kept)" if done.again else "")
        + f", {done.undecided} rows without a decision."
    ]
    for problem, listed in (
        ("changed since the sheet was written (not applied: review again)", done.changed),
        ("no longer in the outbox (not applied)", done.gone),
    ):
        if listed:
            shown = ", ".join(f"row {row} {key}" for row, key in listed[:10])
            lines.append(f"{len(listed)} {problem}: {shown}" + (" …" if len(listed) > 10 else ""))
    if done.changed:
        lines.append(f"  `followup review sheet {outbox}` writes a sheet with their new text.")
    if done.history is not None:
        lines.append(f"Contact history: {done.history} drafts marked reviewed.")
    lines.append(
        f"Send only the approved: `followup review export {outbox} --only-approved "
        "--output send.csv`"
    )
    return "\n".join(lines)


@group.command(
    "export", cls=Command, example="followup review export outbox --only-approved -o send.csv"
)
@click.argument("outbox", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--only-approved",
    is_flag=True,
    help="Only the drafts decided `send` whose file is unchanged since the decision.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    default=Path("-"),
    help="CSV file for mail merge (UTF-8 with a BOM, for Excel); default: the terminal.",
)
def export_command(outbox: Path, only_approved: bool, output: Path) -> None:
    """The outbox's drafts as drafts.csv lists them, with each draft's decision as it
    stands (a draft changed since its review: review_state `changed`, no decision)."""
    from followup.files import write_csv_file
    from followup.outbox.review import approved, csv_bytes, records

    root = _outbox(outbox)
    chosen = approved(root) if only_approved else records(root)
    data = csv_bytes(chosen)
    what = f"{len(chosen)} draft{'s' if len(chosen) != 1 else ''}"
    if str(output) == "-":
        click.echo(data.decode("utf-8").removeprefix("\ufeff"), nl=False)
        click.echo(f"{what}{' approved to send' if only_approved else ''}", err=True)
        return
    write_csv_file(output, data)
    click.echo(f"Wrote {output}: {what}{' approved to send' if only_approved else ''}")
