"""newswatch query: read-only SQL with table, csv, json and parquet output."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from flows.query import QueryError, run_query


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
        ("create table marts.x (a int)", "read-only"),
    ],
)
def test_errors_are_reported_not_raised_raw(warehouse: Path, sql: str, message: str):
    with pytest.raises(QueryError, match=message):
        run_query(warehouse, sql)


def test_missing_warehouse_says_how_to_make_one(tmp_path: Path):
    with pytest.raises(QueryError, match="make demo"):
        run_query(tmp_path / "none.duckdb", "select 1")
