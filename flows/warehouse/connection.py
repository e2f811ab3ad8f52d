"""Opening the warehouse, applying its migrations, and the transaction helpers every load uses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from flows.core.settings import REPO_ROOT

MIGRATIONS_DIR = REPO_ROOT / "warehouse" / "migrations"
MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class WarehouseError(Exception):
    """The warehouse cannot be opened or migrated."""


def connect(
    path: Path, read_only: bool = False, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    config: dict[str, str | bool | int | float | list[str]] = (
        {"memory_limit": memory_limit} if memory_limit else {}
    )
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot open warehouse {path}: {exc}") from exc


def set_memory_limit(con: duckdb.DuckDBPyConnection, limit: str) -> None:
    """Change DuckDB's memory cap on an open connection. The cap belongs to the database
    instance, which every connection to the file in this process shares (a second connection
    opened with another cap is refused), so a caller that lowers it sets it back when done."""
    con.execute(f"set memory_limit = '{limit.replace(chr(39), '')}'")


# While a run loads pages, a commit larger than DuckDB's auto_checkpoint_skip_wal_threshold
# (every batch's) skips the WAL and checkpoints at once, and a checkpoint rewrites each row
# group the batch touched: raw.articles' rows (with their text) are updated as their pages
# arrive, so every batch rewrote a row group that grows with the table — 23 pages/s at 30,000
# articles in, where 10,000 ran at 65. The loads write the WAL and checkpoint once this much
# of it has gathered.
LOAD_CHECKPOINT = "256MB"


def begin_loads(con: duckdb.DuckDBPyConnection, memory_limit: str) -> None:
    """Settings for a stretch of loads beside the extraction workers: a smaller memory cap,
    and checkpoints every LOAD_CHECKPOINT of WAL instead of at every commit (end_loads)."""
    set_memory_limit(con, memory_limit)
    con.execute(f"set checkpoint_threshold = '{LOAD_CHECKPOINT}'")
    con.execute(f"set auto_checkpoint_skip_wal_threshold = {2**62}")


def end_loads(con: duckdb.DuckDBPyConnection, memory_limit: str) -> None:
    """Back to the writer's cap and DuckDB's own checkpoints (the instance's settings)."""
    set_memory_limit(con, memory_limit)
    con.execute("reset checkpoint_threshold")
    con.execute("reset auto_checkpoint_skip_wal_threshold")


def migrations(directory: Path = MIGRATIONS_DIR) -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration file, in order."""
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = MIGRATION_NAME.match(path.name)
        if not match:
            raise WarehouseError(f"migration file name must look like 0001_name.sql: {path}")
        found.append((int(match.group(1)), path.name, path.read_text(encoding="utf-8")))
    return found


def migrate(con: duckdb.DuckDBPyConnection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply migrations not applied yet, each in its own transaction; returns their names."""
    from flows.warehouse.columns import forget_schemas  # columns uses this module

    forget_schemas(con)  # the tables may change below
    con.execute("create schema if not exists raw")
    con.execute(
        "create table if not exists raw.schema_migrations ("
        "version integer primary key, name varchar not null, applied_at timestamptz not null)"
    )
    applied = {
        row[0] for row in con.execute("select version from raw.schema_migrations").fetchall()
    }
    done = []
    for version, name, sql in migrations(directory):
        if version in applied:
            continue
        con.execute("begin transaction")
        try:
            con.execute(sql)
            con.execute(
                "insert into raw.schema_migrations values (?, ?, ?)",
                [version, name, datetime.now(UTC)],
            )
            con.execute("commit")
        except duckdb.Error as exc:
            con.execute("rollback")
            raise WarehouseError(f"migration {name} failed: {exc}") from exc
        done.append(name)
    return done


@contextmanager
def open_warehouse(
    path: Path, memory_limit: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A migrated read-write connection, closed on exit."""
    con = connect(path, memory_limit=memory_limit)
    try:
        migrate(con)
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("begin transaction")
    try:
        yield
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> Iterator[None]:
    """Expose an Arrow table to SQL as ``name`` for the duration of the block."""
    con.register(name, table)
    try:
        yield
    except BaseException:
        # Inside an aborted transaction unregister fails too; keep the original error.
        with suppress(duckdb.Error):
            con.unregister(name)
        raise
    con.unregister(name)
