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
