"""Publishing: one writer at a time, and readers only ever see a complete, checkpointed file.

The writer works on a private copy (``<name>.writer/<name>.duckdb``). After a successful dbt
build it checkpoints, copies that file beside the published one and renames it over the
published path. rename(2) is atomic: a reader that has the old file open keeps reading the old
inode; the next reader to open the path gets the new file. Nobody ever waits for a lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from flows import warehouse
from flows.core.faults import crash_point
from flows.core.settings import Settings
from flows.warehouse.snapshots import (
    SnapshotPublished,
    fsync_directory,
    literal,
    prepare_reader,
    publish_snapshot,
    restore_raw,
    snapshot_id_of,
)


class WarehouseBusy(Exception):
    """Another process is writing this warehouse."""


@dataclass(frozen=True)
class Published:
    path: Path
    bytes: int  # copied (file mode) or newly written (snapshots mode)
    seconds: float
    snapshot: SnapshotPublished | None = None

    def describe(self) -> str:
        if self.snapshot is None:
            return f"{self.path} ({self.bytes / 1e6:.1f} MB)"
        s = self.snapshot
        return (
            f"{self.path} (snapshot {s.snapshot_id}: {s.files_written} files written, "
            f"{self.bytes / 1e6:.1f} MB; {s.files_reused} reused; {len(s.expired)} expired)"
        )


# Writer locks this process claimed for the runs it starts (claim_writer): their own
# writer_lock passes through. Guarded: Prefect may run a flow in another thread.
_claimed: set[Path] = set()
_claimed_guard = threading.Lock()


@contextmanager
def writer_lock(settings: Settings, wait_seconds: float = 0.0) -> Iterator[None]:
    """Exclusive right to write this warehouse; released by the kernel if the process dies."""
    settings.writer_dir.mkdir(parents=True, exist_ok=True)
    path = settings.writer_dir / "lock"
    with _claimed_guard:
        claimed = path.resolve() in _claimed
    if claimed:  # this process took it for this run before the run started
        yield
        return
    handle = open(path, "a+")  # noqa: SIM115 - held for the whole block
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown process"
                    raise WarehouseBusy(
                        f"another newswatch run is writing {settings.warehouse} ({holder}); "
                        "try again when it has finished"
                    ) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "since": datetime.now(UTC).isoformat()}))
        handle.flush()
        yield
    finally:
        handle.close()  # closing the descriptor releases the lock


@contextmanager
def claim_writer(settings: Settings, wait_seconds: float = 0.0) -> Iterator[None]:
    """The writer lock, taken before a run starts (before Prefect's start-up, so a second
    run is told at once) and lent to the run this process then starts: its writer_lock
    passes through instead of finding the warehouse busy."""
    with writer_lock(settings, wait_seconds):
        key = (settings.writer_dir / "lock").resolve()
        with _claimed_guard:
            _claimed.add(key)
        try:
            yield
        finally:
            with _claimed_guard:
                _claimed.discard(key)


def row_count(database: Path, table: str) -> int | None:
    """Rows of ``table`` in the DuckDB file (or snapshot catalog) at ``database``; None when
    there is no such file or table, or it cannot be read."""
    if not database.exists():
        return None
    # Attached from a fresh in-memory database: connect(path) would hand back an instance this
    # process already has open, which may be the file before the last rename.
    con = duckdb.connect()
    try:
        con.execute(f"attach {literal(str(database))} as counted (read_only)")
        prepare_reader(con, database)
        return int(con.execute(f"select count(*) from counted.{table}").fetchall()[0][0])
    except duckdb.Error:
        return None
    finally:
        con.close()


def nothing_to_publish(settings: Settings) -> bool:
    """Nothing was ever published and the writer's database holds no article yet (every
    feed failed or was deferred so far): publishing would only show readers an empty
    warehouse."""
    return not settings.warehouse.exists() and not row_count(settings.work_database, "raw.articles")


def fewer_articles(settings: Settings) -> str | None:
    """Why publishing the writer's database now would take articles away from readers (it
    has fewer than the published warehouse), or None. NEWSWATCH_ALLOW_FEWER_ARTICLES=1 says
    that is wanted."""
    if settings.allow_fewer_articles:
        return None
    published = row_count(settings.warehouse, "marts.dim_articles")
    if not published:
        return None
    built = row_count(settings.work_database, "marts.dim_articles") or 0
    if built >= published:
        return None
    return (
        f"not published: this run's warehouse has {built} articles where the published "
        f"{settings.warehouse.name} has {published}; readers keep the published one "
        "(NEWSWATCH_ALLOW_FEWER_ARTICLES=1 publishes it anyway)"
    )


def checkpoint(database: Path) -> None:
    con = duckdb.connect(str(database))
    try:
        con.execute("checkpoint")
    finally:
        con.close()


def publish(settings: Settings) -> Published:
    """Atomically replace the published warehouse with the writer's checkpointed database:
    a copy of the whole file, or (NEWSWATCH_PUBLISH=snapshots) a catalog over Parquet files."""
    started = time.monotonic()
    source = settings.work_database
    checkpoint(source)
    wal = source.with_name(source.name + ".wal")
    if wal.exists() and wal.stat().st_size:
        raise RuntimeError(f"{wal} still holds changes after CHECKPOINT; not publishing")
    if settings.publish == "snapshots":
        snapshot = publish_snapshot(
            source,
            settings.warehouse,
            settings.snapshot_keep,
            settings.snapshot_min_age,
            settings.duckdb_memory_limit,
            before_rename=lambda: crash_point("publish"),
        )
        return Published(settings.warehouse, snapshot.bytes_written, snapshot.seconds, snapshot)
    target = settings.warehouse
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.publishing-*"):
        stale.unlink()  # left by a publish that was killed; we hold the writer lock
    temporary = target.with_name(f".{target.name}.publishing-{os.getpid()}")
    try:
        shutil.copyfile(source, temporary)  # copy_file_range/sendfile: no user-space copy
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        crash_point("publish")  # tests: die with the copy made but not yet renamed
        os.replace(temporary, target)
        fsync_directory(target.parent)
    finally:
        temporary.unlink(missing_ok=True)
    return Published(target, target.stat().st_size, time.monotonic() - started)


def prepare_working_copy(settings: Settings) -> None:
    """Before the first write: seed the working database from the published one if it is lost.

    The working copy is the source of truth; but if someone deleted the writer folder, starting
    from the last published file loses nothing that was ever published.
    """
    work = settings.work_database
    if work.exists() or not settings.warehouse.exists():
        return
    work.parent.mkdir(parents=True, exist_ok=True)
    if snapshot_id_of(settings.warehouse) is not None:
        _restore_from_snapshot(settings)
        return
    temporary = work.with_name(work.name + ".restoring")
    shutil.copyfile(settings.warehouse, temporary)
    os.replace(temporary, work)


def _restore_from_snapshot(settings: Settings) -> None:
    """A snapshot catalog holds views, not tables: rebuild the raw schema from its Parquet
    files in a fresh working database; the next dbt build derives everything else."""
    temporary = settings.work_database.with_name(settings.work_database.name + ".restoring")
    temporary.unlink(missing_ok=True)
    with warehouse.open_warehouse(temporary, settings.duckdb_memory_limit) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'raw' "
                "and table_name <> 'schema_migrations'"
            ).fetchall()
        ]
    restore_raw(settings.warehouse, temporary, tables)
    os.replace(temporary, settings.work_database)
