"""The bundled sample site, served over real HTTP on 127.0.0.1 (virtual hosts by Host header).

Three fictional outlets under the reserved ``.example`` domain publish the articles in
``articles/`` through RSS and Atom feeds, with the things real sites do: conditional GET
(ETag/Last-Modified, 304), gzip, robots.txt, tracking parameters on feed links, and a few
pages and feeds that fail in the ways real ones do.
"""

from __future__ import annotations

import gzip
import hashlib
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flows.demo_site.render import (
    OUTLETS,
    Article,
    atom,
    load_articles,
    render_article,
    render_video_page,
    rss,
)

FEEDS_FILE = Path(__file__).parent / "feeds.yaml"
HOSTILE = Path(__file__).parent / "hostile"  # feeds and pages that fail or mislead on purpose
ROBOTS = b"User-agent: *\nDisallow: /private/\nDisallow: /search\n"
LAST_MODIFIED = format_datetime(datetime(2026, 11, 27, 12, 0, tzinfo=UTC), usegmt=True)
# Real PDF magic bytes, so the extractor must recognise it as not HTML even when mislabelled.
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass(frozen=True)
class Resource:
    body: bytes
    content_type: str | None
    status: int = 200
    cacheable: bool = True
    headers: tuple[tuple[str, str], ...] = ()
    encoded: str | None = None  # the body is already compressed with this Content-Encoding

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


@dataclass
class Site:
    """Routes by (host, path), plus a log of what was requested."""

    routes: dict[tuple[str, str], Resource] = field(default_factory=dict)
    hits: Counter[tuple[str, str]] = field(default_factory=Counter)
    requests: list[dict[str, str]] = field(default_factory=list)

    def add(self, host: str, path: str, resource: Resource) -> None:
        self.routes[(host, path)] = resource

    @property
    def hosts(self) -> set[str]:
        return {host for host, _ in self.routes}


def _fixture(outlet_id: str, slug: str, title: str, dek: str, day: int) -> Article:
    return Article(
        outlet=outlet_id,
        feeds=(),
        slug=slug,
        title=title,
        dek=dek,
        author="Staff",
        published=datetime(2026, 11, day, 9, 0, tzinfo=UTC),
        section="World",
        image_caption="",
        paragraphs=(),
    )


def build_site(articles: list[Article] | None = None) -> Site:
    """Every page and feed of the sample site."""
    articles = articles if articles is not None else load_articles()
    site = Site()
    by_outlet: dict[str, list[Article]] = {}
    for article in articles:
        by_outlet.setdefault(article.outlet, []).append(article)
    for outlet_id, outlet in OUTLETS.items():
        mine = sorted(by_outlet.get(outlet_id, []), key=lambda a: a.published, reverse=True)
        site.add(outlet.host, "/robots.txt", Resource(ROBOTS, "text/plain"))
        for index, article in enumerate(mine):
            related = [a for a in mine if a is not article][index % 3 : index % 3 + 4]
            page = render_article(article, related).encode("utf-8")
            site.add(outlet.host, article.path, Resource(page, "text/html; charset=utf-8"))

    herald, wire, straits = (OUTLETS[k] for k in ("pacific-herald", "harbor-wire", "straits-daily"))

    def listed(outlet_id: str, feed: str) -> list[Article]:
        return sorted(
            (a for a in by_outlet.get(outlet_id, []) if feed in a.feeds),
            key=lambda a: a.published,
            reverse=True,
        )

    def link(article: Article, query: str = "") -> str:
        return f"http://{OUTLETS[article.outlet].host}{article.path}{query}"

    # Pacific Herald: two RSS feeds; "world" links carry tracking parameters, and some stories
    # are in both feeds, so the same article arrives under two different URLs.
    video = _fixture(
        "pacific-herald", "coast-guard-footage", "Watch: coast guard footage", "Video.", 21
    )
    video_path = "/video/2026/11/21/coast-guard-footage.html"
    site.add(
        herald.host,
        video_path,
        Resource(render_video_page(herald, video.title).encode(), "text/html; charset=utf-8"),
    )
    asia = [(a, link(a)) for a in listed("pacific-herald", "asia")]
    asia.append((video, f"http://{herald.host}{video_path}"))
    # A story in Portuguese (a language the seeds do not cover) under the site's English menus
    # and html lang="en" (hostile/*.md).
    english = sorted(by_outlet.get("pacific-herald", []), key=lambda a: a.published)[-4:]
    for article in load_articles(HOSTILE):
        page = render_article(article, english).encode("utf-8")
        site.add(herald.host, article.path, Resource(page, "text/html; charset=utf-8"))
        asia.append((article, link(article)))
    site.add(
        herald.host, "/feeds/asia.xml", Resource(rss(herald, "Asia", asia), "application/rss+xml")
    )
    removed = _fixture(
        "pacific-herald",
        "removed-story",
        "Regional ministers to meet on fisheries quotas",
        "Fisheries ministers from Japan, China and South Korea will meet next month to discuss "
        "catch quotas in shared waters, officials said.",
        2,
    )
    world = [
        (a, link(a, "?utm_source=rss&utm_medium=feed&utm_campaign=world"))
        for a in listed("pacific-herald", "world")
    ]
    world.append((removed, f"http://{herald.host}/world/2026/11/02/removed-story.html"))
    site.add(
        herald.host,
        "/feeds/world.xml",
        Resource(rss(herald, "World", world), "application/rss+xml"),
    )
    site.add(
        herald.host,
        "/feeds/broken.xml",
        Resource(
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken', "application/rss+xml"
        ),
    )

    # Harbor Wire: Atom, plus a link to a PDF report and one to a cloud metadata address.
    report = _fixture(
        "harbor-wire", "annual-outlook", "Annual Indo-Pacific outlook (PDF)", "Report.", 3
    )
    site.add(wire.host, "/reports/2026/annual-outlook.pdf", Resource(PDF, "application/pdf"))
    metadata = _fixture("harbor-wire", "metadata", "Internal", "Internal.", 4)
    latest = [(a, link(a)) for a in listed("harbor-wire", "latest")]
    latest.append((report, f"http://{wire.host}/reports/2026/annual-outlook.pdf"))
    latest.append((metadata, "http://169.254.169.254/latest/meta-data/"))
    site.add(wire.host, "/atom.xml", Resource(atom(wire, "Latest", latest), "application/atom+xml"))

    # Straits Daily: RSS with a link into a robots-disallowed folder.
    members = _fixture(
        "straits-daily",
        "members-briefing",
        "Members-only briefing: ASEAN chair's agenda",
        "Subscribers get our full briefing on the agenda the ASEAN chair has set for the "
        "coming year, with analysis of every item.",
        15,
    )
    region = [(a, link(a, "?utm_campaign=region")) for a in listed("straits-daily", "region")]
    region.append((members, f"http://{straits.host}/private/2026/11/15/members-briefing.html"))
    site.add(
        straits.host,
        "/rss/region.xml",
        Resource(rss(straits, "Region", region), "application/rss+xml"),
    )
    # The outlets in other languages (outlets.yaml): one RSS feed each, every article in it.
    for outlet in OUTLETS.values():
        if outlet.feed is None:
            continue
        items = [(a, link(a)) for a in listed(outlet.outlet_id, outlet.feed)]
        site.add(
            outlet.host,
            f"/rss/{outlet.feed}.xml",
            Resource(rss(outlet, outlet.sections[0], items), "application/rss+xml"),
        )
    _add_hostile_feeds(site)
    return site


def _add_hostile_feeds(site: Site) -> None:
    """Feeds that fail the ways real ones do, so the demo shows each recorded outcome."""
    herald, wire, straits = (OUTLETS[k] for k in ("pacific-herald", "harbor-wire", "straits-daily"))
    feed = "application/rss+xml"
    home = b"<!DOCTYPE html><html><body><h1>Harbor Wire</h1><p>Home.</p></body></html>"

    def redirect(status: int, location: str) -> Resource:
        return Resource(b"", None, status, cacheable=False, headers=(("Location", location),))

    site.add(wire.host, "/empty.xml", Resource(b"", feed))
    site.add(wire.host, "/", Resource(home, "text/html"))
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), mtime=0)  # 64 MB behind 64 KB
    site.add(wire.host, "/bomb.xml", Resource(bomb, feed, encoded="gzip"))
    site.add(herald.host, "/feeds/loop-a.xml", redirect(302, "/feeds/loop-b.xml"))
    site.add(herald.host, "/feeds/loop-b.xml", redirect(302, "/feeds/loop-a.xml"))
    site.add(herald.host, "/feeds/moved.xml", redirect(301, "http://10.20.30.40/feed.xml"))
    busy = Resource(
        b"Slow down", "text/plain", 429, cacheable=False, headers=(("Retry-After", "120"),)
    )
    # On a host of its own: a 429 makes the client leave the whole host alone for a while.
    site.add(f"busy.{straits.host.removeprefix('news.')}", "/rss/busy.xml", busy)
    for path in sorted(HOSTILE.glob("*.xml")):
        site.add(herald.host, f"/feeds/{path.name}", Resource(path.read_bytes(), feed))


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return  # quiet: the demo prints its own summary

    def do_GET(self) -> None:
        site = self.server.site
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        # decoded, as servers do: /asia-pac%C3%ADfico/ is /asia-pacífico/
        path = unquote(urlsplit(self.path).path)
        with self.server.lock:
            site.hits[(host, path)] += 1
            site.requests.append(
                {
                    "host": host,
                    "path": path,
                    "if_none_match": self.headers.get("If-None-Match") or "",
                    "if_modified_since": self.headers.get("If-Modified-Since") or "",
                    "user_agent": self.headers.get("User-Agent") or "",
                    "at": f"{time.monotonic():.3f}",  # when it arrived (tests: politeness)
                }
            )
        resource = site.routes.get((host, path))
        if resource is None:
            self._send(404, b"<html><body><h1>Page not found</h1></body></html>", "text/html")
            return
        if resource.cacheable and (
            self.headers.get("If-None-Match") == resource.etag
            or (
                not self.headers.get("If-None-Match")
                and self.headers.get("If-Modified-Since") == LAST_MODIFIED
            )
        ):
            self._send(304, b"", None, resource)
            return
        body, encoding = resource.body, resource.encoded
        accepts_gzip = "gzip" in (self.headers.get("Accept-Encoding") or "")
        if encoding is None and accepts_gzip and len(body) > 1024:
            body, encoding = gzip.compress(body, mtime=0), "gzip"
        self._send(resource.status, body, resource.content_type, resource, encoding)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        resource: Resource | None = None,
        encoding: str | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if resource is not None and resource.cacheable:
            self.send_header("ETag", resource.etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
        if encoding:
            self.send_header("Content-Encoding", encoding)
            self.send_header("Vary", "Accept-Encoding")
        for key, value in resource.headers if resource is not None else ():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: Site
    lock: threading.Lock

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (a run stopped by Ctrl-C) is not the site's error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class DemoServer:
    """Serves a Site on 127.0.0.1 at a free port, in a background thread."""

    def __init__(self, site: Site | None = None) -> None:
        self.site = site or build_site()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.site = self.site
        self._server.lock = threading.Lock()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def host_map(self) -> dict[str, str]:
        """DNS overrides so the site's host names reach this server (settings.host_map)."""
        return {f"{host}:80": f"127.0.0.1:{self.port}" for host in self.site.hosts}

    @property
    def allowlist(self) -> tuple[str, ...]:
        """The one private address the client may reach: this server."""
        return (f"127.0.0.1:{self.port}",)

    def __enter__(self) -> DemoServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
