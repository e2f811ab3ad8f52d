"""Feeds: the feeds file, URL canonicalization, and parsing feed bytes into entries."""

from __future__ import annotations

import calendar
import hashlib
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import feedparser
import lxml.html
from lxml.etree import ParserError
from w3lib.url import canonicalize_url, url_query_cleaner

from flows.core.records import FeedEntry, ParsedFeed

TRACKING_PARAMETER = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|ocid|cmpid|_ga|igshid|yclid|"
    r"at_medium|at_campaign|rss|ref_src|spm)$",
    re.IGNORECASE,
)
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_TEXT_FIELD = 20_000  # characters kept of a feed title/summary/author
# feedparser runs regular expressions over author-like fields whose cost explodes on crafted
# input (60 KB took 12 s); these fields are cut to 512 bytes before parsing. Linear: the
# pattern cannot backtrack past the element's text.
AUTHOR_FIELDS = re.compile(
    rb"(<(?:[A-Za-z0-9_]+:)?(?:author|creator|managingEditor|webMaster|name|email|contributor)"
    rb"\b[^>]{0,200}>)([^<]{0,512})[^<]*"
)

# A numeric character reference to a surrogate or past U+10FFFF makes feedparser raise (it
# encodes chr(n) as UTF-8), which would cost the whole feed; such a reference means nothing,
# so it becomes U+FFFD before parsing.
CHARACTER_REFERENCE = re.compile(rb"&#([xX][0-9a-fA-F]{1,16}|[0-9]{1,20});")
# Links are kept whole up to here; the HTTP client refuses anything past its own, lower limit
# (http_client.MAX_URL_CHARS), so a cut link is never fetched.
MAX_LINK_CHARS = 16_384


def canonicalize(url: str) -> str:
    """Canonical form used to recognise the same article: no tracking parameters or fragment."""
    url = url.strip()
    tracking = [
        key
        for key, _, _ in (part.partition("=") for part in urlsplit(url).query.split("&"))
        if key and TRACKING_PARAMETER.match(key)
    ]
    if tracking:
        url = url_query_cleaner(url, tracking, remove=True, keep_fragments=True)
    url = canonicalize_url(url, keep_fragments=False)
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port and parts.port != DEFAULT_PORTS.get(parts.scheme):
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def stable_id(*parts: str) -> str:
    """Short stable hexadecimal id from text parts."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def article_id_for(canonical_url: str) -> str:
    return stable_id("article", canonical_url)


def html_to_text(fragment: str | None) -> str | None:
    """Plain text of a (sanitized) HTML fragment; markup, scripts and styles dropped."""
    if not fragment:
        return None
    fragment = fragment[:MAX_TEXT_FIELD]
    if "<" not in fragment and "&" not in fragment:
        text = fragment
    else:
        try:
            root = lxml.html.fragment_fromstring(fragment, create_parent="div")
        except (ParserError, ValueError):
            return " ".join(fragment.split()) or None
        for bad in root.xpath("//script|//style|//noscript|//iframe|//object|//embed"):
            bad.drop_tree()
        text = root.text_content()
    return " ".join(text.split()) or None


def _timestamp(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None


def _text(entry: Any, key: str) -> str | None:
    value = entry.get(key)
    return html_to_text(value) if isinstance(value, str) else None


def _valid_reference(match: re.Match[bytes]) -> bytes:
    number = match.group(1)
    code = int(number[1:], 16) if number[:1] in b"xX" else int(number)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return b"&#xFFFD;"
    return match.group(0)


def parse_feed(feed_name: str, body: bytes, content_type: str | None, base_url: str) -> ParsedFeed:
    """Parse feed bytes (never a URL: feedparser would fetch it without a timeout)."""
    if not body.strip():
        return ParsedFeed(ok=False, error="empty response body")
    body = AUTHOR_FIELDS.sub(rb"\1\2", body)
    if b"&#" in body:
        body = CHARACTER_REFERENCE.sub(_valid_reference, body)
    headers = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers, resolve_relative_uris=True)
    bozo_reason = str(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    version = parsed.get("version") or None
    raw_entries = parsed.get("entries") or []
    if not raw_entries:
        if not version:
            looks_html = b"<html" in body[:2048].lower()
            what = "an HTML page, not a feed" if looks_html else "not a recognisable feed"
            detail = f": {bozo_reason}" if bozo_reason else ""
            return ParsedFeed(ok=False, error=f"{what}{detail}", is_bozo=bool(bozo_reason))
        if bozo_reason:
            return ParsedFeed(
                ok=False,
                error=f"malformed feed with no entries: {bozo_reason}",
                is_bozo=True,
                bozo_reason=bozo_reason,
                version=version,
            )
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    unreadable: list[str] = []
    for raw in raw_entries:
        try:
            entry = _entry(feed_name, raw)
        except Exception as exc:  # noqa: BLE001 - one odd item must not cost the others
            unreadable.append(f"{type(exc).__name__}: {exc}")
            continue
        if entry.entry_id in seen:
            continue  # the very same item listed twice in one document
        seen.add(entry.entry_id)
        entries.append(entry)
    if unreadable:
        skipped = f"{len(unreadable)} unreadable entries skipped (first: {unreadable[0]})"
        bozo_reason = f"{bozo_reason}; {skipped}" if bozo_reason else skipped
    return ParsedFeed(
        ok=True,
        entries=tuple(entries),
        is_bozo=bool(bozo_reason),
        bozo_reason=bozo_reason,
        title=_text(parsed.get("feed", {}), "title"),
        version=version,
    )


def _entry(feed_name: str, raw: Any) -> FeedEntry:
    guid = raw.get("id") or None
    link = raw.get("link") or None
    if not link and guid and guid.startswith(("http://", "https://")):
        link = guid
    canonical = None
    if link and urlsplit(link).scheme in ("http", "https"):
        try:
            canonical = canonicalize(link)
        except ValueError:
            canonical = None
    title = _text(raw, "title")
    summary = _text(raw, "summary")
    if canonical:
        # GUID and link together: a shared or missing GUID still gives distinct items,
        # and the same link (tracking parameters aside) is the same item.
        entry_id = stable_id(feed_name, guid or "", canonical)
    else:
        entry_id = stable_id(feed_name, guid or "", title or "", summary or "")
    author = raw.get("author")
    return FeedEntry(
        feed_name=feed_name,
        entry_id=entry_id,
        article_id=article_id_for(canonical) if canonical else None,
        guid=guid[:2000] if guid else None,
        url=link[:MAX_LINK_CHARS] if link else None,
        canonical_url=canonical,
        title=title,
        summary=summary,
        author=html_to_text(author[:1000]) if isinstance(author, str) else None,
        published_at=_timestamp(raw.get("published_parsed")),
        updated_at=_timestamp(raw.get("updated_parsed")),
    )
