"""Ctrl-C (SIGINT to the process group, as a terminal sends it) and kill -9 of the long-running
commands, with real processes: one line, exit 130, the interrupted run marked in Prefect and
its concurrency slot freed, nothing left running, and the next ``serve`` or run carries on.

Every wait is on an event (a run's state, a line in dbt's log, a process ending) with a
generous deadline, never a sleep: the machine may be slow or busy."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from flows.core.settings import REPO_ROOT
from tests.e2e.conftest import DEMO_PAGES, query
from tests.e2e.test_serve import prefect_server  # noqa: F401 - a fixture: the user's own server

# Two serves, each starting its own Prefect server and waiting for a run, on a busy machine:
# the waits are generous, and the test's limit above their sum.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(2400)]

NEWSWATCH = str(Path(sys.executable).parent / "newswatch")
ANSI = re.compile(r"\x1b\[")
DEPLOYMENT = "news_pipeline/scheduled"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(condition: Callable[[], object], timeout: float, what: str, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def processes_with(variable: str) -> list[int]:
    """Live processes whose environment has ``variable`` (NAME=value): what a command started."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if variable.encode() in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return [pid for pid in found if pid != os.getpid()]


def pipeline_runs(url: str, *states: str) -> list[dict]:
    """Runs of the scheduled pipeline deployment in ``states``, from the Prefect REST API."""
    body: dict = {"deployments": {"name": {"any_": ["scheduled"]}}, "limit": 200}
    if states:
        body["flow_runs"] = {"state": {"type": {"any_": list(states)}}}
    try:
        response = httpx.post(f"{url}/flow_runs/filter", json=body, timeout=10)
        response.raise_for_status()
    except httpx.HTTPError:
        return []
    return response.json()


def flow_run(url: str, run_id: str) -> dict:
    response = httpx.get(f"{url}/flow_runs/{run_id}", timeout=10)
    response.raise_for_status()
    return response.json()


def active_slots(url: str) -> int:
    response = httpx.get(f"{url}/deployments/name/{DEPLOYMENT}", timeout=10)
    response.raise_for_status()
    return int(response.json()["global_concurrency_limit"]["active_slots"])


def started_after(run: dict, moment: datetime) -> bool:
    start = run.get("start_time")
    return bool(start) and datetime.fromisoformat(start.replace("Z", "+00:00")) > moment


class Command:
    """A newswatch command in a session of its own, as a terminal runs a foreground job."""

    def __init__(self, args: list[str], env: dict[str, str], logs: Path, name: str) -> None:
        self.out, self.err = logs / f"{name}.out", logs / f"{name}.err"
        with self.out.open("w") as out, self.err.open("w") as err:
            self.process = subprocess.Popen(
                [NEWSWATCH, *args],
                env=env,
                cwd=REPO_ROOT,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )

    def ctrl_c(self) -> float:
        """SIGINT to the whole process group; returns when it was sent."""
        os.killpg(self.process.pid, signal.SIGINT)
        return time.monotonic()

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout)

    def output(self) -> tuple[str, str]:
        return self.out.read_text(), self.err.read_text()

    def end(self) -> None:
        """However the test went: nothing of this command left running."""
        if self.process.poll() is None:
            self.ctrl_c()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(30)


def assert_one_line(command: Command, starts: str) -> str:
    out, err = command.output()
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(starts), err
    assert "Nothing was lost" in lines[0]
    assert "Traceback" not in out + err
    assert not ANSI.search(out + err), err
    return lines[0]


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    """A Prefect home of the test's own; fast schedules on the servers `serve` starts."""
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1",
        "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    return env


@pytest.fixture
def serves(tmp_path: Path, environment: dict[str, str]) -> Iterator[Callable[..., Command]]:
    """Start `newswatch serve --demo` (every 5 s) as often as a test needs; each is ended."""
    started: list[Command] = []
    warehouse = tmp_path / "warehouse" / "demo.duckdb"

    def start(name: str, port: int, api_url: str | None = None) -> Command:
        env = {**environment, "PREFECT_API_URL": api_url} if api_url else environment
        args = ["serve", "--demo", "--warehouse", str(warehouse), "--every", "5"]
        command = Command([*args, "--prefect-port", str(port)], env, tmp_path, name)
        started.append(command)
        return command

    yield start
    for command in started:
        command.end()


def _serve_is_gone(environment: dict[str, str], url: str, own_server: bool) -> None:
    """Nothing the stopped `serve` started is still running, nor holding the server's port."""
    marker = f"PREFECT_HOME={environment['PREFECT_HOME']}"
    wait_for(lambda: not processes_with(marker), 60, "every process of the stopped serve to end")
    if own_server:
        assert not healthy(url), "the Prefect server `serve` started outlived it"


def _next_run_completes(url: str, after: datetime) -> dict:
    return wait_for(
        lambda: [r for r in pipeline_runs(url, "COMPLETED") if started_after(r, after)],
        600,
        "a scheduled run to complete after the restart",
    )[0]


def test_ctrl_c_of_serve_during_a_run_then_serve_again(serves, environment):
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    first = serves("first", port)
    running = wait_for(lambda: pipeline_runs(url, "RUNNING"), 600, "a scheduled run")[0]
    sent = first.ctrl_c()
    assert first.wait(120) == 130
    stopped_in = time.monotonic() - sent
    assert_one_line(first, "newswatch serve: interrupted")
    _serve_is_gone(environment, url, own_server=True)

    restarted = datetime.now(UTC)
    second = serves("second", port)
    wait_for(lambda: healthy(url), 300, "the second serve's Prefect server")
    assert flow_run(url, running["id"])["state_type"] == "CANCELLED"
    completed = _next_run_completes(url, restarted)
    assert completed["id"] != running["id"]
    second.ctrl_c()
    assert second.wait(120) == 130
    print(f"serve stopped {stopped_in:.1f}s after Ctrl-C")


def test_kill_9_of_serve_during_a_run_leaves_no_server_then_serve_again(serves, environment):
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    first = serves("first", port)
    running = wait_for(lambda: pipeline_runs(url, "RUNNING"), 600, "a scheduled run")[0]
    first.process.kill()  # SIGKILL to `serve` alone: no code of ours runs
    first.wait(30)
    # The runner ends its session and the server stops: no orphan keeps the port.
    _serve_is_gone(environment, url, own_server=True)

    restarted = datetime.now(UTC)
    second = serves("second", port)
    wait_for(lambda: healthy(url), 300, "the second serve's Prefect server")
    killed = wait_for(
        lambda: flow_run(url, running["id"])["state_type"] == "CRASHED" or None,
        120,
        "the killed serve's run to be marked Crashed",
    )
    assert killed
    _next_run_completes(url, restarted)
    assert (
        "Marked Crashed the runs a stopped `newswatch serve` left unfinished"
        in (second.output()[0])
    )
    second.ctrl_c()
    assert second.wait(120) == 130


def test_ctrl_c_of_serve_on_the_users_own_server_frees_the_slot_at_once(
    serves,
    environment,
    prefect_server: str,  # noqa: F811 - the fixture imported above
):
    first = serves("first", free_port(), api_url=prefect_server)
    running = wait_for(lambda: pipeline_runs(prefect_server, "RUNNING"), 600, "a scheduled run")[0]
    first.ctrl_c()
    assert first.wait(120) == 130
    assert_one_line(first, "newswatch serve: interrupted")
    # The user's server still runs: the run is marked and its slot free before serve exits.
    assert flow_run(prefect_server, running["id"])["state_type"] == "CANCELLED"
    assert active_slots(prefect_server) == 0
    assert healthy(prefect_server)

    restarted = datetime.now(UTC)
    second = serves("second", free_port(), api_url=prefect_server)
    _next_run_completes(prefect_server, restarted)
    second.ctrl_c()
    assert second.wait(120) == 130


def _dbt_building(writer_dir: Path) -> bool:
    """dbt has started building nodes (its log names each node as it starts)."""
    log = writer_dir / "dbt" / "logs" / "dbt.log"
    return (
        log.exists()
        and re.search(r" START (sql|python|seed|test) ", log.read_text(errors="replace"))
        is not None
    )


def _run_states(api: str, prefect_home: Path, warehouse: Path) -> list[str]:
    """States of the news_pipeline runs that wrote ``warehouse``."""
    if api == "harness":
        from prefect.settings import PREFECT_API_URL

        response = httpx.post(
            f"{PREFECT_API_URL.value()}/flow_runs/filter",
            json={"flows": {"name": {"any_": ["news_pipeline"]}}, "limit": 200},
            timeout=10,
        )
        response.raise_for_status()
        return [
            run["state_type"]
            for run in response.json()
            if str(warehouse) in str(run["parameters"].get("settings"))
        ]
    con = sqlite3.connect(prefect_home / "prefect.db")  # the temporary server's database
    try:
        rows = con.execute(
            "select flow_run.state_type from flow_run join flow on flow.id = flow_run.flow_id "
            "where flow.name = 'news_pipeline'"
        ).fetchall()
    finally:
        con.close()
    return [state for (state,) in rows]


@pytest.mark.parametrize("api", ["harness", "temporary"])
def test_ctrl_c_of_demo_during_dbt_says_one_line_and_the_rerun_converges(
    api: str, prefect_harness, environment, tmp_path: Path
):
    from prefect.settings import PREFECT_API_URL

    env = dict(environment)
    if api == "harness":  # the user's own API; else the temporary one `demo` starts itself
        env["PREFECT_API_URL"] = str(PREFECT_API_URL.value())
    warehouse = tmp_path / "warehouse" / "demo.duckdb"
    args = ["demo", "--warehouse", str(warehouse)]
    demo = Command(args, env, tmp_path, "demo")
    try:
        wait_for(
            lambda: _dbt_building(warehouse.parent / "demo.writer") or demo.process.poll(),
            600,
            "dbt to start building",
        )
        sent = demo.ctrl_c()
        code = demo.wait(60)
        stopped_in = time.monotonic() - sent
    finally:
        demo.end()
    assert code == 130, demo.output()
    assert stopped_in < 10, f"took {stopped_in:.1f}s"
    line = assert_one_line(demo, "newswatch demo: interrupted while building the marts (dbt)")
    assert "nothing was published yet" in line
    assert _run_states(api, tmp_path / "prefect", warehouse) == ["CRASHED"]
    wait_for(
        lambda: not processes_with(f"PREFECT_HOME={tmp_path / 'prefect'}"),
        60,
        "every process the demo started to end",
    )

    rerun = subprocess.run(
        [NEWSWATCH, *args], env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=900
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    statuses = dict(
        query(warehouse, "select status, count(*) from marts.dim_articles group by status")
    )
    assert statuses["ok"] == DEMO_PAGES
    assert sum(statuses.values()) == DEMO_PAGES + 5
    assert query(
        warehouse,
        "select count(*) from (select article_id from raw.articles group by all having count(*) > 1)",
    ) == [(0,)]


def test_ctrl_c_of_run_sent_to_it_alone_while_it_fetches(prefect_harness, environment, tmp_path):
    """SIGINT to the process alone (`kill -INT`), at the first archived response."""
    import json

    from prefect.settings import PREFECT_API_URL

    from flows.demo_site.site import FEEDS_FILE, DemoServer

    warehouse = tmp_path / "warehouse" / "w.duckdb"
    with DemoServer() as server:
        env = {
            **environment,
            "PREFECT_API_URL": str(PREFECT_API_URL.value()),
            "NEWSWATCH_HOST_MAP": json.dumps(server.host_map),
            "NEWSWATCH_PRIVATE_ALLOWLIST": json.dumps(list(server.allowlist)),
            "NEWSWATCH_PER_HOST_DELAY": "0",
        }
        args = ["run", "--feeds", str(FEEDS_FILE), "--warehouse", str(warehouse)]
        run = Command(args, env, tmp_path, "run")
        try:
            archive = warehouse.parent / "archive"
            wait_for(
                lambda: list(archive.glob("*.warc*")) or run.process.poll() is not None,
                600,
                "the first archived response",
                every=0.1,
            )
            run.process.send_signal(signal.SIGINT)
            code = run.wait(60)
        finally:
            run.end()
    assert code == 130, run.output()
    assert_one_line(run, "newswatch run: interrupted while")
    assert _run_states("harness", tmp_path / "prefect", warehouse) == ["CRASHED"]
    wait_for(
        lambda: not processes_with(f"PREFECT_HOME={tmp_path / 'prefect'}"),
        60,
        "the run's worker processes to end",
    )


def test_ctrl_c_of_reextract_leaves_the_published_warehouse_as_it_was(
    demo_runs, environment, tmp_path
):
    """reextract, interrupted as soon as it starts Prefect: the copy readers have is intact."""
    import shutil

    source = demo_runs.settings.warehouse
    folder = tmp_path / "copy"
    shutil.copytree(source.parent, folder)
    warehouse = folder / source.name
    published = warehouse.stat().st_mtime_ns
    reextract = Command(["reextract", "--warehouse", str(warehouse)], environment, tmp_path, "x")
    try:
        writer = folder / f"{warehouse.stem}.writer"
        wait_for(
            lambda: (writer / "prefect-api.log").exists() or reextract.process.poll() is not None,
            300,
            "reextract to start Prefect",
            every=0.1,
        )
        sent = reextract.ctrl_c()
        code = reextract.wait(60)
        stopped_in = time.monotonic() - sent
    finally:
        reextract.end()
    assert code == 130, reextract.output()
    assert stopped_in < 10, f"took {stopped_in:.1f}s"
    line = assert_one_line(reextract, "newswatch reextract: interrupted while starting Prefect")
    assert f"{warehouse} still holds the last complete run" in line
    assert warehouse.stat().st_mtime_ns == published
    assert query(warehouse, "select count(*) from marts.dim_articles")[0][0] > 0
