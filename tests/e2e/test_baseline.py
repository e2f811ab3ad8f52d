"""Output baseline: the demo and the 400-article corpus, built by the code as it is now, say
exactly what the committed digests (tests/baseline/, made by ``python -m tools.baseline``)
say, table by table: ``raw`` and ``marts``, run ids and clock values as placeholders, floats
to 9 decimals. A change of output on purpose refreshes the digests in the same commit and
says which tables changed and why."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.e2e.conftest import DemoRuns
from tools import baseline
from tools.digests import differences, warehouse_digests

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _expected(name: str) -> dict:
    return json.loads((baseline.BASELINE_DIR / f"{name}.json").read_text())


def test_the_demo_says_what_the_baseline_says(demo_runs: DemoRuns):
    actual = warehouse_digests(demo_runs.settings.work_database, dt.date.today())
    assert differences(_expected("demo"), actual) == []
    assert actual["marts.fct_entity_mentions"]["rows"] > 500  # the comparison saw mentions


def test_the_benchmark_corpus_says_what_the_baseline_says(tmp_path: Path):
    database = baseline.build_corpus(tmp_path)
    actual = warehouse_digests(database, dt.date.today())
    assert differences(_expected("corpus"), actual) == []
    assert actual["marts.fct_entity_mentions"]["rows"] > 5000
    assert actual["marts.agg_dyad_daily"]["rows"] > 100


def test_a_changed_value_is_named_by_table_and_column():
    expected = _expected("corpus")
    changed = json.loads(json.dumps(expected))
    changed["marts.fct_article_tone"]["digest"] = "0" * 32
    changed["marts.fct_article_tone"]["column_digests"]["tone"] = "0" * 32
    del changed["marts.dim_outlets"]
    outlets = expected["marts.dim_outlets"]["rows"]
    assert differences(expected, changed) == [
        f"marts.dim_outlets: missing (expected {outlets} rows)",
        "marts.fct_article_tone: values differ in ['tone']",
    ]
