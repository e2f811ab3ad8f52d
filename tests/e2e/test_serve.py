"""Scheduled runs against a real local Prefect server: runs complete, never overlap, and a
killed run does not block the next one."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil
import pytest

from flows.core.settings import REPO_ROOT
from tests.e2e.conftest import DEMO_PAGES, query

pytestmark = pytest.mark.e2e

NEWSWATCH = str(Path(sys.executable).parent / "newswatch")
PREFECT = str(Path(sys.executable).parent / "prefect")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition: Callable[[], object], timeout: float, what: str, every: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


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
def prefect_server(tmp_path: Path) -> Iterator[str]:
    """`prefect server start` with its scheduler, on a free port, data in tmp_path."""
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
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

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(healthy, 120, "the Prefect server to start")
        yield url
    finally:
        stop(server)
        log.close()


def flow_runs(url: str) -> list[dict]:
    """Runs of the scheduled pipeline deployment, from the Prefect REST API."""
    response = httpx.post(
        f"{url}/flow_runs/filter",
        json={
            "flows": {"name": {"any_": ["news_pipeline"]}},
            "deployments": {"name": {"any_": ["scheduled"]}},
            "limit": 200,
        },
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def parse(ts: str | None) -> datetime | None:
    return datetime.fromisoformat(ts.replace("Z", "+00:00")) if ts else None


def test_scheduled_runs_complete_never_overlap_and_survive_a_kill(
    prefect_server: str, tmp_path: Path
):
    warehouse = tmp_path / "warehouse" / "demo.duckdb"
    # `serve --demo` serves the sample site itself and hands its address to the runs.
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_server,
        "PREFECT_HOME": str(tmp_path / "prefect"),
    }
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        serve = subprocess.Popen(
            [
                NEWSWATCH,
                "serve",
                "--demo",
                "--warehouse",
                str(warehouse),
                "--every",
                "4",
                "--limit",
                "4",
            ],
            env=env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            # 1. A scheduled run completes and publishes the warehouse.
            wait_for(
                lambda: [r for r in flow_runs(prefect_server) if r["state_type"] == "COMPLETED"],
                240,
                "a completed scheduled run",
            )
            # the sample articles, the story in Spanish and the 5 failed pages
            assert query(warehouse, "select count(*) from marts.dim_articles") == [
                (DEMO_PAGES + 5,)
            ]

            # 2. Kill a running flow-run process outright.
            running = wait_for(
                lambda: [r for r in flow_runs(prefect_server) if r["state_type"] == "RUNNING"],
                120,
                "a running scheduled run",
                every=0.5,
            )[0]

            def its_process() -> psutil.Process | None:
                for child in psutil.Process(serve.pid).children(recursive=True):
                    try:
                        if child.environ().get("PREFECT__FLOW_RUN_ID") == running["id"]:
                            return child
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        continue
                return None

            wait_for(its_process, 30, "the flow-run process", every=0.2).kill()
            killed_at = datetime.now(UTC)

            def state_of_killed() -> str | None:
                run = next(r for r in flow_runs(prefect_server) if r["id"] == running["id"])
                return run["state_type"] if run["state_type"] != "RUNNING" else None

            assert wait_for(state_of_killed, 60, "the killed run's state") == "CRASHED"

            # 3. The next run is not blocked by the killed one.
            wait_for(
                lambda: [
                    r
                    for r in flow_runs(prefect_server)
                    if r["state_type"] == "COMPLETED" and parse(r["start_time"]) > killed_at
                ],
                180,
                "a completed run after the kill",
            )
        finally:
            stop(serve)
    runs = flow_runs(prefect_server)
    # 4. Never two at once: runs due while another ran were skipped, not run beside it.
    spans = sorted(
        (parse(r["start_time"]), parse(r["end_time"]))
        for r in runs
        if r["start_time"]
        and r["end_time"]
        and r["state_type"] in ("COMPLETED", "CRASHED", "FAILED")
    )
    for (_, first_end), (second_start, _) in itertools.pairwise(spans):
        assert second_start >= first_end, spans
    assert [r for r in runs if r["state_type"] == "CANCELLED"], "overlapping runs were skipped"
    assert not [r for r in runs if r["state_type"] == "FAILED"], log_path.read_text()[-3000:]
