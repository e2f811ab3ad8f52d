"""kill -9 of a real `newswatch run` at several points, then a rerun: the warehouse opens, has
no duplicates, keeps everything committed, and the rerun completes what was missing.

The four crash points share one warehouse, in pipeline order: a run killed at fetch, its
rerun killed at load, that one's rerun killed at dbt, then at publish, then a rerun that
completes. Each kill finds what a kill at that point finds on a new warehouse (no page loaded
before the load kill, no dbt build before the dbt kill, nothing published before the publish
kill), and each rerun must get past the point where the run before it died to die at the next:
the run after the fetch kill fetches the pending pages and loads them (it dies loading), the
one after the load kill commits every page (checked at the dbt kill), the one after the dbt
kill builds the marts (it reaches publish), and the last converges. After every kill the
working database opens, holds no duplicate, and keeps every article any earlier run committed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from flows.core.faults import RUN_POINTS as POINTS
from flows.demo_site.site import DemoServer
from tests.e2e.conftest import ENGLISH_PAGES, english_feeds, query, site_environment

pytestmark = pytest.mark.e2e

NEWSWATCH = str(Path(sys.executable).parent / "newswatch")
UNIQUE_KEYS = {
    "raw.articles": "article_id",
    "raw.page_fetches": "fetch_id",
    "raw.feed_fetches": "fetch_id",
    "raw.feed_entries": "feed_name, entry_id",
    "raw.sentences": "article_id, sentence_index",
    "raw.sentence_tone": "article_id, sentence_index, tone_model",
}
# The English outlets' pages, and the hostile feeds' five that fail, each its own way.
STATUSES = {
    "ok": ENGLISH_PAGES,
    "empty": 1,
    "http_error": 1,
    "blocked_by_robots": 1,
    "blocked_address": 1,
    "not_html": 1,
}


@pytest.fixture
def newswatch_run(
    prefect_harness, tmp_path: Path
) -> Iterator[Callable[..., subprocess.CompletedProcess]]:
    """`newswatch run` on the English outlets of a sample site served on 127.0.0.1, as a
    process of its own (it is killed), into ``tmp_path/warehouse/w.duckdb``."""
    from prefect.settings import PREFECT_API_URL

    warehouse = tmp_path / "warehouse" / "w.duckdb"
    feeds = english_feeds(tmp_path)
    command = [NEWSWATCH, "run", "--feeds", str(feeds), "--warehouse", str(warehouse)]
    with DemoServer() as server:
        env = {
            **os.environ,
            "PREFECT_API_URL": PREFECT_API_URL.value(),
            **site_environment(server),
        }

        def run(crash_at: str | None = None, **options) -> subprocess.CompletedProcess:
            environment = {**env, "NEWSWATCH_CRASH_AT": crash_at} if crash_at else env
            return subprocess.run(
                command, env=environment, capture_output=True, text=True, timeout=600, **options
            )

        yield run


def warehouse_of(tmp_path: Path) -> Path:
    return tmp_path / "warehouse" / "w.duckdb"


def assert_no_duplicates(database: Path) -> None:
    for table, key in UNIQUE_KEYS.items():
        duplicates = query(
            database,
            f"select count(*) from (select {key} from {table} group by all having count(*) > 1)",
        )
        assert duplicates == [(0,)], table


def assert_converged(warehouse: Path) -> None:
    assert_no_duplicates(warehouse)
    statuses = dict(
        query(warehouse, "select status, count(*) from marts.dim_articles group by status")
    )
    assert statuses == STATUSES
    # Every stored article has its sentences and mentions, once.
    assert query(
        warehouse,
        "select count(*) from marts.dim_articles where has_text and sentence_count = 0",
    ) == [(0,)]
    assert not list(warehouse.parent.glob(".w.duckdb.publishing-*"))


def test_runs_killed_at_each_point_in_turn_then_a_rerun_converges(newswatch_run, tmp_path: Path):
    warehouse = warehouse_of(tmp_path)
    work = warehouse.parent / "w.writer" / "w.duckdb"
    committed: set[str] = set()  # articles some run committed (stored or failed, not pending)
    for point in POINTS:  # fetch, load, dbt, publish: each run reruns the one killed before
        crashed = newswatch_run(crash_at=point)
        assert crashed.returncode == -9, point + crashed.stdout + crashed.stderr
        con = duckdb.connect(str(work))  # opens: the WAL replays what was committed
        try:
            now = {
                article_id
                for (article_id,) in con.execute(
                    "select article_id from raw.articles where status <> 'pending'"
                ).fetchall()
            }
        finally:
            con.close()
        assert_no_duplicates(work)
        assert committed <= now, f"killed at {point}: committed articles lost"
        committed = now
        if point in ("dbt", "publish"):
            assert len(committed) == ENGLISH_PAGES + 5, point  # ingest had finished
        assert not warehouse.exists(), point  # nothing was published yet
    rerun = newswatch_run()
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert_converged(warehouse)


def test_a_full_disk_fails_clearly_and_the_next_run_recovers(newswatch_run, tmp_path: Path):
    import resource

    # Any file growing past the limit fails with EFBIG, like ENOSPC. First the WARC file
    # fills the "disk"; then, on what that run left, the archive fits but the database not.
    for limit, archive_fits in ((150_000, False), (3_000_000, True)):

        def small_disk(limit: int = limit) -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        full = newswatch_run(preexec_fn=small_disk)
        output = full.stdout + full.stderr
        assert full.returncode == 1, output
        assert "File too large" in output, limit
        assert ("cannot write the archive" in output) is not archive_fits, output
    rerun = newswatch_run()
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert_converged(warehouse_of(tmp_path))
