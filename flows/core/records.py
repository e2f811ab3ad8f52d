"""Records that cross stages (fetch -> archive -> parse/extract -> analyse -> load), and their
rules. They import nothing of newswatch but the statuses: every stage may use them.

The records, in the order the data meets them (one name each):
- ``FetchResult``: one HTTP response, body and headers, as fetched (``Validators``: the
  server's cache validators; ``Redirect``: one hop).
- ``ArchiveRef``: where a response sits in the WARC archive.
- ``LoggedFetch``: a ``FetchResult`` once its body is archived: what the fetch logs keep
  (raw.feed_fetches, raw.page_fetches), with the body's place in the archive.
- ``FeedEntry``, ``ParsedFeed``: a feed's bytes parsed; ``FeedFetch``: one feed fetched and
  parsed: its status, validators and entries. ``newswatch feeds check`` reports these too.
- ``FeedState``: a feed's stored scheduling state, updated from a FeedFetch.
- ``PendingArticle``: an article waiting for its page, with what the feed said of it.
- ``PageJob`` / ``FeedJob`` (flows.ingest.jobs): the work handed to a worker process;
  ``WorkerReply`` (flows.ingest.workers): what a worker hands back (a value, an error or a
  timeout).
- ``Extraction``: what the extractor made of a page; ``Sentence``, ``Tone``,
  ``ScoredSentence``: its sentences and their tone; ``LanguageGuess``: its language;
  ``Signature``: its shingles' MinHash, to find its copies; ``PageAnalysis``: all of it for
  one page. ``StoredText``: an article's stored text.
- ``PageOutcome``: everything learnt from one attempt at an article page, ready to load.
- ``PageLoad`` (flows.warehouse.pages): what loading a batch of outcomes changed.
- ``BatchReport``, ``FeedReportLine``, ``RunReport`` (flows.readers.run_report): what a run
  tells its reader: a page batch's counts, one line per feed (fetched or deferred), the run.

Statuses are types (flows.core.statuses). The rules about articles live here: which failures
are worth another attempt (``is_transient``) and which stored text may replace another (rank).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from flows.core.statuses import (
    SUCCESS_FEED_STATUSES,
    ArticleStatus,
    FeedStatus,
    FetchStatus,
    PageStatus,
    TextSource,
)

PERMANENT_REDIRECT_CODES = frozenset({301, 308})
UNDETERMINED = "und"  # the language of a text that says too little to tell


@dataclass(frozen=True)
class Validators:
    """The server's own cache validators, sent back verbatim on the next request."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Redirect:
    status: int
    from_url: str
    to_url: str


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: FetchStatus
    fetched_at: datetime
    http_status: int | None = None
    reason: str = ""
    http_version: str = "HTTP/1.1"
    request_headers: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    error: str | None = None
    retry_after: float | None = None
    redirects: tuple[Redirect, ...] = ()
    elapsed: float = 0.0
    truncated: bool = False

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    @property
    def content_type(self) -> str | None:
        return self.header("content-type")

    @property
    def validators(self) -> Validators:
        return Validators(self.header("etag"), self.header("last-modified"))

    @property
    def permanent_redirect_target(self) -> str | None:
        """Where every hop was permanent, the URL to use from now on."""
        if self.redirects and all(r.status in PERMANENT_REDIRECT_CODES for r in self.redirects):
            return self.redirects[-1].to_url
        return None

    @property
    def has_response(self) -> bool:
        return self.http_status is not None


@dataclass(frozen=True)
class ArchiveRef:
    """Where a response record sits: file name inside the archive folder and byte offset."""

    file: str
    offset: int


@dataclass(frozen=True)
class FeedEntry:
    feed_name: str
    entry_id: str
    article_id: str | None
    guid: str | None
    url: str | None
    canonical_url: str | None
    title: str | None
    summary: str | None
    author: str | None
    published_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True)
class ParsedFeed:
    ok: bool
    entries: tuple[FeedEntry, ...] = ()
    error: str | None = None
    is_bozo: bool = False
    bozo_reason: str | None = None
    title: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class FeedState:
    """Scheduling state of one feed, as stored in raw.feeds."""

    feed_name: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    body_sha256: str | None = None
    consecutive_failures: int = 0
    next_fetch_after: datetime | None = None
    last_success_at: datetime | None = None
    last_status: str | None = None
    last_error: str | None = None
    last_new_entry_at: datetime | None = None

    @property
    def validators(self) -> Validators:
        return Validators(self.etag, self.last_modified)

    def is_due(self, now: datetime) -> bool:
        return self.next_fetch_after is None or self.next_fetch_after <= now


@dataclass(frozen=True)
class Extraction:
    status: PageStatus
    reason: str | None = None
    text: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None  # YYYY-MM-DD as the page states it
    language: str | None = None
    canonical_url: str | None = None
    sitename: str | None = None
    encoding: str | None = None
    word_count: int = 0


@dataclass(frozen=True)
class Sentence:
    index: int
    part: str  # "title" or "body"
    text: str
    char_start: int
    char_end: int
    word_count: int


@dataclass(frozen=True)
class Tone:
    tone: float  # VADER compound, in [-1, 1]
    positive_score: float
    negative_score: float
    neutral_score: float
    positive_share: float  # share of words in the lexicon with positive valence
    negative_share: float
    polarity: float  # positive_share + negative_share: how emotionally charged
    word_count: int


@dataclass(frozen=True)
class ScoredSentence:
    """A sentence with everything the workers learn of it without reading a seed."""

    sentence: Sentence
    tone: Tone
    paragraph: int = 0  # the body paragraph it stands in (0-based); the title's is -1
    tokens: tuple[str, ...] = ()  # the words matching reads (macros/tokens.sql's rule)
    separators: tuple[str, ...] = ()  # the text before, between and after them (tokens + 1)
    # runs of capitalized words that may name someone: each run the (start, end) offsets of
    # its words, flattened; whether one is a person is decided in dbt, with the seeds
    name_runs: tuple[tuple[int, ...], ...] = ()
    # where words have no spaces (Chinese, Japanese, Korean): the word each token is in, by the
    # language's segmenter; None elsewhere (every token a word)
    segments: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Quotation:
    """Words between a pair of quotation marks, found by the marks alone; who said them is
    decided in dbt, with the seeds (attribution verbs) and the people found there."""

    paragraph: int  # the paragraph of the opening mark
    char_start: int  # of the opening mark, in the paragraph's sentences joined by spaces
    char_end: int  # just after the closing mark (the paragraph's end when none closes it)
    first_sentence_index: int
    last_sentence_index: int
    is_closed: bool
    text: str  # what stands between the marks (over paragraphs: the parts joined by spaces)


@dataclass(frozen=True)
class LanguageGuess:
    language: str  # ISO 639-1 code (ISO 639-3 where there is none), or "und"
    confidence: float | None  # share of the text's words voting for ``language``, in [0, 1]
    reason: str | None = None  # why the language is undetermined
    detector: str = field(kw_only=True)  # name and version of the detector that guessed

    @property
    def is_determined(self) -> bool:
        return self.language != UNDETERMINED


@dataclass(frozen=True)
class Signature:
    """What the workers keep of a text to find its copies (flows.text.stories): the MinHash
    signature of its shingles; which articles are one story is decided in dbt."""

    sketch: str  # the shingling and hashing rules' version (flows.text.stories.SKETCH_VERSION)
    shingle_count: int  # distinct shingles of the text
    minhashes: tuple[int, ...]  # one unsigned 32-bit minimum per hash function


@dataclass(frozen=True)
class PageAnalysis:
    article_id: str
    extraction: Extraction
    sentences: tuple[ScoredSentence, ...] = ()
    # (extract wall, extract cpu, sentences+tone+language wall, ... cpu), seconds
    timings: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    score_error: str | None = None  # the text was extracted but could not be split or scored
    language: LanguageGuess | None = None  # of the text, when there is one
    quotations: tuple[Quotation, ...] = ()
    signature: Signature | None = None  # of the text, to find its copies (stories)


@dataclass(frozen=True)
class StoredText:
    """An article's stored title and text, for detecting its language without re-extracting."""

    article_id: str
    title: str | None
    text: str
    language: str | None = None  # as detected, when it was


TRANSIENT_HTTP = frozenset({408, 425, 429, 500, 502, 503, 504})
# Worth another attempt on a later run (up to max_page_attempts). The unexpected failures of
# a step (fetch_error, archive_error, load_error) are too: a fixed release gets the page.
TRANSIENT_ARTICLE_STATUSES = frozenset(
    {
        ArticleStatus.PENDING,
        ArticleStatus.FETCH_TIMEOUT,
        ArticleStatus.NETWORK_ERROR,
        ArticleStatus.EXTRACT_ERROR,
        ArticleStatus.WORKER_ERROR,
    }
    | {ArticleStatus.FETCH_ERROR, ArticleStatus.ARCHIVE_ERROR, ArticleStatus.LOAD_ERROR}
)
# Statuses of which some are worth another attempt (http_error: by its HTTP status).
RETRIED_ARTICLE_STATUSES = TRANSIENT_ARTICLE_STATUSES | {ArticleStatus.HTTP_ERROR}

# How good a stored article is: a better one may replace a worse one, never the reverse.
TEXT_RANK = {TextSource.PAGE: 3, TextSource.FEED_SUMMARY: 2}
NO_TEXT_RANK, PENDING_RANK = 1, 0
PAGE_RANK = TEXT_RANK[TextSource.PAGE]


def new_id() -> str:
    return uuid.uuid4().hex


def sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class LoggedFetch:
    """What is kept of an HTTP fetch once its body has been archived and processed."""

    fetch_id: str
    url: str
    final_url: str
    fetched_at: datetime
    status: FetchStatus
    http_status: int | None
    content_type: str | None
    body_bytes: int
    error: str | None
    elapsed_ms: int
    archive: ArchiveRef | None

    @classmethod
    def of(cls, result: FetchResult, archive: ArchiveRef | None) -> LoggedFetch:
        return cls(
            fetch_id=new_id(),
            url=result.url,
            final_url=result.final_url,
            fetched_at=result.fetched_at,
            status=result.status,
            http_status=result.http_status,
            content_type=result.content_type,
            body_bytes=len(result.body),
            error=result.error,
            elapsed_ms=round(result.elapsed * 1000),
            archive=archive,
        )


@dataclass(frozen=True)
class FeedFetch:
    """Outcome of fetching and parsing one feed."""

    feed_name: str
    fetch: LoggedFetch
    status: FeedStatus
    error: str | None = None
    validators: Validators = field(default_factory=Validators)
    body_sha256: str | None = None
    retry_after: float | None = None
    permanent_redirect: str | None = None
    entries: tuple[FeedEntry, ...] = ()
    is_bozo: bool = False
    bozo_reason: str | None = None
    title: str | None = None  # the feed's own title, when it parsed

    @property
    def succeeded(self) -> bool:
        return self.status in SUCCESS_FEED_STATUSES


@dataclass(frozen=True)
class PendingArticle:
    """An article waiting to be fetched, with what the feed said about it."""

    article_id: str
    url: str
    summary: str | None = None
    title: str | None = None
    attempts: int = 0


@dataclass(frozen=True)
class PageOutcome:
    """Everything learnt from one attempt at an article page."""

    article_id: str
    fetch: LoggedFetch
    status: ArticleStatus
    reason: str | None = None
    analysis: PageAnalysis | None = None
    text_source: TextSource | None = None  # where analysis's text is from; None: no text

    @property
    def has_text(self) -> bool:
        return self.text_source is not None

    @property
    def rank(self) -> int:
        return article_rank(self.text_source, self.status)


def page_status(fetch: FetchResult | LoggedFetch, analysis: PageAnalysis | None) -> ArticleStatus:
    """The article status for a fetch and (if it got that far) its extraction."""
    if fetch.status != FetchStatus.OK:
        return ArticleStatus.of_fetch(fetch.status)
    if analysis is None:
        return ArticleStatus.EXTRACT_ERROR
    return ArticleStatus.of_page(analysis.extraction.status)


def is_transient(status: str, http_status: int | None) -> bool:
    """Worth another attempt on a later run."""
    if status == ArticleStatus.HTTP_ERROR:
        return http_status in TRANSIENT_HTTP
    return status in TRANSIENT_ARTICLE_STATUSES


def article_rank(text_source: str | None, status: str) -> int:
    """How good a stored article is (``rank_sql`` is the same rule in SQL)."""
    if text_source is not None:
        return TEXT_RANK[TextSource(text_source)]
    return PENDING_RANK if status == ArticleStatus.PENDING else NO_TEXT_RANK


def rank_sql(table: str) -> str:
    """``article_rank`` of the rows of ``table`` (raw.articles' columns), in SQL."""
    texts = " ".join(
        f"when {table}.text_source = '{source}' then {rank}" for source, rank in TEXT_RANK.items()
    )
    pending = f"when {table}.status = '{ArticleStatus.PENDING}' then {PENDING_RANK}"
    return f"(case {texts} {pending} else {NO_TEXT_RANK} end)"
