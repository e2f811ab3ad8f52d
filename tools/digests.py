"""Digests of a warehouse's tables: what each ``raw`` and ``marts`` table says, as one hash per
table and per column, so two builds from the same input compare without keeping their rows.

Values that say when or by which run something happened are replaced by placeholders before
hashing: run and fetch ids, archive places, durations, the feeds file's path, the taxonomy
fingerprint, and every timestamp or date on or after the day the build started (``<clock>``).
Floats are rounded to 9 decimals (after a first rounding to 12, so that sums taken in another
order, which differ in the last bits, land on the same value).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import sys
from pathlib import Path
from typing import Any

import duckdb

SCHEMAS = ("raw", "marts")
# Columns (``table.column``) whose values name a run, a place in the archive or a duration.
RUN_VALUES = re.compile(
    r"\.(run_id|flow_run_id|feeds_file|taxonomy_version|archive_file|archive_offset"
    r"|elapsed_ms)$|fetch_id$|^runs\.summary$"
)


def normalise(value: Any, clock_day: dt.date) -> Any:
    """``value`` as the digest sees it (placeholders for clock values, floats rounded)."""
    if isinstance(value, dt.datetime):
        return "<clock>" if value.date() >= clock_day else value.isoformat()
    if isinstance(value, dt.date):
        return "<clock>" if value >= clock_day else value.isoformat()
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return repr(value)
        return repr(round(round(value, 12), 9) + 0.0)
    if isinstance(value, dict):
        return {str(k): normalise(v, clock_day) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(v, clock_day) for v in value]
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    return value if value is None or isinstance(value, bool | int | str) else str(value)


def _hash(items: list[str]) -> str:
    digest = hashlib.sha256()
    for item in sorted(items):
        digest.update(item.encode())
        digest.update(b"\n")
    return digest.hexdigest()[:32]


def table_digest(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, clock_day: dt.date
) -> dict:
    described = con.execute(f'describe "{schema}"."{table}"').fetchall()
    columns = [(row[0], row[1]) for row in described]
    rows = con.execute(f'select * from "{schema}"."{table}"').fetchall()
    normalised = []
    for row in rows:
        values = []
        for (name, _), value in zip(columns, row, strict=True):
            if RUN_VALUES.search(f"{table}.{name}"):
                values.append(None if value is None else "<run>")
            else:
                values.append(normalise(value, clock_day))
        normalised.append(values)
    dumps = [json.dumps(values, ensure_ascii=False, sort_keys=True) for values in normalised]
    return {
        "rows": len(rows),
        "columns": {name: kind for name, kind in columns},
        "digest": _hash(dumps),
        "column_digests": {
            name: _hash(
                [json.dumps(values[i], ensure_ascii=False, sort_keys=True) for values in normalised]
            )
            for i, (name, _) in enumerate(columns)
        },
    }


def warehouse_digests(
    database: Path, clock_day: dt.date, schemas: tuple[str, ...] = SCHEMAS
) -> dict:
    """``{"schema.table": digest}`` for every base table of ``schemas``, and every view of
    ``marts`` (a reader sees a mart the same whether dbt stores it or computes it)."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where (table_type = 'BASE TABLE' or (table_type = 'VIEW' and table_schema = 'marts')) "
            "and table_schema in (select unnest($s)) "
            "order by 1, 2",
            {"s": list(schemas)},
        ).fetchall()
        return {f"{s}.{t}": table_digest(con, s, t, clock_day) for s, t in tables}
    finally:
        con.close()


def differences(expected: dict, actual: dict) -> list[str]:
    """One line per table that differs (empty: the same), naming the columns that differ."""
    problems = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            problems.append(f"{name}: missing (expected {expected[name]['rows']} rows)")
            continue
        if name not in expected:
            problems.append(f"{name}: new table ({actual[name]['rows']} rows) not in the baseline")
            continue
        old, new = expected[name], actual[name]
        if old["digest"] == new["digest"] and old["columns"] == new["columns"]:
            continue
        detail = []
        if old["rows"] != new["rows"]:
            detail.append(f"{old['rows']} rows -> {new['rows']}")
        if old["columns"] != new["columns"]:
            gone = sorted(set(old["columns"]) - set(new["columns"]))
            added = sorted(set(new["columns"]) - set(old["columns"]))
            retyped = sorted(
                c
                for c in set(old["columns"]) & set(new["columns"])
                if old["columns"][c] != new["columns"][c]
            )
            detail += [f"columns gone {gone}"] if gone else []
            detail += [f"columns added {added}"] if added else []
            detail += [f"columns retyped {retyped}"] if retyped else []
        changed = sorted(
            c
            for c in set(old["column_digests"]) & set(new["column_digests"])
            if old["column_digests"][c] != new["column_digests"][c]
        )
        if changed:
            detail.append(f"values differ in {changed}")
        problems.append(f"{name}: " + ("; ".join(detail) or "rows differ"))
    return problems


def main(argv: list[str]) -> int:
    """``python -m tools.digests WAREHOUSE [BASELINE.json]``: print the digests, or compare."""
    database = Path(argv[0])
    current = warehouse_digests(database, dt.date.today())
    if len(argv) == 1:
        print(json.dumps(current, indent=1, sort_keys=True))
        return 0
    problems = differences(json.loads(Path(argv[1]).read_text()), current)
    print("\n".join(problems) or "0 tables differ")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
