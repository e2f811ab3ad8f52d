"""What each run asks dbt to build (flows/transform/dbt_runner.plan_build), and what makes it
derive the history again: the project's files, and the rules its Python models run."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from flows.core.settings import REPO_ROOT, Settings
from flows.transform import dbt_runner
from flows.transform.dbt_runner import (
    NOTHING_NEW_SCOPE,
    plan_build,
    project_fingerprint,
    record_full_build,
)

FEEDS = ["https://example.org/feed.xml"]
NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(warehouse=tmp_path / "w" / "w.duckdb")


def test_the_project_names_the_versions_of_the_rules_its_python_models_run():
    """A release with new people or quotation rules derives every article again, as a seed
    edit does: their versions are the project's derivation_rules var, which the taxonomy
    fingerprint every derived row carries is made of."""
    from flows.text.people import PEOPLE_RULES_VERSION
    from flows.text.quotes import QUOTES_RULES_VERSION
    from flows.text.quotes_multilingual import MULTILINGUAL_QUOTES_VERSION

    project = yaml.safe_load((REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text())
    assert project["vars"]["derivation_rules"].split(",") == [
        PEOPLE_RULES_VERSION,
        QUOTES_RULES_VERSION,
        MULTILINGUAL_QUOTES_VERSION,
    ], "bump derivation_rules in dbt_project.yml with the rules' versions"
    fingerprint = REPO_ROOT / "dbt_project" / "models" / "intermediate"
    assert 'var("derivation_rules")' in (fingerprint / "int_taxonomy__fingerprint.sql").read_text()


def test_the_build_is_as_small_as_what_changed(settings: Settings, monkeypatch):
    fingerprint = project_fingerprint(settings, FEEDS)
    # a new warehouse: derived tables of unknown age are rebuilt from raw
    assert plan_build(settings, fingerprint, True, NOW).scope == "full refresh"
    record_full_build(settings, fingerprint)
    incremental = plan_build(settings, fingerprint, True, NOW)
    assert incremental.scope == "incremental" and incremental.tests_since == NOW
    assert "--exclude" in incremental.args
    # views read their tables when queried: created again only when the project changes
    assert "config.materialized:view" in incremental.args
    nothing = plan_build(settings, fingerprint, False, NOW)
    assert nothing.scope == NOTHING_NEW_SCOPE and nothing.args == ()
    # the project changed (new rules, a seed edit): everything built and every row tested,
    # with nothing new fetched
    changed = plan_build(settings, "another fingerprint", False, NOW)
    assert changed.scope == "full" and changed.tests_since is None
    assert "--exclude" not in changed.args and "config.materialized:view" not in changed.args
    # derived tables of another shape: rebuilt from raw
    monkeypatch.setattr(dbt_runner, "derivation_version", lambda _settings: -1)
    assert plan_build(settings, fingerprint, True, NOW).scope == "full refresh"


def test_a_large_warehouse_builds_from_scratch_one_model_at_a_time(settings: Settings):
    """Two heavy models side by side outgrew the memory cap on a million articles: a full
    build of a large working database runs one thread; an hourly one (new rows only) two."""
    fingerprint = project_fingerprint(settings, FEEDS)
    settings.writer_dir.mkdir(parents=True)
    settings.work_database.write_bytes(b"")
    assert "--threads" not in plan_build(settings, fingerprint, True, NOW).args
    with settings.work_database.open("wb") as handle:  # a sparse file of that size
        handle.truncate(dbt_runner.LARGE_BUILD_BYTES + 1)
    full = plan_build(settings, fingerprint, True, NOW)
    assert full.scope == "full refresh" and full.args[-2:] == ("--threads", "1")
    record_full_build(settings, fingerprint)
    assert "--threads" not in plan_build(settings, fingerprint, True, NOW).args
    assert plan_build(settings, "edited", True, NOW).args[-2:] == ("--threads", "1")
    chosen = settings.model_copy(update={"dbt_threads": 3})
    assert plan_build(chosen, "edited again", True, NOW).args[-2:] == ("--threads", "3")
