"""The marts and columns ../shared/ARCHITECTURE.md names as public, pinned on the demo
warehouse: each exists in the ``marts`` schema (not ``main_marts``) with at least these
columns. Adding columns is fine; renaming or dropping one is a change of contract."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DemoRuns, query

pytestmark = pytest.mark.e2e

PUBLIC = {
    "dim_articles": {
        "article_id",
        "detected_language",
        "language_confidence",
        "is_tagged",
        "story_id",
        "wire_source",
    },
    "dim_stories": {
        "story_id",
        "first_seen_at",
        "first_outlet_id",
        "article_count",
        "outlet_count",
        "languages",
    },
    "dim_outlets": {"outlet_id"},
    "dim_feeds": {"feed_name"},
    "dim_entities": {"entity_id", "name", "entity_type", "is_curated"},
    "fct_entity_mentions": {"article_id", "sentence_index", "entity_id", "stated_role"},
    "dim_issues": {"issue_id", "name", "parent_issue_id"},
    "fct_issue_mentions": {"article_id", "sentence_index", "issue_id"},
    "fct_article_issues": {"article_id", "issue_id"},
    "fct_article_tone": {"article_id", "tone", "positive_share", "negative_share", "polarity"},
    "fct_sentence_tone": {"article_id", "sentence_index", "tone"},
    "agg_entity_daily": {"entity_id", "published_date"},
    "agg_issue_daily": {"issue_id", "published_date"},
    "agg_dyad_daily": {"country_a_id", "country_b_id", "published_date", "tone_sum"},
    "fct_quotes": {
        "article_id",
        "first_sentence_index",
        "sentence_count",
        "quote_text",
        "speaker_entity_id",
        "speaker_name",
        "speaker_description",
        "attribution_verb",
        "tone",
        "is_fragment",
    },
    "fct_quote_issues": {"quote_id", "issue_id"},
    "agg_outlet_coverage": {
        "published_date",
        "outlet_id",
        "language",
        "copy_kind",
        "subject_type",
        "subject_id",
        "article_count",
        "outlet_article_count",
    },
    "agg_quotes_daily": {"speaker_entity_id", "quote_count", "tone_sum"},
    "fct_attention_spikes": {
        "subject_type",
        "subject_id",
        "published_date",
        "article_count",
        "baseline_share",
        "score",
        "is_spike",
        "driving_article_ids",
    },
}


def test_every_public_mart_keeps_its_columns(demo_runs: DemoRuns):
    rows = query(
        demo_runs.settings.work_database,
        "select table_schema, table_name, column_name from information_schema.columns",
    )
    columns: dict[str, set[str]] = {}
    for schema, table, column in rows:
        if schema == "marts":
            columns.setdefault(table, set()).add(column)
    assert not [s for s, *_ in rows if s.startswith("main_")]  # plain schema names
    for mart, wanted in PUBLIC.items():
        assert mart in columns, f"marts.{mart} is gone"
        assert wanted <= columns[mart], (mart, wanted - columns[mart])
