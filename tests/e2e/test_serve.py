"""Scheduled runs of `serve` against a real local Prefect server (the user's own): runs
complete, never overlap, a killed run does not block the next one, and Ctrl-C of `serve`
marks its run and frees the slot at once."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psutil
import pytest

from flows.demo_site.site import DemoServer
from tests.e2e.conftest import ENGLISH_PAGES, english_feeds, query, site_environment
from tests.e2e.test_interrupts import (  # noqa: F401 - environment and serves are fixtures
    active_slots,
    assert_one_line,
    environment,
    flow_run,
    free_port,
    healthy,
    pipeline_runs,
    serves,
    started_after,
    wait_for,
)

# Two serves on a busy machine, each waiting for a run: generous waits, a limit above them.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(2400)]

PREFECT = str(Path(sys.executable).parent / "prefect")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            for child in psutil.Process(process.pid).children(recursive=True):
                child.kill()
            process.kill()
            process.wait(10)


@pytest.fixture
def prefect_server(prefect_home: Path, tmp_path: Path) -> Iterator[str]:
    """`prefect server start` with its scheduler, on a free port, data in tmp_path."""
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1",
        "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    log = (tmp_path / "prefect-server.log").open("w")
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        wait_for(lambda: healthy(url), 120, "the Prefect server to start")
        yield url
    finally:
        stop(server)
        log.close()


@pytest.fixture
def site() -> Iterator[DemoServer]:
    """The sample site, served here for the serves that run on its English feeds (set up
    before them, so it outlives them)."""
    with DemoServer() as server:
        yield server


def next_run_completes(url: str, after: datetime) -> dict:
    return wait_for(
        lambda: [r for r in pipeline_runs(url, "COMPLETED") if started_after(r, after)],
        600,
        "a scheduled run to complete after the restart",
    )[0]


def parse(ts: str | None) -> datetime | None:
    return datetime.fromisoformat(ts.replace("Z", "+00:00")) if ts else None


def test_scheduled_runs_survive_ctrl_c_and_a_kill_complete_and_never_overlap(
    prefect_server: str,
    site: DemoServer,
    serves,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
):
    """`serve --demo` on the user's own server: Ctrl-C during a run marks it and frees its
    slot before serve exits, and the server runs on. The next serve, on the English outlets
    of a sample site served here (a run of them costs a third of the demo's), is never
    blocked by a killed run; its runs complete, publishing those outlets, and never overlap."""
    url = prefect_server

    # 1. Ctrl-C of serve during a run: the user's server still runs, the run is marked and
    # its slot free before serve exits.
    first = serves("first", free_port(), api_url=url, every="4")
    running = wait_for(lambda: pipeline_runs(url, "RUNNING"), 600, "a scheduled run")[0]
    first.ctrl_c()
    assert first.wait(120) == 130
    assert_one_line(first, "newswatch serve: interrupted")
    assert flow_run(url, running["id"])["state_type"] == "CANCELLED"
    assert active_slots(url) == 0
    assert healthy(url)

    # 2. Serve again, and kill a running flow-run process outright.
    address = site_environment(site)
    warehouse = tmp_path / "english" / "english.duckdb"
    restarted = datetime.now(UTC)
    second = serves(
        "second",
        free_port(),
        api_url=url,
        every="4",
        feeds=english_feeds(tmp_path),
        env=address,
        into=warehouse,
    )
    killed = wait_for(
        lambda: [r for r in pipeline_runs(url, "RUNNING") if started_after(r, restarted)],
        600,
        "a running scheduled run of the second serve",
        every=0.5,
    )[0]

    def its_process() -> psutil.Process | None:
        for child in psutil.Process(second.process.pid).children(recursive=True):
            try:
                if child.environ().get("PREFECT__FLOW_RUN_ID") == killed["id"]:
                    return child
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return None

    wait_for(its_process, 30, "the flow-run process", every=0.2).kill()
    killed_at = datetime.now(UTC)

    def state_of_killed() -> str | None:
        state = flow_run(url, killed["id"])["state_type"]
        return state if state != "RUNNING" else None

    assert wait_for(state_of_killed, 60, "the killed run's state") == "CRASHED"

    # 3. The next run is not blocked by the killed one: it completes and publishes the
    # warehouse: the English outlets' articles, the foreign story and the 5 failed pages.
    completed = next_run_completes(url, killed_at)
    assert completed["id"] not in (running["id"], killed["id"])
    assert query(warehouse, "select count(*) from marts.dim_articles") == [(ENGLISH_PAGES + 5,)]
    second.ctrl_c()
    assert second.wait(120) == 130

    # 4. Never two at once: runs due while another ran were skipped, not run beside it.
    runs = pipeline_runs(url)
    spans = sorted(
        (parse(r["start_time"]), parse(r["end_time"]))
        for r in runs
        if r["start_time"]
        and r["end_time"]
        and r["state_type"] in ("COMPLETED", "CRASHED", "FAILED")
    )
    for (_, first_end), (second_start, _) in itertools.pairwise(spans):
        assert second_start >= first_end, spans
    stopped = "Stopped by Ctrl-C"  # the runs the Ctrl-Cs cancelled were not skipped
    skipped = [
        r
        for r in runs
        if r["state_type"] == "CANCELLED" and stopped not in (r["state"]["message"] or "")
    ]
    assert skipped, "overlapping runs were skipped"
    assert not [r for r in runs if r["state_type"] == "FAILED"], second.output()[0][-3000:]
