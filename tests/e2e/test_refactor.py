"""The redesigned derivation layer (issue 10) is a refactor: built from the same raw data, every
mart equals what the dbt project before it built, row for row (load timestamps and the taxonomy
fingerprint left out, floating-point values within 1e-9)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from flows import marts_compare
from flows.bench.run import sentence_pool, synthetic_warehouse
from flows.settings import REPO_ROOT
from tests.e2e.conftest import DemoRuns

pytestmark = pytest.mark.e2e

# The last commit before the redesign, and the redesign itself (matching changed after it, on
# purpose: issues 11 and 12).
BEFORE = "f9eab7c31fbf57e9a3f59508013796ee04dcfccd"
REDESIGN = "79dd572"


def _project_at(revision: str, tmp_path: Path) -> Path:
    known = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "cat-file", "-e", f"{revision}^{{commit}}"],
        capture_output=True,
    )
    if known.returncode != 0:
        pytest.skip(f"this clone lacks commit {revision[:10]} (a shallow clone?)")
    return marts_compare.project_at(revision, tmp_path / revision)


def _assert_same_marts(raw: Path, tmp_path: Path) -> dict:
    before, after = _project_at(BEFORE, tmp_path), _project_at(REDESIGN, tmp_path)
    for name, project in (("before", before), ("after", after)):
        result = marts_compare.build(raw, project, tmp_path / name)
        assert result.success, (name, result.describe_failures())
    old = marts_compare.contents(marts_compare.built_database(raw, tmp_path / "before"))
    new = marts_compare.contents(marts_compare.built_database(raw, tmp_path / "after"))
    assert marts_compare.differences(old, new) == []
    return new


def test_the_demo_builds_the_same_marts_as_before_the_redesign(demo_runs: DemoRuns, tmp_path: Path):
    marts = _assert_same_marts(demo_runs.settings.work_database, tmp_path)
    assert len(marts["fct_entity_mentions"].rows) > 500  # the comparison saw real mentions


def test_the_benchmark_corpus_builds_the_same_marts_as_before_the_redesign(tmp_path: Path):
    raw = tmp_path / "bench" / "bench.duckdb"
    synthetic_warehouse(raw, 400, 40, sentence_pool(100), with_tone=True)
    marts = _assert_same_marts(raw, tmp_path)
    assert len(marts["fct_entity_mentions"].rows) > 5000
    assert len(marts["agg_dyad_daily"].rows) > 100
