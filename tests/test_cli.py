"""The command line: configuration mistakes stop at once; an offline run says what failed."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from flows.cli import EXIT_CONFIG, EXIT_FAILED, main


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_missing_feeds_file_is_a_configuration_error(tmp_path: Path, capsys):
    code = main(
        ["run", "--feeds", str(tmp_path / "nope.yaml"), "--warehouse", str(tmp_path / "w.duckdb")]
    )
    assert code == EXIT_CONFIG
    assert "feeds file not found" in capsys.readouterr().err


def test_invalid_feeds_file_names_the_feed_and_field(tmp_path: Path, capsys):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        "feeds:\n  - {name: ok, url: 'https://x.org/', outlet: X}\n  - {name: bad, url: 'x', outlet: X}\n"
    )
    code = main(["run", "--feeds", str(feeds), "--warehouse", str(tmp_path / "w.duckdb")])
    assert code == EXIT_CONFIG
    err = capsys.readouterr().err.replace("\n", " ")
    assert "feed #2 (bad): url" in err


@pytest.mark.e2e
def test_run_without_reachable_feeds_fails_with_a_per_feed_table(
    prefect_harness, tmp_path: Path, capsys, monkeypatch
):
    port = closed_port()
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        "feeds:\n"
        f"  - {{name: first, url: 'http://127.0.0.1:{port}/a.xml', outlet: A}}\n"
        f"  - {{name: second, url: 'http://127.0.0.1:{port}/b.xml', outlet: B}}\n"
    )
    monkeypatch.setenv("NEWSWATCH_ALLOW_PRIVATE_NETWORKS", "1")  # reach the closed port
    code = main(["run", "--feeds", str(feeds), "--warehouse", str(tmp_path / "w.duckdb")])
    captured = capsys.readouterr()
    assert code == EXIT_FAILED
    assert "no feed could be fetched" in captured.err
    out = captured.out
    assert "2 failed" in out
    for name in ("first", "second"):
        assert name in out
    assert "network_error" in out
