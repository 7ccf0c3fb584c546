"""Writing files safely: atomically (never half a file) and spreadsheet-safe CSV."""

from __future__ import annotations

import contextlib
import csv
import errno
import functools
import io
import itertools
import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, overload

from followup.errors import WriteError

#: what `atomic_write` writes: bytes, or pieces written one after the other
Payload = bytes | Sequence[bytes | memoryview]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")


def atomic_write(path: str | Path, data: str | Payload, *, durable: bool = False) -> os.stat_result:
    """Write `data` to `path` so that readers see the old file or the whole new one.
    `data` may come in pieces (buffers written one after the other: a big file's parts
    need not be joined into one copy first).

    Where the system can (Linux), the data goes into an unnamed file in the folder
    (`O_TMPFILE`) that is then linked in under its name: one directory entry made, and
    a process killed before the link leaves nothing at all. A file that exists already,
    or a system without unnamed files, goes the classic way: a temp file
    (`.<name>.<pid>.<n>.tmp`, created exclusively) renamed over the target. Either way a
    process killed at any moment leaves the old file or the whole new one, never half of
    one, and the mode is 0666 less the umask. `durable=True` also fsyncs, for power
    loss; per-draft files skip it (milliseconds a file), as the indexes are rebuilt from
    them on every run. Plain `os` calls: a batch writes 10,000 files through here.

    Returns the written file's `stat` (its size and mtime tell a later edit from these
    bytes); a failure is a `WriteError` naming the path and the cause.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder, name = os.path.split(path)
    try:
        fd = _unnamed_file(folder)
        written = None if fd is None else _write_linked(fd, folder, name, payload, durable=durable)
        return written or _write_renamed(folder, name, payload, durable=durable)
    except OSError as exc:
        raise WriteError(os.fspath(path), exc.strerror or str(exc)) from None


def make_folder(path: str | Path) -> None:
    """Make the folder that `path` will be written into, or fail now with the
    `WriteError` that writing it would give (a file in the way, no permission)."""
    try:
        Path(os.path.dirname(path) or ".").mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file where a folder of the path should be
        raise WriteError(os.fspath(path), os.strerror(errno.ENOTDIR)) from None
    except OSError as exc:
        raise WriteError(os.fspath(path), exc.strerror or str(exc)) from None


_O_TMPFILE = getattr(os, "O_TMPFILE", 0)  # Linux only
_NO_TMPFILE = {errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOSYS}


def _unnamed_file(folder: str) -> int | None:
    """An unnamed file open for writing in `folder`, or None where the system has none."""
    if not _O_TMPFILE or not _proc_fd_links():
        return None
    try:
        return _open(folder or ".", _O_TMPFILE | os.O_WRONLY, folder)
    except OSError as exc:
        if exc.errno in _NO_TMPFILE:  # this file system has no unnamed files
            return None
        raise


@functools.cache
def _proc_fd_links() -> bool:
    """Whether /proc/self/fd is there: linking an unnamed file in goes through it."""
    return os.path.isdir("/proc/self/fd")


def _write_linked(
    fd: int, folder: str, name: str, payload: Payload, *, durable: bool
) -> os.stat_result | None:
    """Fill the unnamed file `fd`, then give it its name (over an existing file: by rename).

    None when the system would not link it in (then the temp file route writes it).
    """
    try:
        _write_all(fd, payload)
        if durable:
            os.fsync(fd)
        written = os.fstat(fd)
        source = f"/proc/self/fd/{fd}"
        try:
            _link(fd, source, os.path.join(folder, name))
        except FileExistsError:  # replacing a file: a temp name first, then rename over it
            temp = _temp_name(folder, name)
            _link(fd, source, temp)
            _rename(temp, os.path.join(folder, name))
        except OSError:
            return None
        return written
    finally:
        os.close(fd)


def _link(fd: int, source: str, target: str) -> None:
    # linkat(AT_SYMLINK_FOLLOW) links the file behind /proc/self/fd/N. CPython calls it
    # only when given a dir fd (else plain link(), which would link the symlink itself);
    # the source is absolute, so the kernel ignores which one.
    os.link(source, target, src_dir_fd=fd, follow_symlinks=True)


def _write_renamed(folder: str, name: str, payload: Payload, *, durable: bool) -> os.stat_result:
    """Write a temp file next to the target, then rename it over the target."""
    temp = _temp_name(folder, name)
    fd = _open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, folder)
    try:
        try:
            _write_all(fd, payload)
            if durable:
                os.fsync(fd)
            written = os.fstat(fd)
        finally:
            os.close(fd)
    except BaseException:
        _remove(temp)
        raise
    _rename(temp, os.path.join(folder, name))
    return written


def _open(path: str, flags: int, folder: str) -> int:
    """`os.open` with mode 0666 (less the umask), making `folder` first if it is missing."""
    try:
        return os.open(path, flags, 0o666)
    except FileNotFoundError:
        Path(folder or ".").mkdir(parents=True, exist_ok=True)
        return os.open(path, flags, 0o666)


def _temp_name(folder: str, name: str) -> str:
    return os.path.join(folder, f".{name}.{os.getpid()}.{next(_COUNTER)}.tmp")


def _rename(temp: str, target: str) -> None:
    try:
        os.replace(temp, target)
    except BaseException:
        _remove(temp)
        raise


def _remove(temp: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp)


def _write_all(fd: int, payload: Payload) -> None:
    for piece in [payload] if isinstance(payload, bytes) else payload:
        view = memoryview(piece)
        while view:
            view = view[os.write(fd, view) :]


_COUNTER = itertools.count()


def spreadsheet_safe(value: Any) -> Any:
    """Keep a cell from being run as a formula when the CSV is opened in a spreadsheet."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def csv_row(values: Sequence[Any], *, safe: bool = True) -> str:
    """One CSV line, as `csv_text` writes each row (spreadsheet-safe unless `safe=False`).

    Text and integer cells are quoted here with str scans (csv's writer reads every
    character: 30 µs for a row with a long draft body); any other row goes to csv.
    """
    cells = [spreadsheet_safe(v) for v in values] if safe else list(values)
    out = []
    for cell in cells:
        if isinstance(cell, str):
            if "\r" in cell:  # csv's rules for a lone CR differ between Python versions
                return _csv_row_slow(cells)
            quote = "," in cell or '"' in cell or "\n" in cell
            out.append('"' + cell.replace('"', '""') + '"' if quote else cell)
        elif type(cell) is int:
            out.append(str(cell))
        elif cell is None:
            out.append("")
        else:
            return _csv_row_slow(cells)
    if out == [""]:  # a row of one empty cell is written as ""
        return _csv_row_slow(cells)
    return ",".join(out) + "\n"


def _csv_row_slow(cells: Sequence[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


#: what starts every CSV file meant for people: Excel (on Chinese Windows above all) reads a
#: CSV without it in the ANSI code page (GBK there) and garbles UTF-8 Chinese labels
EXCEL_BOM = "\ufeff"


@overload
def for_excel(text: str) -> str: ...
@overload
def for_excel(text: bytes) -> bytes: ...
def for_excel(text: str | bytes) -> str | bytes:
    """A CSV file's text as people open it: UTF-8 with a BOM (`EXCEL_BOM`), so Excel reads
    its Chinese (or any non-ASCII) text right. The one rule every people-facing CSV file
    goes through (`segment`, `losses`, `plan`, the rejects file, the outbox's drafts.csv);
    CSV written to a pipe goes without, as programs reading it expect."""
    if isinstance(text, bytes):  # UTF-8 already
        bom = EXCEL_BOM.encode("utf-8")
        return text if text.startswith(bom) else bom + text
    return text if text.startswith(EXCEL_BOM) else EXCEL_BOM + text


def write_csv_file(path: str | Path, text: str | bytes) -> None:
    """Write CSV text to a file people open (`for_excel`), atomically."""
    atomic_write(path, for_excel(text))


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(v) for v in row] for row in rows)
    return buffer.getvalue()


def frame_csv(frame: Any) -> str:
    """An Arrow table or pandas DataFrame as spreadsheet-safe CSV (100k rows in ~50 ms)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = (
        frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    )
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.date32()))
        elif pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            table = table.set_column(i, field.name, _defuse(table.column(i)))
    sink = io.BytesIO()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(quoting_style="needed"))
    return sink.getvalue().decode("utf-8")


def _defuse(column: Any) -> Any:
    """Prefix `'` to text a spreadsheet would run as a formula (numbers stay as they are)."""
    import pyarrow.compute as pc

    risky = pc.and_(
        pc.match_substring_regex(column, r"^[=+\-@\t\r]"),
        pc.invert(pc.match_substring_regex(column, _NUMBER.pattern)),
    )
    if not pc.any(risky).as_py():
        return column
    return pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)


def json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def write_rejects(path: Path, rejects: Sequence[Any]) -> None:
    """One line per row set aside: where, which value, why, and the row as read (a file
    people open in Excel: with a BOM, `for_excel`).

    `followup.data.rejects.Rejects` formats itself column-wise (`csv_pieces()`: the same bytes,
    250,000 rows in a fraction of a second); any other sequence of rejects row by row.
    """
    column_wise = getattr(rejects, "csv_pieces", None)
    if column_wise is not None:  # the BOM, then its pieces as they are: no 60 MB copies
        atomic_write(path, [EXCEL_BOM.encode("utf-8"), *column_wise()])
        return
    rows = (
        (
            r.file,
            r.row,
            r.column or "",
            "" if r.value is None else r.value,
            r.problem,
            json.dumps(r.record, ensure_ascii=False),
        )
        for r in rejects
    )
    header = ("file", "row", "column", "value", "problem", "record")
    write_csv_file(path, csv_text(header, rows))


def load_yaml(text: str) -> Any:
    """Parse YAML safely, with libyaml's C loader when PyYAML has it (10x faster)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)
