"""newswatch query: read-only SQL (statements and files) with table, csv, json and parquet
output written from Python."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from rich.console import Console

from flows.warehouse.query import QueryError, open_read_only, run_query

NEWSWATCH = str(Path(sys.executable).parent / "newswatch")


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        "create table marts.t as select * from (values (1, 'Japan', date '2026-11-20'), "
        "(2, 'China', date '2026-11-21')) as v(id, name, day)"
    )
    con.close()
    return path


def test_table_output(warehouse: Path):
    console = Console(record=True, width=100)
    assert run_query(warehouse, "select * from marts.t order by id", console=console) == 2
    text = console.export_text()
    assert "Japan" in text and "2 rows" in text


def test_a_reader_can_be_held_under_a_memory_cap(warehouse: Path):
    """A run writes its report under its own DuckDB cap (uncapped, DuckDB may take most of
    the machine); a person's query keeps DuckDB's default, and the lock keeps either."""
    limits = []
    for cap in ("100MB", None):
        con = open_read_only(warehouse, memory_limit=cap)
        try:
            limits.append(con.execute("select current_setting('memory_limit')").fetchone()[0])
            with pytest.raises(duckdb.Error):
                con.execute("set memory_limit = '1GB'")
        finally:
            con.close()
    capped, default = limits
    assert capped.startswith("95") and "MiB" in capped  # DuckDB shows 100 MB as 95.3 MiB
    fresh = duckdb.connect()  # DuckDB's own default on this machine, whatever its memory
    try:
        assert default == fresh.execute("select current_setting('memory_limit')").fetchone()[0]
    finally:
        fresh.close()
    assert default != capped


def test_csv_and_json_files(warehouse: Path, tmp_path: Path):
    run_query(warehouse, "select * from marts.t order by id", "csv", str(tmp_path / "a.csv"))
    assert (tmp_path / "a.csv").read_text().splitlines() == [
        "id,name,day",
        "1,Japan,2026-11-20",
        "2,China,2026-11-21",
    ]
    run_query(warehouse, "select * from marts.t order by id", "json", str(tmp_path / "a.json"))
    assert json.loads((tmp_path / "a.json").read_text())[1] == {
        "id": 2,
        "name": "China",
        "day": "2026-11-21",
    }


def test_parquet_file(warehouse: Path, tmp_path: Path):
    target = tmp_path / "a.parquet"
    assert run_query(warehouse, "select * from marts.t", "parquet", str(target)) == 2
    assert duckdb.sql(f"select sum(id) from '{target}'").fetchall() == [(3,)]


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("select * from nowhere", "Catalog Error"),
        ("create table marts.x (a int)", "only reads: CREATE"),
    ],
)
def test_errors_are_reported_not_raised_raw(warehouse: Path, sql: str, message: str):
    with pytest.raises(QueryError, match=message):
        run_query(warehouse, sql)


def test_missing_warehouse_says_how_to_make_one(tmp_path: Path):
    with pytest.raises(QueryError, match="make demo"):
        run_query(tmp_path / "none.duckdb", "select 1")


def test_parquet_file_keeps_integer_and_date_types(warehouse: Path, tmp_path: Path):
    """Sums of integers are HUGEINT in DuckDB; COPY wrote them as doubles."""
    target = tmp_path / "sums.parquet"
    sql = "select name, day, sum(id) as total, count(*) as n from marts.t group by all order by 1"
    assert run_query(warehouse, sql, output=str(target)) == 2  # format from the suffix
    schema = pq.read_schema(target)
    assert {f.name: str(f.type) for f in schema} == {
        "name": "string",
        "day": "date32[day]",
        "total": "int64",
        "n": "int64",
    }
    assert pq.read_table(target).to_pylist()[0]["total"] == 2


@pytest.mark.parametrize(("name", "first_line"), [("out.csv", "id,name,day"), ("out.json", "[")])
def test_format_comes_from_the_output_suffix(warehouse: Path, tmp_path: Path, name, first_line):
    target = tmp_path / name
    run_query(warehouse, "select * from marts.t order by id", output=str(target))
    assert target.read_text().splitlines()[0] == first_line


@pytest.mark.parametrize(
    ("output_format", "output", "message"),
    [
        (None, "out.txt", "name it .csv, .json or .parquet"),
        ("csv", "out.parquet", "names a parquet file but --format csv"),
        ("parquet", None, "give a file with -o"),
        ("table", "out.csv", "prints to the terminal"),
    ],
)
def test_unclear_output_format_is_refused(
    warehouse: Path, tmp_path: Path, output_format, output, message
):
    target = str(tmp_path / output) if output else None
    with pytest.raises(QueryError, match=message):
        run_query(warehouse, "select 1", output_format, target)
    assert list(tmp_path.glob("out.*")) == []


def test_a_query_failing_midway_leaves_no_file(warehouse: Path, tmp_path: Path):
    target = tmp_path / "out.csv"
    sql = "select range, case when range = 50000 then error('boom') end from range(100000)"
    with pytest.raises(QueryError, match="boom"):
        run_query(warehouse, sql, output=str(target))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb"]


@pytest.mark.parametrize("sql", ["", "   ", ";", "-- only a comment"])
def test_empty_query_gets_a_message(warehouse: Path, sql: str):
    with pytest.raises(QueryError, match="the query is empty"):
        run_query(warehouse, sql)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("copy (select 1) to '{inside}/x.csv'", "only reads: COPY"),
        ("copy (select 1) to '{outside}/x.csv'", "only reads: COPY"),
        ("explain analyze copy (select 1) to '{inside}/x.csv'", "only reads: COPY"),
        ("attach '{inside}/x.duckdb' as x", "only reads: ATTACH"),
        ("install httpfs", "only reads: INSTALL"),
        ("load httpfs", "only reads: LOAD"),
        ("set enable_external_access = true", "only reads: SET"),
        ("pragma enable_profiling", "only reads: PRAGMA"),
        ("select 1; create table marts.y (a int)", "only reads: CREATE"),
        ("select * from read_csv('{outside}/secret.csv')", "Permission Error"),
        ("select * from read_text('/etc/passwd')", "Permission Error"),
        ("select * from '{inside}/../outside/secret.csv'", "Permission Error"),
        ("select * from 'http://127.0.0.1:9/x.csv'", "Permission Error"),
    ],
)
def test_query_cannot_write_files_or_reach_beyond_the_warehouse_folder(
    warehouse: Path, tmp_path: Path, sql: str, message: str
):
    outside = tmp_path.parent / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.csv").write_text("a,b\n1,2\n")
    before = {p.name for p in tmp_path.iterdir()}
    with pytest.raises(QueryError, match=message):
        run_query(warehouse, sql.format(inside=tmp_path, outside=outside))
    assert {p.name for p in tmp_path.iterdir()} == before
    assert sorted(p.name for p in outside.iterdir()) == ["secret.csv"]


@pytest.mark.parametrize(
    "sql",
    [
        "describe marts.t",
        "pragma table_info('marts.t')",
        "explain select * from marts.t",
        "with a as (select 1 as x) select * from a",
        "summarize marts.t",
    ],
)
def test_reading_statements_run(warehouse: Path, sql: str):
    assert run_query(warehouse, sql, console=Console(record=True, width=100)) >= 1


def test_views_over_parquet_in_the_warehouse_folder_tree_work(tmp_path: Path):
    """The shape of a catalog that publishes snapshots: views over Parquet files in a folder
    beside the catalog. Readers may open files there, and in directories passed in."""
    snapshot = tmp_path / "snapshots" / "0001"
    snapshot.mkdir(parents=True)
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    catalog = tmp_path / "catalog.duckdb"
    con = duckdb.connect(str(catalog))
    for folder in (snapshot, elsewhere):
        con.execute(f"copy (select range as id from range(3)) to '{folder}/t.parquet'")
    con.execute("create schema marts")
    con.execute(f"create view marts.beside as select * from '{snapshot}/t.parquet'")
    con.execute(f"create view marts.elsewhere as select * from '{elsewhere}/t.parquet'")
    con.close()
    out = tmp_path / "out.csv"
    assert run_query(catalog, "select * from marts.beside", output=str(out)) == 3
    with pytest.raises(QueryError, match="Permission Error"):
        run_query(catalog, "select * from marts.elsewhere")
    allowed = [tmp_path, elsewhere]
    assert run_query(catalog, "select * from marts.elsewhere", "csv", str(out), None, allowed) == 3


def test_data_is_printed_as_text_not_markup(warehouse: Path):
    console = Console(record=True, width=100)  # markup and emoji on, as rich has them by default
    sql = "select '[/b] closes nothing' as a, '[bold]kept[/bold]' as b, 'postgres:x:101' as \"[c]\""
    run_query(warehouse, sql, console=console)
    text = console.export_text()
    for value in ("[/b] closes nothing", "[bold]kept[/bold]", "postgres:x:101", "[c]"):
        assert value in text


def test_cli_query_piped_into_head_ends_quietly(tmp_path: Path, warehouse: Path):
    """A reader that stops early (`| head -1`) is no error and prints no traceback."""
    sql = "select range as n, repeat('x', 50) as pad from range(200000)"
    process = subprocess.Popen(
        [NEWSWATCH, "query", sql, "--format", "csv", "--warehouse", str(warehouse)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == b"n,pad\n"
    process.stdout.close()  # like head after its first line
    code = process.wait(120)
    stderr = process.stderr.read().decode() if process.stderr else ""
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
    assert code == 0
