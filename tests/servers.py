"""A real HTTP server on 127.0.0.1 whose routes tests configure: static bodies with validators,
redirects, slow or endless bodies, compressed bombs — whatever a hostile site would do."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    handler: Handler | None = None  # full control of the response when set

    @classmethod
    def cached(cls, body: bytes, content_type: str, last_modified: str) -> Route:
        etag = '"' + hashlib.sha1(body).hexdigest()[:12] + '"'
        return cls(body, content_type=content_type, etag=etag, last_modified=last_modified)


@dataclass
class Seen:
    path: str
    host: str
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        fixture = self.server.fixture
        with fixture.lock:
            fixture.hits[path] += 1
            fixture.seen.append(
                Seen(
                    path,
                    self.headers.get("Host", ""),
                    {k.lower(): v for k, v in self.headers.items()},
                )
            )
        route = fixture.routes.get(path)
        if route is None:
            self._respond(404, b"not found", "text/plain", {})
            return
        if route.handler is not None:
            route.handler(self)
            return
        headers = dict(route.headers)
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        match_etag = route.etag and self.headers.get("If-None-Match") == route.etag
        match_date = (
            route.last_modified
            and not self.headers.get("If-None-Match")
            and self.headers.get("If-Modified-Since") == route.last_modified
        )
        if match_etag or match_date:
            self._respond(304, b"", None, headers)
            return
        self._respond(route.status, route.body, route.content_type, headers)

    def _respond(
        self, status: int, body: bytes, content_type: str | None, headers: dict[str, str]
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in headers.items():
            self.send_header(key, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304 and body:
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fixture: FixtureServer


class FixtureServer:
    """Configure ``routes`` (path -> Route), start, point the client at ``url(path)``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fixture = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FixtureServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def allowlist(self) -> tuple[str, ...]:
        return (f"127.0.0.1:{self.port}",)

    @property
    def host_map(self) -> dict[str, str]:
        """``site.test`` and ``other.test`` reach this server (two hosts, one process)."""
        return {
            "site.test:80": f"127.0.0.1:{self.port}",
            "other.test:80": f"127.0.0.1:{self.port}",
        }

    def url(self, path: str, host: str | None = None) -> str:
        if host:
            return f"http://{host}{path}"
        return f"http://127.0.0.1:{self.port}{path}"

    def requests_to(self, path: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path == path]


def trickle(body: bytes, every: float) -> Handler:
    """Send the body one byte at a time, ``every`` seconds apart (a slowloris server)."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        try:
            for byte in body:
                request.wfile.write(bytes([byte]))
                request.wfile.flush()
                time.sleep(every)
        except (BrokenPipeError, ConnectionResetError):
            return

    return handler


def endless(chunk: bytes = b"x" * 65536) -> Handler:
    """An endless chunked body: only the size cap or the deadline can stop it."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.send_header("Transfer-Encoding", "chunked")
        request.end_headers()
        try:
            while True:
                request.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except (BrokenPipeError, ConnectionResetError):
            return

    return handler


def sized(total: int, chunk: bytes = b"\0" * 65536) -> Handler:
    """A body of ``total`` bytes with a truthful Content-Length, streamed, never held whole."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.send_header("Content-Length", str(total))
        request.end_headers()
        sent = 0
        try:
            while sent < total:
                piece = chunk[: total - sent]
                request.wfile.write(piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError):
            return

    return handler


class _ReceiverHandler(BaseHTTPRequestHandler):
    server: _ReceiverServer

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        receiver = self.server.receiver
        with receiver.lock:
            receiver.received.append((self.path, body))
            status = receiver.status
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _ReceiverServer(ThreadingHTTPServer):
    daemon_threads = True
    receiver: AlertReceiver


class AlertReceiver:
    """A webhook on 127.0.0.1 that keeps every POST (path, body) and answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[tuple[str, bytes]] = []
        self.lock = threading.Lock()
        self._server = _ReceiverServer(("127.0.0.1", 0), _ReceiverHandler)
        self._server.receiver = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str = "/hook", scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}{path}"

    def __enter__(self) -> AlertReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
