"""DuckDB loading: versioned raw-schema migrations and bulk, idempotent loads into ``raw``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from flows.analysis import PageAnalysis
from flows.extract import EXTRACTOR
from flows.faults import crash_point
from flows.feeds import FeedConfig
from flows.http_client import FetchStatus
from flows.jobs import StoredText
from flows.language import LANGUAGE_DETECTOR, LanguageGuess
from flows.records import (
    NO_TEXT_RANK,
    PAGE_RANK,
    RETRIED_ARTICLE_STATUSES,
    FeedFetch,
    PageOutcome,
    PendingArticle,
    is_transient,
    rank_sql,
)
from flows.schedule import FeedState
from flows.settings import REPO_ROOT
from flows.statuses import ArticleStatus, RunStatus, TextSource
from flows.text import SPLITTER_VERSION, TONE_MODEL

MIGRATIONS_DIR = REPO_ROOT / "warehouse" / "migrations"
MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
TS = pa.timestamp("us", tz="UTC")


class WarehouseError(Exception):
    """The warehouse cannot be opened or migrated."""


def connect(
    path: Path, read_only: bool = False, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    config: dict[str, str | bool | int | float | list[str]] = (
        {"memory_limit": memory_limit} if memory_limit else {}
    )
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot open warehouse {path}: {exc}") from exc


def migrations(directory: Path = MIGRATIONS_DIR) -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration file, in order."""
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = MIGRATION_NAME.match(path.name)
        if not match:
            raise WarehouseError(f"migration file name must look like 0001_name.sql: {path}")
        found.append((int(match.group(1)), path.name, path.read_text(encoding="utf-8")))
    return found


def migrate(con: duckdb.DuckDBPyConnection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply migrations not applied yet, each in its own transaction; returns their names."""
    con.execute("create schema if not exists raw")
    con.execute(
        "create table if not exists raw.schema_migrations ("
        "version integer primary key, name varchar not null, applied_at timestamptz not null)"
    )
    applied = {
        row[0] for row in con.execute("select version from raw.schema_migrations").fetchall()
    }
    done = []
    for version, name, sql in migrations(directory):
        if version in applied:
            continue
        con.execute("begin transaction")
        try:
            con.execute(sql)
            con.execute(
                "insert into raw.schema_migrations values (?, ?, ?)",
                [version, name, datetime.now(UTC)],
            )
            con.execute("commit")
        except duckdb.Error as exc:
            con.execute("rollback")
            raise WarehouseError(f"migration {name} failed: {exc}") from exc
        done.append(name)
    return done


@contextmanager
def open_warehouse(
    path: Path, memory_limit: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A migrated read-write connection, closed on exit."""
    con = connect(path, memory_limit=memory_limit)
    try:
        migrate(con)
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("begin transaction")
    try:
        yield
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> Iterator[None]:
    """Expose an Arrow table to SQL as ``name`` for the duration of the block."""
    con.register(name, table)
    try:
        yield
    except BaseException:
        # Inside an aborted transaction unregister fails too; keep the original error.
        with suppress(duckdb.Error):
            con.unregister(name)
        raise
    con.unregister(name)


def _insert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: Sequence[dict[str, Any]],
    schema: pa.Schema,
    mode: str = "insert",
) -> None:
    """Bulk insert through Arrow (one statement per batch, never a round trip per row)."""
    if rows:
        _insert_table(con, table, pa.Table.from_pylist(list(rows), schema=schema), mode)


def _insert_table(
    con: duckdb.DuckDBPyConnection, table: str, batch: pa.Table, mode: str = "insert"
) -> None:
    if not batch.num_rows:
        return
    verb = "insert or ignore" if mode == "ignore" else "insert"
    with registered(con, "_batch", batch):
        con.execute(f"{verb} into {table} by name select * from _batch")


# -- runs ------------------------------------------------------------------------------------


def start_run(
    con: duckdb.DuckDBPyConnection, run_id: str, feeds_file: str, flow_run_id: str | None
) -> None:
    con.execute(
        "insert or ignore into raw.runs (run_id, flow_run_id, started_at, status, feeds_file) "
        "values (?, ?, ?, ?, ?)",
        [run_id, flow_run_id, datetime.now(UTC), RunStatus.RUNNING, feeds_file],
    )


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, status: RunStatus, summary: dict[str, Any]
) -> None:
    con.execute(
        "update raw.runs set finished_at = ?, status = ?, summary = ? where run_id = ?",
        [datetime.now(UTC), status, json.dumps(summary, default=str), run_id],
    )


# -- feeds -----------------------------------------------------------------------------------


def sync_feeds(con: duckdb.DuckDBPyConnection, feeds: Sequence[FeedConfig]) -> None:
    """Make raw.feeds match the feeds file; a feed whose configured URL changed starts afresh."""
    now = datetime.now(UTC)
    schema = pa.schema(
        [
            ("feed_name", pa.string()),
            ("configured_url", pa.string()),
            ("outlet", pa.string()),
            ("language", pa.string()),
        ]
    )
    rows = [
        {"feed_name": f.name, "configured_url": f.url, "outlet": f.outlet, "language": f.language}
        for f in feeds
    ]
    batch = pa.Table.from_pylist(rows, schema=schema)
    with registered(con, "_config", batch), transaction(con):
        con.execute(
            """
                update raw.feeds set
                    url = _config.configured_url, configured_url = _config.configured_url,
                    etag = null, last_modified = null, body_sha256 = null,
                    consecutive_failures = 0, next_fetch_after = null, updated_at = $now
                from _config
                where raw.feeds.feed_name = _config.feed_name
                    and raw.feeds.configured_url <> _config.configured_url
                """,
            {"now": now},
        )
        con.execute(
            """
                update raw.feeds set
                    outlet = _config.outlet, language = _config.language,
                    is_active = true, updated_at = $now
                from _config
                where raw.feeds.feed_name = _config.feed_name
                """,
            {"now": now},
        )
        con.execute(
            """
                insert into raw.feeds (feed_name, configured_url, url, outlet, language,
                    is_active, consecutive_failures, updated_at)
                select feed_name, configured_url, configured_url, outlet, language, true, 0, $now
                from _config
                where feed_name not in (select feed_name from raw.feeds)
                """,
            {"now": now},
        )
        con.execute(
            "update raw.feeds set is_active = false, updated_at = $now "
            "where is_active and feed_name not in (select feed_name from _config)",
            {"now": now},
        )


def feed_states(con: duckdb.DuckDBPyConnection) -> dict[str, FeedState]:
    rows = con.execute(
        """
        select feed_name, url, etag, last_modified, body_sha256, consecutive_failures,
            next_fetch_after, last_success_at, last_status, last_error, last_new_entry_at
        from raw.feeds where is_active
        """
    ).fetchall()
    return {row[0]: FeedState(*row) for row in rows}


FEED_FETCH_SCHEMA = pa.schema(
    [
        ("fetch_id", pa.string()),
        ("run_id", pa.string()),
        ("feed_name", pa.string()),
        ("url", pa.string()),
        ("final_url", pa.string()),
        ("fetched_at", TS),
        ("status", pa.string()),
        ("http_status", pa.int32()),
        ("error", pa.string()),
        ("is_bozo", pa.bool_()),
        ("bozo_reason", pa.string()),
        ("entries_seen", pa.int32()),
        ("entries_new", pa.int32()),
        ("body_bytes", pa.int64()),
        ("body_sha256", pa.string()),
        ("elapsed_ms", pa.int32()),
        ("archive_file", pa.string()),
        ("archive_offset", pa.int64()),
        ("loaded_at", TS),
    ]
)
ENTRY_SCHEMA = pa.schema(
    [
        ("feed_name", pa.string()),
        ("entry_id", pa.string()),
        ("article_id", pa.string()),
        ("guid", pa.string()),
        ("url", pa.string()),
        ("canonical_url", pa.string()),
        ("title", pa.string()),
        ("summary", pa.string()),
        ("author", pa.string()),
        ("published_at", TS),
        ("updated_at", TS),
        ("first_seen_at", TS),
        ("run_id", pa.string()),
        ("loaded_at", TS),
    ]
)
FEED_STATE_SCHEMA = pa.schema(
    [
        ("feed_name", pa.string()),
        ("url", pa.string()),
        ("etag", pa.string()),
        ("last_modified", pa.string()),
        ("body_sha256", pa.string()),
        ("consecutive_failures", pa.int32()),
        ("next_fetch_after", TS),
        ("last_success_at", TS),
        ("last_status", pa.string()),
        ("last_error", pa.string()),
        ("last_new_entry_at", TS),
    ]
)


def new_entry_counts(
    con: duckdb.DuckDBPyConnection, fetches: Sequence[FeedFetch]
) -> dict[str, int]:
    """How many entries of each fetch are not in raw.feed_entries yet."""
    keys = [(f.feed_name, e.entry_id) for f in fetches for e in f.entries]
    if not keys:
        return {f.feed_name: 0 for f in fetches}
    batch = pa.table({"feed_name": [k[0] for k in keys], "entry_id": [k[1] for k in keys]})
    with registered(con, "_keys", batch):
        rows = con.execute(
            """
            select _keys.feed_name, count(*) from _keys
            anti join raw.feed_entries using (feed_name, entry_id)
            group by all
            """
        ).fetchall()
    counts = dict.fromkeys((f.feed_name for f in fetches), 0)
    counts.update({name: int(n) for name, n in rows})
    return counts


def load_feed_fetches(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    fetches: Sequence[FeedFetch],
    states: Sequence[FeedState],
    entries_new: dict[str, int],
) -> None:
    """One transaction: fetch log, new entries, new pending articles, feed states."""
    now = datetime.now(UTC)
    fetch_rows = []
    entry_rows = []
    for fetch in fetches:
        f = fetch.fetch
        fetch_rows.append(
            {
                "fetch_id": f.fetch_id,
                "run_id": run_id,
                "feed_name": fetch.feed_name,
                "url": f.url,
                "final_url": f.final_url,
                "fetched_at": f.fetched_at,
                "status": fetch.status,
                "http_status": f.http_status,
                "error": fetch.error,
                "is_bozo": fetch.is_bozo,
                "bozo_reason": fetch.bozo_reason,
                "entries_seen": len(fetch.entries),
                "entries_new": entries_new.get(fetch.feed_name, 0),
                "body_bytes": f.body_bytes,
                "body_sha256": fetch.body_sha256,
                "elapsed_ms": f.elapsed_ms,
                "archive_file": f.archive.file if f.archive else None,
                "archive_offset": f.archive.offset if f.archive else None,
                "loaded_at": now,
            }
        )
        for e in fetch.entries:
            entry_rows.append(
                {
                    "feed_name": e.feed_name,
                    "entry_id": e.entry_id,
                    "article_id": e.article_id,
                    "guid": e.guid,
                    "url": e.url,
                    "canonical_url": e.canonical_url,
                    "title": e.title,
                    "summary": e.summary,
                    "author": e.author,
                    "published_at": e.published_at,
                    "updated_at": e.updated_at,
                    "first_seen_at": now,
                    "run_id": run_id,
                    "loaded_at": now,
                }
            )
    state_rows = [
        {
            "feed_name": s.feed_name,
            "url": s.url,
            "etag": s.etag,
            "last_modified": s.last_modified,
            "body_sha256": s.body_sha256,
            "consecutive_failures": s.consecutive_failures,
            "next_fetch_after": s.next_fetch_after,
            "last_success_at": s.last_success_at,
            "last_status": s.last_status,
            "last_error": s.last_error,
            "last_new_entry_at": s.last_new_entry_at,
        }
        for s in states
    ]
    with transaction(con):
        _insert(con, "raw.feed_fetches", fetch_rows, FEED_FETCH_SCHEMA, mode="ignore")
        _insert(con, "raw.feed_entries", entry_rows, ENTRY_SCHEMA, mode="ignore")
        # Every entry with a link becomes a pending article unless that article is known.
        con.execute(
            """
            insert or ignore into raw.articles (article_id, canonical_url, url, status,
                fetch_attempts, first_seen_at, loaded_at, run_id)
            select article_id, any_value(canonical_url), any_value(url), $pending, 0,
                $now, $now, $run_id
            from raw.feed_entries
            where run_id = $run_id and article_id is not null
                and article_id not in (select article_id from raw.articles)
            group by article_id
            """,
            {"now": now, "run_id": run_id, "pending": ArticleStatus.PENDING},
        )
        if state_rows:
            with registered(
                con, "_states", pa.Table.from_pylist(state_rows, schema=FEED_STATE_SCHEMA)
            ):
                con.execute(
                    """
                    update raw.feeds set
                        url = s.url, etag = s.etag, last_modified = s.last_modified,
                        body_sha256 = s.body_sha256,
                        consecutive_failures = s.consecutive_failures,
                        next_fetch_after = s.next_fetch_after,
                        last_success_at = s.last_success_at, last_status = s.last_status,
                        last_error = s.last_error, last_new_entry_at = s.last_new_entry_at,
                        last_fetched_at = $now, updated_at = $now
                    from _states as s
                    where raw.feeds.feed_name = s.feed_name
                    """,
                    {"now": now},
                )


# -- articles --------------------------------------------------------------------------------


def articles_to_fetch(
    con: duckdb.DuckDBPyConnection, max_attempts: int, limit: int | None = None
) -> list[PendingArticle]:
    """Articles never fetched, or whose last attempt failed in a way worth retrying."""
    retried = ", ".join(f"'{s}'" for s in sorted(RETRIED_ARTICLE_STATUSES))
    rows = con.execute(
        f"""
        select a.article_id, a.url, a.status, a.fetch_attempts, pf.http_status,
            e.summary, e.title
        from raw.articles as a
        left join raw.page_fetches as pf on pf.fetch_id = a.last_fetch_id
        left join (
            select article_id, any_value(summary order by length(summary) desc) as summary,
                any_value(title) as title
            from raw.feed_entries where article_id is not null group by article_id
        ) as e on e.article_id = a.article_id
        where (a.status in ({retried})
            or a.text_source = '{TextSource.FEED_SUMMARY}')
            and a.fetch_attempts < {int(max_attempts)}
        order by a.first_seen_at, a.article_id
        {f"limit {int(limit)}" if limit else ""}
        """
    ).fetchall()
    pending = []
    for article_id, url, status, attempts, http_status, summary, title in rows:
        if status != ArticleStatus.PENDING and not is_transient(status, http_status):
            continue
        pending.append(PendingArticle(article_id, url, summary, title, attempts))
    return pending


PAGE_FETCH_SCHEMA = pa.schema(
    [
        ("fetch_id", pa.string()),
        ("run_id", pa.string()),
        ("article_id", pa.string()),
        ("url", pa.string()),
        ("final_url", pa.string()),
        ("fetched_at", TS),
        ("status", pa.string()),
        ("http_status", pa.int32()),
        ("content_type", pa.string()),
        ("body_bytes", pa.int64()),
        ("error", pa.string()),
        ("elapsed_ms", pa.int32()),
        ("archive_file", pa.string()),
        ("archive_offset", pa.int64()),
        ("loaded_at", TS),
    ]
)
ARTICLE_UPDATE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("final_url", pa.string()),
        ("status", pa.string()),
        ("status_reason", pa.string()),
        ("text_source", pa.string()),
        ("title", pa.string()),
        ("author", pa.string()),
        ("page_published", pa.string()),
        ("page_canonical_url", pa.string()),
        ("language", pa.string()),
        ("encoding", pa.string()),
        ("text", pa.string()),
        ("word_count", pa.int32()),
        ("extractor", pa.string()),
        ("last_fetch_id", pa.string()),
        ("archive_file", pa.string()),
        ("archive_offset", pa.int64()),
        ("extracted_at", TS),
        ("detected_language", pa.string()),
        ("language_confidence", pa.float64()),
        ("language_reason", pa.string()),
        ("language_detector", pa.string()),
        ("rank", pa.int8()),
    ]
)
LANGUAGE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("detected_language", pa.string()),
        ("language_confidence", pa.float64()),
        ("language_reason", pa.string()),
        ("language_detector", pa.string()),
    ]
)
SENTENCE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("sentence_index", pa.int32()),
        ("part", pa.string()),
        ("text", pa.string()),
        ("char_start", pa.int32()),
        ("char_end", pa.int32()),
        ("word_count", pa.int32()),
        ("splitter", pa.string()),
        ("loaded_at", TS),
    ]
)
TONE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("sentence_index", pa.int32()),
        ("tone_model", pa.string()),
        ("tone", pa.float64()),
        ("positive_score", pa.float64()),
        ("negative_score", pa.float64()),
        ("neutral_score", pa.float64()),
        ("positive_share", pa.float64()),
        ("negative_share", pa.float64()),
        ("polarity", pa.float64()),
        ("word_count", pa.int32()),
        ("scored_at", TS),
    ]
)


def sentence_rows(
    analysis: PageAnalysis, now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    sentences, tones = [], []
    for scored in analysis.sentences:
        s, t = scored.sentence, scored.tone
        sentences.append(
            {
                "article_id": analysis.article_id,
                "sentence_index": s.index,
                "part": s.part,
                "text": s.text,
                "char_start": s.char_start,
                "char_end": s.char_end,
                "word_count": s.word_count,
                "splitter": SPLITTER_VERSION,
                "loaded_at": now,
            }
        )
        tones.append(
            {
                "article_id": analysis.article_id,
                "sentence_index": s.index,
                "tone_model": TONE_MODEL,
                "tone": t.tone,
                "positive_score": t.positive_score,
                "negative_score": t.negative_score,
                "neutral_score": t.neutral_score,
                "positive_share": t.positive_share,
                "negative_share": t.negative_share,
                "polarity": t.polarity,
                "word_count": t.word_count,
                "scored_at": now,
            }
        )
    return sentences, tones


def _language_columns(guess: LanguageGuess | None) -> dict[str, Any]:
    return {
        "detected_language": guess.language if guess else None,
        "language_confidence": guess.confidence if guess else None,
        "language_reason": guess.reason if guess else None,
        "language_detector": guess.detector if guess else None,
    }


@dataclass(frozen=True)
class PageLoad:
    """What a page batch changed: articles whose text was (re)written."""

    fetches: int
    articles_with_new_text: int


def load_page_outcomes(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    outcomes: Sequence[PageOutcome],
    from_archive: bool = False,
) -> PageLoad:
    """One transaction per batch: fetch log, article rows (never downgraded), sentences, tone.

    ``from_archive``: the outcomes re-extract archived responses, so no fetch is logged or
    counted as an attempt. An outcome whose values cannot be stored is loaded as
    ``load_error`` with the reason, its text left out; the others load as usual.
    """
    if not outcomes:
        return PageLoad(0, 0)
    now = datetime.now(UTC)
    fetches, pages, sentences, tones = _page_tables(outcomes, run_id, now)
    with transaction(con):
        if not from_archive:
            _insert_table(con, "raw.page_fetches", fetches, mode="ignore")
        crash_point("load")  # tests: die with the transaction half done
        with registered(con, "_pages", pages):
            con.execute(
                f"""
                create or replace temp table _improved as
                select p.article_id, a.text_source is not null as had_text
                from _pages as p
                inner join raw.articles as a using (article_id)
                where p.rank > {rank_sql("a")}
                    or (p.rank = {PAGE_RANK} and {rank_sql("a")} = {PAGE_RANK}
                        and (p.text is distinct from a.text
                            or a.status = '{ArticleStatus.SCORE_ERROR}'))
                """
            )
            rows = con.execute("select article_id, had_text from _improved").fetchall()
            improved = {article_id for article_id, _ in rows}
            replaced = [article_id for article_id, had_text in rows if had_text]
            attempt = "" if from_archive else "+ 1"
            con.execute(
                f"""
                update raw.articles as a set
                    fetch_attempts = a.fetch_attempts {attempt},
                    last_fetch_id = p.last_fetch_id,
                    loaded_at = $now, run_id = $run_id,
                    status = case when i.article_id is not null or a.text_source is null
                        then p.status else a.status end,
                    status_reason = case when i.article_id is not null or a.text_source is null
                        then p.status_reason else a.status_reason end
                from _pages as p
                left join _improved as i using (article_id)
                where a.article_id = p.article_id
                """,
                {"now": now, "run_id": run_id},
            )
            con.execute(
                """
                update raw.articles as a set
                    final_url = p.final_url, text_source = p.text_source, title = p.title,
                    author = p.author, page_published = p.page_published,
                    page_canonical_url = p.page_canonical_url, language = p.language,
                    encoding = p.encoding, text = p.text, word_count = p.word_count,
                    extractor = p.extractor, archive_file = p.archive_file,
                    archive_offset = p.archive_offset, extracted_at = p.extracted_at,
                    detected_language = p.detected_language,
                    language_confidence = p.language_confidence,
                    language_reason = p.language_reason, language_detector = p.language_detector
                from _pages as p
                where a.article_id = p.article_id
                    and p.article_id in (select article_id from _improved)
                """
            )
            if replaced:  # only articles that had text have sentences to replace: the delete
                # scans the whole table, so it must not run for every new article
                for table in ("raw.sentences", "raw.sentence_tone"):
                    con.execute(
                        f"delete from {table} where article_id in "
                        "(select article_id from _improved where had_text)"
                    )
            con.execute("drop table _improved")
        wanted = pa.array(sorted(improved), pa.string())
        for table, rows in (("raw.sentences", sentences), ("raw.sentence_tone", tones)):
            _insert_table(con, table, rows.filter(pc.is_in(rows["article_id"], wanted)))
    return PageLoad(len(outcomes), len(improved))


Row = dict[str, Any]
PageRows = tuple[Row, Row, list[Row], list[Row]]  # fetch, article update, sentences, tones


def _page_rows(o: PageOutcome, run_id: str, now: datetime) -> PageRows:
    """One outcome's rows: its fetch, its article update, its sentences and their tone."""
    f = o.fetch
    fetch = {
        "fetch_id": f.fetch_id,
        "run_id": run_id,
        "article_id": o.article_id,
        "url": f.url,
        "final_url": f.final_url,
        "fetched_at": f.fetched_at,
        "status": f.status,
        "http_status": f.http_status,
        "content_type": f.content_type,
        "body_bytes": f.body_bytes,
        "error": f.error,
        "elapsed_ms": f.elapsed_ms,
        "archive_file": f.archive.file if f.archive else None,
        "archive_offset": f.archive.offset if f.archive else None,
        "loaded_at": now,
    }
    extraction = o.analysis.extraction if o.analysis else None
    language = o.analysis.language if o.analysis and o.has_text else None
    article = {
        "article_id": o.article_id,
        "final_url": f.final_url,
        "status": o.status,
        "status_reason": o.reason,
        "text_source": o.text_source,
        "title": extraction.title if extraction else None,
        "author": extraction.author if extraction else None,
        "page_published": extraction.published if extraction else None,
        "page_canonical_url": extraction.canonical_url if extraction else None,
        "language": extraction.language if extraction else None,
        "encoding": extraction.encoding if extraction else None,
        "text": extraction.text if extraction and o.has_text else None,
        "word_count": extraction.word_count if extraction and o.has_text else None,
        "extractor": ("feed-summary" if o.text_source == TextSource.FEED_SUMMARY else EXTRACTOR)
        if extraction
        else None,
        "last_fetch_id": f.fetch_id,
        "archive_file": f.archive.file if f.archive else None,
        "archive_offset": f.archive.offset if f.archive else None,
        "extracted_at": now if extraction else None,
        **_language_columns(language),
        "rank": o.rank,
    }
    sentences, tones = sentence_rows(o.analysis, now) if o.analysis else ([], [])
    return fetch, article, sentences, tones


PAGE_SCHEMAS = (PAGE_FETCH_SCHEMA, ARTICLE_UPDATE_SCHEMA, SENTENCE_SCHEMA, TONE_SCHEMA)


def _as_tables(rows: Sequence[PageRows]) -> tuple[pa.Table, pa.Table, pa.Table, pa.Table]:
    fetches = [r[0] for r in rows]
    articles = [r[1] for r in rows]
    sentences = [s for r in rows for s in r[2]]
    tones = [t for r in rows for t in r[3]]
    batches = (fetches, articles, sentences, tones)
    tables = (pa.Table.from_pylist(b, schema=x) for b, x in zip(batches, PAGE_SCHEMAS, strict=True))
    fetch_table, article_table, sentence_table, tone_table = tables
    return fetch_table, article_table, sentence_table, tone_table


def _storable(value: Any) -> Any:
    """A string that any column takes (lone surrogates escaped); other values unchanged."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _page_tables(
    outcomes: Sequence[PageOutcome], run_id: str, now: datetime
) -> tuple[pa.Table, pa.Table, pa.Table, pa.Table]:
    """The batch as Arrow tables. Should one outcome's values not convert (a string no
    encoding can hold), that outcome alone becomes a ``load_error`` row without text."""
    rows = [_page_rows(o, run_id, now) for o in outcomes]
    try:
        return _as_tables(rows)
    except (pa.ArrowException, ValueError, TypeError, OverflowError):
        pass  # find the culprits one by one (rare: the whole batch converts at once)
    for index, row in enumerate(rows):
        try:
            _as_tables([row])
        except (pa.ArrowException, ValueError, TypeError, OverflowError) as exc:
            fetch, article, _, _ = row
            article = {
                **article,
                "status": ArticleStatus.LOAD_ERROR,
                "status_reason": f"cannot store this page: {type(exc).__name__}: {exc}",
                "text_source": None,
                "text": None,
                "word_count": None,
                **_language_columns(None),
                "rank": NO_TEXT_RANK,
            }
            rows[index] = (
                {k: _storable(v) for k, v in fetch.items()},
                {k: _storable(v) for k, v in article.items()},
                [],
                [],
            )
    return _as_tables(rows)


@dataclass(frozen=True)
class ArchivedPage:
    article_id: str
    fetch_id: str
    url: str
    archive_file: str
    archive_offset: int
    summary: str | None
    title: str | None


def archived_pages(con: duckdb.DuckDBPyConnection) -> list[ArchivedPage]:
    """For each article, its latest successfully fetched page that is in the archive."""
    rows = con.execute(
        """
        select pf.article_id, pf.fetch_id, pf.final_url, pf.archive_file, pf.archive_offset,
            e.summary, e.title
        from raw.page_fetches as pf
        left join (
            select article_id, any_value(summary order by length(summary) desc) as summary,
                any_value(title) as title
            from raw.feed_entries where article_id is not null group by article_id
        ) as e on e.article_id = pf.article_id
        where pf.status = $ok and pf.archive_file is not null
        qualify row_number() over (partition by pf.article_id order by pf.fetched_at desc) = 1
        order by pf.article_id
        """,
        {"ok": FetchStatus.OK},
    ).fetchall()
    return [ArchivedPage(*row) for row in rows]


# -- languages -------------------------------------------------------------------------------


def texts_without_language(
    con: duckdb.DuckDBPyConnection, after: str = "", limit: int = 2000
) -> list[StoredText]:
    """Articles with text whose language was never detected, or by an older detector, in
    article-id order after ``after`` (so a batch that fails cannot come back forever)."""
    rows = con.execute(
        """
        select article_id, title, text from raw.articles
        where text is not null and language_detector is distinct from $detector
            and article_id > $after
        order by article_id
        limit $limit
        """,
        {"detector": LANGUAGE_DETECTOR, "after": after, "limit": limit},
    ).fetchall()
    return [StoredText(*row) for row in rows]


def store_languages(
    con: duckdb.DuckDBPyConnection, guesses: Sequence[tuple[str, LanguageGuess]]
) -> None:
    """Record detected languages in one statement (articles whose text is unchanged). An
    article whose language changed gets a new load time, so the incremental marts describe
    it again."""
    rows = [{"article_id": article_id, **_language_columns(g)} for article_id, g in guesses]
    if not rows:
        return
    with (
        registered(con, "_languages", pa.Table.from_pylist(rows, schema=LANGUAGE_SCHEMA)),
        transaction(con),
    ):
        con.execute(
            """
            update raw.articles as a set
                detected_language = l.detected_language,
                language_confidence = l.language_confidence,
                language_reason = l.language_reason, language_detector = l.language_detector,
                loaded_at = case
                    when a.detected_language is not distinct from l.detected_language
                        and a.language_confidence is not distinct from l.language_confidence
                        then a.loaded_at
                    else $now end
            from _languages as l
            where a.article_id = l.article_id
            """,
            {"now": datetime.now(UTC)},
        )
