"""Compare what two dbt builds derived from the same raw data, row for row.

Used to prove that a refactor of the dbt project changes no output (tests, scripts) and that
incremental builds equal builds from scratch. Load timestamps, run ids and the taxonomy
fingerprint are left out; floating-point values compare within a tolerance, because sums
taken in another order differ in the last digits.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from flows.core.settings import REPO_ROOT, Settings
from flows.transform.dbt_runner import DbtResult, run_dbt

# Columns that say when or by which run a row was written, not what it says.
VOLATILE_COLUMNS = frozenset({"loaded_at", "taxonomy_version", "run_id", "previous_published_date"})
DERIVED_SCHEMAS = ("staging", "intermediate", "marts", "seeds")
FLOAT_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]


def raw_copy(source: Path, target: Path) -> Path:
    """A copy of ``source`` holding its raw schema only (every derived schema dropped)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    con = duckdb.connect(str(target))
    try:
        for schema in DERIVED_SCHEMAS:
            con.execute(f"drop schema if exists {schema} cascade")
        con.execute("checkpoint")
    finally:
        con.close()
    return target


def project_at(revision: str, destination: Path) -> Path:
    """The dbt project as it was at a git revision, unpacked under ``destination``."""
    archive = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "archive", "--format=tar", revision, "dbt_project"],
        capture_output=True,
        check=True,
    ).stdout
    destination.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as buffer:
        buffer.write(archive)
        buffer.seek(0)
        with tarfile.open(fileobj=buffer) as tar:
            tar.extractall(destination, filter="data")
    return destination / "dbt_project"


def build(raw: Path, project: Path, work: Path, *extra: str) -> DbtResult:
    """``dbt build`` of ``project`` on a copy of ``raw``, in ``work``; returns the result."""
    settings = Settings(warehouse=work / raw.name, dbt_project_dir=project)
    raw_copy(raw, settings.work_database)
    return run_dbt(settings, "build", "--exclude-resource-type", "unit_test", *extra)


def built_database(raw: Path, work: Path) -> Path:
    return Settings(warehouse=work / raw.name).work_database


def _normalise(value: object) -> object:
    if isinstance(value, list):
        return tuple(_normalise(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, _normalise(v)) for k, v in value.items())
    return value


def _sort_key(row: tuple) -> tuple:
    # floats rounded for ordering only; they compare with a tolerance below
    return tuple(
        ("", round(v, 6)) if isinstance(v, float) else (type(v).__name__, v)
        for v in (("null", "") if v is None else v for v in row)
    )


def contents(database: Path, schema: str = "marts", tables: Iterable[str] | None = None) -> dict:
    """Every table of ``schema`` (or the named ones) as sorted rows without volatile columns."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        names = (
            list(tables)
            if tables is not None
            else [
                name
                for (name,) in con.execute(
                    "select table_name from information_schema.tables "
                    "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
                    [schema],
                ).fetchall()
            ]
        )
        result = {}
        for name in names:
            described = con.execute(f"describe {schema}.{name}").fetchall()
            columns = tuple(c[0] for c in described if c[0] not in VOLATILE_COLUMNS)
            quoted = ", ".join(f'"{c}"' for c in columns)
            rows = [
                tuple(_normalise(v) for v in row)
                for row in con.execute(f"select {quoted} from {schema}.{name}").fetchall()
            ]
            result[name] = Table(columns, tuple(sorted(rows, key=_sort_key)))
        return result
    finally:
        con.close()


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def differences(before: dict, after: dict, limit: int = 5) -> list[str]:
    """What differs between two ``contents`` results, one line per problem (empty: equal)."""
    problems = []
    for name in sorted(set(before) | set(after)):
        if name not in after or name not in before:
            problems.append(f"{name}: only in {'before' if name in before else 'after'}")
            continue
        old, new = before[name], after[name]
        if old.columns != new.columns:
            problems.append(f"{name}: columns {old.columns} != {new.columns}")
            continue
        if len(old.rows) != len(new.rows):
            problems.append(f"{name}: {len(old.rows)} rows != {len(new.rows)} rows")
        shown = 0
        for left, right in zip(old.rows, new.rows, strict=False):
            if not _same(left, right):
                problems.append(f"{name}: {left} != {right}")
                shown += 1
                if shown >= limit:
                    break
    return problems
