"""The whole pipeline (Prefect flows, real HTTP, WARC, DuckDB, dbt) on the bundled sample site."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from flows.core.settings import Settings
from flows.demo_site.render import load_articles
from tests.e2e.conftest import (
    DEMO_PAGES,
    RAW_TABLES,
    DemoRuns,
    ProgressLog,
    other_language_feeds,
    query,
)

pytestmark = pytest.mark.e2e


def test_first_run_fetches_feeds_and_records_each_failure(demo_runs: DemoRuns):
    feeds = {f.feed_name: f for f in demo_runs.first.feeds}
    assert {n for n, f in feeds.items() if f.status == "ok"} == {
        "pacific-herald-asia",
        "pacific-herald-world",
        "harbor-wire-latest",
        "straits-daily-region",
        "pacific-herald-entity-bomb",  # entities refused, the item kept
        "pacific-herald-slow-author",  # author cut before parsing
        *other_language_feeds(),
    }
    assert feeds["pacific-herald-entity-bomb"].error.startswith("feed is malformed but readable")
    failures = {n: (f.status, f.http_status, f.error) for n, f in feeds.items() if f.status != "ok"}
    assert failures == {
        "straits-daily-opinion": ("http_error", 404, "HTTP 404 Not Found"),
        "straits-daily-busy": ("http_error", 429, "HTTP 429 Too Many Requests"),
        "pacific-herald-broken": ("invalid_feed", 200, failures["pacific-herald-broken"][2]),
        "harbor-wire-empty": ("invalid_feed", 200, "empty response body"),
        "harbor-wire-homepage": ("invalid_feed", 200, failures["harbor-wire-homepage"][2]),
        "harbor-wire-gzip-bomb": ("too_large", 200, "body exceeds 10485760 bytes"),
        "pacific-herald-redirect-loop": ("too_many_redirects", None, "more than 5 redirects"),
        "pacific-herald-moved-inside": (
            "blocked_address",
            None,
            "10.20.30.40 resolves to non-public address 10.20.30.40",
        ),
    }
    assert failures["pacific-herald-broken"][2].startswith("malformed feed with no entries")
    assert failures["harbor-wire-homepage"][2].startswith("an HTML page, not a feed")


def test_progress_reaches_every_total(demo_runs: DemoRuns):
    """What the terminal's bars show: feeds, pages, extraction (pages that could not be
    fetched are taken off its total) and dbt's nodes each end at their total."""
    progress = demo_runs.progress_first
    attempted = len(demo_runs.first.feeds_attempted)
    assert progress.totals["feeds"] == progress.counts["feeds"] == attempted
    pages = sum(demo_runs.first.articles.values())
    assert progress.totals["pages"] == progress.counts["pages"] == pages
    extracted, skipped = progress.counts["extracted"], progress.counts["extracted:skipped"]
    assert skipped == 3  # the 404, the robots-disallowed page, the metadata address
    assert extracted + skipped == pages
    assert progress.totals["dbt"] == progress.counts["dbt"] > 20


def test_every_article_gets_an_outcome(demo_runs: DemoRuns):
    articles = DEMO_PAGES
    assert demo_runs.first.articles == Counter(
        {
            "ok": articles,
            "empty": 1,  # the video-only page
            "http_error": 1,  # the removed story (404)
            "blocked_by_robots": 1,  # the members-only page under /private/
            "blocked_address": 1,  # the link to 169.254.169.254
            "not_html": 1,  # the PDF report
        }
    )
    assert demo_runs.first.stand_ins == 2  # 404 and robots: their feed summaries stand in


def test_statuses_are_queryable_in_the_published_warehouse(demo_runs: DemoRuns):
    rows = dict(
        query(
            demo_runs.settings.warehouse,
            "select status, count(*) from marts.dim_articles group by status",
        )
    )
    assert rows == {
        "ok": DEMO_PAGES,
        "empty": 1,
        "http_error": 1,
        "blocked_by_robots": 1,
        "blocked_address": 1,
        "not_html": 1,
    }
    stand_ins = query(
        demo_runs.settings.warehouse,
        "select status, title from marts.dim_articles where is_feed_summary order by status",
    )
    assert [s for s, _ in stand_ins] == ["blocked_by_robots", "http_error"]


def test_same_article_from_two_feeds_with_tracking_params_is_one_article(demo_runs: DemoRuns):
    both = [a for a in load_articles() if set(a.feeds) == {"asia", "world"}]
    assert both, "the sample site lists some stories in two feeds"
    rows = query(
        demo_runs.settings.work_database,
        "select article_id, count(*), count(distinct url), any_value(canonical_url) "
        "from raw.feed_entries where feed_name in ('pacific-herald-asia', 'pacific-herald-world') "
        "group by article_id having count(*) > 1",
    )
    assert sorted(url.rsplit("/", 1)[-1] for *_, url in rows) == sorted(
        f"{a.slug}.html" for a in both
    )
    assert all(entries == 2 and urls == 2 for _, entries, urls, _ in rows)  # two URLs, one article
    assert all("utm_" not in url for *_, url in rows)
    for article in both:  # fetched once although listed twice under two URLs
        assert demo_runs.hits_after_first[("www.pacific-herald.example", article.path)] == 1


def test_robots_disallowed_and_private_pages_are_never_requested(demo_runs: DemoRuns):
    assert not [r for r in demo_runs.requests if r["path"].startswith("/private/")]
    assert all(r["user_agent"].startswith("newswatch/") for r in demo_runs.requests)


def test_second_run_is_conditional_and_adds_nothing(demo_runs: DemoRuns):
    statuses = {f.feed_name: f.status for f in demo_runs.second.feeds}
    for name in (
        "pacific-herald-asia",
        "pacific-herald-world",
        "harbor-wire-latest",
        "straits-daily-region",
        "pacific-herald-entity-bomb",
        "pacific-herald-slow-author",
        *other_language_feeds(),
    ):
        assert statuses[name] == "not_modified"
    # Failed feeds back off instead of being hammered.
    assert statuses["straits-daily-opinion"] == "deferred"
    assert demo_runs.second.entries_new == 0
    assert sum(demo_runs.second.articles.values()) == 0
    conditional = [
        r for r in demo_runs.requests if r["path"] == "/feeds/asia.xml" and r["if_none_match"]
    ]
    assert len(conditional) == 1
    # Only feeds (with their validators) and robots.txt (once per host per run); no page twice.
    new_hits = demo_runs.hits_after_second - demo_runs.hits_after_first
    assert {path for (_, path) in new_hits} == {
        "/robots.txt",
        "/feeds/asia.xml",
        "/feeds/world.xml",
        "/atom.xml",
        "/rss/region.xml",
        "/feeds/laughs.xml",
        "/feeds/slow-author.xml",
        *other_language_feeds().values(),
    }
    raw_fetch_growth = {
        t: demo_runs.raw_after_second[t] - demo_runs.raw_after_first[t] for t in RAW_TABLES
    }
    assert raw_fetch_growth == {
        # one logged 304 per due feed, nothing else
        "raw.feed_fetches": 6 + len(other_language_feeds()),
        "raw.feed_entries": 0,
        "raw.page_fetches": 0,
        "raw.articles": 0,
        "raw.sentences": 0,
        "raw.sentence_tone": 0,
    }


def test_marts_have_no_duplicates_after_two_runs(demo_runs: DemoRuns):
    (row,) = query(
        demo_runs.settings.warehouse,
        "select count(*), count(distinct article_id) from marts.dim_articles",
    )
    assert row[0] == row[1] == DEMO_PAGES + 5


def test_every_response_is_archived(demo_runs: DemoRuns):
    archived = query(
        demo_runs.settings.work_database,
        "select count(*) from raw.page_fetches where http_status is not null "
        "and archive_file is null",
    )
    assert archived == [(0,)]
    files = list(demo_runs.settings.archive_path.glob("*.warc.gz"))
    assert files


def test_reextract_rebuilds_text_from_the_archive_without_the_network(
    demo_runs: DemoRuns, tmp_path: Path
):
    from flows.orchestration.pipeline import reextract_pipeline, set_progress
    from flows.warehouse.pages import ANALYSED_TABLES

    # A copy of the demo's warehouse folder with its archive (the shared one is only read).
    source = demo_runs.settings
    settings = Settings(
        warehouse=tmp_path / "w" / source.warehouse.name, dbt_project_dir=source.dbt_project_dir
    )
    shutil.copytree(
        source.warehouse.parent, settings.warehouse.parent, ignore=shutil.ignore_patterns("dbt")
    )
    analysed = {  # without the time each row was written
        table: f"select * exclude ({'scored_at' if table == 'raw.sentence_tone' else 'loaded_at'})"
        f" from {table} order by all"
        for table in ANALYSED_TABLES
    }
    before = {table: query(settings.work_database, sql) for table, sql in analysed.items()}
    con = duckdb.connect(str(settings.work_database))
    try:  # lose every page's text and what was read from it
        for table in ANALYSED_TABLES:
            con.execute(
                f"delete from {table} where article_id in "
                "(select article_id from raw.articles where text_source = 'page')"
            )
        con.execute(
            "update raw.articles set text = null, text_source = null where text_source = 'page'"
        )
    finally:
        con.close()
    # The demo server is gone: any network access would fail.
    progress = ProgressLog()
    set_progress(progress)
    try:
        result = reextract_pipeline(settings)
    finally:
        set_progress(None)
    assert result["dbt_ok"]
    # Progress: every archived page counted up to the total, then dbt's nodes.
    assert progress.totals["extracted"] == progress.counts["extracted"] == result["articles"]
    assert progress.totals["dbt"] == progress.counts["dbt"] > 0
    assert result["changed"] == DEMO_PAGES
    after = {table: query(settings.work_database, sql) for table, sql in analysed.items()}
    assert after == before  # the same sentences, quotations and signatures, once each
    (count,) = query(
        settings.warehouse, "select count(*) from marts.dim_articles where text_source = 'page'"
    )
    assert count == (DEMO_PAGES,)


def test_status_reports_feed_health_and_freshness(demo_runs: DemoRuns):
    from flows.readers.status import read_status

    status = read_status(demo_runs.settings.warehouse)
    health = {f["feed_name"]: f["health"] for f in status.feeds}
    assert health["straits-daily-opinion"] == "failing"
    assert health["pacific-herald-broken"] == "failing"
    assert health["harbor-wire-latest"] == "ok"
    assert {f["feed_name"] for f in status.unhealthy} == {
        "straits-daily-opinion",
        "straits-daily-busy",
        "pacific-herald-broken",
        "pacific-herald-redirect-loop",
        "pacific-herald-moved-inside",
        "harbor-wire-empty",
        "harbor-wire-homepage",
        "harbor-wire-gzip-bomb",
    }
    assert status.article_count == DEMO_PAGES + 5
    assert status.last_run["status"] == "completed"
