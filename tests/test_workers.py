"""Batches drafted in forked worker processes: the same outbox as one process, failures contained."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from followup.data.dataset import Sources
from followup.drafting.draft import Draft
from followup.drafting.engine import TemplateEngine
from followup.drafting.preflight import Preflight, Selection, preflight
from followup.drafting.workbench import Workbench, prepare
from followup.errors import DraftError
from followup.outbox.batch import Summary, run
from followup.outbox.folder import Entry, Outbox
from followup.outbox.workers import MIN_DRAFTS, WORKER_GONE, draft_in_processes, processes_for
from followup.workspace import resolve

AS_OF = dt.date(2026, 11, 22)
SEGMENTS = ("champions", "loyal", "at_risk", "hibernating", "lost", "need_attention", "promising")

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="worker processes need fork")


def batch(workspace: Path | None = None) -> tuple[Workbench, TemplateEngine, Preflight]:
    bench = prepare(Sources(resolve(workspace, sample=workspace is None)), AS_OF)
    engine = TemplateEngine(bench)
    return bench, engine, preflight(bench, engine, Selection("reactivation", segments=SEGMENTS))


def tree(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir())}


def drafted(root: Path, processes: int, workspace: Path | None = None) -> Summary:
    bench, engine, targets = batch(workspace)
    return run(targets, engine, Outbox(root, date=bench.as_of), processes=processes)


def test_processes_write_the_same_outbox_as_one_process(tmp_path: Path) -> None:
    one = drafted(tmp_path / "one", processes=1)
    seen: list[tuple[str, str]] = []
    bench, engine, targets = batch()
    two = run(
        targets,
        engine,
        Outbox(tmp_path / "two", date=bench.as_of),
        processes=2,
        progress=lambda customer, outcome, _totals: seen.append((customer, outcome)),
    )
    assert one == two
    assert one.drafted == len(targets.drafts) > 100
    assert tree(tmp_path / "one") == tree(tmp_path / "two")  # journal and indexes included
    assert sorted(seen) == sorted((p.request.customer_id, "drafted") for p in targets.drafts)
    again = drafted(tmp_path / "two", processes=2)
    assert (again.drafted, again.unchanged) == (0, one.drafted)
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_a_draft_failing_in_a_worker_is_a_failed_draft(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, targets = batch()
    victims = [targets.drafts[i].request for i in (3, 40)]
    keys = {req.key for req in victims}
    real_encode = Outbox.encode

    def encode(self: Outbox, draft: Draft) -> tuple[Entry, bytes]:  # forked: workers have it
        if draft.key in keys:
            raise DraftError(f"{draft.key}: the recipient's name cannot go into a header")
        return real_encode(self, draft)

    monkeypatch.setattr(Outbox, "encode", encode)
    one = drafted(tmp_path / "one", processes=1)
    two = drafted(tmp_path / "two", processes=2)
    assert one == two
    assert [customer for customer, _ in two.failures] == [r.customer_id for r in victims]
    assert two.failures[0][1].endswith("the recipient's name cannot go into a header")
    assert two.drafted == len(targets.drafts) - 2
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    failed = [
        json.loads(line) for line in (tmp_path / "two" / "drafts.jsonl").read_text().splitlines()
    ]
    assert sorted(r["key"] for r in failed if r["status"] == "failed") == sorted(keys)


def square_or_die(i: int) -> int:
    if i == 13:
        os._exit(3)  # a worker killed mid-chunk (out of memory, a signal)
    return i * i


def test_a_worker_that_dies_fails_its_chunk_and_the_rest_is_made() -> None:
    got: dict[int, int | str] = {}

    def returned(results: list[tuple[int, int | str]]) -> None:
        got.update(results)

    draft_in_processes(200, square_or_die, returned, processes=2, failed=lambda _i, reason: reason)
    assert sorted(got) == list(range(200))
    lost = {i for i, value in got.items() if isinstance(value, str)}
    assert 13 in lost and len(lost) < 20  # only the dead worker's chunk
    assert str(got[13]).startswith(f"{WORKER_GONE} (exit code 3)")
    assert all(got[i] == i * i for i in set(got) - lost)


def test_a_bug_in_a_worker_is_raised_here() -> None:
    def make(i: int) -> int:
        if i == 77:
            raise ZeroDivisionError("division by zero")
        return i

    with pytest.raises(ZeroDivisionError, match="division by zero"):
        draft_in_processes(200, make, lambda _results: None, processes=2)


def test_only_a_large_cpu_bound_batch_uses_processes() -> None:
    class Threaded:
        concurrency = 4

    engine = TemplateEngine.__new__(TemplateEngine)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert processes_for(engine, 10_000) == min(cores or 1, 10_000 // (MIN_DRAFTS // 2))
    assert processes_for(engine, MIN_DRAFTS - 1) == 1
    assert processes_for(Threaded(), 10_000) == 1
