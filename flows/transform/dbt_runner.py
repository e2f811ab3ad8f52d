"""dbt invocation: builds the project against the writer's working database, in-process."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from flows import warehouse
from flows.core.faults import crash_soon
from flows.core.settings import Settings

_DBT_LOCK = threading.Lock()  # dbt's in-process runner is not re-entrant


@dataclass(frozen=True)
class NodeResult:
    name: str
    resource_type: str
    status: str
    seconds: float
    rows: int | None
    message: str | None


@dataclass(frozen=True)
class DbtResult:
    command: tuple[str, ...]
    success: bool
    seconds: float
    nodes: tuple[NodeResult, ...]
    error: str | None = None

    @property
    def failures(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status in ("error", "fail", "runtime error")]

    def describe_failures(self) -> str:
        lines = [f"{n.resource_type} {n.name}: {n.status}: {n.message}" for n in self.failures]
        if self.error:
            lines.append(self.error)
        return "; ".join(lines) or "dbt failed"


def project_fingerprint(settings: Settings, feeds: list[str]) -> str:
    """Changes whenever a model, macro, seed or the feeds file's content does."""
    digest = hashlib.sha256()
    project = settings.dbt_project_dir
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project)
        if path.is_file() and relative.parts[0] not in ("target", "logs", "dbt_packages"):
            digest.update(str(relative).encode())
            digest.update(path.read_bytes())
    digest.update("\n".join(sorted(feeds)).encode())
    return digest.hexdigest()


def derivation_version(settings: Settings) -> int:
    """The project's ``derivation_version`` var: bumped when incremental tables change shape."""
    project = yaml.safe_load((settings.dbt_project_dir / "dbt_project.yml").read_text())
    return int(project["vars"]["derivation_version"])


def _build_record(settings: Settings) -> dict:
    path = settings.writer_dir / "dbt" / "last_full_build.json"
    try:
        record = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return record if isinstance(record, dict) else {}


def last_full_build(settings: Settings) -> str | None:
    return _build_record(settings).get("fingerprint")


def record_full_build(settings: Settings, fingerprint: str) -> None:
    path = settings.writer_dir / "dbt" / "last_full_build.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"fingerprint": fingerprint, "derivation_version": derivation_version(settings)}
    path.write_text(json.dumps(record))


# Models derived from the seeds alone: rebuilt only when the project changes.
TAXONOMY_ONLY = ("resource_type:seed", "tag:taxonomy")
# What an hourly build (new rows, the project unchanged) leaves out: the taxonomy, and the
# views (staging, feed health, the dyad pairs), which read their tables when queried and
# need creating again only when their SQL changes, that is in a full build. Recreating the 15
# views and testing two of them was ~2.5 s of a 7.3 s hourly build at 10k articles; the
# daily refresh_docs deployment still tests every row of them.
HOURLY_EXCLUDE = (*TAXONOMY_ONLY, "config.materialized:view")
# A run with nothing new (every feed 304) builds nothing: feed health (marts.dim_feeds) is a view
# over the fetch log, current as soon as the run's fetches are loaded.
NOTHING_NEW_SCOPE = "skipped: nothing new (feed health is a view over the fetch log)"


@dataclass(frozen=True)
class BuildPlan:
    """What one pipeline run asks dbt to build, and why."""

    scope: str  # full refresh | full | incremental | NOTHING_NEW_SCOPE
    args: tuple[str, ...]
    tests_since: datetime | None = None  # data tests read only rows stamped since then


def plan_build(
    settings: Settings, fingerprint: str, has_new_data: bool, run_started_at: datetime
) -> BuildPlan:
    """Choose the cheapest build that leaves every mart right.

    - derived tables from another ``derivation_version`` (or of unknown age): rebuilt from raw;
    - the project (models, seeds, feeds file) changed: everything built and every row tested;
    - only new data: the incremental models, and data tests on the rows this run wrote
      (macros/test_scope.sql); the daily refresh_docs deployment tests every row;
    - nothing new: no build (``args`` empty; feed health is a view).
    """
    # No JSON artifacts (manifest, run results): the run reads its results in-process, and
    # writing a 5 MB manifest was ~0.9 s of every hourly build (`docs generate` still writes
    # them for the docs site)
    build = ("build", "--exclude-resource-type", "unit_test", "--no-write-json")
    record = _build_record(settings)
    if record.get("derivation_version") != derivation_version(settings):
        threads = build_threads(settings, whole_history=True, from_scratch=True)
        return BuildPlan("full refresh", (*build, "--full-refresh", *threads))
    if record.get("fingerprint") != fingerprint:
        return BuildPlan("full", (*build, *build_threads(settings, whole_history=True)))
    if not has_new_data:
        return BuildPlan(NOTHING_NEW_SCOPE, ())
    threads = build_threads(settings, whole_history=False)
    return BuildPlan(
        "incremental", (*build, "--exclude", *HOURLY_EXCLUDE, *threads), run_started_at
    )


# Two heavy models side by side share one memory cap, and past a size of history they outgrow
# it while each alone fits, so such builds run one model at a time:
# - a full build of a working database past this size (every table model reads the whole
#   history): on a million articles (a 3.2 GB file) the phrase matcher and the sentences'
#   context outgrew a 512 MB cap together (docs/benchmarks-notes.md);
LARGE_BUILD_BYTES = 1_500_000_000
# - any build that derives more sentences than this (a first run or a backfill over a long
#   history, a full refresh, a day's news after a long pause): a first run of 30,000 articles
#   (1.6M sentences, a 0.6 GB file) failed out of the 384 MB cap with the quotation finder
#   and fct_entity_mentions side by side, and once that finder was mended, a full refresh of
#   it with the sentences' tokens and the wire credits side by side. The 10,000-article
#   benchmark's first build (539,000 sentences) runs on two threads; an hourly one too.
TWO_THREAD_SENTENCES = 600_000
DERIVED_SENTENCES = "intermediate.int_sentences__tokenized"  # the first model to read them


def build_threads(
    settings: Settings, whole_history: bool, from_scratch: bool = False
) -> tuple[str, ...]:
    """dbt's --threads for a build: the user's NEWSWATCH_DBT_THREADS, else one thread when the
    build is large (above), else the profile's two."""
    if settings.dbt_threads is not None:
        return ("--threads", str(settings.dbt_threads))
    database = settings.work_database
    if not database.exists():
        return ()
    if whole_history and database.stat().st_size > LARGE_BUILD_BYTES:
        return ("--threads", "1")
    if sentences_to_derive(database, settings.duckdb_memory_limit, from_scratch) > (
        TWO_THREAD_SENTENCES
    ):
        return ("--threads", "1")
    return ()


def sentences_to_derive(database: Path, memory_limit: str, from_scratch: bool) -> int:
    """Stored sentences the next build derives: all of them from scratch (or before the first
    build), else those stamped after the newest the derived sentences hold."""
    con = warehouse.connect(database, memory_limit=memory_limit)
    try:
        tables = {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select schema_name, table_name from duckdb_tables() "
                "where database_name = current_database()"
            ).fetchall()
        }
        if "raw.sentences" not in tables:
            return 0
        since = "'-infinity'::timestamptz"
        if not from_scratch and DERIVED_SENTENCES in tables:
            since = f"(select coalesce(max(loaded_at), {since}) from {DERIVED_SENTENCES})"
        row = con.execute(f"select count(*) from raw.sentences where loaded_at > {since}")
        return int(row.fetchall()[0][0])
    finally:
        con.close()


def dbt_environment(
    settings: Settings, database: Path | None = None, tests_since: datetime | None = None
) -> dict[str, str]:
    """Environment the committed profiles.yml and macros/test_scope.sql read.

    What changes from run to run travels in the environment, not in ``--vars``: dbt parses
    the whole project again whenever a var changes (seconds on a small machine).
    """
    return {
        "NEWSWATCH_DBT_DATABASE": str(database or settings.work_database),
        "NEWSWATCH_TESTS_SINCE": tests_since.isoformat() if tests_since else "",
        "NEWSWATCH_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit,
        "NEWSWATCH_PYTHON_MODEL_MEMORY_LIMIT": settings.python_model_memory_limit,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_PARTIAL_PARSE": "true",
        # dbt's own log file (the writer's dbt/logs/dbt.log) at info: what each node did and
        # every failure. At dbt's default, debug, it also holds every statement sent, ~5 MB a
        # build of the demo, and writing it was ~15% of the build (1-2 s of an hourly run).
        # DBT_LOG_LEVEL_FILE=debug in the environment brings the statements back.
        "DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE") or "info",
    }


@contextmanager
def _noting_ctrl_c() -> Iterator[list[int]]:
    """Note each SIGINT that arrives (and hand it on to the handler already installed)."""
    noted: list[int] = []
    main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if main else None
    if not callable(previous):  # not the main thread (which alone gets signals), or ignored
        yield noted
        return

    def note(signum: int, frame: Any) -> None:
        noted.append(signum)
        previous(signum, frame)

    signal.signal(signal.SIGINT, note)
    try:
        yield noted
    finally:
        signal.signal(signal.SIGINT, previous)


def _release_database() -> None:
    """Close the DuckDB instance dbt-duckdb keeps open between invocations in this process.

    Left open, it holds the working file (blocking publish copies made with another
    configuration, and any other process) for as long as this process lives.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
    if environment is not None:
        environment.close()


def preload_dbt() -> threading.Thread:
    """Import dbt in the background (seconds on a small machine) while a run fetches pages,
    so the build does not wait for it; and the name lists the people model reads (0.3 s the
    first time in a process, on the hourly build's longest path before)."""

    def load() -> None:
        import dbt.cli.main  # noqa: F401

        from flows.text.people import load_name_lists

        load_name_lists()

    thread = threading.Thread(target=load, name="dbt-preload", daemon=True)
    thread.start()
    return thread


def _progress_events(progress: Callable[[str, int], None]) -> Callable[[Any], None]:
    """A dbt event callback reporting ``dbt:total`` (nodes to run) and ``dbt`` (one done)."""

    def on_event(event: Any) -> None:
        name = event.info.name
        if name == "ConcurrencyLine":
            progress("dbt:total", int(event.data.node_count))
        elif name == "NodeFinished":
            progress("dbt", 1)

    return on_event


PARSE_FILE = "partial_parse.msgpack"


def _parse_independent_of_the_path() -> None:
    """Let dbt reuse a saved parse of this project for a database at another path.

    dbt keeps the parsed project (``partial_parse.msgpack``) and parses it again from scratch,
    seconds on a small machine, when the connection details it was parsed with change. For
    dbt-duckdb these include the database file's path, so every new warehouse folder paid a
    full parse on its first build. Nothing in this project reads the path while parsing (the
    database *name*, its file's stem, stays in the key: nodes carry it), so newswatch leaves
    the path out of that key (tests/test_dbt_project.py checks the project never reads it).
    """
    from dbt.adapters.duckdb.credentials import DuckDBCredentials

    keys = DuckDBCredentials._connection_keys
    if getattr(keys, "newswatch_without_path", False):
        return

    def without_path(self: Any) -> tuple[str, ...]:
        return tuple(key for key in keys(self) if key != "path")

    without_path.newswatch_without_path = True  # type: ignore[attr-defined]
    DuckDBCredentials._connection_keys = without_path  # type: ignore[method-assign]


def shared_parse(settings: Settings, database: Path) -> Path:
    """Where the last parse of the project for databases named like ``database`` is kept for
    the next new warehouse folder (dbt's own target folder, which it also ignores in git)."""
    return settings.dbt_project_dir / "target" / "parsed" / f"{database.stem}.msgpack"


def _forget_parse_of_another_project(own: Path, project: Path) -> None:
    """A warehouse folder built with another copy of the project (NEWSWATCH_DBT_PROJECT_DIR
    changed) parses again: its saved parse, whose key leaves paths out, would otherwise pass
    dbt's check and load the seeds of the other copy."""
    marker = own.with_name("project_dir")
    recorded = marker.read_text(encoding="utf-8") if marker.exists() else None
    if recorded == str(project):
        return
    if recorded is not None:
        own.unlink(missing_ok=True)
    own.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(str(project), encoding="utf-8")


def _seed_parse(own: Path, shared: Path) -> None:
    """A folder dbt has not parsed in yet starts from the shared parse (dbt checks every
    file's checksum against it, and parses again whatever changed, or all when it must)."""
    if own.exists() or not shared.exists():
        return
    own.parent.mkdir(parents=True, exist_ok=True)
    partial = own.with_name(f".{own.name}.{os.getpid()}")
    try:
        shutil.copyfile(shared, partial)
        os.replace(partial, own)
    except OSError:
        partial.unlink(missing_ok=True)


def _share_parse(own: Path, shared: Path) -> None:
    """Keep this folder's parse for the next new folder, if it is newer than what is kept.
    A read-only project folder only means no sharing."""
    try:
        if not own.exists() or (
            shared.exists() and shared.stat().st_mtime_ns >= own.stat().st_mtime_ns
        ):
            return
        shared.parent.mkdir(parents=True, exist_ok=True)
        partial = shared.with_name(f".{shared.name}.{os.getpid()}.{threading.get_ident()}")
        shutil.copyfile(own, partial)
        os.replace(partial, shared)  # readers see the old file or the new, never half of one
    except OSError:
        return


def run_dbt(
    settings: Settings,
    *args: str,
    database: Path | None = None,
    target_name: str = "dbt",
    tests_since: datetime | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> DbtResult:
    """Run a dbt command (``build``, ``docs generate``…) and summarise what each node did."""
    from dbt.cli.main import dbtRunner  # heavy import, only when dbt actually runs

    target = settings.writer_dir / target_name
    variables = json.dumps({"park_after_failures": settings.park_after_failures})
    command = (
        *args,
        "--vars",
        variables,
        "--project-dir",
        str(settings.dbt_project_dir),
        "--profiles-dir",
        str(settings.dbt_project_dir),
        "--target-path",
        str(target / "target"),
        "--log-path",
        str(target / "logs"),
        "--quiet",
    )
    own_parse = target / "target" / PARSE_FILE
    shared = shared_parse(settings, database or settings.work_database)
    with _DBT_LOCK:
        os.environ.update(dbt_environment(settings, database, tests_since))
        started = time.monotonic()
        _parse_independent_of_the_path()
        _forget_parse_of_another_project(own_parse, settings.dbt_project_dir)
        _seed_parse(own_parse, shared)
        crash_soon("dbt", 2.0)  # tests: die while dbt is building
        try:
            callbacks = [_progress_events(progress)] if progress else []
            with _noting_ctrl_c() as ctrl_c:
                outcome = dbtRunner(callbacks=callbacks).invoke(list(command))
        finally:
            _release_database()
        _share_parse(own_parse, shared)
        seconds = time.monotonic() - started
    if outcome.exception is not None and not isinstance(outcome.exception, Exception):
        # Ctrl-C or a stop signal, which dbt caught: the run stops here, it did not fail.
        raise outcome.exception
    if ctrl_c and not outcome.success:
        # Ctrl-C, and dbt's clean-up after it raised something else in its place (closing
        # connections the interrupt had already closed): still an interruption, not a failure.
        raise KeyboardInterrupt from outcome.exception
    nodes = []
    for result in getattr(outcome.result, "results", None) or []:
        node = result.node
        response = result.adapter_response or {}
        rows = response.get("rows_affected") if isinstance(response, dict) else None
        nodes.append(
            NodeResult(
                name=node.name,
                resource_type=str(node.resource_type),
                status=str(result.status),
                seconds=float(result.execution_time or 0.0),
                rows=rows if isinstance(rows, int) and rows >= 0 else None,
                message=result.message,
            )
        )
    error = None
    if outcome.exception is not None:
        error = f"{type(outcome.exception).__name__}: {outcome.exception}"
    return DbtResult(tuple(command), bool(outcome.success), seconds, tuple(nodes), error)
