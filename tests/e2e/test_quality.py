"""The marts against the hand-labelled gold set (tests/gold/articles.yaml)."""

from __future__ import annotations

import pytest

from flows.quality import evaluate
from tests.e2e.conftest import DemoRuns

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def report(demo_runs: DemoRuns):
    return evaluate(demo_runs.settings.warehouse)


def test_every_article_of_the_gold_set_was_analysed(report):
    assert len(report.articles) == 30
    assert all(a.found_tone is not None for a in report.articles)


def test_entity_mentions_match_the_gold_set_exactly(report):
    wrong = {
        a.stem: {
            "extra": sorted(a.found_entities - a.gold_entities),
            "missing": sorted(a.gold_entities - a.found_entities),
        }
        for a in report.articles
        if a.found_entities != a.gold_entities
    }
    assert wrong == {}
    assert report.entities.precision == 1.0 and report.entities.recall == 1.0


def test_issue_detection_meets_its_bar(report):
    salient = report.issues(salient_only=True)
    every = report.issues()
    # Articles *about* an issue: almost never wrong. Any sentence mentioning it: finds most.
    assert salient.precision >= 0.95, salient
    assert every.recall >= 0.80, every


@pytest.mark.parametrize("label", ["positive", "negative"])
def test_article_tone_sign_agrees_with_the_annotator(report, label: str):
    agreeing, total = report.tone_agreement(label)
    assert total >= 10
    assert agreeing == total, [
        (a.stem, a.tone) for a in report.articles if a.gold_tone == label and a.found_tone != label
    ]
