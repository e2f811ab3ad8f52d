"""Worker processes with a hard per-job timeout: a job that overruns is killed, not awaited.

Used for everything that parses untrusted bytes (feeds, pages), so a pathological document can
cost at most one timeout and one worker restart, never the run.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from multiprocessing import resource_tracker
from typing import Any

_CONTEXT = multiprocessing.get_context("spawn")  # no fork of a process that has threads
# A worker says it has a job in hand (process started, job unpickled, the job's modules
# imported) before running it: the job's time limit counts from then, so a worker's start-up
# on a loaded machine is never charged to the page. Start-up has a limit of its own.
_STARTED = "started"
STARTUP_TIMEOUT = 120.0
# A job that loads a model or dictionary once per process (a language's segmenter) says so:
# until it says "started" again, its clock is the start-up's, not the page's.
_LOADING = "loading"
_connection: multiprocessing.connection.Connection | None = None  # a worker's own


@contextlib.contextmanager
def loading() -> Iterator[None]:
    """Run code that loads something once per worker process under the start-up limit, not
    the job's time limit (a no-op outside a worker)."""
    if _connection is None:
        yield
        return
    _connection.send(_LOADING)
    try:
        yield
    finally:
        _connection.send(_STARTED)


@dataclass(frozen=True)
class WorkerReply:
    key: Hashable
    ok: bool
    value: Any = None
    error: str | None = None
    timed_out: bool = False
    seconds: float = 0.0


def _worker_main(conn: multiprocessing.connection.Connection, memory_bytes: int | None) -> None:
    # A terminal's Ctrl-C reaches every process of the group: the parent decides what stops
    # (and ends its workers); a worker that died of it would only print a traceback. Started
    # with SIGINT blocked (_Worker), it ignores it before letting it through.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    global _connection
    _connection = conn
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            # Leave at once: the interpreter's own teardown of every module a job loaded
            # (trafilatura, the segmenters) took a second per worker, at the end of every run.
            # Nothing is left to flush: the replies went through the pipe, which is closed.
            conn.close()
            os._exit(0)
        key, func, payload = message
        conn.send(_STARTED)
        try:
            conn.send((key, True, func(payload)))
        except MemoryError:
            conn.send((key, False, "out of memory in worker"))
        except Exception as exc:  # noqa: BLE001 - any failure of one document is its outcome
            conn.send((key, False, f"{type(exc).__name__}: {exc}"))


class _Worker:
    def __init__(self, memory_bytes: int | None) -> None:
        self.conn, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(
            target=_worker_main, args=(child, memory_bytes), daemon=True, name="newswatch-worker"
        )
        # SIGINT blocked while the worker starts (it inherits the mask), so a Ctrl-C during its
        # start-up cannot kill it before it ignores SIGINT. The resource tracker unblocks
        # SIGINT in the thread that starts it: started first, it does so before, not after.
        resource_tracker.ensure_running()
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        child.close()
        self.key: Hashable | None = None
        self.sent = 0.0  # when the job was handed over
        self.started: float | None = None  # when the worker began running it

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()

    def ask_to_stop(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self.conn.send(None)

    def stop(self) -> None:
        self.ask_to_stop()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self.conn.close()


# Address space (RLIMIT_AS) a worker may map: a page that would blow up stops there, as an
# "out of memory" outcome. Mapped, not resident: Korean's model (kiwipiepy) maps 1.4 GB and
# Japanese's dictionary (MeCab) 0.26 GB, so a worker that had read both languages could not
# map the third segmenter under the earlier 2 GiB (pages failed as score_error/worker_error
# depending on which language a worker met first); resident memory stays under 1 GB.
WORKER_ADDRESS_SPACE = 4 * 1024**3


class WorkerPool:
    """A small process pool: submit jobs, poll outcomes; overdue jobs are killed and reported."""

    def __init__(
        self, workers: int, timeout: float, memory_bytes: int | None = WORKER_ADDRESS_SPACE
    ) -> None:
        self.size = max(1, workers)
        self.timeout = timeout
        self.memory_bytes = memory_bytes
        self._idle: list[_Worker] = []
        self._busy: list[_Worker] = []
        self._queue: deque[tuple[Hashable, Callable[[Any], Any], Any]] = deque()
        self.restarts = 0

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Start all workers now (they import their modules in parallel)."""
        while len(self._idle) + len(self._busy) < self.size:
            self._idle.append(_Worker(self.memory_bytes))

    @property
    def pending(self) -> int:
        return len(self._queue) + len(self._busy)

    def submit(self, key: Hashable, func: Callable[[Any], Any], payload: Any) -> None:
        self._queue.append((key, func, payload))
        self._dispatch()

    def _dispatch(self) -> None:
        while self._queue:
            if not self._idle:
                if len(self._busy) >= self.size:
                    return
                self._idle.append(_Worker(self.memory_bytes))
            worker = self._idle.pop()
            key, func, payload = self._queue.popleft()
            try:
                worker.conn.send((key, func, payload))
            except (BrokenPipeError, OSError):
                worker.kill()
                self.restarts += 1
                self._queue.appendleft((key, func, payload))
                continue
            worker.key = key
            worker.sent, worker.started = time.monotonic(), None
            self._busy.append(worker)

    def poll(self, timeout: float = 0.05) -> list[WorkerReply]:
        """Outcomes ready within ``timeout`` seconds, including jobs killed for overrunning."""
        self._dispatch()
        outcomes: list[WorkerReply] = []
        if not self._busy:
            return outcomes
        now = time.monotonic()
        next_deadline = min(self._deadline(w) for w in self._busy)
        wait_for = max(0.0, min(timeout, next_deadline - now))
        ready = multiprocessing.connection.wait([w.conn for w in self._busy], wait_for)
        for worker in list(self._busy):
            if worker.conn in ready:
                outcome = self._receive(worker)
                if outcome is not None:
                    outcomes.append(outcome)
            elif time.monotonic() > self._deadline(worker):
                if worker.started is None:
                    error = f"worker did not start within {STARTUP_TIMEOUT:g}s"
                    elapsed = time.monotonic() - worker.sent
                else:
                    error = f"killed after {self.timeout:g}s"
                    elapsed = time.monotonic() - worker.started
                outcomes.append(
                    WorkerReply(worker.key, False, error=error, timed_out=True, seconds=elapsed)
                )
                self._replace(worker)
        self._dispatch()
        return outcomes

    def _deadline(self, worker: _Worker) -> float:
        if worker.started is None:
            return worker.sent + STARTUP_TIMEOUT
        return worker.started + self.timeout

    def _receive(self, worker: _Worker) -> WorkerReply | None:
        """The worker's next message: None for "started" (its clock starts now)."""
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            since = worker.started if worker.started is not None else worker.sent
            self._replace(worker)
            return WorkerReply(
                worker.key, False, error="worker process died", seconds=time.monotonic() - since
            )
        if message == _STARTED:
            worker.started = time.monotonic()
            if worker.conn.poll():  # a quick job's result may already be waiting
                return self._receive(worker)
            return None
        if message == _LOADING:  # back under the start-up limit until it says "started"
            worker.sent, worker.started = time.monotonic(), None
            if worker.conn.poll():
                return self._receive(worker)
            return None
        key, ok, value = message
        elapsed = time.monotonic() - (worker.started or worker.sent)
        self._busy.remove(worker)
        self._idle.append(worker)
        if ok:
            return WorkerReply(key, True, value=value, seconds=elapsed)
        return WorkerReply(key, False, error=value, seconds=elapsed)

    def _replace(self, worker: _Worker) -> None:
        self._busy.remove(worker)
        worker.kill()
        self.restarts += 1

    def drain(self) -> Iterator[WorkerReply]:
        while self.pending:
            yield from self.poll(0.1)

    def close(self) -> None:
        for worker in self._busy:
            worker.kill()
        for worker in self._idle:
            worker.ask_to_stop()  # all at once: they end side by side
        for worker in self._idle:
            worker.stop()
        self._busy.clear()
        self._idle.clear()
        self._queue.clear()


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
