"""Jobs run in worker processes: parse a feed; extract, split, score, sign a page and detect
its language; detect the language of stored texts in bulk. Each job is a picklable record and a
module-level function, so a spawned worker (or a Dask one) can import and run it."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flows.core.records import (
    Extraction,
    LanguageGuess,
    PageAnalysis,
    ParsedFeed,
    Quotation,
    ScoredSentence,
    Signature,
    StoredText,
)
from flows.core.statuses import PageStatus
from flows.ingest.feeds import parse_feed
from flows.ingest.workers import loading
from flows.text import tokens
from flows.text.analysis import analyse_text
from flows.text.extract import extract_page
from flows.text.language import detect_language
from flows.text.stories import sign

# In a worker process, a segmenter's first load is start-up, not the page's time.
tokens.loading_guard = loading


@dataclass(frozen=True)
class FeedJob:
    feed_name: str
    body: bytes
    content_type: str | None
    base_url: str


@dataclass(frozen=True)
class PageJob:
    article_id: str
    url: str
    body: bytes
    content_type: str | None
    min_words: int = 25
    fast: bool = True


def detect_stored_languages(texts: list[StoredText]) -> list[tuple[str, LanguageGuess]]:
    """The language of each stored text (the upgrade path: nothing is fetched or extracted)."""
    return [(t.article_id, detect_language(t.text, t.title)) for t in texts]


def analyse_stored_texts(texts: list[StoredText]) -> list[PageAnalysis]:
    """Each stored text analysed again (the upgrade path: nothing is fetched or extracted)."""
    analyses = []
    for stored in texts:
        sentences, found = analyse_text(stored.title, stored.text, stored.language)
        extraction = Extraction(PageStatus.OK, text=stored.text, title=stored.title)
        analyses.append(
            PageAnalysis(
                stored.article_id,
                extraction,
                sentences,
                quotations=found,
                signature=sign(stored.text),
            )
        )
    return analyses


def run_feed_job(job: FeedJob) -> ParsedFeed:
    return parse_feed(job.feed_name, job.body, job.content_type, job.base_url)


def run_page_job(job: PageJob) -> PageAnalysis:
    wall, cpu = time.perf_counter(), time.process_time()
    extraction = extract_page(job.body, job.url, job.content_type, job.min_words, job.fast)
    extracted_wall, extracted_cpu = time.perf_counter(), time.process_time()
    sentences: tuple[ScoredSentence, ...] = ()
    found: tuple[Quotation, ...] = ()
    signature: Signature | None = None
    error = None
    language = None
    if extraction.status is PageStatus.OK and extraction.text:
        language = detect_language(extraction.text, extraction.title)
        try:
            sentences, found = analyse_text(extraction.title, extraction.text, language.language)
            signature = sign(extraction.text)
        except Exception as exc:  # noqa: BLE001 - keep the text; the failure is its status
            error = f"{type(exc).__name__}: {exc}"
    timings = (
        extracted_wall - wall,
        extracted_cpu - cpu,
        time.perf_counter() - extracted_wall,
        time.process_time() - extracted_cpu,
    )
    return PageAnalysis(
        job.article_id,
        extraction,
        sentences,
        timings,
        error,
        language,
        quotations=found,
        signature=signature,
    )
