"""Statuses are types: the marts accept exactly the statuses the code can store, and the
statuses the code builds on (the HTTP client's, the extractor's) all have a stored name."""

from __future__ import annotations

import pytest
import yaml

from flows.core.records import TEXT_RANK, article_rank, rank_sql
from flows.core.settings import REPO_ROOT
from flows.core.statuses import ArticleStatus, FeedStatus, FetchStatus, PageStatus, TextSource

MARTS = REPO_ROOT / "dbt_project" / "models" / "marts"


def _accepted_values(model: str) -> dict[str, list[str]]:
    models = [
        described
        for path in sorted(MARTS.glob("*.yml"))
        for described in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", [])
    ]
    (found,) = [m for m in models if m["name"] == model]
    for test in found.get("data_tests", []):
        if isinstance(test, dict) and "row_rules" in test:
            return test["row_rules"]["arguments"]["accepted_values"]
    raise AssertionError(f"{model} has no accepted_values")


@pytest.mark.parametrize(
    ("model", "column", "enum"),
    [
        ("dim_articles", "status", ArticleStatus),
        ("dim_articles", "text_source", TextSource),
    ],
)
def test_marts_accept_exactly_the_enum(model, column, enum):
    assert sorted(_accepted_values(model)[column]) == sorted(member.value for member in enum)


def test_every_page_status_is_an_article_status():
    assert {str(ArticleStatus.of_page(s)) for s in PageStatus} == {s.value for s in PageStatus}


@pytest.mark.parametrize("status", [s for s in FetchStatus if s is not FetchStatus.OK])
def test_every_failed_fetch_is_an_article_status_and_a_feed_status(status):
    assert isinstance(ArticleStatus.of_fetch(status), ArticleStatus)
    assert FeedStatus.of_fetch(status).value == status.value


def test_a_page_fetch_timeout_is_not_an_extraction_timeout():
    assert ArticleStatus.of_fetch(FetchStatus.TIMEOUT) is ArticleStatus.FETCH_TIMEOUT


@pytest.mark.parametrize(
    ("text_source", "status", "rank"),
    [
        ("page", "ok", 3),
        ("page", "score_error", 3),
        ("feed_summary", "http_error", 2),
        (None, "http_error", 1),
        (None, "pending", 0),
    ],
)
def test_rank_is_one_rule_in_python_and_sql(text_source, status, rank):
    import duckdb

    assert article_rank(text_source, status) == rank
    sql = (
        f"select {rank_sql('a')} from (select ?::varchar as text_source, ?::varchar as status) as a"
    )
    assert duckdb.connect().execute(sql, [text_source, status]).fetchone() == (rank,)
    assert set(TEXT_RANK) == set(TextSource)
