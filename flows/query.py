"""Read-only SQL on the published warehouse: a table in the terminal, or csv/json/parquet."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import sys
from pathlib import Path
from typing import Any, TextIO

import duckdb
from rich.console import Console
from rich.table import Table

from flows.snapshots import prepare_reader

MAX_TABLE_ROWS = 200


class QueryError(Exception):
    """The query could not run; the message says why."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def open_read_only(warehouse: Path) -> duckdb.DuckDBPyConnection:
    if not warehouse.exists():
        raise QueryError(
            f"no published warehouse at {warehouse} yet: run `newswatch run` (or `make demo` "
            "and pass --warehouse warehouse/demo.duckdb)"
        )
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise QueryError(f"cannot open {warehouse}: {exc}") from exc
    prepare_reader(con, warehouse)  # a snapshot catalog's files are beside it
    return con


def run_query(
    warehouse: Path,
    sql: str,
    output_format: str = "table",
    output: str | None = None,
    console: Console | None = None,
) -> int:
    """Run ``sql``; returns the number of rows written or shown."""
    con = open_read_only(warehouse)
    try:
        if output_format == "parquet":
            if not output:
                raise QueryError("--format parquet needs --output FILE")
            escaped = output.replace("'", "''")
            con.execute(f"copy ({sql}) to '{escaped}' (format parquet)")
            return int(con.execute(f"select count(*) from '{escaped}'").fetchall()[0][0])
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0]) from exc
    finally:
        con.close()
    if output_format == "table" and not output:
        _print_table(columns, rows, console or Console())
        return len(rows)
    handle: TextIO = open(output, "w", newline="", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    try:
        if output_format == "json":
            records = [{c: _jsonable(v) for c, v in zip(columns, row, strict=True)} for row in rows]
            json.dump(records, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
        else:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows(rows)
    finally:
        if output:
            handle.close()
    return len(rows)


def _print_table(columns: list[str], rows: list[tuple[Any, ...]], console: Console) -> None:
    table = Table(*columns, header_style="bold", show_lines=False)
    for row in rows[:MAX_TABLE_ROWS]:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)
    more = (
        f" (showing {MAX_TABLE_ROWS}; use --format csv for all)"
        if len(rows) > MAX_TABLE_ROWS
        else ""
    )
    console.print(f"{len(rows)} rows{more}")
