"""Drafting on every core: forked worker processes for a CPU-bound engine.

The template engine is pure computation once the workbench is in memory, so a large
batch is split across one process per core. The processes are forked after the plan
is made: each starts with the parent's workbench, engine and outbox as they are, for
free. The parent hands out chunks of plan positions; a worker drafts and encodes its
chunk and sends the results back. Each worker owns a contiguous share of the chunks and
drafts it first, then helps with the back of the largest share left: a caller that
orders similar items together (drafts from one template) keeps each worker's caches
(compiled templates, locales) to its own share. The parent stays the only writer: it hands out the
next chunk, then writes the returned files and their journal lines, so a record still
always follows its file. (One writer, too, because creating files in one folder is
serialised by the file system anyway: two writers only wait for each other.)

Only where `fork` exists (Linux, macOS); elsewhere, and for small batches, the batch
runs in one process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

T = TypeVar("T")

MIN_DRAFTS = 400  # below this, forking costs more than it saves
CHUNK_MAX = 100  # drafts per message: small enough to balance, large enough to be cheap
WORKER_GONE = "draft worker process stopped unexpectedly"


def processes_for(engine: object, drafts: int) -> int:
    """How many processes draft a batch: one per usable core for a CPU-bound engine."""
    if not getattr(engine, "cpu_bound", False) or drafts < MIN_DRAFTS:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(len(_cores()), drafts // (MIN_DRAFTS // 2)))


def _cores() -> set[int]:
    try:
        return os.sched_getaffinity(0)
    except AttributeError:  # macOS
        return set(range(os.cpu_count() or 1))


@dataclass
class _Worker:
    process: Any  # multiprocessing's ForkProcess
    conn: Connection
    share: int  # its own part of the queue
    chunk: range | None = None


class _Queue:
    """Chunks still to hand out: one contiguous share per worker, in order."""

    def __init__(self, count: int, size: int, shares: int) -> None:
        chunks = [range(start, min(start + size, count)) for start in range(0, count, size)]
        per_share = -(-len(chunks) // shares)
        self.shares = [deque(chunks[i : i + per_share]) for i in range(0, len(chunks), per_share)]
        self.shares += [deque() for _ in range(shares - len(self.shares))]

    def take(self, share: int) -> range | None:
        """The next chunk of this share, else the last one of the largest share left."""
        if self.shares[share]:
            return self.shares[share].popleft()
        largest = max(self.shares, key=len)
        return largest.pop() if largest else None

    def put_back(self, share: int, chunk: range) -> None:
        self.shares[share].appendleft(chunk)

    def drain(self) -> list[range]:
        left = [chunk for share in self.shares for chunk in share]
        for share in self.shares:
            share.clear()
        return left


def draft_in_processes(
    count: int,
    make: Callable[[int], T],
    returned: Callable[[list[tuple[int, T]]], None],
    *,
    processes: int,
    failed: Callable[[int, str], T] | None = None,
) -> None:
    """Call `make(i)` for every i in range(count) in `processes` forked workers.

    `returned` gets each chunk's `(i, result)` pairs in this process as they come back.
    An exception that `make` raises stops the batch and is raised here (as it would be
    without workers). A worker that dies (killed, out of memory) fails its chunk with
    `failed(i, reason)` if given; its remaining share goes to the other workers, or is
    made here when none is left.
    """
    size = max(1, min(CHUNK_MAX, count // (processes * 8)))
    todo = _Queue(count, size, processes)
    context = multiprocessing.get_context("fork")
    workers: list[_Worker] = []
    gc.freeze()  # keep the workers' garbage collector off the shared pages (copy-on-write)
    try:
        for share in range(processes):
            mine, theirs = context.Pipe()
            others = [w.conn for w in workers] + [mine]
            process = context.Process(target=_serve, args=(theirs, others, make), daemon=True)
            process.start()
            theirs.close()
            workers.append(_Worker(process, mine, share))
        _dispatch(workers, todo, returned, failed)
        for chunk in todo.drain():  # every worker died: finish here
            returned([(i, make(i)) for i in chunk])
    finally:
        _stop(workers)
        gc.unfreeze()


def _dispatch(
    workers: list[_Worker],
    todo: _Queue,
    returned: Callable[[list[tuple[int, T]]], None],
    failed: Callable[[int, str], T] | None,
) -> None:
    busy = {id(w.conn): w for w in workers if _give(w, todo)}
    while busy:
        for conn in wait([w.conn for w in busy.values()]):
            worker = busy[id(conn)]
            try:
                kind, payload = worker.conn.recv()
            except (EOFError, OSError):
                del busy[id(conn)]
                worker.process.join()
                reason = f"{WORKER_GONE} (exit code {worker.process.exitcode}): rerun to retry"
                chunk = worker.chunk or range(0)
                if failed is None:
                    todo.put_back(worker.share, chunk)
                else:
                    returned([(i, failed(i, reason)) for i in chunk])
                continue
            if kind == "error":
                raise payload
            if not _give(worker, todo):  # the worker goes on while its results are written
                del busy[id(conn)]
            returned(payload)


def _give(worker: _Worker, todo: _Queue) -> bool:
    worker.chunk = todo.take(worker.share)
    if worker.chunk is None:
        worker.conn.close()  # no more work: the worker exits
        return False
    worker.conn.send(worker.chunk)
    return True


def _stop(workers: list[_Worker]) -> None:
    """Close the pipes (a worker exits on end of file); kill any still busy (interrupted)."""
    for worker in workers:
        worker.conn.close()
    for worker in workers:
        if worker.chunk is not None and worker.process.is_alive():
            worker.process.kill()  # interrupted or failed: its files without records get redone
        worker.process.join()


def _serve(conn: Connection, others: list[Connection], make: Callable[[int], Any]) -> None:
    """A worker's loop: receive a chunk, make each item, send the results back."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for other in others:  # the parent's ends: so a dead parent means end of file here
        other.close()
    try:
        while True:
            chunk = conn.recv()
            try:
                results = [(i, make(i)) for i in chunk]
            except Exception as exc:  # a bug: the parent raises it, as without workers
                conn.send(("error", _picklable(exc)))
                return
            conn.send(("done", results))
    except (EOFError, OSError):  # no more work, or the parent is gone
        return


def _picklable(exc: Exception) -> Exception:
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc
