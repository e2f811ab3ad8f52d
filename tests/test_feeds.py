"""Feeds file validation, URL canonicalization and parsing feed bytes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.core.errors import ConfigError
from flows.core.feeds_file import load_feeds_file
from flows.ingest.feeds import canonicalize, parse_feed
from tests.conftest import FIXTURES


def parse_fixture(name: str, content_type: str = "application/rss+xml"):
    return parse_feed("f", (FIXTURES / name).read_bytes(), content_type, "http://site.test/feed")


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("http://site.test/a?utm_source=x&id=1", "http://site.test/a?id=1"),
        ("HTTP://Site.Test:80/a?b=2&a=1#frag", "http://site.test/a?a=1&b=2"),
        ("https://site.test:443/", "https://site.test/"),
        ("https://site.test:8443/x", "https://site.test:8443/x"),
        ("http://site.test/p?fbclid=1&gclid=2&mc_cid=3", "http://site.test/p"),
        ("http://site.test", "http://site.test/"),
        ("http://site.test/a%20b?q=%7e", "http://site.test/a%20b?q=~"),
    ],
)
def test_canonicalize(url: str, canonical: str):
    assert canonicalize(url) == canonical


def test_tracking_parameters_make_one_article_from_two_links():
    parsed = parse_fixture("rss_tracking_params.xml")
    assert parsed.ok and len(parsed.entries) == 3
    articles = {e.article_id for e in parsed.entries}
    assert len(articles) == 2
    assert parsed.entries[0].canonical_url == "http://site.test/a.html?id=7"


def test_summary_is_plain_text_without_script():
    entry = parse_fixture("rss_tracking_params.xml").entries[0]
    assert entry.summary == "First story"
    assert entry.published_at == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_shared_or_missing_guid_still_gives_distinct_entries():
    parsed = parse_fixture("rss_shared_guid.xml")
    assert len({e.entry_id for e in parsed.entries}) == 3


def test_atom_entry_with_relative_link_and_timezone():
    parsed = parse_fixture("atom_basic.xml", "application/atom+xml")
    (entry,) = parsed.entries
    assert entry.url == "http://site.test/story.html"
    assert entry.published_at == datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    assert entry.author == "Ana Cruz"


def test_bozo_feed_with_entries_keeps_entries_and_warns():
    parsed = parse_fixture("rss_bozo_with_entries.xml")
    assert parsed.ok and parsed.is_bozo
    assert [e.title for e in parsed.entries] == ["First & best", "Second"]
    assert parsed.bozo_reason


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty response body"),
        (b"   \n", "empty response body"),
        ((FIXTURES / "html_instead_of_feed.html").read_bytes(), "an HTML page, not a feed"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><title>x', "malformed feed"),
        (b"\x89PNG\r\n\x1a\nbinary", "not a recognisable feed"),
    ],
)
def test_non_feeds_are_feed_errors(body: bytes, message: str):
    parsed = parse_feed("f", body, "text/html", "http://site.test/")
    assert not parsed.ok
    assert message in (parsed.error or "")


def test_valid_feed_with_no_entries_is_ok():
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    parsed = parse_feed("f", body, "application/rss+xml", "http://site.test/")
    assert parsed.ok and parsed.entries == ()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(text)
    return path


def test_feeds_file_loads(tmp_path: Path):
    feeds = load_feeds_file(
        write(tmp_path, "feeds:\n  - {name: a-b, url: 'https://x.org/f', outlet: X}\n")
    )
    assert feeds[0].name == "a-b" and feeds[0].language is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("feeds: [", "not valid YAML"),
        ("other: 1", "top-level 'feeds:' list"),
        ("feeds: []", "list is empty"),
        (
            "feeds:\n  - {name: A B, url: 'https://x.org/', outlet: X}",
            "name: Value error, must be a slug",
        ),
        (
            "feeds:\n  - {name: a, url: 'ftp://x.org/', outlet: X}",
            "url: Value error, must be an http",
        ),
        ("feeds:\n  - {name: a, url: 'https://x.org/'}", "outlet: Field required"),
        (
            "feeds:\n  - {name: a, url: 'https://x.org/', outlet: X, colour: red}",
            "colour: Extra inputs",
        ),
        (
            "feeds:\n  - {name: a, url: 'https://x.org/', outlet: X}\n"
            "  - {name: a, url: 'https://y.org/', outlet: Y}",
            "name 'a' already used by feed #1",
        ),
    ],
)
def test_feeds_file_mistakes_say_what_to_fix(tmp_path: Path, text: str, message: str):
    with pytest.raises(ConfigError) as error:
        load_feeds_file(write(tmp_path, text))
    assert message in str(error.value)


def test_missing_feeds_file_names_the_setting(tmp_path: Path):
    with pytest.raises(ConfigError, match="NEWSWATCH_FEEDS"):
        load_feeds_file(tmp_path / "nope.yaml")


def test_committed_feeds_file_is_valid():
    feeds = load_feeds_file(Path(__file__).parents[1] / "feeds.yaml")
    names = {f.name for f in feeds}
    assert {"voa-east-asia", "voa-china"} <= names
    east_asia = next(f for f in feeds if f.name == "voa-east-asia")
    assert east_asia.url == "https://www.voanews.com/api/zobo_l-vomx-tpepvmv"
