"""Compare two warehouses built from the same input by two revisions of the code, row for row.

For a refactor of the Python side (the loads into ``raw``) that must change no output: build
the demo with each revision into its own file, then compare every table of ``raw`` and
``marts``. Values that say when or by which run something happened (timestamps on or after
the day the first warehouse's run started, run and fetch ids, archive places, the feeds file's
path, durations) are replaced by placeholders; floats compare to 9 decimals.

Usage:
    git worktree add /tmp/old <revision>
    (cd /tmp/old && PYTHONPATH=/tmp/old python -m flows.cli demo --warehouse /tmp/old.duckdb)
    newswatch demo --warehouse /tmp/new.duckdb
    python scripts/compare_warehouses.py /tmp/old.duckdb /tmp/new.duckdb

Exit status 0 when every table is identical, 1 otherwise (the differing rows are printed).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import duckdb

SCHEMAS = ("raw", "marts")
RUN_VALUES = re.compile(
    r"^(run_id|flow_run_id|feeds_file|summary|taxonomy_version|archive_file|archive_offset"
    r"|elapsed_ms)$|fetch_id$"
)


def _normalise(value: object, run_day: dt.date) -> object:
    if isinstance(value, dt.datetime) and value.date() >= run_day:
        return "<clock>"
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, list | tuple):
        return tuple(_normalise(v, run_day) for v in value)
    return value


def _run_day(database: Path) -> dt.date:
    with duckdb.connect(str(database), read_only=True) as con:
        started = con.execute("select min(started_at) from raw.runs").fetchone()
    return started[0].date() if started and started[0] else dt.date.max


def dump(database: Path, schema: str, run_day: dt.date) -> dict[str, list[str]]:
    """Every table of ``schema`` as sorted, normalised rows."""
    tables: dict[str, list[str]] = {}
    with duckdb.connect(str(database), read_only=True) as con:
        names = con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1",
            [schema],
        ).fetchall()
        for (table,) in names:
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if not RUN_VALUES.search(name)
            ]
            quoted = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'select {quoted} from {schema}."{table}"').fetchall()
            tables[table] = sorted(repr(tuple(_normalise(v, run_day) for v in r)) for r in rows)
    return tables


def main(old: Path, new: Path) -> int:
    run_day = min(_run_day(old), _run_day(new))
    different = 0
    for schema in SCHEMAS:
        before, after = dump(old, schema, run_day), dump(new, schema, run_day)
        for table in sorted(set(before) | set(after)):
            a, b = before.get(table, []), after.get(table, [])
            same = a == b
            different += not same
            verdict = "identical" if same else "DIFFERENT"
            print(f"{schema}.{table}: {len(a)} vs {len(b)} rows, {verdict}")
            if not same:
                print("  only in the first: ", sorted(set(a) - set(b))[:3])
                print("  only in the second:", sorted(set(b) - set(a))[:3])
    print(f"{different} table(s) differ")
    return 1 if different else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
