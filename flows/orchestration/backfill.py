"""Prefect glue: the ``backfill`` flow — history from WARC files or from the outlets' sitemaps,
through the same extraction, analysis, loading and dbt as a run.

A backfill works in chunks. Reading and extracting a chunk needs no lock; loading it takes the
writer lock for one transaction (the chunk's articles, where they came from, and how far each
source is read), so a scheduled run that comes due waits at most for that one load, and a
backfill stopped in any way goes on from its last loaded chunk when run again. Spike alerts
are never sent for backfilled days.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import duckdb
from prefect import flow, get_run_logger

from flows import warehouse
from flows.core import faults
from flows.core.errors import ConfigError
from flows.core.feeds_file import FeedConfig, load_feeds_file
from flows.core.records import ArchiveRef, LoggedFetch, PageOutcome, PendingArticle, new_id
from flows.core.settings import Settings
from flows.core.statuses import FetchStatus
from flows.ingest.backfill import (
    OutletHost,
    OutletHosts,
    WarcPage,
    in_range,
    page_date,
    read_warc,
    seed_outlets,
    warc_files,
)
from flows.ingest.feeds import article_id_for, canonicalize
from flows.ingest.harvest import Harvester, close_harvesters, harvester_for
from flows.ingest.sitemaps import (
    SitemapPage,
    candidate_sitemaps,
    robots_sitemaps,
    walk_sitemaps,
)
from flows.orchestration import pipeline
from flows.orchestration.cluster import pages_to_dask, with_task_runner
from flows.transform.dbt_runner import DbtResult
from flows.warehouse.backfill import (
    BackfilledPage,
    SourceProgress,
    finish_backfill,
    guid_urls,
    known_articles,
    known_digests,
    load_backfill_chunk,
    source_progress,
    start_backfill,
    unbuilt_backfills,
)
from flows.warehouse.publish import prepare_working_copy, publish, writer_lock

SITEMAP_DAYS = 30  # a sitemap backfill without --since reads the last 30 days
SITEMAP_ACCEPT = "application/xml, text/xml;q=0.9, application/x-gzip;q=0.8, */*;q=0.1"
SITEMAP_CHUNK = 50  # pages fetched per chunk: fetching is polite, so chunks are smaller
# A chunk is loaded after this many records even if few were pages of a wanted host, so that
# a WARC of other hosts' pages still records how far it was read.
RECORDS_PER_CHECKPOINT = 5000


@dataclass(frozen=True)
class BackfillRequest:
    """What ``newswatch backfill`` was asked: WARC paths, or sitemaps; a date range."""

    warc: tuple[str, ...] = ()
    sitemaps: bool = False
    since: date | None = None
    until: date | None = None
    all_hosts: bool = False
    max_pages: int | None = None  # per host (sitemaps)
    lock_wait: float = 6 * 3600.0  # how long a chunk waits for another writer

    @property
    def kind(self) -> str:
        return "sitemaps" if self.sitemaps else "warc"

    @property
    def date_range(self) -> tuple[date | None, date | None]:
        """The range the pages are kept in: a sitemap backfill's is the last 30 days unless
        said otherwise; a WARC backfill's is every record unless said otherwise."""
        if self.sitemaps and self.since is None:
            return datetime.now(UTC).date() - timedelta(days=SITEMAP_DAYS), self.until
        return self.since, self.until

    def check(self) -> None:
        if bool(self.warc) == self.sitemaps:
            raise ConfigError("backfill needs either --warc PATH... or --sitemaps (one of them)")
        since, until = self.date_range
        if since and until and since > until:
            raise ConfigError(f"--since {since} is after --until {until}")
        if self.max_pages is not None and self.max_pages < 1:
            raise ConfigError("--max-pages must be 1 or more")
        if self.warc:
            warc_files(self.warc)  # names at least one WARC file each, or says which does not

    def source_key(self, source: str) -> str:
        """A source's key in raw.backfill_sources: the same file read for another date range,
        or for every host, is another source (its records were kept or not by those)."""
        since, until = self.date_range
        key = (
            source
            if since is None and until is None
            else f"{source} [{since or ''}..{until or ''}]"
        )
        return f"{key} [all hosts]" if self.all_hosts else key


@dataclass
class BackfillReport:
    """What a backfill did, for the terminal and ``raw.backfills.summary``."""

    backfill_id: str
    kind: str
    warehouse: str
    since: date | None = None
    until: date | None = None
    sources: int = 0
    sources_done_before: int = 0  # finished by an earlier backfill (resumed)
    records_read: int = 0
    pages_kept: int = 0  # HTML pages of a wanted host (WARC) or article URLs listed (sitemaps)
    skipped: Counter[str] = field(default_factory=Counter)  # why records were not pages
    already_known: int = 0  # the warehouse has them: URL, canonical URL, GUID, digest
    out_of_range: int = 0
    extracted: Counter[str] = field(default_factory=Counter)  # article status of each page
    articles_loaded: int = 0
    undated: int = 0  # loaded with no date: out of rollups and baselines
    problems: list[tuple[str, str]] = field(default_factory=list)
    wall_seconds: float = 0.0  # the whole backfill, dbt build and publishing included
    pages_seconds: float = 0.0  # reading, extracting and loading the pages (before dbt)
    main_cpu_seconds: float = 0.0  # this process: reading, handing out, loading
    extract_cpu_seconds: float = 0.0
    load_seconds: float = 0.0
    dbt_ok: bool | None = None
    dbt_error: str | None = None
    published: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "since": self.since,
            "until": self.until,
            "sources": self.sources,
            "sources_done_before": self.sources_done_before,
            "records_read": self.records_read,
            "pages_kept": self.pages_kept,
            "skipped": dict(self.skipped),
            "already_known": self.already_known,
            "out_of_range": self.out_of_range,
            "extracted": dict(self.extracted),
            "articles_loaded": self.articles_loaded,
            "undated": self.undated,
            "problems": [list(p) for p in self.problems],
            "wall_seconds": round(self.wall_seconds, 2),
            "pages_seconds": round(self.pages_seconds, 2),
            "main_cpu_seconds": round(self.main_cpu_seconds, 2),
            "extract_cpu_seconds": round(self.extract_cpu_seconds, 2),
            "load_seconds": round(self.load_seconds, 2),
            "pages_per_second": round(self.pages_per_second, 2),
            "dbt_ok": self.dbt_ok,
            "dbt_error": self.dbt_error,
            "published": self.published,
        }

    @property
    def pages_per_second(self) -> float:
        extracted = sum(self.extracted.values())
        return extracted / self.pages_seconds if self.pages_seconds else 0.0

    def lines(self) -> list[str]:
        """The summary a person reads at the end."""
        read = (
            f"{self.records_read} WARC records read"
            if self.kind == "warc"
            else f"{self.pages_kept} article URLs listed in range"
        )
        lines = [
            f"Backfill ({self.kind}) of {self.sources} source(s)"
            + (
                f", {self.sources_done_before} already done before"
                if self.sources_done_before
                else ""
            )
            + f": {read}",
        ]
        if self.kind == "warc":
            lines.append(f"  {self.pages_kept} HTML pages of the wanted hosts")
            if self.skipped:
                why = ", ".join(f"{k} {v}" for k, v in sorted(self.skipped.items()))
                lines.append(f"  not pages or not wanted: {why}")
        lines.append(
            f"  {self.already_known} already in the warehouse, {self.out_of_range} outside the "
            "date range"
        )
        if self.extracted:
            statuses = ", ".join(f"{k} {v}" for k, v in self.extracted.most_common())
            lines.append(f"  extracted: {statuses}")
        lines.append(
            f"  {self.articles_loaded} articles loaded ({self.undated} with no date: out of "
            f"rollups and baselines); {self.pages_per_second:.1f} pages/s"
        )
        for source, problem in self.problems[:10]:
            lines.append(f"  problem: {source}: {problem}")
        if len(self.problems) > 10:
            lines.append(f"  … and {len(self.problems) - 10} more problems")
        if self.dbt_ok is not None:
            lines.append(f"  dbt build {'ok' if self.dbt_ok else 'FAILED: ' + str(self.dbt_error)}")
        if self.published:
            lines.append(f"  {self.published}")
        return lines


@dataclass
class _Candidate:
    """A page on its way in: what the backfill knows of it before extraction."""

    article: PendingArticle
    canonical_url: str
    owner: OutletHost
    source: str
    source_offset: int | None
    digest: str | None
    archived_at: datetime | None
    listed: SitemapPage | None = None
    warc: WarcPage | None = None


class _Backfill:
    """One backfill's state: the settings, the request, the warehouse's known pages."""

    def __init__(
        self, settings: Settings, request: BackfillRequest, backfill_id: str, hosts: OutletHosts
    ) -> None:
        self.settings, self.request, self.hosts = settings, request, hosts
        self.backfill_id = backfill_id
        self.since, self.until = request.date_range
        self.report = BackfillReport(
            backfill_id, request.kind, str(settings.warehouse), self.since, self.until
        )
        self.harvester: Harvester = harvester_for(settings, backfill_id)
        self.chunk = settings.backfill_chunk if request.warc else SITEMAP_CHUNK
        self.chunks_loaded = 0
        self.seen_ids: set[str] = set()
        self.digests: set[str] = set()
        self.guids: dict[str, str] = {}
        self.progress: dict[str, SourceProgress] = {}
        self.unbuilt = 0  # earlier backfills that stopped before their dbt build

    @contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The working database, for one short write: the writer lock is held only here."""
        with (
            writer_lock(self.settings, self.request.lock_wait),
            warehouse.open_warehouse(
                self.settings.work_database, self.settings.duckdb_memory_limit
            ) as con,
        ):
            # a short append beside the extraction workers: the loads' settings meanwhile
            warehouse.begin_loads(con, self.settings.load_memory_limit)
            try:
                yield con
            finally:
                warehouse.end_loads(con, self.settings.duckdb_memory_limit)

    def start(self) -> None:
        with self.writing() as con:
            start_backfill(
                con,
                self.backfill_id,
                self.request.kind,
                {
                    "warc": list(self.request.warc),
                    "since": self.since,
                    "until": self.until,
                    "all_hosts": self.request.all_hosts,
                    "max_pages": self.request.max_pages,
                },
            )
            self.progress = source_progress(con)
            self.unbuilt = unbuilt_backfills(con, self.backfill_id)
            self.digests = known_digests(con)
            self.guids = {
                article_id_for(canonicalize(guid)): article_id
                for guid, article_id in guid_urls(con)
            }

    # -- candidates ---------------------------------------------------------------------------

    def candidate(
        self,
        url: str,
        owner: OutletHost,
        source: str,
        offset: int | None,
        digest: str | None,
        archived_at: datetime | None,
        **more: Any,
    ) -> _Candidate | None:
        """The page as an article, or None when this backfill already has it (same URL or
        GUID, or the same bytes under another URL)."""
        canonical = canonicalize(url)
        article_id = article_id_for(canonical)
        article_id = self.guids.get(article_id, article_id)  # archived under its GUID's URL
        if article_id in self.seen_ids or (digest and digest in self.digests):
            self.report.already_known += 1
            return None
        self.seen_ids.add(article_id)
        if digest:
            self.digests.add(digest)
        article = PendingArticle(article_id, url)
        return _Candidate(article, canonical, owner, source, offset, digest, archived_at, **more)

    def unknown(self, candidates: list[_Candidate]) -> list[_Candidate]:
        """Those the warehouse does not have with text yet."""
        if not candidates:
            return []
        with self.writing() as con:
            known = known_articles(con, [c.article.article_id for c in candidates])
        self.report.already_known += sum(c.article.article_id in known for c in candidates)
        return [c for c in candidates if c.article.article_id not in known]

    # -- loading ------------------------------------------------------------------------------

    def load(
        self,
        candidates: list[_Candidate],
        outcomes: list[PageOutcome],
        sources: Callable[[int], Sequence[SourceProgress]],
        text_only: bool,
    ) -> int:
        """Keep the outcomes in the date range (and, for WARC pages, those with article text),
        whose page's canonical URL is not an article the warehouse has; load them with the
        sources' progress (``sources`` of the count loaded) in one transaction. Returns the
        articles loaded."""
        by_id = {c.article.article_id: c for c in candidates}
        kept: list[tuple[_Candidate, PageOutcome]] = []
        for outcome in outcomes:
            self.report.extracted[str(outcome.status)] += 1
            if text_only and not outcome.has_text:
                continue
            extraction = outcome.analysis.extraction if outcome.analysis else None
            listed = by_id[outcome.article_id].listed
            dated = listed is not None and listed.is_news and listed.published_at is not None
            day = (
                listed.published_at.astimezone(UTC).date()  # type: ignore[union-attr]
                if dated
                else page_date(extraction.published if extraction else None)
            )
            if not in_range(day, self.since, self.until):
                self.report.out_of_range += 1
                continue
            if day is None:
                self.report.undated += 1
            kept.append((by_id[outcome.article_id], outcome))
        started = time.monotonic()
        with self.writing() as con:
            kept = self._not_known_by_canonical_url(con, kept)
            crash = self.chunks_loaded == 1  # tests: die inside the second chunk's load
            load_backfill_chunk(
                con,
                self.backfill_id,
                [self._origin(c, o) for c, o in kept],
                [o for _, o in kept],
                sources(len(kept)),
                midway=(lambda: faults.crash_point("backfill")) if crash else None,
            )
        self.report.load_seconds += time.monotonic() - started
        self.chunks_loaded += 1
        self.report.articles_loaded += len(kept)
        pipeline.report_progress("loaded", len(kept))
        return len(kept)

    def _not_known_by_canonical_url(
        self, con: duckdb.DuckDBPyConnection, kept: list[tuple[_Candidate, PageOutcome]]
    ) -> list[tuple[_Candidate, PageOutcome]]:
        """Drop pages whose own canonical URL (or URL) is an article the warehouse has by now
        (a scheduled run may have loaded it while this chunk was extracted)."""
        own: dict[str, str] = {}
        for candidate, outcome in kept:
            extraction = outcome.analysis.extraction if outcome.analysis else None
            if extraction and extraction.canonical_url:
                other = article_id_for(canonicalize(extraction.canonical_url))
                if other != candidate.article.article_id:
                    own[candidate.article.article_id] = other
        ids = [c.article.article_id for c, _ in kept]
        known = known_articles(con, ids + list(own.values()))
        fresh = []
        for candidate, outcome in kept:
            article_id = candidate.article.article_id
            if article_id in known or own.get(article_id) in known:
                self.report.already_known += 1
            else:
                fresh.append((candidate, outcome))
        return fresh

    def _origin(self, candidate: _Candidate, outcome: PageOutcome) -> BackfilledPage:
        listed = candidate.listed
        return BackfilledPage(
            article_id=candidate.article.article_id,
            canonical_url=candidate.canonical_url,
            url=candidate.article.url,
            kind="warc" if candidate.warc is not None else "sitemap",
            source=candidate.source,
            source_offset=candidate.source_offset,
            host=candidate.owner.host,
            outlet=candidate.owner.outlet,
            feed_name=candidate.owner.feed_name,
            payload_digest=candidate.digest,
            archived_at=candidate.archived_at or outcome.fetch.fetched_at,
            # a news sitemap's publication date; a lastmod says when the page last changed
            listed_published_at=listed.published_at if listed and listed.is_news else None,
        )

    # -- WARC ---------------------------------------------------------------------------------

    def warc(self, path: Path) -> None:
        key = self.request.source_key(str(path))
        before = self.progress.get(key, SourceProgress(key, "warc"))
        self.report.sources += 1
        if before.is_finished:
            self.report.sources_done_before += 1
            return
        state = before
        candidates: list[_Candidate] = []
        records = 0
        problem = None
        size = path.stat().st_size
        pipeline.report_progress("kib read", before.next_offset // 1024)
        for item in read_warc(path, before.next_offset, self.settings.max_body_bytes):
            if item.problem:
                problem = item.problem
                break
            records += 1
            self.report.records_read += 1
            pipeline.report_progress("kib read", (item.next_offset - item.offset) // 1024)
            state = _advanced(state, item.next_offset, records=1)
            if item.page is None:
                self.report.skipped[item.skipped or "unknown"] += 1
            else:
                owner = self.hosts.match(item.page.url, self.request.all_hosts)
                if owner is None:
                    self.report.skipped["other_host"] += 1
                else:
                    self.report.pages_kept += 1
                    state = _advanced(state, item.next_offset, kept=1)
                    page = item.page
                    found = self.candidate(
                        page.url,
                        owner,
                        str(path),
                        page.offset,
                        page.digest,
                        page.archived_at,
                        warc=page,
                    )
                    if found is not None:
                        candidates.append(found)
            if len(candidates) >= self.chunk or records >= RECORDS_PER_CHECKPOINT:
                state = self._warc_chunk(candidates, state)
                candidates, records = [], 0
        if problem:
            self.report.problems.append((str(path), problem))
            get_run_logger().warning("%s: %s", path, problem)
        finished = replace(state, is_finished=True, problem=problem)
        self._warc_chunk(candidates, finished)
        pipeline.report_progress("kib read", max(0, size - state.next_offset) // 1024)

    def _warc_chunk(self, candidates: list[_Candidate], state: SourceProgress) -> SourceProgress:
        fresh = self.unknown(candidates)
        pipeline.report_progress("kept", len(fresh))
        pages = []
        for c in fresh:
            page = c.warc
            assert page is not None
            logged = LoggedFetch(
                fetch_id=new_id(),
                url=page.url,
                final_url=page.url,
                fetched_at=page.archived_at or datetime.now(UTC),
                status=FetchStatus.OK,
                http_status=page.http_status,
                content_type=page.content_type,
                body_bytes=len(page.body),
                error=None,
                elapsed_ms=0,
                archive=warehouse_ref(page),
            )
            pages.append((c.article, logged, page.body))
        outcomes = self.harvester.extract(pages, pipeline.report_progress) if pages else []
        loaded = self.load(
            fresh, outcomes, lambda n: [_advanced(state, state.next_offset, loaded=n)], True
        )
        return _advanced(state, state.next_offset, loaded=loaded)

    # -- sitemaps -----------------------------------------------------------------------------

    def sitemaps(self, origin: str) -> None:
        key = self.request.source_key(f"sitemaps {origin}")
        before = self.progress.get(key, SourceProgress(key, "sitemaps"))
        self.report.sources += 1
        if before.is_finished:
            self.report.sources_done_before += 1
            return
        client = self.harvester.client

        def fetch(url: str) -> tuple[bytes | None, str | None]:
            result = client.fetch(url, accept=SITEMAP_ACCEPT)
            if result.status is FetchStatus.OK:
                return result.body, None
            return None, result.error or str(result.status)

        robots, _ = fetch(f"{origin}/robots.txt")
        robots_text = robots.decode("utf-8", "replace") if robots else None
        declared = set(robots_sitemaps(robots_text or ""))
        walk = walk_sitemaps(
            candidate_sitemaps(origin, robots_text),
            fetch,
            self.since,
            self.until,
            origin_host=urlsplit(origin).hostname,
        )
        guessed = set(candidate_sitemaps(origin, None)) - declared
        if not walk.sitemaps_read:
            self.report.problems.append((origin, "no sitemap found (robots.txt, usual places)"))
        for sitemap, problem in walk.problems:
            if sitemap not in guessed:  # a usual place that has no sitemap is no problem
                self.report.problems.append((sitemap, problem))
        self.report.out_of_range += walk.skipped_out_of_range
        self.report.skipped["not_article"] += walk.skipped_not_article
        listed = []
        for page in walk.pages:
            owner = self.hosts.match(page.url, self.request.all_hosts)
            if owner is None:
                self.report.skipped["other_host"] += 1
                continue
            found = self.candidate(page.url, owner, page.sitemap, None, None, None, listed=page)
            if found is not None:
                listed.append(found)
        self.report.pages_kept += len(listed)
        state = _advanced(before, 0, records=len(walk.pages), kept=len(listed))
        taken = 0
        limit = self.request.max_pages
        for start in range(0, len(listed), self.chunk):
            if limit is not None and taken >= limit:
                break
            fresh = self.unknown(listed[start : start + self.chunk])
            if limit is not None:
                fresh = fresh[: limit - taken]
            taken += len(fresh)
            pipeline.report_progress("kept", len(fresh))
            outcomes = self.harvester.harvest([c.article for c in fresh], pipeline.report_progress)
            loaded = self.load(
                fresh,
                outcomes,
                lambda n, current=state: [_advanced(current, 0, loaded=n)],  # type: ignore[misc]
                text_only=False,
            )
            state = _advanced(state, 0, loaded=loaded)
        done = replace(state, is_finished=True)
        self.load([], [], lambda _: [done], text_only=False)


def warehouse_ref(page: WarcPage) -> ArchiveRef:
    """The archive reference of a WARC page: the file by its absolute path (referenced where
    it is, not copied into the warehouse's archive) and the record's offset."""
    return ArchiveRef(page.source, page.offset)


def _advanced(
    state: SourceProgress, next_offset: int, records: int = 0, kept: int = 0, loaded: int = 0
) -> SourceProgress:
    return SourceProgress(
        state.source,
        state.kind,
        max(state.next_offset, next_offset),
        state.records_read + records,
        state.pages_kept + kept,
        state.articles_loaded + loaded,
        state.is_finished,
        state.problem,
    )


def _feeds(settings: Settings, request: BackfillRequest) -> list[FeedConfig]:
    """The feeds whose hosts are wanted; none needed with --all-hosts."""
    if request.all_hosts and not settings.feeds.exists():
        return []
    return load_feeds_file(settings.feeds)


def _backfill_sources(backfill: _Backfill) -> None:
    """Every source of the backfill, chunk by chunk (on Dask when configured)."""
    batch = pages_to_dask(backfill.settings, backfill.harvester)
    if backfill.request.warc and backfill.settings.dask_address is not None:
        backfill.chunk = max(backfill.chunk, batch)  # every Dask worker thread gets a chunk
    if backfill.request.warc:
        files = warc_files(backfill.request.warc)
        total = sum(p.stat().st_size for p in files) // 1024
        pipeline.report_progress("kib read:total", total)
        for path in files:
            backfill.warc(path)
    else:
        for origin in backfill.hosts.origins:
            backfill.sitemaps(origin)


@flow(name="backfill")
def backfill_pipeline(
    settings: Settings | None = None, request: BackfillRequest | None = None
) -> BackfillReport:
    """Backfill history from WARC files or sitemaps; then dbt build and publish."""
    settings = settings or Settings()
    request = request or BackfillRequest()
    request.check()
    faults.arm(settings.crash_at)
    started = time.monotonic()
    started_at = datetime.now(UTC)
    hosts = OutletHosts(_feeds(settings, request), seed_outlets(settings.dbt_project_dir))
    backfill_id = new_id()
    with writer_lock(settings, request.lock_wait):
        prepare_working_copy(settings)
    backfill = _Backfill(settings, request, backfill_id, hosts)
    report = backfill.report
    status = "failed"
    try:
        backfill.start()
        cpu, main_cpu = _workers_cpu(backfill.harvester), pipeline.process_cpu()
        _backfill_sources(backfill)
        report.extract_cpu_seconds = _workers_cpu(backfill.harvester) - cpu
        report.main_cpu_seconds = pipeline.process_cpu() - main_cpu
        report.pages_seconds = time.monotonic() - started
        changed = report.articles_loaded > 0 or backfill.unbuilt > 0
        if not changed and settings.warehouse.exists():
            # nothing loaded, by this backfill or one that stopped before building (the same
            # backfill run again): the published warehouse is already right
            report.dbt_ok, report.published = True, "nothing new: the warehouse is unchanged"
            status = "completed"
            with backfill.writing() as con:
                finish_backfill(con, backfill_id, status, report.as_dict())
            return report
        with writer_lock(settings, request.lock_wait):
            _, result = pipeline.build_marts(settings, changed, started_at)
            _record_dbt(report, result)
            if result.success:
                status = "completed"
                report.wall_seconds = time.monotonic() - started
                with warehouse.open_warehouse(
                    settings.work_database, settings.duckdb_memory_limit
                ) as con:  # recorded before publishing, so that readers see it finished
                    finish_backfill(con, backfill_id, status, report.as_dict())
                report.published = publish(settings).describe()
    finally:
        close_harvesters(backfill_id)
        report.wall_seconds = time.monotonic() - started
        if status != "completed":
            try:
                with backfill.writing() as con:
                    finish_backfill(con, backfill_id, status, report.as_dict())
            except Exception as exc:  # noqa: BLE001 - the bookkeeping must not hide the failure
                get_run_logger().warning("backfill %s not recorded: %s", backfill_id, exc)
    return report


def _workers_cpu(harvester: Harvester) -> float:
    return float(harvester.profile["extract_cpu"] + harvester.profile["tone_cpu"])


def _record_dbt(report: BackfillReport, result: DbtResult) -> None:
    report.dbt_ok = result.success
    report.dbt_error = None if result.success else result.describe_failures()


def run_backfill(
    settings: Settings, request: BackfillRequest, progress: Callable[[str, int], None] | None
) -> Any:
    """One backfill from the command line; returns the flow's final state."""
    pipeline.set_progress(progress)
    try:
        run = with_task_runner(backfill_pipeline, settings)
        return run(settings, request, return_state=True)
    finally:
        pipeline.set_progress(None)
