"""Incremental dbt models: duplicate keys in a batch and backdated articles."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from flows.dbt_runner import run_dbt
from flows.demo_site.render import Article, load_articles
from flows.demo_site.site import FEEDS_FILE, DemoServer, build_site
from flows.settings import Settings
from tests.conftest import make_settings
from tests.e2e.conftest import DemoRuns, query, table_counts, working_copy

pytestmark = pytest.mark.e2e

DERIVED = (
    "intermediate.int_sentences__tokenized",
    "intermediate.int_entity_mentions__matched",
    "intermediate.int_issue_mentions__matched",
    "marts.fct_entity_mentions",
    "marts.fct_issue_mentions",
    "marts.fct_sentence_tone",
    "marts.agg_entity_daily",
)


def copy_warehouse(source: Settings, tmp_path: Path, **overrides) -> Settings:
    target = make_settings(tmp_path, warehouse=tmp_path / "w" / source.warehouse.name, **overrides)
    shutil.copytree(
        source.warehouse.parent, target.warehouse.parent, ignore=shutil.ignore_patterns("dbt")
    )
    return target


def test_a_batch_loaded_twice_changes_no_count(demo_runs: DemoRuns, tmp_path: Path):
    settings = copy_warehouse(demo_runs.settings, tmp_path)
    before = table_counts(settings.work_database, DERIVED)
    con = duckdb.connect(str(settings.work_database))
    try:  # a loader bug: one article's sentences and tone inserted again, later
        article = con.execute("select article_id from raw.sentences limit 1").fetchall()[0][0]
        con.execute(
            "insert into raw.sentences select * replace (now() as loaded_at) from raw.sentences where article_id = ?",
            [article],
        )
        con.execute(
            "insert into raw.sentence_tone select * replace (now() as scored_at) from raw.sentence_tone where article_id = ?",
            [article],
        )
    finally:
        con.close()
    result = run_dbt(settings, "build")
    assert result.success, result.describe_failures()  # unique tests on every key pass
    assert table_counts(settings.work_database, DERIVED) == before


def test_a_backdated_article_is_picked_up(demo_runs: DemoRuns, tmp_path: Path):
    from flows.pipeline import news_pipeline

    articles = load_articles()
    template = next(a for a in articles if a.slug == "senkaku-patrol-standoff")
    backdated = Article(
        **{
            **template.__dict__,
            "slug": "senkaku-archive-2019",
            "title": "From the archive: Japan protests Chinese ships near the Senkaku Islands",
            "published": datetime(2019, 5, 14, 9, 0, tzinfo=UTC),
        }
    )
    with DemoServer(build_site([*articles, backdated])) as server:
        settings = copy_warehouse(
            demo_runs.settings,
            tmp_path,
            feeds=FEEDS_FILE,
            host_map=server.host_map,
            private_allowlist=server.allowlist,
        )
        report = news_pipeline(settings)
    assert report.articles["ok"] == 1  # only the new, old-dated story was fetched
    rows = query(
        settings.warehouse,
        "select published_date, sum(mention_count) from marts.agg_entity_daily "
        "where entity_id = 'senkaku-islands' and published_date < date '2020-01-01' group by all",
    )
    assert rows and rows[0][0].isoformat() == "2019-05-14" and rows[0][1] > 0


ROLLUPS = {
    "marts.agg_entity_daily": "published_date, outlet_id, entity_id",
    "marts.agg_issue_daily": "published_date, outlet_id, issue_id",
    "marts.agg_dyad_daily": "published_date, outlet_id, country_a_id, country_b_id",
    "marts.fct_article_issues": "article_id, issue_id",
}


def rollup_contents(database: Path) -> dict[str, list[tuple]]:
    """Every row; loaded_at says when a row was recounted, which differs between builds by
    design, and float sums are rounded because their order of addition may differ."""
    contents = {}
    for table, key in ROLLUPS.items():
        floats = ["mean_tone"] if table.endswith("article_issues") else ["mean_tone", "tone_sum"]
        rounded = ", ".join(f"round({column}, 9) as {column}" for column in floats)
        contents[table] = query(
            database,
            f"select * exclude (loaded_at) replace ({rounded}) from {table} order by {key}",
        )
    return contents


def test_incremental_rollups_equal_a_full_rebuild(demo_runs: DemoRuns, tmp_path: Path):
    """Daily aggregates and per-article summaries are recounted day by day and article by
    article; after a re-extraction that moves an article to another day and one that leaves an
    article without mentions, they must equal a build from scratch."""
    settings = working_copy(demo_runs.settings, tmp_path)
    database = settings.work_database
    before = rollup_contents(database)
    moved, emptied = (
        row[0]
        for row in query(
            database,
            "select article_id from marts.fct_article_issues group by article_id "
            "order by count(*) desc, article_id limit 2",
        )
    )
    con = duckdb.connect(str(database))
    try:
        # `moved` is re-extracted with a date years earlier and only its first three sentences;
        # `emptied` keeps one sentence, rewritten to name nothing and no issue.
        for table, column in (
            ("raw.feed_entries", "published_at"),
            ("raw.articles", "page_published"),
        ):
            con.execute(
                f"update {table} set {column} = '2019-03-04 05:06:07+00', loaded_at = now() "
                "where article_id = ?",
                [moved],
            )
        for table, stamp in (("raw.sentences", "loaded_at"), ("raw.sentence_tone", "scored_at")):
            con.execute(
                f"delete from {table} where article_id = ? and sentence_index >= 3", [moved]
            )
            con.execute(
                f"delete from {table} where article_id = ? and sentence_index >= 1", [emptied]
            )
            con.execute(
                f"update {table} set {stamp} = now() where article_id in (?, ?)", [moved, emptied]
            )
        con.execute(
            "update raw.sentences set text = 'Nothing more was said on the matter.' "
            "where article_id = ?",
            [emptied],
        )
    finally:
        con.close()

    incremental = run_dbt(settings, "build", "--exclude-resource-type", "unit_test")
    assert incremental.success, incremental.describe_failures()
    after_incremental = rollup_contents(database)
    assert after_incremental != before  # the edits changed what the rollups count
    assert query(
        database, f"select count(*) from marts.fct_article_issues where article_id = '{emptied}'"
    ) == [(0,)]
    assert (
        query(
            database,
            "select count(*) from marts.agg_entity_daily where published_date = date '2019-03-04'",
        )[0][0]
        > 0
    )

    full = run_dbt(settings, "build", "--exclude-resource-type", "unit_test", "--full-refresh")
    assert full.success, full.describe_failures()
    assert rollup_contents(database) == after_incremental


def test_a_warehouse_from_before_incremental_rollups_upgrades_in_place(
    demo_runs: DemoRuns, tmp_path: Path
):
    """Warehouses built when the rollups were plain tables (no loaded_at, no taxonomy_version)
    must keep working: the first build recounts them once, with no --full-refresh."""
    settings = working_copy(demo_runs.settings, tmp_path)
    database = settings.work_database
    expected = rollup_contents(database)
    con = duckdb.connect(str(database))
    try:
        for table in ROLLUPS:
            con.execute(
                f"create or replace table {table} as "
                f"select * exclude (loaded_at, taxonomy_version) from {table}"
            )
    finally:
        con.close()
    result = run_dbt(settings, "build", "--exclude-resource-type", "unit_test")
    assert result.success, result.describe_failures()
    assert rollup_contents(database) == expected
