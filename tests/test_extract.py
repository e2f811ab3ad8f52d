"""Page extraction: honest decoding, status for pages without article text."""

from __future__ import annotations

import pytest

from flows.core.statuses import PageStatus
from flows.demo_site.render import OUTLETS, load_articles, render_article, render_video_page
from flows.text.extract import decode, extract_page
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def demo_page() -> tuple[bytes, str]:
    articles = load_articles()
    article = next(a for a in articles if a.slug == "second-thomas-shoal-resupply")
    html = render_article(article, articles[:4]).encode()
    return html, article


def test_article_text_and_metadata_without_boilerplate(demo_page):
    html, article = demo_page
    result = extract_page(html, "http://harborwire.example/a.html", "text/html; charset=utf-8")
    assert result.status is PageStatus.OK
    # Every paragraph in order; the headline is the title, not repeated in the text.
    assert result.text.split("\n") == list(article.paragraphs)
    assert (
        result.title == "Philippines completes Second Thomas Shoal resupply as Chinese ships watch"
    )
    assert result.author == "Paolo Reyes"
    assert result.published == "2026-11-09"
    assert result.language == "en"
    for boilerplate in (
        "Share on Facebook",
        "Get the morning briefing",
        "Related stories",
        "Cookie settings",
        "gtag",
    ):
        assert boilerplate not in result.text


def test_video_only_page_is_empty():
    html = render_video_page(OUTLETS["pacific-herald"], "Watch: coast guard footage").encode()
    result = extract_page(html, "http://x.example/v.html", "text/html")
    assert result.status is PageStatus.EMPTY
    assert result.text is None


@pytest.mark.parametrize(
    ("body", "content_type", "kind"),
    [
        (b"%PDF-1.7 ...", "application/pdf", "application/pdf"),
        (b"%PDF-1.7 ...", "text/html", "application/pdf"),  # mislabelled: magic bytes win
        (b"\x89PNG\r\n\x1a\n....", None, "image/png"),
        (b'{"a": 1}', "application/json", "application/json"),
        (b'{"a": 1}', None, "application/json"),
        (b"plain words", "text/plain; charset=utf-8", "text/plain"),
    ],
)
def test_non_html_is_not_html(body: bytes, content_type: str | None, kind: str):
    result = extract_page(body, "http://x.example/f", content_type)
    assert result.status is PageStatus.NOT_HTML
    assert result.reason == f"content is {kind}"


@pytest.mark.parametrize(
    ("fixture", "encoding", "phrase"),
    [
        ("article_windows1251.html", "windows-1251", "Министр иностранных дел России"),
        ("article_shift_jis.html", "shift_jis", "日本と中国の外相は東京で会談し"),
    ],
)
def test_undeclared_legacy_charsets_decode_correctly(fixture: str, encoding: str, phrase: str):
    body = (FIXTURES / fixture).read_bytes()
    result = extract_page(body, "http://x.example/a", "text/html")
    assert result.status is PageStatus.OK, result.reason
    assert phrase in result.text
    assert result.encoding.replace("_", "-").lower() in (encoding, "cp1251", "shift-jis", "cp932")


def test_declared_charset_wins_over_detection():
    body = "<p>café</p>".encode("latin-1")
    text, encoding, problem = decode(body, "text/html; charset=ISO-8859-1")
    assert text == "<p>café</p>" and encoding == "iso8859-1" and problem is None


def test_invalid_utf8_is_recorded_not_stored_as_mojibake():
    body = b"<html><body><p>" + b"\xff\xfe\xfa" * 500 + b"</p></body></html>"
    text, _encoding, problem = decode(body, "text/html; charset=utf-8")
    assert text is None or "\ufffd" not in text or problem


def test_short_page_is_empty_with_word_count():
    html = b"<html><body><article><p>Only a few words here.</p></article></body></html>"
    result = extract_page(html, "http://x.example/s", "text/html", min_words=25)
    assert result.status is PageStatus.EMPTY


def _pages_with_boilerplate() -> list[tuple[str, bytes]]:
    articles = load_articles()
    pages = [
        (a.slug, render_article(a, articles[i % 3 : i % 3 + 4]).encode())
        for i, a in enumerate(articles)
    ]
    pages.append(("video", render_video_page(OUTLETS["pacific-herald"], "Watch").encode()))
    pages += [(p.name, p.read_bytes()) for p in sorted(FIXTURES.glob("*.html"))]
    return pages


@pytest.mark.parametrize(("name", "html"), _pages_with_boilerplate(), ids=lambda v: str(v)[:30])
def test_discarding_boilerplate_first_changes_no_text(name: str, html: bytes):
    """The speed-up of deleting up front what trafilatura deletes anyway must be invisible:
    with and without it, trafilatura returns the same text from every sample page."""
    import trafilatura
    from trafilatura.utils import load_html

    from flows.text.extract import TRAFILATURA_OPTIONS, discard_boilerplate

    def text(prune: bool) -> str | None:
        tree = load_html(html)
        if prune:
            discard_boilerplate(tree)
        document = trafilatura.bare_extraction(
            tree, fast=True, favor_precision=True, **TRAFILATURA_OPTIONS
        )
        return document.text if document else None

    pruned = load_html(html)
    discard_boilerplate(pruned)
    assert not pruned.xpath("//nav | //footer | //script[not(@type='application/ld+json')]")
    assert text(prune=True) == text(prune=False)


def test_discarding_boilerplate_keeps_json_ld_and_tail_text():
    from lxml.html import fromstring

    from flows.text.extract import discard_boilerplate

    tree = fromstring(
        "<html><body><p>Before <button>Share</button>after.</p>"
        '<script>track()</script><script type="application/ld+json">{"@type": "X"}</script>'
        "</body></html>"
    )
    discard_boilerplate(tree)
    assert tree.xpath("string(//p)") == "Before after."
    assert [s.get("type") for s in tree.iter("script")] == ["application/ld+json"]


PROSE = (
    "Officials from both countries met on Tuesday to discuss fishing rights in the strait, "
    "and agreed to meet again before the end of the year to settle the remaining questions. "
)


def _article(inner: str) -> bytes:
    return (
        "<html><body><article><h1>Ministers meet on fishing rights</h1>"
        f"<p>{PROSE * 2}</p>{inner}<p>{PROSE * 2}</p></article></body></html>"
    ).encode()


@pytest.mark.parametrize(
    "link",
    [
        '<a href="/people/jane-doe">Jane Doe</a>',
        '<a href="/people/jane-doe"><i class="icon"></i>Jane Doe</a>',
        '<a href="/people/jane-doe"><b></b>Jane Doe</a>',
        '<a href="/people/jane-doe"><span class="ico"><img src="i.png"></span>Jane Doe</a>',
        '<a href="/people/jane-doe"><span><em></em></span>Jane Doe</a>',
        '<strong><a href="/people/jane-doe"><span></span>Jane Doe</a></strong>',
    ],
)
def test_link_words_are_kept(link: str):
    """Issue 12: "But they're especially high for ." lost the name a link gave after an empty
    icon element, which trafilatura deletes with its tail when it favours precision."""
    html = _article(f"<p>But they're especially high for {link}, the minister said.</p>")
    result = extract_page(html, "http://x.example/a", "text/html")
    assert "But they're especially high for Jane Doe, the minister said." in result.text


def test_an_embedded_post_is_kept_as_a_quotation():
    tweet = (
        '<div class="social-media-embed"><blockquote class="twitter-tweet"><p lang="en">'
        "The talks were constructive and we will meet again in Manila next month."
        '<a href="https://t.co/abc">pic.twitter.com/abc</a></p>&mdash; Foreign Minister '
        '(@minister) <a href="https://twitter.com/x/status/1">November 18, 2026</a>'
        "</blockquote></div>"
    )
    result = extract_page(_article(tweet), "http://x.example/a", "text/html")
    assert "The talks were constructive and we will meet again in Manila next month." in (
        result.text
    )
    assert result.text.index("Manila next month") > result.text.index("settle the remaining")


def test_a_results_table_is_article_text():
    rows = "".join(
        f"<tr><td>{n}</td><td>{driver}</td><td>{points} points</td></tr>"
        for n, (driver, points) in enumerate(
            [("Ana Souza", 2310), ("Bruno Lima", 2298), ("Carla Reis", 2251)], start=1
        )
    )
    html = _article(f"<table><tbody>{rows}</tbody></table>")
    result = extract_page(html, "http://x.example/a", "text/html")
    assert "Bruno Lima" in result.text and "2298 points" in result.text


@pytest.mark.parametrize(
    ("text", "share"),
    [
        (PROSE.strip(), 1.0),
        ("World\nAsia\nEurope\nSport\nWeather\nVideo", 0.0),
        (f"Menu\nHome\n{PROSE.strip()}", 30 / 32),
        ("", 0.0),
    ],
)
def test_prose_share_tells_prose_from_menus(text: str, share: float):
    from flows.text.extract import prose_share

    assert prose_share(text) == pytest.approx(share)
