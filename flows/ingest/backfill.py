"""Backfill sources: the response records of web archives (WARC files) and the outlets each
page belongs to, by its host.

A WARC file is read with warcio from a record offset on, so a backfill that stopped goes on
from the last record it loaded; each item says where the next record starts. A file cut short
ends with a problem item (the records before the cut are read). Nothing here writes.
"""

from __future__ import annotations

import csv
import glob
import os
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from flows.core.errors import ConfigError
from flows.core.feeds_file import FeedConfig

WARC_SUFFIXES = (".warc", ".warc.gz")
HTML_TYPES = ("text/html", "application/xhtml+xml")
TRAILING_BYTES = 16  # what may follow the last record (line ends), not a record cut short


def host_of(url: str) -> str:
    """The host of ``url``, lower-cased, without ``www.`` and port ('' when none)."""
    try:
        host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


@dataclass(frozen=True)
class OutletHost:
    """Whose a page is: its host, outlet name, and the feed on that host (if one is)."""

    host: str
    outlet: str
    feed_name: str | None = None


class OutletHosts:
    """Configured feeds' and outlets' hosts. A page belongs to the outlet of its host or of a
    domain its host is under (``learningenglish.voanews.com`` is ``voanews.com``'s); the
    feeds file wins over the outlets seed, the first feed listed over later ones."""

    def __init__(self, feeds: Sequence[FeedConfig], outlets: Sequence[tuple[str, str]]) -> None:
        self._hosts: dict[str, OutletHost] = {}
        for feed in feeds:
            host = host_of(feed.url)
            if host and host not in self._hosts:
                self._hosts[host] = OutletHost(host, feed.outlet, feed.name)
        for name, homepage in outlets:
            host = host_of(homepage)
            if host and host not in self._hosts:
                self._hosts[host] = OutletHost(host, name)
        self.origins = _origins(feeds, outlets)

    def match(self, url: str, all_hosts: bool = False) -> OutletHost | None:
        """The outlet of the page at ``url``; with ``all_hosts``, a host no one configured is
        an outlet of its own, named by the host."""
        host = host_of(url)
        if not host:
            return None
        domain = host
        while domain:
            if domain in self._hosts:
                return OutletHost(host, self._hosts[domain].outlet, self._hosts[domain].feed_name)
            _, _, domain = domain.partition(".")
        return OutletHost(host, host) if all_hosts else None


def _origins(feeds: Sequence[FeedConfig], outlets: Sequence[tuple[str, str]]) -> list[str]:
    """scheme://netloc of every feed and outlet homepage, in order, once each."""
    seen: dict[str, None] = {}
    for url in [f.url for f in feeds] + [homepage for _, homepage in outlets]:
        parts = urlsplit(url.strip())
        if parts.scheme in ("http", "https") and parts.netloc:
            seen.setdefault(f"{parts.scheme}://{parts.netloc}", None)
    return list(seen)


def seed_outlets(project_dir: Path) -> list[tuple[str, str]]:
    """(name, homepage_url) of the outlets seed (dbt_project/seeds/outlets.csv)."""
    path = project_dir / "seeds" / "outlets.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (row["name"], row["homepage_url"])
            for row in csv.DictReader(handle)
            if row.get("name") and row.get("homepage_url")
        ]


def warc_files(paths: Sequence[str]) -> list[Path]:
    """The WARC files that files, folders (searched recursively) and globs name, each once, in
    the order given (a folder's and a glob's sorted). A path that names none is a mistake."""
    found: dict[Path, None] = {}
    for given in paths:
        matches = [Path(p) for p in sorted(glob.glob(given, recursive=True))] or [Path(given)]
        named = []
        for path in matches:
            if path.is_dir():
                named += sorted(p for p in path.rglob("*") if _is_warc(p) and p.is_file())
            elif path.is_file():
                named.append(path)
        if not named:
            raise ConfigError(f"--warc {given}: no .warc or .warc.gz file there")
        for path in named:
            found.setdefault(path.resolve(), None)
    return list(found)


def _is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


@dataclass(frozen=True)
class WarcPage:
    """An HTML page as a WARC response record holds it."""

    source: str  # the file's absolute path
    offset: int
    url: str
    archived_at: datetime | None
    http_status: int
    content_type: str | None
    body: bytes
    digest: str | None  # WARC-Payload-Digest


@dataclass(frozen=True)
class WarcItem:
    """One record read: a page, or why the record is not one (``skipped``), or why the file
    could not be read further (``problem``); ``next_offset`` is where the next record starts."""

    offset: int
    next_offset: int
    page: WarcPage | None = None
    skipped: str | None = None
    problem: str | None = None


def read_warc(
    path: Path, start: int = 0, max_body_bytes: int = 10 * 1024 * 1024
) -> Iterator[WarcItem]:
    """The records of ``path`` from byte ``start`` (a record boundary) on.

    Request, metadata and warcinfo records are skipped as ``not_response``; revisit records
    (a page the crawl saw unchanged, no body) as ``revisit``; responses that are not a 200
    HTML page as ``http_status`` or ``not_html``; bodies over ``max_body_bytes`` as
    ``too_big``. A record cut short ends the file with a problem item.
    """
    source = str(path)
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        handle.seek(start)
        iterator = ArchiveIterator(handle)
        end = start  # where the next record starts
        try:
            for record in iterator:
                # warcio learns a record's offset by reading it: the body comes first
                page, skipped = _page_of(record, source, max_body_bytes)
                iterator.read_to_end(record)
                offset = iterator.get_record_offset()
                if page is not None:
                    page = replace(page, offset=offset)
                if getattr(record.raw_stream, "limit", 0) > 0:  # the file ends inside it
                    yield WarcItem(offset, offset, problem=f"record at byte {offset} is cut short")
                    return
                end = offset + iterator.get_record_length()
                yield WarcItem(offset, end, page, skipped)
        except (EOFError, OSError, zlib.error, ArchiveLoadFailed, ValueError) as exc:
            yield WarcItem(end, end, problem=f"record at byte {end} is unreadable: {exc}")
            return
        if size - end > TRAILING_BYTES:  # a gzip member cut before its record's headers
            yield WarcItem(end, end, problem=f"record at byte {end} is cut short")


def _page_of(
    record: object, source: str, max_body_bytes: int
) -> tuple[WarcPage | None, str | None]:
    kind = record.rec_type  # type: ignore[attr-defined]
    if kind == "revisit":
        return None, "revisit"
    if kind != "response":
        return None, "not_response"
    headers = record.rec_headers  # type: ignore[attr-defined]
    http = record.http_headers  # type: ignore[attr-defined]
    url = (headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    if http is None or not url.lower().startswith(("http://", "https://")):
        return None, "not_response"
    try:
        status = int(http.get_statuscode() or 0)
    except ValueError:
        status = 0
    if status != 200:
        return None, "http_status"
    content_type = http.get_header("Content-Type")
    if not content_type or content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        return None, "not_html"
    length = int(headers.get_header("Content-Length") or 0)
    if length > max_body_bytes * 4:  # compressed bodies may grow: judge the payload below
        return None, "too_big"
    body = record.content_stream().read(max_body_bytes + 1)  # type: ignore[attr-defined]
    if len(body) > max_body_bytes:
        return None, "too_big"
    return (
        WarcPage(
            source=source,
            offset=-1,  # known once the record is read
            url=url,
            archived_at=_warc_date(headers.get_header("WARC-Date")),
            http_status=status,
            content_type=content_type,
            body=body,
            digest=headers.get_header("WARC-Payload-Digest"),
        ),
        None,
    )


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def page_date(published: str | None) -> date | None:
    """The date a page's metadata gives (trafilatura's ``YYYY-MM-DD``), or None."""
    if not published:
        return None
    try:
        return date.fromisoformat(published.strip()[:10])
    except ValueError:
        return None


def in_range(day: date | None, since: date | None, until: date | None) -> bool:
    """Is ``day`` within [since, until]? With neither bound, every page (dated or not) is; with
    one, a page with no date is not (nothing says it is in the range)."""
    if since is None and until is None:
        return True
    if day is None:
        return False
    return (since is None or day >= since) and (until is None or day <= until)
