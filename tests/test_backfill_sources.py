"""Backfill sources without a warehouse: which files a --warc argument names, whose a page is
by its host, how a WARC file is read from an offset and where it ends, date ranges, and the
command's configuration mistakes (one line, exit 2, before Prefect starts)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from flows.cli import main
from flows.core.errors import ConfigError
from flows.core.feeds_file import FeedConfig
from flows.ingest.backfill import (
    OutletHost,
    OutletHosts,
    in_range,
    page_date,
    read_warc,
    warc_files,
)
from flows.orchestration.backfill import BackfillRequest


def _warc(path: Path, pages: list[tuple[str, bytes, str]], compressed: bool = True) -> None:
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=compressed)
        for url, body, content_type in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], "HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
            writer.write_record(record)


HTML = b"<html><body><p>" + b"word " * 50 + b"</p></body></html>"


def test_warc_arguments_name_files_folders_and_globs_once(tmp_path: Path):
    (tmp_path / "a").mkdir()
    _warc(tmp_path / "a" / "one.warc.gz", [])
    _warc(tmp_path / "a" / "two.warc", [], compressed=False)
    (tmp_path / "a" / "notes.txt").write_text("not a warc")
    found = warc_files([str(tmp_path / "a"), str(tmp_path / "a" / "*.warc.gz")])
    assert [p.name for p in found] == ["one.warc.gz", "two.warc"]
    with pytest.raises(ConfigError, match=r"no \.warc or \.warc\.gz file there"):
        warc_files([str(tmp_path / "missing")])


def test_a_page_belongs_to_the_outlet_of_its_host_or_a_domain_above_it():
    feeds = [FeedConfig(name="voa", url="https://www.voanews.com/api/x", outlet="Voice of America")]
    hosts = OutletHosts(
        feeds, [("BBC News", "https://www.bbc.com/news"), ("VOA seed", "https://voanews.com")]
    )
    assert hosts.match("https://learningenglish.voanews.com/a/1.html") == OutletHost(
        "learningenglish.voanews.com", "Voice of America", "voa"
    )
    assert hosts.match("http://WWW.BBC.COM:8080/news/x") == OutletHost("bbc.com", "BBC News")
    assert hosts.match("https://example.org/x") is None
    assert hosts.match("https://www.example.org/x", all_hosts=True) == OutletHost(
        "example.org", "example.org"
    )
    assert hosts.origins == [
        "https://www.voanews.com",
        "https://www.bbc.com",
        "https://voanews.com",
    ]


def test_a_warc_file_is_read_from_an_offset_and_a_cut_record_ends_it(tmp_path: Path):
    path = tmp_path / "crawl.warc.gz"
    _warc(
        path,
        [
            ("http://a.example/1.html", HTML, "text/html"),
            ("http://a.example/logo.png", b"\x89PNG", "image/png"),
            ("http://a.example/2.html", HTML + b"<!-- 2 -->", "text/html; charset=utf-8"),
            ("http://a.example/3.html", HTML * 40, "text/html"),
        ],
    )
    items = list(read_warc(path))
    assert [i.page.url if i.page else i.skipped for i in items] == [
        "http://a.example/1.html",
        "not_html",
        "http://a.example/2.html",
        "http://a.example/3.html",
    ]
    assert [i.offset for i in items[1:]] == [i.next_offset for i in items[:-1]]
    resumed = list(read_warc(path, items[2].offset))
    assert [i.page.url for i in resumed if i.page] == [
        "http://a.example/2.html",
        "http://a.example/3.html",
    ]
    assert resumed[0].page is not None and resumed[0].page.body == HTML + b"<!-- 2 -->"
    path.write_bytes(path.read_bytes()[: items[3].offset + 200])  # inside the last record
    cut = list(read_warc(path))
    assert [i.page.url for i in cut if i.page] == [
        "http://a.example/1.html",
        "http://a.example/2.html",
    ]
    assert cut[-1].problem is not None and "cut short" in cut[-1].problem


def test_dates_and_ranges():
    assert page_date("2025-03-01") == date(2025, 3, 1)
    assert page_date("March 2025") is None and page_date(None) is None
    assert in_range(None, None, None)
    assert not in_range(None, date(2025, 1, 1), None)  # undated: not known to be in the range
    assert in_range(date(2025, 1, 1), date(2025, 1, 1), date(2025, 1, 1))
    assert not in_range(date(2025, 1, 2), None, date(2025, 1, 1))


def test_a_backfill_request_says_what_is_wrong(tmp_path: Path):
    with pytest.raises(ConfigError, match="either --warc"):
        BackfillRequest().check()
    with pytest.raises(ConfigError, match="is after"):
        BackfillRequest(sitemaps=True, since=date(2025, 2, 1), until=date(2025, 1, 1)).check()
    request = BackfillRequest(sitemaps=True)
    since, until = request.date_range
    assert since is not None and until is None and (date.today() - since).days == 30
    assert BackfillRequest(warc=("x",)).date_range == (None, None)
    keyed = BackfillRequest(warc=("x",), since=date(2025, 1, 1), all_hosts=True)
    assert keyed.source_key("/a.warc") == "/a.warc [2025-01-01..] [all hosts]"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--warc", "nowhere/*.warc.gz"], "no .warc or .warc.gz file there"),
        (["--sitemaps", "--since", "yesterday"], "is not a date"),
        (["--sitemaps", "--max-pages", "0"], "--max-pages must be 1 or more"),
    ],
)
def test_the_command_stops_on_a_mistake_with_one_line(arguments, message, tmp_path, capsys):
    code = main(["backfill", *arguments, "--warehouse", str(tmp_path / "w.duckdb")])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "w.duckdb").exists()
