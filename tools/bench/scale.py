"""Past one machine, measured: extraction throughput on the local pool against Dask (the same
pages, the same flow glue as a run), the cost of one chunk's round trip, and publish time at
two warehouse sizes in each publish mode."""

from __future__ import annotations

import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prefect import flow
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.core.settings import Settings
from flows.ingest.jobs import PageJob, run_page_job
from flows.ingest.workers import WorkerPool, cpu_count
from flows.orchestration.cluster import chunked_pool, dask_slots, with_task_runner
from flows.warehouse.publish import publish

Log = Callable[[str], None]
OVERHEAD_CHUNKS = 20
TINY_PAGE = b"<html><body><p>A short page.</p></body></html>"


def _jobs(pages: Path, count: int) -> list[PageJob]:
    files = sorted(pages.glob("*.html"))[:count]
    return [
        PageJob(f.stem, f"http://bench.example/{f.name}", f.read_bytes(), "text/html")
        for f in files
    ]


def _pool_throughput(jobs: list[PageJob], workers: int) -> dict[str, Any]:
    with WorkerPool(workers, 60.0) as pool:
        pool.start()
        for index in range(workers):  # warm: every process has imported trafilatura
            pool.submit(f"warm-{index}", run_page_job, jobs[index % len(jobs)])
        list(pool.drain())
        started = time.perf_counter()
        for job in jobs:
            pool.submit(job.article_id, run_page_job, job)
        done = sum(outcome.ok for outcome in pool.drain())
        seconds = time.perf_counter() - started
    return {
        "pages": done,
        "seconds": round(seconds, 2),
        "pages_per_second": round(done / seconds, 1),
    }


@flow(name="bench-dask-extraction")
def _dask_measurements(settings: Settings, pages: Path, count: int) -> dict[str, Any]:
    """Inside a flow on the Dask task runner, as ingest runs: warm-up, throughput, overhead.
    (Pages are read here: flow parameters are recorded by the Prefect API.)"""
    jobs = _jobs(pages, count)
    slots = dask_slots()
    warm = chunked_pool(settings)
    warm.chunk_size = 1
    for index in range(slots * 2):  # one tiny chunk per worker thread (and one more)
        warm.submit(
            f"warm-{index}", run_page_job, PageJob(f"w{index}", "http://w/", TINY_PAGE, "text/html")
        )
    list(warm.drain())

    pool = chunked_pool(settings)
    started = time.perf_counter()
    for job in jobs:
        pool.submit(job.article_id, run_page_job, job)
    done = sum(outcome.ok for outcome in pool.drain())
    seconds = time.perf_counter() - started

    # One tiny page a chunk, one chunk at a time: what a task costs beyond its work.
    overheads = []
    for index in range(OVERHEAD_CHUNKS):
        single = chunked_pool(settings)
        single.submit(
            f"o{index}", run_page_job, PageJob(f"o{index}", "http://o/", TINY_PAGE, "text/html")
        )
        list(single.drain())
        overheads.append(single.log.round_trip_seconds - single.log.task_seconds)
    return {
        "worker_threads": slots,
        "chunk_pages": settings.dask_chunk_pages,
        "chunks": pool.log.chunks,
        "pages": done,
        "seconds": round(seconds, 2),
        "pages_per_second": round(done / seconds, 1),
        "chunk_overhead_ms_median": round(1000 * statistics.median(overheads), 1),
        "chunk_overhead_ms_max": round(1000 * max(overheads), 1),
    }


def extraction_throughput(pages: Path, count: int, log: Log) -> dict[str, Any]:
    jobs = _jobs(pages, count)
    workers = cpu_count()
    log(f"extraction of {len(jobs)} pages: local pool of {workers} processes …")
    local = _pool_throughput(jobs, workers)
    log(f"  {local['pages_per_second']} pages/s; Dask LocalCluster ({workers} workers) …")
    chunk = max(1, min(250, len(jobs) // (2 * workers)))  # every worker gets chunks
    settings = Settings(dask_address="local", dask_chunk_pages=chunk)
    dask = with_task_runner(_dask_measurements, settings)(settings, pages, count)
    log(
        f"  {dask['pages_per_second']} pages/s; a chunk's round trip beyond its work: "
        f"{dask['chunk_overhead_ms_median']} ms (median)"
    )
    return {"local_pool": local, "dask_local_cluster": dask}


def publish_costs(
    work: Path, sizes: tuple[int, ...], pool: list[str], log: Log
) -> list[dict[str, Any]]:
    """Each mode on the same synthetic warehouses: the first publish, then one after 1% new
    articles (an hourly run's worth)."""
    from tools.bench.run import synthetic_warehouse

    rows = []
    for articles in sizes:
        template = work / f"publish-{articles}" / "template.duckdb"
        log(f"publish: synthetic warehouse of {articles:,} articles …")
        synthetic_warehouse(template, articles, 6, pool, with_tone=True)
        for mode in ("file", "snapshots"):
            settings = Settings(
                warehouse=work / f"publish-{articles}" / mode / "bench.duckdb",
                publish=mode,
                snapshot_keep=2,
                snapshot_min_age=0,
            )
            shutil.rmtree(settings.warehouse.parent, ignore_errors=True)
            settings.writer_dir.mkdir(parents=True)
            shutil.copyfile(template, settings.work_database)
            first = publish(settings)
            synthetic_warehouse(
                settings.work_database, articles // 100, 6, pool, with_tone=True, first=articles
            )
            second = publish(settings)
            row = {
                "articles": articles,
                "mode": mode,
                "database_mb": round(settings.work_database.stat().st_size / 1e6, 1),
                "first_seconds": round(first.seconds, 2),
                "after_1pct_seconds": round(second.seconds, 2),
                "after_1pct_written_mb": round(second.bytes / 1e6, 1),
            }
            if second.snapshot is not None:
                row["after_1pct_files_written"] = second.snapshot.files_written
                row["after_1pct_files_reused"] = second.snapshot.files_reused
            rows.append(row)
            log(
                f"  {mode}: first {row['first_seconds']} s, after 1% new "
                f"{row['after_1pct_seconds']} s ({row['after_1pct_written_mb']} MB written)"
            )
        shutil.rmtree(template.parent, ignore_errors=True)
    return rows


def scale_benchmark(
    pages: Path, work: Path, pool: list[str], quick: bool, log: Log, api_url: str | None = None
) -> dict[str, Any]:
    count = 400 if quick else 2_000
    sizes = (10_000, 50_000) if quick else (100_000, 1_000_000)
    with temporary_settings({PREFECT_API_URL: api_url} if api_url else {}):
        extraction = extraction_throughput(pages, count, log)
    return {"extraction": extraction, "publish": publish_costs(work, sizes, pool, log)}
