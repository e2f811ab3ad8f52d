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
    with settings.work_database.open("wb") as handle:  # a sparse file of that size
        handle.truncate(dbt_runner.LARGE_BUILD_BYTES + 1)
    full = plan_build(settings, fingerprint, True, NOW)
    assert full.scope == "full refresh" and full.args[-2:] == ("--threads", "1")
    record_full_build(settings, fingerprint)
    assert plan_build(settings, "edited", True, NOW).args[-2:] == ("--threads", "1")
    chosen = settings.model_copy(update={"dbt_threads": 3})
    assert plan_build(chosen, "edited again", True, NOW).args[-2:] == ("--threads", "3")


def test_a_build_that_derives_many_sentences_runs_one_model_at_a_time(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
):
    """A first run of 30,000 articles failed out of memory with the quotation finder and
    fct_entity_mentions side by side: a build deriving more sentences than
    TWO_THREAD_SENTENCES runs one thread, whatever its scope; one deriving few, two."""
    import duckdb

    monkeypatch.setattr(dbt_runner, "TWO_THREAD_SENTENCES", 3)
    fingerprint = project_fingerprint(settings, FEEDS)
    settings.writer_dir.mkdir(parents=True)
    assert "--threads" not in plan_build(settings, fingerprint, True, NOW).args  # no database
    con = duckdb.connect(str(settings.work_database))
    con.execute("create schema raw; create schema intermediate")
    con.execute("create table raw.sentences (article_id varchar, loaded_at timestamptz)")
    con.execute("insert into raw.sentences values ('a', '2026-12-01'), ('a', '2026-12-01')")
    con.close()
    assert "--threads" not in plan_build(settings, fingerprint, True, NOW).args  # 2 sentences
    con = duckdb.connect(str(settings.work_database))
    con.execute("insert into raw.sentences values ('b', '2026-12-02'), ('b', '2026-12-02')")
    con.close()
    first = plan_build(settings, fingerprint, True, NOW)  # 4 sentences, none derived yet
    assert first.scope == "full refresh" and first.args[-2:] == ("--threads", "1")
    record_full_build(settings, fingerprint)
    # derived up to 12-01: the two sentences of 12-02 are new, an hourly build on two threads
    con = duckdb.connect(str(settings.work_database))
    con.execute(
        "create table intermediate.int_sentences__tokenized as "
        "select * from raw.sentences where loaded_at < '2026-12-02'"
    )
    con.close()
    hourly = plan_build(settings, fingerprint, True, NOW)
    assert hourly.scope == "incremental" and "--threads" not in hourly.args
    # a day's news after a long pause: four new sentences, one thread
    con = duckdb.connect(str(settings.work_database))
    con.execute("insert into raw.sentences values ('c', '2026-12-03'), ('c', '2026-12-03')")
    con.close()
    catching_up = plan_build(settings, fingerprint, True, NOW)
    assert catching_up.scope == "incremental" and catching_up.args[-2:] == ("--threads", "1")
    # the project edited: the same count decides
    assert plan_build(settings, "edited", True, NOW).args[-2:] == ("--threads", "1")
