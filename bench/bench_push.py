"""Benchmark `followup push`: 1,000 email drafts into four reps' Drafts folders on a local
Dovecot, first push and idempotent rerun. Run with the Python that has followup, as root
(Dovecot's test setup needs it, as in the tests)::

    python bench/bench_push.py [--drafts 1000] [--repeat 3] [--connections 1,2]

The drafts: a ``followup batch --campaign thanks --engine template --limit N`` of the
10,000-customer workspace (``bench/data/ws10k``, generated if missing, copied to a
temporary folder whose reps each get a mail account). The server: Dovecot on 127.0.0.1
started by ``tests/imap_server.serving`` (the tests' own config, plain IMAP, maildir),
one user per rep; ``--fsync never`` sets Dovecot's ``mail_fsync`` so that the disk's
flushes (slow and uneven on a shared VM) leave the figures, default ``optimized``
(Dovecot's own default: a flush per message saved).

For each ``--connections`` value (``[mail] connections_per_server``) and each of
``--repeat`` rounds: every Drafts folder emptied (delete, expunge), then timed in process,
``targets`` + ``push`` (the code behind ``followup push``, without process start, the
settings' loading and the history's recording): the first push (every draft appended)
and a rerun (every draft there already). Checked after each: every draft in its rep's
folder once, the rerun appends nothing. Then once, end to end, ``followup push`` as a
process (start, load, push, record in the history), first and rerun.

Prints markdown for bench/RESULTS.md. Exit 0 when every check passed, 1 otherwise, 2 when
Dovecot cannot run here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
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
sys.path.insert(0, str(REPO_DIR))  # tests/imap_server.py

from bench_batch import DEFAULT_WORKSPACE, ensure_workspace  # noqa: E402
from bench_segment import capture, cpu_model, followup_command, git_rev, log  # noqa: E402

AS_OF = "2026-11-22"
USERS = {"amy": "amy-pw", "lily": "lily-pw", "jason": "jason-pw", "kevin": "kevin-pw"}
REPS = {"Amy Zhao": "amy", "Lily Chen": "lily", "Jason Liu": "jason", "Kevin Wang": "kevin"}


@dataclass
class Round:
    connections: int
    first: float
    rerun: float
    appended: int
    already: int
    failed: int
    in_boxes: int


@dataclass
class Results:
    drafts: int = 0
    per_account: dict[str, int] = field(default_factory=dict)
    rounds: list[Round] = field(default_factory=list)
    cli: dict[int, tuple[float, float]] = field(default_factory=dict)  # connections -> walls
    problems: list[str] = field(default_factory=list)
    load: list[str] = field(default_factory=list)  # the load average at the start, the end


def prepare(source: Path, root: Path, server: Any) -> Path:
    """A copy of the workspace whose reps each have an account on `server`."""
    import yaml

    ws = root / "ws"
    shutil.copytree(source, ws, ignore=shutil.ignore_patterns("history.sqlite*", "outbox*"))
    facts_path = ws / "company.yaml"
    facts = yaml.safe_load(facts_path.read_text(encoding="utf-8"))
    for key, rep in facts["reps"].items():
        rep["mail_account"] = REPS[key]
    facts_path.write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8")
    for user, password in USERS.items():
        os.environ[f"FOLLOWUP_MAIL_{user.upper()}"] = password
    return ws


def configure(ws: Path, server: Any, connections: int) -> None:
    """followup.toml: the copy's own settings, the accounts and `connections_per_server`."""
    settings = ws / "followup.toml"
    base = settings.read_text(encoding="utf-8").split("\n# bench_push\n")[0]
    tables = "".join(
        f'\n[mail.accounts.{user}]\nhost = "{server.host}"\nport = {server.port}\n'
        f'tls = "none"\nuser = "{user}"\n'
        for user in USERS
    )
    mail = f"\n[mail]\nconnections_per_server = {connections}\n"
    settings.write_text(base + "\n# bench_push\n" + mail + tables, encoding="utf-8")


def batch(ws: Path, out: Path, drafts: int) -> None:
    """`followup batch` in process, its report to stderr (stdout is the markdown)."""
    import contextlib

    from followup.cli import cli

    args = ["batch", "--campaign", "thanks", "--engine", "template", "--limit", str(drafts),
            "--ignore-cooldown", "--workspace", str(ws), "--as-of", AS_OF,
            "--out", str(out)]  # fmt: skip
    try:
        with contextlib.redirect_stdout(sys.stderr):
            cli.main(args, standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            raise


def client(server: Any, user: str) -> Any:
    import imapclient

    box = imapclient.IMAPClient(server.host, port=server.port, ssl=False)
    box.login(user, USERS[user])
    return box


def empty(server: Any) -> None:
    """Every Drafts folder emptied (a first push again)."""
    for user in USERS:
        box = client(server, user)
        box.select_folder("Drafts")
        found = box.search(["ALL"])
        if found:
            box.delete_messages(found)
            box.expunge()
        box.logout()


def in_boxes(server: Any) -> dict[str, list[str]]:
    """Each user's Drafts folder: the Message-IDs, in UID order."""
    import email
    from email.policy import default

    found = {}
    for user in USERS:
        box = client(server, user)
        box.select_folder("Drafts", readonly=True)
        fetched = box.fetch(box.search(["ALL"]), ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
        box.logout()
        found[user] = [
            str(email.message_from_bytes(data[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"], policy=default)
                ["Message-ID"])
            for _uid, data in sorted(fetched.items())
        ]  # fmt: skip
    return found


def timed_push(ws: Path, out: Path) -> tuple[float, Any]:
    from followup.data.facts import FACTS_FILE, load_facts
    from followup.mailbox.push import push, targets
    from followup.settings import load_settings

    settings, facts = load_settings(ws), load_facts(ws / FACTS_FILE)
    started = time.perf_counter()
    found, result = targets(out, facts, settings, all_drafts=False)
    push(found, result, settings)
    return time.perf_counter() - started, result


def one_round(ws: Path, out: Path, server: Any, connections: int, res: Results) -> None:
    empty(server)
    first, pushed = timed_push(ws, out)
    rerun, again = timed_push(ws, out)
    boxes = in_boxes(server)
    count = sum(map(len, boxes.values()))
    res.rounds.append(Round(connections, first, rerun, len(pushed.appended), len(again.already),
                            len(pushed.failed) + len(again.failed), count))  # fmt: skip
    if len(pushed.appended) != res.drafts or pushed.failed:
        res.problems.append(f"first push: {len(pushed.appended)} appended, "
                            f"{len(pushed.failed)} failed of {res.drafts}")  # fmt: skip
    if again.appended or len(again.already) != res.drafts:
        res.problems.append(f"rerun: {len(again.appended)} appended, {len(again.already)} there")
    if count != res.drafts or any(len(set(ids)) != len(ids) for ids in boxes.values()):
        res.problems.append(f"{count} messages in the folders for {res.drafts} drafts")
    log(f"connections {connections}: first {first:.3f} s, rerun {rerun:.3f} s")


def cli_walls(ws: Path, out: Path, server: Any) -> tuple[float, float]:
    """`followup push` as a process, end to end: a first push, then a rerun."""
    empty(server)
    command = [*followup_command(Path(sys.executable)), "push", str(out), "--workspace",
               str(ws), "--as-of", AS_OF]  # fmt: skip
    walls = []
    for _ in range(2):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        walls.append(time.perf_counter() - started)
    return walls[0], walls[1]


def run_all(args: argparse.Namespace) -> Results:
    from tests.imap_server import find_dovecot, serving

    res = Results(load=[load_average()])
    binary = find_dovecot()
    assert binary is not None
    ensure_workspace(args.workspace, 10_000)
    with (
        tempfile.TemporaryDirectory(prefix="bench-push-") as folder,
        serving(binary, USERS, extra=f"mail_fsync = {args.fsync}\n") as server,
    ):
        ws = prepare(args.workspace, Path(folder), server)
        configure(ws, server, args.connections[0])
        out = Path(folder) / "outbox"
        log(f"drafting {args.drafts:,} drafts")
        batch(ws, out, args.drafts)
        res.drafts = len(list(out.glob("*.eml")))
        for connections in args.connections:
            configure(ws, server, connections)
            for _ in range(args.repeat):
                one_round(ws, out, server, connections, res)
            res.cli[connections] = cli_walls(ws, out, server)
        res.per_account = {user: len(ids) for user, ids in in_boxes(server).items()}
    res.load.append(load_average())
    return res


def load_average() -> str:
    """The 1-minute load average (the VM is shared: above the cores, every figure is slower)."""
    try:
        return Path("/proc/loadavg").read_text(encoding="ascii").split()[0]
    except OSError:
        return "n/a"


def rate(drafts: int, seconds: float) -> str:
    return f"{drafts / seconds:,.0f}" if seconds else "n/a"


def report(args: argparse.Namespace, res: Results) -> None:
    shown = ", ".join(f"{user} {n:,}" for user, n in res.per_account.items())
    lines = [
        f"## `followup push` benchmark ({res.drafts:,} email drafts, 4 accounts: {shown})",
        "",
        "| connections per server | first push: median (s) | drafts/s | rerun (all there): "
        "median (s) | drafts/s | `followup push` process, first / rerun (s) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for connections in args.connections:
        mine = [r for r in res.rounds if r.connections == connections]
        first = statistics.median(r.first for r in mine)
        rerun = statistics.median(r.rerun for r in mine)
        walls = res.cli.get(connections)
        cli = f"{walls[0]:.2f} / {walls[1]:.2f}" if walls else "n/a"
        lines.append(
            f"| {connections} | {first:.3f} | {rate(res.drafts, first)} | {rerun:.3f} "
            f"| {rate(res.drafts, rerun)} | {cli} |"
        )
    lines += [
        "",
        "Each round (first / rerun): "
        + "; ".join(f"{r.connections} conn. {r.first:.3f} s / {r.rerun:.3f} s" for r in res.rounds)
        + ".",
        "",
        "Checks (every round: each draft appended once, the rerun appends none, as many "
        f"messages in the folders as drafts): {'PASS' if not res.problems else 'FAIL'}",
        *[f"- {problem}" for problem in res.problems],
        "",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- nproc: {capture(['nproc'])}; CPU: {cpu_model()}; {capture(['python3', '-V'])} "
        f"(followup on Python {platform.python_version()}); "
        f"{capture(['/usr/sbin/dovecot', '--version']).split()[0]} Dovecot",
        f"- OS: {platform.platform()}; repo {git_rev()}; load average "
        f"{' at the start, '.join(res.load)} at the end",
        f"- command: `python bench/bench_push.py --drafts {args.drafts} --repeat {args.repeat} "
        f"--connections {','.join(map(str, args.connections))} --fsync {args.fsync}` "
        f"(Dovecot's mail_fsync = {args.fsync})",
    ]
    print("\n".join(lines))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Time `followup push` of 1,000 drafts to Dovecot.")
    p.add_argument("--drafts", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=3, help="rounds per --connections value")
    p.add_argument("--connections", default="1,2", help="connections_per_server values")
    p.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    p.add_argument(
        "--fsync",
        choices=("optimized", "always", "never"),
        default="optimized",
        help="Dovecot's mail_fsync (optimized: its default; never: without the disk's cost)",
    )
    args = p.parse_args(argv)
    args.connections = [int(n) for n in args.connections.split(",")]
    if args.repeat < 1 or args.drafts < 1:
        p.error("--repeat and --drafts must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    from tests.imap_server import missing

    args = parse_args(argv)
    why = missing()
    if why:
        log(f"cannot run: {why}")
        return 2
    res = run_all(args)
    report(args, res)
    return 1 if res.problems else 0


if __name__ == "__main__":
    sys.exit(main())
