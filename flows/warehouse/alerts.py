"""The alert log, ``raw.alert_deliveries``: every attempt to send a spike, so that a spike is
sent once across runs and a failing receiver is on record."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb


def sent_spikes(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The spikes (subject_day_id) a receiver has already accepted."""
    rows = con.execute(
        "select distinct subject_day_id from raw.alert_deliveries where status = 'sent'"
    ).fetchall()
    return {row[0] for row in rows}


def record_delivery(
    con: duckdb.DuckDBPyConnection,
    subject_day_id: str,
    run_id: str,
    receiver: str,
    error: str | None,
) -> None:
    con.execute(
        "insert into raw.alert_deliveries "
        "(subject_day_id, run_id, attempted_at, receiver, status, error) "
        "values (?, ?, ?, ?, ?, ?)",
        [
            subject_day_id,
            run_id,
            datetime.now(UTC),
            receiver,
            "sent" if error is None else "failed",
            error,
        ],
    )
