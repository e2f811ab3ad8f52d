"""The HTTP client against a real local server: validators, guard, robots, caps, redirects."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta

import pytest

from flows.core.records import Validators
from flows.core.statuses import FetchStatus
from flows.ingest.http_client import AddressGuard, HttpClient, is_public_address, parse_retry_after
from tests.servers import FixtureServer, Route, endless, trickle

LAST_MODIFIED = "Wed, 25 Nov 2026 10:00:00 GMT"


def test_conditional_get_sends_the_servers_exact_validators(server: FixtureServer, settings_for):
    server.routes["/feed.xml"] = Route.cached(b"<rss/>", "application/rss+xml", LAST_MODIFIED)
    with HttpClient(settings_for(server)) as client:
        first = client.fetch(server.url("/feed.xml"))
        assert first.status is FetchStatus.OK
        assert first.validators == Validators(server.routes["/feed.xml"].etag, LAST_MODIFIED)
        second = client.fetch(server.url("/feed.xml"), first.validators)
    assert second.status is FetchStatus.NOT_MODIFIED
    assert second.body == b""
    sent = server.requests_to("/feed.xml")[1].headers
    assert sent["if-none-match"] == server.routes["/feed.xml"].etag
    assert sent["if-modified-since"] == LAST_MODIFIED


def test_user_agent_names_the_project_and_a_contact_url(server: FixtureServer, settings_for):
    server.routes["/"] = Route(b"hi")
    with HttpClient(settings_for(server, contact_url="https://example.org/ops")) as client:
        client.fetch(server.url("/"))
    agent = server.requests_to("/")[0].headers["user-agent"]
    assert agent.startswith("newswatch/") and "+https://example.org/ops" in agent


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://localhost:9/",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:9/",
        "http://[::ffff:127.0.0.1]:9/",
        "http://192.168.0.1/",
    ],
)
def test_private_addresses_are_refused(url: str, settings_for):
    with HttpClient(settings_for()) as client:
        result = client.fetch(url)
    assert result.status is FetchStatus.BLOCKED_ADDRESS
    assert "non-public address" in (result.error or "")


def test_allowlist_opens_only_the_listed_address_and_port(server: FixtureServer, settings_for):
    server.routes["/"] = Route(b"ok")
    with HttpClient(settings_for(server)) as client:
        assert client.fetch(server.url("/")).status is FetchStatus.OK
        other_port = f"http://127.0.0.1:{server.port + 1}/"
        assert client.fetch(other_port).status is FetchStatus.BLOCKED_ADDRESS


def test_redirect_to_a_private_address_is_refused(server: FixtureServer, settings_for):
    server.routes["/go"] = Route(status=302, headers={"Location": "http://10.0.0.5/admin"})
    with HttpClient(settings_for(server)) as client:
        result = client.fetch(server.url("/go"))
    assert result.status is FetchStatus.BLOCKED_ADDRESS
    assert result.final_url == "http://10.0.0.5/admin"


def test_host_map_resolves_names_like_curl_resolve(server: FixtureServer, settings_for):
    server.routes["/page"] = Route(b"mapped")
    with HttpClient(settings_for(server)) as client:
        result = client.fetch(server.url("/page", host="site.test"))
    assert result.status is FetchStatus.OK and result.body == b"mapped"
    assert server.requests_to("/page")[0].host == "site.test"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("fe80::1", False),
        ("100.64.0.1", False),
        ("224.0.0.1", False),
        ("2606:4700::1111", True),
    ],
)
def test_is_public_address(address: str, public: bool):
    assert is_public_address(address) is public


def test_guard_permits_public_and_allowlisted_addresses_only():
    guard = AddressGuard(allowlist=("127.0.0.1:8080",))
    assert guard.permits("127.0.0.1", 8080)
    assert not guard.permits("127.0.0.1", 8081)
    assert guard.permits("93.184.216.34", 80)


def test_robots_disallow_is_obeyed_and_fetched_once_per_host(server: FixtureServer, settings_for):
    server.routes["/robots.txt"] = Route(
        b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    server.routes["/private/a.html"] = Route(b"secret")
    server.routes["/public/b.html"] = Route(b"public")
    with HttpClient(settings_for(server)) as client:
        blocked = client.fetch(server.url("/private/a.html"))
        allowed = client.fetch(server.url("/public/b.html"))
    assert blocked.status is FetchStatus.BLOCKED_BY_ROBOTS
    assert allowed.status is FetchStatus.OK
    assert server.hits["/private/a.html"] == 0
    assert server.hits["/robots.txt"] == 1


@pytest.mark.parametrize(
    ("robots_status", "expected"), [(404, FetchStatus.OK), (503, FetchStatus.BLOCKED_BY_ROBOTS)]
)
def test_robots_unavailable_allows_but_unreachable_disallows(
    robots_status: int, expected: FetchStatus, server: FixtureServer, settings_for
):
    server.routes["/robots.txt"] = Route(b"", status=robots_status)
    server.routes["/a"] = Route(b"page")
    with HttpClient(settings_for(server)) as client:
        assert client.fetch(server.url("/a")).status is expected


def test_body_cap_counts_decompressed_bytes(server: FixtureServer, settings_for):
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024))  # 20 MB of zeros, ~20 KB on the wire
    server.routes["/bomb"] = Route(bomb, headers={"Content-Encoding": "gzip"})
    with HttpClient(settings_for(server, max_body_bytes=1024 * 1024)) as client:
        result = client.fetch(server.url("/bomb"))
    assert result.status is FetchStatus.TOO_LARGE
    assert len(result.body) == 1024 * 1024


def test_gzip_body_is_decoded(server: FixtureServer, settings_for):
    server.routes["/z"] = Route(
        gzip.compress(b"<p>hello</p>"), headers={"Content-Encoding": "gzip"}
    )
    with HttpClient(settings_for(server)) as client:
        assert client.fetch(server.url("/z")).body == b"<p>hello</p>"


def test_endless_body_stops_at_the_cap(server: FixtureServer, settings_for):
    server.routes["/endless"] = Route(handler=endless())
    with HttpClient(settings_for(server, max_body_bytes=2 * 1024 * 1024)) as client:
        result = client.fetch(server.url("/endless"))
    assert result.status is FetchStatus.TOO_LARGE


def test_trickling_server_is_stopped_by_the_total_deadline(server: FixtureServer, settings_for):
    server.routes["/slow"] = Route(handler=trickle(b"x" * 100, every=0.3))
    with HttpClient(settings_for(server, total_timeout=1.5, read_timeout=1.0)) as client:
        result = client.fetch(server.url("/slow"))
    assert result.status is FetchStatus.TIMEOUT
    assert result.elapsed < 15  # the whole body would take 30 s: the deadline cut it short


def test_redirect_loop_is_bounded(server: FixtureServer, settings_for):
    server.routes["/a"] = Route(status=302, headers={"Location": "/b"})
    server.routes["/b"] = Route(status=302, headers={"Location": "/a"})
    with HttpClient(settings_for(server, max_redirects=4)) as client:
        result = client.fetch(server.url("/a"))
    assert result.status is FetchStatus.TOO_MANY_REDIRECTS
    assert server.hits["/a"] + server.hits["/b"] == 5


def test_permanent_redirect_is_reported_for_the_feed_url(server: FixtureServer, settings_for):
    server.routes["/old.xml"] = Route(status=301, headers={"Location": "/new.xml"})
    server.routes["/new.xml"] = Route(b"<rss/>", content_type="application/rss+xml")
    with HttpClient(settings_for(server)) as client:
        result = client.fetch(server.url("/old.xml"))
    assert result.status is FetchStatus.OK
    assert result.permanent_redirect_target == server.url("/new.xml")


def test_http_error_keeps_status_and_retry_after(server: FixtureServer, settings_for):
    server.routes["/busy"] = Route(b"slow down", status=429, headers={"Retry-After": "120"})
    with HttpClient(settings_for(server)) as client:
        result = client.fetch(server.url("/busy"))
    assert result.status is FetchStatus.HTTP_ERROR
    assert result.http_status == 429 and result.retry_after == 120.0


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://a/", "http://"]
)
def test_other_schemes_are_refused(url: str, settings_for):
    with HttpClient(settings_for()) as client:
        result = client.fetch(url)
    assert result.status is FetchStatus.INVALID_URL


NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("-5", -5.0),
        ("99999999", 99999999.0),
        ((NOW + timedelta(minutes=10)).strftime("%a, %d %b %Y %H:%M:%S GMT"), 600.0),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None):
    assert parse_retry_after(value, NOW) == expected
