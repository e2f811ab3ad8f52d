"""Records that cross stages (fetch -> archive -> parse/extract -> load), and their rules."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flows.analysis import PageAnalysis
from flows.archive import ArchiveRef
from flows.feeds import FeedEntry
from flows.http_client import FetchResult, FetchStatus, Validators, clamp

SUCCESS_FEED_STATUSES = frozenset({"ok", "not_modified", "unchanged"})
TRANSIENT_HTTP = frozenset({408, 425, 429, 500, 502, 503, 504})
# Worth another attempt on a later run (up to max_page_attempts). The unexpected failures of
# a step (fetch_error, archive_error, load_error) are too: a fixed release gets the page.
TRANSIENT_ARTICLE_STATUSES = frozenset(
    {"pending", "fetch_timeout", "network_error", "extract_error", "worker_error"}
    | {"fetch_error", "archive_error", "load_error"}
)


def new_id() -> str:
    return uuid.uuid4().hex


def sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class FetchSummary:
    """What is kept of an HTTP fetch once its body has been archived and processed."""

    fetch_id: str
    url: str
    final_url: str
    fetched_at: datetime
    status: str
    http_status: int | None
    content_type: str | None
    body_bytes: int
    error: str | None
    elapsed_ms: int
    archive: ArchiveRef | None

    @classmethod
    def of(cls, result: FetchResult, archive: ArchiveRef | None) -> FetchSummary:
        return cls(
            fetch_id=new_id(),
            url=result.url,
            final_url=result.final_url,
            fetched_at=result.fetched_at,
            status=str(result.status),
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
    fetch: FetchSummary
    status: str  # ok | not_modified | unchanged | invalid_feed | a FetchStatus
    error: str | None = None
    validators: Validators = field(default_factory=Validators)
    body_sha256: str | None = None
    retry_after: float | None = None
    permanent_redirect: str | None = None
    entries: tuple[FeedEntry, ...] = ()
    is_bozo: bool = False
    bozo_reason: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status in SUCCESS_FEED_STATUSES


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
class Backoff:
    retry_after_min: float
    retry_after_max: float
    base: float
    maximum: float
    park_after: int
    parked_interval: float

    def delay(self, failures: int, retry_after: float | None) -> float:
        """Seconds before the next attempt after ``failures`` consecutive failures."""
        if failures >= self.park_after:
            return self.parked_interval
        backoff = min(self.maximum, self.base * 2 ** max(0, failures - 1))
        if retry_after is not None:
            return clamp(retry_after, self.retry_after_min, self.retry_after_max)
        return backoff


def next_state(
    state: FeedState, fetch: FeedFetch, entries_new: int, now: datetime, backoff: Backoff
) -> FeedState:
    """The feed's state after a fetch: validators, failure count and when to try again."""
    if fetch.succeeded:
        etag, last_modified, body_hash = state.etag, state.last_modified, state.body_sha256
        if fetch.status == "ok":  # a full 200: the server's validators replace ours
            etag, last_modified = fetch.validators.etag, fetch.validators.last_modified
            body_hash = fetch.body_sha256
        elif fetch.status == "unchanged" and fetch.validators.etag:
            etag, last_modified = fetch.validators.etag, fetch.validators.last_modified
        next_after = None
        if fetch.retry_after is not None and fetch.retry_after > 0:
            next_after = now + timedelta(
                seconds=clamp(fetch.retry_after, backoff.retry_after_min, backoff.retry_after_max)
            )
        return FeedState(
            feed_name=state.feed_name,
            url=fetch.permanent_redirect or state.url,
            etag=etag,
            last_modified=last_modified,
            body_sha256=body_hash,
            consecutive_failures=0,
            next_fetch_after=next_after,
            last_success_at=now,
            last_status=fetch.status,
            last_error=fetch.error,  # e.g. a bozo warning on a feed that still parsed
            last_new_entry_at=now if entries_new else state.last_new_entry_at,
        )
    failures = state.consecutive_failures + 1
    delay = backoff.delay(failures, fetch.retry_after)
    return FeedState(
        feed_name=state.feed_name,
        url=state.url,
        etag=state.etag,
        last_modified=state.last_modified,
        body_sha256=state.body_sha256,
        consecutive_failures=failures,
        next_fetch_after=now + timedelta(seconds=delay),
        last_success_at=state.last_success_at,
        last_status=fetch.status,
        last_error=fetch.error,
        last_new_entry_at=state.last_new_entry_at,
    )


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
    fetch: FetchSummary
    status: str
    reason: str | None = None
    analysis: PageAnalysis | None = None
    text_source: str | None = None  # page | feed_summary | None: where analysis's text is from

    @property
    def has_text(self) -> bool:
        return self.text_source is not None


def page_status(fetch: FetchResult | FetchSummary, analysis: PageAnalysis | None) -> str:
    """The article status for a fetch and (if it got that far) its extraction."""
    status = str(fetch.status)
    if status == FetchStatus.TIMEOUT:
        return "fetch_timeout"
    if status != FetchStatus.OK:
        return status
    if analysis is None:
        return "extract_error"
    return str(analysis.extraction.status)


def is_transient(status: str, http_status: int | None) -> bool:
    """Worth another attempt on a later run."""
    if status == "http_error":
        return http_status in TRANSIENT_HTTP
    return status in TRANSIENT_ARTICLE_STATUSES
