"""Snapshots publishing on real DuckDB files: what readers see always equals the writer's
tables, only what changed is written again, and old snapshots go only when no reader can
still be on them."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from flows.warehouse.snapshots import (
    SnapshotStore,
    expire,
    prepare_reader,
    publish_snapshot,
    snapshot_id_of,
)

pytestmark = pytest.mark.snapshots

RANGE = 100_000  # rowids a file, small so that a few hundred thousand rows make several


def make_work(path: Path) -> Path:
    """A working database with the kinds of tables and types the warehouse has."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("create schema raw; create schema marts; create schema staging")
    con.execute(
        "create table raw.sentences as select i as id, 'sentence ' || i as text "
        "from range(350000) as r(i)"
    )
    con.execute(
        "create table raw.types as select i as id, (i % 7)::integer as part, "
        "timestamptz '2026-11-01 00:00:00+00' + to_seconds(i) as at, "
        "['a', 'b'][1 + i % 2:] as tags, {'x': i, 'y': 'z'} as info, "
        "'{\"k\": 1}'::json as doc from range(10) as r(i)"
    )
    con.execute("create table raw.feeds as select 'feed-' || i as feed_name from range(3) r(i)")
    con.execute("create table marts.empty_table (article_id varchar, tone double)")
    con.execute(
        "create view staging.stg_feeds as select feed_name, upper(feed_name) as shouted "
        'from "work"."raw"."feeds"'
    )
    con.execute("checkpoint")
    con.close()
    return path


def publish(work: Path, catalog: Path, keep: int = 5, min_age: float = 3600.0, **kwargs):
    return publish_snapshot(work, catalog, keep, min_age, range_rows=RANGE, **kwargs)


def write(work: Path, *sql: str) -> None:
    con = duckdb.connect(str(work))
    for statement in sql:
        con.execute(statement)
    con.execute("checkpoint")
    con.close()


def differences(work: Path, catalog: Path, table: str) -> int:
    """Rows in one and not the other (as multisets), read as a reader elsewhere would."""
    con = duckdb.connect()
    prepare_reader(con, catalog)
    con.execute(f"attach '{work}' as w (read_only)")
    con.execute(f"attach '{catalog}' as c (read_only)")
    try:
        return con.execute(
            f"select (select count(*) from (select * from w.{table} except all "
            f"select * from c.{table})) + (select count(*) from (select * from c.{table} "
            f"except all select * from w.{table}))"
        ).fetchall()[0][0]
    finally:
        con.close()


@pytest.fixture
def work(tmp_path: Path) -> Path:
    return make_work(tmp_path / "writer" / "work.duckdb")


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    return tmp_path / "published" / "work.duckdb"


def test_the_catalog_reads_like_the_working_database(work: Path, catalog: Path, tmp_path: Path):
    catalog.parent.mkdir()
    published = publish(work, catalog)
    assert snapshot_id_of(catalog) == published.snapshot_id
    assert catalog.stat().st_size < 2_000_000  # views, not data
    for table in ("raw.sentences", "raw.types", "raw.feeds", "marts.empty_table"):
        assert differences(work, catalog, table) == 0
    con = duckdb.connect(str(catalog), read_only=True)
    prepare_reader(con, catalog)
    types = con.execute(
        "select column_name, data_type from duckdb_columns() where table_name = 'types'"
    ).fetchall()
    assert dict(types) == {
        "id": "BIGINT",
        "part": "INTEGER",
        "at": "TIMESTAMP WITH TIME ZONE",
        "tags": "VARCHAR[]",
        "info": "STRUCT(x BIGINT, y VARCHAR)",
        "doc": "JSON",
    }
    # The working database's own views come along, reading the snapshot's tables.
    assert con.execute("select shouted from staging.stg_feeds order by 1").fetchall()[0] == (
        "FEED-0",
    )
    con.close()


def test_a_reader_elsewhere_finds_the_files_by_relative_path(
    work: Path, catalog: Path, tmp_path: Path, monkeypatch
):
    catalog.parent.mkdir()
    publish(work, catalog)
    mounted = tmp_path / "other-machine" / "mnt"
    shutil.copytree(catalog.parent, mounted)  # the folder, mounted under another path
    shutil.rmtree(catalog.parent)  # and the original gone: nothing may point back to it
    monkeypatch.chdir(tmp_path)
    con = duckdb.connect(str(mounted / "work.duckdb"), read_only=True)
    with pytest.raises(duckdb.IOException, match="No files found"):
        con.execute("select count(*) from raw.sentences").fetchall()
    prepare_reader(con, mounted / "work.duckdb")
    assert con.execute("select count(*) from raw.sentences").fetchall()[0][0] == 350_000
    con.close()


def test_appending_writes_only_the_tail_and_unchanged_tables_are_reused(work: Path, catalog):
    catalog.parent.mkdir()
    first = publish(work, catalog)
    assert first.files_written == 7 and first.files_reused == 0  # 4 ranges + 3 tables
    write(work, "insert into raw.sentences select i, 'new ' || i from range(350000, 360000) r(i)")
    second = publish(work, catalog)
    # The last range (rows appended) and the one of the last old row group are new files.
    assert second.files_written == 2 and second.files_reused == 5
    assert differences(work, catalog, "raw.sentences") == 0
    unchanged = publish(work, catalog)
    assert unchanged.files_written == 0 and unchanged.bytes_written == 0


@pytest.mark.parametrize(
    "change",
    [
        "delete from raw.sentences where id = 12345",
        "update raw.sentences set text = 'edited' where id = 150000",
        "create or replace table raw.sentences as select * from raw.sentences order by id desc",
        "alter table raw.sentences add column extra integer default 7",
        "insert into raw.sentences select * from raw.sentences where id < 10",
        "delete from raw.sentences where id < 200000",
    ],
)
def test_any_change_is_published_exactly(work: Path, catalog: Path, change: str):
    catalog.parent.mkdir()
    publish(work, catalog)
    write(work, change)
    published = publish(work, catalog)
    assert published.files_written >= 1
    assert differences(work, catalog, "raw.sentences") == 0


def test_a_delete_rewrites_only_the_range_it_touched(work: Path, catalog: Path):
    catalog.parent.mkdir()
    publish(work, catalog)
    write(work, "delete from raw.sentences where id = 12345")
    published = publish(work, catalog)
    assert published.files_written == 1  # rowids 0..99,999
    assert differences(work, catalog, "raw.sentences") == 0


def test_old_snapshots_expire_by_count_and_age_never_under_a_recent_reader(
    work: Path, catalog: Path
):
    catalog.parent.mkdir()
    store = SnapshotStore(catalog)
    first = publish(work, catalog, keep=1, min_age=3600)
    reader = duckdb.connect(str(catalog), read_only=True)  # an analyst opens snapshot 1
    prepare_reader(reader, catalog)
    write(work, "update raw.sentences set text = 'edited' where id = 150000")  # all rewritten
    second = publish(work, catalog, keep=1, min_age=3600)
    assert second.expired == ()  # beyond keep=1, but replaced moments ago
    assert reader.execute(
        "select count(*) from raw.sentences where text = 'edited'"
    ).fetchall() == [(0,)]
    # An hour later (as far as expiry can tell), nobody can still be on snapshot 1.
    later = datetime.now(UTC) + timedelta(seconds=3601)
    assert expire(store, second.snapshot_id, 1, 3600, later) == [first.snapshot_id]
    assert {m.snapshot_id for m in store.manifests()} == {second.snapshot_id}
    files = {p.relative_to(catalog.parent).as_posix() for p in store.files_dir.rglob("*.parquet")}
    assert files == store.current().files()
    reader.close()
    assert differences(work, catalog, "raw.sentences") == 0


def test_keep_holds_snapshots_whatever_their_age(work: Path, catalog: Path):
    catalog.parent.mkdir()
    ids = [publish(work, catalog, keep=2, min_age=0).snapshot_id for _ in range(3)]
    assert [m.snapshot_id for m in SnapshotStore(catalog).manifests()] == ids[1:]


def test_a_publish_killed_before_the_rename_leaves_the_last_snapshot_and_is_cleaned(
    work: Path, catalog: Path
):
    catalog.parent.mkdir()
    first = publish(work, catalog)
    write(work, "update raw.sentences set text = 'edited' where id = 1")

    def die() -> None:
        raise KeyboardInterrupt  # stands in for SIGKILL (tests/e2e/test_crashes.py kills)

    with pytest.raises(KeyboardInterrupt):
        publish(work, catalog, before_rename=die)
    assert snapshot_id_of(catalog) == first.snapshot_id
    assert differences(work, catalog, "raw.feeds") == 0
    third = publish(work, catalog, keep=5, min_age=3600)
    store = SnapshotStore(catalog)
    assert {m.snapshot_id for m in store.manifests()} == {first.snapshot_id, third.snapshot_id}
    files = {p.relative_to(catalog.parent).as_posix() for p in store.files_dir.rglob("*.parquet")}
    assert files == set().union(*(m.files() for m in store.manifests()))
    assert differences(work, catalog, "raw.sentences") == 0


def test_a_lost_writer_folder_is_rebuilt_from_the_snapshots_raw_tables(tmp_path: Path):
    from flows import warehouse
    from flows.core.settings import Settings
    from flows.warehouse.publish import prepare_working_copy
    from flows.warehouse.publish import publish as publish_warehouse

    settings = Settings(warehouse=tmp_path / "wh" / "news.duckdb", publish="snapshots")
    settings.writer_dir.mkdir(parents=True)
    with warehouse.open_warehouse(settings.work_database) as con:
        con.execute(
            "insert into raw.feeds (feed_name, configured_url, url, outlet, is_active, updated_at) "
            "select 'feed-' || i, 'http://f/' || i, 'http://f/' || i, 'Outlet', true, now() "
            "from range(4) r(i)"
        )
        con.execute(
            "insert into raw.runs (run_id, started_at, status) values ('r1', now(), 'completed')"
        )
    publish_warehouse(settings)
    before = duckdb.connect(str(settings.work_database), read_only=True)
    feeds = sorted(before.execute("select * from raw.feeds").fetchall())
    before.close()
    shutil.rmtree(settings.writer_dir)
    prepare_working_copy(settings)
    after = duckdb.connect(str(settings.work_database), read_only=True)
    assert sorted(after.execute("select * from raw.feeds").fetchall()) == feeds
    assert after.execute("select run_id from raw.runs").fetchall() == [("r1",)]
    # A real table again, with its key: the next run can write to it.
    assert after.execute(
        "select count(*) from duckdb_constraints() where table_name = 'feeds' "
        "and constraint_type = 'PRIMARY KEY'"
    ).fetchall() == [(1,)]
    after.close()
