"""What a run publishes: never fewer articles than readers have unless asked, and nothing
while there is no article yet (every feed failed, then every feed deferred)."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import duckdb
import pytest

from flows.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, main
from flows.demo_site.site import FEEDS_FILE, DemoServer
from tests.e2e.conftest import query, working_copy

pytestmark = pytest.mark.e2e


def articles(warehouse: Path) -> int:
    return query(warehouse, "select count(*) from marts.dim_articles")[0][0]


def test_a_run_with_fewer_articles_publishes_nothing_unless_asked(
    prefect_harness, demo_runs, tmp_path: Path, capsys, monkeypatch
):
    # The sample site's warehouse as a demo run publishes it: a copy of the session's, the
    # published file and the writer's database, run again against the site served anew.
    settings = working_copy(demo_runs.settings, tmp_path)
    warehouse = settings.warehouse
    shutil.copyfile(demo_runs.settings.warehouse, warehouse)
    before = articles(warehouse)
    published = warehouse.stat().st_mtime_ns
    # The writer's copy loses three articles (a backup restored over it, say) and its record
    # of the last full build (a working copy has none), so that the next run builds the
    # marts again from what it has.
    con = duckdb.connect(str(settings.work_database))
    try:
        lost = [
            article_id
            for (article_id,) in con.execute(
                "select article_id from raw.articles where status = 'ok' order by 1 limit 3"
            ).fetchall()
        ]
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.columns "
            "where table_schema = 'raw' and column_name = 'article_id'"
        ).fetchall()
        for (table,) in tables:
            con.execute(f"delete from {table} where article_id in (select unnest(?))", [lost])
    finally:
        con.close()
    (settings.writer_dir / "dbt" / "last_full_build.json").unlink(missing_ok=True)
    capsys.readouterr()

    with DemoServer() as server:  # as `newswatch demo` does, on this copy
        monkeypatch.setenv("NEWSWATCH_HOST_MAP", json.dumps(server.host_map))
        monkeypatch.setenv("NEWSWATCH_PRIVATE_ALLOWLIST", json.dumps(list(server.allowlist)))
        monkeypatch.setenv("NEWSWATCH_PER_HOST_DELAY", "0")
        run = ["run", "--feeds", str(FEEDS_FILE), "--warehouse", str(warehouse)]
        assert main(run) == EXIT_FAILED
        err = capsys.readouterr().err
        assert "not published: this run's warehouse has" in err
        assert f"where the published {warehouse.name} has {before}" in err
        assert "NEWSWATCH_ALLOW_FEWER_ARTICLES=1" in err
        assert warehouse.stat().st_mtime_ns == published  # readers keep what they had
        assert articles(warehouse) == before

        monkeypatch.setenv("NEWSWATCH_ALLOW_FEWER_ARTICLES", "1")  # asked for
        assert main(run) == EXIT_OK
        assert articles(warehouse) == before - len(lost)


def test_runs_without_an_article_yet_publish_nothing(
    prefect_harness, tmp_path: Path, capsys, monkeypatch
):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once this block ends: every fetch is refused
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        "feeds:\n"
        f"  - {{name: first, url: 'http://127.0.0.1:{port}/a.xml', outlet: A}}\n"
        f"  - {{name: second, url: 'http://127.0.0.1:{port}/b.xml', outlet: B}}\n"
    )
    monkeypatch.setenv("NEWSWATCH_ALLOW_PRIVATE_NETWORKS", "1")  # reach the closed port
    warehouse = tmp_path / "w.duckdb"
    run = ["run", "--feeds", str(feeds), "--warehouse", str(warehouse)]
    assert main(run) == EXIT_FAILED  # every feed failed
    capsys.readouterr()
    # Right after, every feed is deferred (backing off): a run with nothing new, and no
    # article ever, builds and publishes nothing (once, it published an empty warehouse).
    assert main(run) == EXIT_OK
    out = capsys.readouterr().out
    assert "deferred" in out
    assert "dbt build: skipped: no article yet, nothing to publish" in out
    assert "Nothing was published" in out and "Try:" not in out
    assert not warehouse.exists()
    assert main(["status", "--warehouse", str(warehouse)]) == EXIT_CONFIG
