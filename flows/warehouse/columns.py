"""Rows to Arrow batches, typed by the warehouse's own tables.

A column is defined once, in a migration (``warehouse/migrations``). The Arrow type of every
value a load writes is read from the migrated table, so a new column needs its migration and
the line of Python that fills it, nothing else; a row key that is not a column of its table is
an error, never a silently empty column.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from flows.core.records import LoggedFetch
from flows.warehouse.connection import registered

Row = dict[str, Any]

# Read once per connection and table: a page batch would otherwise ask four times (~5% of its
# load on a busy machine). Only a migration changes a table, and ``migrate`` forgets them.
_SCHEMAS: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, dict[str, pa.Schema]] = (
    weakref.WeakKeyDictionary()
)


def table_schema(con: duckdb.DuckDBPyConnection, table: str) -> pa.Schema:
    """The Arrow schema of ``table`` as its migrations define it (timestamps labelled UTC,
    whatever the session's time zone)."""
    known = _SCHEMAS.setdefault(con, {})
    if table not in known:
        schema = con.sql(f"select * from {table} limit 0").to_arrow_table().schema
        fields = [
            pa.field(f.name, pa.timestamp(f.type.unit, tz="UTC"))
            if pa.types.is_timestamp(f.type) and f.type.tz
            else pa.field(f.name, f.type)
            for f in schema
        ]
        known[table] = pa.schema(fields)
    return known[table]


def forget_schemas(con: duckdb.DuckDBPyConnection) -> None:
    """Drop what ``table_schema`` read on ``con`` (its tables changed)."""
    _SCHEMAS.pop(con, None)


def as_batch(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: Sequence[Row],
    columns: Sequence[str] | None = None,
    extra: Mapping[str, pa.DataType] | None = None,
) -> pa.Table:
    """``rows`` (dicts with the same keys) as an Arrow table typed like ``table``. Its columns
    are ``columns``, else the rows' keys, else (no rows) all of the table's; ``extra`` types
    columns that are not stored (a staging batch's working values)."""
    stored = table_schema(con, table)
    extra = dict(extra or {})
    if columns is None:
        columns = list(rows[0]) if rows else [*stored.names, *extra]
    fields = []
    for name in columns:
        if name in extra:
            fields.append(pa.field(name, extra[name]))
        elif name in stored.names:
            fields.append(stored.field(name))
        else:
            raise KeyError(f"{table} has no column {name!r} (add it in a migration first)")
    return pa.Table.from_pylist(list(rows), schema=pa.schema(fields))


def insert_batch(
    con: duckdb.DuckDBPyConnection, table: str, batch: pa.Table, mode: str = "insert"
) -> None:
    """Bulk insert by column name (one statement per batch, never a round trip per row);
    ``mode="ignore"`` skips rows whose key is already there."""
    if not batch.num_rows:
        return
    verb = "insert or ignore" if mode == "ignore" else "insert"
    with registered(con, "_batch", batch):
        con.execute(f"{verb} into {table} by name select * from _batch")


def insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Row], mode: str = "insert"
) -> None:
    if rows:
        insert_batch(con, table, as_batch(con, table, rows), mode)


def fetch_log_row(fetch: LoggedFetch, run_id: str, now: datetime) -> Row:
    """The columns both fetch logs (raw.feed_fetches, raw.page_fetches) fill from a fetch."""
    return {
        "fetch_id": fetch.fetch_id,
        "run_id": run_id,
        "url": fetch.url,
        "final_url": fetch.final_url,
        "fetched_at": fetch.fetched_at,
        "status": fetch.status,
        "http_status": fetch.http_status,
        "body_bytes": fetch.body_bytes,
        "error": fetch.error,
        "elapsed_ms": fetch.elapsed_ms,
        "archive_file": fetch.archive.file if fetch.archive else None,
        "archive_offset": fetch.archive.offset if fetch.archive else None,
        "loaded_at": now,
    }
