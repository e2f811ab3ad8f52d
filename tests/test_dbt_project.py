"""Static checks of the dbt project that no build would catch."""

from __future__ import annotations

import yaml

from flows.settings import REPO_ROOT

PROJECT = REPO_ROOT / "dbt_project"
# Seeds that describe, but do not change, what is derived from the text.
NOT_READ_BY_THE_MATCHER = {"outlets"}


def test_every_seed_the_matcher_reads_is_in_the_taxonomy_fingerprint():
    """Editing a seed must re-derive the history; only seeds in var('taxonomy_seeds') do."""
    listed = set(
        yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["vars"]["taxonomy_seeds"]
    )
    seeds = {path.stem for path in (PROJECT / "seeds").glob("*.csv")}
    assert seeds - NOT_READ_BY_THE_MATCHER == listed


def test_every_incremental_model_follows_the_contract():
    """Incremental models delete what they redo in a pre-hook and select changed inputs."""
    for path in sorted((PROJECT / "models").rglob("*.sql")):
        sql = path.read_text()
        if "materialized='incremental'" not in sql or path.stem == "int_articles__versioned":
            continue
        assert "delete_changed(" in sql, path.name
        assert "is_new()" in sql or "is_changed_day()" in sql, path.name
