"""Jobs run in worker processes: parse a feed; extract, split and score a page."""

from __future__ import annotations

from dataclasses import dataclass

from flows.extract import Extraction, PageStatus, extract_page
from flows.feeds import ParsedFeed, parse_feed
from flows.text import Sentence, Tone, score, split_sentences


@dataclass(frozen=True)
class ScoredSentence:
    sentence: Sentence
    tone: Tone


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
    fast: bool = False


@dataclass(frozen=True)
class PageAnalysis:
    article_id: str
    extraction: Extraction
    sentences: tuple[ScoredSentence, ...] = ()


def analyse_text(title: str | None, text: str) -> tuple[ScoredSentence, ...]:
    """Split into sentences (title first) and score each one."""
    return tuple(ScoredSentence(s, score(s.text)) for s in split_sentences(text, title))


def run_feed_job(job: FeedJob) -> ParsedFeed:
    return parse_feed(job.feed_name, job.body, job.content_type, job.base_url)


def run_page_job(job: PageJob) -> PageAnalysis:
    extraction = extract_page(job.body, job.url, job.content_type, job.min_words, job.fast)
    sentences: tuple[ScoredSentence, ...] = ()
    if extraction.status is PageStatus.OK and extraction.text:
        sentences = analyse_text(extraction.title, extraction.text)
    return PageAnalysis(job.article_id, extraction, sentences)
