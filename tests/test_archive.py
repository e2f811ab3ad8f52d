"""WARC archive: what is written can be read back, byte for byte, without the network."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flows.archive import ArchiveWriter, iter_responses, read_response
from flows.http_client import FetchResult, FetchStatus


def result(url: str, body: bytes, status: int = 200) -> FetchResult:
    return FetchResult(
        url=url,
        final_url=url,
        status=FetchStatus.OK,
        fetched_at=datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
        http_status=status,
        reason="OK",
        request_headers=(("User-Agent", "newswatch/test"),),
        headers=(
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Encoding", "gzip"),
            ("ETag", '"x"'),
        ),
        body=body,
    )


def test_round_trip_by_reference(tmp_path: Path):
    with ArchiveWriter(tmp_path, "run12345") as writer:
        first = writer.write(result("http://site.test/a", "<p>ünïcode</p>".encode()))
        second = writer.write(result("http://site.test/b", b"<p>b</p>", status=404))
    assert first is not None and second is not None and first.file == second.file
    back = read_response(tmp_path, second)
    assert (back.url, back.http_status, back.body) == ("http://site.test/b", 404, b"<p>b</p>")
    again = read_response(tmp_path, first)
    assert again.body == "<p>ünïcode</p>".encode()
    assert again.header("content-type") == "text/html; charset=utf-8"
    # The stored body is decoded, so the transfer encoding is kept under another name.
    assert again.header("Content-Encoding") == "gzip"
    assert again.fetched_at == datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def test_responses_without_http_are_not_archived(tmp_path: Path):
    failed = FetchResult("http://x/", "http://x/", FetchStatus.NETWORK_ERROR, datetime.now(UTC))
    with ArchiveWriter(tmp_path, "run") as writer:
        assert writer.write(failed) is None


def test_iterating_the_archive_sees_every_response(tmp_path: Path):
    with ArchiveWriter(tmp_path, "run") as writer:
        refs = [writer.write(result(f"http://site.test/{i}", b"x" * i)) for i in range(5)]
    seen = list(iter_responses(tmp_path))
    assert [ref for ref, _ in seen] == refs
    assert [len(r.body) for _, r in seen] == [0, 1, 2, 3, 4]
