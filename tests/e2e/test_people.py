"""Persons the seeds do not know, end to end: found on the sample site, listed as new people
with seed rows, and promoted into the seeds without losing their id or history."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.readers.new_people import new_people, seed_rows
from flows.transform.dbt_runner import run_dbt
from tests.e2e.conftest import DemoRuns, query, working_copy

pytestmark = pytest.mark.e2e


def test_new_people_lists_discovered_persons_with_their_roles(demo_runs: DemoRuns):
    people = {p.entity_id: p for p in new_people(demo_runs.settings.warehouse, days=7, limit=500)}
    assert people["cho-tae-yul"].stated_role == "Former South Korean Foreign Minister"
    assert people["cho-tae-yul"].mention_count >= 4  # "Cho", "Tae-yul Cho" are him too
    assert all(not p.entity_id.startswith(("hong-kong", "lunar")) for p in people.values())
    entities, aliases = seed_rows([people["cho-tae-yul"]])
    assert entities.startswith("cho-tae-yul,Cho Tae-yul,person,,,Former South Korean")
    assert "cho-tae-yul,Cho,surname,capitalized,en,false,typed" in aliases


def test_a_promoted_person_keeps_its_id_and_history(demo_runs: DemoRuns, tmp_path: Path):
    project = tmp_path / "dbt_project"
    shutil.copytree(
        demo_runs.settings.dbt_project_dir, project, ignore=shutil.ignore_patterns("target", "logs")
    )
    settings = working_copy(demo_runs.settings, tmp_path, dbt_project_dir=project)
    database = settings.work_database

    def mentions_of(entity_id: str) -> list[tuple]:
        return query(
            database,
            "select article_id, sentence_index, entity_id from marts.fct_entity_mentions "
            f"where entity_id = '{entity_id}' order by all",
        )

    before = mentions_of("cho-tae-yul")
    assert before and query(
        database, "select is_curated from marts.dim_entities where entity_id = 'cho-tae-yul'"
    ) == [(False,)]
    person = next(
        p for p in new_people(settings.work_database, 7, 500) if p.entity_id == "cho-tae-yul"
    )
    entities, aliases = seed_rows([person])
    for name, rows in (("entities", entities), ("entity_aliases", aliases)):
        seed = project / "seeds" / f"{name}.csv"
        seed.write_text(seed.read_text() + rows)

    result = run_dbt(settings, "build", "--exclude-resource-type", "unit_test")
    assert result.success, result.describe_failures()
    assert query(
        database,
        "select is_curated, name from marts.dim_entities where entity_id = 'cho-tae-yul'",
    ) == [(True, "Cho Tae-yul")]
    assert mentions_of("cho-tae-yul") == before
