"""Extraction in chunks on other machines: a pool that ships pages in chunks, and what a chunk
runs where it lands (a Dask worker), still inside killable worker processes.

The main process keeps fetching, archiving and loading; only parsing untrusted bytes moves.
Shipping is injected (``ship``), so this module knows nothing of Prefect or Dask's API.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from flows.ingest.workers import WORKER_ADDRESS_SPACE, WorkerPool, WorkerReply

Job = tuple[Hashable, Callable[[Any], Any], Any]
# WorkerPool's error for a process that vanished; harvest maps this prefix to worker_error.
LOST = "worker process died"
WARM_UP_SECONDS = 120.0


class WorkerMisconfigured(RuntimeError):
    """A Dask worker that cannot start extraction processes: every chunk would fail alike."""


@dataclass(frozen=True)
class ChunkResult:
    """What one chunk came to, and where it ran."""

    outcomes: list[WorkerReply]
    worker: str  # the Dask worker's address, or "local"
    host: str
    pid: int
    seconds: float  # wall time inside the task, from first page to last outcome
    restarts: int = 0  # extraction processes killed (time limit, crash) and replaced


@dataclass(frozen=True)
class ChunkSpec:
    """Limits a chunk runs under, from the main process's settings."""

    timeout: float
    memory_bytes: int | None = WORKER_ADDRESS_SPACE


_POOLS = threading.local()  # one extraction process per Dask worker thread, reused by chunks


def _worker_address() -> str:
    try:
        from distributed import get_worker
    except ImportError:  # extraction can run where distributed is not installed
        return "local"
    try:
        return str(get_worker().address)
    except ValueError:  # not inside a Dask worker
        return "local"


def _thread_pool(spec: ChunkSpec) -> WorkerPool:
    pool: WorkerPool | None = getattr(_POOLS, "pool", None)
    if pool is None or (pool.timeout, pool.memory_bytes) != (spec.timeout, spec.memory_bytes):
        if pool is not None:
            pool.close()
        if multiprocessing.current_process().daemon:
            raise WorkerMisconfigured(
                "this Dask worker is a daemon process and cannot start extraction processes: "
                "start it with DASK_DISTRIBUTED__WORKER__DAEMON=False"
            )
        # A new process imports trafilatura (seconds on a busy machine) before its first job:
        # that must not count against the first page's time limit.
        pool = WorkerPool(1, spec.timeout, spec.memory_bytes)
        pool.start()
        _warm(pool)
        _POOLS.pool = pool
    return pool


def _warm(pool: WorkerPool) -> None:
    timeout, pool.timeout = pool.timeout, max(pool.timeout, WARM_UP_SECONDS)
    try:
        pool.submit("warm-up", warm_up, None)
        list(pool.drain())
    finally:
        pool.timeout = timeout


def warm_up(_: object) -> bool:
    """Run in a new extraction process: import what page jobs need."""
    import flows.ingest.jobs  # noqa: F401 - the import is the point

    return True


def run_chunk(jobs: list[Job], spec: ChunkSpec) -> ChunkResult:
    """Run each job in this thread's extraction process, killed at the time limit.

    One process per Dask worker thread: the worker's ``--nthreads`` sets how many cores a
    machine gives to extraction, and a chunk never waits for another chunk's process.
    """
    started = time.perf_counter()
    pool = _thread_pool(spec)
    restarts = pool.restarts
    outcomes: list[WorkerReply] = []
    for key, func, payload in jobs:  # one process: one job at a time anyway
        before = pool.restarts
        pool.submit(key, func, payload)
        outcomes += pool.drain()
        if pool.restarts != before:
            _warm(pool)  # the replacement process imports before the next page's clock starts
    restarts_now = pool.restarts
    return ChunkResult(
        outcomes,
        _worker_address(),
        socket.gethostname(),
        os.getpid(),
        time.perf_counter() - started,
        restarts_now - restarts,
    )


class Shipped(Protocol):
    """A chunk on its way: whatever the shipping engine returns, adapted to this."""

    def done(self) -> bool: ...

    def result(self) -> ChunkResult:
        """The chunk's result; raises if the chunk was lost."""
        ...


Ship = Callable[[list[Job]], Shipped]


@dataclass
class ChunkLog:
    """Where chunks ran and what they cost, for the run report."""

    chunks: int = 0
    pages: int = 0
    lost_chunks: int = 0
    restarts: int = 0  # extraction processes killed at the time limit (or crashed), replaced
    task_seconds: float = 0.0  # summed inside the tasks
    round_trip_seconds: float = 0.0  # summed from shipping to result, queueing included
    workers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, result: ChunkResult, round_trip: float) -> None:
        self.chunks += 1
        self.pages += len(result.outcomes)
        self.task_seconds += result.seconds
        self.restarts += result.restarts
        self.round_trip_seconds += round_trip
        entry = self.workers.setdefault(
            result.worker, {"host": result.host, "pids": [], "chunks": 0, "pages": 0}
        )
        entry["chunks"] += 1
        entry["pages"] += len(result.outcomes)
        if result.pid not in entry["pids"]:
            entry["pids"].append(result.pid)

    def as_dict(self) -> dict[str, Any]:
        return {
            "chunks": self.chunks,
            "pages": self.pages,
            "lost_chunks": self.lost_chunks,
            "restarts": self.restarts,
            "task_seconds": round(self.task_seconds, 3),
            "round_trip_seconds": round(self.round_trip_seconds, 3),
            "workers": self.workers,
        }


class ChunkedPool:
    """The WorkerPool interface (submit, poll, drain, pending), but jobs go out in chunks.

    A chunk is shipped when it is full, when the caller polls with a timeout (it has nothing
    else to feed: harvest does so once every fetch is done), or when its first job has waited
    ``linger`` seconds (slow, polite fetching must not hold pages back). A chunk that is lost
    for good (its task failed after the engine's own retries) comes back as one failed
    outcome per job, so the caller records every page and the next run tries them again.
    """

    def __init__(self, ship: Ship, chunk_size: int, linger: float = 2.0) -> None:
        self._ship_fn = ship
        self.chunk_size = max(1, chunk_size)
        self.linger = linger
        self._buffer: list[Job] = []
        self._buffered_at = 0.0
        self._in_flight: list[tuple[Shipped, list[Job], float]] = []
        self.log = ChunkLog()

    def start(self) -> None:
        return None

    @property
    def pending(self) -> int:
        return len(self._buffer) + sum(len(jobs) for _, jobs, _ in self._in_flight)

    def submit(self, key: Hashable, func: Callable[[Any], Any], payload: Any) -> None:
        if not self._buffer:
            self._buffered_at = time.monotonic()
        self._buffer.append((key, func, payload))
        if len(self._buffer) >= self.chunk_size:
            self._ship()

    def _ship(self) -> None:
        if not self._buffer:
            return
        jobs, self._buffer = self._buffer, []
        self._in_flight.append((self._ship_fn(jobs), jobs, time.monotonic()))

    def poll(self, timeout: float = 0.05) -> list[WorkerReply]:
        """Outcomes of the chunks that finished within ``timeout`` seconds."""
        if self._buffer and (timeout > 0 or time.monotonic() - self._buffered_at >= self.linger):
            self._ship()
        deadline = time.monotonic() + timeout
        while True:
            outcomes = self._collect()
            if outcomes or not self._in_flight or time.monotonic() >= deadline:
                return outcomes
            time.sleep(min(0.01, max(0.0, deadline - time.monotonic())))

    def _collect(self) -> list[WorkerReply]:
        outcomes: list[WorkerReply] = []
        for entry in [e for e in self._in_flight if e[0].done()]:
            self._in_flight.remove(entry)
            shipped, jobs, shipped_at = entry
            try:
                result = shipped.result()
            except WorkerMisconfigured:
                raise  # the same on every chunk: stop the run with the reason
            except Exception as exc:  # noqa: BLE001 - a lost chunk is a per-page outcome
                self.log.lost_chunks += 1
                reason = f"{LOST}: chunk lost: {type(exc).__name__}: {exc}"[:300]
                outcomes += [WorkerReply(key, False, error=reason) for key, _, _ in jobs]
                continue
            self.log.add(result, time.monotonic() - shipped_at)
            outcomes += result.outcomes
        return outcomes

    def drain(self) -> Iterator[WorkerReply]:
        self._ship()
        while self.pending:
            yield from self.poll(0.1)

    def close(self) -> None:
        self._buffer.clear()
        self._in_flight.clear()  # results nobody waits for are dropped by the engine
