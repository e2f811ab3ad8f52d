"""kill -9 of a real `newswatch run` at several points, then a rerun: the warehouse opens, has
no duplicates, keeps everything committed, and the rerun completes what was missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.demo_site.site import DemoServer
from tests.e2e.conftest import ENGLISH_PAGES, english_feeds, query

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


def run(
    env: dict[str, str], warehouse: Path, crash_at: str | None = None
) -> subprocess.CompletedProcess:
    environment = {**env, "NEWSWATCH_CRASH_AT": crash_at} if crash_at else env
    feeds = english_feeds(warehouse.parent.parent)  # the English outlets: every crash point
    return subprocess.run(
        [NEWSWATCH, "run", "--feeds", str(feeds), "--warehouse", str(warehouse)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("point", ["fetch", "load", "dbt", "publish"])
def test_killed_run_then_rerun_converges(point: str, prefect_harness, tmp_path: Path):
    from prefect.settings import PREFECT_API_URL

    warehouse = tmp_path / "warehouse" / "w.duckdb"
    with DemoServer() as server:
        env = {
            **os.environ,
            "PREFECT_API_URL": PREFECT_API_URL.value(),
            "NEWSWATCH_HOST_MAP": json.dumps(server.host_map),
            "NEWSWATCH_PRIVATE_ALLOWLIST": json.dumps(list(server.allowlist)),
            "NEWSWATCH_PER_HOST_DELAY": "0",
        }
        crashed = run(env, warehouse, crash_at=point)
        assert crashed.returncode == -9, crashed.stdout + crashed.stderr
        work = warehouse.parent / "w.writer" / "w.duckdb"
        con = duckdb.connect(str(work))  # opens: the WAL replays what was committed
        try:
            committed = con.execute(
                "select count(*) from raw.articles where status <> 'pending'"
            ).fetchall()[0][0]
        finally:
            con.close()
        if point in ("dbt", "publish"):
            assert committed == ENGLISH_PAGES + 5  # ingest had finished: nothing lost
        rerun = run(env, warehouse)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    for table, key in UNIQUE_KEYS.items():
        duplicates = query(
            warehouse,
            f"select count(*) from (select {key} from {table} group by all having count(*) > 1)",
        )
        assert duplicates == [(0,)], table
    statuses = dict(
        query(warehouse, "select status, count(*) from marts.dim_articles group by status")
    )
    assert statuses == {
        "ok": ENGLISH_PAGES,
        "empty": 1,
        "http_error": 1,
        "blocked_by_robots": 1,
        "blocked_address": 1,
        "not_html": 1,
    }
    # Every stored article has its sentences and mentions, once.
    assert query(
        warehouse,
        "select count(*) from marts.dim_articles where has_text and sentence_count = 0",
    ) == [(0,)]
    assert not list(warehouse.parent.glob(".w.duckdb.publishing-*"))


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        (150_000, "cannot write the archive"),  # the WARC file fills the "disk" first
        (3_000_000, "File too large"),  # the archive fits; the database does not
    ],
)
def test_disk_full_fails_clearly_and_the_next_run_recovers(
    limit: int, message: str, prefect_harness, tmp_path: Path
):
    import resource

    from prefect.settings import PREFECT_API_URL

    def small_disk() -> None:  # any file growing past `limit` fails with EFBIG, like ENOSPC
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    warehouse = tmp_path / "warehouse" / "w.duckdb"
    feeds = english_feeds(tmp_path)
    command = [NEWSWATCH, "run", "--feeds", str(feeds), "--warehouse", str(warehouse)]
    with DemoServer() as server:
        env = {
            **os.environ,
            "PREFECT_API_URL": PREFECT_API_URL.value(),
            "NEWSWATCH_HOST_MAP": json.dumps(server.host_map),
            "NEWSWATCH_PRIVATE_ALLOWLIST": json.dumps(list(server.allowlist)),
            "NEWSWATCH_PER_HOST_DELAY": "0",
        }
        full = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=600, preexec_fn=small_disk
        )
        assert full.returncode == 1, full.stdout + full.stderr
        assert message in full.stdout + full.stderr
        rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    statuses = dict(
        query(warehouse, "select status, count(*) from marts.dim_articles group by status")
    )
    assert statuses["ok"] == ENGLISH_PAGES
    assert sum(statuses.values()) == ENGLISH_PAGES + 5
    for table, key in UNIQUE_KEYS.items():
        duplicates = query(
            warehouse,
            f"select count(*) from (select {key} from {table} group by all having count(*) > 1)",
        )
        assert duplicates == [(0,)], table
