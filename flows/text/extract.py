"""Article extraction: decode page bytes honestly, then trafilatura for text and metadata."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import charset_normalizer
import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from flows.core.records import Extraction
from flows.core.statuses import PageStatus
from flows.text.sentences import count_words

EXTRACTOR = f"trafilatura-{version('trafilatura')}"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/xml", "text/xml"})
SNIFF_BYTES = 4096
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
JSON_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
)
BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
MAX_REPLACEMENT_SHARE = 0.001  # more undecodable bytes than this: record it, do not store junk

# Elements trafilatura (with these options: no images or comments) deletes whole in
# its own cleaning, after first running a dozen XPath prunes over the raw tree. Deleting them
# first, in one pass in C, spares those prunes and its copies of the tree most of a news
# page's menus and widgets: ~25% of the extraction time, same text (tests/test_extract.py).
# <script> is handled apart: trafilatura reads JSON-LD to recognise forum threads.
DISCARDED_BEFORE_EXTRACTION = (
    *("nav", "footer", "aside", "menu", "dialog", "figure", "picture", "svg", "canvas"),
    *("iframe", "embed", "object", "applet", "video", "audio", "map"),
    *("style", "noscript", "link", "button", "input", "select", "textarea"),
)
# Social posts embedded in an article are quotations (a minister's tweet): trafilatura drops
# them, for their wrappers' class names ("social-media-embed") and their links' density.
EMBEDDED_POSTS = (
    "//blockquote[contains(@class, 'twitter-tweet') or contains(@class, 'instagram-media')"
    " or contains(@class, 'tiktok-embed')]"
)
EMBED_WRAPPERS = frozenset({"div", "figure", "span", "section"})
EMPTY_INLINE = ("b", "em", "i", "q", "span", "strong")
# Extraction is a cascade, cheapest first (docs/benchmarks.md, "Extraction quality"): the
# precise fast path; trafilatura's fallback extractors only when that text is short; and
# trafilatura's balanced mode only when it is still short and balanced mode finds prose.
SHORT_WORDS = 100
PROSE_LINE_WORDS = 15
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "with_metadata": False,  # page_metadata() reads it, faster, before the tree is pruned
    "include_comments": False,
    "include_tables": True,  # results tables, schedules: the article on some pages
    "include_images": False,
    "deduplicate": False,
}


def media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def _declared_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def sniff_not_html(body: bytes, content_type: str | None) -> str | None:
    """The real type when a response is not an HTML page, judged by header and magic bytes."""
    for magic, kind in MAGIC:
        if body.startswith(magic):
            return kind
    declared = media_type(content_type)
    if declared and declared not in HTML_TYPES:
        return declared
    head = body[:SNIFF_BYTES].lstrip()
    if declared is None and head[:1] in (b"{", b"["):
        return "application/json"
    if declared in ("application/xml", "text/xml") and b"<html" not in head.lower():
        return declared
    return None


def decode(body: bytes, content_type: str | None) -> tuple[str | None, str | None, str | None]:
    """(text, encoding, problem). A declared charset (BOM, HTTP header, meta tag) is trusted:
    bytes it cannot decode are replaced and counted, never re-guessed into another charset
    (that is how mojibake gets stored silently). Only undeclared pages are detected."""
    declared = None
    for bom, encoding in BOMS:
        if body.startswith(bom):
            declared = encoding
            break
    for candidate in (_declared_charset(content_type), _meta_charset(body)):
        if declared is None and candidate and _known(candidate):
            declared = codecs.lookup(candidate).name
    if declared is None:
        try:
            return body.decode("utf-8"), "utf-8", None
        except UnicodeDecodeError:
            pass
        best = charset_normalizer.from_bytes(body[: 512 * 1024]).best()
        if best is not None and best.encoding and _known(best.encoding):
            try:
                return body.decode(best.encoding), best.encoding, None
            except UnicodeDecodeError:
                declared = best.encoding
        declared = declared or "utf-8"
    try:
        return body.decode(declared), declared, None
    except UnicodeDecodeError:
        pass
    text = body.decode(declared, errors="replace")
    bad = text.count("\ufffd")
    if bad / max(1, len(text)) > MAX_REPLACEMENT_SHARE:
        return None, declared, f"{bad} bytes are not valid {declared}"
    return text, declared, f"{bad} undecodable bytes replaced"


def _known(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def _meta_charset(body: bytes) -> str | None:
    match = META_CHARSET.search(body[:SNIFF_BYTES])
    return match.group(1).decode("ascii", "replace") if match else None


def clean_text(text: str) -> str:
    lines = (" ".join(CONTROL_CHARACTERS.sub("", line).split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class PageMetadata:
    title: str | None = None
    author: str | None = None
    published: str | None = None  # YYYY-MM-DD
    canonical_url: str | None = None
    language: str | None = None
    sitename: str | None = None


def _first(tree: HtmlElement, *xpaths: str) -> str | None:
    for xpath in xpaths:
        for value in tree.xpath(xpath):
            text = " ".join(str(value).split())
            if text:
                return text
    return None


def page_metadata(tree: HtmlElement) -> PageMetadata:
    """What the page says about itself, from the tags publishers fill in (Open Graph, article
    meta, JSON-LD, <time>, <html lang>). A few XPath lookups: trafilatura's own metadata
    search costs more than a third of its whole extraction."""
    title = _first(
        tree,
        "//meta[@property='og:title']/@content",
        "//meta[@name='twitter:title']/@content",
        "//h1[1]//text()",
        "//title/text()",
    )
    published = _first(
        tree,
        "//meta[@property='article:published_time']/@content",
        "//meta[@name='pubdate' or @name='publishdate' or @name='date']/@content",
        "//time[@datetime][1]/@datetime",
    )
    if published is None:
        match = JSON_LD_DATE.search(
            " ".join(tree.xpath("//script[@type='application/ld+json']/text()"))
        )
        published = match.group(1) if match else None
    date = DATE.match(published or "")
    return PageMetadata(
        title=title,
        author=_first(
            tree,
            "//meta[@name='author']/@content",
            "//meta[@property='article:author']/@content",
            "//*[@rel='author'][1]//text()",
        ),
        published=date.group(0) if date else None,
        canonical_url=_first(
            tree, "//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"
        ),
        language=(_first(tree, "/html/@lang") or "")[:2].lower() or None,
        sitename=_first(tree, "//meta[@property='og:site_name']/@content"),
    )


def discard_boilerplate(tree: HtmlElement) -> None:
    """Delete, in place, what trafilatura would delete anyway (tail text is kept)."""
    etree.strip_elements(tree, *DISCARDED_BEFORE_EXTRACTION, with_tail=False)
    for script in list(tree.iter("script")):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            script.drop_tree()


def keep_inline_text(tree: HtmlElement) -> None:
    """Rewrite, in place, what trafilatura would otherwise lose of the article's own words."""
    for quote in tree.xpath(EMBEDDED_POSTS):
        etree.strip_tags(quote, "a")
        parent = quote.getparent()
        # Lift the post out of wrappers that hold nothing else.
        while (
            parent is not None
            and parent.tag in EMBED_WRAPPERS
            and len(parent) == 1
            and not (parent.text or "").strip()
            and parent.getparent() is not None
        ):
            quote.tail = (quote.tail or "") + (parent.tail or "")
            grand = parent.getparent()
            grand.replace(parent, quote)
            parent = grand
    # Favouring precision, trafilatura deletes empty inline elements *with their tail*: in
    # <a href="/people/x"><i class="icon"></i>Jane Doe</a> the name is the tail of an empty
    # icon, and "especially high for Jane Doe." became "especially high for ." Unwrap them
    # first, innermost first so that a wrapper left empty goes too. Images are stripped (as
    # trafilatura would) before, so that an icon made of an image counts as empty.
    etree.strip_tags(tree, "img")
    for element in reversed(list(tree.iter(*EMPTY_INLINE))):
        if element.text is None and len(element) == 0:
            element.drop_tag()


def _trafilatura_text(tree: HtmlElement, url: str, fast: bool, precision: bool) -> str:
    """trafilatura's text of a prepared tree (which it copies, so it can be asked again).

    Precision first: without it, a page with no article (a video player) yields its menus
    as "text"; with it, real article bodies come through whole.
    """
    document = trafilatura.bare_extraction(
        tree, url=url, fast=fast, favor_precision=precision, **TRAFILATURA_OPTIONS
    )
    text = getattr(document, "text", None) if document is not None else None
    return clean_text(text) if text else ""


def article_text(tree: HtmlElement, url: str, min_words: int, fast: bool = True) -> str:
    """The article's text by the cascade: fast and precise; with trafilatura's fallback
    extractors when that is short; balanced when still short and balanced finds prose."""
    text = _trafilatura_text(tree, url, fast=True, precision=True) if fast else ""
    if count_words(text) >= SHORT_WORDS:
        return text
    fuller = _trafilatura_text(tree, url, fast=False, precision=True)
    if len(fuller) > len(text):
        text = fuller
    words = count_words(text)
    if words >= SHORT_WORDS:
        return text
    # Still short: precision may have kept a notice instead of the article (a reprints
    # banner). Balanced mode's text replaces it only when it is at least twice as long and
    # reads as prose, not as the menus and teasers a page without an article would give.
    balanced = _trafilatura_text(tree, url, fast=False, precision=False)
    if count_words(balanced) >= max(min_words, 2 * words) and prose_share(balanced) >= 0.5:
        return balanced
    return text


def prose_share(text: str) -> float:
    """Share of the words that stand in lines of 15 words or more: high for prose, low for
    menus, link lists and captions."""
    counts = [count_words(line) for line in text.split("\n")]
    total = sum(counts)
    return sum(c for c in counts if c >= PROSE_LINE_WORDS) / total if total else 0.0


def extract_page(
    body: bytes, url: str, content_type: str | None, min_words: int = 25, fast: bool = True
) -> Extraction:
    """Text and metadata of one page, or a status saying why there is none.

    ``fast`` runs trafilatura's fallback extractors (readability, jusText) only where the
    fast path's text is short; without it they always run (twice the cost, docs/benchmarks.md).
    """
    other = sniff_not_html(body, content_type)
    if other:
        return Extraction(PageStatus.NOT_HTML, reason=f"content is {other}")
    html, encoding, problem = decode(body, content_type)
    if html is None:
        return Extraction(PageStatus.DECODE_ERROR, reason=problem, encoding=encoding)
    tree = load_html(html)
    if tree is None:
        return Extraction(PageStatus.EMPTY, reason="not parseable as HTML", encoding=encoding)
    metadata = page_metadata(tree)  # before trafilatura, which prunes the tree it is given
    discard_boilerplate(tree)
    keep_inline_text(tree)
    text = article_text(tree, url, min_words, fast)
    title = clean_text(metadata.title) if metadata.title else None
    if not text:
        return Extraction(
            PageStatus.EMPTY,
            reason="no article text found",
            title=title,
            encoding=encoding,
            language=metadata.language,
        )
    if title:
        # The headline is stored once, as the title (sentence 0), not again as body text.
        first, _, rest = text.partition("\n")
        if first.casefold() == title.casefold():
            text = rest
    words = count_words(text)
    status, reason = PageStatus.OK, problem
    if words < min_words:
        status, reason = PageStatus.EMPTY, f"only {words} words of text (minimum {min_words})"
    return Extraction(
        status=status,
        reason=reason,
        text=text if status is PageStatus.OK else None,
        title=title,
        author=clean_text(metadata.author)[:500] if metadata.author else None,
        published=metadata.published,
        language=metadata.language,
        canonical_url=metadata.canonical_url,
        sitename=metadata.sitename,
        encoding=encoding,
        word_count=words,
    )
