"""Editing a seed and running dbt build re-derives mentions for the whole history: no fetch,
no Python re-run."""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from flows.core.settings import Settings
from flows.transform.dbt_runner import run_dbt
from tests.e2e.conftest import RAW_TABLES, DemoRuns, query, table_counts, working_copy
from tools import marts_compare

pytestmark = pytest.mark.e2e


def mentions(database: Path, entity_id: str) -> int:
    return query(
        database,
        f"select coalesce(sum(mention_count), 0) from marts.fct_entity_mentions where entity_id = '{entity_id}'",
    )[0][0]


def edit_csv(path: Path, keep, add: list[dict[str, str]]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames
        rows = [r for r in reader if keep(r)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows + add)


# Where comparison is the point (a build that must change nothing, or undo an edit), data
# tests are skipped: every build of the session's demo runs them, and the edited builds here.
NO_TESTS = ("--exclude-resource-type", "unit_test", "--exclude-resource-type", "test")
NO_UNIT_TESTS = ("--exclude-resource-type", "unit_test")


@dataclass
class Workspace:
    """A copy of the demo's working database and of the dbt project, always at the same
    paths: dbt parses the project once for the module (its partial parse is tied to the
    database's path), and each test starts from ``fresh()``."""

    source: Settings
    settings: Settings

    def fresh(self) -> Settings:
        """The demo's working database copied anew, and the project's seeds as committed."""
        shutil.copyfile(self.source.work_database, self.settings.work_database)
        seeds = self.settings.dbt_project_dir / "seeds"
        shutil.rmtree(seeds)
        shutil.copytree(self.source.dbt_project_dir / "seeds", seeds)
        return self.settings


@pytest.fixture(scope="module")
def workspace(demo_runs: DemoRuns, tmp_path_factory) -> Workspace:
    source = demo_runs.settings
    tmp = tmp_path_factory.mktemp("retag")
    project = tmp / "dbt_project"
    shutil.copytree(
        source.dbt_project_dir, project, ignore=shutil.ignore_patterns("target", "logs")
    )
    return Workspace(source, working_copy(source, tmp, dbt_project_dir=project))


def test_editing_seeds_retags_the_whole_history(workspace: Workspace):
    source = workspace.source
    settings = workspace.fresh()
    project = settings.dbt_project_dir
    database = settings.work_database
    raw_before = table_counts(database, RAW_TABLES)
    marts_before = marts_compare.contents(database)
    china_before = mentions(database, "china")
    assert mentions(database, "masinloc") == 0

    # An analyst adds a place and decides "Beijing" should no longer count as China.
    seeds = project / "seeds"
    edit_csv(
        seeds / "entities.csv",
        keep=lambda r: True,
        add=[
            {
                "entity_id": "masinloc",
                "name": "Masinloc",
                "entity_type": "place",
                "country_code": "PH",
                "wikidata_id": "",
                "role": "",
                "description": "Fishing town facing Scarborough Shoal.",
            }
        ],
    )
    edit_csv(
        seeds / "entity_aliases.csv",
        keep=lambda r: not (r["entity_id"] == "china" and r["alias"] == "Beijing"),
        add=[
            {
                "entity_id": "masinloc",
                "alias": "Masinloc",
                "alias_kind": "name",
                "case_rule": "capitalized",
                "language": "en",
                "stands_alone": "false",
                "source": "typed",
            }
        ],
    )
    result = run_dbt(settings, "build", *NO_UNIT_TESTS)
    assert result.success, result.describe_failures()
    beijing_sentences = query(
        database,
        "select count(*) from marts.fct_sentence_tone where sentence_text like '%Beijing%'",
    )[0][0]
    assert beijing_sentences > 0
    assert mentions(database, "masinloc") >= 3  # the Masinloc fishermen story, for one
    assert mentions(database, "china") < china_before
    versions = query(
        database,
        "select count(distinct taxonomy_version) from intermediate.int_entity_mentions__matched",
    )
    assert versions == [(1,)]
    assert table_counts(database, RAW_TABLES) == raw_before  # nothing fetched or re-extracted

    # Undo the edit: the history goes back exactly to what it was.
    shutil.copyfile(source.dbt_project_dir / "seeds" / "entities.csv", seeds / "entities.csv")
    shutil.copyfile(
        source.dbt_project_dir / "seeds" / "entity_aliases.csv", seeds / "entity_aliases.csv"
    )
    result = run_dbt(settings, "build", *NO_TESTS)
    assert result.success, result.describe_failures()
    assert mentions(database, "china") == china_before
    assert mentions(database, "masinloc") == 0
    assert marts_compare.differences(marts_before, marts_compare.contents(database)) == []


def test_a_second_build_with_nothing_new_changes_nothing(workspace: Workspace):
    settings = workspace.fresh()
    database = settings.work_database
    derived = (
        "marts.fct_entity_mentions",
        "marts.fct_issue_mentions",
        "marts.agg_entity_daily",
        "intermediate.int_entity_mentions__matched",
        "intermediate.int_sentences__tokenized",
    )
    before = table_counts(database, derived)
    marts_before = marts_compare.contents(database)
    result = run_dbt(settings, "build", *NO_TESTS)
    assert result.success, result.describe_failures()
    assert table_counts(database, derived) == before
    assert marts_compare.differences(marts_before, marts_compare.contents(database)) == []


@pytest.fixture(scope="module")
def generated_docs(demo_runs: DemoRuns, tmp_path_factory) -> Path:
    """`dbt docs generate` on a copy of the demo's working database: the docs folder."""
    from flows.transform.docs import docs_directory, generate_docs

    settings = working_copy(demo_runs.settings, tmp_path_factory.mktemp("docs"))
    _, result = generate_docs(settings)
    assert result.success, result.describe_failures()
    return docs_directory(settings)


def test_docs_describe_every_mart(generated_docs: Path):
    import json

    directory = generated_docs
    assert (directory / "index.html").is_file()
    catalog = json.loads((directory / "catalog.json").read_text())
    manifest = json.loads((directory / "manifest.json").read_text())
    marts = {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["schema"] == "marts"
    }
    assert {"dim_articles", "fct_entity_mentions", "agg_dyad_daily"} <= set(marts)
    for name, node in marts.items():
        assert node["description"].startswith("One row per"), name
        table = catalog["nodes"][node["unique_id"]]
        undocumented = [
            c for c in table["columns"] if not node["columns"].get(c, {}).get("description")
        ]
        assert undocumented == [], (name, undocumented)


def test_docs_open_on_the_projects_overview_in_a_browser(generated_docs: Path):
    """dbt docs open on newswatch's own overview (what the marts are, how to start), not on
    dbt's generic welcome page, and every model it links to exists."""
    import json
    import re

    from flows.transform.docs import serve_docs
    from tests.browser import rendered_dom

    directory = generated_docs
    manifest = json.loads((directory / "manifest.json").read_text())
    overview = manifest["docs"]["doc.newswatch.__overview__"]["block_contents"]
    linked = set(re.findall(r"#!/model/(model\.newswatch\.\w+)", overview))
    assert linked and linked <= set(manifest["nodes"]), linked - set(manifest["nodes"])
    server = serve_docs(directory, 0)
    try:
        host, port = server.server_address[:2]
        dom = rendered_dom(f"http://{host}:{port}/")
    finally:
        server.shutdown()
    text = re.sub(r"<[^>]+>", " ", dom)
    for heading in ("The layers", "The marts", "How to start"):
        assert heading in text
    assert "newswatch query" in text
    assert "Welcome!" not in text


def test_dbt_unit_tests_pass(workspace: Workspace):
    """Hourly runs skip dbt's unit tests (they check logic, not data); they run here."""
    source = workspace.source
    settings = workspace.fresh()
    result = run_dbt(settings, "test", "--select", "test_type:unit")
    assert result.success, result.describe_failures()
    # every unit test the project's ymls declare (beside the intermediate models and the marts)
    declared = [
        test["name"]
        for path in (source.dbt_project_dir / "models").rglob("*.yml")
        for test in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests", [])
    ]
    assert len(declared) >= 9
    # the project's on-run-end hook (macros/drop_leftover_temps.sql) is a node of every run too
    tests = [n for n in result.nodes if n.resource_type != "operation"]
    assert sorted(n.name for n in tests) == sorted(declared)
    assert {n.status for n in tests} == {"pass"}


def test_editing_the_cue_seeds_re_derives_persons_and_quotes_without_the_workers(
    workspace: Workspace,
):
    """Titles, attribution verbs, not-a-person words and family-name-first names are seeds:
    editing them changes persons and quotations over the whole history in `dbt build` alone.
    The workers' analysis stored in raw (tokens, runs, quotations) is read, never redone."""
    settings = workspace.fresh()
    project = settings.dbt_project_dir
    database = settings.work_database
    stored = ("raw.sentences", "raw.quotations", "raw.sentence_tone", "raw.articles")
    raw_before = table_counts(database, stored)
    newest_before = query(database, "select max(loaded_at) from raw.sentences")
    said_before = query(
        database, "select count(*) from marts.fct_quotes where attribution_verb = 'said'"
    )[0][0]
    minister_roles_before = query(
        database,
        "select count(distinct entity_id) from marts.fct_entity_mentions "
        "where stated_role ilike '%minister%'",
    )[0][0]
    cho_before = query(
        database,
        "select count(*) from marts.fct_entity_mentions where entity_id = 'cho-tae-yul'",
    )[0][0]
    # the discovered person the demo names most: a word of their name becomes "not a person"
    discovered, name = query(
        database,
        "select entity_id, name from marts.dim_entities where not is_curated "
        "order by mention_count desc, entity_id limit 1",
    )[0]
    assert said_before > 20 and minister_roles_before > 0 and cho_before > 1

    seeds = project / "seeds"
    edit_csv(seeds / "attribution_verbs.csv", keep=lambda r: r["verb"] != "said", add=[])
    edit_csv(seeds / "person_titles.csv", keep=lambda r: r["title"] != "minister", add=[])
    edit_csv(seeds / "family_name_first.csv", keep=lambda r: r["name"] != "cho", add=[])
    blocked = name.split()[-1].lower()
    edit_csv(
        seeds / "not_person_words.csv",
        keep=lambda r: True,
        add=[{"word": blocked, "kind": "event_or_thing", "language": "en"}],
    )
    result = run_dbt(settings, "build", *NO_UNIT_TESTS)
    assert result.success, result.describe_failures()

    assert query(
        database, "select count(*) from marts.fct_quotes where attribution_verb = 'said'"
    ) == [(0,)]
    assert (
        query(
            database,
            "select count(distinct entity_id) from marts.fct_entity_mentions "
            "where stated_role ilike '%minister%'",
        )[0][0]
        < minister_roles_before
    )
    # "Cho" no longer known to come first: "Cho said" no longer finds Cho Tae-yul
    assert (
        query(
            database,
            "select count(*) from marts.fct_entity_mentions where entity_id = 'cho-tae-yul'",
        )[0][0]
        < cho_before
    )
    assert query(
        database, f"select count(*) from marts.dim_entities where entity_id = '{discovered}'"
    ) == [(0,)]
    # nothing was fetched, extracted or analysed again: raw is as it was, row for row
    assert table_counts(database, stored) == raw_before
    assert query(database, "select max(loaded_at) from raw.sentences") == newest_before
