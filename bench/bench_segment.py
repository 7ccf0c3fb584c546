"""Benchmark driver: `followup segment` end to end vs pymc-marketing's `rfm_segments`.

Run with the project's Python (the one that has `followup` installed)::

    python bench/bench_segment.py [--followup-python PATH] [--peer-python PATH]
                                  [--repeat 7] [--segment-only] [--interleave]

It generates ``bench/data/orders_1m.csv`` if missing, then, in one run, each case in its
own block of warm-up and timed runs (``--interleave`` alternates them instead):

* ``followup segment --orders ... --as-of 2026-11-22 --format csv --output <tmp>/seg.csv``
  as a subprocess (process start, read CSV, compute, write CSV): wall time and peak RSS;
* the peer, ``bench/peer_pymc.py`` in ``bench/.venv-peer``: process wall and peak RSS, plus
  its own in-process timings of import, read_csv and rfm_segments;
* ``followup --help``: best of 10.

It prints markdown (tables, targets, machine info) for ``bench/RESULTS.md``. Exit status:
0 all measured targets met, 1 a target missed, 2 `followup` could not be run, 3 the
peer could not be run (without ``--segment-only``). Stdlib only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DEFAULT_ORDERS = BENCH_DIR / "data" / "orders_1m.csv"
DEFAULT_PEER_PYTHON = BENCH_DIR / ".venv-peer" / "bin" / "python"
PEER_SCRIPT = BENCH_DIR / "peer_pymc.py"
GEN_SCRIPT = BENCH_DIR / "gen_orders.py"
GNU_TIME = Path("/usr/bin/time")
AS_OF = "2026-11-22"

TARGET_SEGMENT_WALL_S = 2.0
TARGET_SEGMENT_RSS_MB = 800.0
TARGET_SPEEDUP = 4.0
TARGET_HELP_WALL_S = 0.150


@dataclass
class Run:
    """One timed subprocess."""

    wall_s: float
    maxrss_kb: int
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@dataclass
class Series:
    """Repeated runs of one case."""

    runs: list[Run] = field(default_factory=list)

    @property
    def walls(self) -> list[float]:
        return [r.wall_s for r in self.runs]

    def median_wall(self) -> float:
        return statistics.median(self.walls)

    def best_wall(self) -> float:
        return min(self.walls)

    def peak_rss_mb(self) -> float:
        return kb_to_mb(max(r.maxrss_kb for r in self.runs))


def kb_to_mb(kb: int) -> float:
    """ru_maxrss / GNU time report KiB; targets are in MB (10^6 bytes)."""
    return kb * 1024 / 1_000_000


# --------------------------------------------------------------------------- measuring


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _parse_gnu_time(text: str) -> int:
    for line in text.splitlines():
        if "Maximum resident set size" in line:
            return int(line.rsplit(":", 1)[1].strip())
    raise RuntimeError(f"no 'Maximum resident set size' in /usr/bin/time output:\n{text}")


def _run_gnu_time(cmd: list[str], workdir: Path) -> Run:
    """Wall via perf_counter around `/usr/bin/time -v -o FILE cmd`; RSS from FILE."""
    out, err, rep = workdir / "stdout.txt", workdir / "stderr.txt", workdir / "time.txt"
    with out.open("w") as fo, err.open("w") as fe:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [str(GNU_TIME), "-v", "-o", str(rep), *cmd], stdout=fo, stderr=fe, check=False
        )
        wall = time.perf_counter() - t0
    report = _read(rep)
    # GNU time writes "Command exited with non-zero status N" and still exits with N.
    return Run(wall, _parse_gnu_time(report), proc.returncode, _read(out), _read(err))


def _run_wait4(cmd: list[str], workdir: Path) -> Run:
    """Wall via perf_counter around spawn + os.wait4; RSS from the child's rusage."""
    out, err = workdir / "stdout.txt", workdir / "stderr.txt"
    with out.open("w") as fo, err.open("w") as fe:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=fo, stderr=fe)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    rc = os.waitstatus_to_exitcode(status)
    proc.returncode = rc  # already reaped: keep Popen from waiting again
    return Run(wall, usage.ru_maxrss, rc, _read(out), _read(err))


def run_measured(cmd: list[str], rss_method: str) -> Run:
    """Run ``cmd`` once, measuring wall time and peak RSS of the child."""
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        if rss_method == "time":
            return _run_gnu_time(cmd, Path(tmp))
        return _run_wait4(cmd, Path(tmp))


def run_wall_only(cmd: list[str]) -> float:
    """Wall time of one run with output discarded (for `--help`)."""
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t0


def pick_rss_method(requested: str) -> str:
    if requested != "auto":
        return requested
    return "time" if GNU_TIME.is_file() and os.access(GNU_TIME, os.X_OK) else "wait4"


# --------------------------------------------------------------------------- commands


def followup_command(python: Path) -> list[str]:
    """The `followup` console script beside ``python``, else the entry point via -c."""
    script = python.parent / "followup"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    code = "import sys; from followup.cli import main; sys.exit(main())"
    return [str(python), "-c", code]


def segment_command(base: list[str], orders: Path, output: Path) -> list[str]:
    return [
        *base,
        "segment",
        "--orders",
        str(orders),
        "--as-of",
        AS_OF,
        "--format",
        "csv",
        "--output",
        str(output),
    ]


def peer_command(python: Path, orders: Path, output: Path) -> list[str]:
    return [
        str(python),
        str(PEER_SCRIPT),
        "--orders",
        str(orders),
        "--as-of",
        AS_OF,
        "--output",
        str(output),
    ]


def check_followup(base: list[str]) -> str | None:
    """None if `followup --help` works, else a one-line reason."""
    try:
        proc = subprocess.run(
            [*base, "--help"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`followup --help` could not run: {exc}"
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["(no output)"]
        return f"`followup --help` exited {proc.returncode}: {tail[0]}"
    return None


def check_peer(python: Path) -> str | None:
    if not python.is_file():
        return f"peer python {python} not found (run `bash bench/setup_peer.sh`)"
    return None


def ensure_orders(orders: Path) -> None:
    """Generate the default data file if missing (needs numpy in this Python)."""
    if orders.is_file():
        return
    if orders != DEFAULT_ORDERS:
        raise SystemExit(f"orders file {orders} not found")
    print(f"generating {orders} ...", file=sys.stderr)
    cmd = [sys.executable, str(GEN_SCRIPT), "--out", str(orders)]
    subprocess.run(cmd, check=True, stdout=sys.stderr)


def count_data_lines(path: Path) -> int | None:
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        return max(0, sum(1 for _ in fh) - 1)


def last_json_line(text: str) -> dict[str, Any]:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            parsed: dict[str, Any] = json.loads(line)
            return parsed
    raise ValueError("peer printed no JSON line")


# --------------------------------------------------------------------------- running


@dataclass
class Results:
    followup_error: str | None = None
    peer_error: str | None = None
    segment: Series = field(default_factory=Series)
    peer: Series = field(default_factory=Series)
    peer_phases: list[dict[str, Any]] = field(default_factory=list)
    help_walls: list[float] = field(default_factory=list)
    segment_rows_out: int | None = None
    peer_rows_out: int | None = None


def fail_reason(name: str, run: Run) -> str:
    tail = run.stderr.strip().splitlines()[-3:] or ["(no stderr)"]
    return f"{name} exited {run.returncode}: " + " | ".join(tail)


def one_segment(res: Results, base: list[str], orders: Path, out: Path, rss: str) -> None:
    out.unlink(missing_ok=True)
    run = run_measured(segment_command(base, orders, out), rss)
    if not run.ok:
        res.followup_error = fail_reason("followup segment", run)
        return
    res.segment.runs.append(run)
    res.segment_rows_out = count_data_lines(out)


def one_peer(res: Results, python: Path, orders: Path, out: Path, rss: str) -> None:
    out.unlink(missing_ok=True)
    run = run_measured(peer_command(python, orders, out), rss)
    if not run.ok:
        res.peer_error = fail_reason("peer", run)
        return
    try:
        res.peer_phases.append(last_json_line(run.stdout))
    except ValueError as exc:
        res.peer_error = f"peer output unreadable: {exc}"
        return
    res.peer.runs.append(run)
    res.peer_rows_out = count_data_lines(out)


def run_all(args: argparse.Namespace, base: list[str], rss: str) -> Results:
    """Each tool in its own block: warm-up runs, then the timed runs (as hyperfine does).

    Interleaving the two penalises whichever runs second: on this VM a followup run
    straight after a pymc-marketing run (which loads ~700 MB of libraries) is 0.3-0.6 s
    slower than one after a followup run. `--interleave` keeps the old order.
    """
    res = Results(followup_error=check_followup(base))
    if not args.segment_only:
        res.peer_error = check_peer(args.peer_python)
    with tempfile.TemporaryDirectory(prefix="bench-segment-") as tmp:
        seg_out, peer_out = Path(tmp) / "seg.csv", Path(tmp) / "peer_seg.csv"

        def segment_once() -> None:
            if res.followup_error is None:
                one_segment(res, base, args.orders, seg_out, rss)

        def peer_once() -> None:
            if not args.segment_only and res.peer_error is None:
                one_peer(res, args.peer_python, args.orders, peer_out, rss)

        blocks = [[segment_once, peer_once]] if args.interleave else [[segment_once], [peer_once]]
        for block in blocks:
            for i in range(args.warmup + args.repeat):
                label = "warm-up" if i < args.warmup else f"run {i - args.warmup + 1}/{args.repeat}"
                log(f"{label}: {', '.join(step.__name__ for step in block)}")
                for step in block:
                    step()
                if i == args.warmup - 1:  # forget the warm-up runs of this block
                    if segment_once in block:
                        res.segment = Series()
                    if peer_once in block:
                        res.peer, res.peer_phases = Series(), []
    if res.followup_error is None:
        log(f"followup --help x{args.help_runs}")
        res.help_walls = [run_wall_only([*base, "--help"]) for _ in range(args.help_runs)]
    return res


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- reporting


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def fmt_s(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def peer_phase_median(res: Results, key: str) -> float | None:
    vals = [float(p[key]) for p in res.peer_phases if key in p]
    return statistics.median(vals) if vals else None


def case_rows(res: Results, repeat: int) -> list[str]:
    rows = [
        "| case | runs | median wall (s) | best wall (s) | peak RSS (MB) | output rows |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    if res.segment.runs:
        s = res.segment
        rows.append(
            f"| `followup segment`, end to end | {len(s.runs)} | {fmt_s(s.median_wall())} "
            f"| {fmt_s(s.best_wall())} | {s.peak_rss_mb():.0f} | {res.segment_rows_out} |"
        )
    else:
        rows.append(f"| `followup segment`, end to end | 0/{repeat} | n/a | n/a | n/a | n/a |")
    if res.peer.runs:
        p = res.peer
        rows.append(
            f"| pymc-marketing process, end to end | {len(p.runs)} | {fmt_s(p.median_wall())} "
            f"| {fmt_s(p.best_wall())} | {p.peak_rss_mb():.0f} | {res.peer_rows_out} |"
        )
        ins = [float(x["import_read_segment_s"]) for x in res.peer_phases]
        rows.append(
            f"| pymc-marketing import + read + `rfm_segments` (in-process) | {len(ins)} "
            f"| {fmt_s(statistics.median(ins))} | {fmt_s(min(ins))} | — | — |"
        )
    if res.help_walls:
        h = res.help_walls
        rows.append(
            f"| `followup --help` | {len(h)} | {fmt_s(statistics.median(h))} "
            f"| {fmt_s(min(h))} | — | — |"
        )
    return rows


def peer_phase_rows(res: Results) -> list[str]:
    if not res.peer_phases:
        return []
    p0 = res.peer_phases[0]
    rows = [
        "",
        f"pymc-marketing {p0.get('version')} (pandas {p0.get('pandas')}), "
        f"`{p0.get('api')}`, medians of {len(res.peer_phases)} runs:",
        "",
        "| phase | median (s) |",
        "| --- | ---: |",
    ]
    for key, label in (
        ("import_s", "`import pandas, pymc_marketing` (+ `pymc_marketing.clv`)"),
        ("read_s", "`pandas.read_csv`"),
        ("rfm_segments_s", "`clv.rfm_segments(...)`"),
        ("import_read_segment_s", "import + read + rfm_segments"),
        ("write_s", "`to_csv` (not in the comparison)"),
    ):
        rows.append(f"| {label} | {fmt_s(peer_phase_median(res, key))} |")
    return rows


def target_rows(res: Results) -> tuple[list[str], bool]:
    seg_med = res.segment.median_wall() if res.segment.runs else None
    seg_rss = res.segment.peak_rss_mb() if res.segment.runs else None
    peer_in = peer_phase_median(res, "import_read_segment_s")
    peer_proc = res.peer.median_wall() if res.peer.runs else None
    speedup = peer_in / seg_med if peer_in and seg_med else None
    speedup_proc = peer_proc / seg_med if peer_proc and seg_med else None
    help_best = min(res.help_walls) if res.help_walls else None

    def le(x: float | None, limit: float) -> bool | None:
        return None if x is None else x <= limit

    checks: list[tuple[str, str, bool | None]] = [
        (
            f"`followup segment` wall ≤ {TARGET_SEGMENT_WALL_S:g} s (median)",
            "n/a" if seg_med is None else f"{seg_med:.3f} s",
            le(seg_med, TARGET_SEGMENT_WALL_S),
        ),
        (
            f"`followup segment` peak RSS ≤ {TARGET_SEGMENT_RSS_MB:g} MB (max of runs)",
            "n/a" if seg_rss is None else f"{seg_rss:.0f} MB",
            le(seg_rss, TARGET_SEGMENT_RSS_MB),
        ),
        (
            f"≥ {TARGET_SPEEDUP:g}× faster than pymc-marketing import + read + rfm_segments"
            " (median / median)",
            "n/a" if speedup is None else f"{speedup:.2f}× (vs peer process: {speedup_proc:.2f}×)",
            None if speedup is None else speedup >= TARGET_SPEEDUP,
        ),
        (
            f"`followup --help` ≤ {TARGET_HELP_WALL_S * 1000:g} ms (best of runs)",
            "n/a" if help_best is None else f"{help_best * 1000:.0f} ms",
            le(help_best, TARGET_HELP_WALL_S),
        ),
    ]
    rows = ["| target | measured | result |", "| --- | ---: | :---: |"]
    rows += [f"| {name} | {value} | {verdict(ok)} |" for name, value, ok in checks]
    all_ok = all(ok is not False for _, _, ok in checks)  # n/a is reported, not failed
    return rows, all_ok


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def ram_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def capture(cmd: list[str]) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return proc.stdout.strip() if proc.returncode == 0 else "unknown"


def git_rev() -> str:
    rev = capture(["git", "-C", str(REPO_DIR), "rev-parse", "--short", "HEAD"])
    if rev == "unknown":
        return "no commit"
    dirty = capture(["git", "-C", str(REPO_DIR), "status", "--porcelain", "--", "src"])
    return f"{rev}{' + uncommitted src/ changes' if dirty not in ('', 'unknown') else ''}"


def shown_command(base: list[str], orders: Path) -> str:
    """The segment command as run, with the console script shortened to its name."""
    head = [Path(base[0]).name, *base[1:]] if len(base) == 1 else base
    return shlex.join(segment_command(head, Path(display(orders)), Path("TMPDIR/seg.csv")))


def machine_rows(args: argparse.Namespace, base: list[str], rss: str) -> list[str]:
    fpy = str(args.followup_python)
    followup_ver = capture([fpy, "-c", "import followup; print(followup.__version__)"])
    py_ver = capture([fpy, "-c", "import platform; print(platform.python_version())"])
    return [
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- nproc: {capture(['nproc'])}; CPU: {cpu_model()}; RAM: {ram_gib()}",
        f"- OS: {platform.platform()}",
        f"- followup {followup_ver} on Python {py_ver} ({fpy}); repo HEAD {git_rev()}",
        f"- command: `{shown_command(base, args.orders)}`",
        f"- data: {display(args.orders)}, {args.orders.stat().st_size / 1e6:.1f} MB "
        "(`python bench/gen_orders.py`, seeded)",
        f"- runs: {args.warmup} warm-up + {args.repeat} timed per case, "
        f"{'interleaved' if args.interleave else 'each case in its own block'}; "
        f"peak RSS via {'`/usr/bin/time -v`' if rss == 'time' else '`os.wait4` ru_maxrss'}; "
        "wall via `time.perf_counter` around the subprocess; MB = 10^6 bytes",
    ]


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_DIR))
    except ValueError:
        return str(path)


def report(args: argparse.Namespace, base: list[str], rss: str, res: Results) -> bool:
    rows, all_ok = target_rows(res)
    lines = [
        "## `followup segment` benchmark (1M order lines, 100k customers)",
        "",
        *case_rows(res, args.repeat),
        *peer_phase_rows(res),
        "",
        "### Targets",
        "",
        *rows,
        "",
        "### Machine",
        "",
        *machine_rows(args, base, rss),
    ]
    problems = [e for e in (res.followup_error, res.peer_error) if e]
    if args.segment_only:
        problems.append("peer skipped (--segment-only): speedup not measured")
    if problems:
        lines += ["", "### Problems", "", *[f"- {p}" for p in problems]]
    print("\n".join(lines))
    return all_ok


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Time `followup segment` against pymc-marketing.")
    p.add_argument("--followup-python", type=Path, default=Path(sys.executable))
    p.add_argument("--peer-python", type=Path, default=DEFAULT_PEER_PYTHON)
    p.add_argument("--orders", type=Path, default=DEFAULT_ORDERS)
    p.add_argument("--repeat", type=int, default=7, help="timed runs per case")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs per case first")
    p.add_argument(
        "--interleave",
        action="store_true",
        help="alternate followup and peer runs instead of timing each in its own block",
    )
    p.add_argument("--help-runs", type=int, default=10, help="runs of `followup --help`")
    p.add_argument("--segment-only", action="store_true", help="skip the peer")
    p.add_argument("--rss-method", choices=("auto", "time", "wait4"), default="auto")
    args = p.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0 or args.help_runs < 1:
        p.error("--repeat and --help-runs must be >= 1, --warmup >= 0")
    args.orders = args.orders.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ensure_orders(args.orders)
    if shutil.which("nproc") is None:
        log("nproc not found; machine info will say 'unknown'")
    rss = pick_rss_method(args.rss_method)
    base = followup_command(args.followup_python)
    res = run_all(args, base, rss)
    all_ok = report(args, base, rss, res)
    if res.followup_error or not res.segment.runs:
        return 2
    if not args.segment_only and (res.peer_error or not res.peer.runs):
        return 3
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
