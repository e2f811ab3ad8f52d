"""dbt docs: generate the catalog from the writer's database, serve it on 127.0.0.1."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from flows.core.settings import Settings
from flows.transform.dbt_runner import DbtResult, run_dbt
from flows.warehouse.publish import prepare_working_copy, writer_lock

DOCS_TARGET = "docs"


def docs_directory(settings: Settings) -> Path:
    return settings.writer_dir / DOCS_TARGET / "target"


def generate_docs(
    settings: Settings, lock_wait_seconds: float = 600.0, test_every_row: bool = False
) -> tuple[DbtResult | None, DbtResult]:
    """``dbt docs generate`` against the working database (waits for a running writer).

    With ``test_every_row``, first runs every data test on every row (the daily check that
    backs the hourly runs, which test only the rows they wrote); returns both results.
    """
    with writer_lock(settings, lock_wait_seconds):
        prepare_working_copy(settings)
        tests = None
        if test_every_row:
            tests = run_dbt(
                settings, "test", "--exclude-resource-type", "unit_test", target_name=DOCS_TARGET
            )
        return tests, run_dbt(settings, "docs", "generate", target_name=DOCS_TARGET)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


def serve_docs(directory: Path, port: int = 8580) -> ThreadingHTTPServer:
    """Serve ``directory`` on 127.0.0.1 (the given port, or a free one if it is taken)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError:
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
