"""Prefect glue for extraction past one machine: NEWSWATCH_DASK_ADDRESS picks prefect-dask's
DaskTaskRunner for the ingest flow, and pages go to it in chunks as ``extract-chunk`` tasks.

Fetching (politeness is global), archiving and the single DuckDB writer stay in this process;
only extraction, the CPU-bound part, moves (docs/scaling.md says why).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from prefect import Flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture
from prefect.settings import PREFECT_API_URL

from flows.core.errors import ConfigError
from flows.core.settings import Settings
from flows.ingest.chunks import ChunkedPool, ChunkResult, ChunkSpec, Job, run_chunk
from flows.ingest.harvest import Harvester
from flows.ingest.workers import cpu_count

F = TypeVar("F", bound=Flow)
INSTALL_HINT = "install it with: pip install 'newswatch[dask]' (on this machine and every worker)"


def describe_engine(settings: Settings) -> str:
    if settings.dask_address is None:
        return f"local worker pool ({settings.extract_workers} processes)"
    if settings.dask_address == "local":
        return f"Dask LocalCluster ({cpu_count()} workers)"
    return f"Dask cluster at {settings.dask_address}"


def _check_reachable(address: str) -> None:
    parts = urlsplit(address)
    try:
        with socket.create_connection((parts.hostname, parts.port or 0), timeout=5):
            pass
    except OSError as exc:
        raise ConfigError(
            f"cannot reach the Dask scheduler at {address} ({exc}): start it with "
            "`dask scheduler` (docs/scaling.md) or fix NEWSWATCH_DASK_ADDRESS"
        ) from exc


def _is_loopback(host: str | None) -> bool:
    if host in (None, "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host)).is_loopback
    except ValueError:
        return False


def _check_api_reachable_from(address: str) -> None:
    """Workers on other machines record their task runs in Prefect's API: it must not be one
    only this machine can reach (the temporary API Prefect starts on 127.0.0.1)."""
    if _is_loopback(urlsplit(address).hostname):
        return
    api = PREFECT_API_URL.value()
    if not api or _is_loopback(urlsplit(api).hostname):
        raise ConfigError(
            f"the Dask workers behind {address} cannot reach a Prefect API on this machine's "
            f"loopback ({api or 'the temporary API'}): run `prefect server start --host "
            "0.0.0.0` and set PREFECT_API_URL=http://<this-host>:4200/api (docs/scaling.md)"
        )


def dask_task_runner(settings: Settings) -> Any | None:
    """prefect-dask's task runner for ``settings.dask_address``; None for the local pool."""
    if settings.dask_address is None:
        return None
    try:
        import dask
        from prefect_dask import DaskTaskRunner
    except ImportError as exc:
        raise ConfigError(
            f"NEWSWATCH_DASK_ADDRESS is set but prefect-dask is not installed; {INSTALL_HINT}"
        ) from exc
    # A chunk carries its pages (~25 MB for 250 pages of 100 KB): expected, not a mistake.
    dask.config.set({"distributed.admin.large-graph-warning-threshold": "256MB"})
    # Dask's own INFO lines (workers joining, closing) only when Prefect logs at INFO too.
    level = logging.getLogger("prefect").getEffectiveLevel()
    logging.getLogger("distributed").setLevel(level)
    dask.config.set({"logging.distributed": logging.getLevelName(level).lower()})
    if settings.dask_address == "local":
        # Dask workers start extraction processes of their own: they must not be daemons.
        dask.config.set({"distributed.worker.daemon": False})
        # The workers set their logging up on import, before the nanny hands them config.
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", logging.getLevelName(level).lower())
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": cpu_count(),
                "threads_per_worker": 1,
                "processes": True,
                # a free port on this machine only: never 8787 taken by another cluster, never
                # a dashboard open to the network
                "dashboard_address": "127.0.0.1:0",
                "silence_logs": level,
            }
        )
    _check_api_reachable_from(settings.dask_address)
    _check_reachable(settings.dask_address)
    return DaskTaskRunner(address=settings.dask_address)


def with_task_runner(flow: F, settings: Settings) -> F:
    """The flow as configured: on Dask when NEWSWATCH_DASK_ADDRESS is set, else unchanged."""
    runner = dask_task_runner(settings)
    return flow if runner is None else cast(F, flow.with_options(task_runner=runner))


@task(name="extract-chunk", cache_policy=NO_CACHE)
def extract_chunk(jobs: list[Job], spec: ChunkSpec) -> ChunkResult:
    """Extract a chunk of pages where Dask placed this task, in killable processes."""
    result = run_chunk(jobs, spec)
    get_run_logger().info(
        "%d pages extracted on %s (host %s, pid %d) in %.2fs",
        len(result.outcomes),
        result.worker,
        result.host,
        result.pid,
        result.seconds,
    )
    return result


class _Shipped:
    """A submitted chunk, polled through the Dask future without asking Prefect's API."""

    def __init__(self, future: PrefectFuture[ChunkResult]) -> None:
        self._future = future

    def done(self) -> bool:
        return bool(self._future.wrapped_future.done())  # type: ignore[attr-defined]

    def result(self) -> ChunkResult:
        return self._future.result()


def chunked_pool(settings: Settings) -> ChunkedPool:
    """A pool whose jobs go, ``dask_chunk_pages`` at a time, to the flow's task runner."""
    spec = ChunkSpec(timeout=settings.extract_timeout)

    def ship(jobs: list[Job]) -> _Shipped:
        return _Shipped(extract_chunk.submit(jobs, spec))

    return ChunkedPool(ship, settings.dask_chunk_pages)


def dask_slots() -> int:
    """Threads across the cluster's workers: chunks that can run at once."""
    context = FlowRunContext.get()
    client = getattr(context.task_runner, "client", None) if context else None
    if client is None:
        return 1
    return max(1, sum(client.nthreads().values()))


def pages_to_dask(settings: Settings, harvester: Harvester) -> int:
    """Send this run's page extraction to the flow's Dask task runner; returns how many pages
    to hand each harvest batch so that every worker thread has a chunk and one queued."""
    context = FlowRunContext.get()
    if settings.dask_address is None or context is None:
        return settings.batch_size
    if not isinstance(harvester.page_pool, ChunkedPool):
        harvester.page_pool = chunked_pool(settings)
    slots = dask_slots()
    get_run_logger().info(
        "extracting pages on %s: %d worker threads, %d pages per task",
        describe_engine(settings),
        slots,
        settings.dask_chunk_pages,
    )
    return max(settings.batch_size, settings.dask_chunk_pages * slots * 2)


def extraction_summary(settings: Settings, harvester: Harvester) -> dict[str, Any]:
    """Where extraction ran in this run, for the report (raw.runs.summary)."""
    summary: dict[str, Any] = {"engine": describe_engine(settings)}
    if isinstance(harvester.page_pool, ChunkedPool):
        summary.update(harvester.page_pool.log.as_dict())
    return summary
