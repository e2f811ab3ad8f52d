"""What a person reads after a run and from `newswatch status`: whole at 80 columns (what
make, cron and pipes get), and data shown as it is, never read as markup."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from flows.readers.run_report import FeedReportLine, RunReport
from flows.readers.status import Status, render_status

NOW = datetime(2026, 11, 30, 21, 0, tzinfo=UTC)
# The demo's failures, and names as long as its longest, plus data that looks like markup.
FAILURES = {
    "harbor-wire-gzip-bomb": ("too_large", "body exceeds 10485760 bytes"),
    "harbor-wire-homepage": (
        "invalid_feed",
        "an HTML page, not a feed: text/html is not an XML media type",
    ),
    "pacific-herald-moved-inside": (
        "blocked_address",
        "10.20.30.40 resolves to non-public address 10.20.30.40",
    ),
    "pacific-herald-redirect-loop": ("too_many_redirects", "more than 5 redirects"),
    "markup-lookalike": ("invalid_feed", "tag [/b] then [bold]kept[/bold] and postgres:x:101"),
}
OK_FEEDS = ("pacific-herald-entity-bomb", "straits-daily-region")


def render(renderable_to, width: int = 80) -> str:
    console = Console(record=True, width=width, file=open("/dev/null", "w"))  # noqa: SIM115
    renderable_to(console)
    return console.export_text()


def check_readable(text: str, names: list[str], notes: list[str], width: int = 80) -> None:
    lines = text.splitlines()
    too_long = [line for line in lines if len(line.rstrip()) > width]
    assert too_long == [], too_long
    for name in names:  # whole on one line: never cut to "harbor…" nor folded
        assert any(name in line.split() for line in lines), name
    flowing = " ".join(text.split())
    for note in notes:
        assert note in flowing, note
    # Not one word per line: no two lines running with a single word each.
    single = [len(line.split()) == 1 for line in lines]
    assert not any(a and b for a, b in itertools.pairwise(single)), text


def test_run_summary_is_whole_at_80_columns():
    report = RunReport(run_id="r" * 32)
    report.feeds = [
        FeedReportLine(name, status, 200, error=error) for name, (status, error) in FAILURES.items()
    ] + [FeedReportLine(name, "ok", 200, 10, 10) for name in OK_FEEDS]
    report.articles = Counter({"ok": 30, "http_error": 1})
    report.reasons = Counter({"http_error: HTTP 404 Not Found": 1})
    report.dbt_ok, report.dbt_scope = True, "full"
    report.mart_rows = {f"marts.mart_{i}": i * 100 for i in range(10)}
    report.stages = {"feeds": 1.0, "pages": 2.0, "dbt": 30.0, "publish": 0.1}
    text = render(report.render)
    check_readable(
        text,
        [*FAILURES, *OK_FEEDS],
        [error for _, error in FAILURES.values()] + ["HTTP 404 Not Found"],
    )
    assert "5 failed" in text


def test_run_summary_says_when_dbt_was_skipped():
    report = RunReport(run_id="r" * 32)
    report.feeds = [FeedReportLine("only", "network_error", error="connection refused")]
    report.dbt_scope = "skipped: no feed could be fetched, nothing to publish"
    assert "dbt build: skipped: no feed could be fetched" in render(report.render)


@pytest.mark.parametrize("width", [80, 200])
def test_status_is_whole_at_80_columns_and_wider(width: int):
    def feed(name: str, health: str, error: str | None, failures: int) -> dict:
        return {
            "feed_name": name,
            "health": health,
            "last_status": FAILURES[name][0] if name in FAILURES else "ok",
            "last_success_at": None if error else NOW,
            "consecutive_failures": failures,
            "next_fetch_after": NOW if error else None,
            "last_new_entry_at": datetime(2025, 3, 1, tzinfo=UTC),
            "last_error": error,
        }

    feeds = [feed(name, "failing", error, 3) for name, (_, error) in FAILURES.items()]
    feeds += [feed(name, "ok", None, 0) for name in OK_FEEDS]
    status = Status(
        warehouse=Path("/srv/news/[prod]/newswatch.duckdb"),
        published_at=NOW,
        last_run={
            "run_id": "abcdef0123",
            "status": "completed",
            "started_at": NOW,
            "finished_at": NOW,
            "duration_seconds": 42.0,
        },
        article_count=35,
        newest_article_at=NOW,
        feeds=feeds,
    )
    text = render(lambda console: render_status(status, console, NOW), width)
    check_readable(
        text,
        [*FAILURES, *OK_FEEDS],
        [f"{status}: {error}" for status, error in FAILURES.values()],
        width,
    )
    assert "/srv/news/[prod]/newswatch.duckdb" in text
    assert "11-30 21:00" in text  # this year's times without the year
    assert "2025-03-01" in text  # another year's as a date


def test_a_failed_run_is_logged_in_one_line_not_a_traceback():
    """Under `serve`, Prefect's engine logs the failed run's exception with its traceback on
    the flow-run logger; newswatch's filter there makes it one line."""
    import logging
    import sys

    import flows.orchestration.pipeline  # noqa: F401 - installs the filter
    from flows.readers.run_report import RunFailed

    logger = logging.getLogger("prefect.flow_runs")
    try:
        raise RunFailed("all 2 feeds failed; first: one: connection refused", RunReport("r"))
    except RunFailed:
        exc_info = sys.exc_info()
    record = logger.makeRecord(
        logger.name,
        logging.ERROR,
        __file__,
        1,
        "Engine execution exited with unexpected exception",
        (),
        exc_info,
    )
    assert logger.filter(record)
    assert record.getMessage() == "Run failed: all 2 feeds failed; first: one: connection refused"
    assert record.exc_info is None
    assert "Traceback" not in logging.Formatter().format(record)
    other = logger.makeRecord(logger.name, logging.ERROR, __file__, 1, "boom", (), None)
    assert logger.filter(other) and other.getMessage() == "boom"


def test_a_run_with_nothing_new_says_dbt_built_nothing():
    """dbt_ok with a skipped scope (an all-304 run): one line saying why, not "ok"."""
    from flows.transform.dbt_runner import NOTHING_NEW_SCOPE

    report = RunReport(run_id="r" * 32)
    report.feeds = [FeedReportLine("only", "not_modified", 304)]
    report.dbt_ok, report.dbt_scope = True, NOTHING_NEW_SCOPE
    text = render(report.render)
    assert "dbt build: skipped: nothing new (feed health is a view" in " ".join(text.split())
    assert "dbt build (" not in text


def test_the_markdown_links_a_report_named_by_a_relative_path(tmp_path, monkeypatch):
    """NEWSWATCH_WAREHOUSE may be relative: the run summary still links the analyst report."""
    monkeypatch.chdir(tmp_path)
    report = RunReport(run_id="r" * 32)
    report.analyst_report = "warehouse/news-report.html"
    markdown = report.to_markdown()
    assert f"({(tmp_path / 'warehouse' / 'news-report.html').as_uri()})" in markdown


def test_relative_paths_in_the_environment_are_made_absolute(tmp_path, monkeypatch):
    """dbt runs inside its project folder: a relative NEWSWATCH_WAREHOUSE would name another
    file there (and put dbt's target folder into the project, changing its fingerprint)."""
    from flows.core.settings import Settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSWATCH_WAREHOUSE", "data/news.duckdb")
    monkeypatch.setenv("NEWSWATCH_FEEDS", "feeds.yaml")
    settings = Settings()
    assert settings.warehouse == tmp_path / "data" / "news.duckdb"
    assert settings.feeds == tmp_path / "feeds.yaml"
    assert settings.writer_dir == tmp_path / "data" / "news.writer"
