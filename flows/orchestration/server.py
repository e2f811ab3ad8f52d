"""Which Prefect API scheduled runs talk to, and the lifecycle of the local server ``serve``
starts when none is configured.

Scheduled runs need a real server: the temporary API Prefect starts on its own has no
scheduler, so a served deployment would never run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from flows.core.errors import ConfigError
from flows.core.settings import Settings

STARTUP_LIMIT = 180.0  # seconds a local server may take to answer its health check


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def prefect_api(
    settings: Settings, port: int, announce: Callable[[str], None] = print
) -> Iterator[str]:
    """PREFECT_API_URL if set; else a server already answering on 127.0.0.1:``port``; else a
    local ``prefect server start`` (SQLite, UI on 127.0.0.1), stopped with its whole process
    group on the way out."""
    if os.environ.get("PREFECT_API_URL"):
        yield os.environ["PREFECT_API_URL"]
        return
    url = f"http://127.0.0.1:{port}/api"
    if _healthy(url):  # a server already runs there (e.g. started by hand): use it
        os.environ["PREFECT_API_URL"] = url
        yield url
        return
    settings.writer_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.writer_dir / "prefect-server.log"
    prefect = Path(sys.executable).with_name("prefect")
    with log_path.open("a") as log:
        server = subprocess.Popen(
            [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with all its children
        )
        try:
            deadline = time.monotonic() + STARTUP_LIMIT
            while not _healthy(url):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise ConfigError(
                        f"could not start a local Prefect server on port {port} (see {log_path});"
                        " start one with `prefect server start` or set PREFECT_API_URL"
                    )
                time.sleep(1)
            os.environ["PREFECT_API_URL"] = url
            announce(f"Prefect server (SQLite, UI): http://127.0.0.1:{port}/ — log {log_path}")
            yield url
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
