"""Raw-schema migrations and loads: bulk, idempotent, never downgrading stored text."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from flows import warehouse
from flows.core.feeds_file import FeedConfig
from flows.core.records import (
    Extraction,
    FeedFetch,
    FeedState,
    LoggedFetch,
    PageAnalysis,
    PageOutcome,
)
from flows.core.statuses import ArticleStatus, FetchStatus, PageStatus
from flows.ingest.feeds import parse_feed
from flows.ingest.harvest import Harvester
from flows.text.analysis import analyse_stand_in, analyse_text
from flows.text.language import LANGUAGE_DETECTOR, detect_language
from flows.warehouse.columns import as_batch
from flows.warehouse.pages import RANK_COLUMN as RANK
from tests.conftest import FIXTURES, make_settings

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


@pytest.fixture
def con(tmp_path: Path):
    with warehouse.open_warehouse(tmp_path / "w.duckdb") as connection:
        yield connection


def count(con, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]


def test_migrations_apply_once(tmp_path: Path):
    path = tmp_path / "w.duckdb"
    with warehouse.open_warehouse(path) as con:
        versions = con.execute("select version from raw.schema_migrations").fetchall()
    assert versions == [(1,), (2,), (3,), (4,), (5,), (6,)]
    con = warehouse.connect(path)
    try:
        assert warehouse.migrate(con) == []
    finally:
        con.close()


def fetch_summary(url: str = "http://site.test/feed", fetch_id: str = "f1") -> LoggedFetch:
    return LoggedFetch(fetch_id, url, url, NOW, "ok", 200, "application/rss+xml", 10, None, 5, None)


def feed_fetch(feed_name: str, fixture: str) -> FeedFetch:
    parsed = parse_feed(feed_name, (FIXTURES / fixture).read_bytes(), None, "http://site.test/")
    return FeedFetch(feed_name, fetch_summary(), "ok", entries=parsed.entries)


def test_feed_load_is_idempotent_and_creates_pending_articles(con):
    warehouse.sync_feeds(con, [FeedConfig(name="a", url="http://site.test/a", outlet="A")])
    fetch = feed_fetch("a", "rss_tracking_params.xml")
    state = FeedState("a", "http://site.test/a")
    for _attempt in range(2):
        new = warehouse.new_entry_counts(con, [fetch])
        warehouse.load_feed_fetches(con, "run", [fetch], [state], new)
    assert count(con, "raw.feed_entries") == 3
    assert count(con, "raw.articles") == 2  # two links differ only in tracking parameters
    assert warehouse.new_entry_counts(con, [fetch]) == {"a": 0}
    pending = warehouse.articles_to_fetch(con, max_attempts=3)
    assert {p.url for p in pending} <= {
        "http://site.test/a.html?utm_source=rss&id=7",
        "http://SITE.test:80/a.html?id=7&utm_medium=feed&fbclid=xyz#top",
        "http://site.test/b.html",
    }
    assert len(pending) == 2
    # a run reads the ids and URLs first, the feeds' text a batch at a time
    bare = warehouse.articles_to_fetch(con, max_attempts=3, with_feed_text=False)
    assert [(p.article_id, p.url, p.summary, p.title) for p in bare] == [
        (p.article_id, p.url, None, None) for p in pending
    ]
    assert any(p.summary or p.title for p in pending)
    assert warehouse.with_feed_text(con, bare) == pending
    assert warehouse.with_feed_text(con, bare[1:]) == pending[1:]


def test_changed_feed_url_resets_its_state(con):
    warehouse.sync_feeds(con, [FeedConfig(name="a", url="http://site.test/a", outlet="A")])
    con.execute("update raw.feeds set etag = '\"v1\"', consecutive_failures = 4")
    warehouse.sync_feeds(con, [FeedConfig(name="a", url="http://site.test/moved", outlet="A")])
    row = con.execute("select url, etag, consecutive_failures from raw.feeds").fetchall()[0]
    assert row == ("http://site.test/moved", None, 0)
    warehouse.sync_feeds(con, [FeedConfig(name="b", url="http://site.test/b", outlet="B")])
    active = dict(con.execute("select feed_name, is_active from raw.feeds").fetchall())
    assert active == {"a": False, "b": True}


def outcome(article_id: str, status: str, text: str | None, source: str | None) -> PageOutcome:
    analysis = None
    if text is not None:
        extraction = Extraction(PageStatus.OK, text=text, title="T", word_count=len(text.split()))
        sentences, found = analyse_text("T", text)
        analysis = PageAnalysis(
            article_id,
            extraction,
            sentences,
            language=detect_language(text, "T"),
            quotations=found,
        )
    summary = fetch_summary(f"http://site.test/{article_id}", f"{article_id}-{status}")
    return PageOutcome(article_id, summary, status, None, analysis, source)


def seed_article(con, article_id: str) -> None:
    con.execute(
        "insert into raw.articles (article_id, canonical_url, url, status, fetch_attempts, "
        "first_seen_at, loaded_at, run_id) values (?, ?, ?, 'pending', 0, ?, ?, 'r')",
        [article_id, f"http://site.test/{article_id}", f"http://site.test/{article_id}", NOW, NOW],
    )


def test_good_text_is_never_replaced_by_a_worse_outcome(con):
    seed_article(con, "a1")
    good = "Japan and the Philippines signed an agreement. Both sides welcomed it."
    warehouse.load_page_outcomes(con, "r1", [outcome("a1", "ok", good, "page")])
    warehouse.load_page_outcomes(con, "r2", [outcome("a1", "empty", None, None)])
    warehouse.load_page_outcomes(
        con, "r3", [outcome("a1", "http_error", "Feed summary text only.", "feed_summary")]
    )
    row = con.execute(
        "select status, text, text_source, fetch_attempts from raw.articles"
    ).fetchall()[0]
    assert row == ("ok", good, "page", 3)
    assert count(con, "raw.sentences") == 3  # title + 2 sentences, from the good text only
    assert count(con, "raw.page_fetches") == 3


def test_better_text_replaces_a_stand_in_and_its_sentences(con):
    seed_article(con, "a2")
    warehouse.load_page_outcomes(
        con, "r1", [outcome("a2", "http_error", "Summary one.", "feed_summary")]
    )
    assert con.execute("select text_source from raw.articles").fetchall()[0] == ("feed_summary",)
    page = "The full article. It has three sentences. Really."
    warehouse.load_page_outcomes(con, "r2", [outcome("a2", "ok", page, "page")])
    texts = [
        r[0]
        for r in con.execute("select text from raw.sentences order by sentence_index").fetchall()
    ]
    assert texts == ["T", "The full article.", "It has three sentences.", "Really."]
    assert count(con, "raw.sentence_tone") == 4


def test_reloading_the_same_batch_changes_nothing(con):
    seed_article(con, "a3")
    batch = [outcome("a3", "ok", "Same text. Twice.", "page")]
    warehouse.load_page_outcomes(con, "r1", batch)
    warehouse.load_page_outcomes(con, "r1", batch)
    assert count(con, "raw.page_fetches") == 1
    assert count(con, "raw.sentences") == 3


def test_rollback_leaves_nothing_half_loaded(con):
    seed_article(con, "a4")
    con.execute("drop table raw.sentence_tone")  # make the last statement of the batch fail
    with pytest.raises(Exception, match="sentence_tone"):
        warehouse.load_page_outcomes(con, "r1", [outcome("a4", "ok", "Some text. More.", "page")])
    assert count(con, "raw.page_fetches") == 0
    assert count(con, "raw.sentences") == 0
    assert con.execute("select status from raw.articles").fetchall()[0] == ("pending",)


def test_background_loader_commits_chunks_and_reports_the_first_failure(con):
    from flows.ingest.harvest import BackgroundLoader

    for article in ("b1", "b2", "b3"):
        seed_article(con, article)
    with BackgroundLoader(con, "r1") as loader:
        loader.load([outcome("b1", "ok", "Some text. More.", "page")])
    assert loader.articles_with_new_text == 1
    assert count(con, "raw.sentences") == 3  # the title and two sentences

    con.execute("drop table raw.sentence_tone")  # every later chunk fails
    with pytest.raises(Exception, match="sentence_tone"), BackgroundLoader(con, "r1") as loader:
        loader.load([outcome("b2", "ok", "Other text. Again.", "page")])
        # the harvest would go on; the failure surfaces on leaving the block at the latest
    assert con.execute("select status from raw.articles where article_id = 'b2'").fetchall() == [
        ("pending",)
    ]


def test_a_failing_harvest_is_not_masked_by_a_failing_load(con):
    from flows.ingest.harvest import BackgroundLoader

    seed_article(con, "c1")
    con.execute("drop table raw.sentence_tone")
    with pytest.raises(OSError, match="archive"), BackgroundLoader(con, "r1") as loader:
        loader.load([outcome("c1", "ok", "Some text. More.", "page")])
        raise OSError("cannot write the archive")


ENGLISH = (
    "Japan and the Philippines agreed on Tuesday to expand joint coast guard patrols in the "
    "South China Sea, officials said, after months of confrontations near disputed reefs."
)
SPANISH = (
    "El gobierno anunció el martes un nuevo plan para reducir la inflación, que según los "
    "economistas afectará sobre todo a los precios de los alimentos y de la energía."
)


def languages(con) -> dict[str, tuple]:
    rows = con.execute(
        "select article_id, detected_language, language_confidence > 0.9, language_reason, "
        "language_detector from raw.articles order by article_id"
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


def test_loaded_pages_and_stand_ins_keep_their_detected_language(con):
    for article_id in ("en", "es", "summary"):
        seed_article(con, article_id)
    stand_in = PageOutcome(
        "summary",
        fetch_summary("http://site.test/summary", "summary-404"),
        "http_error",
        None,
        analyse_stand_in("summary", "Nuevo plan", SPANISH),
        "feed_summary",
    )
    batch = [outcome("en", "ok", ENGLISH, "page"), outcome("es", "ok", SPANISH, "page"), stand_in]
    warehouse.load_page_outcomes(con, "r1", batch)
    warehouse.load_page_outcomes(con, "r2", [outcome("en", "empty", None, None)])  # worse: kept
    assert languages(con) == {
        "en": ("en", True, None, LANGUAGE_DETECTOR),
        "es": ("es", True, None, LANGUAGE_DETECTOR),
        "summary": ("es", True, None, LANGUAGE_DETECTOR),
    }


def store_text(con, article_id: str, text: str | None) -> None:
    seed_article(con, article_id)
    con.execute(
        "update raw.articles set text = ?, title = 'T', status = 'ok', "
        "text_source = case when ? is null then null else 'page' end where article_id = ?",
        [text, text, article_id],
    )


def test_a_warehouse_from_before_languages_upgrades_and_detects_from_stored_text(tmp_path: Path):
    settings = make_settings(tmp_path)
    path, first_only = settings.work_database, tmp_path / "migrations"
    first_only.mkdir()
    shutil.copy(warehouse.MIGRATIONS_DIR / "0001_raw_schema.sql", first_only)
    con = warehouse.connect(path)
    try:
        warehouse.migrate(con, first_only)  # the warehouse as it was
        store_text(con, "a-en", ENGLISH)
        store_text(con, "b-es", SPANISH)
        store_text(con, "c-short", "Talks resume on Tuesday.")
        store_text(con, "d-none", None)
        assert warehouse.migrate(con) == [
            "0002_article_language.sql",
            "0003_sentence_analysis.sql",
            "0004_article_signatures.sql",
            "0005_alert_deliveries.sql",
            "0006_backfill.sql",
        ]
        assert languages(con)["a-en"] == (None, None, None, None)  # kept, not detected yet
    finally:
        con.close()
    harvester = Harvester(settings, "upgrade")  # the workers detect; nothing is fetched
    try:
        detected = harvester.detect_languages()
        again = harvester.detect_languages()
        con = harvester.database()
        after = languages(con)
        con.execute(
            "update raw.articles set language_detector = 'pycld2-0.41/vote-0' "
            "where article_id = 'b-es'"
        )
        bumped = harvester.detect_languages()  # an older detector's answer is redone
    finally:
        harvester.close()
    assert detected == {"en": 1, "es": 1, "und": 1}
    assert again == {}
    assert after == {
        "a-en": ("en", True, None, LANGUAGE_DETECTOR),
        "b-es": ("es", True, None, LANGUAGE_DETECTOR),
        "c-short": ("und", None, "too few words (5, need 12)", LANGUAGE_DETECTOR),  # title too
        "d-none": (None, None, None, None),  # no text: nothing to detect
    }
    assert bumped == {"es": 1}


# -- columns: defined once, in the migrations -------------------------------------------------


def test_batches_take_their_types_from_the_migrated_table(con, tmp_path: Path):
    con.execute("set TimeZone = 'Asia/Tokyo'")  # a reader's session; stored instants stay UTC
    batch = as_batch(
        con, "raw.page_fetches", [{"fetch_id": "f", "http_status": 200, "fetched_at": NOW}]
    )
    assert batch.schema.field("http_status").type == pa.int32()
    assert batch.schema.field("fetched_at").type == pa.timestamp("us", tz="UTC")
    assert batch.column_names == ["fetch_id", "http_status", "fetched_at"]
    # a column a migration adds is typed with no change to the Python side
    migrations = tmp_path / "migrations"
    shutil.copytree(warehouse.MIGRATIONS_DIR, migrations)
    (migrations / "9999_probe.sql").write_text(
        "alter table raw.page_fetches add column probe_bytes bigint;"
    )
    assert warehouse.migrate(con, migrations) == ["9999_probe.sql"]
    probe = as_batch(con, "raw.page_fetches", [{"probe_bytes": 1}])
    assert probe.schema.field("probe_bytes").type == pa.int64()


def test_a_row_key_that_is_no_column_is_an_error_not_an_empty_column(con):
    with pytest.raises(KeyError, match=r"raw\.page_fetches has no column 'fetchd_at'"):
        as_batch(con, "raw.page_fetches", [{"fetch_id": "f", "fetchd_at": NOW}])
    staged = as_batch(con, "raw.articles", [{"article_id": "a", "rank": 3}], extra=RANK)
    assert staged.schema.field("rank").type == pa.int8()


def test_a_page_fetch_arrives_whole(con):
    """The page load fills raw.page_fetches by column name: every value lands in its column."""
    fetched = con.execute("select count(*) from raw.page_fetches").fetchone()
    assert fetched == (0,)
    outcome = PageOutcome(
        "a1",
        LoggedFetch(
            "f1",
            "http://site.test/a1",
            "http://site.test/a1",
            NOW,
            FetchStatus.OK,
            200,
            "text/html",
            10,
            None,
            5,
            None,
        ),
        ArticleStatus.OK,
    )
    seed_article(con, "a1")
    warehouse.load_page_outcomes(con, "r1", [outcome])
    row = con.execute(
        "select fetch_id, run_id, article_id, url, final_url, fetched_at, status, http_status, "
        "content_type, body_bytes, elapsed_ms, loaded_at is not null from raw.page_fetches"
    ).fetchone()
    assert row == (
        "f1",
        "r1",
        "a1",
        "http://site.test/a1",
        "http://site.test/a1",
        NOW,
        "ok",
        200,
        "text/html",
        10,
        5,
        True,
    )


def test_the_loads_run_under_their_own_settings_and_give_the_writers_back(tmp_path: Path):
    """The run's loads append beside the extraction workers under a smaller DuckDB cap; the
    cap is the database instance's, so closing the harvester must give dbt and publishing
    (which connect with the writer's cap) theirs back."""
    settings = make_settings(tmp_path, duckdb_memory_limit="300MB", load_memory_limit="100MB")

    def cap(con) -> str:
        return con.execute(
            "select current_setting('memory_limit') || ' ' || current_setting('checkpoint_threshold')"
        ).fetchall()[0][0]

    harvester = Harvester(settings, "caps")
    try:
        loads = harvester.database()
        # a second connection in the process, as the run's other tasks open, is accepted
        other = warehouse.connect(settings.work_database, memory_limit="300MB")
        during = cap(loads), cap(other)
    finally:
        harvester.close()
    after = cap(other)
    other.close()
    # and checkpoints every LOAD_CHECKPOINT of WAL meanwhile, not at every batch's commit
    assert during == ("95.3 MiB 244.1 MiB", "95.3 MiB 244.1 MiB")
    assert after == "286.1 MiB 16.0 MiB"
