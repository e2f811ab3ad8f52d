"""Analyses of stored texts: sentences stored before the workers' current analysis
(``ANALYSER_VERSION``: tokens, paragraphs, runs of capitalized words, quotations, the text's
signature) are analysed again from the article's stored title and text, nothing fetched or
extracted, and replace the article's sentences, tone, quotations and signature in one
transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb

from flows.core.records import PageAnalysis, StoredText
from flows.text.tokens import ANALYSER_VERSION
from flows.warehouse.columns import insert_rows
from flows.warehouse.connection import transaction
from flows.warehouse.pages import ANALYSED_TABLES, sentence_rows


def texts_without_analysis(
    con: duckdb.DuckDBPyConnection, after: str = "", limit: int = 2000
) -> list[StoredText]:
    """Articles with text whose stored sentences come from another analyser version (or none),
    in article-id order after ``after`` (a batch that fails cannot come back forever)."""
    # The articles named by stale sentences first: a handful, or none. Written as EXISTS, DuckDB
    # built a hash table of every sentence's article id and ran out of the loads' 256 MB
    # at 100,000 articles (5.3M sentences).
    rows = con.execute(
        """
        with stale as (
            select distinct article_id from raw.sentences
            where analyser is distinct from $analyser and article_id > $after
        )
        select articles.article_id, articles.title, articles.text, articles.detected_language
        from raw.articles as articles
        inner join stale on articles.article_id = stale.article_id
        where articles.text is not null
        order by articles.article_id
        limit $limit
        """,
        {"analyser": ANALYSER_VERSION, "after": after, "limit": limit},
    ).fetchall()
    return [StoredText(*row) for row in rows]


def store_analyses(con: duckdb.DuckDBPyConnection, analyses: Sequence[PageAnalysis]) -> None:
    """Replace the sentences, tone, quotations and signature of each analysed article, in one
    transaction. The sentences are new rows (a new load time), so dbt derives these articles
    again."""
    if not analyses:
        return
    now = datetime.now(UTC)
    tables: dict[str, list] = {table: [] for table in ANALYSED_TABLES}
    for analysis in analyses:
        for table, rows in zip(ANALYSED_TABLES, sentence_rows(analysis, now), strict=True):
            tables[table].extend(rows)
    ids = [analysis.article_id for analysis in analyses]
    with transaction(con):
        for table in ANALYSED_TABLES:
            con.execute(
                f"delete from {table} where article_id in (select unnest($ids))", {"ids": ids}
            )
        for table, rows in tables.items():
            insert_rows(con, table, rows)
