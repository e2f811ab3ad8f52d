"""Warehouse status: feed health and freshness, read from the published warehouse."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console
from rich.table import Table
from rich.text import Text

from flows.core.settings import dbt_project_var
from flows.readers.run_report import notes_grid
from flows.warehouse.query import open_read_only

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
    # per outlet: (outlet_id, days, articles, undated, first day, last day) backfilled
    backfilled: list[tuple[str, int, int, int, date | None, date | None]] = field(
        default_factory=list
    )
    last_backfill: dict[str, Any] | None = None

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
        backfilled, last_backfill = _backfilled(con)
    finally:
        con.close()
    last_run = None
    if run:
        keys = ("run_id", "status", "started_at", "finished_at", "duration_seconds")
        last_run = dict(zip(keys, run[0], strict=True))
    published = datetime.fromtimestamp(warehouse.stat().st_mtime, tz=UTC)
    return Status(
        warehouse,
        published,
        last_run,
        int(articles),
        newest,
        feeds,
        languages,
        backfilled,
        last_backfill,
    )


def _has_column(con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.columns where table_schema = ? "
            "and table_name = ? and column_name = ?",
            [schema, table, column],
        ).fetchall()[0][0]
    )


def _backfilled(
    con: duckdb.DuckDBPyConnection,
) -> tuple[list[tuple[str, int, int, int, date | None, date | None]], dict[str, Any] | None]:
    """Backfilled days and articles per outlet (undated ones apart), and the last backfill;
    nothing from a warehouse published before backfills."""
    if not _has_column(con, "marts", "dim_articles", "is_backfilled"):
        return [], None
    rows = con.execute(
        """
        select outlet_id, count(distinct published_date), count(*),
            count(*) filter (published_date is null), min(published_date), max(published_date)
        from marts.dim_articles where is_backfilled group by outlet_id order by outlet_id
        """
    ).fetchall()
    last = None
    if _has_column(con, "raw", "backfills", "backfill_id"):
        found = con.execute(
            "select backfill_id, kind, status, started_at, finished_at from raw.backfills "
            "order by started_at desc limit 1"
        ).fetchall()
        if found:
            keys = ("backfill_id", "kind", "status", "started_at", "finished_at")
            last = dict(zip(keys, found[0], strict=True))
    return [(str(r[0]), int(r[1]), int(r[2]), int(r[3]), r[4], r[5]) for r in rows], last


def _languages(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, int]]:
    """Articles per detected language and how many were tagged; none from a warehouse
    published before languages were detected."""
    if not _has_column(con, "marts", "dim_articles", "is_tagged"):
        return []
    rows = con.execute(
        "select coalesce(detected_language, 'no text'), count(*), count(*) filter (is_tagged) "
        "from marts.dim_articles group by all order by 2 desc, 1"
    ).fetchall()
    return [(language, int(n), int(tagged)) for language, n, tagged in rows]


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value else "—"


def _short(value: datetime | None, now: datetime) -> str:
    """Eleven characters at most, so the feed table fits 80 columns: the year only when it is
    not this one (then without the time)."""
    if value is None:
        return "—"
    value = value.astimezone(UTC)
    return value.strftime("%m-%d %H:%M" if value.year == now.year else "%Y-%m-%d")


def render_status(status: Status, console: Console, now: datetime | None = None) -> None:
    """Feed health for a person: fits 80 columns (cron and pipes get 80) with every feed name
    and error whole; data is shown as text, never read as markup."""
    now = now or datetime.now(UTC)
    console.print(Text.assemble(("Warehouse", "bold"), " ", str(status.warehouse)))
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
        others = sorted(language for language, _, t in status.languages if t and language != "en")
        discovering = [code for code in dbt_project_var("discovery_languages") if code != "en"]
        curated_only = [code for code in others if code not in discovering]
        if others:
            console.print(
                f"  in {', '.join(others)}: countries, curated persons, issues and quotes with "
                "curated speakers; "
                + (
                    f"people not in the seeds are discovered in {', '.join(discovering)} too, "
                    if discovering
                    else ""
                )
                + (f"not yet in {', '.join(curated_only)}; " if curated_only else "")
                + "tone is English only (docs/quality.md)"
            )
    if status.last_run:
        run = status.last_run
        console.print(
            Text(
                f"  last run {run['run_id'][:8]}: {run['status']}, started "
                f"{_when(run['started_at'])} UTC, took {run['duration_seconds'] or 0:.0f}s"
            )
        )
    if status.backfilled:
        _render_backfilled(status, console)
    console.print(Text.assemble(("Feeds", "bold"), " (times in UTC)"))
    # One space between columns and no indent: the six columns fit 80 with 28-character names.
    table = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 1, 0, 0))
    table.add_column("feed", overflow="fold")
    table.add_column("health", no_wrap=True)
    table.add_column("fails", justify="right", no_wrap=True)
    for column in ("last ok", "next fetch", "new entry"):
        table.add_column(column, no_wrap=True)
    errors = []
    for f in status.feeds:
        table.add_row(
            Text(f["feed_name"]),
            Text(f["health"]),
            str(f["consecutive_failures"]),
            _short(f["last_success_at"], now),
            _short(f["next_fetch_after"], now) if f["next_fetch_after"] else "next run",
            _short(f["last_new_entry_at"], now),
        )
        if f["last_error"]:
            errors.append((f["feed_name"], f"{f['last_status'] or 'error'}: {f['last_error']}"))
    console.print(table)
    if errors:
        console.print(Text("Last errors", style="bold"))
        console.print(notes_grid(errors))


def _render_backfilled(status: Status, console: Console) -> None:
    """Backfilled days per outlet; articles with no date are counted apart (they are in no
    daily rollup or spike baseline)."""
    last = status.last_backfill
    title = Text.assemble(("Backfilled", "bold"), " (per outlet)")
    if last:
        title.append(
            f"; last backfill {last['backfill_id'][:8]} ({last['kind']}): {last['status']}, "
            f"started {_when(last['started_at'])} UTC"
        )
    console.print(title)
    table = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 1, 0, 0))
    table.add_column("outlet", overflow="fold")
    for column in ("days", "articles", "no date"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("from", no_wrap=True)
    table.add_column("to", no_wrap=True)
    for outlet, days, articles, undated, first, last_day in status.backfilled:
        table.add_row(
            Text(outlet),
            str(days),
            str(articles),
            str(undated),
            first.isoformat() if first else "—",
            last_day.isoformat() if last_day else "—",
        )
    console.print(table)
    undated = sum(row[3] for row in status.backfilled)
    if undated:
        console.print(
            f"  {undated} backfilled articles have no date (none in the page or its sitemap): "
            "they are in the warehouse but in no daily rollup or spike baseline"
        )
