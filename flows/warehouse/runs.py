"""The run log, ``raw.runs``: a row per pipeline run, opened at its start, closed at its end."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import duckdb

from flows.core.statuses import RunStatus


def start_run(
    con: duckdb.DuckDBPyConnection, run_id: str, feeds_file: str, flow_run_id: str | None
) -> None:
    con.execute(
        "insert or ignore into raw.runs (run_id, flow_run_id, started_at, status, feeds_file) "
        "values (?, ?, ?, ?, ?)",
        [run_id, flow_run_id, datetime.now(UTC), RunStatus.RUNNING, feeds_file],
    )


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, status: RunStatus, summary: dict[str, Any]
) -> None:
    con.execute(
        "update raw.runs set finished_at = ?, status = ?, summary = ? where run_id = ?",
        [datetime.now(UTC), status, json.dumps(summary, default=str), run_id],
    )
