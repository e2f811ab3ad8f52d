"""Prefect glue: the ``ingest``, ``transform`` and ``news_pipeline`` flows and their tasks."""

from __future__ import annotations

import logging
import resource
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import SettingsContext, get_run_context, get_settings_context
from prefect.states import Failed, State

from flows import warehouse
from flows.core import faults
from flows.core.errors import ConfigError
from flows.core.feeds_file import FeedConfig, load_feeds_file
from flows.core.records import FeedState, PendingArticle, new_id
from flows.core.settings import Settings
from flows.core.statuses import RunStatus
from flows.ingest.harvest import BackgroundLoader, Progress, close_harvesters, harvester_for
from flows.ingest.schedule import Backoff, next_state
from flows.orchestration.cluster import extraction_summary, pages_to_dask, with_task_runner
from flows.readers.alerts import check_receiver, receiver_of, scrubbed, send_spike_alerts
from flows.readers.run_report import (
    MAIN_MARTS,
    BatchReport,
    FeedReportLine,
    RunFailed,
    RunReport,
    feed_report_lines,
)
from flows.transform.dbt_runner import (
    NOTHING_NEW_SCOPE,
    BuildPlan,
    DbtResult,
    plan_build,
    preload_dbt,
    project_fingerprint,
    record_full_build,
    run_dbt,
)
from flows.warehouse.publish import (
    Published,
    fewer_articles,
    nothing_to_publish,
    prepare_working_copy,
    publish,
    writer_lock,
)

_progress: list[Progress] = []  # set by the CLI: progress bars in a terminal


class _RunFailedInOneLine(logging.Filter):
    """A run that failed as a whole is an expected outcome with a one-line reason: under
    ``serve``, Prefect's engine logs it as an unexpected exception with a traceback; this
    turns that record into one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, RunFailed):
            record.msg, record.args = "Run failed: %s", (str(error),)
            record.exc_info, record.exc_text = None, None
        return True


logging.getLogger("prefect.flow_runs").addFilter(_RunFailedInOneLine())


def set_progress(callback: Progress | None) -> None:
    """Report progress (stage, increment) to ``callback``; ``<stage>:total`` sets a total."""
    _progress.clear()
    if callback is not None:
        _progress.append(callback)


def _report_progress(stage: str, amount: int) -> None:
    for callback in _progress:
        callback(stage, amount)


report_progress = _report_progress  # for the other flows of this package (backfill)


def _working_database(settings: Settings) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """The writer's database, migrated, with the writer's memory cap."""
    return warehouse.open_warehouse(settings.work_database, settings.duckdb_memory_limit)


def _backoff(settings: Settings) -> Backoff:
    return Backoff(
        settings.retry_after_min,
        settings.retry_after_max,
        settings.backoff_base,
        settings.backoff_max,
        settings.park_after_failures,
        settings.parked_retry_interval,
    )


def _flow_run_id() -> str | None:
    try:
        context = get_run_context()
    except RuntimeError:
        return None
    run = getattr(context, "flow_run", None)
    return str(run.id) if run else None


class _Stopwatch:
    def __init__(self, report: RunReport) -> None:
        self.report = report

    def __call__(self, stage: str, top_level: bool = True) -> _Lap:
        return _Lap(self.report, stage, top_level)


def process_cpu() -> float:
    """CPU seconds of this process, every thread of it."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Lap:
    """Wall time (and this process's CPU time) of a stage, added to the report."""

    def __init__(self, report: RunReport, stage: str, top_level: bool = True) -> None:
        self.report, self.stage, self.top_level = report, stage, top_level

    def __enter__(self) -> None:
        self.started, self.cpu = time.monotonic(), process_cpu()

    def __exit__(self, *exc: object) -> None:
        elapsed = time.monotonic() - self.started
        if self.top_level:  # stages add up to the run; nested laps only go to the profile
            self.report.stages[self.stage] = self.report.stages.get(self.stage, 0.0) + elapsed
        self.report.add_profile(self.stage, elapsed, process_cpu() - self.cpu)


# -- tasks -----------------------------------------------------------------------------------


@task(name="sync-feeds", cache_policy=NO_CACHE)
def sync_feeds(settings: Settings, feeds: list[FeedConfig]) -> dict[str, FeedState]:
    prepare_working_copy(settings)
    with _working_database(settings) as con:
        warehouse.sync_feeds(con, feeds)
        return warehouse.feed_states(con)


# Tasks take and return small values: Prefect walks every task's inputs and results, and
# thousands of nested records (entries, sentences) cost it seconds per batch. Big data stays
# inside the task that makes it and goes straight to DuckDB.


@task(name="fetch-and-load-feeds", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 10])
def fetch_and_load_feeds(
    settings: Settings, run_id: str, due: list[FeedState]
) -> list[FeedReportLine]:
    """Fetch and parse the due feeds; one transaction loads entries and the feeds' new state."""
    harvester = harvester_for(settings, run_id)
    fetches = harvester.fetch_feeds(due, _report_progress)
    states = {s.feed_name: s for s in due}
    now = datetime.now(UTC)
    con = harvester.database()
    entries_new = warehouse.new_entry_counts(con, fetches)
    new_states = [
        next_state(states[f.feed_name], f, entries_new[f.feed_name], now, _backoff(settings))
        for f in fetches
    ]
    warehouse.load_feed_fetches(con, run_id, fetches, new_states, entries_new)
    return feed_report_lines(fetches, entries_new)


@task(name="articles-to-fetch", cache_policy=NO_CACHE)
def pending_articles(settings: Settings) -> list[PendingArticle]:
    # the feeds' summaries and titles are read a batch at a time (harvest_batch): a first
    # run over a long history would hold all of them
    with _working_database(settings) as con:
        return warehouse.articles_to_fetch(con, settings.max_page_attempts, with_feed_text=False)


@task(name="harvest-batch", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5)
def harvest_batch(settings: Settings, run_id: str, batch: list[PendingArticle]) -> BatchReport:
    """Fetch, archive, extract and score a batch of articles, loading them as they come:
    a transaction per chunk, written in a thread while the workers go on extracting."""
    harvester = harvester_for(settings, run_id)
    batch = warehouse.with_feed_text(harvester.database(), batch)
    with BackgroundLoader(harvester.database(), run_id) as loader:
        outcomes = harvester.harvest(batch, _report_progress, loader.load)
    return BatchReport.of(outcomes, loader.articles_with_new_text, loader.wall, loader.cpu)


@task(name="detect-languages", cache_policy=NO_CACHE)
def detect_languages(settings: Settings, run_id: str) -> dict[str, int]:
    """Stored texts with no detected language (or an older detector's): detect them."""
    return dict(harvester_for(settings, run_id).detect_languages(_report_progress))


@task(name="analyse-stored-texts", cache_policy=NO_CACHE)
def analyse_stored_texts(settings: Settings, run_id: str) -> int:
    """Stored texts analysed by an older analyser (or none): analyse them again."""
    return harvester_for(settings, run_id).analyse_stored(_report_progress)


@task(name="list-archived-pages", cache_policy=NO_CACHE)
def list_archived_pages(settings: Settings) -> list[warehouse.ArchivedPage]:
    with _working_database(settings) as con:
        return warehouse.archived_pages(con)


@task(name="reextract-pages", cache_policy=NO_CACHE)
def reextract_pages(settings: Settings, run_id: str, pages: list[warehouse.ArchivedPage]) -> int:
    harvester = harvester_for(settings, run_id)
    outcomes = harvester.reextract(pages, _report_progress)
    load = warehouse.load_page_outcomes(harvester.database(), run_id, outcomes, from_archive=True)
    return load.articles_with_new_text


@task(name="dbt-build", cache_policy=NO_CACHE)
def dbt_build(settings: Settings, plan: BuildPlan | None = None) -> DbtResult:
    # Unit tests check the models' logic, not the data: they run in `make test`, not hourly.
    plan = plan or BuildPlan("full", ("build", "--exclude-resource-type", "unit_test"))
    return run_dbt(
        settings,
        *plan.args,
        tests_since=plan.tests_since,
        progress=_report_progress if _progress else None,
    )


@task(name="publish", cache_policy=NO_CACHE)
def publish_warehouse(settings: Settings) -> Published:
    return publish(settings)


@task(name="count-mart-rows", cache_policy=NO_CACHE)
def count_mart_rows(settings: Settings) -> dict[str, int]:
    con = warehouse.connect(settings.work_database, memory_limit=settings.duckdb_memory_limit)
    try:
        existing = {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        return {
            mart: int(con.execute(f"select count(*) from {mart}").fetchall()[0][0])
            for mart in MAIN_MARTS
            if mart in existing
        }
    finally:
        con.close()


def report_still_current(settings: Settings, scope: str | None) -> str | None:
    """The analyst report's path when rewriting it would change nothing: no mart was built
    (the report reads no feed) and the report was written today, UTC (its window ends
    today). None when it must be written."""
    from flows.readers.analyst_report import default_report_path

    path = default_report_path(settings.warehouse)
    if scope != NOTHING_NEW_SCOPE or not path.exists():
        return None
    written = datetime.fromtimestamp(path.stat().st_mtime, UTC).date()
    return str(path) if written == datetime.now(UTC).date() else None


@task(name="analyst-report", cache_policy=NO_CACHE)
def analyst_report(settings: Settings) -> tuple[str | None, str | None]:
    """Write the HTML report from the just-published warehouse: (path, None) or (None, why).
    A report that cannot be written is recorded; it never fails the run."""
    from flows.readers.analyst_report import ReportError, ReportRequest, write_report
    from flows.warehouse.query import QueryError

    try:
        # under the writer's cap: uncapped, DuckDB took ~650 MiB reading a 100,000-article
        # warehouse, in the process that still holds the run's Python side
        request = ReportRequest(settings.warehouse, memory_limit=settings.duckdb_memory_limit)
        return str(write_report(request).path), None
    except (ReportError, QueryError) as exc:
        get_run_logger().warning("analyst report not written: %s", exc)
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - the warehouse is published; a report bug is recorded
        get_run_logger().warning("analyst report not written: %s: %s", type(exc).__name__, exc)
        return None, f"{type(exc).__name__}: {exc}"


@task(name="spike-alerts", cache_policy=NO_CACHE)
def spike_alerts(settings: Settings, run_id: str, run_started_at: datetime) -> dict[str, Any]:
    """Send the new recent spikes to NEWSWATCH_ALERT_URL, after publishing (the articles an
    alert names are in the published warehouse). What happened is recorded; it never fails
    the run."""
    url = settings.alert_receiver or ""
    try:
        with warehouse.open_warehouse(settings.work_database, settings.duckdb_memory_limit) as con:
            outcome = send_spike_alerts(
                con, url, run_id, run_started_at.date(), settings.alert_timeout
            )
    except Exception as exc:  # noqa: BLE001 - the run's data is published; an alert bug is recorded
        why = scrubbed(f"{type(exc).__name__}: {exc}", url)
        get_run_logger().warning("spike alerts not sent: %s", why)
        return {"receiver": receiver_of(url), "error": why}
    if outcome.failed:
        get_run_logger().warning("spike alerts: %s", outcome.line())
    return {**outcome.as_dict(), "line": outcome.line()}


# -- flows -----------------------------------------------------------------------------------


def _load_config(settings: Settings) -> list[FeedConfig]:
    check_receiver(settings.alert_receiver)
    feeds = load_feeds_file(settings.feeds)
    if not settings.dbt_project_dir.joinpath("dbt_project.yml").is_file():
        raise ConfigError(f"dbt project not found in {settings.dbt_project_dir}")
    return feeds


@flow(name="ingest", log_prints=False)
def ingest(settings: Settings | None = None, run_id: str | None = None) -> RunReport:
    """Fetch due feeds, then new article pages; archive, extract, score and load into raw.*."""
    settings = settings or Settings()
    run_id = run_id or new_id()
    logger = get_run_logger()
    report = RunReport(run_id=run_id, warehouse=str(settings.warehouse))
    lap = _Stopwatch(report)
    feeds = _load_config(settings)
    try:
        with lap("feeds"):
            states = sync_feeds(settings, feeds)
            with _working_database(settings) as con:
                warehouse.start_run(con, run_id, str(settings.feeds), _flow_run_id())
            now = datetime.now(UTC)
            due = [states[f.name] for f in feeds if states[f.name].is_due(now)]
            for f in feeds:
                state = states[f.name]
                if not state.is_due(now):
                    report.add_deferred(f.name, state.next_fetch_after, state.last_error)
            logger.info("%d of %d feeds due", len(due), len(feeds))
            _report_progress("feeds:total", len(due))
            report.feeds += fetch_and_load_feeds(settings, run_id, due) if due else []
        with lap("pages"):
            pending = pending_articles(settings)
            logger.info("%d articles to fetch", len(pending))
            _report_progress("pages:total", len(pending))
            batch_size = settings.batch_size
            if pending:  # a Dask LocalCluster starts only when there are pages
                batch_size = pages_to_dask(settings, harvester_for(settings, run_id))
            for start in range(0, len(pending), batch_size):
                batch = pending[start : start + batch_size]
                report.add_batch(harvest_batch(settings, run_id, batch))
                logger.info(
                    "pages %d/%d done: %s",
                    min(start + len(batch), len(pending)),
                    len(pending),
                    dict(report.articles),
                )
        with lap("languages"):
            report.languages_from_stored_text.update(detect_languages(settings, run_id))
            report.analysed_from_stored_text += analyse_stored_texts(settings, run_id)
        report.extraction = extraction_summary(settings, harvester_for(settings, run_id))
        harvested = harvester_for(settings, run_id).profile
        report.add_profile("page_fetch_busy", harvested["page_fetch_busy"], 0.0)
        report.add_profile("archive", harvested["archive"], 0.0)
        report.add_profile("extraction", harvested["extract_wall"], harvested["extract_cpu"])
        report.add_profile("sentences_tone", harvested["tone_wall"], harvested["tone_cpu"])
    finally:
        close_harvesters(run_id)
    status = RunStatus.FAILED if report.all_feeds_failed else RunStatus.INGESTED
    _record_run(settings, report, status)
    return report


def _record_run(settings: Settings, report: RunReport, status: RunStatus) -> None:
    with _working_database(settings) as con:
        warehouse.finish_run(con, report.run_id, status, report.as_dict())


@flow(name="transform")
def transform(settings: Settings | None = None, plan: BuildPlan | None = None) -> DbtResult:
    """dbt build: staging -> intermediate -> marts, on the writer's working database."""
    settings = settings or Settings()
    result = dbt_build(settings, plan)
    if not result.success:
        get_run_logger().error("dbt build failed: %s", result.describe_failures())
    return result


@contextmanager
def subflow_heartbeat_off() -> Iterator[None]:
    """Run a subflow without a heartbeat of its own. Its parent's heartbeat (which Prefect's
    crashed-run detection reads) speaks for it: they share one process. Prefect's heartbeat
    thread sleeps in one-second steps and is joined when its flow ends, so each subflow with
    one added up to a second to every run (~1.2 s of an all-304 run's 9)."""
    context = get_settings_context()
    flows = context.settings.flows.model_copy(update={"heartbeat_frequency": None})
    settings = context.settings.model_copy(update={"flows": flows})  # no validation: ~1 ms
    with SettingsContext(profile=context.profile, settings=settings):
        yield


def build_marts(
    settings: Settings, has_new_data: bool, started_at: datetime
) -> tuple[BuildPlan, DbtResult]:
    """dbt build as the run needs it (dbt_runner.plan_build); remembers a successful build."""
    fingerprint = project_fingerprint(
        settings, [f.model_dump_json() for f in load_feeds_file(settings.feeds)]
    )
    plan = plan_build(settings, fingerprint, has_new_data, started_at)
    if not plan.args:
        return plan, DbtResult(plan.args, success=True, seconds=0.0, nodes=())
    with subflow_heartbeat_off():
        result = transform(settings, plan)
    if result.success and plan.scope != NOTHING_NEW_SCOPE:
        record_full_build(settings, fingerprint)
    return plan, result


@flow(name="news_pipeline")
def news_pipeline(
    settings: Settings | None = None, lock_wait_seconds: float = 0.0
) -> RunReport | State:
    """One full run: ingest, transform, publish. Fails when no feed could be fetched."""
    settings = settings or Settings()
    run_id = new_id()
    logger = get_run_logger()
    faults.arm(settings.crash_at)
    with writer_lock(settings, lock_wait_seconds):
        # every row this run loads is stamped after this; hourly tests check those rows only
        run_started_at = datetime.now(UTC)
        preload_dbt()
        with subflow_heartbeat_off():
            report = with_task_runner(ingest, settings)(settings, run_id)
        lap = _Stopwatch(report)
        report.mart_rows_before = count_mart_rows(settings)
        # Nothing new and nothing edited (the hourly all-304 run): rebuild feed health only.
        changed = bool(
            report.entries_new
            or sum(report.articles.values())
            or sum(report.languages_from_stored_text.values())
            or report.analysed_from_stored_text
        )
        # No feed could be fetched and nothing arrived (offline, say) before anything was ever
        # published: no dbt build, and no empty warehouse published. Once one was, the run
        # goes on as usual (feed health only, unless seeds or feeds were edited), so that
        # `status` shows the failures.
        result: DbtResult | None = None
        if not changed and nothing_to_publish(settings):
            report.dbt_scope = (
                "skipped: no feed could be fetched, nothing to publish"
                if report.all_feeds_failed
                else "skipped: no article yet, nothing to publish"
            )
        else:
            with lap("dbt"):
                plan, result = build_marts(settings, changed, run_started_at)
            report.dbt_scope = plan.scope
            report.dbt_ok = result.success
            report.dbt_error = None if result.success else result.describe_failures()
        # Readers never lose articles to a run (unless NEWSWATCH_ALLOW_FEWER_ARTICLES says so).
        refused = fewer_articles(settings) if result is not None and result.success else None
        if refused:
            report.published = refused
        elif result is not None and result.success:
            report.mart_rows = count_mart_rows(settings)
            finished = RunStatus.FAILED if report.all_feeds_failed else RunStatus.COMPLETED
            _record_run(settings, report, finished)
            with lap("publish"):
                published = publish_warehouse(settings)
            report.published = published.describe()
            with lap("report"):
                kept = report_still_current(settings, report.dbt_scope)
                if kept is not None:
                    report.analyst_report = kept
                else:
                    report.analyst_report, report.analyst_report_error = analyst_report(settings)
            if settings.alert_url:
                with lap("alerts"):
                    report.alerts = spike_alerts(settings, run_id, run_started_at)
                _record_run(settings, report, finished)
        elif result is not None:
            _record_run(settings, report, RunStatus.TRANSFORM_FAILED)
    create_markdown_artifact(
        key="newswatch-run", markdown=report.to_markdown(), description="newswatch run summary"
    )
    logger.info("run %s done: %s", run_id, dict(report.feed_counts))
    # A Failed state (not a raised exception) so automations can react; its data is an
    # exception that carries the report, which is what Prefect expects of a failed state.
    if report.all_feeds_failed:
        first = report.feeds_attempted[0]
        message = (
            f"all {len(report.feeds_attempted)} feeds failed; first: {first.feed_name}: "
            f"{first.error}"
        )
        return Failed(message=message, data=RunFailed(message, report))
    if result is not None and not result.success:
        message = f"dbt build failed: {report.dbt_error}"
        return Failed(message=message, data=RunFailed(message, report))
    if refused:
        return Failed(message=refused, data=RunFailed(refused, report))
    return report


@flow(name="reextract")
def reextract_pipeline(
    settings: Settings | None = None, lock_wait_seconds: float = 0.0
) -> dict[str, Any]:
    """Re-extract, re-split and re-score every archived page offline; then dbt build, publish."""
    settings = settings or Settings()
    run_id = new_id()
    with writer_lock(settings, lock_wait_seconds):
        started_at = datetime.now(UTC)
        prepare_working_copy(settings)
        try:
            with subflow_heartbeat_off():
                run = with_task_runner(reextract_archive, settings)
                archived, changed = run(settings, run_id)
            languages = detect_languages(settings, run_id)  # texts no archived page replaced
            analyse_stored_texts(settings, run_id)
        finally:
            close_harvesters(run_id)
        _, result = build_marts(settings, True, started_at)
        if result.success:
            publish_warehouse(settings)
    return {
        "articles": archived,
        "changed": changed,
        "languages_from_stored_text": languages,
        "dbt_ok": result.success,
    }


@flow(name="reextract-archive")
def reextract_archive(settings: Settings, run_id: str) -> tuple[int, int]:
    """Every archived page through extraction again (on Dask when configured); returns
    (pages, articles whose text changed)."""
    pages = list_archived_pages(settings)
    _report_progress("extracted:total", len(pages))
    batch_size = settings.batch_size
    if pages:
        batch_size = pages_to_dask(settings, harvester_for(settings, run_id))
    changed = 0
    for start in range(0, len(pages), batch_size):
        changed += reextract_pages(settings, run_id, pages[start : start + batch_size])
    return len(pages), changed


@flow(name="refresh_docs")
def refresh_docs(settings: Settings | None = None, lock_wait_seconds: float = 3600.0) -> str:
    """Test every row of every model (hourly runs test only the rows they wrote), then
    regenerate the dbt docs (catalog included) from the working database."""
    from flows.transform.docs import docs_directory, generate_docs

    settings = settings or Settings()
    tests, result = generate_docs(settings, lock_wait_seconds, test_every_row=True)
    if not result.success:
        raise RuntimeError(f"dbt docs generate failed: {result.describe_failures()}")
    if tests is not None and not tests.success:
        raise RuntimeError(f"data tests failed on the whole history: {tests.describe_failures()}")
    return str(docs_directory(settings))
