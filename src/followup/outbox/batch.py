"""The batch run: a pre-flight's drafts into an outbox, and the run's summary.

`run()` drafts every draftable customer of a pre-flight (`followup.drafting.preflight`)
into an outbox, skipping drafts whose fingerprint is unchanged, and never stops for one
customer's failure.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from followup.drafting.engine import Engine
from followup.drafting.preflight import Planned, Preflight
from followup.drafting.workbench import DraftRequest
from followup.errors import DraftError, FollowupError, WriteError
from followup.redact import clip

if TYPE_CHECKING:
    from followup.drafting.draft import Draft
    from followup.outbox.folder import Entry, Outbox


@dataclass
class Summary:
    drafted: int = 0
    unchanged: int = 0  # skipped: the same draft is in the outbox already
    kept: list[str] = field(default_factory=list)  # keys of drafts edited by hand: not redone
    failed: Counter[str] = field(default_factory=Counter)  # reason -> count
    with_findings: int = 0
    blocked: int = 0
    fallbacks: int = 0  # llm replies refused (guard, API): drafted by the template instead
    tokens_in: int = 0
    tokens_out: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (customer, reason)
    index_error: str | None = None  # the index could not be rebuilt (the drafts are on disk)
    #: review.xlsx, written from the index; where a review.xlsx decided but not applied
    #: was copied (where, not what: two runs into two folders have the same summary)
    sheet: Path | None = field(default=None, compare=False)
    sheet_kept: Path | None = field(default=None, compare=False)
    notes: list[str] = field(default_factory=list)  # e.g. journal lines skipped

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())


Progress = Callable[[str, str, "Summary"], None]  # (customer id, outcome, totals) a draft


@dataclass(frozen=True)
class Outcome:
    """What became of one planned draft (picklable: worker processes send it back)."""

    status: str  # drafted | unchanged | kept | failed
    entry: Entry | None = None  # by a worker: the file still to write, the record to journal
    data: bytes = b""  # that file's content
    reason: str = ""  # failed: why
    group: str = ""  # failed: the reason as the summary counts it
    findings: bool = False
    fallback: bool = False
    tokens_in: int = 0
    tokens_out: int = 0


def run(
    targets: Preflight,
    engine: Engine,
    outbox: Outbox,
    *,
    strict: bool = False,
    progress: Progress | None = None,
    processes: int | None = None,
    remember: Callable[[Outbox], None] | None = None,
) -> Summary:
    """Draft every planned customer into `outbox`; one failure never stops the batch.

    An engine with `concurrency` > 1 (the LLM engine) drafts that many at a time on
    threads: the work is waiting on the API. The outbox's journal is thread-safe. A
    CPU-bound engine (the template engine) drafts a large batch in forked worker
    processes, one per core (`processes` overrides how many; 1 drafts in this process).
    A draft file a rep edited is kept as it is (`Outbox.overwrite_edited` replaces it).
    `remember(outbox)` records the drafts in the contact history, on a thread while the
    index files are written.
    """
    from followup.outbox.workers import draft_in_processes, processes_for

    summary = Summary(blocked=len(targets.blocked), notes=list(outbox.warnings))
    lock = threading.Lock()
    drafts = targets.drafts
    threads = getattr(engine, "concurrency", 1)
    procs = processes_for(engine, len(drafts)) if processes is None else processes

    def done(planned: Planned, outcome: Outcome) -> None:
        customer_id = planned.request.customer_id
        with lock:
            if outcome.status == "unchanged":
                outbox.verified(planned.request.key)
            _tally(summary, planned.request.key, customer_id, outcome)
            if progress is not None:
                progress(customer_id, outcome.status, summary)

    def one(planned: Planned) -> None:
        done(planned, _one(planned.request, engine, outbox, strict=strict))

    if threads > 1:
        pool = ThreadPoolExecutor(max_workers=threads)
        try:
            for future in [pool.submit(one, planned) for planned in drafts]:
                future.result()
        finally:  # on Ctrl-C: start nothing new; drafts in flight finish and are kept
            pool.shutdown(wait=True, cancel_futures=True)
    elif procs > 1 and len(drafts) > 1:
        work = _by_language(drafts)  # a worker's share: fewer templates to compile

        def make(index: int) -> Outcome:  # in a worker: drafted and encoded, nothing written
            return _one(work[index].request, engine, outbox, strict=strict, write=False)

        def returned(results: list[tuple[int, Outcome]]) -> None:  # here: one writer
            stored = _commit(outbox, [(i, _store(outbox, outcome)) for i, outcome in results])
            for index, outcome in stored:
                done(work[index], outcome)

        def failed(_index: int, reason: str) -> Outcome:
            return Outcome("failed", reason=reason, group=reason)

        draft_in_processes(len(drafts), make, returned, processes=procs, failed=failed)
        order = {p.request.customer_id: i for i, p in enumerate(drafts)}
        summary.failures.sort(key=lambda failure: order[failure[0]])  # plan order, as one by one
    else:
        for planned in drafts:
            one(planned)
    with ThreadPoolExecutor(max_workers=1) as side:  # the history, while the index is written
        recorded = side.submit(remember, outbox) if remember is not None else None
        try:  # review.xlsx is written while the index files are
            outbox.finish(also=lambda entries: _review_sheet(outbox, entries, summary))
        except FollowupError as exc:
            summary.index_error = "; ".join(filter(None, [summary.index_error, str(exc)]))
        try:
            if recorded is not None:
                recorded.result()
        except FollowupError as exc:
            problem = f"the contact history was not updated: {exc}"
            summary.index_error = "; ".join(filter(None, [summary.index_error, problem]))
    return summary


def _review_sheet(outbox: Outbox, entries: list[Entry], summary: Summary) -> None:
    """review.xlsx from the index: every draft in the outbox, the decisions applied. A
    sheet that cannot be written is said, like an index that cannot be (exit 1)."""
    from followup.outbox import sheet

    listed = [entry.record for entry in entries if entry.file is not None]
    try:
        summary.sheet_kept = sheet.write(outbox.root, listed, stamp=outbox.date)
    except WriteError as exc:
        summary.index_error = (
            f"review.xlsx was not written: {exc} (open in Excel? close it, then run "
            f"`followup review sheet {outbox.root}`)"
        )
        return
    summary.sheet = sheet.path(outbox.root)


def _by_language(drafts: list[Planned]) -> list[Planned]:
    """The drafts grouped by language (plan order within one): a language's drafts share
    their templates and Babel locale, so a worker's share needs only some of them.

    The order of the outbox's files and index does not depend on it.
    """
    return sorted(drafts, key=lambda planned: planned.request.language)


def _one(
    req: DraftRequest, engine: Engine, outbox: Outbox, *, strict: bool, write: bool = True
) -> Outcome:
    """Draft one request unless its draft is current or was edited by hand; `write=False`
    leaves the file and the journal line to the caller (the encoded draft comes back)."""
    edited = outbox.edited(req.key)
    if edited and not outbox.overwrite_edited:
        return Outcome("kept")  # a rep's edit: never overwritten
    try:
        planned = engine.fingerprint(req)  # a prompt that cannot render fails here
        if not edited and planned is not None and outbox.is_current(req.key, planned):
            return Outcome("unchanged")  # same inputs as the draft on disk: not made again
        draft: Draft = engine.draft(req)
        if strict and draft.findings:
            raise DraftError("; ".join(f.message for f in draft.findings))
        entry, data = outbox.encode(draft)
        if write:
            outbox.commit([outbox.store(entry, data)])
    except FollowupError as exc:
        return _failure(outbox, req, exc, write=write)
    return Outcome(
        "drafted",
        None if write else entry,
        b"" if write else data,
        findings=bool(draft.findings),
        fallback=bool(draft.fallback_reason),
        tokens_in=draft.tokens_in or 0,
        tokens_out=draft.tokens_out or 0,
    )


def _failure(outbox: Outbox, req: DraftRequest, exc: FollowupError, *, write: bool) -> Outcome:
    """A failed draft's outcome, its record (for drafts.jsonl) with it or written here."""
    reason = clip(str(exc))
    entry = outbox.failed(_about(req), reason)
    if write:
        with contextlib.suppress(FollowupError):  # the disk may be what failed
            outbox.commit([entry])
    return Outcome("failed", None if write else entry, reason=reason, group=_group(exc))


def _about(req: DraftRequest) -> dict[str, object]:
    """What a failed draft's record says of it."""
    customer = req.customer
    return {
        "key": req.key,
        "customer_id": req.customer_id,
        "company": customer["company"],
        "channel": req.channel,
        "campaign": req.campaign,
        "language": req.language,
        "segment": customer["segment"],
    }


def _group(exc: FollowupError) -> str:
    """How the summary counts a failure: a disk's cause once, not once per file."""
    if isinstance(exc, WriteError):
        return f"cannot write draft files ({exc.cause})"
    return clip(str(exc))


def _store(outbox: Outbox, outcome: Outcome) -> Outcome:
    """Write the file of a draft a worker encoded; a write error fails that draft only."""
    if outcome.entry is None or outcome.status != "drafted":
        return outcome
    try:
        return replace(outcome, entry=outbox.store(outcome.entry, outcome.data), data=b"")
    except FollowupError as exc:
        failed = outbox.failed(json.loads(outcome.entry.line), str(exc))
        return Outcome("failed", failed, reason=clip(str(exc)), group=_group(exc))


def _commit(outbox: Outbox, stored: list[tuple[int, Outcome]]) -> list[tuple[int, Outcome]]:
    """Record a chunk's drafts (and failures); when the journal cannot take them, the
    chunk's drafts fail (their files are redone by the next run, byte for byte)."""
    try:
        outbox.commit([outcome.entry for _, outcome in stored if outcome.entry is not None])
    except FollowupError as exc:
        lost = Outcome("failed", reason=clip(str(exc)), group=_group(exc))
        return [(i, lost if outcome.status == "drafted" else outcome) for i, outcome in stored]
    return stored


def _tally(summary: Summary, key: str, customer_id: str, outcome: Outcome) -> None:
    if outcome.status == "unchanged":
        summary.unchanged += 1
    elif outcome.status == "kept":
        summary.kept.append(key)
    elif outcome.status == "failed":
        summary.failed[outcome.group or outcome.reason] += 1
        summary.failures.append((customer_id, outcome.reason))
    else:
        summary.drafted += 1
        summary.with_findings += outcome.findings
        summary.fallbacks += outcome.fallback
        summary.tokens_in += outcome.tokens_in
        summary.tokens_out += outcome.tokens_out
