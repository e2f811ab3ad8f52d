"""Which Prefect API a command talks to, and the lifecycle of the Prefect servers newswatch
starts itself.

Scheduled runs need a real server: the temporary API Prefect starts on its own has no
scheduler, so a served deployment would never run. One-off runs (``run``, ``demo``,
``reextract``) get a temporary server when no API is configured, as Prefect would start one,
with two differences that make Ctrl-C and ``kill -9`` safe:

- it runs in a session of its own, so the Ctrl-C a terminal sends to newswatch's process group
  does not stop it before newswatch has recorded the interrupted run in it;
- it dies with the process that started it, even one killed with SIGKILL
  (``PR_SET_PDEATHSIG``), so no orphan keeps holding its port. Where that is not available,
  the pid file ``serve`` keeps lets the next ``serve`` end a server a killed one left behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from flows.core.errors import ConfigError
from flows.core.settings import Settings

STARTUP_LIMIT = 180.0  # seconds a local server may take to answer its health check
STOP_LIMIT = 10.0  # seconds a server may take to stop after SIGTERM, before SIGKILL
PR_SET_PDEATHSIG = 1

try:  # resolved here, not in the forked child, where only async-signal-safe work is wise
    _prctl: Callable[..., int] | None = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux: the pid file is the only safeguard
    _prctl = None


class AlreadyServing(Exception):
    """Another ``newswatch serve`` is running against the same Prefect API."""


def die_with_parent(sig: int = signal.SIGTERM) -> Callable[[], None]:
    """A ``preexec_fn``: the child gets ``sig`` when the thread that started it ends, however
    it ends (Linux). Start such children from the main thread, which lives as long as we do."""
    parent = os.getpid()

    def arrange() -> None:
        if _prctl is not None:
            _prctl(PR_SET_PDEATHSIG, int(sig))
        if os.getppid() != parent:  # the parent died before prctl: do not outlive it
            os.kill(os.getpid(), sig)

    return arrange


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def configured_api() -> str | None:
    """The API this process is configured for: PREFECT_API_URL from the environment, the
    Prefect profile or a settings context already entered (the test harness); or None."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url) if url else None


def _use(url: str | None) -> None:
    """Point this process (and the processes it starts) at ``url``."""
    from prefect.context import refresh_global_settings_context

    if url is None:
        os.environ.pop("PREFECT_API_URL", None)
    else:
        os.environ["PREFECT_API_URL"] = url
    refresh_global_settings_context()


def _startup_limit() -> float:
    try:
        return float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", ""))
    except ValueError:
        return STARTUP_LIMIT


def _start(
    command: list[str],
    env: dict[str, str],
    log_path: Path,
    url: str,
    started: Callable[[int], None] | None = None,
) -> subprocess.Popen:
    """Start a server in its own session, tied to our life (``started`` is told its pid at
    once); return once it answers."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a") as log:
        server = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a terminal's Ctrl-C is ours to handle, not the server's
            preexec_fn=die_with_parent(signal.SIGTERM),
        )
    try:
        if started is not None:
            started(server.pid)
        deadline = time.monotonic() + _startup_limit()
        while not _healthy(url):
            if server.poll() is not None or time.monotonic() > deadline:
                raise ConfigError(
                    f"could not start a local Prefect server at {url} (see {log_path});"
                    " start one with `prefect server start` or set PREFECT_API_URL"
                )
            time.sleep(0.5)
    except BaseException:
        stop_server(server)
        raise
    return server


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM to the server's process group; SIGKILL if it has not stopped in time."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(STOP_LIMIT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(STOP_LIMIT)


def _prefect_home() -> Path:
    return Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int | None, *words: str) -> bool:
    """Is ``pid`` a live process whose command line has all of ``words`` (not a reused pid)?"""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # not ours: not a process we started
    if _zombie(pid):
        return False  # it has ended; its parent has not yet collected its exit status
    line = _command_line(pid)
    return all(word in line for word in words) if line else True


def _zombie(pid: int) -> bool:
    try:  # /proc/<pid>/stat: "pid (command) state ...", and the command may hold spaces
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


@dataclass(frozen=True)
class ServeRecord:
    """The pid file of a running ``serve``: its pid, and the pid of the server it started."""

    path: Path
    api_url: str

    @classmethod
    def for_api(cls, api_url: str) -> ServeRecord:
        key = hashlib.sha256(api_url.encode()).hexdigest()[:12]
        return cls(_prefect_home() / f"newswatch-serve-{key}.json", api_url)

    def read(self) -> dict:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def write(self, server_pid: int | None = None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".partial")
        record = {"serve_pid": os.getpid(), "server_pid": server_pid, "api_url": self.api_url}
        partial.write_text(json.dumps(record))
        os.replace(partial, self.path)

    def remove(self) -> None:
        if self.read().get("serve_pid") == os.getpid():
            self.path.unlink(missing_ok=True)


def _end_left_behind(record: ServeRecord, announce: Callable[[str], None]) -> None:
    """Refuse to run beside a live ``serve``; end the server a killed one left running."""
    previous = record.read()
    if not previous:
        return
    serve_pid = int(previous.get("serve_pid") or 0)
    if serve_pid != os.getpid() and _alive(serve_pid, "newswatch", "serve"):
        raise AlreadyServing(
            f"another `newswatch serve` (pid {serve_pid}) is running against {record.api_url}; "
            "stop it first (Ctrl-C in its terminal)"
        )
    server_pid = int(previous.get("server_pid") or 0)
    if _alive(server_pid, "prefect"):
        announce(f"Stopping the Prefect server (pid {server_pid}) a killed `newswatch serve` left")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server_pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_LIMIT
        while _alive(server_pid, "prefect") and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(server_pid, "prefect"):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server_pid, signal.SIGKILL)
        while _healthy(record.api_url) and time.monotonic() < deadline + STOP_LIMIT:
            time.sleep(0.2)
    record.path.unlink(missing_ok=True)


@contextmanager
def prefect_api(
    settings: Settings, port: int, announce: Callable[[str], None] = print
) -> Iterator[str]:
    """For ``serve``: PREFECT_API_URL if set; else a server already answering on
    127.0.0.1:``port`` (started by hand); else a local ``prefect server start`` (SQLite, UI
    on 127.0.0.1), stopped with its whole process group on the way out.

    A pid file (in PREFECT_HOME, per API) says which ``serve`` runs against which API: a
    second ``serve`` is refused, and one that finds the server of a killed ``serve`` still
    running ends it instead of attaching to it."""
    configured = configured_api()
    url = configured or f"http://127.0.0.1:{port}/api"
    record = ServeRecord.for_api(url)
    _end_left_behind(record, announce)
    if configured or _healthy(url):
        _use(url)
        record.write(server_pid=None)
        try:
            yield url
        finally:
            record.remove()
        return
    log_path = settings.writer_dir / "prefect-server.log"
    prefect = Path(sys.executable).with_name("prefect")
    command = [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    try:  # recorded from its start: a serve killed while it starts leaves it findable
        server = _start(command, dict(os.environ), log_path, url, record.write)
    except BaseException:
        record.remove()
        raise
    try:
        _use(url)
        announce(f"Prefect server (SQLite, UI): http://127.0.0.1:{port}/ — log {log_path}")
        yield url
    finally:
        stop_server(server)
        record.remove()


@contextmanager
def run_api(settings: Settings) -> Iterator[str]:
    """For one-off runs: the configured API, or a temporary local one (no UI, no
    scheduler: what Prefect itself would start) on a free port, stopped on the way out."""
    configured = configured_api()
    if configured:
        yield configured
        return
    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:  # pragma: no cover - prefect is a dependency
        raise ConfigError("prefect is not installed")
    site = Path(spec.origin).parent.parent
    env = {
        **os.environ,
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
    }
    for _attempt in range(3):  # a free port can be taken between the look and the bind
        port = free_port()
        url = f"http://127.0.0.1:{port}/api"
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(site),
            "--factory",
            "prefect.server.api.server:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "error",
            "--lifespan",
            "on",
        ]
        try:
            server = _start(command, env, settings.writer_dir / "prefect-api.log", url)
        except ConfigError:
            if _attempt == 2:
                raise
            continue
        break
    _use(url)
    try:
        yield url
    finally:
        _drain_to_api()
        _use(None)
        stop_server(server)


def _drain_to_api() -> None:
    """Send the logs and events Prefect still holds before the server stops: left for the
    interpreter's exit, they would find no server and say so ("Error logging to API")."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        with contextlib.suppress(Exception):  # nothing to send, or it cannot be sent: no matter
            worker.drain_all(timeout=5)
