"""Readers are never blocked and never see a half-built warehouse, even during runs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flows.core.feeds_file import load_feeds_file
from flows.demo_site.render import load_articles
from flows.demo_site.site import HOSTILE, DemoServer, build_site
from flows.readers.status import read_status
from flows.warehouse.query import run_query
from flows.warehouse.snapshots import snapshot_id_of
from tests.conftest import make_settings
from tests.e2e.conftest import ENGLISH_OUTLETS, SITE_TIMEOUTS, english_feeds

pytestmark = pytest.mark.e2e

PROBE = Path(__file__).parents[1] / "reader_probe.py"


ARTICLES = [a for a in load_articles() if a.outlet in ENGLISH_OUTLETS]
# The first run publishes all but the last two stories of two outlets; the runs the readers
# poll through fetch those (the work a run does while readers read, not how much of it, is
# what matters). The hostile feeds link to Pacific Herald pages, which must exist for its
# count to be the stories plus the 5 pages that fail.
LATER = [a for a in ARTICLES if a.outlet == "harbor-wire"][-2:] + [
    a for a in ARTICLES if a.outlet == "straits-daily"
][-2:]
FIRST = [a for a in ARTICLES if a not in LATER]


@pytest.fixture(scope="module")
def first_run(prefect_harness, tmp_path_factory) -> Path:
    """Something to read: a run on the first stories, once for both publish modes (each test
    publishes it again, its own way, from a copy of the writer's folder)."""
    from flows.orchestration.pipeline import news_pipeline

    directory = tmp_path_factory.mktemp("first-run")
    with DemoServer(build_site(FIRST)) as server:
        settings = make_settings(
            directory,
            feeds=english_feeds(directory),  # the English outlets: enough for readers
            host_map=server.host_map,
            private_allowlist=server.allowlist,
            **SITE_TIMEOUTS,
        )
        news_pipeline(settings)
    return settings.warehouse


def published(warehouse: Path):
    """For copytree: leave out the published warehouse, keep the writer's same-named copy."""
    return lambda folder, names: [warehouse.name] if Path(folder) == warehouse.parent else []


@pytest.mark.parametrize(
    "publish", ["file", pytest.param("snapshots", marks=pytest.mark.snapshots)]
)
def test_a_reader_polling_through_two_runs_sees_no_lock_error_and_only_whole_snapshots(
    first_run: Path, tmp_path: Path, publish: str, monkeypatch
):
    from flows.orchestration.pipeline import news_pipeline
    from flows.warehouse.publish import publish as publish_warehouse

    articles, first = ARTICLES, FIRST
    with DemoServer(build_site(articles)) as server:  # the outlets publish their last stories
        feeds = english_feeds(tmp_path)
        settings = make_settings(
            tmp_path,
            feeds=feeds,
            host_map=server.host_map,
            private_allowlist=server.allowlist,
            **SITE_TIMEOUTS,
            publish=publish,
            snapshot_keep=1,  # expiry runs every publish; min_age keeps the held reader's files
            snapshot_min_age=3600,
        )
        # The writer's folder (and archive) as the first run left them; what it published,
        # published again in this test's mode.
        shutil.copytree(first_run.parent, settings.warehouse.parent, ignore=published(first_run))
        publish_warehouse(settings)
        out, held_out = tmp_path / "probe.json", tmp_path / "held.json"
        # The probes read until told to stop, so a slow machine only makes the test longer.
        stop = tmp_path / "stop"
        warehouse = str(settings.warehouse)
        probes = [
            subprocess.Popen([sys.executable, str(PROBE), warehouse, str(stop), str(out)]),
            subprocess.Popen(
                [sys.executable, str(PROBE), warehouse, str(stop), str(held_out), "--hold"]
            ),
        ]
        try:
            news_pipeline(settings)
            news_pipeline(settings)
        finally:
            stop.touch()
            for probe in probes:
                probe.wait(120)
    seen, held = json.loads(out.read_text()), json.loads(held_out.read_text())
    for probe_result in (seen, held):
        assert probe_result["errors"] == []
        assert probe_result["inconsistent"] == []
        assert probe_result["reads"] > 20
    counts = seen["article_counts"]
    assert counts == sorted(counts), "a reader never goes back to an older snapshot"
    foreign = len(load_articles(HOSTILE))  # the story in Portuguese is there from the start
    assert counts[0] == len(first) + foreign + 5 and counts[-1] == len(articles) + foreign + 5
    # The analyst who kept one session open read the snapshot they opened, undisturbed.
    assert set(held["article_counts"]) == {len(first) + foreign + 5}
    # The commands and the README's troubleshooting query read it, from any folder.
    monkeypatch.chdir(tmp_path)
    status = read_status(settings.warehouse)
    assert status.article_count == len(articles) + foreign + 5
    assert len(status.feeds) == len(load_feeds_file(feeds))
    rows = run_query(
        settings.warehouse,
        "select feed_name, last_status, last_error, next_fetch_after from raw.feeds",
        "json",
        str(tmp_path / "feeds.json"),
    )
    assert rows == len(json.loads((tmp_path / "feeds.json").read_text())) > 0
    if publish == "snapshots":
        assert settings.warehouse.stat().st_size < 2_000_000  # a catalog of views, not the data
        assert snapshot_id_of(settings.warehouse) is not None
