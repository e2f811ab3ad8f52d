"""The ``newswatch`` command line: run, demo, status, query, report, docs, serve, reextract,
feeds."""

from __future__ import annotations

import _thread
import argparse
import contextlib
import dataclasses
import json
import logging
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from rich.console import Console
from rich.text import Text

from flows.core.allocator import tune_for_long_runs
from flows.core.errors import ConfigError
from flows.core.feeds_file import load_feeds_file
from flows.core.settings import REPO_ROOT, Settings
from flows.readers.alerts import check_receiver

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_BUSY = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for a command stopped by Ctrl-C
# commands that load pages and build the warehouse: large blocks glibc frees go back to the
# system (flows/core/allocator.py)
LONG_RUNS = frozenset({"run", "demo", "serve", "backfill", "reextract"})
DEMO_WAREHOUSE = REPO_ROOT / "warehouse" / "demo.duckdb"
DEMO_EVERY = 60.0  # seconds between runs of `newswatch serve --demo`


# Data and error text (feed names, query results, YAML errors) are printed as they are: never
# read as markup ("[/b]" would crash, "[bold]" vanish) nor as emoji codes (":x:").
class _Console(Console):
    def on_broken_pipe(self) -> None:
        """The reader went away (`newswatch query … | head`): rich would exit 1; main exits 0
        without a word (BrokenPipeError)."""
        raise BrokenPipeError


console = _Console(highlight=False, soft_wrap=True, markup=False, emoji=False)
errors = _Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)

STAGES = {
    "prefect": "starting Prefect",
    "feeds": "fetching feeds",
    "pages": "fetching pages",
    "extracted": "extracting pages",
    "dbt": "building the marts (dbt)",
    "kib read": "reading WARC files",
    "kept": "backfilling",
    "loaded": "backfilling",
    "serve": "serving (a run in progress is stopped and marked so in Prefect, its slot freed)",
}


class Interrupts:
    """Ctrl-C, at any moment: one line saying what was interrupted and that nothing was lost,
    then exit 130, within seconds.

    The first SIGINT silences logging (Prefect and dbt would each report the interruption,
    with tracebacks) and raises KeyboardInterrupt where the command is, so that the run
    records its end (Crashed, in Prefect) on its way out; if that takes longer than ``grace``
    seconds, or at a second Ctrl-C, the line is printed and the process ends at once. Nothing
    here can lose data: every write is a transaction, the published warehouse is replaced
    only by an atomic rename, and the writer lock dies with the process.
    """

    def __init__(self) -> None:
        self.command = "newswatch"
        self.stage: str | None = None
        self._writes: tuple[Path, str] | None = None  # the warehouse written, what comes next
        self.grace = 8.0
        self.received = 0
        self._said = threading.Lock()
        self._timer: threading.Timer | None = None
        self._again = False
        self._hook: Callable[[Any], object] = sys.unraisablehook

    @contextmanager
    def installed(self, command: str, grace: float = 8.0) -> Iterator[None]:
        """Handle SIGINT for the duration of ``command`` (then as before)."""
        self.command, self.grace = f"newswatch {command}", grace
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.signal(signal.SIGINT, self._on_sigint)
        hook, sys.unraisablehook = sys.unraisablehook, self._unraisable
        self._hook = hook
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)
            sys.unraisablehook = hook

    def writes(self, settings: Settings, again: str = "the next run goes on from there") -> None:
        """Say, if interrupted, what the warehouse at ``settings`` still holds."""
        self._writes = (settings.warehouse, again)

    def kept(self) -> str:
        if self._writes is None:
            return "nothing was written"
        warehouse, again = self._writes
        if warehouse.exists():
            return f"{warehouse} still holds the last complete run, and {again}"
        return f"nothing was published yet, and {again}"

    def progress(self, forward: Callable[[str, int], None] | None) -> Callable[[str, int], None]:
        """A progress callback that notes the stage (and forwards to the progress bars)."""

        def note(stage: str, amount: int) -> None:
            self.stage = stage.partition(":")[0]
            if forward is not None:
                forward(stage, amount)

        return note

    def line(self) -> str:
        where = f" while {STAGES.get(self.stage, self.stage)}" if self.stage else ""
        return f"{self.command}: interrupted{where}. Nothing was lost: {self.kept()}."

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        if self._again:  # delivered again (_unraisable): the same Ctrl-C
            self._again = False
            raise KeyboardInterrupt
        self.received += 1
        if self.received > 1:
            self.leave()
        logging.disable(logging.CRITICAL)
        self._timer = threading.Timer(self.grace, self.leave)
        self._timer.daemon = True
        self._timer.start()
        raise KeyboardInterrupt

    def _unraisable(self, unraisable: Any) -> None:
        """Ctrl-C that landed where Python cannot raise it (a finalizer, an at-fork hook, as
        when a server is being started): not printed, but raised again at the next chance."""
        if isinstance(unraisable.exc_value, KeyboardInterrupt) and self.received:
            self._again = True  # from another thread, a moment later: out of that context
            again = threading.Timer(0.05, _thread.interrupt_main, (signal.SIGINT,))
            again.daemon = True
            again.start()
            return
        self._hook(unraisable)

    def settled(self) -> None:
        """The command stopped in time, and the process goes on (main called from Python):
        no forced exit, and logging as it was."""
        if self._timer is not None:
            self._timer.cancel()
        logging.disable(logging.NOTSET)

    def say(self) -> None:
        """Print the line, once."""
        if self._said.acquire(blocking=False):
            with contextlib.suppress(Exception):
                console.show_cursor(True)  # a progress display may have hidden it
            errors.print(self.line())

    def leave(self) -> None:
        """Print the line (once) and end the process now: threads still waiting on a page, a
        log flush or a worker must not hold the exit back."""
        self.say()
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)


interrupts = Interrupts()


def _prepare_environment(verbose: bool = False) -> None:
    """Offline-safe defaults for Prefect and dbt; must run before either is imported."""
    defaults = {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    if not verbose:
        defaults["PREFECT_LOGGING_LEVEL"] = "WARNING"
    for key, value in defaults.items():
        os.environ.setdefault(key, value)


def _settings(args: argparse.Namespace, **overrides: Any) -> Settings:
    values: dict[str, Any] = {}
    if getattr(args, "feeds", None):
        values["feeds"] = Path(args.feeds).resolve()
    if getattr(args, "warehouse", None):
        values["warehouse"] = Path(args.warehouse).resolve()
    values.update(overrides)
    return Settings(**values)


def _check_config(settings: Settings) -> None:
    """Fail fast, before Prefect starts, on mistakes a person must fix."""
    load_feeds_file(settings.feeds)
    check_receiver(settings.alert_receiver)
    directory = settings.warehouse.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create warehouse folder {directory}: {exc}") from exc
    if not os.access(directory, os.W_OK):
        raise ConfigError(f"warehouse folder {directory} is not writable")


PROGRESS_LABELS = {
    "feeds": "feeds fetched",
    "pages": "pages fetched",
    "extracted": "pages extracted",
    "dbt": "dbt nodes built",
    "kib read": "KiB of WARC read",
    "kept": "new pages kept",
    "loaded": "articles loaded",
}


@contextmanager
def _progress_bars() -> Iterator[Callable[[str, int], None] | None]:
    """Progress in a terminal; nothing otherwise (the flows log plain lines, which is what
    scheduled runs and pipes want).

    Events are ``(stage, n)`` to advance, ``("<stage>:total", n)`` to set a total and
    ``("<stage>:skipped", n)`` for items that will never reach the stage (a page that could
    not be fetched is never extracted). A bar appears with its stage's first event; until the
    first event, a spinner covers Prefect's start-up.
    """
    if not console.is_terminal:
        yield None
        return
    from rich.progress import (
        BarColumn,
        Progress,
        ProgressColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    class _RateColumn(ProgressColumn):
        """Items a second, once there is a rate to show."""

        def render(self, task: Any) -> Text:
            return Text(f"{task.speed:,.1f}/s" if task.speed else "", style="progress.data.speed")

    with Progress(
        SpinnerColumn(finished_text=" "),
        TextColumn("{task.description:>16}"),
        BarColumn(),
        TextColumn("{task.fields[count]}"),
        _RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        starting = progress.add_task("starting Prefect", total=None, count="")
        tasks: dict[str, Any] = {}

        def task(name: str) -> Any:
            if starting in progress.task_ids:
                progress.remove_task(starting)
            if name not in tasks:
                label = PROGRESS_LABELS.get(name, name)
                tasks[name] = progress.add_task(label, total=None, count="")
            return tasks[name]

        def show(task_id: Any) -> None:
            state = progress.tasks[progress.task_ids.index(task_id)]
            done = int(state.completed)
            total = "?" if state.total is None else int(state.total)
            progress.update(task_id, count=f"{done}/{total}")

        def update(stage: str, amount: int) -> None:
            name, _, kind = stage.partition(":")
            current = task(name)
            if kind == "total":
                progress.update(current, total=amount)
                if name == "pages":
                    progress.update(task("extracted"), total=amount)
                    show(task("extracted"))
            elif kind == "skipped":
                total = progress.tasks[progress.task_ids.index(current)].total
                if total is not None:
                    progress.update(current, total=max(0, total - amount))
            else:
                progress.advance(current, amount)
            show(current)

        yield update


def _busy(message: object) -> int:
    errors.print(f"newswatch: {message}. To wait for it, pass --wait SECONDS (e.g. --wait 600).")
    return EXIT_BUSY


@contextmanager
def _writer(settings: Settings, wait: float) -> Iterator[int | None]:
    """The warehouse's writer lock, taken before Prefect starts and held for the whole run
    (the run's own flow passes through it): yields None, or EXIT_BUSY said in one line when
    another run still writes it after ``wait`` seconds. A second run is told at once, not
    after Prefect's start-up as a flow failure with a traceback."""
    from flows.warehouse.publish import WarehouseBusy, claim_writer

    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(claim_writer(settings, wait))
        except WarehouseBusy as exc:
            yield _busy(exc)
            return
        yield None


def _run_pipeline(
    settings: Settings, title: str, lock_wait: float = 0.0, report_json: str | None = None
) -> int:
    started = time.monotonic()
    with _writer(settings, lock_wait) as busy:
        if busy is not None:
            return busy
        console.print(Text.assemble((title, "bold"), f" → {settings.warehouse}"))
        interrupts.writes(settings)
        interrupts.stage = "prefect"
        from flows.orchestration.server import run_api

        with run_api(settings), _progress_bars() as bars:
            from flows.orchestration.runs import Ending, run_pipeline

            outcome = run_pipeline(settings, lock_wait, interrupts.progress(bars))
    if outcome.ending == Ending.BUSY:
        return _busy(outcome.message)
    if outcome.ending == Ending.CONFIG:
        errors.print(f"newswatch: configuration error: {outcome.message}")
        return EXIT_CONFIG
    if outcome.report is None:
        errors.print(f"newswatch: run failed: {outcome.message}")
        return EXIT_FAILED
    report = outcome.report
    code = EXIT_OK if outcome.ending == Ending.COMPLETED else EXIT_FAILED
    report.render(console)
    wall = time.monotonic() - started
    console.print(Text.assemble(("Wall time", "bold"), f": {wall:.1f}s"))
    if report_json:
        data = {**report.as_dict(), "wall_seconds": wall, "exit_code": code}
        Path(report_json).write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    if code == EXIT_OK and not report.published:
        console.print("\nNothing was published: no article yet (the feeds above say why).")
    elif code == EXIT_OK:
        from flows.readers.run_report import EXAMPLE_QUERY

        console.print(
            f'\nTry: {_command_name()} query "{EXAMPLE_QUERY}"' + _warehouse_flag(settings)
        )
        _print_report_path(report)
    elif report.all_feeds_failed:
        errors.print("newswatch: no feed could be fetched")
    else:
        errors.print(f"newswatch: {report.dbt_error or outcome.message}")
    return code


def _command_name() -> str:
    """How to type `newswatch` here: its name when the PATH finds this one, else its path
    (`.venv/bin/newswatch` after `make demo`)."""
    command = Path(sys.argv[0])
    if command.name != "newswatch":
        return "newswatch"
    found = shutil.which("newswatch")
    if found is not None and Path(found).resolve() == command.resolve():
        return "newswatch"
    try:
        return str(command.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(command.resolve())


def _print_report_path(report: Any) -> None:
    if report.analyst_report:
        console.print(f"Report (charts, spikes): {report.analyst_report}", markup=False)
    elif report.analyst_report_error:
        errors.print(f"newswatch: report not written: {report.analyst_report_error}", markup=False)


def _warehouse_flag(settings: Settings) -> str:
    if settings.warehouse == Settings().warehouse:
        return ""
    if settings.warehouse == DEMO_WAREHOUSE:
        return " --demo"
    try:
        shown = settings.warehouse.relative_to(Path.cwd())
    except ValueError:
        shown = settings.warehouse
    return f" --warehouse {shown}"


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _check_config(settings)
    return _run_pipeline(settings, "newswatch run", args.wait, args.report_json)


def _demo_settings(server: Any, warehouse: Path) -> Settings:
    """Settings that reach the bundled sample site served by ``server`` on 127.0.0.1."""
    from flows.demo_site.site import FEEDS_FILE

    return Settings(
        warehouse=warehouse,
        feeds=FEEDS_FILE,
        host_map=server.host_map,
        private_allowlist=server.allowlist,
        per_host_delay=0.0,
        per_host_concurrency=4,
        backoff_base=60.0,
    )


def cmd_demo(args: argparse.Namespace) -> int:
    from flows.demo_site.render import OUTLETS
    from flows.demo_site.site import DemoServer

    warehouse = Path(args.warehouse).resolve() if args.warehouse else DEMO_WAREHOUSE
    with DemoServer() as server:
        settings = _demo_settings(server, warehouse)
        _check_config(settings)
        console.print(
            f"Sample site serving on http://127.0.0.1:{server.port}/ ({len(OUTLETS)} outlets)"
        )
        return _run_pipeline(settings, "newswatch demo", args.wait)


def cmd_query(args: argparse.Namespace) -> int:
    from flows.warehouse.query import QueryError, run_query

    settings = _existing_warehouse(args)
    try:
        run_query(settings.warehouse, args.sql, args.format, args.output, console)
    except QueryError as exc:
        errors.print(f"newswatch: {exc}")
        return EXIT_FAILED
    return EXIT_OK


def cmd_reextract(args: argparse.Namespace) -> int:
    settings = _published(_settings(args))
    with _writer(settings, args.wait) as busy:
        if busy is not None:
            return busy
        interrupts.writes(settings, "running it again starts over")
        interrupts.stage = "prefect"
        from flows.orchestration.server import run_api

        with run_api(settings), _progress_bars() as bars:
            from flows.orchestration.runs import Ending, run_reextract

            outcome = run_reextract(settings, args.wait, interrupts.progress(bars))
    if outcome.ending == Ending.BUSY:
        return _busy(outcome.message)
    if outcome.ending != Ending.COMPLETED:
        errors.print(f"newswatch: re-extraction failed: {outcome.message}")
        return EXIT_FAILED
    result = outcome.result
    stored = result["languages_from_stored_text"]
    console.print(
        f"Re-extracted {result['articles']} archived pages without the network: "
        f"{result['changed']} articles' text changed"
        + (f"; languages detected from stored text: {sum(stored.values())}" if stored else "")
        + f"; dbt build {'ok' if result['dbt_ok'] else 'FAILED'}"
    )
    return EXIT_OK if result["dbt_ok"] else EXIT_FAILED


def _date_option(value: str | None, flag: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ConfigError(f"{flag} {value!r} is not a date (YYYY-MM-DD)") from None


def cmd_backfill(args: argparse.Namespace) -> int:
    from flows.orchestration.backfill import BackfillReport, BackfillRequest

    settings = _settings(args)
    request = BackfillRequest(
        warc=tuple(args.warc or ()),
        sitemaps=args.sitemaps,
        since=_date_option(args.since, "--since"),
        until=_date_option(args.until, "--until"),
        all_hosts=args.all_hosts,
        max_pages=args.max_pages,
        lock_wait=args.wait,
    )
    request.check()
    if not (request.all_hosts and not settings.feeds.exists()):
        load_feeds_file(settings.feeds)
    directory = settings.warehouse.parent
    directory.mkdir(parents=True, exist_ok=True)
    console.print(Text.assemble(("newswatch backfill", "bold"), f" → {settings.warehouse}"))
    interrupts.writes(settings, "running the same backfill again goes on from its last chunk")
    interrupts.stage = "prefect"
    from flows.orchestration.server import run_api

    with run_api(settings), _progress_bars() as bars:
        from flows.orchestration.backfill import run_backfill

        state = run_backfill(settings, request, interrupts.progress(bars))
    if not state.is_completed():
        error = state.result(raise_on_failure=False)
        if isinstance(error, ConfigError):
            raise error
        from flows.warehouse.publish import WarehouseBusy

        if isinstance(error, WarehouseBusy):
            return _busy(error)
        errors.print(f"newswatch: backfill failed: {state.message or error}", markup=False)
        return EXIT_FAILED
    report: BackfillReport = state.result()
    for line in report.lines():
        console.print(line, markup=False)
    if report.dbt_ok:
        console.print(
            f"\nTry: {_command_name()} status{_warehouse_flag(settings)}  (backfilled days per "
            "outlet)"
        )
    return EXIT_OK if report.dbt_ok else EXIT_FAILED


def _published(settings: Settings) -> Settings:
    """The one check of every command that reads or reworks a warehouse: one must have been
    published at that path (a mistyped --warehouse must not quietly create an empty one)."""
    from flows.warehouse.query import no_warehouse

    if not settings.warehouse.is_file():
        raise ConfigError(no_warehouse(settings.warehouse))
    return settings


def _existing_warehouse(args: argparse.Namespace) -> Settings:
    """The warehouse a reading command was asked for: --warehouse, NEWSWATCH_WAREHOUSE or the
    default; the demo's only with --demo. It must have been published (exit 2 if not)."""
    if getattr(args, "demo", False):
        if getattr(args, "warehouse", None):
            raise ConfigError("--demo reads warehouse/demo.duckdb: leave out --warehouse")
        return _published(_settings(args, warehouse=DEMO_WAREHOUSE))
    return _published(_settings(args))


def cmd_docs(args: argparse.Namespace) -> int:
    from flows.transform.docs import docs_directory, generate_docs, serve_docs
    from flows.warehouse.publish import WarehouseBusy

    settings = _existing_warehouse(args)
    console.print(f"Generating dbt docs for {settings.warehouse} …")
    try:
        _, result = generate_docs(settings)
    except WarehouseBusy as exc:
        errors.print(f"newswatch: {exc}")
        return EXIT_BUSY
    if not result.success:
        errors.print(f"newswatch: dbt docs generate failed: {result.describe_failures()}")
        return EXIT_FAILED
    directory = docs_directory(settings)
    console.print(f"Docs written to {directory}")
    if args.no_serve:
        return EXIT_OK
    server = serve_docs(directory, args.port)
    host, port = str(server.server_address[0]), server.server_address[1]
    console.print(f"Serving dbt docs at http://{host}:{port}/  (Ctrl-C to stop)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.shutdown()
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from flows.readers.status import read_status, render_status
    from flows.warehouse.query import QueryError

    settings = _existing_warehouse(args)
    try:
        status = read_status(settings.warehouse)
    except QueryError as exc:
        errors.print(f"newswatch: {exc}")
        return EXIT_FAILED
    render_status(status, console)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from datetime import date

    from flows.readers.analyst_report import ReportError, ReportRequest, write_report
    from flows.warehouse.query import QueryError

    settings = _existing_warehouse(args)
    try:
        since = date.fromisoformat(args.since) if args.since else None
    except ValueError:
        raise ConfigError(f"--since {args.since!r} is not a date (YYYY-MM-DD)") from None
    request = ReportRequest(
        settings.warehouse,
        output=Path(args.output).resolve() if args.output else None,
        since=since,
        entities=tuple(args.entity or ()),
    )
    try:
        result = write_report(request)
    except ReportError as exc:
        raise ConfigError(str(exc)) from exc
    except QueryError as exc:
        errors.print(f"newswatch: {exc}", markup=False)
        return EXIT_FAILED
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    console.print(f"Wrote {result.describe()}", markup=False)
    return EXIT_OK


def cmd_people(args: argparse.Namespace) -> int:
    from flows.readers.new_people import new_people, seed_rows
    from flows.warehouse.query import QueryError

    settings = _existing_warehouse(args)
    try:
        people = new_people(settings.warehouse, args.days, args.limit)
    except QueryError as exc:
        errors.print(f"newswatch: {exc}", markup=False)
        return EXIT_FAILED
    if not people:
        print(f"No new people in the last {args.days} days.")
        return EXIT_OK
    print(f"People the seeds do not know, first seen in the last {args.days} days:")
    for person in people:
        role = f" — {person.stated_role}" if person.stated_role else ""
        print(
            f"  {person.name} ({person.entity_id}): {person.article_count} articles, "
            f"{person.mention_count} mentions{role}"
        )
    entities, aliases = seed_rows(people)
    print("\nTo curate them, paste into dbt_project/seeds/entities.csv:\n" + entities)
    print("and into dbt_project/seeds/entity_aliases.csv:\n" + aliases)
    print("They keep their ids, so their history stays theirs; then run `newswatch run`.")
    return EXIT_OK


def cmd_feeds_check(args: argparse.Namespace) -> int:
    from rich.table import Table

    from flows.core.records import FeedState
    from flows.core.statuses import FeedStatus
    from flows.ingest.harvest import check_feeds

    if not Path(args.file).is_file():
        raise ConfigError(f"feeds file not found: {args.file}")
    feeds = load_feeds_file(Path(args.file))
    settings = _settings(args)
    console.print(f"{args.file}: {len(feeds)} feeds, valid; checking each one …")
    checks = check_feeds(settings, [FeedState(f.name, f.url) for f in feeds])
    table = Table(header_style="bold")
    for column in ("feed", "status", "http", "entries", "title / error"):
        table.add_column(column)
    for check in checks:
        # Without validators a reachable feed is "ok"; a malformed one says so, briefly.
        error = f"malformed but readable: {check.bozo_reason}" if check.is_bozo else check.error
        table.add_row(
            check.feed_name,
            check.status,
            str(check.fetch.http_status or ""),
            str(len(check.entries)),
            (error or check.title or "")[:80],
        )
    console.print(table)
    failed = [c for c in checks if c.status != FeedStatus.OK]
    console.print(f"{len(checks) - len(failed)} reachable feeds, {len(failed)} not")
    return EXIT_FAILED if failed else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from flows.orchestration.server import AlreadyServing, prefect_api

    try:
        if not args.demo:
            settings = _settings(args)
            _check_config(settings)
            interrupts.writes(settings, "the next `newswatch serve` goes on from there")
            interrupts.stage = "prefect"
            with prefect_api(settings, args.prefect_port, console.print):
                return _serve(args, settings)
        if args.feeds:
            raise ConfigError("--demo runs on the sample site's own feeds: leave out --feeds")
        from flows.demo_site.render import OUTLETS
        from flows.demo_site.site import DemoServer

        warehouse = Path(args.warehouse).resolve() if args.warehouse else DEMO_WAREHOUSE
        if args.every is None and args.cron is None:
            args.every = DEMO_EVERY
        with DemoServer() as server:
            settings = _demo_settings(server, warehouse)
            _check_config(settings)
            interrupts.writes(settings, "the next `newswatch serve --demo` goes on from there")
            interrupts.stage = "prefect"
            console.print(
                f"Sample site serving on http://127.0.0.1:{server.port}/ ({len(OUTLETS)} outlets)"
            )
            with prefect_api(settings, args.prefect_port, console.print):
                return _serve(args, settings, demo=True)
    except AlreadyServing as exc:
        errors.print(f"newswatch: {exc}")
        return EXIT_BUSY


# What scheduled runs of `serve --demo` need to reach the sample site (see _demo_settings):
# settings of the deployment, and the site's address, which changes with every `serve` and so
# goes to the runs through the runner's environment, never into runs scheduled beforehand.
DEMO_OVERRIDES = {
    "warehouse",
    "feeds",
    "per_host_delay",
    "per_host_concurrency",
    "backoff_base",
}
DEMO_ADDRESS = {
    "host_map": "NEWSWATCH_HOST_MAP",
    "private_allowlist": "NEWSWATCH_PRIVATE_ALLOWLIST",
}


def _serve(args: argparse.Namespace, settings: Settings, demo: bool = False) -> int:
    from flows.orchestration.deployments import Schedule, build_deployments
    from flows.orchestration.serving import serve

    overrides: dict[str, Any] = {}
    environment: dict[str, str] = {}
    if demo:
        overrides = settings.model_dump(mode="json", include=DEMO_OVERRIDES)
        address = settings.model_dump(mode="json", include=set(DEMO_ADDRESS))
        environment = {DEMO_ADDRESS[key]: json.dumps(value) for key, value in address.items()}
    if args.feeds:
        overrides["feeds"] = str(settings.feeds)
    if args.warehouse:
        overrides["warehouse"] = str(settings.warehouse)
    cron = args.cron or Schedule.pipeline_cron
    schedule = Schedule(
        pipeline_cron=cron,
        docs_cron=args.docs_cron,
        pipeline_every=args.every,
        timezone=args.timezone,
    )
    build_deployments(schedule, overrides or None)  # a mistake in a schedule stops us here
    when = f"every {args.every:g}s" if args.every else f"cron '{cron}' ({args.timezone})"
    console.print(
        f"Serving newswatch: pipeline {when}, docs cron '{args.docs_cron}'; "
        f"warehouse {settings.warehouse}. Ctrl-C to stop."
    )
    interrupts.stage = "serve"
    spec = {
        "schedule": dataclasses.asdict(schedule),
        "overrides": overrides or None,
        "limit": args.limit,
        "environment": environment,
    }
    code = serve(spec, console.print)
    if code:
        errors.print(f"newswatch: the Prefect runner stopped with exit code {code}")
        return EXIT_FAILED
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newswatch",
        description="News-monitoring warehouse: feeds → archive → text → DuckDB → dbt marts.",
    )
    parser.add_argument("--verbose", action="store_true", help="show Prefect and dbt logs")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def warehouse_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--warehouse",
            help="DuckDB file (default: $NEWSWATCH_WAREHOUSE or warehouse/newswatch.duckdb)",
        )

    def read_options(p: argparse.ArgumentParser) -> None:
        """The warehouse a reading command reads: it must have been published."""
        warehouse_option(p)
        p.add_argument(
            "--demo",
            action="store_true",
            help="read the demo's warehouse (warehouse/demo.duckdb, made by `newswatch demo`)",
        )

    def wait_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--wait",
            type=float,
            default=0.0,
            metavar="SECONDS",
            help="if another run is writing the warehouse, wait up to this long (default: 0)",
        )

    run = commands.add_parser("run", help="run the whole pipeline once on the feeds file")
    run.add_argument("--feeds", help="feeds YAML (default: $NEWSWATCH_FEEDS or feeds.yaml)")
    warehouse_option(run)
    wait_option(run)
    run.add_argument("--report-json", help="also write the run's report (with timings) as JSON")
    run.set_defaults(func=cmd_run)

    demo = commands.add_parser("demo", help="run the pipeline on the bundled sample site")
    demo.add_argument("--warehouse", help="DuckDB file (default: warehouse/demo.duckdb)")
    wait_option(demo)
    demo.set_defaults(func=cmd_demo)

    query = commands.add_parser("query", help="run SQL on the published warehouse (read-only)")
    query.add_argument(
        "sql",
        help="SELECT (or describe, show, summarize, explain) statements; with several, "
        "separated by ';', each runs in order and the last one's result is shown",
    )
    read_options(query)
    query.add_argument(
        "--format",
        choices=("table", "csv", "json", "parquet"),
        help="default: a table, or the format the -o file's suffix names",
    )
    query.add_argument(
        "--output", "-o", metavar="FILE", help="file to write: .csv, .json or .parquet"
    )
    query.set_defaults(func=cmd_query)

    docs = commands.add_parser("docs", help="generate the dbt docs and serve them on 127.0.0.1")
    read_options(docs)
    docs.add_argument("--port", type=int, default=8580, help="port (a free one if taken)")
    docs.add_argument("--no-serve", action="store_true", help="only generate them")
    docs.set_defaults(func=cmd_docs)

    status = commands.add_parser("status", help="feed health and warehouse freshness")
    read_options(status)
    status.set_defaults(func=cmd_status)

    people = commands.add_parser(
        "people", help="new people in the news: persons not in the seeds, as seed rows"
    )
    people.add_argument("--days", type=int, default=7, help="first seen in the last N days (7)")
    people.add_argument("--limit", type=int, default=50, help="at most this many (50)")
    read_options(people)
    people.set_defaults(func=cmd_people)

    report = commands.add_parser(
        "report", help="write the analyst report: charts and explained spikes, one HTML file"
    )
    read_options(report)
    report.add_argument(
        "--since", help="first day, YYYY-MM-DD (default: the 90 days up to the newest article)"
    )
    report.add_argument(
        "-o", "--output", help="HTML file (default: <warehouse name>-report.html beside it)"
    )
    report.add_argument(
        "--entity",
        action="append",
        metavar="ID",
        help="also chart this entity (id or name; repeat for more), e.g. --entity japan",
    )
    report.set_defaults(func=cmd_report)

    feeds = commands.add_parser("feeds", help="feeds file tools")
    feeds_commands = feeds.add_subparsers(dest="feeds_command", required=True, metavar="COMMAND")
    check = feeds_commands.add_parser("check", help="validate a feeds file and try each feed")
    check.add_argument("file", help="the feeds YAML file to check (e.g. feeds.yaml)")
    check.set_defaults(func=cmd_feeds_check)

    serve = commands.add_parser(
        "serve", help="run the pipeline on a schedule (Prefect deployments)"
    )
    serve.add_argument("--feeds", help="feeds YAML (default: $NEWSWATCH_FEEDS or feeds.yaml)")
    warehouse_option(serve)
    serve.add_argument(
        "--demo",
        action="store_true",
        help="serve the bundled sample site and run on it into warehouse/demo.duckdb "
        f"(every {DEMO_EVERY:g} s unless --every or --cron is given)",
    )
    serve.add_argument("--cron", help="pipeline schedule (default hourly: '0 * * * *')")
    serve.add_argument("--every", type=float, help="run the pipeline every N seconds instead")
    serve.add_argument("--docs-cron", default="30 5 * * *", help="docs schedule (default daily)")
    serve.add_argument("--timezone", default="UTC", help="time zone of the cron schedules")
    serve.add_argument(
        "--limit", type=int, default=4, help="flow runs this process may run at once"
    )
    serve.add_argument(
        "--prefect-port",
        type=int,
        default=4200,
        help="port of the local Prefect server started when PREFECT_API_URL is not set",
    )
    serve.set_defaults(func=cmd_serve)

    backfill = commands.add_parser(
        "backfill",
        help="load history from WARC files or the outlets' sitemaps",
        description=(
            "Load past articles through the same extraction, analysis and dbt as a run: from "
            "web archives (--warc) or from the sitemaps of each configured feed's and outlet's "
            "host (--sitemaps). Interrupted, it goes on from its last loaded chunk when run again."
        ),
    )
    source = backfill.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--warc",
        nargs="+",
        metavar="PATH",
        help=".warc/.warc.gz files, folders (searched recursively) or globs",
    )
    source.add_argument(
        "--sitemaps", action="store_true", help="walk the feeds' and outlets' sitemaps"
    )
    backfill.add_argument("--since", help="first publication date kept (YYYY-MM-DD)")
    backfill.add_argument("--until", help="last publication date kept (YYYY-MM-DD)")
    backfill.add_argument(
        "--all-hosts",
        action="store_true",
        help="keep pages of every host, not only the configured feeds' and outlets'",
    )
    backfill.add_argument(
        "--max-pages", type=int, help="at most this many pages fetched per host (sitemaps)"
    )
    backfill.add_argument("--feeds", help="feeds YAML (default: $NEWSWATCH_FEEDS or feeds.yaml)")
    warehouse_option(backfill)
    backfill.add_argument(
        "--wait",
        type=float,
        default=6 * 3600.0,
        metavar="SECONDS",
        help="how long each chunk waits for a run writing the warehouse (default: 6 hours)",
    )
    backfill.set_defaults(func=cmd_backfill)

    reextract = commands.add_parser(
        "reextract", help="re-extract every archived page from the WARC archive (no network)"
    )
    warehouse_option(reextract)
    wait_option(reextract)
    reextract.set_defaults(func=cmd_reextract)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _prepare_environment(args.verbose or args.command == "serve")  # a service logs its runs
    if args.command in LONG_RUNS:
        tune_for_long_runs()
    global interrupts
    interrupts = Interrupts()
    # serve's stop is bounded by its own limits (cancelling a run can take Prefect 30 s)
    grace = 90.0 if args.command == "serve" else 8.0
    try:
        with interrupts.installed(args.command, grace):
            return int(args.func(args))
    except ConfigError as exc:
        errors.print(f"newswatch: configuration error: {exc}")
        return EXIT_CONFIG
    except KeyboardInterrupt:
        # The process then ends as usual (worker processes and semaphores are cleaned up);
        # if that takes longer than the grace, the timer started at Ctrl-C ends it at once.
        interrupts.say()
        if argv is not None:  # called from Python, which goes on
            interrupts.settled()
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`newswatch query … | head`): not an error of ours. Point stdout
        # at /dev/null so the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
