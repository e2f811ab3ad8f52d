"""Render the bundled sample site: realistic news pages (navigation, share widgets, related
links, footer, scripts, JSON-LD) and RSS/Atom feeds from the article files in ``articles/``."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import yaml

ARTICLES_DIR = Path(__file__).parent / "articles"
OUTLETS_FILE = Path(__file__).parent / "outlets.yaml"


@dataclass(frozen=True)
class Outlet:
    outlet_id: str
    name: str
    host: str
    tagline: str
    sections: tuple[str, ...]
    html_lang: str = "en"
    feed: str | None = None  # the one RSS feed of an outlet of outlets.yaml: /rss/<feed>.xml
    language: str = "en"  # the feed's declared language (feeds.yaml)


OUTLETS = {
    "pacific-herald": Outlet(
        "pacific-herald",
        "Pacific Herald",
        "www.pacific-herald.example",
        "Independent news from across the Pacific",
        ("World", "Asia", "Politics", "Business", "Technology", "Climate", "Opinion", "Video"),
    ),
    "harbor-wire": Outlet(
        "harbor-wire",
        "Harbor Wire",
        "harborwire.example",
        "The wire for the Indo-Pacific",
        ("Top News", "Asia-Pacific", "Markets", "Diplomacy", "Defense", "Energy", "Photos"),
    ),
    "straits-daily": Outlet(
        "straits-daily",
        "Straits Daily",
        "news.straits-daily.example",
        "Southeast Asia, every day",
        ("Region", "Singapore", "Malaysia", "Philippines", "Vietnam", "Business", "Life"),
    ),
}
# The outlets in other languages (outlets.yaml), each with one feed.
OUTLETS.update(
    {
        o["id"]: Outlet(
            o["id"],
            o["name"],
            o["host"],
            o["tagline"],
            tuple(o["sections"]),
            o["html_lang"],
            o["feed"],
            o["language"],
        )
        for o in yaml.safe_load(OUTLETS_FILE.read_text(encoding="utf-8"))["outlets"]
    }
)


@dataclass(frozen=True)
class Article:
    outlet: str
    feeds: tuple[str, ...]
    slug: str
    title: str
    dek: str
    author: str
    published: datetime
    section: str
    image_caption: str
    paragraphs: tuple[str, ...]

    @property
    def path(self) -> str:
        section = self.section.lower().replace(" ", "-")
        return f"/{section}/{self.published:%Y/%m/%d}/{self.slug}.html"

    @property
    def stem(self) -> str:
        return f"{self.outlet}--{self.slug}"


def load_articles(directory: Path = ARTICLES_DIR) -> list[Article]:
    """Parse every ``<outlet>--<slug>.md`` (YAML front matter, blank-line paragraphs)."""
    articles = []
    for path in sorted(directory.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---", 2)
        meta = yaml.safe_load(front)
        published = meta["published"]
        if isinstance(published, str):
            published = datetime.fromisoformat(published)
        paragraphs = tuple(" ".join(p.split()) for p in body.strip().split("\n\n") if p.strip())
        articles.append(
            Article(
                outlet=meta["outlet"],
                feeds=tuple(meta["feeds"]),
                slug=meta["slug"],
                title=meta["title"],
                dek=meta["dek"],
                author=meta["author"],
                published=published,
                section=meta["section"],
                image_caption=meta["image_caption"],
                paragraphs=paragraphs,
            )
        )
    return articles


def e(text: str) -> str:
    return html.escape(text, quote=True)


def _nav(outlet: Outlet) -> str:
    items = []
    for section in outlet.sections:
        slug = section.lower().replace(" ", "-")
        subs = "".join(
            f'<li><a href="/{slug}/{sub}/">{e(section)} {sub.replace("-", " ")}</a></li>'
            for sub in ("latest", "analysis", "explainers", "photos", "podcasts", "newsletters")
        )
        items.append(
            f'<li class="nav-item"><a href="/{slug}/">{e(section)}</a>'
            f'<ul class="nav-sub">{subs}</ul></li>'
        )
    return (
        '<nav class="site-nav" aria-label="Main"><button class="menu-toggle" '
        'onclick="toggleMenu()">Menu</button><ul class="nav-list">'
        + "".join(items)
        + '</ul><form class="search" action="/search"><input name="q" placeholder="Search">'
        "<button>Go</button></form></nav>"
    )


def _breaking(outlet: Outlet, others: list[Article]) -> str:
    links = "".join(f'<li><a href="{a.path}">{e(a.title)}</a></li>' for a in others[:4])
    return (
        '<div class="breaking-bar" role="marquee"><span class="label">Latest</span>'
        f"<ul>{links}</ul></div>"
    )


SHARE = (
    '<div class="share-tools" aria-label="Share this story">'
    '<a class="share fb" href="https://facebook.example/share?u={url}">Share on Facebook</a>'
    '<a class="share x" href="https://x.example/intent/post?url={url}">Post</a>'
    '<a class="share li" href="https://linkedin.example/share?url={url}">LinkedIn</a>'
    '<a class="share mail" href="mailto:?subject={title}&amp;body={url}">Email</a>'
    '<button class="copy-link" data-url="{url}">Copy link</button>'
    '<span class="comments-count">Comments</span></div>'
)


def _footer(outlet: Outlet) -> str:
    columns = []
    for heading, links in (
        ("Sections", outlet.sections),
        ("About us", ("Our team", "Ethics policy", "Corrections", "Careers", "Contact")),
        ("Follow", ("Newsletters", "Podcasts", "Apps", "RSS feeds", "Alerts")),
        ("Legal", ("Terms of use", "Privacy policy", "Cookie settings", "Accessibility")),
    ):
        items = "".join(
            f'<li><a href="/{link.lower().replace(" ", "-")}/">{e(link)}</a></li>' for link in links
        )
        columns.append(f'<div class="footer-col"><h4>{e(heading)}</h4><ul>{items}</ul></div>')
    return (
        '<footer class="site-footer">'
        + "".join(columns)
        + f'<p class="copyright">© 2026 {e(outlet.name)}. Fictional sample content bundled '
        "with newswatch for demonstration; no real outlet published it.</p></footer>"
    )


def _head(outlet: Outlet, article: Article, url: str) -> str:
    json_ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.dek,
        "datePublished": article.published.isoformat(),
        "author": {"@type": "Person", "name": article.author},
        "publisher": {"@type": "Organization", "name": outlet.name},
        "mainEntityOfPage": url,
    }
    return f"""<head>
<meta charset="utf-8">
<title>{e(article.title)} | {e(outlet.name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{e(article.dek)}">
<meta name="author" content="{e(article.author)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{e(article.title)}">
<meta property="og:description" content="{e(article.dek)}">
<meta property="og:url" content="{e(url)}">
<meta property="og:site_name" content="{e(outlet.name)}">
<meta property="article:published_time" content="{article.published.isoformat()}">
<meta property="article:section" content="{e(article.section)}">
<link rel="canonical" href="{e(url)}">
<link rel="stylesheet" href="/static/site.css">
<script type="application/ld+json">{json.dumps(json_ld)}</script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}
gtag('js',new Date());gtag('config','UA-000000-1');function toggleMenu(){{document.body.classList.toggle('menu-open');}}</script>
<script async src="/static/ads.js"></script>
</head>"""


def render_article(article: Article, related: list[Article]) -> str:
    outlet = OUTLETS[article.outlet]
    url = f"http://{outlet.host}{article.path}"
    body = "\n".join(f"<p>{e(p)}</p>" for p in article.paragraphs)
    related_html = "".join(
        f'<li><a href="{a.path}"><span class="kicker">{e(a.section)}</span>{e(a.title)}</a></li>'
        for a in related
    )
    share = SHARE.format(url=e(url), title=e(article.title))
    return f"""<!DOCTYPE html>
<html lang="{e(outlet.html_lang)}">
{_head(outlet, article, url)}
<body class="article-page">
<a class="skip" href="#main">Skip to content</a>
<header class="masthead"><a class="logo" href="/">{e(outlet.name)}</a>
<p class="tagline">{e(outlet.tagline)}</p>
<div class="account"><a href="/subscribe">Subscribe</a> <a href="/login">Sign in</a></div>
</header>
{_nav(outlet)}
{_breaking(outlet, related)}
<main id="main">
<article class="story">
<header class="story-header">
<p class="kicker"><a href="/{article.section.lower().replace(" ", "-")}/">{e(article.section)}</a></p>
<h1>{e(article.title)}</h1>
<p class="dek">{e(article.dek)}</p>
<p class="byline">By <a rel="author" href="/authors/{article.author.lower().replace(" ", "-")}">{e(article.author)}</a>
<time datetime="{article.published.isoformat()}">{article.published:%B %d, %Y %H:%M %Z}</time></p>
{share}
</header>
<figure class="lead-image"><img src="/images/{article.slug}.jpg" alt="" width="1200" height="675">
<figcaption>{e(article.image_caption)} <span class="credit">Photo: Staff</span></figcaption></figure>
<div class="story-body">
{body}
</div>
<aside class="newsletter-signup"><h3>Get the morning briefing</h3>
<form action="/newsletters/subscribe"><input type="email" placeholder="Your email"><button>Sign up</button></form></aside>
{share}
</article>
<section class="related" aria-label="Related stories"><h2>Related stories</h2><ul>{related_html}</ul></section>
<section class="most-read"><h2>Most read</h2><ol>{related_html}</ol></section>
<div id="comments" class="comments"><button onclick="loadComments()">Show comments</button></div>
</main>
{_footer(outlet)}
<script>function loadComments(){{var s=document.createElement('script');s.src='/static/comments.js';document.body.appendChild(s);}}</script>
</body>
</html>
"""


def render_video_page(outlet: Outlet, title: str) -> str:
    """A page whose only content is a video player: extraction must say ``empty``."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)} | {e(outlet.name)}</title></head>
<body>{_nav(outlet)}
<main><h1>{e(title)}</h1>
<div class="video-player" data-src="/video/stream.m3u8"><video controls poster="/images/poster.jpg">
<source src="/video/stream.mp4" type="video/mp4"></video></div>
<p class="duration">02:41</p></main>
{_footer(outlet)}</body></html>
"""


def rss(outlet: Outlet, title: str, items: list[tuple[Article, str]]) -> bytes:
    """RSS 2.0 with GUIDs, pubDates and HTML descriptions (as real feeds have)."""
    entries = []
    for article, link in items:
        description = e(f"<p>{article.dek}</p><script>alert('feed script')</script>")
        entries.append(
            f"""  <item>
    <title>{e(article.title)}</title>
    <link>{e(link)}</link>
    <guid isPermaLink="false">{outlet.outlet_id}-{article.slug}</guid>
    <pubDate>{format_datetime(article.published.astimezone(UTC), usegmt=True)}</pubDate>
    <dc:creator>{e(article.author)}</dc:creator>
    <category>{e(article.section)}</category>
    <description>{description}</description>
  </item>"""
        )
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>{e(outlet.name)}: {e(title)}</title>
  <link>http://{outlet.host}/</link>
  <description>{e(outlet.tagline)}</description>
  <language>{e(outlet.html_lang)}</language>
{chr(10).join(entries)}
</channel>
</rss>
"""
    return body.encode("utf-8")


def atom(outlet: Outlet, title: str, items: list[tuple[Article, str]]) -> bytes:
    entries = []
    for article, link in items:
        entries.append(
            f"""  <entry>
    <title>{e(article.title)}</title>
    <link rel="alternate" type="text/html" href="{e(link)}"/>
    <id>tag:{outlet.host},2026:{article.slug}</id>
    <published>{article.published.isoformat()}</published>
    <updated>{article.published.isoformat()}</updated>
    <author><name>{e(article.author)}</name></author>
    <summary type="html">{e(article.dek)}</summary>
  </entry>"""
        )
    updated = max((a.published for a, _ in items), default=datetime(2026, 1, 1, tzinfo=UTC))
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>{e(outlet.name)}: {e(title)}</title>
  <id>tag:{outlet.host},2026:feed</id>
  <updated>{updated.isoformat()}</updated>
  <link rel="self" href="http://{outlet.host}/atom.xml"/>
{chr(10).join(entries)}
</feed>
"""
    return body.encode("utf-8")
