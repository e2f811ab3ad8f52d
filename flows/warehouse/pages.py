"""Pages: one transaction per batch of page outcomes writes the fetch log
(``raw.page_fetches``), the article rows (never downgraded: see ``records.article_rank``), and
the sentences and their tone, quotations and text signature of every article whose text was
(re)written."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from flows.core.faults import crash_point
from flows.core.records import NO_TEXT_RANK, PAGE_RANK, PageAnalysis, PageOutcome, rank_sql
from flows.core.statuses import ArticleStatus, TextSource
from flows.text.extract import EXTRACTOR
from flows.text.sentences import SPLITTER_VERSION
from flows.text.tokens import ANALYSER_VERSION
from flows.text.tone import tone_model
from flows.warehouse.columns import Row, as_batch, fetch_log_row, insert_batch
from flows.warehouse.connection import registered, transaction
from flows.warehouse.languages import language_columns

# The staging batch of article updates carries each row's rank (not stored: derived).
RANK_COLUMN = {"rank": pa.int8()}
# The tables of an article's analysis, replaced together whenever its text changes.
ANALYSED_TABLES = ("raw.sentences", "raw.sentence_tone", "raw.quotations", "raw.article_signatures")


def sentence_rows(
    analysis: PageAnalysis, now: datetime
) -> tuple[list[Row], list[Row], list[Row], list[Row]]:
    """raw.sentences', raw.sentence_tone's, raw.quotations' and raw.article_signatures' rows
    for an analysed page."""
    sentences, tones = [], []
    model = tone_model()
    for scored in analysis.sentences:
        s, t = scored.sentence, scored.tone
        sentences.append(
            {
                "article_id": analysis.article_id,
                "sentence_index": s.index,
                "part": s.part,
                "text": s.text,
                "char_start": s.char_start,
                "char_end": s.char_end,
                "word_count": s.word_count,
                "splitter": SPLITTER_VERSION,
                "loaded_at": now,
                "paragraph_index": scored.paragraph,
                "tokens": list(scored.tokens),
                "separators": list(scored.separators),
                "name_runs": [list(run) for run in scored.name_runs],
                "segments": None if scored.segments is None else list(scored.segments),
                "analyser": ANALYSER_VERSION,
            }
        )
        tones.append(
            {
                "article_id": analysis.article_id,
                "sentence_index": s.index,
                "tone_model": model,
                "tone": t.tone,
                "positive_score": t.positive_score,
                "negative_score": t.negative_score,
                "neutral_score": t.neutral_score,
                "positive_share": t.positive_share,
                "negative_share": t.negative_share,
                "polarity": t.polarity,
                "word_count": t.word_count,
                "scored_at": now,
            }
        )
    quotations = [
        {
            "article_id": analysis.article_id,
            "quote_index": number,
            "paragraph_index": q.paragraph,
            "char_start": q.char_start,
            "char_end": q.char_end,
            "first_sentence_index": q.first_sentence_index,
            "last_sentence_index": q.last_sentence_index,
            "is_closed": q.is_closed,
            "quote_text": q.text,
            "analyser": ANALYSER_VERSION,
            "loaded_at": now,
        }
        for number, q in enumerate(analysis.quotations)
    ]
    signature = analysis.signature
    signatures = (
        [
            {
                "article_id": analysis.article_id,
                "sketch": signature.sketch,
                "shingle_count": signature.shingle_count,
                "minhashes": list(signature.minhashes),
                "analyser": ANALYSER_VERSION,
                "loaded_at": now,
            }
        ]
        if signature is not None
        else []
    )
    return sentences, tones, quotations, signatures


@dataclass(frozen=True)
class PageLoad:
    """What a page batch changed: articles whose text was (re)written."""

    fetches: int
    articles_with_new_text: int


def load_page_outcomes(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    outcomes: Sequence[PageOutcome],
    from_archive: bool = False,
    before: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> PageLoad:
    """One transaction per batch: fetch log, article rows (never downgraded), sentences, tone.

    ``from_archive``: the outcomes re-extract archived responses, so no fetch is logged or
    counted as an attempt. An outcome whose values cannot be stored is loaded as
    ``load_error`` with the reason, its text left out; the others load as usual.
    ``before`` writes more in the same transaction, first (a backfill: the articles' rows).
    """
    if not outcomes:
        if before is not None:
            with transaction(con):
                before(con)
        return PageLoad(0, 0)
    now = datetime.now(UTC)
    fetches, pages, sentences, tones, quotes, signs = _page_tables(con, outcomes, run_id, now)
    with transaction(con):
        if before is not None:
            before(con)
        if not from_archive:
            insert_batch(con, "raw.page_fetches", fetches, mode="ignore")
        crash_point("load")  # tests: die with the transaction half done
        with registered(con, "_pages", pages):
            con.execute(
                f"""
                create or replace temp table _improved as
                select p.article_id, a.text_source is not null as had_text
                from _pages as p
                inner join raw.articles as a using (article_id)
                where p.rank > {rank_sql("a")}
                    or (p.rank = {PAGE_RANK} and {rank_sql("a")} = {PAGE_RANK}
                        and (p.text is distinct from a.text
                            or a.status = '{ArticleStatus.SCORE_ERROR}'))
                """
            )
            rows = con.execute("select article_id, had_text from _improved").fetchall()
            improved = {article_id for article_id, _ in rows}
            replaced = [article_id for article_id, had_text in rows if had_text]
            attempt = "" if from_archive else "+ 1"
            con.execute(
                f"""
                update raw.articles as a set
                    fetch_attempts = a.fetch_attempts {attempt},
                    last_fetch_id = p.last_fetch_id,
                    loaded_at = $now, run_id = $run_id,
                    status = case when i.article_id is not null or a.text_source is null
                        then p.status else a.status end,
                    status_reason = case when i.article_id is not null or a.text_source is null
                        then p.status_reason else a.status_reason end
                from _pages as p
                left join _improved as i using (article_id)
                where a.article_id = p.article_id
                """,
                {"now": now, "run_id": run_id},
            )
            con.execute(
                """
                update raw.articles as a set
                    final_url = p.final_url, text_source = p.text_source, title = p.title,
                    author = p.author, page_published = p.page_published,
                    page_canonical_url = p.page_canonical_url, language = p.language,
                    encoding = p.encoding, text = p.text, word_count = p.word_count,
                    extractor = p.extractor, archive_file = p.archive_file,
                    archive_offset = p.archive_offset, extracted_at = p.extracted_at,
                    detected_language = p.detected_language,
                    language_confidence = p.language_confidence,
                    language_reason = p.language_reason, language_detector = p.language_detector
                from _pages as p
                where a.article_id = p.article_id
                    and p.article_id in (select article_id from _improved)
                """
            )
            if replaced:  # only articles that had text have sentences to replace: the delete
                # scans the whole table, so it must not run for every new article
                for table in ANALYSED_TABLES:
                    con.execute(
                        f"delete from {table} where article_id in "
                        "(select article_id from _improved where had_text)"
                    )
            con.execute("drop table _improved")
        wanted = pa.array(sorted(improved), pa.string())
        for table, rows in zip(ANALYSED_TABLES, (sentences, tones, quotes, signs), strict=True):
            insert_batch(con, table, rows.filter(pc.is_in(rows["article_id"], wanted)))
    return PageLoad(len(outcomes), len(improved))


# fetch, article update, sentences, tones, quotations, signature
PageRows = tuple[Row, Row, list[Row], list[Row], list[Row], list[Row]]


def _page_rows(o: PageOutcome, run_id: str, now: datetime) -> PageRows:
    """One outcome's rows: its fetch, its article update, its sentences and their tone, its
    quotations and its text's signature."""
    f = o.fetch
    fetch = {
        **fetch_log_row(f, run_id, now),
        "article_id": o.article_id,
        "content_type": f.content_type,
    }
    extraction = o.analysis.extraction if o.analysis else None
    language = o.analysis.language if o.analysis and o.has_text else None
    article = {
        "article_id": o.article_id,
        "final_url": f.final_url,
        "status": o.status,
        "status_reason": o.reason,
        "text_source": o.text_source,
        "title": extraction.title if extraction else None,
        "author": extraction.author if extraction else None,
        "page_published": extraction.published if extraction else None,
        "page_canonical_url": extraction.canonical_url if extraction else None,
        "language": extraction.language if extraction else None,
        "encoding": extraction.encoding if extraction else None,
        "text": extraction.text if extraction and o.has_text else None,
        "word_count": extraction.word_count if extraction and o.has_text else None,
        "extractor": ("feed-summary" if o.text_source == TextSource.FEED_SUMMARY else EXTRACTOR)
        if extraction
        else None,
        "last_fetch_id": f.fetch_id,
        "archive_file": f.archive.file if f.archive else None,
        "archive_offset": f.archive.offset if f.archive else None,
        "extracted_at": now if extraction else None,
        **language_columns(language),
        "rank": o.rank,
    }
    sentences, tones, quotes, signature = (
        sentence_rows(o.analysis, now) if o.analysis else ([], [], [], [])
    )
    return fetch, article, sentences, tones, quotes, signature


PAGE_TABLES = ("raw.page_fetches", "raw.articles", *ANALYSED_TABLES)
PageTables = tuple[pa.Table, pa.Table, pa.Table, pa.Table, pa.Table, pa.Table]


def _as_tables(con: duckdb.DuckDBPyConnection, rows: Sequence[PageRows]) -> PageTables:
    fetches = [r[0] for r in rows]
    articles = [r[1] for r in rows]
    sentences = [s for r in rows for s in r[2]]
    tones = [t for r in rows for t in r[3]]
    quotes = [q for r in rows for q in r[4]]
    signatures = [g for r in rows for g in r[5]]
    fetch_table, article_table, sentence_table, tone_table, quote_table, sign_table = (
        as_batch(con, table, batch, extra=RANK_COLUMN if table == "raw.articles" else None)
        for table, batch in zip(
            PAGE_TABLES,
            (fetches, articles, sentences, tones, quotes, signatures),
            strict=True,
        )
    )
    return fetch_table, article_table, sentence_table, tone_table, quote_table, sign_table


def _storable(value: Any) -> Any:
    """A string that any column takes (lone surrogates escaped); other values unchanged."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _page_tables(
    con: duckdb.DuckDBPyConnection, outcomes: Sequence[PageOutcome], run_id: str, now: datetime
) -> PageTables:
    """The batch as Arrow tables. Should one outcome's values not convert (a string no
    encoding can hold), that outcome alone becomes a ``load_error`` row without text."""
    rows = [_page_rows(o, run_id, now) for o in outcomes]
    try:
        return _as_tables(con, rows)
    except (pa.ArrowException, ValueError, TypeError, OverflowError):
        pass  # find the culprits one by one (rare: the whole batch converts at once)
    for index, row in enumerate(rows):
        try:
            _as_tables(con, [row])
        except (pa.ArrowException, ValueError, TypeError, OverflowError) as exc:
            fetch, article = row[0], row[1]
            article = {
                **article,
                "status": ArticleStatus.LOAD_ERROR,
                "status_reason": f"cannot store this page: {type(exc).__name__}: {exc}",
                "text_source": None,
                "text": None,
                "word_count": None,
                **language_columns(None),
                "rank": NO_TEXT_RANK,
            }
            rows[index] = (
                {k: _storable(v) for k, v in fetch.items()},
                {k: _storable(v) for k, v in article.items()},
                [],
                [],
                [],
                [],
            )
    return _as_tables(con, rows)
