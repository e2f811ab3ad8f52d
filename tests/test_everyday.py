"""Everyday use of the command line (issue 30): the warehouse asked for or exit 2, a second
writer told at once, tables that read in 80 columns, pipes, help, what Ctrl-C says, the pid
file that keeps ``serve`` from leaving a server behind, and the docs that say all this."""

from __future__ import annotations

import argparse
import io
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from flows import cli
from flows.cli import EXIT_BUSY, EXIT_CONFIG, EXIT_OK, main
from flows.core.settings import REPO_ROOT, Settings
from flows.warehouse.query import run_query

NEWSWATCH = str(Path(sys.executable).parent / "newswatch")
READERS = [
    ["query", "select 1"],
    ["status"],
    ["people"],
    ["report"],
    ["docs", "--no-serve"],
]


def published(path: Path, articles: int = 1) -> Path:
    """A small published warehouse: ``articles`` rows in marts.dim_articles."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists marts")
        con.execute(
            "create or replace table marts.dim_articles as "
            f"select 'a' || i as article_id from range({articles}) t(i)"
        )
    finally:
        con.close()
    return path


@pytest.fixture
def default_warehouse(tmp_path: Path, monkeypatch) -> Iterator[Path]:
    """Settings' default warehouse moved into tmp_path (absent), and an existing demo one."""
    field = Settings.model_fields["warehouse"]
    default = tmp_path / "warehouse" / "newswatch.duckdb"
    monkeypatch.setattr(field, "default", default)
    Settings.model_rebuild(force=True)
    monkeypatch.delenv("NEWSWATCH_WAREHOUSE", raising=False)
    monkeypatch.setattr(cli, "DEMO_WAREHOUSE", published(tmp_path / "warehouse" / "demo.duckdb"))
    yield default
    monkeypatch.undo()
    Settings.model_rebuild(force=True)


# -- the warehouse asked for, or exit 2 ------------------------------------------------------


@pytest.mark.parametrize("command", READERS)
def test_a_missing_default_warehouse_is_exit_2_though_the_demo_exists(
    default_warehouse: Path, capsys, command
):
    assert main(command) == EXIT_CONFIG
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert f"no published warehouse at {default_warehouse}" in err
    assert "--demo" in err  # how to read the demo's instead


@pytest.mark.parametrize("command", READERS)
def test_a_missing_warehouse_named_in_the_environment_is_exit_2(
    default_warehouse: Path, tmp_path: Path, capsys, monkeypatch, command
):
    missing = tmp_path / "elsewhere" / "w.duckdb"
    monkeypatch.setenv("NEWSWATCH_WAREHOUSE", str(missing))
    assert main(command) == EXIT_CONFIG
    assert f"no published warehouse at {missing}" in capsys.readouterr().err
    assert not missing.parent.exists()


def test_demo_reads_the_demo_warehouse_only_when_asked(default_warehouse: Path, capsys):
    assert main(["query", "select count(*) as articles from marts.dim_articles", "--demo"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"│\s+1 │", out), out
    assert main(["query", "select 1", "--demo", "--warehouse", str(default_warehouse)]) == 2
    assert "leave out --warehouse" in capsys.readouterr().err


# -- a second writer is told at once, before Prefect starts ----------------------------------


@pytest.mark.parametrize("command", [["demo"], ["run"]])
def test_a_second_run_is_told_in_one_line_before_prefect_starts(tmp_path: Path, command):
    from flows.demo_site.site import FEEDS_FILE
    from flows.warehouse.publish import writer_lock

    warehouse = tmp_path / "warehouse" / "w.duckdb"
    settings = Settings(warehouse=warehouse)
    args = [*command, "--warehouse", str(warehouse)]
    if command == ["run"]:
        args += ["--feeds", str(FEEDS_FILE)]
    with writer_lock(settings):
        done = subprocess.run([NEWSWATCH, *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == EXIT_BUSY, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"newswatch: another newswatch run is writing {warehouse}")
    assert "Traceback" not in done.stdout + done.stderr
    # No Prefect API was started for it (the temporary one logs beside the lock).
    assert not list(settings.writer_dir.glob("prefect-*.log"))


def test_the_writer_a_command_claims_is_lent_to_its_own_run_only(tmp_path: Path):
    from flows.warehouse.publish import WarehouseBusy, claim_writer, writer_lock

    settings = Settings(warehouse=tmp_path / "w.duckdb")
    with claim_writer(settings), writer_lock(settings):  # the run this process starts
        pass
    with writer_lock(settings), pytest.raises(WarehouseBusy), claim_writer(settings):
        pass  # a plain holder (another run) keeps it


# -- query: several statements, 80 columns, numbers, rows, pipes ----------------------------


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        "create table marts.t as select * from (values (7, 'x'), (12345, 'yy')) v(number, word)"
    )
    con.execute(
        "create table marts.wide as select "
        + ", ".join(f"'value {i}' as column_number_{i}" for i in range(27))
    )
    con.close()
    return path


def text_of(warehouse: Path, sql: str, width: int = 80) -> str:
    console = Console(record=True, width=width, file=io.StringIO())
    run_query(warehouse, sql, console=console)
    return console.export_text()


def test_several_statements_run_in_order_and_the_last_is_shown(warehouse: Path):
    text = text_of(warehouse, "select 1 as first; select word from marts.t where number = 7")
    assert "word" in text and "first" not in text
    assert text.strip().endswith("1 row")


def test_rows_are_counted_in_good_english_and_numbers_right_aligned(warehouse: Path):
    text = text_of(warehouse, "select number, word from marts.t order by number")
    assert text.strip().endswith("2 rows")
    assert re.search(r"│\s{5,}7 │ x\s+│", text), text  # 7 under the end of 12345
    assert re.search(r"│\s+12345 │ yy\s+│", text), text


def test_wide_results_fold_into_one_block_per_row_with_a_hint(warehouse: Path):
    text = text_of(warehouse, "select * from marts.wide")
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert "-[ row 1 ]" in text
    assert "column_number_26 value 26" in text  # every column, name and value, none cut
    assert "--format csv" in text


def test_long_values_fold_in_their_cells_never_cut(warehouse: Path):
    long = "http://www.example.org/" + "a-long-path/" * 10
    text = text_of(warehouse, f"select 'url' as column_name, '{long}' as value")
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "…" not in text
    joined = "".join(re.sub(r"[│┃\s]", "", line) for line in text.splitlines())
    assert long.replace(" ", "") in joined


@pytest.mark.parametrize("output", [[], ["--format", "csv"]])
def test_a_reader_that_goes_away_is_exit_0_and_no_message(warehouse: Path, output):
    sql = "select i, repeat('x', 400) as padding from range(100000) t(i)"
    process = subprocess.Popen(
        [NEWSWATCH, "query", sql, "--warehouse", str(warehouse), *output],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()  # `| head -1`
    process.stdout.close()
    err = process.stderr.read().decode()
    assert process.wait(120) == EXIT_OK, err
    assert err == ""


# -- feeds check, help ------------------------------------------------------------------------


def test_feeds_check_on_a_missing_file_names_only_the_file(tmp_path: Path, capsys):
    missing = tmp_path / "nope.yaml"
    assert main(["feeds", "check", str(missing)]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert f"feeds file not found: {missing}" in err
    assert "--feeds" not in err  # `feeds check` has no such option


def _parsers(parser: argparse.ArgumentParser, name: str = "newswatch"):
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child, sub in action.choices.items():
                yield from _parsers(sub, f"{name} {child}")


def test_every_positional_argument_says_what_it_is():
    for name, parser in _parsers(cli.build_parser()):
        for action in parser._actions:
            if not action.option_strings and not isinstance(action, argparse._SubParsersAction):
                assert action.help, f"{name}: {action.dest} has no help"


# -- what Ctrl-C says ------------------------------------------------------------------------


def test_the_interrupt_line_says_what_stopped_and_what_was_kept(tmp_path: Path):
    interrupts = cli.Interrupts()
    interrupts.command = "newswatch demo"
    settings = Settings(warehouse=published(tmp_path / "demo.duckdb"))
    interrupts.writes(settings)
    note = interrupts.progress(None)
    note("pages:total", 4)
    note("dbt", 1)
    line = interrupts.line()
    assert line.startswith("newswatch demo: interrupted while building the marts (dbt).")
    assert f"Nothing was lost: {settings.warehouse} still holds the last complete run" in line
    settings.warehouse.unlink()
    assert "nothing was published yet" in interrupts.line()


def test_a_ctrl_c_that_lands_where_python_cannot_raise_it_is_raised_again():
    """As when Ctrl-C comes while a server is being started: inside an at-fork hook, where an
    exception is "ignored" (printed as a traceback) and the interruption would be lost."""
    interrupts = cli.Interrupts()
    armed = [True]

    def at_fork() -> None:
        if armed:
            armed.clear()
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.01)  # the handler runs here, in the hook

    os.register_at_fork(after_in_parent=at_fork)  # one-shot: registrations cannot be undone
    reached = False
    try:
        with pytest.raises(KeyboardInterrupt), interrupts.installed("demo", grace=3600):
            subprocess.run(["true"], preexec_fn=lambda: None, check=True)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                time.sleep(0.01)
            reached = True
    finally:
        interrupts.settled()
    assert not reached and interrupts.received == 1


# -- serve's pid file and PR_SET_PDEATHSIG ---------------------------------------------------


def _sleeper(*words: str, session: bool = False) -> subprocess.Popen:
    """A process whose command line has ``words`` (what the pid file's checks look for)."""
    return subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)", *words],
        start_new_session=session,
    )


def _dead_pid() -> int:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return gone.pid


def test_a_second_serve_against_the_same_api_is_refused(tmp_path: Path, monkeypatch):
    from flows.orchestration.server import AlreadyServing, ServeRecord, _end_left_behind

    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    record = ServeRecord.for_api("http://127.0.0.1:1/api")
    other = _sleeper("newswatch", "serve")
    try:
        record.path.write_text(f'{{"serve_pid": {other.pid}, "server_pid": null}}')
        with pytest.raises(AlreadyServing, match=f"pid {other.pid}"):
            _end_left_behind(record, print)
    finally:
        other.kill()
        other.wait()


def test_the_server_a_killed_serve_left_running_is_ended(tmp_path: Path, monkeypatch):
    from flows.orchestration.server import ServeRecord, _end_left_behind

    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    record = ServeRecord.for_api("http://127.0.0.1:1/api")
    orphan = _sleeper("prefect", "server", "start", session=True)
    said: list[str] = []
    try:
        record.path.write_text(
            f'{{"serve_pid": {_dead_pid()}, "server_pid": {orphan.pid}}}', encoding="utf-8"
        )
        _end_left_behind(record, said.append)
        assert orphan.wait(30) is not None
    finally:
        if orphan.poll() is None:
            orphan.kill()
            orphan.wait()
    assert said and f"pid {orphan.pid}" in said[0]
    assert not record.path.exists()


def test_a_process_that_ended_is_not_alive_before_its_parent_collects_it():
    """A server ended by SIGTERM stays a zombie until its parent waits for it: it must count as
    ended, not be waited for until the stop limit and killed again."""
    from flows.orchestration.server import _alive

    child = subprocess.Popen([sys.executable, "-c", "pass", "prefect"])
    try:
        stat = Path(f"/proc/{child.pid}/stat")
        deadline = time.monotonic() + 60
        while stat.read_text().rsplit(")", 1)[1].split()[0] != "Z":
            assert time.monotonic() < deadline, "the child did not end"
            time.sleep(0.05)
        assert not _alive(child.pid, "prefect")
    finally:
        child.wait()
    sleeper = _sleeper("prefect")
    try:
        assert _alive(sleeper.pid, "prefect")
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_server_started_for_us_dies_with_us_even_by_sigkill(tmp_path: Path):
    """PR_SET_PDEATHSIG: the kernel signals the child when the process that started it dies."""
    pid_file = tmp_path / "child.pid"
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time\n"
            "from flows.orchestration.server import die_with_parent\n"
            "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'],"
            " preexec_fn=die_with_parent())\n"
            f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
            "time.sleep(600)\n",
        ],
        cwd=REPO_ROOT,
    )
    try:
        deadline = time.monotonic() + 120
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline, "the child never started"
            time.sleep(0.1)
        child = int(pid_file.read_text())
        os.kill(child, 0)  # alive
        parent.send_signal(signal.SIGKILL)
        parent.wait(30)
        while _alive(child):
            assert time.monotonic() < deadline + 60, "the child outlived its parent"
            time.sleep(0.1)
    finally:
        if parent.poll() is None:
            parent.kill()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has died (init reaps it)


# -- what a run publishes --------------------------------------------------------------------


def test_a_run_never_publishes_fewer_articles_unless_asked(tmp_path: Path):
    from flows.warehouse.publish import fewer_articles

    settings = Settings(warehouse=published(tmp_path / "w.duckdb", articles=5))
    published(settings.work_database, articles=3)
    refusal = fewer_articles(settings)
    assert refusal is not None and "3 articles" in refusal and "has 5" in refusal
    assert "NEWSWATCH_ALLOW_FEWER_ARTICLES=1" in refusal
    asked = Settings(warehouse=settings.warehouse, allow_fewer_articles=True)
    assert fewer_articles(asked) is None
    published(settings.work_database, articles=5)
    assert fewer_articles(settings) is None


def test_nothing_is_published_before_a_run_has_an_article(tmp_path: Path):
    from flows.warehouse.publish import nothing_to_publish

    settings = Settings(warehouse=tmp_path / "w.duckdb")
    assert nothing_to_publish(settings)  # no working copy yet
    settings.work_database.parent.mkdir(parents=True)
    con = duckdb.connect(str(settings.work_database))
    con.execute("create schema raw")
    con.execute("create table raw.articles (article_id varchar)")
    con.close()
    assert nothing_to_publish(settings)  # every feed failed or was deferred so far
    con = duckdb.connect(str(settings.work_database))
    con.execute("insert into raw.articles values ('a1')")
    con.close()
    assert not nothing_to_publish(settings)
    published(settings.warehouse)
    assert not nothing_to_publish(settings)


# -- the Try line, the README and the dbt docs -----------------------------------------------


def test_the_try_line_names_newswatch_as_it_can_be_typed(tmp_path: Path, monkeypatch):
    script = tmp_path / "venv" / "bin" / "newswatch"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setattr(sys, "argv", [str(script)])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert cli._command_name() == "venv/bin/newswatch"
    monkeypatch.setenv("PATH", f"{script.parent}:/usr/bin:/bin")
    assert cli._command_name() == "newswatch"


README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
MARTS = sorted(p.stem for p in (REPO_ROOT / "dbt_project" / "models" / "marts").glob("*.sql"))


def test_the_readme_says_how_to_get_newswatch_on_the_path():
    assert ".venv/bin/newswatch" in README
    assert "source .venv/bin/activate" in README


def test_which_prefect_api_is_followed_by_its_list():
    after = README.split("Which Prefect API", 1)[1].split("\n", 1)[1]
    first = next(line for line in after.splitlines() if line.strip())
    assert first.startswith("- **"), first


@pytest.mark.parametrize("mart", MARTS)
def test_every_mart_is_in_the_readme_and_the_dbt_docs_overview(mart: str):
    overview = (REPO_ROOT / "dbt_project" / "docs" / "overview.md").read_text(encoding="utf-8")
    assert f"`marts.{mart}`" in README, f"README's marts list lacks marts.{mart}"
    assert f"model.newswatch.{mart})" in overview, f"the dbt docs overview lacks {mart}"


def test_no_tracked_file_is_also_ignored():
    if not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git checkout (an unpacked archive): nothing is tracked")
    done = subprocess.run(
        ["git", "ls-files", "--cached", "--ignored", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == "", done.stdout
