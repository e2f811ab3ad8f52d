"""Article extraction: decode page bytes honestly, then trafilatura for text and metadata."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from enum import StrEnum
from importlib.metadata import version

import charset_normalizer
import trafilatura

from flows.text import count_words

EXTRACTOR = f"trafilatura-{version('trafilatura')}"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/xml", "text/xml"})
SNIFF_BYTES = 4096
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
HTML_LANG = re.compile(
    rb"""<html[^>]*?\blang\s*=\s*["']?([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*""", re.IGNORECASE
)
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


class PageStatus(StrEnum):
    OK = "ok"
    EMPTY = "empty"
    NOT_HTML = "not_html"
    DECODE_ERROR = "decode_error"
    EXTRACT_ERROR = "extract_error"


@dataclass(frozen=True)
class Extraction:
    status: PageStatus
    reason: str | None = None
    text: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None  # YYYY-MM-DD as the page states it
    language: str | None = None
    canonical_url: str | None = None
    sitename: str | None = None
    encoding: str | None = None
    word_count: int = 0


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
    kind = media_type(content_type)
    if kind and kind not in HTML_TYPES:
        return kind
    head = body[:SNIFF_BYTES].lstrip()
    if kind is None and head[:1] in (b"{", b"["):
        return "application/json"
    if kind in ("application/xml", "text/xml") and b"<html" not in head.lower():
        return kind
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


def _language(body: bytes) -> str | None:
    match = HTML_LANG.search(body[:SNIFF_BYTES])
    return match.group(1).decode("ascii").lower() if match else None


def clean_text(text: str) -> str:
    lines = (" ".join(CONTROL_CHARACTERS.sub("", line).split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def extract_page(
    body: bytes, url: str, content_type: str | None, min_words: int = 25, fast: bool = False
) -> Extraction:
    """Text and metadata of one page, or a status saying why there is none."""
    other = sniff_not_html(body, content_type)
    if other:
        return Extraction(PageStatus.NOT_HTML, reason=f"content is {other}")
    html, encoding, problem = decode(body, content_type)
    if html is None:
        return Extraction(PageStatus.DECODE_ERROR, reason=problem, encoding=encoding)
    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        deduplicate=False,
        # Precision over recall: without it, a page with no article (a video player) yields
        # its navigation menus as "text"; with it, real article bodies come through whole.
        favor_precision=True,
        fast=fast,
    )
    language = _language(body)
    if document is None or not getattr(document, "text", None):
        return Extraction(
            PageStatus.EMPTY,
            reason="no article text found",
            title=getattr(document, "title", None),
            encoding=encoding,
            language=language,
        )
    text = clean_text(document.text)
    title = clean_text(document.title) if document.title else None
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
        author=clean_text(document.author)[:500] if document.author else None,
        published=document.date,
        language=(getattr(document, "language", None) or language),
        canonical_url=document.url,
        sitename=document.sitename,
        encoding=encoding,
        word_count=words,
    )
