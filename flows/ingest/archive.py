"""Archive IO: every HTTP response is kept as WARC records so text can be re-derived offline."""

from __future__ import annotations

import io
import os
import threading
import zlib
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from isal import isal_zlib
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from flows.core.records import ArchiveRef, FetchResult
from flows.ingest.http_client import to_uri

ROTATE_BYTES = 512 * 1024 * 1024
GZIP_LEVEL = 1
# The archived body is the decoded payload, so transfer-level headers would describe it wrongly;
# they are kept under another name, as web archives (pywb, warcio) do.
RENAMED_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


@dataclass(frozen=True)
class ArchivedResponse:
    url: str
    fetched_at: datetime | None
    http_status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)


class ArchiveError(Exception):
    """The archive cannot be written (disk full, permissions): the run cannot go on safely."""


class RecordError(ValueError):
    """One response cannot be made into WARC records: that item fails, the run goes on."""


class ArchiveWriter:
    """Appends request/response record pairs to rotating ``.warc.gz`` files; thread-safe."""

    def __init__(self, directory: Path, run_id: str) -> None:
        self.directory = directory
        self.run_id = run_id
        self._lock = threading.Lock()
        self._file: BinaryIO | None = None
        self._name = ""
        self._sequence = 0

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            self.close()
        except ArchiveError:
            if exc_type is None:
                raise  # otherwise the error already propagating says more

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._sequence += 1
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        self._name = f"{stamp}-{self.run_id[:8]}-{os.getpid()}-{self._sequence:04d}.warc.gz"
        self._file = open(self.directory / self._name, "ab")  # noqa: SIM115 - closed in close()

    def write(self, result: FetchResult) -> ArchiveRef | None:
        """Archive one fetch; None when there was no HTTP response to keep. Thread-safe: the
        records are built and compressed outside the lock, in the caller's thread."""
        if result.http_status is None:
            return None
        try:
            response, request = self._members(result)
        except Exception as exc:  # a bad record fails that item only
            raise RecordError(f"cannot archive the response: {type(exc).__name__}: {exc}") from exc
        with self._lock:
            try:
                if self._file is None or self._file.tell() > ROTATE_BYTES:
                    self.close()
                    self._open()
                assert self._file is not None
                offset = self._file.tell()
                self._file.write(response)
                self._file.write(request)
            except OSError as exc:
                # Without the archive, nothing fetched could be re-derived: stop the run.
                raise ArchiveError(
                    f"cannot write the archive in {self.directory}: {exc.strerror or exc}"
                ) from exc
            return ArchiveRef(self._name, offset)

    @staticmethod
    def _compress(record: object) -> bytes:
        """One record as its own gzip member, at level 1: warcio compresses at level 9, which
        costs about four times the CPU for files some 15% smaller. ISA-L's deflate writes the
        same format at a quarter of zlib's CPU (0.07 against 0.30 ms for a 100 KB page)."""
        buffer = io.BytesIO()
        WARCWriter(buffer, gzip=False).write_record(record)
        compressor = isal_zlib.compressobj(GZIP_LEVEL, isal_zlib.DEFLATED, isal_zlib.MAX_WBITS + 16)
        return compressor.compress(buffer.getvalue()) + compressor.flush()

    def _members(self, result: FetchResult) -> tuple[bytes, bytes]:
        builder = WARCWriter(io.BytesIO(), gzip=False)
        date = result.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        # WARC-Target-URI and the request line are URIs (ASCII): what went on the wire, even
        # when the feed gave an IRI (warcio cannot write a non-ASCII request line).
        uri = to_uri(result.final_url)
        parts = urlsplit(uri)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request_headers = StatusAndHeaders(
            f"GET {target} HTTP/1.1", list(result.request_headers), is_http_request=True
        )
        request = builder.create_warc_record(
            uri,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=request_headers,
            warc_headers_dict={"WARC-Date": date},
        )
        response_headers = StatusAndHeaders(
            f"{result.http_status} {result.reason}".strip(),
            [
                (f"X-Archive-Orig-{k}" if k.lower() in RENAMED_HEADERS else k, v)
                for k, v in result.headers
            ]
            + [("Content-Length", str(len(result.body)))],
            protocol=result.http_version or "HTTP/1.1",
        )
        extra = {"WARC-Date": date}
        if result.truncated:
            extra["WARC-Truncated"] = "length"
        response = builder.create_warc_record(
            uri,
            "response",
            payload=io.BytesIO(result.body),
            length=len(result.body),
            http_headers=response_headers,
            warc_headers_dict=extra,
        )
        request.rec_headers.add_header(
            "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
        )
        return self._compress(response), self._compress(request)

    def sync(self) -> None:
        """Flush and fsync, so nothing loaded into the database points at unwritten bytes."""
        with self._lock:
            if self._file is not None:
                try:
                    self._file.flush()
                    os.fsync(self._file.fileno())
                except OSError as exc:
                    raise ArchiveError(
                        f"cannot write the archive in {self.directory}: {exc.strerror or exc}"
                    ) from exc

    def close(self) -> None:
        handle, self._file = self._file, None
        if handle is None:
            return
        try:
            handle.flush()
            os.fsync(handle.fileno())
        except OSError as exc:
            raise ArchiveError(
                f"cannot write the archive in {self.directory}: {exc.strerror or exc}"
            ) from exc
        finally:
            with suppress(OSError):
                handle.close()


def _to_response(record: object) -> ArchivedResponse:
    rec_headers = record.rec_headers  # type: ignore[attr-defined]
    http_headers = record.http_headers  # type: ignore[attr-defined]
    date = rec_headers.get_header("WARC-Date")
    fetched_at = datetime.fromisoformat(date.replace("Z", "+00:00")) if date else None
    headers = tuple(
        (k[len("X-Archive-Orig-") :] if k.startswith("X-Archive-Orig-") else k, v)
        for k, v in http_headers.headers
        if k.lower() != "content-length"
    )
    return ArchivedResponse(
        url=rec_headers.get_header("WARC-Target-URI"),
        fetched_at=fetched_at,
        http_status=int(http_headers.get_statuscode()),
        headers=headers,
        body=record.content_stream().read(),  # type: ignore[attr-defined]
    )


def read_response(directory: Path, ref: ArchiveRef) -> ArchivedResponse:
    """The response record at ``ref`` (one seek, one gzip member)."""
    with open(directory / ref.file, "rb") as handle:
        handle.seek(ref.offset)
        for record in ArchiveIterator(handle):
            if record.rec_type == "response":
                return _to_response(record)
            break
    raise LookupError(f"no response record at {ref.file}@{ref.offset}")


def iter_responses(directory: Path) -> Iterator[tuple[ArchiveRef, ArchivedResponse]]:
    """Every complete response record in the archive folder, oldest file first.

    A file cut short (the disk filled up, the process was killed mid-write) yields the records
    before the cut; the torn one is skipped, since nothing in the database refers to it.
    """
    for path in sorted(directory.glob("*.warc.gz")):
        with open(path, "rb") as handle:
            iterator = ArchiveIterator(handle)
            try:
                for record in iterator:
                    if record.rec_type == "response":
                        response = _to_response(record)  # read the body before the offset
                        yield ArchiveRef(path.name, iterator.get_record_offset()), response
            except (EOFError, OSError, zlib.error, ArchiveLoadFailed):
                continue
