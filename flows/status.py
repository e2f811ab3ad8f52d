"""Warehouse status: feed health and freshness, read from the published warehouse."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console
from rich.table import Table

from flows.query import open_read_only

FEED_COLUMNS = (
    "feed_name",
    "health",
    "last_status",
    "last_success_at",
    "consecutive_failures",
    "next_fetch_after",
    "last_new_entry_at",
    "last_error",
)


@dataclass(frozen=True)
class Status:
    warehouse: Path
    published_at: datetime
    last_run: dict[str, Any] | None
    article_count: int
    newest_article_at: datetime | None
    feeds: list[dict[str, Any]]
    # (detected language or "no text", articles, tagged), most articles first
    languages: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def unhealthy(self) -> list[dict[str, Any]]:
        return [f for f in self.feeds if f["health"] in ("failing", "parked")]


def read_status(warehouse: Path) -> Status:
    con = open_read_only(warehouse)
    try:
        feeds = [
            dict(zip(FEED_COLUMNS, row, strict=True))
            for row in con.execute(
                f"select {', '.join(FEED_COLUMNS)} from marts.dim_feeds "
                "where is_active order by health <> 'ok' desc, feed_name"
            ).fetchall()
        ]
        run = con.execute(
            "select run_id, status, started_at, finished_at, duration_seconds "
            "from staging.stg_newswatch__runs order by started_at desc limit 1"
        ).fetchall()
        articles, newest = con.execute(
            "select count(*), max(published_at) from marts.dim_articles"
        ).fetchall()[0]
        languages = _languages(con)
    finally:
        con.close()
    last_run = None
    if run:
        keys = ("run_id", "status", "started_at", "finished_at", "duration_seconds")
        last_run = dict(zip(keys, run[0], strict=True))
    published = datetime.fromtimestamp(warehouse.stat().st_mtime, tz=UTC)
    return Status(warehouse, published, last_run, int(articles), newest, feeds, languages)


def _languages(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, int]]:
    """Articles per detected language and how many were tagged; none from a warehouse
    published before languages were detected."""
    has_column = con.execute(
        "select count(*) from information_schema.columns where table_schema = 'marts' "
        "and table_name = 'dim_articles' and column_name = 'is_tagged'"
    ).fetchall()[0][0]
    if not has_column:
        return []
    rows = con.execute(
        "select coalesce(detected_language, 'no text'), count(*), count(*) filter (is_tagged) "
        "from marts.dim_articles group by all order by 2 desc, 1"
    ).fetchall()
    return [(language, int(n), int(tagged)) for language, n, tagged in rows]


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value else "—"


def render_status(status: Status, console: Console) -> None:
    console.print(f"[bold]Warehouse[/bold] {status.warehouse}")
    console.print(f"  published {_when(status.published_at)} UTC; {status.article_count} articles")
    console.print(f"  newest article published {_when(status.newest_article_at)} UTC")
    if status.languages:
        tagged = sum(n for _, _, n in status.languages)
        console.print(
            f"  tagged {tagged} of {status.article_count} articles; by detected language: "
            + ", ".join(
                f"{language} {n}" + (" tagged" if t == n else f" ({t} tagged)" if t else "")
                for language, n, t in status.languages
            )
        )
    if status.last_run:
        run = status.last_run
        console.print(
            f"  last run {run['run_id'][:8]}: {run['status']}, started {_when(run['started_at'])}"
            f" UTC, took {run['duration_seconds'] or 0:.0f}s"
        )
    table = Table(title="Feeds", header_style="bold")
    for column in (
        "feed",
        "health",
        "last status",
        "last success",
        "failures",
        "next fetch",
        "last new entry",
        "last error",
    ):
        table.add_column(column)
    for f in status.feeds:
        table.add_row(
            f["feed_name"],
            f["health"],
            f["last_status"] or "—",
            _when(f["last_success_at"]),
            str(f["consecutive_failures"]),
            _when(f["next_fetch_after"]) if f["next_fetch_after"] else "next run",
            _when(f["last_new_entry_at"]),
            (f["last_error"] or "")[:60],
        )
    console.print(table)
