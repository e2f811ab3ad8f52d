"""Records that cross stages (fetch -> archive -> parse/extract -> load), and their rules.

The records, in the order the data meets them (one name each):
- ``FetchResult`` (flows.http_client): one HTTP response, body and headers, as fetched.
- ``LoggedFetch``: a ``FetchResult`` once its body is archived: what the fetch logs keep
  (raw.feed_fetches, raw.page_fetches), with the body's place in the archive.
- ``FeedFetch``: one feed fetched and parsed: its status, validators and entries
  (``FeedEntry``, flows.feeds). ``newswatch feeds check`` reports these too.
- ``FeedState`` (flows.schedule): a feed's stored scheduling state, updated from a FeedFetch.
- ``PendingArticle``: an article waiting for its page, with what the feed said of it.
- ``PageJob`` / ``FeedJob`` (flows.jobs): the work handed to a worker process; ``WorkerReply``
  (flows.workers): what a worker hands back for any job (a value, an error or a timeout).
- ``PageAnalysis`` (flows.analysis): a page's extraction, scored sentences and language.
- ``PageOutcome``: everything learnt from one attempt at an article page, ready to load.
- ``PageLoad`` (flows.warehouse.pages): what loading a batch of outcomes changed.
- ``BatchReport``, ``FeedReportLine``, ``RunReport`` (flows.run_report): what a run tells its
  reader: a page batch's counts, one line per feed (fetched or deferred), the whole run.

Statuses are types (flows.statuses). The rules about articles live here: which failures are
worth another attempt (``is_transient``) and which stored text may replace another (rank).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from flows.analysis import PageAnalysis
from flows.archive import ArchiveRef
from flows.feeds import FeedEntry
from flows.http_client import FetchResult, FetchStatus, Validators
from flows.statuses import SUCCESS_FEED_STATUSES, ArticleStatus, FeedStatus, TextSource

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
