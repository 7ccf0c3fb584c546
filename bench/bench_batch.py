"""Benchmark driver: `followup batch` end to end on 10,000 customers, and its determinism.

Run with the project's Python (the one that has `followup` installed)::

    python bench/bench_batch.py [--followup-python PATH] [--workspace DIR] [--repeat 3]
                                [--campaign reactivation] [--allow-unapproved auto]

It generates ``bench/data/ws10k`` (``bench/gen_workspace.py``) if missing, then runs, as a
subprocess, ``followup batch --campaign C --segment <each of the 11 classic segments>
--workspace W --as-of 2026-11-22 --out <fresh folder>``: one warm-up and ``--repeat``
timed runs, each into a new outbox (wall time and peak RSS), with compiled templates in
the benchmark's own cache folder (``FOLLOWUP_CACHE_DIR``), then one run with an empty
cache folder (a machine's first run). Around that:

* the pre-flight (``--dry-run``), also timed: how many customers are targeted, how many can
  be drafted and why the others cannot. ``--allow-unapproved auto`` (default) adds
  ``--allow-unapproved`` when the approved library alone cannot draft everyone and the
  unapproved templates draft more;
* checks of every timed run's outbox: one ``.eml`` per planned draft, as many
  ``drafts.jsonl`` lines, as many ``drafts.csv`` rows plus the header;
* determinism: every timed run's outbox is compared file by file, byte for byte
  (``.records/`` included), with the first one. The Date header (noon UTC of the as-of
  day) and the Message-ID (from the draft's key and fingerprint) are derived from the
  inputs, so they are compared too, not excluded. The runs are separate processes with
  hash randomisation on (PYTHONHASHSEED is removed from their environment);
* one rerun into the first outbox, timed: every draft unchanged, so all skipped; its
  outbox must still equal the others byte for byte.

The template library (the shipped one and the workspace's ``templates/``) is hashed
before and after; a change during the run is reported, as it invalidates the comparison.

It prints markdown (tables, targets, machine info) for ``bench/RESULTS.md``. Exit status:
0 all targets met, 1 a target or check missed, 2 `followup` could not run, 3 no target
missed but not every targeted customer could be drafted (the time target is not
measured then). Stdlib only; reuses the measuring helpers of ``bench_segment.py``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench_segment import (
    GNU_TIME,
    Run,
    Series,
    capture,
    check_followup,
    cpu_model,
    fail_reason,
    fmt_s,
    followup_command,
    log,
    pick_rss_method,
    ram_gib,
    run_measured,
    verdict,
)

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DEFAULT_WORKSPACE = BENCH_DIR / "data" / "ws10k"
GEN_SCRIPT = BENCH_DIR / "gen_workspace.py"
AS_OF = "2026-11-22"
CLASSIC_SEGMENTS = (
    "champions",
    "loyal",
    "potential_loyalist",
    "new_customers",
    "promising",
    "need_attention",
    "about_to_sleep",
    "at_risk",
    "cannot_lose_them",
    "hibernating",
    "lost",
)
TARGET_BATCH_WALL_S = 3.0
MAX_DIFFS_SHOWN = 5

PREFLIGHT_RE = re.compile(
    r"Pre-flight — (?P<campaign>\S+): (?P<targeted>\d+) customers targeted, "
    r"(?P<draftable>\d+) can be drafted, (?P<blocked>\d+) cannot\."
)
DONE_RE = re.compile(
    r"Done: (?P<drafted>\d+) drafted, (?P<unchanged>\d+) unchanged \(skipped\), "
    r"(?P<failed>\d+) failed, (?P<blocked>\d+) could not be drafted\."
)
BLOCKED_ROW_RE = re.compile(r"^(\S+)\s{2,}(\S.*)$")


# --------------------------------------------------------------------------- parsing output


@dataclass
class Preflight:
    """What `followup batch` printed before drafting."""

    targeted: int
    draftable: int
    blocked: int
    by_language: str = ""
    reasons: Counter[str] = field(default_factory=Counter)  # why not draftable -> customers


def parse_preflight(stdout: str) -> Preflight | None:
    match = PREFLIGHT_RE.search(stdout)
    if match is None:
        return None
    pre = Preflight(int(match["targeted"]), int(match["draftable"]), int(match["blocked"]))
    lines = stdout.splitlines()
    for line in lines:
        if line.strip().startswith("by language:"):
            pre.by_language = line.split(":", 1)[1].strip()
    if "Cannot be drafted:" in lines:
        rows = lines[lines.index("Cannot be drafted:") + 3 :]  # after the heading and rule
        for line in rows:
            row = BLOCKED_ROW_RE.match(line)
            if row is None or line.startswith(("Done:", "Targeted because:")):
                break
            pre.reasons[row[2]] += 1
    return pre


def parse_done(stdout: str) -> dict[str, int] | None:
    match = DONE_RE.search(stdout)
    return None if match is None else {k: int(v) for k, v in match.groupdict().items()}


# --------------------------------------------------------------------------- outbox checks


@dataclass(frozen=True)
class OutboxCounts:
    eml: int
    jsonl_lines: int | None
    csv_rows: int | None  # header included

    def matches(self, drafts: int) -> bool:
        return (self.eml, self.jsonl_lines, self.csv_rows) == (drafts, drafts, drafts + 1)

    def describe(self) -> str:
        return (
            f"{self.eml:,} .eml, {fmt_n(self.jsonl_lines)} drafts.jsonl lines, "
            f"{fmt_n(self.csv_rows)} drafts.csv rows"
        )


def fmt_n(n: int | None) -> str:
    return "missing" if n is None else f"{n:,}"


def count_outbox(root: Path) -> OutboxCounts:
    eml = sum(1 for p in root.glob("*.eml") if p.is_file()) if root.is_dir() else 0
    jsonl, csv_path = root / "drafts.jsonl", root / "drafts.csv"
    jsonl_lines = None
    if jsonl.is_file():
        with jsonl.open("rb") as fh:
            jsonl_lines = sum(1 for line in fh if line.strip())
    csv_rows = None
    if csv_path.is_file():  # bodies span lines: count records, not lines
        with csv_path.open(encoding="utf-8-sig", newline="") as fh:
            csv_rows = sum(1 for _ in csv.reader(fh))
    return OutboxCounts(eml, jsonl_lines, csv_rows)


def tree_files(root: Path) -> dict[str, Path]:
    """Every file under `root` (hidden ones too), by its POSIX path relative to root."""
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def first_difference(a: bytes, b: bytes) -> str:
    """Where two files first differ, as `line N: 'x' vs 'y'` (headers name themselves)."""
    la, lb = a.splitlines(), b.splitlines()
    for i, (x, y) in enumerate(zip(la, lb, strict=False), start=1):
        if x != y:
            return f"line {i}: {x[:80]!r} vs {y[:80]!r}"
    return f"one file is a prefix of the other ({len(la)} vs {len(lb)} lines)"


@dataclass
class Comparison:
    files: int = 0
    only_left: list[str] = field(default_factory=list)
    only_right: list[str] = field(default_factory=list)
    differing: list[tuple[str, str]] = field(default_factory=list)  # (path, where)

    @property
    def identical(self) -> bool:
        return not (self.only_left or self.only_right or self.differing)

    def summary(self) -> str:
        if self.identical:
            return f"{self.files:,} files, all byte-identical"
        return (
            f"{self.files:,} files compared, {len(self.differing):,} differ, "
            f"{len(self.only_left):,} only in the first, "
            f"{len(self.only_right):,} only in the second"
        )


def compare_trees(left: Path, right: Path) -> Comparison:
    a, b = tree_files(left), tree_files(right)
    cmp = Comparison(files=len(a.keys() & b.keys()))
    cmp.only_left = sorted(a.keys() - b.keys())
    cmp.only_right = sorted(b.keys() - a.keys())
    for name in sorted(a.keys() & b.keys()):
        x, y = a[name].read_bytes(), b[name].read_bytes()
        if x != y:
            cmp.differing.append((name, first_difference(x, y)))
    return cmp


# --------------------------------------------------------------------------- commands


def batch_command(
    base: list[str], args: argparse.Namespace, out: Path | None, *, unapproved: bool
) -> list[str]:
    """`followup batch ...` into `out`; `out=None` is the pre-flight only (--dry-run)."""
    cmd = [*base, "batch", "--campaign", args.campaign]
    for segment in CLASSIC_SEGMENTS:
        cmd += ["--segment", segment]
    cmd += ["--workspace", str(args.workspace), "--as-of", AS_OF]
    # every run drafts the same 10,000 buyers into a fresh outbox on purpose: the contact
    # history's cooldown would hold them all back after the first (it still records them)
    cmd.append("--ignore-cooldown")
    if unapproved:
        cmd.append("--allow-unapproved")
    cmd += ["--dry-run"] if out is None else ["--out", str(out)]
    return cmd


def ensure_workspace(workspace: Path, customers: int) -> None:
    """Generate the default workspace if missing (stdlib only: any Python will do)."""
    if (workspace / "data" / "customers.csv").is_file():
        return
    if workspace != DEFAULT_WORKSPACE.resolve():
        raise SystemExit(f"workspace {workspace} has no data/customers.csv")
    log(f"generating {workspace} ...")
    cmd = [sys.executable, str(GEN_SCRIPT), "--out", str(workspace), "--customers", str(customers)]
    subprocess.run(cmd, check=True, stdout=sys.stderr)


def count_rows(path: Path) -> int | None:
    if not path.is_file():
        return None
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return max(0, sum(1 for _ in csv.reader(fh)) - 1)


def library_roots(python: Path, workspace: Path) -> list[Path]:
    """The shipped template library as the followup install sees it, and the workspace's."""
    code = "from followup.drafting.library import shipped_root; print(shipped_root())"
    shipped = capture([str(python), "-c", code])
    roots = [] if shipped == "unknown" else [Path(shipped)]
    return [*roots, workspace / "templates"]


def library_digest(roots: list[Path]) -> tuple[str, int]:
    """sha256 over every file's relative path and bytes, and the number of `.j2` files."""
    digest, templates = hashlib.sha256(), 0
    for root in roots:
        for name, path in tree_files(root).items():
            if "__pycache__" in name:
                continue
            digest.update(f"{root}\0{name}\0".encode())
            digest.update(path.read_bytes())
            templates += name.endswith(".j2")
    return digest.hexdigest()[:16], templates


# --------------------------------------------------------------------------- running


@dataclass
class Results:
    followup_error: str | None = None
    unapproved: bool = False
    preflight: Preflight | None = None
    preflight_approved_only: Preflight | None = None
    dry: Series = field(default_factory=Series)
    batch: Series = field(default_factory=Series)
    rerun: Series = field(default_factory=Series)
    first: Series = field(default_factory=Series)  # empty template cache
    done: list[dict[str, int]] = field(default_factory=list)  # per timed batch run
    rerun_done: dict[str, int] | None = None
    counts: list[OutboxCounts] = field(default_factory=list)  # per timed batch run
    comparisons: list[tuple[str, Comparison]] = field(default_factory=list)
    library_before: tuple[str, int] = ("", 0)
    library_after: tuple[str, int] = ("", 0)
    roots: list[Path] = field(default_factory=list)  # template library folders
    disk: list[float] = field(default_factory=list)  # seconds to create 10,000 files, per probe
    cpu: list[float] = field(default_factory=list)  # seconds of a fixed loop, per probe

    @property
    def drafts(self) -> int:
        return self.preflight.draftable if self.preflight else 0

    @property
    def complete(self) -> bool:
        """Every targeted customer can be drafted (the target is about all of them)."""
        pre = self.preflight
        return pre is not None and pre.blocked == 0 and pre.draftable > 0

    @property
    def deterministic(self) -> bool | None:
        if not self.comparisons:
            return None
        return all(c.identical for _, c in self.comparisons)

    @property
    def outputs_ok(self) -> bool | None:
        if not self.counts:
            return None
        return all(c.matches(self.drafts) for c in self.counts)


def measured(cmd: list[str], rss: str, res: Results, name: str) -> Run | None:
    """One run; None (and the error recorded) if followup failed outright.

    Exit 1 (some drafts failed) still counts as a run: its failures are reported.
    """
    run = run_measured(cmd, rss)
    if run.returncode not in (0, 1) or (run.returncode == 1 and parse_done(run.stdout) is None):
        res.followup_error = fail_reason(name, run)
        return None
    return run


def run_preflight(args: argparse.Namespace, base: list[str], rss: str, res: Results) -> None:
    """Dry runs: decide on --allow-unapproved, then time the pre-flight alone."""
    choices = {"auto": [False, True], "yes": [True], "no": [False]}[args.allow_unapproved]
    for unapproved in choices:
        run = measured(batch_command(base, args, None, unapproved=unapproved), rss, res, "dry run")
        if run is None:
            return
        pre = parse_preflight(run.stdout)
        if pre is None:
            res.followup_error = "the pre-flight line was not found in `followup batch` output"
            return
        if not unapproved:
            res.preflight_approved_only = pre
        better = res.preflight is None or pre.draftable > res.preflight.draftable
        if better:
            res.preflight, res.unapproved = pre, unapproved
        if pre.blocked == 0:
            break
    cmd = batch_command(base, args, None, unapproved=res.unapproved)
    for i in range(args.repeat):
        log(f"pre-flight only (--dry-run), run {i + 1}/{args.repeat}")
        run = measured(cmd, rss, res, "dry run")
        if run is None:
            return
        res.dry.runs.append(run)


@dataclass
class Batches:
    """Runs `followup batch` into outboxes under `tmp`, remembering the library each saw."""

    args: argparse.Namespace
    base: list[str]
    rss: str
    res: Results
    tmp: Path
    library: dict[Path, str] = field(default_factory=dict)  # outbox -> digest at its start

    def into(self, out: Path, name: str) -> Run | None:
        self.library[out] = library_digest(self.res.roots)[0]
        for path in self.args.workspace.glob(f"{HISTORY}*"):  # the run's copy: see run_batches
            path.unlink()
        cmd = batch_command(self.base, self.args, out, unapproved=self.res.unapproved)
        return measured(cmd, self.rss, self.res, name)

    def compare(self, label: str, left: Path, right: Path) -> None:
        log(f"comparing: {label}")
        if self.library[left] != self.library[right]:
            label += "; **the template library changed between these runs**"
        self.res.comparisons.append((label, compare_trees(left, right)))


HISTORY = "history.sqlite"  # the contact history's file (and its -wal, -shm)


def run_batches(args: argparse.Namespace, base: list[str], rss: str, res: Results) -> None:
    """Warm-up and timed runs into fresh outboxes; checks, comparison; one run with an
    empty template cache; then one rerun.

    Every timed outbox is compared with the first. None is deleted before the end: on this
    VM's ext4, creating files shortly after 10,000 deletions costs 0.25-0.45 ms each in the
    kernel (`recently_deleted`), 2.5-4.4 s a batch, so deleting the previous outbox would
    time the benchmark's own clean-up. `--delete-between` restores that (the old
    behaviour) to measure it. The library digest is taken before each run, so a comparison
    of two runs that saw different templates says so.
    """
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        os.environ[CACHE_VARIABLE] = str(Path(tmp) / "cache")  # the warm-up run fills it
        # every run records its 10,000 drafts into the workspace's contact history: runs
        # go into a copy of the workspace whose history each run starts empty, so runs are
        # alike and the workspace given is left as it was
        copy = Path(tmp) / "workspace"
        shutil.copytree(args.workspace, copy, ignore=shutil.ignore_patterns(f"{HISTORY}*"))
        args = argparse.Namespace(**{**vars(args), "workspace": copy})
        batches = Batches(args, base, rss, res, Path(tmp))
        kept = timed_runs(batches)
        if kept is not None:
            after_timed_runs(batches, *kept)


def timed_runs(batches: Batches) -> tuple[Path, Path] | None:
    """The warm-up and timed runs: (the first timed outbox, the last one kept), or None."""
    args, res = batches.args, batches.res
    reference: Path | None = None
    last_kept: Path | None = None
    for i in range(args.warmup + args.repeat):
        timed = i >= args.warmup
        label = f"run {i - args.warmup + 1}/{args.repeat}" if timed else "warm-up"
        out = batches.tmp / f"outbox-{i}"
        log(f"batch, fresh outbox: {label}")
        run = batches.into(out, "batch")
        if run is None:
            return None
        if not timed:
            if args.delete_between:
                shutil.rmtree(out, ignore_errors=True)
            continue
        res.batch.runs.append(run)
        res.done.append(parse_done(run.stdout) or {})
        res.counts.append(count_outbox(out))
        if reference is None:
            reference = out
            continue
        batches.compare(f"timed run {len(res.batch.runs)} vs timed run 1", reference, out)
        if last_kept is not None and args.delete_between:
            shutil.rmtree(last_kept, ignore_errors=True)
        last_kept = out
    if reference is None:
        return None
    if last_kept is None:  # one timed run: make a second, untimed, to compare with
        log("batch, fresh outbox: extra untimed run for the determinism check")
        last_kept = batches.tmp / "outbox-extra"
        if batches.into(last_kept, "batch") is None:
            return None
        batches.compare("extra run vs timed run 1", reference, last_kept)
    return reference, last_kept


def after_timed_runs(batches: Batches, reference: Path, last_kept: Path) -> None:
    """A run with an empty template cache, then a rerun into the first outbox."""
    res = batches.res
    log("batch, fresh outbox, empty template cache (a machine's first run)")
    first = batches.tmp / "outbox-first"
    os.environ[CACHE_VARIABLE] = str(batches.tmp / "cache-empty")
    try:
        run = batches.into(first, "first run")
    finally:
        os.environ[CACHE_VARIABLE] = str(batches.tmp / "cache")
    if run is None:
        return
    res.first.runs.append(run)
    batches.compare("first run (empty template cache) vs timed run 1", reference, first)
    log("rerun into the first outbox (all unchanged)")
    run = batches.into(reference, "rerun")
    if run is None:
        return
    res.rerun.runs.append(run)
    res.rerun_done = parse_done(run.stdout)
    batches.compare("outbox of timed run 1 after the rerun vs a fresh run", reference, last_kept)


def run_all(args: argparse.Namespace, base: list[str], rss: str) -> Results:
    res = Results(followup_error=check_followup(base))
    res.roots = library_roots(args.followup_python, args.workspace)
    res.library_before = library_digest(res.roots)
    if res.followup_error is None:
        run_preflight(args, base, rss, res)
    if res.followup_error is None and res.drafts:
        res.disk.append(disk_probe())
        res.cpu.append(cpu_probe())
        run_batches(args, base, rss, res)
        res.disk.append(disk_probe())
        res.cpu.append(cpu_probe())
    res.library_after = library_digest(res.roots)
    return res


def disk_probe(files: int = 10_000) -> float:
    """Seconds to create `files` small files the way the outbox does (temp file, rename).

    This VM's disk varies 0.2-6 s for 10,000 files (slowest for a minute or two after
    mass deletions), which dominates the batch's wall time; each entry says what it was.
    The probe's files are left for the temporary folder's removal at the very end.
    """
    folder = Path(tempfile.mkdtemp(prefix="bench-disk-"))
    started = time.perf_counter()
    for i in range(files):
        temp = folder / f".f{i}.eml.tmp"
        temp.write_bytes(b"x" * 3000)
        os.replace(temp, folder / f"f{i}.eml")
    seconds = time.perf_counter() - started
    PROBES.append(folder)
    return seconds


PROBES: list[Path] = []  # removed at exit, after every timed run
CACHE_VARIABLE = "FOLLOWUP_CACHE_DIR"  # compiled templates: the bench's own, never the user's


def cpu_probe() -> float:
    """Seconds for a fixed pure-Python loop: 0.52-0.75 s seen on this VM, the same code."""
    started = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - started


# --------------------------------------------------------------------------- reporting


def series_row(name: str, s: Series, planned: int, drafts: str) -> str:
    if not s.runs:
        return f"| {name} | 0/{planned} | n/a | n/a | n/a | {drafts} |"
    return (
        f"| {name} | {len(s.runs)} | {fmt_s(s.median_wall())} | {fmt_s(s.best_wall())} "
        f"| {s.peak_rss_mb():.0f} | {drafts} |"
    )


def case_rows(res: Results, args: argparse.Namespace) -> list[str]:
    written = " / ".join(f"{n:,}" for n in sorted({d.get("drafted", 0) for d in res.done}))
    skipped = f"{res.rerun_done['unchanged']:,} skipped" if res.rerun_done else "n/a"
    return [
        "| case | runs | median wall (s) | best wall (s) | peak RSS (MB) | drafts |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        series_row(
            "`followup batch`, fresh outbox, end to end",
            res.batch,
            args.repeat,
            f"{written} written" if written else "n/a",
        ),
        series_row("pre-flight only (`--dry-run`: load, segment, plan)", res.dry, args.repeat, "—"),
        series_row(
            "first run on a machine (empty template cache), fresh outbox",
            res.first,
            1,
            f"{written} written" if written else "n/a",
        ),
        series_row("rerun into the same outbox (all unchanged)", res.rerun, 1, skipped),
    ]


def preflight_rows(res: Results, args: argparse.Namespace) -> list[str]:
    pre = res.preflight
    if pre is None:
        return ["Pre-flight: not available."]
    flag = "with `--allow-unapproved`" if res.unapproved else "approved templates only"
    lines = [
        f"Pre-flight ({flag}): {pre.targeted:,} customers targeted, "
        f"{pre.draftable:,} can be drafted, {pre.blocked:,} could not be drafted.",
    ]
    if pre.by_language:
        lines[-1] += f" By language: {pre.by_language}."
    only = res.preflight_approved_only
    if res.unapproved and only is not None:
        lines += [
            "",
            f"With approved templates only: {only.draftable:,} can be drafted, "
            f"{only.blocked:,} cannot.",
        ]
    if pre.reasons:
        lines += ["", "| could not be drafted because | customers |", "| --- | ---: |"]
        for reason, n in pre.reasons.most_common(10):
            lines.append(f"| {reason.replace('|', '/')} | {n:,} |")
        rest = sum(pre.reasons.values()) - sum(n for _, n in pre.reasons.most_common(10))
        if rest:
            lines.append(f"| (other reasons) | {rest:,} |")
    customers = count_rows(args.workspace / "data" / "customers.csv")
    if customers is not None and customers != pre.targeted:
        lines += [
            "",
            f"Note: the workspace has {customers:,} customers, {pre.targeted:,} targeted.",
        ]
    return lines


def check_rows(res: Results) -> list[str]:
    lines = []
    for i, (counts, done) in enumerate(zip(res.counts, res.done, strict=True), start=1):
        ok = "OK" if counts.matches(res.drafts) else f"expected {res.drafts:,} drafts"
        failed = f"; {done['failed']} failed" if done.get("failed") else ""
        lines.append(f"- timed run {i}: {counts.describe()}{failed} — {ok}")
    if res.rerun_done is not None:
        d = res.rerun_done
        skipped_all = "OK" if rerun_ok(res) else "expected every draft unchanged"
        lines.append(
            f"- rerun: {d['drafted']} drafted, {d['unchanged']:,} unchanged (skipped), "
            f"{d['failed']} failed — {skipped_all}"
        )
    for label, cmp in res.comparisons:
        lines.append(f"- {label}: {cmp.summary()}")
        for name, where in cmp.differing[:MAX_DIFFS_SHOWN]:
            lines.append(f"  - `{name}`: {where}")
        for name in (cmp.only_left + cmp.only_right)[:MAX_DIFFS_SHOWN]:
            lines.append(f"  - `{name}`: in one outbox only")
    if res.library_before != res.library_after:
        lines.append(
            "- **the template library changed during the benchmark** "
            f"({res.library_before[0]} → {res.library_after[0]}): rerun it"
        )
    return lines


def rerun_ok(res: Results) -> bool | None:
    d = res.rerun_done
    return None if d is None else d["drafted"] == 0 and d["unchanged"] == res.drafts


def target_rows(res: Results) -> tuple[list[str], bool]:
    med = res.batch.median_wall() if res.batch.runs else None
    pre = res.preflight
    if med is None:
        time_ok, measured_text = None, "n/a"
    elif res.complete:
        time_ok, measured_text = med <= TARGET_BATCH_WALL_S, f"{med:.3f} s"
    else:  # the target is about every customer: a partial batch says nothing about it
        assert pre is not None
        time_ok = None
        measured_text = (
            f"{med:.3f} s, but only {pre.draftable:,} of {pre.targeted:,} customers drafted"
        )
    library_ok = res.library_before == res.library_after
    checks: list[tuple[str, str, bool | None]] = [
        (
            f"`followup batch` wall ≤ {TARGET_BATCH_WALL_S:g} s (median), every customer drafted",
            measured_text,
            time_ok,
        ),
        (
            "byte-identical drafts for the same inputs (every file, Date and Message-ID included)",
            "n/a" if res.deterministic is None else f"{len(res.comparisons)} comparisons",
            res.deterministic,
        ),
        (
            "each run: one .eml per draft, drafts.jsonl lines and drafts.csv rows + header",
            "n/a" if not res.counts else f"{len(res.counts)} runs",
            res.outputs_ok,
        ),
        ("rerun skips every unchanged draft", "1 run" if res.rerun_done else "n/a", rerun_ok(res)),
        ("template library unchanged during the benchmark", res.library_after[0], library_ok),
    ]
    rows = ["| target | measured | result |", "| --- | ---: | :---: |"]
    rows += [f"| {name} | {value} | {verdict(ok)} |" for name, value, ok in checks]
    all_ok = all(ok is not False for _, _, ok in checks)
    return rows, all_ok


def git_state() -> str:
    rev = capture(["git", "-C", str(REPO_DIR), "rev-parse", "--short", "HEAD"])
    if rev == "unknown":
        return "no commit"
    dirty = capture(["git", "-C", str(REPO_DIR), "status", "--porcelain", "--", "src", "templates"])
    changed = [p for p in ("src/", "templates/") if dirty not in ("", "unknown") and p in dirty]
    return f"{rev}{' + uncommitted ' + ', '.join(changed) + ' changes' if changed else ''}"


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_DIR))
    except ValueError:
        return str(path)


def shown_command(base: list[str], args: argparse.Namespace, unapproved: bool) -> str:
    head = [Path(base[0]).name, *base[1:]] if len(base) == 1 else base
    show = argparse.Namespace(**{**vars(args), "workspace": Path(display(args.workspace))})
    return shlex.join(batch_command(head, show, Path("TMPDIR/outbox"), unapproved=unapproved))


def workspace_line(ws: Path) -> str:
    data = ws / "data"
    counts = {t: count_rows(data / f"{t}.csv") for t in ("customers", "orders", "losses")}
    size = sum(p.stat().st_size for p in data.glob("*.csv")) / 1e6
    return (
        f"- workspace: {display(ws)}: {fmt_n(counts['customers'])} customers, "
        f"{fmt_n(counts['orders'])} order lines, {fmt_n(counts['losses'])} losses, "
        f"{size:.1f} MB (`python bench/gen_workspace.py`, seeded)"
    )


def machine_rows(args: argparse.Namespace, base: list[str], rss: str, res: Results) -> list[str]:
    fpy = str(args.followup_python)
    followup_ver = capture([fpy, "-c", "import followup; print(followup.__version__)"])
    py_ver = capture([fpy, "-c", "import platform; print(platform.python_version())"])
    digest, templates = res.library_after
    probes = " and ".join(f"{seconds:.2f} s" for seconds in res.disk) or "not run"
    cpu = " and ".join(f"{seconds:.2f} s" for seconds in res.cpu) or "not run"
    deletion = (
        "the previous one deleted first" if args.delete_between else "none deleted before the end"
    )
    return [
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- nproc: {capture(['nproc'])}; CPU: {cpu_model()}; RAM: {ram_gib()}",
        f"- OS: {platform.platform()}",
        f"- followup {followup_ver} on Python {py_ver} ({fpy}); repo HEAD {git_state()}",
        f"- command: `{shown_command(base, args, res.unapproved)}`",
        workspace_line(args.workspace),
        f"- template library: {templates} `.j2` files, digest {digest}",
        f"- runs: {args.warmup} warm-up + {args.repeat} timed, each into a new outbox "
        f"({deletion}); compiled templates in the benchmark's own cache folder "
        "(`FOLLOWUP_CACHE_DIR`), filled by the warm-up run, and one run more with an empty "
        "one (a machine's first run); disk probe (10,000 files created, temp + rename) "
        f"before and after the batch runs: {probes}; "
        f"CPU probe (a fixed 10M-step Python loop): {cpu}; "
        f"peak RSS via {'`/usr/bin/time -v`' if rss == 'time' else '`os.wait4` ru_maxrss'}; "
        "wall via `time.perf_counter` around the subprocess; MB = 10^6 bytes; "
        "PYTHONHASHSEED unset (hash randomisation on in every run)",
    ]


def report(args: argparse.Namespace, base: list[str], rss: str, res: Results) -> bool:
    rows, all_ok = target_rows(res)
    customers = count_rows(args.workspace / "data" / "customers.csv") or 0
    lines = [
        f"## `followup batch` benchmark ({customers:,} customers, campaign {args.campaign})",
        "",
        *case_rows(res, args),
        "",
        *preflight_rows(res, args),
        "",
        "### Targets",
        "",
        *rows,
        "",
        "### Checks",
        "",
        *(check_rows(res) or ["- none ran"]),
        "",
        "Determinism: the Date header is noon UTC of the as-of day and the Message-ID is "
        "derived from the draft's key and fingerprint, so both are part of the byte-for-byte "
        "comparison; nothing is excluded.",
        "",
        "### Machine",
        "",
        *machine_rows(args, base, rss, res),
    ]
    problems = [e for e in (res.followup_error,) if e]
    if res.preflight is not None and res.preflight.draftable == 0:
        problems.append("no customer could be drafted: nothing to time (see the pre-flight)")
    if problems:
        lines += ["", "### Problems", "", *[f"- {p}" for p in problems]]
    print("\n".join(lines))
    return all_ok


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Time `followup batch` on a 10,000-customer workspace.")
    p.add_argument("--followup-python", type=Path, default=Path(sys.executable))
    p.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    p.add_argument(
        "--customers", type=int, default=10_000, help="customers when generating the workspace"
    )
    p.add_argument("--campaign", default="reactivation", help="campaign to draft")
    p.add_argument(
        "--allow-unapproved",
        choices=("auto", "yes", "no"),
        default="auto",
        help="auto: add --allow-unapproved when approved templates cannot draft everyone",
    )
    p.add_argument("--repeat", type=int, default=3, help="timed runs")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs first")
    p.add_argument("--rss-method", choices=("auto", "time", "wait4"), default="auto")
    p.add_argument(
        "--delete-between",
        action="store_true",
        help="delete each outbox before the next run (times file creation after deletions)",
    )
    args = p.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0:
        p.error("--repeat must be >= 1, --warmup >= 0")
    args.workspace = args.workspace.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ensure_workspace(args.workspace, args.customers)
    os.environ.pop("PYTHONHASHSEED", None)  # every followup run gets its own hash seed
    if not GNU_TIME.is_file():
        log("/usr/bin/time not found: peak RSS via os.wait4")
    rss = pick_rss_method(args.rss_method)
    base = followup_command(args.followup_python)
    try:
        res = run_all(args, base, rss)
    finally:
        for folder in PROBES:
            shutil.rmtree(folder, ignore_errors=True)
    all_ok = report(args, base, rss, res)
    if res.followup_error or not res.preflight:
        return 2
    if not all_ok:
        return 1
    return 0 if res.complete else 3


if __name__ == "__main__":
    sys.exit(main())
