"""Stories at scale: what grouping copies costs per new article on a history of 10,000 and of
100,000 articles, and whether the stories found are the stories planted.

Raw rows are written directly (no HTTP): the corpus's articles (``corpus.make_story_article``:
varied prose, ``corpus.COPY_RATE`` of them planted copies of wire stories), each with the
signature the workers would store (``flows.text.stories.sign``, the real function; its cost
per article is measured too). The whole history is built once by dbt; then the same number of
new articles (news of the next day, planted copies of the history's wire stories among them)
is built incrementally, as an hourly run does, and the stories models' time divided by the
new articles is the cost per article: it should not grow with the history.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections import Counter
from datetime import UTC, datetime
from math import comb
from pathlib import Path
from typing import Any

import duckdb

from flows.core.settings import Settings
from tools.bench.corpus import (
    COPY_RATE,
    Vocabulary,
    load_vocabulary,
    make_story_article,
    planted_story,
)

STORY_MODELS = ("int_stories__bands", "int_stories__pairs", "int_stories__clustered", "dim_stories")
OUTLETS = 4


def story_warehouse(
    path: Path, first: int, count: int, history: int, vocabulary: Vocabulary
) -> float:
    """Raw rows of articles [first, first + count) with their signatures (those from
    ``history`` on are the next day's news); returns the seconds spent signing them (the
    workers' share of the cost)."""
    from flows.text.stories import sign
    from flows.text.tokens import ANALYSER_VERSION
    from flows.warehouse import open_warehouse
    from flows.warehouse.columns import insert_rows

    now = datetime.now(UTC)
    articles, entries, signatures = [], [], []
    signing = 0.0
    for index in range(first, first + count):
        article = make_story_article(index, vocabulary, first=history)
        article_id = f"{index:016x}"
        text = "\n".join(article.paragraphs)
        started = time.perf_counter()
        signature = sign(text)
        signing += time.perf_counter() - started
        outlet = index % OUTLETS
        articles.append(
            {
                "article_id": article_id,
                "canonical_url": article.url,
                "url": article.url,
                "status": "ok",
                "text_source": "page",
                "title": article.title,
                "word_count": len(text.split()),
                "fetch_attempts": 1,
                "first_seen_at": now,
                "loaded_at": now,
                "run_id": "bench",
                "detected_language": "en",
                "language_confidence": 1.0,
            }
        )
        entries.append(
            {
                "feed_name": f"bench-{outlet}",
                "entry_id": article_id,
                "article_id": article_id,
                "url": article.url,
                "canonical_url": article.url,
                "title": article.title,
                "published_at": article.published,
                "first_seen_at": now,
                "run_id": "bench",
                "loaded_at": now,
            }
        )
        if signature is not None:
            signatures.append(
                {
                    "article_id": article_id,
                    "sketch": signature.sketch,
                    "shingle_count": signature.shingle_count,
                    "minhashes": list(signature.minhashes),
                    "analyser": ANALYSER_VERSION,
                    "loaded_at": now,
                }
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_warehouse(path) as con:
        if not first:
            con.execute(
                f"""
                insert into raw.feeds (feed_name, configured_url, url, outlet, is_active, updated_at)
                select 'bench-' || i, 'http://b/' || i, 'http://b/' || i, 'Bench News ' || i,
                    true, now()
                from range({OUTLETS}) as r(i)
                """
            )
        for table, rows in (
            ("raw.articles", articles),
            ("raw.feed_entries", entries),
            ("raw.article_signatures", signatures),
        ):
            for start in range(0, len(rows), 20_000):
                insert_rows(con, table, rows[start : start + 20_000])
    return signing


def found_against_planted(database: Path, by_url: bool = False) -> dict[str, Any]:
    """The stories dbt found against the planted ones: their sizes, and the pairs of articles
    put in one story (precision) or planted in one story (recall). Articles are known by
    their id (this module's warehouses) or, ``by_url``, by their page's URL (a pipeline run's:
    ``/article-<index>.html``)."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        key = "canonical_url" if by_url else "article_id"
        rows = con.execute(
            f"select {key}, story_id from marts.dim_articles where has_text"
        ).fetchall()
    finally:
        con.close()
    if by_url:
        found = {
            int(match.group(1)): story_id
            for url, story_id in rows
            if (match := re.search(r"/article-(\d+)\.html$", url))
        }
    else:
        found = {int(article_id, 16): story_id for article_id, story_id in rows}
    planted = {index: planted_story(index) for index in found}
    found_sizes = Counter(found.values())
    planted_sizes = Counter(planted.values())
    both = Counter((found[i], planted[i]) for i in found)
    together = sum(comb(n, 2) for n in both.values())
    found_pairs = sum(comb(n, 2) for n in found_sizes.values())
    planted_pairs = sum(comb(n, 2) for n in planted_sizes.values())
    exact = sum(
        1
        for story, size in planted_sizes.items()
        if size > 1
        and story in found
        and both.get((found[story], story)) == size == found_sizes[found[story]]
    )
    return {
        "planted_copies": sum(1 for i in found if planted[i] != i),
        "planted_stories_by_size": _histogram(planted_sizes),
        "found_stories_by_size": _histogram(found_sizes),
        "pair_precision": round(together / found_pairs, 4) if found_pairs else 1.0,
        "pair_recall": round(together / planted_pairs, 4) if planted_pairs else 1.0,
        "planted_stories_found_exactly": exact,
        "planted_stories_with_copies": sum(1 for n in planted_sizes.values() if n > 1),
    }


def _histogram(sizes: Counter) -> dict[str, int]:
    counts = Counter(sizes.values())
    return {str(size): counts[size] for size in sorted(counts)}


def _story_seconds(timing: dict[str, Any]) -> dict[str, float]:
    return {name: round(timing["nodes"].get(name, 0.0), 3) for name in STORY_MODELS}


def stories_cost(history: int, new_articles: int, work: Path, log: Any) -> dict[str, Any]:
    """One history size: the full build, then ``new_articles`` built incrementally."""
    from tools.bench.run import dbt_timing

    settings = Settings(warehouse=work / f"stories-{history}" / "s.duckdb")
    database = settings.work_database
    database.unlink(missing_ok=True)
    # read once: the corpus is made from the seeds, which must not change under the history
    vocabulary = load_vocabulary()
    started = time.perf_counter()
    signing = story_warehouse(database, 0, history, history, vocabulary)
    written = time.perf_counter() - started
    env = {**os.environ, "NEWSWATCH_WAREHOUSE": str(settings.warehouse)}
    select = ("--select", "+dim_stories")
    dbt_timing(env, "seed")
    full = dbt_timing(env, "run", "--full-refresh", *select)
    signing_new = story_warehouse(database, history, new_articles, history, vocabulary)
    incremental = dbt_timing(env, "run", *select)
    full_models, new_models = _story_seconds(full), _story_seconds(incremental)
    con = duckdb.connect(str(database), read_only=True)
    try:
        bands, pairs = con.execute(
            "select (select count(*) from intermediate.int_stories__bands), "
            "(select count(*) from intermediate.int_stories__pairs where evidence != 'self')"
        ).fetchall()[0]
    finally:
        con.close()
    row = {
        "history": history,
        "new_articles": new_articles,
        "sign_ms_per_article": round(1000 * (signing + signing_new) / (history + new_articles), 2),
        "write_seconds": round(written, 1),
        "full_build_seconds": full_models,
        "full_ms_per_article": round(1000 * sum(full_models.values()) / history, 3),
        "incremental_seconds": new_models,
        "incremental_ms_per_new_article": round(1000 * sum(new_models.values()) / new_articles, 2),
        "band_rows": bands,
        "pair_rows": pairs,
        "quality": found_against_planted(database),
    }
    log(f"stories on {history:,} + {new_articles:,} new: {row}")
    return row


def stories_benchmark(sizes: tuple[int, ...], new_articles: int, work: Path, log: Any) -> dict:
    rows = [stories_cost(size, new_articles, work, log) for size in sizes]
    for size in sizes:
        shutil.rmtree(work / f"stories-{size}", ignore_errors=True)
    return {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "copy_rate": COPY_RATE,
        "sizes": rows,
    }
