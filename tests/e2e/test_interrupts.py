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
from tests.e2e.conftest import ENGLISH_PAGES, english_feeds, query, site_environment

# Three serves, each starting its own Prefect server and waiting for a run, on a busy machine:
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
def environment(prefect_home: Path) -> dict[str, str]:
    """A Prefect home of the test's own; fast schedules on the servers `serve` starts, and
    `serve`'s runner asking for due runs every second (Prefect's default: every 10 s)."""
    env = {
        **os.environ,
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    return env


@pytest.fixture
def serves(tmp_path: Path, environment: dict[str, str]) -> Iterator[Callable[..., Command]]:
    """Start `newswatch serve` (every 5 s) as often as a test needs; each is ended. It serves
    the sample site itself (`--demo`), or runs on ``feeds`` with ``env`` added (the address
    of a sample site the test serves); into tmp_path's warehouse, or ``into``."""
    started: list[Command] = []
    warehouse = tmp_path / "warehouse" / "demo.duckdb"

    def start(
        name: str,
        port: int,
        api_url: str | None = None,
        feeds: Path | None = None,
        env: dict[str, str] | None = None,
        every: str = "5",
        into: Path | None = None,
    ) -> Command:
        variables = {**environment, **(env or {})}
        if api_url:
            variables["PREFECT_API_URL"] = api_url
        source = ["--feeds", str(feeds)] if feeds else ["--demo"]
        args = ["serve", *source, "--warehouse", str(into or warehouse), "--every", every]
        command = Command([*args, "--prefect-port", str(port)], variables, tmp_path, name)
        started.append(command)
        return command

    yield start
    for command in started:
        command.end()


def _serve_is_gone(environment: dict[str, str], url: str) -> None:
    """Nothing the stopped `serve` started is still running, nor holding the server's port."""
    marker = f"PREFECT_HOME={environment['PREFECT_HOME']}"
    wait_for(lambda: not processes_with(marker), 60, "every process of the stopped serve to end")
    assert not healthy(url), "the Prefect server `serve` started outlived it"


def test_ctrl_c_then_kill_9_of_serve_during_runs_leave_no_server_and_serve_carries_on(
    serves, environment, tmp_path: Path
):
    """One sequence on the Prefect server each `serve` starts itself: Ctrl-C of the first
    serve during a run, kill -9 of the second during a run, and the third carries on. The
    serves run on the English outlets of a sample site served here, not on the whole demo
    (`--demo`, which tests/e2e/test_serve.py starts): what is proven here does
    not depend on the feeds, and a run of the English outlets costs far less."""

    from flows.demo_site.site import DemoServer

    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    with DemoServer() as site:
        feeds = english_feeds(tmp_path)
        address = site_environment(site)

        # 1. Ctrl-C during a run: one line, exit 130, nothing left running, the server gone.
        first = serves("first", port, feeds=feeds, env=address)
        running = wait_for(lambda: pipeline_runs(url, "RUNNING"), 600, "a scheduled run")[0]
        sent = first.ctrl_c()
        assert first.wait(120) == 130
        stopped_in = time.monotonic() - sent
        assert_one_line(first, "newswatch serve: interrupted")
        _serve_is_gone(environment, url)

        # 2. The next serve finds the run marked Cancelled, and a new run starts (its slot is
        # free); kill -9 of that serve during the run: the runner ends its session and the
        # server stops, so no orphan keeps the port.
        restarted = datetime.now(UTC)
        second = serves("second", port, feeds=feeds, env=address)
        wait_for(lambda: healthy(url), 300, "the second serve's Prefect server")
        # the serve marks what the first left unfinished once its server answers, a moment
        # after the health check can pass (serving.py): wait for it rather than race it
        wait_for(
            lambda: flow_run(url, running["id"])["state_type"] == "CANCELLED",
            120,
            "the interrupted run marked Cancelled",
        )
        killed = wait_for(
            lambda: [r for r in pipeline_runs(url, "RUNNING") if started_after(r, restarted)],
            600,
            "a scheduled run of the second serve",
        )[0]
        assert killed["id"] != running["id"]
        second.process.kill()  # SIGKILL to `serve` alone: no code of ours runs
        second.wait(30)
        _serve_is_gone(environment, url)

        # 3. The third marks the killed serve's run Crashed, says so, and a new run starts:
        # the killed run holds no slot. (That such a run completes, after a kill, is
        # tests/e2e/test_serve.py's to show.)
        restarted = datetime.now(UTC)
        third = serves("third", port, feeds=feeds, env=address)
        wait_for(lambda: healthy(url), 300, "the third serve's Prefect server")
        assert wait_for(
            lambda: flow_run(url, killed["id"])["state_type"] == "CRASHED" or None,
            120,
            "the killed serve's run to be marked Crashed",
        )
        carried_on = wait_for(
            lambda: [r for r in pipeline_runs(url, "RUNNING") if started_after(r, restarted)],
            600,
            "a scheduled run of the third serve",
        )[0]
        assert carried_on["id"] not in (running["id"], killed["id"])
        assert (
            "Marked Crashed the runs a stopped `newswatch serve` left unfinished"
            in third.output()[0]
        )
        third.ctrl_c()
        assert third.wait(120) == 130
    print(f"serve stopped {stopped_in:.1f}s after Ctrl-C")


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


def _dbt_starts(writer_dir: Path) -> int:
    """How many nodes dbt has started building (its log names each node as it starts)."""
    log = writer_dir / "dbt" / "logs" / "dbt.log"
    if not log.exists():
        return 0
    return len(re.findall(r" START (sql|python|seed|test) ", log.read_text(errors="replace")))


def _interrupt_during_dbt(api: str, args: list[str], env: dict[str, str], tmp_path: Path):
    """The command, Ctrl-C'd as soon as dbt starts building: one line, exit 130 in under 10 s,
    the run Crashed in the API it used, and every process it started ended."""
    warehouse = Path(args[-1])
    writer = warehouse.parent / f"{warehouse.stem}.writer"
    before = _dbt_starts(writer)  # a build an earlier command started is not this one's
    command = Command(args, env, tmp_path, f"{args[0]}-{api}")
    try:
        wait_for(
            lambda: _dbt_starts(writer) > before or command.process.poll() is not None,
            600,
            "dbt to start building",
        )
        sent = command.ctrl_c()
        code = command.wait(60)
        stopped_in = time.monotonic() - sent
    finally:
        command.end()
    assert code == 130, command.output()
    assert stopped_in < 10, f"took {stopped_in:.1f}s"
    line = assert_one_line(
        command, f"newswatch {args[0]}: interrupted while building the marts (dbt)"
    )
    assert "nothing was published yet" in line
    assert _run_states(api, tmp_path / "prefect", warehouse) == ["CRASHED"]
    wait_for(
        lambda: not processes_with(f"PREFECT_HOME={tmp_path / 'prefect'}"),
        60,
        f"every process the {args[0]} started to end",
    )


def test_ctrl_c_during_dbt_says_one_line_and_the_rerun_converges(
    prefect_harness, environment, tmp_path: Path
):
    """Ctrl-C during dbt of `run` on the temporary API it starts itself, then again on the
    user's own API (the harness), into the same warehouse, and one rerun. The runs go on the
    English outlets of a sample site served here: the interrupt's handling is the same code for
    every command (the line names it: `demo`'s in tests/test_everyday.py), and a rerun of the
    English outlets proves convergence at a third of the demo's cost. A rerun after each
    interruption would prove no more: the API holds only the runs' states (each checked)."""

    from prefect.settings import PREFECT_API_URL

    from flows.demo_site.site import DemoServer

    warehouse = tmp_path / "english" / "english.duckdb"
    run = ["run", "--feeds", str(english_feeds(tmp_path)), "--warehouse", str(warehouse)]
    with DemoServer() as site:
        temporary = {**environment, **site_environment(site)}
        _interrupt_during_dbt("temporary", run, temporary, tmp_path)
        harness = {**temporary, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
        _interrupt_during_dbt("harness", run, harness, tmp_path)
        rerun = subprocess.run(
            [NEWSWATCH, *run],
            env=harness,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    statuses = dict(
        query(warehouse, "select status, count(*) from marts.dim_articles group by status")
    )
    assert statuses["ok"] == ENGLISH_PAGES
    assert sum(statuses.values()) == ENGLISH_PAGES + 5
    assert query(
        warehouse,
        "select count(*) from (select article_id from raw.articles group by all having count(*) > 1)",
    ) == [(0,)]


def test_ctrl_c_of_run_sent_to_it_alone_while_it_fetches(prefect_harness, environment, tmp_path):
    """SIGINT to the process alone (`kill -INT`), at the first archived response."""

    from prefect.settings import PREFECT_API_URL

    from flows.demo_site.site import FEEDS_FILE, DemoServer

    warehouse = tmp_path / "warehouse" / "w.duckdb"
    with DemoServer() as server:
        env = {
            **environment,
            "PREFECT_API_URL": str(PREFECT_API_URL.value()),
            **site_environment(server),
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
