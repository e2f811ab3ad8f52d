"""Backfill bookkeeping: which articles the warehouse already has (a backfill never loads them
again), how far each source was read, and a chunk of backfilled pages loaded in one
transaction with their origin and the source's new offset (``raw.backfill*``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from flows.core.records import PageOutcome
from flows.core.statuses import ArticleStatus
from flows.warehouse.columns import Row, insert_rows
from flows.warehouse.pages import PageLoad, load_page_outcomes


@dataclass(frozen=True)
class BackfilledPage:
    """Where a backfilled article comes from; ``raw.backfilled_articles``' row."""

    article_id: str
    canonical_url: str
    url: str
    kind: str  # warc | sitemap
    source: str
    source_offset: int | None
    host: str
    outlet: str
    feed_name: str | None
    payload_digest: str | None
    archived_at: datetime | None
    listed_published_at: datetime | None = None


@dataclass(frozen=True)
class SourceProgress:
    """``raw.backfill_sources``' row: how far a source has been read."""

    source: str
    kind: str
    next_offset: int = 0
    records_read: int = 0
    pages_kept: int = 0
    articles_loaded: int = 0
    is_finished: bool = False
    problem: str | None = None


def known_articles(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> set[str]:
    """Those of ``ids`` the warehouse has with text (a run's, or an earlier backfill's):
    a backfill leaves them as they are. An article listed but never read (pending, failed)
    may get its text from a backfill."""
    if not ids:
        return set()
    rows = con.execute(
        """
        select article_id from raw.articles
        where article_id in (select unnest($ids)) and text_source is not null
        union
        select article_id from raw.backfilled_articles where article_id in (select unnest($ids))
        """,
        {"ids": list(ids)},
    ).fetchall()
    return {row[0] for row in rows}


def guid_urls(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(guid, article_id) of feed entries whose GUID is a URL other than their link: a page
    archived under its GUID's URL is that article."""
    return con.execute(
        """
        select distinct guid, article_id from raw.feed_entries
        where article_id is not null and guid is not null
            and (guid like 'http://%' or guid like 'https://%')
            and guid is distinct from url
        """
    ).fetchall()


def known_digests(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Payload digests of every backfilled page: the same bytes under another URL (a
    crawl's duplicate) are one article."""
    rows = con.execute(
        "select payload_digest from raw.backfilled_articles where payload_digest is not null"
    ).fetchall()
    return {row[0] for row in rows}


def source_progress(con: duckdb.DuckDBPyConnection) -> dict[str, SourceProgress]:
    rows = con.execute(
        """
        select source, kind, next_offset, records_read, pages_kept, articles_loaded,
            is_finished, problem
        from raw.backfill_sources
        """
    ).fetchall()
    return {row[0]: SourceProgress(*row) for row in rows}


def start_backfill(
    con: duckdb.DuckDBPyConnection, backfill_id: str, kind: str, arguments: dict[str, Any]
) -> None:
    con.execute(
        "insert into raw.backfills (backfill_id, kind, started_at, status, arguments) "
        "values (?, ?, ?, 'running', ?)",
        [backfill_id, kind, datetime.now(UTC), json.dumps(arguments, default=str)],
    )


def finish_backfill(
    con: duckdb.DuckDBPyConnection, backfill_id: str, status: str, summary: dict[str, Any]
) -> None:
    """Record how a backfill ended; a completed one (its dbt build done) also ends the
    earlier ones that stopped without a build: what they loaded is in the marts now."""
    con.execute(
        "update raw.backfills set finished_at = ?, status = ?, summary = ? where backfill_id = ?",
        [datetime.now(UTC), status, json.dumps(summary, default=str), backfill_id],
    )
    if status == "completed":
        con.execute(
            "update raw.backfills set status = 'interrupted' "
            "where status = 'running' and backfill_id <> ?",
            [backfill_id],
        )


def unbuilt_backfills(con: duckdb.DuckDBPyConnection, backfill_id: str) -> int:
    """Earlier backfills that stopped before their dbt build: what they loaded still needs
    one, even if this backfill loads nothing more."""
    return int(
        con.execute(
            "select count(*) from raw.backfills where status = 'running' and backfill_id <> ?",
            [backfill_id],
        ).fetchall()[0][0]
    )


def load_backfill_chunk(
    con: duckdb.DuckDBPyConnection,
    backfill_id: str,
    pages: Sequence[BackfilledPage],
    outcomes: Sequence[PageOutcome],
    progress: Sequence[SourceProgress],
    midway: Callable[[], None] | None = None,
) -> PageLoad:
    """One transaction: the chunk's new articles (as pending rows, then their page outcomes, as
    a run loads them), where each came from, and how far its source is now read. Killed
    halfway, none of it stays, and the source is read again from its previous offset."""
    now = datetime.now(UTC)

    def before(con: duckdb.DuckDBPyConnection) -> None:
        articles: list[Row] = [
            {
                "article_id": p.article_id,
                "canonical_url": p.canonical_url,
                "url": p.url,
                "status": ArticleStatus.PENDING,
                "fetch_attempts": 0,
                # when the page was archived: the warehouse saw it no earlier (never a
                # publication date: int_articles__versioned leaves an undated one undated)
                "first_seen_at": p.archived_at or now,
                "loaded_at": now,
                "run_id": backfill_id,
            }
            for p in pages
        ]
        insert_rows(con, "raw.articles", articles, mode="ignore")
        origins: list[Row] = [
            {
                "article_id": p.article_id,
                "backfill_id": backfill_id,
                "kind": p.kind,
                "source": p.source,
                "source_offset": p.source_offset,
                "url": p.url,
                "host": p.host,
                "outlet": p.outlet,
                "feed_name": p.feed_name,
                "payload_digest": p.payload_digest,
                "archived_at": p.archived_at,
                "listed_published_at": p.listed_published_at,
                "loaded_at": now,
            }
            for p in pages
        ]
        insert_rows(con, "raw.backfilled_articles", origins, mode="ignore")
        for source in progress:
            con.execute(
                """
                insert or replace into raw.backfill_sources (source, kind, backfill_id,
                    next_offset, records_read, pages_kept, articles_loaded, is_finished,
                    problem, updated_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    source.source,
                    source.kind,
                    backfill_id,
                    source.next_offset,
                    source.records_read,
                    source.pages_kept,
                    source.articles_loaded,
                    source.is_finished,
                    source.problem,
                    now,
                ],
            )
        if midway is not None:
            midway()

    return load_page_outcomes(con, backfill_id, outcomes, before=before)
