"""The command line: configuration mistakes stop at once; an offline run says what failed."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from flows.cli import EXIT_BUSY, EXIT_CONFIG, EXIT_FAILED, main


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


def test_an_alert_url_no_service_reads_stops_the_run_before_it_starts(
    tmp_path: Path, capsys, monkeypatch
):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - {name: ok, url: 'https://x.org/', outlet: X}\n")
    monkeypatch.setenv("NEWSWATCH_ALERT_URL", "nosuch://my-secret-token")
    code = main(["run", "--feeds", str(feeds), "--warehouse", str(tmp_path / "w.duckdb")])
    assert code == EXIT_CONFIG
    captured = capsys.readouterr()
    assert "Apprise does not know the service nosuch://" in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert "my-secret-token" not in captured.err + captured.out
    assert not (tmp_path / "w.duckdb").exists()  # nothing ran


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
    # Nothing to derive and nothing published before: no dbt build, no empty warehouse.
    assert "dbt build: skipped: no feed could be fetched" in out
    assert not (tmp_path / "w.duckdb").exists()


def test_yaml_error_is_printed_whole_not_read_as_markup(tmp_path: Path, capsys):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - name: [a\n    url: x\n")
    code = main(["run", "--feeds", str(feeds), "--warehouse", str(tmp_path / "w.duckdb")])
    assert code == EXIT_CONFIG
    err = capsys.readouterr().err
    # rich markup would swallow everything from "[a" to the "]" of "expected ',' or ']'".
    assert "- name: [a" in err and "expected ',' or ']', but got ':'" in err


@pytest.mark.parametrize(
    "command",
    [
        ["query", "select 1"],
        ["status"],
        ["reextract"],
        ["docs", "--no-serve"],
    ],
)
def test_mistyped_warehouse_is_refused_and_nothing_is_created(tmp_path: Path, capsys, command):
    typo = tmp_path / "warehuose" / "newswatch.duckdb"
    code = main([*command, "--warehouse", str(typo)])
    assert code == EXIT_CONFIG
    assert f"no published warehouse at {typo}" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def _published_warehouse(tmp_path: Path) -> Path:
    import duckdb

    path = tmp_path / "warehouse" / "w.duckdb"
    path.parent.mkdir()
    duckdb.connect(str(path)).close()
    return path


@pytest.mark.parametrize("command", [["run"], ["demo"], ["reextract"]])
def test_another_writer_gets_one_line_that_mentions_wait(tmp_path: Path, capsys, command):
    from flows.core.settings import Settings
    from flows.warehouse.publish import writer_lock

    warehouse = _published_warehouse(tmp_path)
    with writer_lock(Settings(warehouse=warehouse)):
        started = time.monotonic()
        code = main([*command, "--warehouse", str(warehouse), "--wait", "0.5"])
        waited = time.monotonic() - started
    captured = capsys.readouterr()
    assert code == EXIT_BUSY
    assert waited >= 0.5  # it waited as long as asked before giving up
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"newswatch: another newswatch run is writing {warehouse}")
    assert "--wait SECONDS" in lines[0]
    assert "Traceback" not in captured.out + captured.err


def test_progress_bars_start_with_prefect_and_end_at_their_totals(monkeypatch):
    import re
    from io import StringIO

    from rich.console import Console

    from flows import cli

    screen = StringIO()
    terminal = Console(file=screen, force_terminal=True, width=100, markup=False)
    monkeypatch.setattr(cli, "console", terminal)
    with cli._progress_bars() as update:
        assert update is not None
        terminal.print("flows starting")  # the first frame shows Prefect's start-up
        update("feeds:total", 2)
        update("feeds", 2)
        update("pages:total", 5)
        for _ in range(5):
            update("pages", 1)
        update("extracted:skipped", 2)  # two pages could not be fetched
        for _ in range(3):
            update("extracted", 1)
        update("dbt:total", 4)
        update("dbt", 4)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())
    assert "starting Prefect" in text
    last = {}
    for line in text.splitlines():
        match = re.search(
            r"(feeds fetched|pages fetched|pages extracted|dbt nodes built).*?(\d+)/(\d+)", line
        )
        if match:
            last[match.group(1)] = (int(match.group(2)), int(match.group(3)))
    assert last == {
        "feeds fetched": (2, 2),
        "pages fetched": (5, 5),
        "pages extracted": (3, 3),
        "dbt nodes built": (4, 4),
    }


def test_no_progress_bars_when_output_is_not_a_terminal(monkeypatch):
    from io import StringIO

    from rich.console import Console

    from flows import cli

    monkeypatch.setattr(cli, "console", Console(file=StringIO()))
    with cli._progress_bars() as update:
        assert update is None
