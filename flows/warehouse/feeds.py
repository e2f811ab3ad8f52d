"""Feeds: the configured feeds (``raw.feeds``), their scheduling state, and one transaction per
run for what their fetches brought (``raw.feed_fetches``, ``raw.feed_entries``, new pending
``raw.articles``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from flows.core.feeds_file import FeedConfig
from flows.core.records import FeedEntry, FeedFetch, FeedState
from flows.core.statuses import ArticleStatus
from flows.warehouse.columns import Row, as_batch, fetch_log_row, insert_rows
from flows.warehouse.connection import registered, transaction

# raw.feeds columns that make a FeedState (the scheduler's view of a feed), in its field order.
FEED_STATE_COLUMNS = tuple(f.name for f in fields(FeedState))
ENTRY_COLUMNS = tuple(f.name for f in fields(FeedEntry))
CONFIG_COLUMNS = ("feed_name", "configured_url", "outlet", "language")  # from the feeds file


def sync_feeds(con: duckdb.DuckDBPyConnection, feeds: Sequence[FeedConfig]) -> None:
    """Make raw.feeds match the feeds file; a feed whose configured URL changed starts afresh."""
    now = datetime.now(UTC)
    rows = [
        {"feed_name": f.name, "configured_url": f.url, "outlet": f.outlet, "language": f.language}
        for f in feeds
    ]
    batch = as_batch(con, "raw.feeds", rows, columns=CONFIG_COLUMNS)
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
        f"select {', '.join(FEED_STATE_COLUMNS)} from raw.feeds where is_active"
    ).fetchall()
    return {state.feed_name: state for state in (FeedState(*row) for row in rows)}


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


def _fetch_row(fetch: FeedFetch, run_id: str, entries_new: int, now: datetime) -> Row:
    return {
        **fetch_log_row(fetch.fetch, run_id, now),
        "feed_name": fetch.feed_name,
        "status": fetch.status,  # the feed's, which says whether it parsed
        "error": fetch.error,
        "is_bozo": fetch.is_bozo,
        "bozo_reason": fetch.bozo_reason,
        "entries_seen": len(fetch.entries),
        "entries_new": entries_new,
        "body_sha256": fetch.body_sha256,
    }


def _entry_row(entry: FeedEntry, run_id: str, now: datetime) -> Row:
    return {
        **{name: getattr(entry, name) for name in ENTRY_COLUMNS},
        "first_seen_at": now,
        "run_id": run_id,
        "loaded_at": now,
    }


def load_feed_fetches(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    fetches: Sequence[FeedFetch],
    states: Sequence[FeedState],
    entries_new: dict[str, int],
) -> None:
    """One transaction: fetch log, new entries, new pending articles, feed states."""
    now = datetime.now(UTC)
    fetch_rows = [_fetch_row(f, run_id, entries_new.get(f.feed_name, 0), now) for f in fetches]
    entry_rows = [_entry_row(e, run_id, now) for f in fetches for e in f.entries]
    state_rows = [{name: getattr(s, name) for name in FEED_STATE_COLUMNS} for s in states]
    with transaction(con):
        insert_rows(con, "raw.feed_fetches", fetch_rows, mode="ignore")
        insert_rows(con, "raw.feed_entries", entry_rows, mode="ignore")
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
            with registered(con, "_states", as_batch(con, "raw.feeds", state_rows)):
                assignments = ", ".join(
                    f"{c} = s.{c}" for c in FEED_STATE_COLUMNS if c != "feed_name"
                )
                con.execute(
                    f"""
                    update raw.feeds set {assignments},
                        last_fetched_at = $now, updated_at = $now
                    from _states as s
                    where raw.feeds.feed_name = s.feed_name
                    """,
                    {"now": now},
                )
