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
from tests.e2e.conftest import DemoRuns, query, table_counts

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
