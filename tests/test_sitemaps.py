"""Sitemap backfill: robots.txt lines, article URLs, and walks over sitemaps served from a dict."""

from __future__ import annotations

import gzip
from datetime import UTC, date, datetime
from xml.sax.saxutils import escape

import pytest

from flows.ingest.sitemaps import (
    candidate_sitemaps,
    is_article_url,
    named_dates,
    parse_sitemap,
    robots_sitemaps,
    walk_sitemaps,
)

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def urlset(*entries: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NS} {NEWS_NS}>{"".join(entries)}</urlset>'.encode()


def url(loc: str, lastmod: str | None = None) -> str:
    return f"<url><loc>{loc}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</url>"


def news_url(loc: str, published: str, title: str) -> str:
    return (
        f"<url><loc>{loc}</loc><news:news><news:publication><news:name>Site</news:name>"
        f"<news:language>en</news:language></news:publication>"
        f"<news:publication_date>{published}</news:publication_date>"
        f"<news:title>{title}</news:title></news:news></url>"
    )


def index(*children: tuple[str, str | None]) -> bytes:
    rows = "".join(
        f"<sitemap><loc>{escape(loc)}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</sitemap>"
        for loc, lastmod in children
    )
    return f'<?xml version="1.0"?><sitemapindex {NS}>{rows}</sitemapindex>'.encode()


class Site:
    """A fetch function over a dict of URL -> body; records what was asked for."""

    def __init__(self, bodies: dict[str, bytes]):
        self.bodies = bodies
        self.fetched: list[str] = []

    def __call__(self, address: str) -> tuple[bytes | None, str | None]:
        self.fetched.append(address)
        if address in self.bodies:
            return self.bodies[address], None
        return None, "HTTP 404"


def test_news_sitemap_gives_publication_date_title_and_is_news():
    site = Site(
        {
            "https://site.test/news-sitemap.xml": urlset(
                news_url(
                    "https://site.test/2026/01/02/budget-vote",
                    "2026-01-02T10:00:00+02:00",
                    "Budget &amp; vote",
                ),
                url("https://site.test/2026/01/03/plain-story", "2026-01-03"),
            )
        }
    )
    walk = walk_sitemaps(["https://site.test/news-sitemap.xml"], site, None, None)
    first, second = walk.pages
    assert first.url == "https://site.test/2026/01/02/budget-vote"
    assert first.published_at == datetime(2026, 1, 2, 8, 0, tzinfo=UTC)
    assert first.title == "Budget & vote"
    assert first.is_news and first.sitemap == "https://site.test/news-sitemap.xml"
    assert (second.published_at, second.title, second.is_news) == (
        datetime(2026, 1, 3, tzinfo=UTC),
        None,
        False,
    )
    assert walk.sitemaps_read == ["https://site.test/news-sitemap.xml"] and walk.problems == []


def test_publication_date_wins_over_lastmod_and_dates_filter_inclusively():
    site = Site(
        {
            "https://site.test/s.xml": urlset(
                news_url(
                    "https://site.test/a/first",
                    "2026-01-01T23:30:00-05:00",
                    "Late on the 1st in New York",
                ),
                url("https://site.test/a/on-until", "2026-01-05T23:59:59Z"),
                url("https://site.test/a/after", "2026-01-06T00:00:00Z"),
                url("https://site.test/a/undated"),
            )
        }
    )
    walk = walk_sitemaps(["https://site.test/s.xml"], site, date(2026, 1, 2), date(2026, 1, 5))
    # 23:30 in New York on the 1st is 04:30 UTC on the 2nd: the UTC date is compared.
    assert [p.url for p in walk.pages] == [
        "https://site.test/a/first",
        "https://site.test/a/on-until",
    ]
    assert walk.skipped_out_of_range == 2  # the 6th, and the undated one (since is set)


def test_undated_entries_are_kept_without_since():
    site = Site({"https://site.test/s.xml": urlset(url("https://site.test/a/undated"))})
    walk = walk_sitemaps(["https://site.test/s.xml"], site, None, date(2026, 1, 5))
    assert [(p.url, p.published_at) for p in walk.pages] == [("https://site.test/a/undated", None)]
    assert walk.skipped_out_of_range == 0


def test_index_lastmod_before_since_is_not_walked():
    site = Site(
        {
            "https://site.test/sitemap_index.xml": index(
                ("https://site.test/posts-old.xml", "2025-06-30T12:00:00Z"),
                ("https://site.test/posts-new.xml", "2026-01-03"),
                ("https://site.test/posts-undated.xml", None),
            ),
            "https://site.test/posts-new.xml": urlset(url("https://site.test/a/new", "2026-01-03")),
            "https://site.test/posts-undated.xml": urlset(
                url("https://site.test/a/other", "2026-01-04")
            ),
        }
    )
    walk = walk_sitemaps(["https://site.test/sitemap_index.xml"], site, date(2026, 1, 1), None)
    assert "https://site.test/posts-old.xml" not in site.fetched
    assert walk.skipped_sitemaps == 1
    assert [p.url for p in walk.pages] == ["https://site.test/a/new", "https://site.test/a/other"]
    assert walk.problems == []


def test_loop_is_one_problem_and_every_page_comes_once():
    a, b = "https://site.test/a.xml", "https://site.test/b.xml"
    site = Site(
        {
            a: index((b, None), (a, None)),  # lists itself, too
            b: index((a, None), ("https://site.test/pages.xml", None)),
            "https://site.test/pages.xml": urlset(
                url("https://site.test/a/one"), url("https://site.test/a/two")
            ),
        }
    )
    walk = walk_sitemaps([a], site, None, None)
    assert site.fetched == [a, b, "https://site.test/pages.xml"]
    assert walk.problems == [(a, f"loop: listed again by {a}")]
    assert [p.url for p in walk.pages] == ["https://site.test/a/one", "https://site.test/a/two"]


def test_a_sitemap_listed_by_two_indexes_is_read_once_without_a_problem():
    site = Site(
        {
            "https://site.test/x.xml": index(("https://site.test/shared.xml", None)),
            "https://site.test/y.xml": index(("https://site.test/shared.xml", None)),
            "https://site.test/shared.xml": urlset(url("https://site.test/a/one")),
        }
    )
    walk = walk_sitemaps(["https://site.test/x.xml", "https://site.test/y.xml"], site, None, None)
    assert site.fetched.count("https://site.test/shared.xml") == 1
    assert walk.problems == [] and len(walk.pages) == 1


def test_gzip_child_is_decompressed():
    site = Site(
        {
            "https://site.test/sitemap.xml": index(("https://site.test/sitemap-1.xml.gz", None)),
            "https://site.test/sitemap-1.xml.gz": gzip.compress(
                urlset(url("https://site.test/a/zipped", "2026-01-02"))
            ),
        }
    )
    walk = walk_sitemaps(["https://site.test/sitemap.xml"], site, None, None)
    assert [p.url for p in walk.pages] == ["https://site.test/a/zipped"]
    assert walk.pages[0].sitemap == "https://site.test/sitemap-1.xml.gz"


def test_gzip_bomb_and_broken_gzip_are_problems():
    bomb = gzip.compress(b" " * (51 * 1024 * 1024), compresslevel=9)
    assert parse_sitemap(bomb).error == "gzip expands past 50 MB"
    assert (
        parse_sitemap(gzip.compress(urlset())[:-20]).error
        == "broken gzip: Compressed file ended before the end-of-stream marker was reached"
    )


def test_broken_children_are_problems_and_their_siblings_are_read():
    truncated = urlset(
        url("https://site.test/a/kept"), url("https://site.test/a/cut-short-by-the-server")
    )[:-40]
    site = Site(
        {
            "https://site.test/sitemap.xml": index(
                ("https://site.test/broken.xml", None),
                ("https://site.test/html.xml", None),
                ("https://site.test/missing.xml", None),
                ("https://site.test/truncated.xml", None),
                ("https://site.test/good.xml", None),
            ),
            "https://site.test/broken.xml": b"<urlset><url><loc>https://site.test/a/x</loc></urlset>",
            "https://site.test/html.xml": b"<!DOCTYPE html><html><body>Not found</body></html>",
            "https://site.test/truncated.xml": truncated,
            "https://site.test/good.xml": urlset(url("https://site.test/a/good")),
        }
    )
    walk = walk_sitemaps(["https://site.test/sitemap.xml"], site, None, None)
    problems = dict(walk.problems)
    assert problems["https://site.test/broken.xml"].startswith("broken XML, 0 entries kept: ")
    assert problems["https://site.test/html.xml"] == "not a sitemap: an HTML page"
    assert problems["https://site.test/missing.xml"] == "HTTP 404"
    assert problems["https://site.test/truncated.xml"].startswith("broken XML, 1 entries kept: ")
    assert len(problems) == 4
    # The truncated sitemap keeps what came before the break, never the entry cut short.
    assert [p.url for p in walk.pages] == ["https://site.test/a/kept", "https://site.test/a/good"]


def test_other_xml_and_entities_are_not_sitemaps():
    rss = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    assert parse_sitemap(rss).error == "not a sitemap: the root is <rss>"
    external = (
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<urlset " + NS.encode() + b"><url><loc>https://site.test/a/&e;</loc></url></urlset>"
    )
    (entry,) = parse_sitemap(external).entries
    assert entry.loc == "https://site.test/a/"  # the entity is never resolved


def test_plain_text_sitemap():
    body = b"\xef\xbb\xbfhttps://site.test/2026/01/02/one\n\nhttps://site.test/2026/01/02/two\r\nnot a url\n"
    site = Site({"https://site.test/sitemap.txt": body})
    walk = walk_sitemaps(["https://site.test/sitemap.txt"], site, None, None)
    assert [p.url for p in walk.pages] == [
        "https://site.test/2026/01/02/one",
        "https://site.test/2026/01/02/two",
    ]
    assert walk.sitemaps_read == ["https://site.test/sitemap.txt"]
    assert walk.problems == [
        ("https://site.test/sitemap.txt", "text sitemap: 1 lines are not URLs")
    ]


def test_robots_sitemaps():
    robots = (
        "\ufeffUser-agent: *\nDisallow: /search\n"
        "Sitemap: https://site.test/news-sitemap.xml\n"
        "  sitemap:https://cdn.site.test/sitemap_index.xml # generated\n"
        "SITEMAP: /relative-sitemap.xml\n"
        "Sitemap: https://site.test/news-sitemap.xml\n"
        "# Sitemap: https://site.test/commented.xml\n"
    )
    assert robots_sitemaps(robots) == [
        "https://site.test/news-sitemap.xml",
        "https://cdn.site.test/sitemap_index.xml",
    ]


def test_candidate_sitemaps_put_robots_first_and_deduplicate():
    robots = "Sitemap: https://site.test/sitemap.xml\nSitemap: https://site.test/feeds/news.xml\n"
    found = candidate_sitemaps("https://site.test/some/page", robots)
    assert found[:3] == [
        "https://site.test/sitemap.xml",
        "https://site.test/feeds/news.xml",
        "https://site.test/sitemap_index.xml",
    ]
    assert found.count("https://site.test/sitemap.xml") == 1
    assert "https://site.test/sitemap.xml.gz" in found
    assert candidate_sitemaps("https://site.test", None)[0] == "https://site.test/sitemap.xml"
    with pytest.raises(ValueError, match="not an http"):
        candidate_sitemaps("site.test", None)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("https://site.test/2026/01/02/budget-vote", True),
        ("https://www.site.test/a/budget-vote-123456.html", True),
        ("http://site.test/news/budget-vote", True),
        ("https://site.test/budget-vote", True),
        ("https://site.test/?p=123", False),  # the homepage, with a query
        ("https://site.test/", False),
        ("https://site.test", False),
        ("https://site.test/en/", False),
        ("https://site.test/index.html", False),
        ("https://site.test/tag/budget", False),
        ("https://site.test/tags/budget/", False),
        ("https://site.test/news/category/politics", False),
        ("https://site.test/author/ana-cruz", False),
        ("https://site.test/section/world", False),
        ("https://site.test/topic/elections", False),
        ("https://site.test/news/page/2", False),
        ("https://site.test/news/page-turner-review", True),
        ("https://site.test/search?q=budget", False),
        ("https://site.test/feed/", False),
        ("https://site.test/rss", False),
        ("https://site.test/sitemap-2.xml", False),
        ("https://site.test/media/photo.JPG", False),
        ("https://site.test/video/clip.mp4", False),
        ("https://site.test/news?page=3", False),
        ("https://site.test/news/budget?id=7", True),
        ("https://other.test/2026/01/02/budget-vote", False),
        ("https://news.site.test/2026/01/02/budget-vote", False),
        ("ftp://site.test/2026/01/02/budget-vote", False),
    ],
)
def test_is_article_url(address: str, expected: bool):
    assert is_article_url(address, "site.test") is expected


def test_non_ascii_urls_are_kept_as_given():
    loc = "https://site.test/новости/2026/01/02/выборы-café"
    encoded = "https://site.test/a/%D0%B2%D1%8B%D0%B1%D0%BE%D1%80%D1%8B"
    site = Site(
        {"https://site.test/s.xml": urlset(url(loc, "2026-01-02"), url(encoded, "2026-01-02"))}
    )
    walk = walk_sitemaps(["https://site.test/s.xml"], site, None, None)
    assert [p.url for p in walk.pages] == [loc, encoded]


def test_max_pages_stops_the_walk():
    site = Site(
        {
            "https://site.test/sitemap.xml": index(
                ("https://site.test/one.xml", None), ("https://site.test/two.xml", None)
            ),
            "https://site.test/one.xml": urlset(
                *(url(f"https://site.test/a/story-{n}") for n in range(5))
            ),
            "https://site.test/two.xml": urlset(url("https://site.test/a/never")),
        }
    )
    walk = walk_sitemaps(["https://site.test/sitemap.xml"], site, None, None, max_pages=3)
    assert [p.url for p in walk.pages] == [f"https://site.test/a/story-{n}" for n in range(3)]
    assert "https://site.test/two.xml" not in site.fetched


def test_max_sitemaps_and_max_depth_are_problems():
    chain = {
        f"https://site.test/{n}.xml": index((f"https://site.test/{n + 1}.xml", None))
        for n in range(4)
    }
    walk = walk_sitemaps(["https://site.test/0.xml"], Site(chain), None, None, max_depth=2)
    assert walk.problems == [
        ("https://site.test/2.xml", "too deep: 1 child sitemaps past depth 2 not read")
    ]
    walk = walk_sitemaps(["https://site.test/0.xml"], Site(chain), None, None, max_sitemaps=2)
    assert walk.problems == [
        ("https://site.test/2.xml", "not fetched: max_sitemaps=2 reached, 1 left")
    ]


def test_a_url_listed_twice_keeps_the_first_listing_with_a_date():
    site = Site(
        {
            "https://site.test/s.xml": urlset(
                url("https://site.test/a/one"),
                url("https://site.test/a/two", "2026-01-02"),
                url("https://site.test/a/one", "2026-01-03"),
                url("https://site.test/a/one", "2026-01-04"),
            )
        }
    )
    walk = walk_sitemaps(["https://site.test/s.xml"], site, None, None)
    assert [(p.url, p.published_at) for p in walk.pages] == [
        ("https://site.test/a/one", datetime(2026, 1, 3, tzinfo=UTC)),
        ("https://site.test/a/two", datetime(2026, 1, 2, tzinfo=UTC)),
    ]


def test_children_named_for_dates_out_of_range_are_not_fetched():
    children = [
        "https://site.test/sitemap-2023-05.xml",
        "https://site.test/sitemap.xml?yyyy=2023&mm=05&dd=01",
        "https://site.test/2023/05/sitemap.xml",
        "https://site.test/sitemap-2026-01.xml",
        "https://site.test/sitemap.xml?yyyy=2026&mm=01&dd=02",
        "https://site.test/2026/01/sitemap.xml",
        "https://site.test/sitemap-2026-02-01.xml",  # after until
        "https://site.test/sitemap-posts.xml",  # names no date
    ]
    site = Site({"https://site.test/sitemap_index.xml": index(*((c, None) for c in children))})
    walk = walk_sitemaps(
        ["https://site.test/sitemap_index.xml"], site, date(2026, 1, 1), date(2026, 1, 31)
    )
    assert site.fetched[1:] == [children[3], children[4], children[5], children[7]]
    assert walk.skipped_sitemaps == 4


@pytest.mark.parametrize(
    ("address", "days"),
    [
        ("https://site.test/sitemap-2023-05.xml", (date(2023, 5, 1), date(2023, 5, 31))),
        ("https://site.test/sitemap-2024-02.xml", (date(2024, 2, 1), date(2024, 2, 29))),
        ("https://site.test/sitemap_2023_05_07.xml", (date(2023, 5, 7), date(2023, 5, 7))),
        ("https://site.test/sitemap.xml?yyyy=2023&mm=05", (date(2023, 5, 1), date(2023, 5, 31))),
        ("https://site.test/2023/05/01/sitemap.xml", (date(2023, 5, 1), date(2023, 5, 1))),
        ("https://site.test/sitemap-12023-05.xml", None),
        ("https://site.test/sitemap-2023-13.xml", None),
        ("https://site.test/post-sitemap2.xml", None),
    ],
)
def test_named_dates(address: str, days: tuple[date, date] | None):
    assert named_dates(address) == days


def test_listing_pages_and_other_hosts_are_counted_not_kept():
    body = urlset(
        url("https://site.test/tag/budget"),
        url("https://site.test/"),
        url("https://elsewhere.test/2026/01/02/story"),
        url("https://www.site.test/2026/01/02/story"),
    )
    walk = walk_sitemaps(
        ["https://site.test/s.xml"], Site({"https://site.test/s.xml": body}), None, None
    )
    assert [p.url for p in walk.pages] == ["https://www.site.test/2026/01/02/story"]
    assert walk.skipped_not_article == 3
    # A sitemap on another host (robots.txt may point there) is judged against origin_host.
    cdn = Site({"https://cdn.test/s.xml": body})
    walk = walk_sitemaps(["https://cdn.test/s.xml"], cdn, None, None, origin_host="elsewhere.test")
    assert [p.url for p in walk.pages] == ["https://elsewhere.test/2026/01/02/story"]


def test_a_start_url_that_is_not_http_is_a_problem_and_never_fetched():
    site = Site({"https://site.test/s.xml": urlset(url("https://site.test/a/one"))})
    walk = walk_sitemaps(["/sitemap.xml", "https://site.test/s.xml"], site, None, None)
    assert walk.problems == [("/sitemap.xml", "not an http(s) URL")]
    assert site.fetched == ["https://site.test/s.xml"] and len(walk.pages) == 1
