"""Read-only SQL on the published warehouse: a table in the terminal, or csv/json/parquet.

Read-only means more than a read-only database: only statements that read (SELECT and its
kin) run, and DuckDB may open files only inside the warehouse's own folder tree (where a
published catalog's views may read Parquet), never elsewhere, never the network, and no
extension can be installed or loaded. Files asked for with ``-o`` are written here, in
Python, from the result's Arrow batches, never by the query.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import os
import re
import sys
import textwrap
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table
from rich.text import Text

from flows.warehouse.snapshots import prepare_reader

MAX_TABLE_ROWS = 200
FORMATS = ("table", "csv", "json", "parquet")
SUFFIXES = {".csv": "csv", ".json": "json", ".parquet": "parquet", ".pq": "parquet"}
# Pragmas that only describe the database; the others change settings or run files.
READ_PRAGMAS = frozenset(
    {
        "collations",
        "database_list",
        "database_size",
        "functions",
        "metadata_info",
        "platform",
        "show",
        "show_databases",
        "show_tables",
        "show_tables_expanded",
        "storage_info",
        "table_info",
        "user_agent",
        "version",
    }
)
EXAMPLE = "select * from marts.dim_outlets"
BATCH_ROWS = 10_000


class QueryError(Exception):
    """The query could not run; the message says why."""


def no_warehouse(warehouse: Path) -> str:
    if warehouse.name == "demo.duckdb":
        return f"no published warehouse at {warehouse} yet: run `make demo` (newswatch demo)"
    return (
        f"no published warehouse at {warehouse} yet: run `newswatch run` (or `make demo`, "
        "then read the demo's with --demo)"
    )


def open_read_only(
    warehouse: Path,
    allowed_directories: Sequence[Path] | None = None,
    memory_limit: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """The published warehouse, read-only, able to open files only under
    ``allowed_directories`` (default: the warehouse's folder and everything below it), with
    DuckDB's buffer under ``memory_limit`` when given (default: DuckDB's, most of the
    machine's memory; a run passes its own cap, as its other processes share the machine)."""
    if not warehouse.exists():
        raise QueryError(no_warehouse(warehouse))
    roots = allowed_directories if allowed_directories is not None else [warehouse.parent]
    config: dict[str, str | bool | int | float | list[str]] = (
        {"memory_limit": memory_limit} if memory_limit else {}
    )
    try:
        con = duckdb.connect(str(warehouse), read_only=True, config=config)
    except duckdb.Error as exc:
        raise QueryError(f"cannot open {warehouse}: {exc}") from exc
    try:
        prepare_reader(con, warehouse)  # a snapshot catalog's files are beside it
        # allowed_directories can only be set on a running database, and must be set before
        # external access is switched off; the lock then refuses any SET that would undo it.
        allowed = [str(Path(root).resolve()).rstrip("/") + "/" for root in roots]
        # A snapshot catalog's views name their Parquet files relative to its folder (found
        # through file_search_path); DuckDB checks those paths as written, so the folders
        # beside the catalog are allowed by their relative names too.
        allowed += [f"{child.name}/" for child in warehouse.parent.iterdir() if child.is_dir()]
        con.execute("set allowed_directories = ?", [allowed])
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    except duckdb.Error:
        con.close()
        raise
    return con


def check_read_only(sql: str) -> list[duckdb.Statement]:
    """The statements of ``sql`` if every one of them only reads; QueryError otherwise."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(str(exc).strip()) from exc
    if not statements:
        raise QueryError(f'the query is empty: give a SELECT, e.g. newswatch query "{EXAMPLE}"')
    for statement in statements:
        _check_statement(statement)
    return statements


def _check_statement(statement: duckdb.Statement) -> None:
    kind = statement.type
    text = statement.query.strip()
    if kind == duckdb.StatementType.SELECT:
        return
    if kind == duckdb.StatementType.PRAGMA:
        match = re.match(r"(?is)pragma\s+([a-z_]+)", text)
        if match and match.group(1).lower() in READ_PRAGMAS:
            return
    elif kind == duckdb.StatementType.EXPLAIN:
        # EXPLAIN ANALYZE runs what it explains: only a reading statement may follow.
        inner = re.sub(r"(?is)^explain\s+(analy[sz]e\s+)?", "", text)
        if inner and inner != text:
            for statement_inside in duckdb.extract_statements(inner):
                _check_statement(statement_inside)
            return
    what = str(kind).rsplit(".", 1)[-1]
    first = text.split(None, 1)[0] if text else what
    raise QueryError(
        f"newswatch query only reads: {first.upper()} statements are refused ({what}); "
        "to save a result, use -o FILE (.csv, .json or .parquet)"
    )


def resolve_format(output_format: str | None, output: str | None) -> str:
    """The output format: as given, or from the -o file's suffix, or a table."""
    if output is None:
        if output_format == "parquet":
            raise QueryError("parquet is binary: give a file with -o FILE.parquet")
        return output_format or "table"
    inferred = SUFFIXES.get(Path(output).suffix.lower())
    if output_format == "table":
        raise QueryError("--format table prints to the terminal; -o writes csv, json or parquet")
    if output_format and inferred and output_format != inferred:
        raise QueryError(
            f"-o {output} names a {inferred} file but --format {output_format} was given"
        )
    chosen = output_format or inferred
    if chosen is None:
        raise QueryError(
            f"cannot tell which format to write to {output}: name it .csv, .json or .parquet, "
            "or pass --format"
        )
    return chosen


def run_query(
    warehouse: Path,
    sql: str,
    output_format: str | None = None,
    output: str | None = None,
    console: Console | None = None,
    allowed_directories: Sequence[Path] | None = None,
) -> int:
    """Run ``sql`` read-only; returns the number of rows written or shown."""
    chosen = resolve_format(output_format, output)
    statements = check_read_only(sql)
    con = open_read_only(warehouse, allowed_directories)
    try:
        for statement in statements[:-1]:  # in order; only the last one's result is shown
            result = con.execute(statement.query)
            while result.fetchmany(BATCH_ROWS):
                pass  # read to the end: DuckDB runs nothing else while a result is open
        relation = con.sql(statements[-1].query)
        if relation is None:  # pragma: no cover - every allowed statement returns rows
            raise QueryError("the statement returned no result")
        relation = _portable(relation, chosen)
        batches = relation.fetch_arrow_reader(batch_size=BATCH_ROWS)
        if chosen == "table":
            return _print_table(batches, console or Console())
        if output is None:
            return _write(batches, chosen, sys.stdout.buffer)
        with _atomic_file(Path(output)) as handle:
            return _write(batches, chosen, handle)
    except duckdb.Error as exc:
        raise QueryError(str(exc).strip()) from exc
    finally:
        con.close()


# Types each format cannot hold as they are: written as text instead.
_AS_TEXT = {
    "csv": {"list", "struct", "map", "array", "union", "interval", "blob", "bit"},
    "parquet": {"interval", "union", "bit"},
    "json": {"interval", "bit"},
    "table": set(),
}


def _portable(relation: duckdb.DuckDBPyRelation, output_format: str) -> duckdb.DuckDBPyRelation:
    """Sums of integers are HUGEINT in DuckDB, which files would hold as doubles or 38-digit
    decimals: they become BIGINT. Types a format cannot hold become text."""
    as_text = _AS_TEXT[output_format]
    columns, changed = [], False
    for name, kind in zip(relation.columns, relation.types, strict=True):
        quoted = '"' + name.replace('"', '""') + '"'
        if kind.id in ("hugeint", "uhugeint"):
            columns.append(f"cast({quoted} as bigint) as {quoted}")
            changed = True
        elif kind.id in as_text:
            columns.append(f"cast({quoted} as varchar) as {quoted}")
            changed = True
        else:
            columns.append(quoted)
    if not changed or len(set(relation.columns)) != len(relation.columns):
        return relation
    return relation.project(", ".join(columns))


@contextmanager
def _atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A file that appears under ``path`` only once it is complete."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("wb") as handle:
            yield handle
        os.replace(partial, path)
    except OSError as exc:
        raise QueryError(f"cannot write {path}: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)


def _write(batches: pa.RecordBatchReader, output_format: str, handle: IO[bytes]) -> int:
    rows = 0
    if output_format == "parquet":
        with pq.ParquetWriter(handle, batches.schema) as writer:
            for batch in batches:
                writer.write_batch(batch)
                rows += batch.num_rows
    elif output_format == "csv":
        # The csv module, not Arrow's writer: Arrow quotes every text value.
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(batches.schema.names)
        for batch in batches:
            writer.writerows(_rows(batch))
            rows += batch.num_rows
        text.detach()  # the caller owns the binary handle
    else:
        handle.write(b"[")
        for batch in batches:
            for record in batch.to_pylist():
                handle.write((",\n" if rows else "\n").encode())
                handle.write(json.dumps(record, ensure_ascii=False, default=_jsonable).encode())
                rows += 1
        handle.write(b"\n]\n")
    handle.flush()
    return rows


def _rows(batch: pa.RecordBatch) -> Iterator[tuple[Any, ...]]:
    """Rows as tuples (column names may repeat, so not as dicts)."""
    return zip(*(column.to_pylist() for column in batch.columns), strict=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, uuid.UUID | dt.timedelta):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _print_table(batches: pa.RecordBatchReader, console: Console) -> int:
    """The first rows as a table that fits the console's width: long values fold inside
    their cells; when the columns cannot all fit, one block per row (column: value) and a
    hint of ``--format csv``. Numbers are right-aligned; data is text, never markup."""
    names = list(batches.schema.names)
    numeric = [_is_number(field.type) for field in batches.schema]
    shown: list[list[str]] = []
    rows = 0
    for batch in batches:
        if rows < MAX_TABLE_ROWS:
            for row in _rows(batch.slice(0, MAX_TABLE_ROWS - rows)):
                shown.append(["" if v is None else str(v) for v in row])
        rows += batch.num_rows
    if _fits(names, shown, console.width):
        table = Table(header_style="bold", show_lines=False)
        for name, right in zip(names, numeric, strict=True):
            table.add_column(
                Text(name),
                justify="right" if right else "left",
                overflow="fold",
                min_width=min(len(name), MIN_COLUMN),
            )
        for cells in shown:
            table.add_row(*(Text(cell) for cell in cells))
        console.print(table)
    else:
        _print_records(names, shown, console)
        console.print(
            Text(
                f"({len(names)} columns do not fit in {console.width}: one block per row; "
                "--format csv, or -o FILE.csv, gives them as a table)"
            )
        )
    noun = "row" if rows == 1 else "rows"
    more = f" (showing {MAX_TABLE_ROWS}; use -o FILE.csv for all)" if rows > MAX_TABLE_ROWS else ""
    console.print(Text(f"{rows} {noun}{more}"))
    return rows


MIN_COLUMN = 12  # narrower than this, a column of names or dates is unreadable


def _is_number(kind: pa.DataType) -> bool:
    return bool(
        pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind)
    )


def _fits(names: list[str], rows: list[list[str]], width: int) -> bool:
    """Can every column get its header's width (up to MIN_COLUMN) in ``width`` columns?
    Rich's table takes 3 characters per column (padding, rule) and 1 for the border; cells
    wider than their share fold."""
    needed = 1
    for index, name in enumerate(names):
        widest = max([len(name), *(len(row[index]) for row in rows)])
        needed += min(widest, max(len(name), MIN_COLUMN) if len(name) <= 20 else MIN_COLUMN)
        needed += 3
    return needed <= width


def _print_records(names: list[str], rows: list[list[str]], console: Console) -> None:
    """One block per row, a column per line (psql's expanded display); long values wrap
    under themselves."""
    label = max(len(name) for name in names)
    room = max(20, console.width - label - 1)
    for number, values in enumerate(rows, start=1):
        console.print(Text(f"-[ row {number} ]" + "-" * 28))
        for name, value in zip(names, values, strict=True):
            lines = [
                piece
                for line in value.splitlines() or [""]
                for piece in textwrap.wrap(line, room, replace_whitespace=False) or [""]
            ]
            console.print(Text(f"{name.ljust(label)} {lines[0]}".rstrip()))
            for more in lines[1:]:
                console.print(Text(f"{'':{label}} {more}"))
