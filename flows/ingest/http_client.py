"""HTTP client: the only code that opens sockets.

It owns timeouts, the decompressed body cap, redirects, the private-network guard (checked on the
resolved address of every connection, so redirects and DNS tricks cannot bypass it), robots.txt,
per-host concurrency and delay, conditional GET and Retry-After.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from protego import Protego

from flows.core.records import FetchResult, Redirect, Validators
from flows.core.settings import Settings
from flows.core.statuses import FetchStatus

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})

ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 §2.5: parse at least 500 KiB
# Longer request targets are refused by most servers (414) and proxies; a link this long in a
# feed is a mistake or an attack, recorded as invalid rather than sent.
MAX_URL_CHARS = 8192
HOST_NAME = re.compile(r"[A-Za-z0-9_.-]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")  # a name, or IPv6
T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger(__name__)


class BlockedAddressError(Exception):
    """A connection would reach a private, loopback or otherwise non-public address."""


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if garbage."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        return float(int(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - (now or datetime.now(UTC))).total_seconds()


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def to_uri(url: str) -> str:
    """The URL as it goes on the wire and into the archive: an IRI's host IDNA-encoded, its
    non-ASCII characters and spaces percent-encoded as UTF-8 (RFC 3987 §3.1), valid escapes
    kept. Raises ValueError for what no server could be asked for."""
    url = url.strip()
    if len(url) > MAX_URL_CHARS:
        raise ValueError(f"URL is {len(url)} characters long (limit {MAX_URL_CHARS})")
    try:
        parts = urlsplit(url)
        _ = parts.port
        uri = httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as exc:
        raise ValueError(f"malformed URL: {exc}") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"unsupported URL scheme {parts.scheme or '(none)'!r}")
    host = uri.raw_host.decode("ascii")
    if not host:
        raise ValueError("URL has no host")
    if not HOST_NAME.fullmatch(host):
        raise ValueError(f"malformed host name {parts.hostname!r}")
    return str(uri.copy_with(fragment=None))


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class AddressGuard:
    """Resolves host names (honouring the host map) and refuses non-public addresses."""

    def __init__(
        self,
        allow_private: bool = False,
        allowlist: Iterable[str] = (),
        host_map: dict[str, str] | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.allowlist = frozenset(allowlist)
        self.host_map = dict(host_map or {})

    def resolve(self, host: str, port: int) -> list[tuple[str, int]]:
        """Addresses to connect to, public or explicitly allowed; raises BlockedAddressError."""
        host = host.strip("[]")
        mapped = self.host_map.get(f"{host}:{port}") or self.host_map.get(host)
        if mapped:
            map_host, _, map_port = mapped.rpartition(":")
            host, port = map_host.strip("[]"), int(map_port)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror}") from exc
        allowed: list[tuple[str, int]] = []
        refused: list[str] = []
        for _family, _type, _proto, _name, sockaddr in infos:
            address = str(sockaddr[0])
            if self.permits(address, port):
                if (address, port) not in allowed:
                    allowed.append((address, port))
            else:
                refused.append(address)
        if not allowed:
            raise BlockedAddressError(
                f"{host} resolves to non-public address {', '.join(sorted(set(refused)))}"
            )
        return allowed

    def permits(self, address: str, port: int) -> bool:
        if self.allow_private or is_public_address(address):
            return True
        return f"{address}:{port}" in self.allowlist or f"[{address}]:{port}" in self.allowlist


class _GuardedBackend(httpcore.SyncBackend):
    """httpcore network backend that connects only to addresses the guard permits."""

    def __init__(self, guard: AddressGuard) -> None:
        self._guard = guard

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[
            tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
        ]
        | None = None,
    ) -> httpcore.NetworkStream:
        last_error: Exception | None = None
        for address, real_port in self._guard.resolve(host, port):
            try:
                return super().connect_tcp(
                    address, real_port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                last_error = exc
        raise last_error or httpcore.ConnectError(f"cannot connect to {host}:{port}")


class _Decoder:
    """Incremental Content-Encoding decoder that never inflates more than it is asked for."""

    def __init__(self, encoding: str | None) -> None:
        self.encoding = (encoding or "identity").strip().lower()
        self._new: Callable[[], Any] | None
        if self.encoding in ("gzip", "x-gzip"):
            self._new = lambda: zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.encoding == "deflate":
            self._new = lambda: zlib.decompressobj()
        elif self.encoding == "identity":
            self._new = None
        else:
            raise ValueError(f"unsupported Content-Encoding {encoding!r}")
        self._obj = self._new() if self._new is not None else None
        self._raw_deflate_tried = False

    def feed(self, data: bytes, limit: int) -> Iterator[bytes]:
        """Decoded pieces of ``data``; stops once ``limit`` decoded bytes have been produced."""
        if self._obj is None:
            yield data[: limit + 1]
            return
        produced = 0
        pending = data
        while pending and produced <= limit:
            try:
                piece = self._obj.decompress(pending, max(1, limit + 1 - produced))
            except zlib.error:
                if self.encoding == "deflate" and not self._raw_deflate_tried:
                    # Some servers send raw deflate without the zlib header.
                    self._raw_deflate_tried = True
                    self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise
            produced += len(piece)
            if piece:
                yield piece
            if self._obj.unconsumed_tail:
                pending = self._obj.unconsumed_tail
            elif self._obj.eof and self._obj.unused_data and self._new is not None:
                pending = self._obj.unused_data  # next gzip member
                self._obj = self._new()
            else:
                pending = b""


class HostThrottle:
    """Per-host concurrency limit and minimum delay between request starts."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self._concurrency = concurrency
        self._delay = delay
        self._lock = threading.Lock()
        self._semaphores: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}
        self._delays: dict[str, float] = {}

    def set_delay(self, host: str, delay: float) -> None:
        with self._lock:
            self._delays[host] = max(self._delay, delay)

    def defer(self, host: str, seconds: float) -> None:
        """Start nothing on ``host`` for ``seconds`` (after a 429/503 with Retry-After)."""
        with self._lock:
            self._next_start[host] = max(
                self._next_start.get(host, 0.0), time.monotonic() + seconds
            )

    @contextmanager
    def slot(self, host: str, deadline: float) -> Iterator[None]:
        with self._lock:
            semaphore = self._semaphores.setdefault(
                host, threading.BoundedSemaphore(self._concurrency)
            )
        if not semaphore.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise TimeoutError(f"waited too long for a connection slot to {host}")
        try:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start.get(host, 0.0))
                self._next_start[host] = start + self._delays.get(host, self._delay)
            if start - now > deadline - now:
                raise TimeoutError(f"politeness delay for {host} exceeds the deadline")
            if start > now:
                time.sleep(start - now)
                with self._lock:
                    # woken late (a busy machine): the next start keeps its delay from this
                    # request's real start, not from the one planned
                    late = time.monotonic() + self._delays.get(host, self._delay)
                    self._next_start[host] = max(self._next_start[host], late)
            yield
        finally:
            semaphore.release()


@dataclass
class _Robots:
    parser: Protego | None = None
    allow_all: bool = False
    reason: str = ""
    unreachable: tuple[FetchStatus, str] | None = None  # no HTTP answer: everything disallowed

    def allows(self, url: str, user_agent: str) -> bool:
        if self.parser is not None:
            return bool(self.parser.can_fetch(url, user_agent))
        return self.allow_all


@dataclass
class _Attempt:
    """Mutable state of one logical fetch across redirect hops."""

    url: str
    redirects: list[Redirect] = field(default_factory=list)


class HttpClient:
    """Thread-safe polite HTTP client; one per run. Use as a context manager."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.guard = AddressGuard(
            settings.allow_private_networks, settings.private_allowlist, settings.host_map
        )
        transport = httpx.HTTPTransport(trust_env=False)
        transport._pool = httpcore.ConnectionPool(  # the guard must see every connection
            ssl_context=httpx.create_ssl_context(),
            max_connections=settings.max_connections,
            max_keepalive_connections=settings.max_connections,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(self.guard),
        )
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.read_timeout,
                pool=settings.total_timeout,
            ),
            headers={
                "User-Agent": settings.user_agent,
                "Accept-Encoding": "gzip, deflate",
            },
        )
        self.throttle = HostThrottle(settings.per_host_concurrency, settings.per_host_delay)
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._robots_guard = threading.Lock()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # -- public API -------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        validators: Validators | None = None,
        accept: str | None = None,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """GET ``url`` politely; never raises: trouble of any kind is a status with a reason."""
        started = time.monotonic()
        try:
            return self._fetch(url, validators, accept, max_bytes, started)
        except Exception as exc:  # one URL must never fail the run
            log.exception("unexpected error fetching %s", url)
            return FetchResult(
                url=url,
                final_url=url,
                status=FetchStatus.FETCH_ERROR,
                fetched_at=datetime.now(UTC),
                error=f"{type(exc).__name__}: {exc}",
                elapsed=time.monotonic() - started,
            )

    def _fetch(
        self,
        url: str,
        validators: Validators | None,
        accept: str | None,
        max_bytes: int | None,
        started: float,
    ) -> FetchResult:
        deadline = started + self.settings.total_timeout
        attempt = _Attempt(url)
        limit = max_bytes or self.settings.max_body_bytes
        headers = {"Accept": accept} if accept else {}
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        for _hop in range(self.settings.max_redirects + 1):
            try:
                attempt.url = to_uri(attempt.url)
            except ValueError as exc:
                return self._failure(attempt, url, FetchStatus.INVALID_URL, str(exc), started)
            blocked = self._check_address(attempt.url)
            if blocked:
                return self._failure(attempt, url, FetchStatus.BLOCKED_ADDRESS, blocked, started)
            if self.settings.obey_robots:
                robots = self._robots_for(attempt.url, deadline)
                if robots.unreachable is not None:
                    # No robots.txt answer at all: the host itself is unreachable; say so.
                    status, error = robots.unreachable
                    return self._failure(attempt, url, status, f"{error} (robots.txt)", started)
                if not robots.allows(attempt.url, self.settings.robots_user_agent):
                    reason = robots.reason or "disallowed by robots.txt"
                    return self._failure(
                        attempt, url, FetchStatus.BLOCKED_BY_ROBOTS, reason, started
                    )
            result = self._get(attempt, url, headers, limit, deadline, started)
            location = result.header("location")
            if result.http_status in REDIRECT_CODES and location:
                target = urljoin(attempt.url, location.strip())
                attempt.redirects.append(Redirect(result.http_status, attempt.url, target))
                attempt.url = target
                continue
            return result
        return self._failure(
            attempt,
            url,
            FetchStatus.TOO_MANY_REDIRECTS,
            f"more than {self.settings.max_redirects} redirects",
            started,
        )

    def fetch_many(
        self, jobs: Iterable[T], fetch: Callable[[T], R], workers: int | None = None
    ) -> Iterator[R]:
        """Run ``fetch`` over ``jobs`` on a thread pool; yields results as they complete."""
        workers = workers or self.settings.max_connections
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
            pending: set[Future[R]] = {pool.submit(fetch, job) for job in jobs}
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()

    # -- internals --------------------------------------------------------------------------

    def _check_address(self, url: str) -> str | None:
        """Refuse early (before robots.txt) a host that resolves to a non-public address.

        The connection itself is checked again by the network backend, so a DNS answer that
        changes between here and the connect cannot slip through.
        """
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            self.guard.resolve(parts.hostname or "", port)
        except BlockedAddressError as exc:
            return str(exc)
        except httpcore.ConnectError:
            return None  # unresolvable: the fetch itself will report the network error
        return None

    def _failure(
        self,
        attempt: _Attempt,
        url: str,
        status: FetchStatus,
        error: str,
        started: float,
    ) -> FetchResult:
        return FetchResult(
            url=url,
            final_url=attempt.url,
            status=status,
            fetched_at=datetime.now(UTC),
            error=error,
            redirects=tuple(attempt.redirects),
            elapsed=time.monotonic() - started,
        )

    def _get(
        self,
        attempt: _Attempt,
        url: str,
        headers: dict[str, str],
        limit: int,
        deadline: float,
        started: float,
    ) -> FetchResult:
        host = urlsplit(attempt.url).netloc.lower()
        try:
            with self.throttle.slot(host, deadline):
                fetched_at = datetime.now(UTC)
                return self._stream(attempt, url, headers, limit, deadline, started, fetched_at)
        except BlockedAddressError as exc:
            return self._failure(attempt, url, FetchStatus.BLOCKED_ADDRESS, str(exc), started)
        except (httpx.TimeoutException, TimeoutError) as exc:
            message = str(exc) or type(exc).__name__
            return self._failure(attempt, url, FetchStatus.TIMEOUT, message, started)
        except httpx.InvalidURL as exc:
            return self._failure(attempt, url, FetchStatus.INVALID_URL, str(exc), started)
        except (httpx.HTTPError, OSError) as exc:
            message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            return self._failure(attempt, url, FetchStatus.NETWORK_ERROR, message, started)

    def _stream(
        self,
        attempt: _Attempt,
        url: str,
        headers: dict[str, str],
        limit: int,
        deadline: float,
        started: float,
        fetched_at: datetime,
    ) -> FetchResult:
        request = self._client.build_request("GET", attempt.url, headers=headers)
        response = self._client.send(request, stream=True)
        try:
            status = FetchStatus.OK
            error: str | None = None
            body = bytearray()
            truncated = False
            if response.status_code == 304:
                status = FetchStatus.NOT_MODIFIED
            elif response.status_code not in REDIRECT_CODES:
                try:
                    decoder = _Decoder(response.headers.get("content-encoding"))
                except ValueError as exc:
                    decoder, status, error = None, FetchStatus.BAD_ENCODING, str(exc)
                if decoder is not None:
                    status, error, truncated = self._read_body(
                        response, decoder, body, limit, deadline
                    )
                if status is FetchStatus.OK and response.status_code >= 400:
                    status = FetchStatus.HTTP_ERROR
                    error = f"HTTP {response.status_code} {response.reason_phrase}".strip()
            retry_after = None
            if response.status_code in (429, 503):
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                if retry_after is not None:
                    self.throttle.defer(
                        urlsplit(attempt.url).netloc.lower(),
                        clamp(retry_after, 0.0, self.settings.max_crawl_delay),
                    )
            return FetchResult(
                url=url,
                final_url=attempt.url,
                status=status,
                fetched_at=fetched_at,
                http_status=response.status_code,
                reason=response.reason_phrase,
                http_version=response.http_version,
                request_headers=tuple(request.headers.multi_items()),
                headers=tuple(response.headers.multi_items()),
                body=bytes(body),
                error=error,
                retry_after=retry_after,
                redirects=tuple(attempt.redirects),
                elapsed=time.monotonic() - started,
                truncated=truncated,
            )
        finally:
            response.close()

    @staticmethod
    def _read_body(
        response: httpx.Response,
        decoder: _Decoder,
        body: bytearray,
        limit: int,
        deadline: float,
    ) -> tuple[FetchStatus, str | None, bool]:
        try:
            for raw in response.iter_raw():  # as received: no re-chunking delay
                for piece in decoder.feed(raw, limit - len(body)):
                    body.extend(piece)
                    if len(body) > limit:
                        del body[limit:]
                        return FetchStatus.TOO_LARGE, f"body exceeds {limit} bytes", True
                if time.monotonic() > deadline:
                    return FetchStatus.TIMEOUT, "total deadline exceeded while reading", True
        except zlib.error as exc:
            return FetchStatus.BAD_ENCODING, f"cannot decode body: {exc}", True
        return FetchStatus.OK, None, False

    def _robots_for(self, url: str, deadline: float) -> _Robots:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        with self._robots_guard:
            cached = self._robots.get(origin)
            if cached is not None:
                return cached
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:  # one robots.txt fetch per origin, even with many threads waiting
            cached = self._robots.get(origin)
            if cached is not None:
                return cached
            robots = self._load_robots(origin, deadline)
            with self._robots_guard:
                self._robots[origin] = robots
            return robots

    def _load_robots(self, origin: str, deadline: float) -> _Robots:
        started = time.monotonic()
        attempt = _Attempt(f"{origin}/robots.txt")
        result: FetchResult | None = None
        for _hop in range(5):  # RFC 9309 §2.3.1.2: follow at least five redirects
            try:
                attempt.url = to_uri(attempt.url)
            except ValueError:
                break
            result = self._get(attempt, attempt.url, {}, ROBOTS_MAX_BYTES, deadline, started)
            location = result.header("location")
            if result.http_status in REDIRECT_CODES and location:
                attempt.url = urljoin(attempt.url, location.strip())
                continue
            break
        host = urlsplit(origin).netloc
        if result is None:
            return _Robots(reason="robots.txt redirects to a non-http URL, disallowed for now")
        if result.http_status is None:
            return _Robots(unreachable=(result.status, result.error or str(result.status)))
        code = result.http_status
        if 200 <= code < 300:
            text = result.body.decode("utf-8", errors="replace")
            parser = Protego.parse(text)
            delay = parser.crawl_delay(self.settings.robots_user_agent)
            if delay:
                self.throttle.set_delay(host, min(float(delay), self.settings.max_crawl_delay))
            return _Robots(parser=parser, reason="disallowed by robots.txt")
        if 400 <= code < 500:
            return _Robots(allow_all=True)  # RFC 9309 §2.3.1.3: unavailable means allowed
        return _Robots(reason=f"robots.txt answered HTTP {code}, disallowed for now")
