"""Per-page CPU of each stage a page goes through, measured one stage at a time on the same
synthetic pages in one process (so the stages do not blur into each other as they do in a
run, where they overlap on two cores). Usage: ``python -m tools.bench.stages [PAGES]``.

Fetching is served by the benchmark's HTTP server in its own process, as in ``make bench``.
"""

from __future__ import annotations

import gc
import pickle
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flows.core.records import FetchResult, LoggedFetch, PageAnalysis, PageOutcome
from flows.core.settings import Settings
from flows.core.statuses import ArticleStatus, PageStatus, TextSource
from flows.ingest.archive import ArchiveWriter
from flows.ingest.harvest import PAGE_ACCEPT
from flows.ingest.http_client import HttpClient
from flows.ingest.jobs import PageJob, run_page_job
from flows.text.analysis import analyse_text
from flows.text.extract import extract_page
from tools.bench.corpus import HOSTS, build_corpus, host_name, load_vocabulary, make_article
from tools.bench.run import BenchServer


def _process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(
    step: Callable[..., Any], *args: Any, clock: Callable[[], float] = time.thread_time
) -> float:
    started = clock()
    step(*args)
    return clock() - started


SEED_ARTICLES = (
    "insert into raw.articles (article_id, canonical_url, url, status, fetch_attempts, "
    "first_seen_at, loaded_at, run_id) "
    "select i::varchar, 'u' || i, 'u' || i, 'pending', 0, now(), now(), 'r' from range({}) as t(i)"
)


def _settings(server: BenchServer, database: Path) -> Settings:
    """Settings that reach the benchmark server's hosts, without politeness delays."""
    return Settings(
        warehouse=database,
        host_map={f"{host_name(h)}:80": f"127.0.0.1:{server.port}" for h in range(HOSTS)},
        private_allowlist=(f"127.0.0.1:{server.port}",),
        per_host_delay=0.0,
        per_host_concurrency=8,
    )


def measure(pages: int, work: Path) -> dict[str, float]:
    """Milliseconds of CPU per page for each stage."""
    from flows import warehouse

    corpus = build_corpus(work / "corpus", pages, feeds=1)
    vocabulary = load_vocabulary()
    urls = [make_article(i, vocabulary).url for i in range(pages)]
    server = BenchServer(corpus)
    spent: dict[str, float] = dict.fromkeys(
        ("fetch", "archive", "ipc", "extract", "sentences_tone", "load"), 0.0
    )
    try:
        settings = _settings(server, work / "stages.duckdb")
        results: list[FetchResult] = []
        with HttpClient(settings) as client:
            client.fetch(urls[0], accept=PAGE_ACCEPT)  # robots.txt and a connection, once
            for url in urls:
                spent["fetch"] += _timed(
                    lambda u: results.append(client.fetch(u, accept=PAGE_ACCEPT)), url
                )
        logged_fetches = []
        with ArchiveWriter(settings.archive_path, "stages") as archive:
            for result in results:
                spent["archive"] += _timed(
                    lambda r: logged_fetches.append(LoggedFetch.of(r, archive.write(r))), result
                )
        outcomes = []
        for index, (result, logged) in enumerate(zip(results, logged_fetches, strict=True)):
            job = PageJob(str(index), result.final_url, result.body, result.content_type)
            extraction = extract_page(job.body, job.url, job.content_type)
            spent["extract"] += _timed(extract_page, job.body, job.url, job.content_type)
            assert extraction.status is PageStatus.OK and extraction.text
            spent["sentences_tone"] += _timed(analyse_text, extraction.title, extraction.text)
            analysis: PageAnalysis = run_page_job(job)
            # What the main process does per page to hand a job over and take its result.
            payload = pickle.dumps(analysis, pickle.HIGHEST_PROTOCOL)
            spent["ipc"] += _timed(
                lambda j, p: (pickle.dumps(j, pickle.HIGHEST_PROTOCOL), pickle.loads(p)),
                job,
                payload,
            )
            outcomes.append(
                PageOutcome(str(index), logged, ArticleStatus.OK, None, analysis, TextSource.PAGE)
            )
        with warehouse.open_warehouse(settings.work_database) as con:
            con.execute(SEED_ARTICLES.format(int(pages)))
            for start in range(0, pages, 50):
                chunk = outcomes[start : start + 50]
                spent["load"] += _timed(
                    warehouse.load_page_outcomes, con, "stages", chunk, clock=_process_cpu
                )
    finally:
        server.stop()
    return {stage: round(1000 * seconds / pages, 2) for stage, seconds in spent.items()}


def harvest_main_process(pages: int, work: Path, batch: int = 250) -> dict[str, float]:
    """Milliseconds of this process's CPU per page while the real harvest runs (fetch
    threads, archive, hand-over to the two extraction workers, loader thread, DuckDB), and
    of that, the wall time spent in garbage collection."""
    import flows.orchestration.pipeline  # noqa: F401 - a run's main process holds Prefect's heap too
    from flows.core.records import PendingArticle
    from flows.ingest.harvest import BackgroundLoader, Harvester

    corpus = build_corpus(work / "harvest-corpus", pages, feeds=1)
    vocabulary = load_vocabulary()
    articles = [PendingArticle(str(i), make_article(i, vocabulary).url) for i in range(pages)]
    server = BenchServer(corpus)
    collecting = [0.0, 0.0]  # started at, total

    def on_collection(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            collecting[0] = time.perf_counter()
        else:
            collecting[1] += time.perf_counter() - collecting[0]

    try:
        settings = _settings(server, work / "harvest.duckdb")
        harvester = Harvester(settings, "stages")
        try:
            con = harvester.database()
            con.execute(SEED_ARTICLES.format(int(pages)))
            gc.callbacks.append(on_collection)
            started = _process_cpu()
            for start in range(0, pages, batch):
                with BackgroundLoader(con, "stages") as loader:
                    harvester.harvest(articles[start : start + batch], None, loader.load)
            cpu = _process_cpu() - started
        finally:
            if on_collection in gc.callbacks:
                gc.callbacks.remove(on_collection)
            harvester.close()
    finally:
        server.stop()
    return {
        "main_process": round(1000 * cpu / pages, 2),
        "of_which_gc_wall": round(1000 * collecting[1] / pages, 2),
    }


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory(prefix="newswatch-stages-") as work:
        budget = measure(pages, Path(work))
        harvest = harvest_main_process(pages, Path(work))
    width = max(map(len, budget))
    print(f"CPU per page over {pages} pages (ms):")
    for stage, ms in budget.items():
        print(f"  {stage:<{width}}  {ms:6.2f}")
    print(f"  {'total':<{width}}  {sum(budget.values()):6.2f}")
    print("Harvest in one run, CPU of the main process per page (ms):")
    for name, ms in harvest.items():
        print(f"  {name:<{width}}  {ms:6.2f}")


if __name__ == "__main__":
    main()
