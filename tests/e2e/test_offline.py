"""Runs in which no feed can be fetched (offline, say): a recorded failure, fast, that never
publishes an empty warehouse, and that fails under Prefect in one short message."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from flows.readers.run_report import RunFailed
from flows.transform.dbt_runner import NOTHING_NEW_SCOPE
from tests.conftest import make_settings
from tests.e2e.conftest import DemoRuns, query

pytestmark = pytest.mark.e2e


def unreachable_feeds(path: Path, names: tuple[str, ...]) -> Path:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once this block ends: connections are refused
    path.write_text(
        "feeds:\n"
        + "".join(
            f"  - {{name: {name}, url: 'http://127.0.0.1:{port}/{name}.xml', outlet: X}}\n"
            for name in names
        )
    )
    return path


def test_all_feeds_failing_fails_the_flow_with_a_short_exception(prefect_harness, tmp_path):
    """What `newswatch serve`'s runner does with the flow's result: Prefect raises the failed
    state's data. It must be an exception with a short message, not the TypeError Prefect
    raises (with the report's whole repr) when the data is not one."""
    from flows.orchestration.pipeline import news_pipeline

    feeds = unreachable_feeds(tmp_path / "feeds.yaml", ("first", "second"))
    settings = make_settings(tmp_path, feeds=feeds, private_allowlist=())
    settings = settings.model_copy(update={"allow_private_networks": True})
    with pytest.raises(RunFailed) as failure:
        news_pipeline(settings)
    message = str(failure.value)
    assert message.startswith("all 2 feeds failed; first: first: ")
    assert len(message) < 300
    report = failure.value.report
    assert [f.status for f in report.feeds] == ["network_error", "network_error"]
    assert report.dbt_ok is None and report.published is None
    assert not settings.warehouse.exists()


def test_offline_run_after_a_publish_refreshes_feed_health_only(
    demo_runs: DemoRuns, tmp_path: Path
):
    """With a warehouse already published, a run that fetches nothing still republishes feed
    health (so `status` shows the failures) but derives nothing else."""
    import shutil

    from flows.orchestration.pipeline import news_pipeline

    source = demo_runs.settings
    # The demo's own settings on a copy of its warehouse; its site is gone, so every feed
    # that is due fails to connect.
    settings = source.model_copy(update={"warehouse": tmp_path / "w" / source.warehouse.name})
    shutil.copytree(source.writer_dir, settings.writer_dir)
    shutil.copyfile(source.warehouse, settings.warehouse)
    articles_before = query(settings.warehouse, "select count(*) from marts.dim_articles")
    with pytest.raises(RunFailed) as failure:
        news_pipeline(settings)
    report = failure.value.report
    assert report.feeds_attempted
    assert {f.status for f in report.feeds_attempted} == {"network_error"}
    assert report.dbt_scope == NOTHING_NEW_SCOPE and report.dbt_ok, report.dbt_error
    assert report.published
    (health,) = query(
        settings.warehouse,
        "select health, last_status from marts.dim_feeds where feed_name = 'harbor-wire-latest'",
    )
    assert health == ("failing", "network_error")
    assert query(settings.warehouse, "select count(*) from marts.dim_articles") == articles_before
