"""A new warehouse folder's first dbt build starts from the project's last parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.core.settings import Settings
from flows.transform.dbt_runner import run_dbt, shared_parse

pytestmark = pytest.mark.slow  # two dbt parses


def _parse(folder: Path) -> str:
    settings = Settings(warehouse=folder / "parse-probe.duckdb")
    settings.work_database.parent.mkdir(parents=True)
    result = run_dbt(settings, "parse")
    assert result.success, result.describe_failures()
    return (settings.writer_dir / "dbt" / "logs" / "dbt.log").read_text(errors="replace")


def test_a_new_folder_parses_only_what_changed_since_the_last_parse(tmp_path: Path, monkeypatch):
    """The first folder parses the whole project and keeps its parse in the project's target
    folder; a second folder (another path, the same database name) starts from it: dbt
    checks it, finds nothing changed, and does not parse again from scratch."""
    # dbt says how it parsed at debug level, which the writer's log file leaves out unless
    # the environment asks for it (what a user debugging dbt sets)
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")
    shared = shared_parse(Settings(), Path("parse-probe.duckdb"))
    shared.unlink(missing_ok=True)  # this test's own database name: no other test keeps it

    first = _parse(tmp_path / "first")
    assert shared.exists()
    assert "Partial parsing enabled" not in first  # nothing to start from: a whole parse

    second = _parse(tmp_path / "second")
    assert "Unable to do partial parsing" not in second
    assert "Partial parsing enabled: 0 files deleted, 0 files added, 0 files changed" in second


def test_a_folder_built_with_another_copy_of_the_project_reads_this_ones_seeds(tmp_path: Path):
    """dbt's saved parse leaves paths out of its key (one parse serves every folder), so a
    folder first built with a copy of the project elsewhere (NEWSWATCH_DBT_PROJECT_DIR) kept
    loading that copy's unchanged seeds, from the copy's folder: newswatch parses again when
    the project is another. Here the copy is gone by the second build."""
    import shutil

    import duckdb

    project = Settings().dbt_project_dir
    copy = tmp_path / "copy"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("target", "logs"))
    warehouse = tmp_path / "w" / "parse-probe-copy.duckdb"
    for project_dir in (copy, project):
        settings = Settings(warehouse=warehouse, dbt_project_dir=project_dir)
        settings.work_database.parent.mkdir(parents=True, exist_ok=True)
        result = run_dbt(settings, "seed", "--select", "attribution_verbs")
        assert result.success, result.describe_failures()
        shutil.rmtree(copy, ignore_errors=True)
    con = duckdb.connect(str(warehouse.parent / "parse-probe-copy.writer" / warehouse.name))
    try:
        rows = con.execute("select count(*) from seeds.attribution_verbs").fetchall()
    finally:
        con.close()
    lines = (project / "seeds" / "attribution_verbs.csv").read_text(encoding="utf-8").splitlines()
    assert rows == [(len([line for line in lines[1:] if line.strip()]),)]
