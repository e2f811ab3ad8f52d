"""Every status the ingest records, as a type: feeds, articles, text sources and runs.

``FetchStatus`` is what the HTTP client decides, ``PageStatus`` what the extractor decides;
the other statuses are what the warehouse stores, built from those. The marts'
``accepted_values`` are tested against these enums (tests/test_statuses.py). This module
imports nothing of newswatch: it is the bottom of the vocabulary.
"""

from __future__ import annotations

from enum import StrEnum


class FetchStatus(StrEnum):
    """What one HTTP fetch came to (decided by flows.ingest.http_client)."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    HTTP_ERROR = "http_error"
    BLOCKED_BY_ROBOTS = "blocked_by_robots"
    BLOCKED_ADDRESS = "blocked_address"
    INVALID_URL = "invalid_url"
    TOO_LARGE = "too_large"
    TIMEOUT = "timeout"
    NETWORK_ERROR = "network_error"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    BAD_ENCODING = "bad_content_encoding"
    FETCH_ERROR = "fetch_error"  # an unexpected failure of our own code, with its reason


class PageStatus(StrEnum):
    """What extracting a page came to (decided by flows.text.extract)."""

    OK = "ok"
    EMPTY = "empty"
    NOT_HTML = "not_html"
    DECODE_ERROR = "decode_error"
    EXTRACT_ERROR = "extract_error"


class FeedStatus(StrEnum):
    """What one fetch of a feed came to (raw.feed_fetches.status, raw.feeds.last_status)."""

    OK = "ok"  # fetched and parsed
    NOT_MODIFIED = "not_modified"  # a 304 to our validators
    UNCHANGED = "unchanged"  # a 200 whose body hashes as the last one did
    INVALID_FEED = "invalid_feed"  # fetched, but not a feed the parser could read
    ARCHIVE_ERROR = "archive_error"  # fetched, but the response could not be archived
    # The HTTP client's failures, as it names them:
    HTTP_ERROR = "http_error"
    BLOCKED_BY_ROBOTS = "blocked_by_robots"
    BLOCKED_ADDRESS = "blocked_address"
    INVALID_URL = "invalid_url"
    TOO_LARGE = "too_large"
    TIMEOUT = "timeout"
    NETWORK_ERROR = "network_error"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    BAD_ENCODING = "bad_content_encoding"
    FETCH_ERROR = "fetch_error"
    # Not a fetch: the feed was not due this run (the run report's rows only, never stored).
    DEFERRED = "deferred"

    @property
    def succeeded(self) -> bool:
        """The feed answered as a feed: its failure count starts again."""
        return self in SUCCESS_FEED_STATUSES

    @classmethod
    def of_fetch(cls, status: FetchStatus) -> FeedStatus:
        """A fetch's status as a feed's (an OK fetch still has to parse)."""
        return cls(str(status))


SUCCESS_FEED_STATUSES = frozenset({FeedStatus.OK, FeedStatus.NOT_MODIFIED, FeedStatus.UNCHANGED})


class ArticleStatus(StrEnum):
    """What the latest attempt at an article's page came to (raw.articles.status,
    marts.dim_articles.status)."""

    PENDING = "pending"  # not attempted yet
    # The extractor's statuses (PageStatus):
    OK = "ok"
    EMPTY = "empty"
    NOT_HTML = "not_html"
    DECODE_ERROR = "decode_error"
    EXTRACT_ERROR = "extract_error"  # also: the worker failed on the page
    # The worker pool's:
    TIMEOUT = "timeout"  # extraction overran its limit and the worker was killed
    WORKER_ERROR = "worker_error"  # the worker (or its Dask chunk) was lost
    # The HTTP client's failures (FetchStatus), a timeout renamed so as not to be the above:
    HTTP_ERROR = "http_error"
    FETCH_TIMEOUT = "fetch_timeout"
    NETWORK_ERROR = "network_error"
    BLOCKED_BY_ROBOTS = "blocked_by_robots"
    BLOCKED_ADDRESS = "blocked_address"
    INVALID_URL = "invalid_url"
    TOO_LARGE = "too_large"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    BAD_ENCODING = "bad_content_encoding"
    FETCH_ERROR = "fetch_error"
    # Our own steps after the fetch:
    ARCHIVE_ERROR = "archive_error"
    SCORE_ERROR = "score_error"  # text extracted and kept; splitting or scoring failed
    LOAD_ERROR = "load_error"  # the page's values could not be stored

    @classmethod
    def of_fetch(cls, status: FetchStatus) -> ArticleStatus:
        """A failed page fetch's status as the article's."""
        if status == FetchStatus.TIMEOUT:
            return cls.FETCH_TIMEOUT
        if status == FetchStatus.NOT_MODIFIED:  # a 304 to a request without validators
            return cls.HTTP_ERROR
        return cls(str(status))

    @classmethod
    def of_page(cls, status: PageStatus) -> ArticleStatus:
        return cls(str(status))


class TextSource(StrEnum):
    """Where an article's stored text came from (raw.articles.text_source)."""

    PAGE = "page"  # extracted from the article's page
    FEED_SUMMARY = "feed_summary"  # the feed's summary, standing in for a page without text


class RunStatus(StrEnum):
    """A run's progress in raw.runs.status."""

    RUNNING = "running"
    INGESTED = "ingested"  # loaded raw; the transform runs in its own flow
    COMPLETED = "completed"
    FAILED = "failed"  # no feed at all could be fetched
    TRANSFORM_FAILED = "transform_failed"
