"""Harvest: fetch feeds and pages, archive every response, parse/extract in worker processes.

Fetching (threads) and extraction (processes) overlap: a page goes to a worker as soon as it has
arrived and been archived, so both cores stay busy while the network is slow.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from typing import cast

import duckdb

from flows import warehouse
from flows.core.faults import crash_point
from flows.core.records import (
    ArchiveRef,
    Extraction,
    FeedFetch,
    FeedState,
    FetchResult,
    LanguageGuess,
    LoggedFetch,
    PageAnalysis,
    PageOutcome,
    ParsedFeed,
    PendingArticle,
    page_status,
    sha256,
)
from flows.core.settings import Settings
from flows.core.statuses import ArticleStatus, FeedStatus, FetchStatus, PageStatus, TextSource
from flows.ingest.archive import ArchiveWriter, RecordError, read_response
from flows.ingest.chunks import LOST, ChunkedPool
from flows.ingest.http_client import HttpClient
from flows.ingest.jobs import (
    FeedJob,
    PageJob,
    analyse_stored_texts,
    detect_stored_languages,
    run_feed_job,
    run_page_job,
)
from flows.ingest.workers import WorkerPool, WorkerReply
from flows.text.analysis import analyse_stand_in

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
MIN_SUMMARY_WORDS = 12  # a feed summary shorter than this is not worth standing in for text
# Pages loaded per transaction while a batch is harvested: small enough that the last chunk's
# load (the only one nothing overlaps) is short, big enough to stay a bulk load.
LOAD_CHUNK = 50
# Stored texts read per query, and per worker job, when languages are detected in bulk.
LANGUAGE_BATCH = 2000
LANGUAGE_JOB = 250

log = logging.getLogger(__name__)

Progress = Callable[[str, int], None]


class _GarbageCollection:
    """Fewer, cheaper collections while a harvest runs in this process.

    A batch's outcomes (some 600 objects a page: sentences, tones, rows) stay alive until the
    batch is done, so CPython's default thresholds ran full collections every few dozen
    pages, each walking them and everything Prefect had imported: about 1 ms of the main
    process's 4.3 ms a page (docs/benchmarks.md). What exists now (imports, settings) is
    frozen out of collection, and young objects are collected every 20,000 allocations
    instead of 700. Restored when the harvester closes.
    """

    THRESHOLDS = (20_000, 20, 20)

    def __init__(self) -> None:
        self.previous = gc.get_threshold()
        gc.collect()
        gc.freeze()
        gc.set_threshold(*self.THRESHOLDS)

    def restore(self) -> None:
        gc.set_threshold(*self.previous)
        gc.unfreeze()


class Harvester:
    """The network and CPU resources of one run in one process. Close it when done."""

    def __init__(self, settings: Settings, run_id: str) -> None:
        self.settings = settings
        self.run_id = run_id
        self._gc = _GarbageCollection()
        self.client = HttpClient(settings)
        self.archive = ArchiveWriter(settings.archive_path, run_id)
        self.pool = WorkerPool(settings.extract_workers, settings.extract_timeout)
        self.pool.start()
        # Pages may go elsewhere (flows.ingest.chunks: a Dask cluster); feeds always parse here.
        self.page_pool: WorkerPool | ChunkedPool = self.pool
        # Seconds spent per stage (summed over threads and workers), for the benchmark.
        self.profile: Counter[str] = Counter()
        self._profile_lock = threading.Lock()
        self._database: duckdb.DuckDBPyConnection | None = None

    def _add_profile(self, **seconds: float) -> None:
        with self._profile_lock:
            self.profile.update(seconds)

    def database(self) -> duckdb.DuckDBPyConnection:
        """One connection to the working database for the whole run: opening and closing it
        per batch made DuckDB checkpoint (and rewrite its indexes) after every batch."""
        if self._database is None:
            self._database = warehouse.connect(
                self.settings.work_database, memory_limit=self.settings.duckdb_memory_limit
            )
            warehouse.migrate(self._database)
            # the loads run beside the extraction workers: their own cap and checkpoints
            warehouse.begin_loads(self._database, self.settings.load_memory_limit)
        return self._database

    def close(self) -> None:
        if self._database is not None:
            warehouse.end_loads(self._database, self.settings.duckdb_memory_limit)
            self._database.close()
            self._database = None
        if self.page_pool is not self.pool:
            self.page_pool.close()
        self.pool.close()
        self.archive.close()
        self.client.close()
        self._gc.restore()

    # -- feeds ------------------------------------------------------------------------------

    def fetch_feeds(
        self, feeds: list[FeedState], progress: Progress | None = None
    ) -> list[FeedFetch]:
        """Fetch, archive and parse the given feeds; every feed gets exactly one FeedFetch."""
        fetches = fetch_feeds(self.client, self.pool, feeds, self._archived, progress)
        self.archive.sync()
        return fetches

    def _archived(self, result: FetchResult) -> tuple[LoggedFetch, str | None]:
        """Archive a response: what the fetch log keeps, and why it could not be archived."""
        try:
            return LoggedFetch.of(result, self.archive.write(result)), None
        except RecordError as exc:
            log.error("%s: %s", result.final_url, exc)
            return LoggedFetch.of(result, None), str(exc)

    # -- pages ------------------------------------------------------------------------------

    def harvest(
        self,
        articles: list[PendingArticle],
        progress: Progress | None = None,
        on_outcomes: Callable[[list[PageOutcome]], None] | None = None,
        chunk: int = LOAD_CHUNK,
    ) -> list[PageOutcome]:
        """Fetch, archive, extract, split and score a batch of articles.

        ``on_outcomes`` receives them as they come, ``chunk`` at a time, each chunk's archive
        records already on disk, so it can load them while the rest are still being extracted.
        """
        by_id = {a.article_id: a for a in articles}
        logged_fetches: dict[str, LoggedFetch] = {}
        outcomes: list[PageOutcome] = []
        handed = 0

        def hand_over(minimum: int) -> None:
            nonlocal handed
            if on_outcomes is not None and len(outcomes) - handed >= minimum:
                self.archive.sync()  # no row may point at archive bytes not yet on disk
                on_outcomes(outcomes[handed:])
                handed = len(outcomes)

        def fetch(article: PendingArticle) -> tuple[FetchResult, LoggedFetch, str | None]:
            # Fetch and archive in the fetch thread: compression then runs beside extraction
            # (zlib releases the GIL) instead of queueing in the loop that feeds the workers.
            result = self.client.fetch(article.url, accept=PAGE_ACCEPT)
            archiving = time.perf_counter()
            logged, problem = self._archived(result)
            self._add_profile(
                page_fetch_busy=result.elapsed, archive=time.perf_counter() - archiving
            )
            return result, logged, problem

        with ThreadPoolExecutor(
            max_workers=self.settings.max_connections, thread_name_prefix="page"
        ) as executor:
            futures: dict[Future[tuple[FetchResult, LoggedFetch, str | None]], PendingArticle]
            futures = {executor.submit(fetch, a): a for a in by_id.values()}
            while futures or self.page_pool.pending:
                if futures:
                    done, _ = wait(
                        futures,
                        timeout=0.02 if self.page_pool.pending else None,
                        return_when=FIRST_COMPLETED,
                    )
                    for future in done:
                        article = futures.pop(future)
                        result, logged, problem = future.result()
                        crash_point("fetch")
                        if problem:
                            outcomes.append(
                                self._with_stand_in(
                                    article, logged, ArticleStatus.ARCHIVE_ERROR, problem
                                )
                            )
                        elif result.status is FetchStatus.OK:
                            logged_fetches[article.article_id] = logged
                            job = PageJob(
                                article.article_id,
                                result.final_url,
                                result.body,
                                result.content_type,
                                self.settings.min_article_words,
                            )
                            self.page_pool.submit(article.article_id, run_page_job, job)
                        else:
                            outcomes.append(self._failed(article, logged, result.error))
                            if progress:  # never extracted: the extraction total drops
                                progress("extracted:skipped", 1)
                        if progress:
                            progress("pages", 1)
                for job_outcome in self.page_pool.poll(0.0 if futures else 0.1):
                    article = by_id[str(job_outcome.key)]
                    outcomes.append(
                        self._extracted(article, logged_fetches[article.article_id], job_outcome)
                    )
                    if progress:
                        progress("extracted", 1)
                hand_over(chunk)
        self.archive.sync()
        hand_over(1)
        return outcomes

    def reextract(
        self, pages: list[warehouse.ArchivedPage], progress: Progress | None = None
    ) -> list[PageOutcome]:
        """Extract archived responses again: the archive, never the network, is the input."""
        by_id = {}
        for page in pages:
            ref = ArchiveRef(page.archive_file, page.archive_offset)
            response = read_response(self.settings.archive_path, ref)
            logged = LoggedFetch(
                fetch_id=page.fetch_id,
                url=page.url,
                final_url=response.url,
                fetched_at=response.fetched_at or datetime.now(UTC),
                status=FetchStatus.OK,
                http_status=response.http_status,
                content_type=response.header("content-type"),
                body_bytes=len(response.body),
                error=None,
                elapsed_ms=0,
                archive=ref,
            )
            article = PendingArticle(page.article_id, page.url, page.summary, page.title)
            by_id[page.article_id] = (article, logged, response.body)
        return self.extract(list(by_id.values()), progress)

    def extract(
        self,
        pages: list[tuple[PendingArticle, LoggedFetch, bytes]],
        progress: Progress | None = None,
    ) -> list[PageOutcome]:
        """Extract, split and score responses already in hand (an archive's): each article's
        outcome, as a fetched page's would be."""
        by_id = {}
        for article, logged, body in pages:
            by_id[article.article_id] = (article, logged)
            job = PageJob(
                article.article_id,
                logged.final_url or logged.url,
                body,
                logged.content_type,
                self.settings.min_article_words,
            )
            self.page_pool.submit(article.article_id, run_page_job, job)
        outcomes = []
        for outcome in self.page_pool.drain():
            outcomes.append(self._extracted(*by_id[str(outcome.key)], outcome))
            if progress:
                progress("extracted", 1)
        return outcomes

    def detect_languages(self, progress: Progress | None = None) -> Counter[str]:
        """Detect, in the workers, the language of every stored text that has none yet (or one
        from an older detector): how an existing warehouse upgrades, nothing fetched or
        re-extracted. Returns the articles per detected language ("failed": a job failed)."""
        con = self.loads_written()
        found: Counter[str] = Counter()
        after = ""
        while texts := warehouse.texts_without_language(con, after, LANGUAGE_BATCH):
            after = texts[-1].article_id
            jobs = [texts[i : i + LANGUAGE_JOB] for i in range(0, len(texts), LANGUAGE_JOB)]
            for number, job in enumerate(jobs):
                self.pool.submit(number, detect_stored_languages, job)
            for outcome in self.pool.drain():
                if not outcome.ok:  # left undetected: the next run tries again
                    log.warning("language detection failed for a batch: %s", outcome.error)
                    found["failed"] += len(jobs[cast(int, outcome.key)])
                    continue
                guesses: list[tuple[str, LanguageGuess]] = outcome.value
                warehouse.store_languages(con, guesses)
                found.update(guess.language for _, guess in guesses)
                if progress:
                    progress("languages", len(guesses))
        return found

    def loads_written(self) -> duckdb.DuckDBPyConnection:
        """The connection, with the pages' loads checkpointed into the database file. The
        loads gather up to LOAD_CHECKPOINT of WAL, whose rows DuckDB holds in memory until a
        checkpoint: after 100,000 pages they had filled the loads' 256 MB cap, and the next
        query over the stored texts ran out of memory."""
        con = self.database()
        con.execute("checkpoint")
        return con

    def analyse_stored(self, progress: Progress | None = None) -> int:
        """Analyse again, in the workers, every stored text whose sentences come from another
        analyser version (``flows.text.tokens.ANALYSER_VERSION``): how an existing warehouse
        gets the workers' tokens, runs and quotations, nothing fetched or re-extracted.
        Returns how many articles were analysed (a failed job's are tried on the next run)."""
        con = self.loads_written()
        analysed = 0
        after = ""
        while texts := warehouse.texts_without_analysis(con, after, LANGUAGE_BATCH):
            after = texts[-1].article_id
            jobs = [texts[i : i + LANGUAGE_JOB] for i in range(0, len(texts), LANGUAGE_JOB)]
            for number, job in enumerate(jobs):
                self.pool.submit(number, analyse_stored_texts, job)
            for outcome in self.pool.drain():
                if not outcome.ok:
                    log.warning("analysis of stored texts failed for a batch: %s", outcome.error)
                    continue
                analyses: list[PageAnalysis] = outcome.value
                warehouse.store_analyses(con, analyses)
                analysed += len(analyses)
                if progress:
                    progress("analysed", len(analyses))
        return analysed

    def _failed(
        self, article: PendingArticle, logged: LoggedFetch, error: str | None
    ) -> PageOutcome:
        status = page_status(logged, None)
        return self._with_stand_in(article, logged, status, error)

    def _extracted(
        self, article: PendingArticle, logged: LoggedFetch, outcome: WorkerReply
    ) -> PageOutcome:
        if outcome.ok:
            analysis: PageAnalysis = outcome.value
            names = ("extract_wall", "extract_cpu", "tone_wall", "tone_cpu")
            self._add_profile(**dict(zip(names, analysis.timings, strict=True)))
            status = page_status(logged, analysis)
            if analysis.extraction.status is PageStatus.OK:
                reason = analysis.extraction.reason
                if analysis.score_error:  # the text is kept; re-extraction scores it again
                    status, reason = (
                        ArticleStatus.SCORE_ERROR,
                        f"scoring failed: {analysis.score_error}",
                    )
                return PageOutcome(
                    article.article_id,
                    logged,
                    status,
                    reason,
                    analysis,
                    text_source=TextSource.PAGE,
                )
            return self._with_stand_in(
                article, logged, status, analysis.extraction.reason, analysis.extraction
            )
        status = ArticleStatus.TIMEOUT if outcome.timed_out else ArticleStatus.EXTRACT_ERROR
        if outcome.error and outcome.error.startswith(LOST):
            status = ArticleStatus.WORKER_ERROR
        return self._with_stand_in(article, logged, status, outcome.error)

    def _with_stand_in(
        self,
        article: PendingArticle,
        logged: LoggedFetch,
        status: ArticleStatus,
        reason: str | None,
        extraction: Extraction | None = None,
    ) -> PageOutcome:
        """A failed page keeps its status; the feed's summary stands in, marked as such."""
        text = article.summary
        if text and len(text.split()) >= MIN_SUMMARY_WORDS:
            analysis = analyse_stand_in(article.article_id, article.title, text)
            return PageOutcome(
                article.article_id,
                logged,
                status,
                reason,
                analysis,
                text_source=TextSource.FEED_SUMMARY,
            )
        unread = PageAnalysis(article.article_id, extraction) if extraction else None
        return PageOutcome(article.article_id, logged, status, reason, unread)


class BackgroundLoader:
    """Loads chunks of page outcomes into DuckDB in one thread beside the harvest, one
    transaction per chunk, so the workers keep extracting while a chunk is written.

    A failed chunk stops the harvest at the next hand-over (nothing later is loaded); leaving
    the ``with`` block waits for every chunk and raises the first load error, unless the
    harvest itself failed, whose error then wins (load errors are logged).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, run_id: str) -> None:
        self._con = con
        self._run_id = run_id
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="load")
        self._futures: list[Future[None]] = []
        self.articles_with_new_text = 0
        self.wall = 0.0
        self.cpu = 0.0  # of the loading thread (DuckDB's own threads come on top)

    def load(self, outcomes: list[PageOutcome]) -> None:
        for future in self._futures:
            if future.done():
                future.result()  # an earlier chunk failed: stop here, load nothing more
        self._futures.append(self._executor.submit(self._load, outcomes))

    def _load(self, outcomes: list[PageOutcome]) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        loaded = warehouse.load_page_outcomes(self._con, self._run_id, outcomes)
        self.articles_with_new_text += loaded.articles_with_new_text
        self.wall += time.perf_counter() - wall
        self.cpu += time.thread_time() - cpu

    def __enter__(self) -> BackgroundLoader:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._executor.shutdown(wait=True)  # no thread may touch the connection afterwards
        for future in self._futures:
            error = future.exception()
            if error is None:
                continue
            if exc_type is None:
                raise error
            # e.g. a full disk fails the archive and the load: report the archive, log this
            log.error("a page load failed while the harvest was failing: %s", error)


_HARVESTERS: dict[str, Harvester] = {}
_HARVESTERS_LOCK = threading.Lock()


def harvester_for(settings: Settings, run_id: str) -> Harvester:
    """This process's harvester for a run (tasks on distributed runners each get their own)."""
    with _HARVESTERS_LOCK:
        if run_id not in _HARVESTERS:
            _HARVESTERS[run_id] = Harvester(settings, run_id)
        return _HARVESTERS[run_id]


def close_harvesters(run_id: str) -> None:
    with _HARVESTERS_LOCK:
        harvester = _HARVESTERS.pop(run_id, None)
    if harvester is not None:
        harvester.close()


Archiver = Callable[[FetchResult], tuple[LoggedFetch, str | None]]


def _unarchived(result: FetchResult) -> tuple[LoggedFetch, str | None]:
    return LoggedFetch.of(result, None), None


def fetch_feeds(
    client: HttpClient,
    pool: WorkerPool,
    feeds: list[FeedState],
    archived: Archiver = _unarchived,
    progress: Progress | None = None,
) -> list[FeedFetch]:
    """Fetch each feed (conditionally, with its validators), archive the response with
    ``archived``, and parse it in ``pool``: every feed gets exactly one FeedFetch."""
    fetched: dict[str, FeedFetch] = {}
    waiting: dict[str, tuple[FeedState, FetchResult, LoggedFetch]] = {}

    def get(state: FeedState) -> tuple[FeedState, FetchResult]:
        return state, client.fetch(state.url, state.validators, accept=FEED_ACCEPT)

    for state, result in client.fetch_many(feeds, get):
        logged, problem = archived(result)
        if problem:
            fetched[state.feed_name] = _feed_fetch(
                state, result, logged, FeedStatus.ARCHIVE_ERROR, error=problem
            )
        elif result.status is FetchStatus.OK:
            body_hash = sha256(result.body)
            if body_hash == state.body_sha256:
                fetched[state.feed_name] = _feed_fetch(state, result, logged, FeedStatus.UNCHANGED)
            else:
                waiting[state.feed_name] = (state, result, logged)
                job = FeedJob(state.feed_name, result.body, result.content_type, result.final_url)
                pool.submit(state.feed_name, run_feed_job, job)
        elif result.status is FetchStatus.NOT_MODIFIED:
            fetched[state.feed_name] = _feed_fetch(state, result, logged, FeedStatus.NOT_MODIFIED)
        else:
            fetched[state.feed_name] = _feed_fetch(
                state, result, logged, FeedStatus.of_fetch(result.status), error=result.error
            )
        if progress:
            progress("feeds", 1)
    for outcome in pool.drain():
        state, result, logged = waiting[str(outcome.key)]
        if outcome.ok:
            parsed: ParsedFeed = outcome.value
            if parsed.ok:
                fetched[state.feed_name] = _feed_fetch(
                    state,
                    result,
                    logged,
                    FeedStatus.OK,
                    error=f"feed is malformed but readable: {parsed.bozo_reason}"
                    if parsed.is_bozo
                    else None,
                    parsed=parsed,
                )
            else:
                fetched[state.feed_name] = _feed_fetch(
                    state,
                    result,
                    logged,
                    FeedStatus.INVALID_FEED,
                    error=parsed.error,
                    parsed=parsed,
                )
        else:
            what = "feed parser " + (outcome.error or "failed")
            fetched[state.feed_name] = _feed_fetch(
                state, result, logged, FeedStatus.INVALID_FEED, error=what
            )
    return [fetched[s.feed_name] for s in feeds]


def _feed_fetch(
    state: FeedState,
    result: FetchResult,
    logged: LoggedFetch,
    status: FeedStatus,
    error: str | None = None,
    parsed: ParsedFeed | None = None,
) -> FeedFetch:
    return FeedFetch(
        feed_name=state.feed_name,
        fetch=logged,
        status=status,
        error=error,
        validators=result.validators,
        body_sha256=sha256(result.body) if result.body else None,
        retry_after=result.retry_after,
        permanent_redirect=result.permanent_redirect_target,
        entries=parsed.entries if parsed and parsed.ok else (),
        is_bozo=bool(parsed and parsed.is_bozo),
        bozo_reason=parsed.bozo_reason if parsed else None,
        title=parsed.title if parsed and parsed.ok else None,
    )


def check_feeds(settings: Settings, feeds: list[FeedState]) -> list[FeedFetch]:
    """Fetch and parse each feed once, writing nothing (no archive, no warehouse): is it
    reachable, and is it a feed?"""
    with (
        HttpClient(settings) as client,
        WorkerPool(settings.extract_workers, settings.extract_timeout) as pool,
    ):
        return fetch_feeds(client, pool, feeds)
