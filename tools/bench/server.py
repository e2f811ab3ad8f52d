"""Serve a benchmark corpus over real HTTP on 127.0.0.1, from files, in its own process.

Usage: python -m tools.bench.server CORPUS_DIR   (prints the port, then serves until killed)
Feeds answer conditional GETs (ETag from size and mtime) so the second run sees 304s.
"""

from __future__ import annotations

import re
import sys
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ARTICLE = re.compile(r"/article-(\d+)\.html$")
FEED = re.compile(r"^/feeds/(\d+)\.xml$")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/robots.txt":
            self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
            return
        match = ARTICLE.search(path)
        feed = FEED.match(path)
        if match:
            file = self.server.root / "pages" / f"{int(match.group(1)):07d}.html"
            kind = "text/html; charset=utf-8"
        elif feed:
            file = self.server.root / "feeds" / f"{feed.group(1)}.xml"
            kind = "application/rss+xml"
        else:
            self._send(404, b"not found", "text/plain")
            return
        try:
            stat = file.stat()
        except FileNotFoundError:
            self._send(404, b"not found", "text/plain")
            return
        etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
        modified = formatdate(stat.st_mtime, usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", None, etag, modified)
            return
        self._send(200, file.read_bytes(), kind, etag, modified)

    def _send(
        self,
        status: int,
        body: bytes,
        kind: str | None,
        etag: str | None = None,
        modified: str | None = None,
    ) -> None:
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        if etag:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", modified or "")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    root: Path


def main() -> None:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.root = Path(sys.argv[1])
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
