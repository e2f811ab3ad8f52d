"""Snapshots publishing (NEWSWATCH_PUBLISH=snapshots): Parquet files written only where the
data changed, and a small DuckDB catalog of views over exact file lists, renamed into place.

Layout beside the published catalog ``<name>.duckdb``::

    <name>.snapshots/files/<schema>/<table>/<snapshot>-<group>.parquet   immutable data
    <name>.snapshots/manifests/<snapshot>.json                           what each snapshot uses

A table is cut into files by rowid range (``RANGE_ROWS`` rowids each). DuckDB keeps a row's
rowid while the row lives and gives new rows higher ones, and never overwrites a block that
the last checkpoint still uses. So if the table's row groups other than the last are stored
exactly as at the last snapshot (same blocks, offsets, counts, statistics), nothing in them
was updated, and a range wholly below the last snapshot's last row group, with the same live
rowids (count, sum, min, max: deletes show there), holds the same rows: its file is reused.
Appends rewrite only the tail; deletes rewrite the ranges they touch; anything else (an
update in the middle, a rebuilt table, a schema change) rewrites the table. Publishing costs
what changed, not the history.

Views name files relative to the catalog's folder: readers resolve them there with
``file_search_path`` (``newswatch query`` and ``status`` set it; see warehouse/README.md), so
another machine can mount the folder anywhere. An old snapshot's files stay until it is
beyond the newest ``keep`` and was replaced more than ``min_age`` seconds ago: a reader that
opened it within that time keeps reading it whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

PUBLISHED_SCHEMAS = ("raw", "staging", "marts", "seeds")  # intermediate stays with the writer
RANGE_ROWS = 1 << 18  # rowids a file: few files for readers, a bounded rewrite per append
MARKER = "newswatch_snapshot"  # main.<MARKER> in the catalog: which snapshot it is


class SnapshotError(RuntimeError):
    """The working database could not be published as a snapshot."""


@dataclass(frozen=True)
class SnapshotPublished:
    snapshot_id: str
    catalog: Path
    bytes_written: int
    files_written: int
    files_reused: int
    files_total: int
    expired: tuple[str, ...]
    seconds: float


@dataclass
class Manifest:
    snapshot_id: str
    created_at: datetime
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    views: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    superseded_at: datetime | None = None

    def files(self) -> set[str]:
        return {g["file"] for t in self.tables.values() for g in t["groups"]}

    def to_json(self) -> str:
        def when(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return json.dumps(
            {
                "snapshot_id": self.snapshot_id,
                "created_at": when(self.created_at),
                "published_at": when(self.published_at),
                "superseded_at": when(self.superseded_at),
                "tables": self.tables,
                "views": self.views,
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)

        def when(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        return cls(
            data["snapshot_id"],
            datetime.fromisoformat(data["created_at"]),
            data["tables"],
            data["views"],
            when(data.get("published_at")),
            when(data.get("superseded_at")),
        )


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def prepare_reader(con: duckdb.DuckDBPyConnection, catalog: Path) -> None:
    """Let a connection to a snapshot catalog find its Parquet files wherever it is mounted."""
    con.execute(f"set file_search_path = {literal(str(catalog.resolve().parent))}")


def snapshot_id_of(catalog: Path) -> str | None:
    """The snapshot a published catalog is, or None (no file, or a whole-file warehouse)."""
    if not catalog.exists():
        return None
    # Attached from a fresh in-memory database: connect(path) would hand back an instance this
    # process already has open, which may be the file before the last rename.
    con = duckdb.connect()
    try:
        con.execute(f"attach {literal(str(catalog))} as published (read_only)")
        found = con.execute(
            "select count(*) from duckdb_tables() where database_name = 'published' "
            "and schema_name = 'main' and table_name = ?",
            [MARKER],
        ).fetchall()[0][0]
        if not found:
            return None
        return str(con.execute(f"select snapshot_id from published.main.{MARKER}").fetchall()[0][0])
    finally:
        con.close()


class SnapshotStore:
    """The snapshots folder of one published catalog."""

    def __init__(self, catalog: Path) -> None:
        self.catalog = catalog
        self.base = catalog.parent
        self.root = self.base / f"{catalog.stem}.snapshots"
        self.files_dir = self.root / "files"
        self.manifests_dir = self.root / "manifests"

    def relative(self, path: Path) -> str:
        return path.relative_to(self.base).as_posix()

    def manifests(self) -> list[Manifest]:
        if not self.manifests_dir.exists():
            return []
        found = [Manifest.from_json(p.read_text()) for p in self.manifests_dir.glob("*.json")]
        return sorted(found, key=lambda m: m.created_at)

    def write_manifest(self, manifest: Manifest) -> None:
        self.manifests_dir.mkdir(parents=True, exist_ok=True)
        target = self.manifests_dir / f"{manifest.snapshot_id}.json"
        temporary = target.with_suffix(".json.tmp")
        temporary.write_text(manifest.to_json())
        _fsync_file(temporary)
        os.replace(temporary, target)

    def current(self) -> Manifest | None:
        snapshot = snapshot_id_of(self.catalog)
        return next((m for m in self.manifests() if m.snapshot_id == snapshot), None)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _new_snapshot_id(now: datetime) -> str:
    return f"{now.strftime('%Y%m%dT%H%M%S')}Z-{secrets.token_hex(3)}"


# -- reading the working database ----------------------------------------------------------


def published_relations(
    con: duckdb.DuckDBPyConnection, schemas: Iterable[str] = PUBLISHED_SCHEMAS
) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """(tables, views) of the schemas readers get: [(schema, table)], [(schema, view, sql)]."""
    wanted = list(schemas)
    marks = ", ".join("?" for _ in wanted)
    tables = con.execute(
        f"select schema_name, table_name from duckdb_tables() where not internal "
        f"and not temporary and database_name = current_database() and schema_name in ({marks}) "
        "order by 1, 2",
        wanted,
    ).fetchall()
    views = con.execute(
        f"select schema_name, view_name, sql from duckdb_views() where not internal "
        f"and not temporary and database_name = current_database() and schema_name in ({marks}) "
        "order by 1, 2",
        wanted,
    ).fetchall()
    return [(s, t) for s, t in tables], [(s, v, q) for s, v, q in views]


def table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[list[str]]:
    return [
        [name, data_type]
        for name, data_type in con.execute(
            "select column_name, data_type from duckdb_columns() where database_name = "
            "current_database() and schema_name = ? and table_name = ? order by column_index",
            [schema, table],
        ).fetchall()
    ]


@dataclass(frozen=True)
class TableLayout:
    """How a checkpointed table is stored: what says whether its old files still hold."""

    columns: list[list[str]]
    row_groups: list[str]  # digest of each row group's storage, in order
    last_row_group_rows: int
    ranges: dict[int, str]  # rowid range -> "count:sum:min:max" of its live rowids

    def as_dict(self) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "row_groups": self.row_groups,
            "last_row_group_rows": self.last_row_group_rows,
        }


def table_layout(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, range_rows: int = RANGE_ROWS
) -> TableLayout:
    name = f"{quote(schema)}.{quote(table)}"
    segments = con.execute(
        "select row_group_id, column_id, column_path, segment_id, segment_type, start, count, "
        "compression, stats::varchar, has_updates, persistent, block_id, block_offset, "
        "additional_block_ids::varchar from pragma_storage_info(?) "
        "order by row_group_id, column_id, column_path, segment_id",
        [f"{schema}.{table}"],
    ).fetchall()
    if any(not row[10] for row in segments):
        raise SnapshotError(f"{schema}.{table} has data not checkpointed; checkpoint first")
    by_row_group: dict[int, list[tuple[Any, ...]]] = {}
    for row in segments:
        by_row_group.setdefault(int(row[0]), []).append(row)
    digests = [
        hashlib.sha256(repr(by_row_group[i]).encode()).hexdigest() for i in sorted(by_row_group)
    ]
    last_rows = 0
    if by_row_group:
        last = by_row_group[max(by_row_group)]
        first_path = (last[0][1], last[0][2])  # one column's segments add up to the rows
        last_rows = sum(int(r[6]) for r in last if (r[1], r[2]) == first_path)
    ranges = {
        int(k): f"{n}:{total}:{low}:{high}"
        for k, n, total, low, high in con.execute(
            f"select rowid // {range_rows}, count(*), sum(rowid)::hugeint, min(rowid), "
            f"max(rowid) from {name} group by all order by 1"
        ).fetchall()
    }
    return TableLayout(table_columns(con, schema, table), digests, last_rows, ranges)


def reusable_ranges(
    previous: dict[str, Any] | None, now: TableLayout, range_rows: int = RANGE_ROWS
) -> set[int]:
    """Ranges whose file from the previous snapshot still holds exactly the table's rows."""
    if previous is None or previous["columns"] != now.columns:
        return set()
    old_groups: list[str] = previous["row_groups"]
    if not old_groups and not now.row_groups:
        return {-1}  # empty then, empty now: the file of its columns still holds
    if not old_groups or now.row_groups[: len(old_groups) - 1] != old_groups[:-1]:
        return set()  # a row group before the last changed: an update, a rebuild, a vacuum
    old_ranges = {g["range"]: g["fingerprint"] for g in previous["groups"] if "range" in g}
    old_max = max(
        (int(f.split(":")[3]) for f in old_ranges.values() if f.split(":")[0] != "0"), default=-1
    )
    # Rows of the last old row group (it may have been appended to, or updated) lie above
    # this, unless no row group changed at all.
    clean_below = old_max - int(previous["last_row_group_rows"]) + 1
    if now.row_groups == old_groups:
        clean_below = 1 << 62
    return {
        k
        for k, fingerprint in now.ranges.items()
        if (k + 1) * range_rows <= clean_below and old_ranges.get(k) == fingerprint
    }


def _check_rows(con: duckdb.DuckDBPyConnection, target: Path, rows: int, what: str) -> None:
    """Each file holds exactly the range's live rows: never publish a wrong cut."""
    found = con.execute(f"select count(*) from read_parquet({literal(str(target))})").fetchall()
    if int(found[0][0]) != rows:
        raise SnapshotError(f"{what}: wrote {found[0][0]} rows, expected {rows}")


# -- publishing ----------------------------------------------------------------------------


def publish_snapshot(
    work_database: Path,
    catalog: Path,
    keep: int,
    min_age: float,
    memory_limit: str = "512MB",
    range_rows: int = RANGE_ROWS,
    before_rename: Any = None,
) -> SnapshotPublished:
    """Write what changed since the last snapshot, rename a new catalog into place, expire."""
    started = time.monotonic()
    store = SnapshotStore(catalog)
    now = datetime.now(UTC)
    snapshot_id = _new_snapshot_id(now)
    previous = store.current()
    manifest = Manifest(snapshot_id, now)
    counts = {"written": 0, "reused": 0, "bytes": 0}
    con = duckdb.connect(str(work_database), read_only=True, config={"memory_limit": memory_limit})
    try:
        tables, views = published_relations(con)
        for schema, table in tables:
            key = f"{schema}.{table}"
            manifest.tables[key] = _table_files(
                con,
                store,
                snapshot_id,
                schema,
                table,
                previous.tables.get(key) if previous else None,
                range_rows,
                counts,
            )
        manifest.views = [f"{schema}.{view}" for schema, view, _ in views]
    finally:
        con.close()
    for directory in {p.parent for p in store.files_dir.rglob("*.parquet")} | {store.files_dir}:
        fsync_directory(directory)
    store.write_manifest(manifest)
    for stale in catalog.parent.glob(f".{catalog.name}.publishing-*"):
        stale.unlink()  # left by a publish that was killed; the caller holds the writer lock
    temporary = catalog.with_name(f".{catalog.name}.publishing-{os.getpid()}")
    try:
        _build_catalog(temporary, catalog, store, manifest, views)
        _fsync_file(temporary)
        if before_rename is not None:
            before_rename()  # tests: die with everything written but the rename
        os.replace(temporary, catalog)
        fsync_directory(catalog.parent)
    finally:
        temporary.unlink(missing_ok=True)
    published_at = datetime.now(UTC)
    manifest.published_at = published_at
    store.write_manifest(manifest)
    if previous is not None:
        previous.superseded_at = published_at
        store.write_manifest(previous)
    expired = expire(store, snapshot_id, keep, min_age, published_at)
    return SnapshotPublished(
        snapshot_id,
        catalog,
        counts["bytes"],
        counts["written"],
        counts["reused"],
        counts["written"] + counts["reused"],
        tuple(expired),
        time.monotonic() - started,
    )


def _table_files(
    con: duckdb.DuckDBPyConnection,
    store: SnapshotStore,
    snapshot_id: str,
    schema: str,
    table: str,
    previous: dict[str, Any] | None,
    range_rows: int,
    counts: dict[str, int],
) -> dict[str, Any]:
    """The table's files in this snapshot: the last snapshot's where a range still holds,
    new ones elsewhere. An empty table gets one empty file (its columns)."""
    key = f"{schema}.{table}"
    layout = table_layout(con, schema, table, range_rows)
    keep = reusable_ranges(previous, layout, range_rows)
    old_files = {g["range"]: g for g in previous["groups"]} if previous else {}
    groups: list[dict[str, Any]] = []
    for k, fingerprint in sorted(layout.ranges.items()) or [(-1, "0:0:0:0")]:
        if k in keep and (store.base / old_files[k]["file"]).exists():
            groups.append(old_files[k])
            counts["reused"] += 1
            continue
        name = "empty" if k < 0 else f"{k:06d}"
        target = store.files_dir / schema / table / f"{snapshot_id}-{name}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        select = f"select * from {quote(schema)}.{quote(table)}"
        if k < 0:
            select += " limit 0"
        else:
            select += f" where rowid >= {k * range_rows} and rowid < {(k + 1) * range_rows}"
        con.execute(
            f"copy ({select}) to {literal(str(target))} "
            "(format parquet, compression zstd, row_group_size 122880)"
        )
        _fsync_file(target)
        rows = int(fingerprint.split(":")[0])
        _check_rows(con, target, rows, f"{key} range {k}")
        counts["bytes"] += target.stat().st_size
        counts["written"] += 1
        groups.append(
            {"range": k, "file": store.relative(target), "rows": rows, "fingerprint": fingerprint}
        )
    return {**layout.as_dict(), "groups": groups}


def _build_catalog(
    path: Path,
    catalog: Path,
    store: SnapshotStore,
    manifest: Manifest,
    views: list[tuple[str, str, str]],
) -> None:
    """A DuckDB file holding only views: one per table over its exact files, and the
    working database's own views (dbt's staging), which then read the table views."""
    con = duckdb.connect()
    try:
        prepare_reader(con, catalog)
        # Attached under the published file's name: dbt's views name that catalog.
        con.execute(f"attach {literal(str(path))} as {quote(catalog.stem)}")
        con.execute(f"use {quote(catalog.stem)}")
        for schema in sorted({s for s, _ in (k.split(".", 1) for k in manifest.tables)}):
            con.execute(f"create schema if not exists {quote(schema)}")
        for key, entry in manifest.tables.items():
            schema, table = key.split(".", 1)
            files = ", ".join(literal(g["file"]) for g in entry["groups"])
            columns = ", ".join(
                f"cast({quote(name)} as {data_type}) as {quote(name)}"
                for name, data_type in entry["columns"]
            )
            con.execute(
                f"create view {quote(schema)}.{quote(table)} as "
                f"select {columns} from read_parquet([{files}])"
            )
        pending = list(views)
        while pending:  # views on views: create each once what it reads exists
            failed: list[tuple[str, str, str]] = []
            error: Exception | None = None
            for schema, view, sql in pending:
                con.execute(f"create schema if not exists {quote(schema)}")
                try:
                    con.execute(sql)
                except duckdb.CatalogException as exc:
                    failed.append((schema, view, sql))
                    error = exc
            if len(failed) == len(pending):
                raise SnapshotError(f"cannot recreate views {[v for _, v, _ in failed]}: {error}")
            pending = failed
        con.execute(
            f"create table main.{MARKER} as select ? as snapshot_id, ?::timestamptz as created_at",
            [manifest.snapshot_id, manifest.created_at],
        )
        con.execute("checkpoint")
    finally:
        con.close()


def expire(
    store: SnapshotStore, current: str, keep: int, min_age: float, now: datetime
) -> list[str]:
    """Delete snapshots beyond the newest ``keep`` that were replaced over ``min_age`` seconds
    ago (and any a crashed publish left unpublished), then files no snapshot left uses."""
    manifests = store.manifests()
    published = [m for m in manifests if m.published_at is not None]
    published.sort(key=lambda m: m.published_at or m.created_at, reverse=True)
    kept_ids = {m.snapshot_id for m in published[:keep]} | {current}
    horizon = now - timedelta(seconds=min_age)
    expired = []
    for manifest in manifests:
        if manifest.snapshot_id in kept_ids:
            continue
        unpublished = manifest.published_at is None
        if unpublished or (manifest.superseded_at and manifest.superseded_at <= horizon):
            expired.append(manifest.snapshot_id)
    remaining = [m for m in manifests if m.snapshot_id not in expired]
    in_use = set().union(*(m.files() for m in remaining)) if remaining else set()
    for snapshot_id in expired:
        (store.manifests_dir / f"{snapshot_id}.json").unlink(missing_ok=True)
    if store.files_dir.exists():
        for path in store.files_dir.rglob("*.parquet"):
            if store.relative(path) not in in_use:
                path.unlink()
    return expired


def restore_raw(catalog: Path, work_database: Path, raw_tables: Iterable[str]) -> int:
    """Fill an empty, migrated working database's raw tables from a snapshot catalog; dbt
    derives the rest again. Returns the rows restored."""
    restored = 0
    con = duckdb.connect(str(work_database))
    try:
        prepare_reader(con, catalog)
        con.execute(f"attach {literal(str(catalog))} as published (read_only)")
        for table in raw_tables:
            name = quote(table)
            con.execute(f"insert into raw.{name} select * from published.raw.{name}")
            restored += int(con.execute(f"select count(*) from raw.{name}").fetchall()[0][0])
        con.execute("detach published")
        con.execute("checkpoint")
    finally:
        con.close()
    return restored
