"""Harvest-level checks against a local server: feeds check, and pages fetched once each."""

from __future__ import annotations

from flows.core.records import FeedState
from flows.ingest.harvest import check_feeds
from tests.conftest import FIXTURES
from tests.servers import FixtureServer, Route


def test_feeds_check_reports_each_feed(server: FixtureServer, settings_for):
    server.routes["/good.xml"] = Route(
        (FIXTURES / "atom_basic.xml").read_bytes(), content_type="application/atom+xml"
    )
    server.routes["/page.html"] = Route((FIXTURES / "html_instead_of_feed.html").read_bytes())
    feeds = [
        FeedState("good", server.url("/good.xml")),
        FeedState("html", server.url("/page.html")),
        FeedState("gone", server.url("/gone.xml")),
        FeedState("private", "http://10.0.0.1/feed.xml"),
    ]
    checks = {c.feed_name: c for c in check_feeds(settings_for(server), feeds)}
    assert (checks["good"].status, len(checks["good"].entries), checks["good"].title) == (
        "ok",
        1,
        "Atom",
    )
    assert checks["html"].status == "invalid_feed" and "HTML page" in checks["html"].error
    assert (checks["gone"].status, checks["gone"].fetch.http_status) == ("http_error", 404)
    assert checks["private"].status == "blocked_address"
