"""WARC archive: what is written can be read back, byte for byte, without the network."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.core.records import FetchResult
from flows.core.statuses import FetchStatus
from flows.ingest.archive import ArchiveWriter, iter_responses, read_response


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


def test_a_torn_file_yields_its_complete_records(tmp_path: Path):
    with ArchiveWriter(tmp_path, "run") as writer:
        refs = [writer.write(result(f"http://site.test/{i}", b"x" * 1000)) for i in range(3)]
    path = tmp_path / refs[0].file
    data = path.read_bytes()
    path.write_bytes(data[: refs[2].offset + 40])  # the disk filled up inside the third record
    assert [ref for ref, _ in iter_responses(tmp_path)] == refs[:2]
    assert read_response(tmp_path, refs[1]).body == b"x" * 1000


def test_disk_full_is_an_archive_error_naming_the_folder(tmp_path: Path):
    import resource

    from flows.ingest.archive import ArchiveError

    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, hard))  # writes beyond 20 KB fail (EFBIG)
    try:
        with (
            pytest.raises(ArchiveError, match=str(tmp_path)),
            ArchiveWriter(tmp_path, "run") as writer,
        ):
            for i in range(50):
                writer.write(result(f"http://site.test/{i}", bytes(range(256)) * 16))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
