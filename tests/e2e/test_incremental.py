"""Incremental dbt models: duplicate keys in a batch and backdated articles."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from flows.core.settings import Settings
from flows.demo_site.render import Article, load_articles
from flows.demo_site.site import FEEDS_FILE, DemoServer, build_site
from flows.transform.dbt_runner import run_dbt
from tests.conftest import make_settings
from tests.e2e.conftest import DemoRuns, query, table_counts
from tools import marts_compare

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
    """The run's whole warehouse folder, with the record of its last full build (so the next
    run builds incrementally, as the hourly run would); not dbt's target and logs."""
    target = make_settings(tmp_path, warehouse=tmp_path / "w" / source.warehouse.name, **overrides)
    shutil.copytree(
        source.warehouse.parent,
        target.warehouse.parent,
        ignore=shutil.ignore_patterns("target", "logs"),
    )
    return target


def test_a_backdated_article_is_picked_up(demo_runs: DemoRuns, tmp_path: Path):
    from flows.orchestration.pipeline import news_pipeline

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
    assert report.dbt_scope == "incremental"  # as the hourly run builds it
    rows = query(
        settings.warehouse,
        "select published_date, sum(mention_count) from marts.agg_entity_daily "
        "where entity_id = 'senkaku-islands' and published_date < date '2020-01-01' group by all",
    )
    assert rows and rows[0][0].isoformat() == "2019-05-14" and rows[0][1] > 0


def _execute(database: Path, *statements: str) -> None:
    con = duckdb.connect(str(database))
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()


# Each change as the flows would write it: whole articles, stamped with the load time.
HOLD_BACK = (
    "create schema held",
    "create table held.ids as select article_id from raw.articles "
    "where article_id in (select article_id from raw.sentences) order by article_id desc limit 6",
    *(
        f"create table held.{t} as select * from raw.{t} "
        "where article_id in (select article_id from held.ids)"
        for t in ("articles", "feed_entries", "sentences", "sentence_tone", "article_signatures")
    ),
    *(
        f"delete from raw.{t} where article_id in (select article_id from held.ids)"
        for t in ("articles", "feed_entries", "sentences", "sentence_tone", "article_signatures")
    ),
)
NEW_ARTICLES = (
    "insert into raw.articles select * replace (now() as loaded_at) from held.articles",
    "insert into raw.feed_entries select * replace (now() as loaded_at) from held.feed_entries",
    "insert into raw.sentences select * replace (now() as loaded_at) from held.sentences",
    "insert into raw.sentence_tone select * replace (now() as scored_at) from held.sentence_tone",
    "insert into raw.article_signatures select * replace (now() as loaded_at) from held.article_signatures",
)
# the article with the most sentences, re-extracted: one sentence now names Vietnam and Laos
REEXTRACTED = (
    "create temp table target as select article_id from raw.sentences "
    "group by all order by count(distinct sentence_index) desc, article_id limit 1",
    "update raw.sentences set text = 'Vietnam and Laos said the talks in Hanoi would go on.' "
    "where article_id in (select * from target) and sentence_index = 2",
    "update raw.sentences set loaded_at = now() where article_id in (select * from target)",
    "update raw.sentence_tone set scored_at = now() where article_id in (select * from target)",
)
# another feed lists an already-fetched article, with a date years earlier
BACKDATED = (
    "create temp table target as select article_id from raw.sentences "
    "group by all order by count(distinct sentence_index) desc, article_id limit 1 offset 1",
    "insert into raw.feed_entries select * replace ("
    "'backdated-' || entry_id as entry_id, timestamptz '2019-03-04 05:06:07+00' as published_at, "
    "now() as first_seen_at, now() as loaded_at) "
    "from raw.feed_entries where article_id in (select * from target) limit 1",
)
# re-extracted to one sentence that names nothing: its mentions must go
EMPTIED = (
    "create temp table target as select article_id from raw.sentences "
    "group by all order by count(distinct sentence_index) desc, article_id limit 1 offset 2",
    "delete from raw.sentences where article_id in (select * from target) and sentence_index > 0",
    "delete from raw.sentence_tone where article_id in (select * from target) and sentence_index > 0",
    "update raw.sentences set text = 'Nothing more was said on the matter.', loaded_at = now() "
    "where article_id in (select * from target)",
    "update raw.sentence_tone set scored_at = now() where article_id in (select * from target)",
)


# the feeds file gives a feed another outlet (what syncing the feeds file writes)
OUTLET_RENAMED = (
    "update raw.feeds set outlet = 'Harbor Wire Asia', updated_at = now() "
    "where feed_name = 'harbor-wire-latest'",
)
# a loader bug: one article's sentences and tone inserted again, later; an article of the feed
# whose outlet is renamed next, so the next build changes it again (the shortest, so it does not
# become one of the articles with the most sentences, which the other changes pick)
LOADED_TWICE = (
    "create temp table target as select article_id from raw.sentences "
    "where article_id in "
    "(select article_id from raw.feed_entries where feed_name = 'harbor-wire-latest') "
    "group by all order by count(*), article_id limit 1",
    "insert into raw.sentences select * replace (now() as loaded_at) from raw.sentences "
    "where article_id in (select * from target)",
    "insert into raw.sentence_tone select * replace (now() as scored_at) from raw.sentence_tone "
    "where article_id in (select * from target)",
)
# The comparison is the point: data tests are skipped (every build of the session's demo runs
# them, and the hourly and daily passes are tested below and in test_retag).
NO_TESTS = ("--exclude-resource-type", "unit_test", "--exclude-resource-type", "test")


def built_from_scratch(settings: Settings) -> dict:
    """Every mart as ``dbt build`` derives it from the raw data alone.

    Built at the working database's own path (the incremental database set aside meanwhile,
    then put back): dbt's partial parse is tied to the database's path, so the project is
    parsed once for the whole sequence, not once per comparison.
    """
    database = settings.work_database
    aside = database.with_name("incremental.duckdb")
    assert not database.with_name(database.name + ".wal").exists()
    os.replace(database, aside)
    try:
        marts_compare.raw_copy(aside, database)
        full = run_dbt(settings, "build", *NO_TESTS)
        assert full.success, full.describe_failures()
        return marts_compare.contents(database)
    finally:
        os.replace(aside, database)


def test_every_mart_equals_a_build_from_scratch_through_a_sequence_of_changes(
    demo_runs: DemoRuns, tmp_path: Path
):
    """A batch loaded twice leaves every mart as it was, row for row; then new, re-extracted,
    backdated and emptied articles with an outlet renamed (the twice-loaded article among its
    articles), then a seed edit, each built incrementally, leave every mart as a build from
    scratch on the same raw data would."""
    project = tmp_path / "dbt_project"
    shutil.copytree(
        demo_runs.settings.dbt_project_dir,
        project,
        ignore=shutil.ignore_patterns("target", "logs"),
    )
    settings = Settings(warehouse=tmp_path / "w" / "demo.duckdb", dbt_project_dir=project)
    marts_compare.raw_copy(demo_runs.settings.work_database, settings.work_database)
    database = settings.work_database
    _execute(database, *HOLD_BACK)
    first = run_dbt(settings, "build", *NO_TESTS)
    assert first.success, first.describe_failures()

    def built_incrementally(step: str) -> dict:
        incremental = run_dbt(settings, "build", *NO_TESTS)
        assert incremental.success, (step, incremental.describe_failures())
        after = marts_compare.contents(database)
        assert marts_compare.differences(built_from_scratch(settings), after) == [], step
        return after

    def count(sql: str, *parameters: object) -> int:
        con = duckdb.connect(str(database), read_only=True)
        try:
            return con.execute(sql, list(parameters)).fetchall()[0][0]
        finally:
            con.close()

    # 1. A batch loaded twice (a loader bug): incremental models keep one row per key, and
    # every mart stays as it was. Before the changes below, which change its article again:
    # the daily rollups' pre-hook then deletes every row this build wrote, and the watermark
    # read after that delete counted days again that were not deleted (macros/incremental.sql).
    previous = marts_compare.contents(database)
    counts = table_counts(database, DERIVED)
    _execute(database, *LOADED_TWICE)
    incremental = run_dbt(settings, "build", *NO_TESTS)
    assert incremental.success, incremental.describe_failures()
    assert table_counts(database, DERIVED) == counts
    assert marts_compare.differences(previous, marts_compare.contents(database)) == []
    # the incremental Python models' staging tables do not pile up, one a build
    leftovers = query(
        database, "select table_name from duckdb_tables() where table_name like '%dbt_tmp%'"
    )
    assert leftovers == []

    # 2. What one hourly run may bring: articles never seen, articles already built that
    # changed (each kind on an article of its own, chosen before the new ones arrive, as
    # the statements above choose them: the three with the most sentences), and a feed's
    # outlet renamed by the feeds file. Each is a change to an article's raw rows (its
    # stamp, macros/incremental.sql), rebuilt alike whatever else the run brought.
    reextracted, backdated, emptied = (
        row[0]
        for row in query(
            database,
            "select article_id from raw.sentences group by all "
            "order by count(distinct sentence_index) desc, article_id limit 3",
        )
    )
    held = [row[0] for row in query(database, "select article_id from held.ids")]
    # mentions in the sentences the emptied article loses (it keeps its first, its title)
    mentions = (
        "select count(*) from marts.fct_entity_mentions where article_id = ? and sentence_index > 0"
    )
    assert count(mentions, emptied) > 0
    renamed = "select count(*) from marts.dim_articles where outlet_id = 'harbor-wire-asia'"
    assert count(renamed) == 0
    for statements in (REEXTRACTED, BACKDATED, EMPTIED, OUTLET_RENAMED, NEW_ARTICLES):
        _execute(database, *statements)
    after = built_incrementally(
        "new, re-extracted, backdated and emptied articles, an outlet renamed"
    )
    assert count(renamed) > 0  # the feed's articles, old and new, under their new outlet
    assert len(after["dim_articles"].rows) == len(previous["dim_articles"].rows) + len(held)
    assert count(
        "select count(*) from marts.dim_articles where list_contains(?, article_id)", held
    ) == len(held)
    assert (
        count(
            "select count(*) from marts.fct_sentence_tone where article_id = ? "
            "and sentence_index = 2 and sentence_text like 'Vietnam and Laos said%'",
            reextracted,
        )
        == 1
    )
    # the backdated article moved to its new day, mentions and rollups alike
    assert (
        count(
            "select count(*) from marts.dim_articles where article_id = ? "
            "and published_date = date '2019-03-04'",
            backdated,
        )
        == 1
    )
    assert (
        count(
            "select count(*) from marts.agg_entity_daily where published_date = date '2019-03-04'"
        )
        > 0
    )
    assert count(mentions, emptied) == 0  # they went with its sentences

    # 3. A seed edited: every row derived again with the new rules, as a build from scratch.

    def edit_seeds() -> None:
        aliases = project / "seeds" / "entity_aliases.csv"
        lines = aliases.read_text().splitlines()
        kept = [
            line for line in lines if line != "china,Beijing,capital,capitalized,en,false,pycountry"
        ]
        assert len(kept) == len(lines) - 1
        aliases.write_text(
            "\n".join([*kept, "laos,Vientiane Times,variant,capitalized,en,false,typed"]) + "\n"
        )

    edit_seeds()
    previous, after = after, built_incrementally("seed edit")
    assert marts_compare.differences(previous, after), "the seed edit changed no mart"


def test_hourly_data_tests_read_the_rows_of_the_run_and_the_daily_pass_reads_all(
    demo_runs: DemoRuns, tmp_path: Path
):
    """A broken row written before this run is not re-read hourly; the full pass finds it."""
    from tests.e2e.conftest import working_copy

    settings = working_copy(demo_runs.settings, tmp_path)
    _execute(
        settings.work_database,
        "update marts.fct_sentence_tone set tone = 2 "
        "where sentence_id = (select min(sentence_id) from marts.fct_sentence_tone)",
        "insert into marts.dim_articles select * from marts.dim_articles limit 1",
    )
    scope = (
        "--select",
        "fct_sentence_tone",
        "dim_articles",
        "--exclude-resource-type",
        "unit_test",
    )
    hourly = run_dbt(settings, "test", *scope, tests_since=datetime.now(UTC))
    assert hourly.success, hourly.describe_failures()
    assert any(n.name.startswith("row_rules_fct_sentence_tone") for n in hourly.nodes)

    daily = run_dbt(settings, "test", *scope)
    failed = sorted(n.name.split("_dim_articles")[0].split("_fct_")[0] for n in daily.failures)
    assert failed == ["primary_key", "row_rules"], daily.describe_failures()


def test_the_python_models_build_on_one_thread_as_on_two(demo_runs: DemoRuns, tmp_path: Path):
    """A build that derives a long history runs on one thread (dbt_runner.build_threads), where the
    people and quotes models and the phrase matcher run under a cap of their own
    (macros/memory.sql) and where a pre-hook on every model once broke the Python table model
    int_phrases__inflected. Every other test builds on two threads: here those models are
    built again from scratch on one, and hold the same rows."""
    from tests.e2e.conftest import working_copy

    settings = working_copy(demo_runs.settings, tmp_path)
    models = (
        "int_phrases__inflected",
        "int_phrases__matched",
        "int_persons__mentioned",
        "int_quotes__attributed",
    )

    def rows() -> dict[str, list[tuple]]:
        con = duckdb.connect(str(settings.work_database), read_only=True)
        try:
            return {
                model: con.execute(f"select * from intermediate.{model} order by all").fetchall()
                for model in models
            }
        finally:
            con.close()

    before = rows()
    assert all(before.values())  # the demo has inflected phrases, persons and quotations
    result = run_dbt(settings, "run", "--full-refresh", "--threads", "1", "--select", *models)
    assert result.success, result.describe_failures()
    assert {node.name for node in result.nodes} >= set(models)
    assert rows() == before
