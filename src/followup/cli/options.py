"""Options shared by commands, and the small helpers that turn them into library inputs."""

from __future__ import annotations

import datetime as dt
import functools
import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from followup.analysis.segments import SCHEMES

if TYPE_CHECKING:
    from followup.data.dataset import Dataset
    from followup.drafting.workbench import Workbench
    from followup.xlsx import Sheet

F = TypeVar("F", bound=Callable[..., Any])

_PATH = click.Path(path_type=Path, dir_okay=False)


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta["debug"] = True
    return value


def _stack(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def apply(function: F) -> F:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


workspace_options = _stack(
    click.option(
        "--workspace",
        "-w",
        type=click.Path(path_type=Path, file_okay=False),
        help="Workspace folder (default: the current folder if it is one).",
    ),
    click.option("--sample", is_flag=True, help="Use the bundled sample workspace."),
    click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        callback=_set_debug,
        help="Show the full traceback of an error.",
    ),
)


@dataclass(frozen=True)
class DataOptions:
    """Where a command's data comes from: the workspace (or the sample) and explicit files."""

    workspace: Path | None = None
    sample: bool = False
    orders: Path | None = None
    customers: Path | None = None
    losses: Path | None = None
    columns: Path | None = None
    rejects: Path | None = None


_DATA_NAMES = tuple(f.name for f in fields(DataOptions))

_DATA_OPTIONS = (
    click.option("--orders", type=_PATH, help="Orders file (CSV or XLSX)."),
    click.option("--customers", type=_PATH, help="Customers file (CSV or XLSX)."),
    click.option("--losses", type=_PATH, help="Losses file (CSV or XLSX)."),
    click.option(
        "--columns", type=_PATH, help="Column map (YAML) for headers followup does not know."
    ),
    click.option(
        "--rejects",
        type=_PATH,
        help="Set unusable rows aside in this CSV (with the reason) and go on.",
    ),
)


def data_options(function: Callable[..., Any]) -> Any:
    """The workspace and data-file options of every command that reads data; the command
    receives them as one `data: DataOptions` argument, and loads through `load`."""

    @functools.wraps(function)
    def command(*args: Any, **kwargs: Any) -> Any:
        given = {name: kwargs.pop(name) for name in _DATA_NAMES if name in kwargs}
        return function(*args, data=DataOptions(**given), **kwargs)

    decorated: Any = workspace_options(command)
    for option in reversed(_DATA_OPTIONS):
        decorated = option(decorated)
    return decorated


#: the mailbox commands' (push, sync): the mail accounts' workspace and a company's own CA
mail_options = _stack(
    click.option(
        "--cafile",
        type=click.Path(path_type=Path, dir_okay=False, exists=True),
        help="Trust the server's TLS certificate signed by this (a company's own CA).",
    ),
    click.option(
        "--workspace",
        type=click.Path(path_type=Path, file_okay=False),
        help="The workspace whose followup.toml names the mail accounts (default: this folder).",
    ),
)

as_of_option = click.option(
    "--as-of", "as_of", metavar="DATE", help="Count orders up to this date (default: today)."
)

scheme_option = click.option(
    "--scheme",
    type=click.Choice(SCHEMES),
    default="classic",
    show_default=True,
    help="classic: 11 marketing segments; cn8: the 8 classes of Chinese CRM practice.",
)

#: output formats, and the --output extension each is inferred from
FORMATS = ("table", "csv", "json", "xlsx")
EXTENSIONS = {".txt": "table", ".csv": "csv", ".json": "json", ".xlsx": "xlsx"}

format_options = _stack(
    click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=None,
        help="Output format (default: from the --output extension: .txt table, .csv, .json, "
        ".xlsx; else table). CSV files open in Excel as they are (UTF-8 with a BOM).",
    ),
    click.option(
        "--output",
        "-o",
        type=_PATH,
        help="Write to this file instead of the terminal (xlsx needs one).",
    ),
)


class SettingNumber(click.ParamType):  # type: ignore[type-arg]
    """A number option that overrides a setting (`section.key` of followup.toml): finite
    and in the setting's own range (`followup.settings.limits`), so `--timeout nan` is a
    usage error, not a crash later. The settings module loads only when it is used."""

    def __init__(self, setting: str, kind: type[int] | type[float], metavar: str) -> None:
        self.section, self.key = setting.split(".")
        self.kind, self.metavar = kind, metavar
        self.name = metavar.lower()

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return self.metavar

    def _table(self) -> type:
        from followup.settings import section_table

        return section_table(self.section)

    @property
    def allowed(self) -> str:
        """The range, for the option's help: `> 0 and ≤ 3600`."""
        from followup.settings import describe_range, limits

        bounds = limits(self._table(), self.key)
        return describe_range(bounds) if bounds is not None else ""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from followup.settings import number_problem

        if isinstance(value, self.kind) and not isinstance(value, bool):
            number: int | float = value
        else:
            try:
                number = self.kind(str(value).strip())
            except ValueError:
                what = "whole number" if self.kind is int else "number"
                self.fail(f"{value!r} is not a {what}", param, ctx)
        problem = number_problem(self._table(), self.key, number)
        if problem:
            self.fail(problem, param, ctx)
        return number


class SettingOption(click.Option):
    """An option of type `SettingNumber`: its help shows the allowed range."""

    def get_help_extra(self, ctx: click.Context) -> Any:
        extra = super().get_help_extra(ctx)
        if isinstance(self.type, SettingNumber):
            extra["range"] = self.type.allowed
        return extra


class FiniteFloat(click.ParamType):  # type: ignore[type-arg]
    """A number option that must be finite: `nan` and `inf` are usage errors, not a plan
    of `nan USD` later."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import math

        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{number!r} is not allowed: use a finite number", param, ctx)
        return number


FINITE = FiniteFloat()


class LanguageTag(click.ParamType):  # type: ignore[type-arg]
    """A language as a BCP-47 code or a name (`de`, `pt_BR`, `German`, `西班牙语`), as the
    tag it means; one that names no language is a usage error, never English silently."""

    name = "language"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from followup.languages import language_tag

        tag = language_tag(str(value))
        if tag is None:
            self.fail(f"{value!r} is no language: use a code such as de, pt-BR, zh-TW", param, ctx)
        return tag


LANGUAGE = LanguageTag()


def parse_as_of(text: str | None) -> dt.date:
    from followup.api import day

    return day(text)


def output_format(fmt: str | None, output: Path | None) -> str:
    """The format to write: --format, else the --output file's extension, else a table.
    A file whose extension says another format, or none followup knows, is a usage error
    (a text table in a file named .xlsx would not open)."""
    from followup.errors import UsageError

    if output is None:
        if fmt == "xlsx":
            raise UsageError("--format xlsx needs --output FILE.xlsx: a workbook cannot be printed")
        return fmt or "table"
    suffix = output.suffix.lower()
    named = EXTENSIONS.get(suffix)
    if fmt is None:
        if named is None:
            what = f"unknown extension {output.suffix}" if suffix else "no extension"
            raise UsageError(
                f"--output {output}: {what}: use .csv, .json, .xlsx or .txt (a table), "
                "or pass --format"
            )
        return named
    if (named is not None and named != fmt and suffix != ".txt") or (
        fmt == "xlsx" and named != "xlsx"
    ):
        wanted = next(ext for ext, kind in EXTENSIONS.items() if kind == fmt)
        raise UsageError(
            f"--format {fmt} does not fit --output {output}: name the file {wanted}, "
            "or drop --format"
        )
    return fmt


def parse_days(text: str, option: str) -> int:
    """`30d` or `30` -> 30, for options that take a number of days."""
    from followup.errors import UsageError

    number = text.strip().lower().removesuffix("d")
    if not number.isdigit():
        raise UsageError(f"{option}: {text!r} is not a number of days (e.g. 30d)")
    return int(number)


def load(data: DataOptions, *, need_losses: bool = False, meanwhile: bool = False) -> Dataset:
    """The one way a command loads its data: notes printed, bad rows fatal (exit 2) unless
    `--rejects FILE` sets them aside, and then the rejects file written: before this
    returns, or with `meanwhile` on a thread while the command goes on (only for commands
    that start no processes: a fork while a thread writes can deadlock the child)."""
    from followup import api

    dataset = api.load(
        data.workspace,
        sample=data.sample,
        orders=data.orders,
        customers=data.customers,
        losses=data.losses,
        columns=data.columns,
        keep_bad_rows=data.rejects is not None,
        need_losses=need_losses,
    )
    for note in dataset.notes:
        click.echo(f"Note: {note}", err=True)
    if data.rejects is not None:
        _write_rejects(data.rejects, dataset.rejects, meanwhile=meanwhile)
    return dataset


def _write_rejects(path: Path, rejects: Sequence[Any], *, meanwhile: bool) -> None:
    """Write the rejects file and say where the set-aside rows went. `meanwhile`: on a
    thread while the command computes, waited for by `settle` before the command writes
    its own output (so a rejects file that cannot be written still means nothing was
    written, exit 2). For a quarter of 1M lines set aside that is 60 MB of CSV written
    while segmenting runs (pyarrow and file writes release the GIL)."""
    import threading

    from followup.files import make_folder, write_rejects

    make_folder(path)  # a path that cannot be a file fails here, before any work
    failure: list[BaseException] = []

    def write() -> None:
        try:
            write_rejects(path, rejects)
        except BaseException as error:  # raised again by finish, on the command's thread
            failure.append(error)

    def finish() -> None:
        worker.join()
        if failure:
            raise failure[0]
        count = len(rejects)
        rows = f"{count} row{'s' if count != 1 else ''}"
        click.echo(f"{rows} set aside: see {path}", err=True)

    worker = threading.Thread(target=write, name="followup-rejects")
    worker.start()
    ctx = click.get_current_context(silent=True)
    if ctx is None or not meanwhile:
        finish()
        return
    ctx.meta[_PENDING] = finish
    ctx.call_on_close(settle)


_PENDING = "followup.pending-write"


def settle() -> None:
    """Wait for a file `load` is still writing (the rejects file); its error is raised
    here. Every way a command writes its output calls this first."""
    ctx = click.get_current_context(silent=True)
    finish = ctx.meta.pop(_PENDING, None) if ctx is not None else None
    if finish is not None:
        finish()


def emit(text: str, output: Path | None, kind: str = "table") -> None:
    """Print to the terminal, or write the file atomically and say so. A CSV file is for
    people (Excel): it goes through `files.for_excel`; CSV on the terminal or a pipe does not."""
    from followup.files import atomic_write, for_excel

    settle()
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        atomic_write(output, for_excel(text) if kind == "csv" else text)
        click.echo(f"Wrote {output}", err=True)


def emit_workbook(sheets: Sequence[Sheet], output: Path | None, *, stamp: dt.date) -> None:
    """Write the sheets as an XLSX workbook (`followup.xlsx`) and say so."""
    from followup.xlsx import write_workbook

    assert output is not None  # output_format() refuses xlsx without a file
    settle()
    write_workbook(output, sheets, stamp=stamp)
    click.echo(f"Wrote {output}", err=True)


def workbench(data: DataOptions, as_of: str | None) -> Workbench:
    """Load the data (as `load` does) and prepare drafting: facts, templates, profiles."""
    from followup import api

    day = parse_as_of(as_of)
    with _collector_paused():
        return api.workbench(load(data), day)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off meanwhile, and what was built kept out of it.

    Loading 10,000 customers allocates millions of objects and next to no cycles (~1,000
    objects freed): the collector's passes over the growing heap cost ~0.14 s of a 1 s
    pre-flight. Reference counting still frees everything else. What exists at the end
    (the workbench, which lives as long as the command) is frozen (`gc.freeze`), so the
    collector does not walk it all again afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
