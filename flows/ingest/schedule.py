"""Feed scheduling: a feed's stored state, and when to fetch it again after a fetch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flows.core.records import FeedFetch, FeedState
from flows.core.statuses import FeedStatus
from flows.ingest.http_client import clamp


@dataclass(frozen=True)
class Backoff:
    """How long a failing feed waits: doubling from ``base`` up to ``maximum``, a server's
    Retry-After within its bounds, and a long ``parked_interval`` after ``park_after``."""

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
        if fetch.status == FeedStatus.OK:  # a full 200: the server's validators replace ours
            etag, last_modified = fetch.validators.etag, fetch.validators.last_modified
            body_hash = fetch.body_sha256
        elif fetch.status == FeedStatus.UNCHANGED and fetch.validators.etag:
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
