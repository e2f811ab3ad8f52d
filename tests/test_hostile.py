"""Hostile feeds, pages and servers, against a real local server: every case ends in a recorded
outcome, bounded in time and memory, with nothing lost and nothing reaching inside.
docs/reliability.md lists each case with its test."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flows import warehouse
from flows.core.feeds_file import FeedConfig
from flows.core.records import FeedFetch, FeedState, LoggedFetch, PageOutcome, PendingArticle
from flows.core.statuses import FetchStatus, PageStatus
from flows.demo_site.render import load_articles, render_article
from flows.ingest.archive import read_response
from flows.ingest.feeds import parse_feed
from flows.ingest.harvest import Harvester
from flows.ingest.http_client import HttpClient, _Decoder, parse_retry_after
from flows.ingest.jobs import PageJob, run_page_job
from flows.ingest.schedule import Backoff, next_state
from flows.text.extract import decode, extract_page
from tests.conftest import FIXTURES
from tests.servers import FixtureServer, Route, sized

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
BACKOFF = Backoff(
    retry_after_min=60,
    retry_after_max=86400,
    base=300,
    maximum=6 * 3600,
    park_after=10,
    parked_interval=86400,
)


PAGE = render_article(load_articles()[0], load_articles()[1:4]).encode()


@pytest.fixture
def harvester(tmp_path: Path, server: FixtureServer, settings_for):
    h = Harvester(settings_for(server, extract_timeout=10.0), "test-run")
    yield h
    h.close()


def rss(*links: str, title: str = "Feed") -> bytes:
    items = "".join(f"<item><title>{link}</title><link>{link}</link></item>" for link in links)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{items}</channel></rss>'.encode()


# -- feeds and HTTP ---------------------------------------------------------------------------


def test_unchanged_body_without_validators_counts_as_not_modified(harvester, server):
    server.routes["/feed.xml"] = Route(
        rss("http://site.test/a"), content_type="application/rss+xml"
    )
    state = FeedState("f", server.url("/feed.xml"))
    (first,) = harvester.fetch_feeds([state])
    assert first.status == "ok" and len(first.entries) == 1
    after = next_state(state, first, 1, NOW, BACKOFF)
    (second,) = harvester.fetch_feeds([after])
    assert second.status == "unchanged" and second.entries == ()
    assert server.hits["/feed.xml"] == 2


@pytest.mark.parametrize(
    ("header", "expected_delay"),
    [
        ("120", 120),  # seconds
        ((NOW + timedelta(minutes=10)).strftime("%a, %d %b %Y %H:%M:%S GMT"), 600),  # HTTP date
        ("-5", 60),  # negative: clamped to the minimum
        ("99999999", 86400),  # huge: clamped to the maximum
        ("soon, maybe", 300),  # garbage: ignored, ordinary backoff
    ],
)
def test_retry_after_sets_a_clamped_next_fetch_time(header: str, expected_delay: int):
    fetch = FeedFetch(
        "f",
        LoggedFetch("x", "u", "u", NOW, "http_error", 429, None, 0, "HTTP 429", 1, None),
        "http_error",
        error="HTTP 429 Too Many Requests",
        retry_after=parse_retry_after(header, NOW),
    )
    state = next_state(FeedState("f", "u"), fetch, 0, NOW, BACKOFF)
    assert state.next_fetch_after == NOW + timedelta(seconds=expected_delay)
    assert state.consecutive_failures == 1 and state.last_error == "HTTP 429 Too Many Requests"


def test_failures_back_off_then_park_and_a_success_resets():
    summary = LoggedFetch("x", "u", "u", NOW, "network_error", None, None, 0, "refused", 1, None)
    failure = FeedFetch("f", summary, "network_error", error="connection refused")
    state = FeedState("f", "u", etag='"v1"')
    delays = []
    for _ in range(11):
        state = next_state(state, failure, 0, NOW, BACKOFF)
        delays.append((state.next_fetch_after - NOW).total_seconds())
    assert delays[:9] == [300, 600, 1200, 2400, 4800, 9600, 19200, 6 * 3600, 6 * 3600]
    assert delays[9:] == [86400, 86400]  # parked after 10 failures: once a day
    assert state.last_error == "connection refused" and state.etag == '"v1"'
    success = FeedFetch("f", summary, "not_modified")
    state = next_state(state, success, 0, NOW, BACKOFF)
    assert state.consecutive_failures == 0 and state.next_fetch_after is None


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        (b"", "application/rss+xml", "empty response body"),
        (
            (FIXTURES / "html_instead_of_feed.html").read_bytes(),
            "text/html",
            "an HTML page, not a feed",
        ),
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>cut',
            "application/rss+xml",
            "malformed feed with no entries",
        ),
    ],
)
def test_non_feeds_are_recorded_feed_errors(harvester, server, body, content_type, error):
    server.routes["/feed"] = Route(body, content_type=content_type)
    (fetch,) = harvester.fetch_feeds([FeedState("f", server.url("/feed"))])
    assert fetch.status == "invalid_feed"
    assert error in fetch.error
    assert fetch.fetch.archive is not None  # the bad response is archived all the same


def test_malformed_feed_with_entries_keeps_them_with_a_warning(harvester, server):
    server.routes["/feed"] = Route((FIXTURES / "rss_bozo_with_entries.xml").read_bytes())
    (fetch,) = harvester.fetch_feeds([FeedState("f", server.url("/feed"))])
    assert fetch.status == "ok" and len(fetch.entries) == 2
    assert fetch.error.startswith("feed is malformed but readable")


def test_permanent_redirect_updates_the_stored_feed_url(harvester, server, tmp_path: Path):
    server.routes["/old.xml"] = Route(status=301, headers={"Location": "/new.xml"})
    server.routes["/new.xml"] = Route(rss("http://site.test/a"), content_type="application/rss+xml")
    with warehouse.open_warehouse(tmp_path / "w.duckdb") as con:
        warehouse.sync_feeds(con, [FeedConfig(name="f", url=server.url("/old.xml"), outlet="O")])
        state = warehouse.feed_states(con)["f"]
        (fetch,) = harvester.fetch_feeds([state])
        new = next_state(state, fetch, 1, NOW, BACKOFF)
        warehouse.load_feed_fetches(con, "r", [fetch], [new], {"f": 1})
        assert warehouse.feed_states(con)["f"].url == server.url("/new.xml")
        configured = con.execute("select configured_url from raw.feeds").fetchall()
    assert configured == [(server.url("/old.xml"),)]  # what the user wrote stays visible


def test_temporary_redirect_does_not_move_the_feed(server, settings_for):
    server.routes["/feed.xml"] = Route(status=302, headers={"Location": "/today.xml"})
    server.routes["/today.xml"] = Route(rss("http://site.test/a"))
    with HttpClient(settings_for(server)) as client:
        assert client.fetch(server.url("/feed.xml")).permanent_redirect_target is None


def test_decoder_never_inflates_more_than_asked():
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024))
    decoder = _Decoder("gzip")
    produced = sum(len(piece) for piece in decoder.feed(bomb, limit=100_000))
    assert produced <= 100_001  # 50 MB behind 50 KB: only what was asked for is ever inflated


def test_hundred_megabyte_body_stops_at_the_cap(server, settings_for):
    server.routes["/big"] = Route(handler=sized(100 * 1024 * 1024))
    with HttpClient(settings_for(server, max_body_bytes=5 * 1024 * 1024)) as client:
        result = client.fetch(server.url("/big"))
    assert result.status is FetchStatus.TOO_LARGE and len(result.body) == 5 * 1024 * 1024


@pytest.mark.parametrize(
    ("fixture", "title"),
    [("rss_billion_laughs.xml", "Billion laughs"), ("rss_quadratic_blowup.xml", "Quadratic")],
)
def test_entity_bombs_are_refused_and_items_kept(harvester, server, fixture: str, title: str):
    server.routes["/feed"] = Route(
        (FIXTURES / fixture).read_bytes(), content_type="application/rss+xml"
    )
    (fetch,) = harvester.fetch_feeds([FeedState("f", server.url("/feed"))])
    assert fetch.status == "ok" and [e.title for e in fetch.entries] == [title]
    assert fetch.is_bozo  # recorded as a malformed feed
    assert "lollol" not in repr(fetch) and "AAAA" not in repr(fetch)  # never expanded


def test_external_entity_never_reads_a_local_file(harvester, server, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    body = (FIXTURES / "rss_external_entity.xml").read_text().replace("SECRET_PATH", str(secret))
    server.routes["/feed"] = Route(body.encode(), content_type="application/rss+xml")
    (fetch,) = harvester.fetch_feeds([FeedState("f", server.url("/feed"))])
    assert fetch.status == "ok" and len(fetch.entries) == 1
    assert "TOP-SECRET" not in repr(fetch.entries)


def test_author_built_for_regex_backtracking_is_cut_before_parsing(harvester, server):
    server.routes["/feed"] = Route((FIXTURES / "rss_regex_backtracking_author.xml").read_bytes())
    (fetch,) = harvester.fetch_feeds([FeedState("f", server.url("/feed"))])
    # Not killed at the 10 s worker limit: parsed, with the author cut to 512 characters.
    assert fetch.status == "ok"
    assert len(fetch.entries[0].author or "") <= 512


def test_feed_too_slow_to_parse_is_killed_and_recorded(server, settings_for):
    links = [f"http://site.test/{i}.html" for i in range(100_000)]
    server.routes["/feed"] = Route(rss(*links), content_type="application/rss+xml")
    h = Harvester(settings_for(server, extract_timeout=1.0, max_body_bytes=50 * 1024 * 1024), "t")
    try:
        (fetch,) = h.fetch_feeds([FeedState("f", server.url("/feed"))])
    finally:
        h.close()
    assert fetch.status == "invalid_feed"
    assert fetch.error == "feed parser killed after 1s"


def test_crawl_delay_is_honoured(server, settings_for):
    server.routes["/robots.txt"] = Route(
        b"User-agent: *\nCrawl-delay: 1\n", content_type="text/plain"
    )
    server.routes["/a"] = Route(b"a")
    server.routes["/b"] = Route(b"b")
    with HttpClient(settings_for(server, per_host_delay=0.0)) as client:
        client.fetch(server.url("/a"))
        client.fetch(server.url("/b"))
    (first,), (second,) = server.requests_to("/a"), server.requests_to("/b")
    assert second.at - first.at >= 0.9


# -- pages ------------------------------------------------------------------------------------


def test_javascript_only_page_is_empty():
    result = extract_page(
        (FIXTURES / "article_js_only.html").read_bytes(), "http://x/a", "text/html"
    )
    assert result.status is PageStatus.EMPTY and result.text is None


def test_scripts_handlers_javascript_links_and_control_characters_never_reach_text():
    result = extract_page(
        (FIXTURES / "article_scripts_and_controls.html").read_bytes(), "http://x/a", "text/html"
    )
    assert result.status is PageStatus.OK
    assert "Paragraph 7: officials in Manila" in result.text
    for forbidden in ("alert(", "javascript:", "steal()", "\x00", "\x07", "\u200b"):
        assert forbidden not in result.text


def test_invalid_utf8_is_a_recorded_status_not_mojibake():
    body = (
        b"<html><body><article><p>"
        + b"News text \xff\xfe\xfa\xfb " * 300
        + b"</p></article></body></html>"
    )
    text, _encoding, problem = decode(body, "text/html; charset=utf-8")
    result = extract_page(body, "http://x/a", "text/html; charset=utf-8")
    if text is None:
        assert result.status is PageStatus.DECODE_ERROR and "not valid" in result.reason
    else:  # decoded as some other single-byte charset: then nothing was replaced
        assert "\ufffd" not in text and problem is None


def test_a_few_bad_bytes_are_replaced_and_recorded():
    body = ("<p>" + "Clean text. " * 2000 + "</p>").encode() + b"\xff"
    text, _encoding, problem = decode(body, "text/html; charset=utf-8")
    assert text is not None and problem == "1 undecodable bytes replaced"


def test_huge_page_is_killed_at_the_time_limit_and_the_batch_goes_on(server, settings_for):
    rows = "".join(
        f"<tr><td>cell {i}</td><td><div><span>{i}</span></div></td></tr>" for i in range(150_000)
    )
    server.routes["/huge.html"] = Route(f"<html><body><table>{rows}</table></body></html>".encode())
    articles = load_articles()
    server.routes["/fine.html"] = Route(render_article(articles[0], articles[1:4]).encode())
    h = Harvester(settings_for(server, extract_timeout=60.0, max_body_bytes=50 * 1024 * 1024), "t")
    try:
        # Warm both workers first: a fresh worker imports its modules on its first job, which
        # on a loaded machine can take longer than the 1 s limit under test.
        for key in ("warm-1", "warm-2"):
            h.pool.submit(key, run_page_job, PageJob(key, "http://x/a", PAGE, "text/html"))
        assert all(outcome.ok for outcome in h.pool.drain())
        h.pool.timeout = 1.0
        outcomes = h.harvest(
            [
                PendingArticle("huge", server.url("/huge.html")),
                PendingArticle("fine", server.url("/fine.html")),
            ]
        )
    finally:
        h.close()
    statuses = {o.article_id: o.status for o in outcomes}
    assert statuses == {"huge": "timeout", "fine": "ok"}
    assert "killed after 1s" in next(o.reason for o in outcomes if o.article_id == "huge")


# -- URLs -------------------------------------------------------------------------------------

LONG_PATH = "/long/" + "a" * 8000 + ".html"  # under the 8192-character limit: fetched


def utf8_redirect(location: str):
    """A redirect whose Location carries raw UTF-8 bytes, as some servers send."""

    def handler(request) -> None:
        request.wfile.write(
            b"HTTP/1.1 302 Found\r\nLocation: " + location.encode() + b"\r\n"
            b"Content-Length: 0\r\n\r\n"
        )

    return handler


# (link as the feed gives it, path the server must see or None, expected article status)
HOSTILE_URLS = [
    ("http://site.test/noticias/año-nuevo.html", "/noticias/a%C3%B1o-nuevo.html", "ok"),
    (
        "http://site.test/новости/мир.html",
        "/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/%D0%BC%D0%B8%D1%80.html",
        "ok",
    ),
    ("http://site.test/search?q=café&lang=fr", "/search", "ok"),
    ("http://site.test/a story with spaces.html", "/a%20story%20with%20spaces.html", "ok"),
    ("http://site.test/caf%C3%A9-und-é.html", "/caf%C3%A9-und-%C3%A9.html", "ok"),  # never twice
    ("http://site.test/100%pure%zz.html", "/100%pure%zz.html", "ok"),  # stray % sent as is
    ("http://site.test/frag.html#über", "/frag.html", "ok"),  # a fragment is never sent
    ("http://bücher.test/seite.html", "/seite.html", "ok"),  # IDN host, resolved as xn--
    ("http://site.test/moved-to-iri", "/ziel/stra%C3%9Fe.html", "ok"),  # UTF-8 bytes in Location
    (f"http://site.test{LONG_PATH}", LONG_PATH, "ok"),
    ("http://site.test/" + "x" * 9000, None, "invalid_url"),
    ("http://ex ample.test/a.html", None, "invalid_url"),
    ("http://☃.test/a.html", None, "invalid_url"),
]


def test_hostile_urls_are_fetched_archived_and_stored(server, settings_for, tmp_path: Path):
    for _link, path, status in HOSTILE_URLS:
        if status == "ok" and path != "/search":
            server.routes[path] = Route(PAGE)
    server.routes["/search"] = Route(PAGE)
    server.routes["/moved-to-iri"] = Route(handler=utf8_redirect("/ziel/straße.html"))
    host_map = {**server.host_map, "xn--bcher-kva.test:80": f"127.0.0.1:{server.port}"}
    settings = settings_for(server, host_map=host_map, extract_timeout=10.0)
    articles = [PendingArticle(f"a{i}", link) for i, (link, _, _) in enumerate(HOSTILE_URLS)]
    harvester = Harvester(settings, "iri-run")
    try:
        outcomes = {o.article_id: o for o in harvester.harvest(articles)}
    finally:
        harvester.close()
    seen = {s.path for s in server.seen}
    for i, (link, path, status) in enumerate(HOSTILE_URLS):
        got = outcomes[f"a{i}"]
        assert (got.status, link) == (status, link), got.reason
        assert got.fetch.url == link  # the link as the feed gave it is what is stored
        if status == "ok":
            assert path in seen
            assert got.fetch.final_url.isascii() and " " not in got.fetch.final_url
            response = read_response(settings.archive_path, got.fetch.archive)
            assert response.url == got.fetch.final_url and response.body == PAGE
    assert outcomes["a10"].reason == "URL is 9017 characters long (limit 8192)"
    assert "host name" in outcomes["a11"].reason and "IDNA" in outcomes["a12"].reason
    assert outcomes["a7"].fetch.final_url == "http://xn--bcher-kva.test/seite.html"
    with warehouse.open_warehouse(tmp_path / "w.duckdb") as con:
        for article in articles:
            con.execute(
                "insert into raw.articles (article_id, canonical_url, url, status, "
                "fetch_attempts, first_seen_at, loaded_at, run_id) "
                "values (?, ?, ?, 'pending', 0, ?, ?, 'r')",
                [article.article_id, article.url, article.url, NOW, NOW],
            )
        warehouse.load_page_outcomes(con, "iri-run", list(outcomes.values()))
        stored = dict(
            con.execute(
                "select url, status from raw.page_fetches where article_id = 'a0'"
            ).fetchall()
        )
        texts = con.execute("select count(*) from raw.articles where status = 'ok'").fetchall()
    assert stored == {"http://site.test/noticias/año-nuevo.html": "ok"}
    assert texts == [(10,)]


def test_an_iri_feed_link_goes_through_the_whole_run(server, settings_for, tmp_path: Path):
    """The crash from the field: a feed entry linking to an IRI failed the WARC writer."""
    server.routes["/feed.xml"] = Route(
        rss("http://site.test/noticias/año-nuevo.html", "http://site.test/plain.html"),
        content_type="application/rss+xml",
    )
    server.routes["/noticias/a%C3%B1o-nuevo.html"] = Route(PAGE)
    server.routes["/plain.html"] = Route(PAGE)
    harvester = Harvester(settings_for(server), "iri-feed")
    try:
        (fetch,) = harvester.fetch_feeds([FeedState("f", server.url("/feed.xml"))])
        pending = [PendingArticle(e.article_id, e.url) for e in fetch.entries]
        outcomes = harvester.harvest(pending)
    finally:
        harvester.close()
    assert fetch.entries[0].canonical_url == "http://site.test/noticias/a%C3%B1o-nuevo.html"
    assert sorted(o.status for o in outcomes) == ["ok", "ok"]


# -- every per-item step fails alone ----------------------------------------------------------


SUMMARY = "Officials from both countries met on Tuesday to discuss fishing rights in the strait."


def harvest_bad_and_good(server, settings_for) -> dict[str, PageOutcome]:
    """Harvest /bad.html (with a feed summary) and /good.html; outcomes by article id."""
    server.routes["/good.html"] = Route(PAGE)
    server.routes["/bad.html"] = Route(PAGE)
    h = Harvester(settings_for(server), "t")
    try:
        outcomes = h.harvest(
            [
                PendingArticle("bad", server.url("/bad.html"), summary=SUMMARY),
                PendingArticle("good", server.url("/good.html")),
            ]
        )
    finally:
        h.close()
    return {o.article_id: o for o in outcomes}


def test_an_unexpected_fetch_failure_is_that_pages_status(server, settings_for, monkeypatch):
    real_get = HttpClient._get

    def failing_get(self, attempt, *args, **kwargs):
        if attempt.url.endswith("/bad.html"):
            raise RuntimeError("injected fault")
        return real_get(self, attempt, *args, **kwargs)

    monkeypatch.setattr(HttpClient, "_get", failing_get)
    by_id = harvest_bad_and_good(server, settings_for)
    assert by_id["good"].status == "ok"
    assert by_id["bad"].status == "fetch_error"
    assert by_id["bad"].reason == "RuntimeError: injected fault"
    assert by_id["bad"].text_source == "feed_summary"  # the summary stands in, as for any failure


def test_a_response_that_cannot_be_archived_fails_alone(server, settings_for, monkeypatch):
    from flows.ingest.archive import ArchiveWriter

    real_members = ArchiveWriter._members

    def failing_members(self, result):
        if result.final_url.endswith("/bad.html"):
            raise UnicodeEncodeError("ascii", "ß", 0, 1, "injected fault")
        return real_members(self, result)

    monkeypatch.setattr(ArchiveWriter, "_members", failing_members)
    by_id = harvest_bad_and_good(server, settings_for)
    assert by_id["good"].status == "ok" and by_id["good"].fetch.archive is not None
    assert by_id["bad"].status == "archive_error" and by_id["bad"].fetch.archive is None
    assert "cannot archive the response: UnicodeEncodeError" in by_id["bad"].reason
    assert by_id["bad"].text_source == "feed_summary"


def test_a_scoring_failure_keeps_the_text_and_records_the_reason(monkeypatch):
    from flows.ingest import jobs

    def failing(*args):
        raise ValueError("injected fault")

    monkeypatch.setattr(jobs, "analyse_text", failing)
    result = jobs.run_page_job(jobs.PageJob("a", "http://x/a", PAGE, "text/html"))
    assert result.extraction.status is PageStatus.OK and result.extraction.text
    assert result.sentences == () and result.score_error == "ValueError: injected fault"


def test_a_page_whose_values_cannot_be_stored_fails_alone(tmp_path: Path):
    from flows.core.records import Extraction, PageAnalysis
    from flows.text.analysis import analyse_text

    def outcome(article_id: str, title: str) -> PageOutcome:
        text = "Ministers met on Tuesday. They agreed on quotas for the next season."
        extraction = Extraction(PageStatus.OK, text=text, title=title, word_count=12)
        analysis = PageAnalysis(article_id, extraction, analyse_text(title, text)[0])
        url = f"http://site.test/{article_id}"
        summary = LoggedFetch(article_id, url, url, NOW, "ok", 200, "text/html", 9, None, 1, None)
        return PageOutcome(article_id, summary, "ok", None, analysis, "page")

    with warehouse.open_warehouse(tmp_path / "w.duckdb") as con:
        for article_id in ("good", "bad"):
            con.execute(
                "insert into raw.articles (article_id, canonical_url, url, status, "
                "fetch_attempts, first_seen_at, loaded_at, run_id) "
                "values (?, ?, ?, 'pending', 0, ?, ?, 'r')",
                [article_id, article_id, article_id, NOW, NOW],
            )
        # A lone surrogate: no encoding can store it, so Arrow refuses the whole batch.
        warehouse.load_page_outcomes(con, "r", [outcome("good", "Fine"), outcome("bad", "\ud800")])
        rows = con.execute(
            "select article_id, status, status_reason, text is not null, title "
            "from raw.articles order by article_id"
        ).fetchall()
        sentences = con.execute(
            "select article_id, count(*) from raw.sentences group by all"
        ).fetchall()
    (bad, good) = rows
    assert good == ("good", "ok", None, True, "Fine")
    assert bad[:2] == ("bad", "load_error") and "surrogates not allowed" in bad[2]
    assert bad[3:] == (False, "\\ud800")  # kept, escaped, so the row says what was wrong
    assert sentences == [("good", 3)]


def test_a_character_reference_no_encoding_has_costs_nothing_but_itself():
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<item><title>Bad &#xD800; ref &#1114112; here</title><link>http://site.test/a</link>"
        b"</item><item><title>Fine &#233;</title><link>http://site.test/b</link></item>"
        b"</channel></rss>"
    )
    parsed = parse_feed("f", body, "application/rss+xml", "http://site.test/")
    assert parsed.ok
    assert [e.title for e in parsed.entries] == ["Bad \ufffd ref \ufffd here", "Fine é"]
