"""The ready-made analyst questions in dbt_project/analyses and the query the demo suggests,
run through `newswatch query` on the published demo warehouse."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from flows.core.settings import REPO_ROOT
from flows.readers.run_report import EXAMPLE_QUERY
from flows.warehouse.query import run_query
from tests.e2e.conftest import DemoRuns, query

pytestmark = pytest.mark.e2e

ANALYSES = sorted((REPO_ROOT / "dbt_project" / "analyses").glob("*.sql"))


@pytest.mark.parametrize("path", ANALYSES, ids=lambda p: p.stem)
def test_analysis_answers_on_the_demo_and_prints_weeks_as_dates(
    demo_runs: DemoRuns, tmp_path: Path, path: Path
):
    sql = path.read_text(encoding="utf-8")
    # Anchored on the data, not on today: the demo's fixed dates must keep answering.
    assert not re.search(r"\b(current_date|current_timestamp|now\(\)|today\(\))", sql, re.I)
    target = tmp_path / "answer.parquet"
    rows = run_query(demo_runs.settings.warehouse, sql, output=str(target))
    assert rows > 0
    schema = pq.read_schema(target)
    weeks = [field for field in schema if "week" in field.name and "moving" not in field.name]
    for field in weeks:
        assert str(field.type) == "date32[day]", field


def test_suggested_query_weighs_tone_by_sentences_not_days(demo_runs: DemoRuns, tmp_path: Path):
    """The demo's closing suggestion: an entity's tone is the mean over the sentences that
    mention it, not a mean of daily means."""
    warehouse = demo_runs.settings.warehouse
    target = tmp_path / "top.json"
    assert run_query(warehouse, EXAMPLE_QUERY, output=str(target)) == 10
    suggested = {row["entity_id"]: row["tone"] for row in json.loads(target.read_text())}
    direct = dict(
        query(
            warehouse,
            "select entity_id, round(avg(tone), 3) from marts.fct_entity_mentions "
            f"where entity_id in ({', '.join(repr(e) for e in suggested)}) group by entity_id",
        )
    )
    assert suggested == pytest.approx(direct, abs=0.0011)
