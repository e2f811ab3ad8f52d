"""Shared fixtures: no network beyond 127.0.0.1, one Prefect harness per session, settings on
tmp_path, and local HTTP servers."""

from __future__ import annotations

import os
import shutil
import tempfile

# Before Prefect or dbt is imported anywhere. Prefect keeps its database, results and profiles
# under PREFECT_HOME (default ~/.prefect): the tests, and the commands they start, use a
# folder of their own that is removed at the end, never the user's home or their server.
PREFECT_HOME = tempfile.mkdtemp(prefix="newswatch-tests-prefect-")
os.environ["PREFECT_HOME"] = PREFECT_HOME
for _key in ("PREFECT_API_URL", "PREFECT_API_KEY", "PREFECT_PROFILE"):
    os.environ.pop(_key, None)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
for _key in [k for k in os.environ if k.startswith("NEWSWATCH_")]:
    if _key != "NEWSWATCH_SHARED_DIR":  # where ../shared is, when the checkout is elsewhere
        del os.environ[_key]  # tests configure newswatch explicitly

import csv  # noqa: E402
import ipaddress  # noqa: E402
import socket  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

from flows.core.settings import REPO_ROOT, Settings  # noqa: E402
from tests.servers import FixtureServer  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"


class NetworkBlocked(RuntimeError):
    """A test tried to reach beyond 127.0.0.1."""


def _is_loopback(host: Any) -> bool:
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return host in ("localhost",)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(PREFECT_HOME, ignore_errors=True)


UNDER_CI = os.environ.get("CI") == "true"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under CI=true nothing is skipped: a skip there means something CI must have (Chromium,
    ../shared's corpora) is missing, and hiding it would make a green run lie."""
    outcome = yield
    report = outcome.get_result()
    if UNDER_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where nothing may be: {reason}"


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups on each worker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """End-to-end tests are ``slow`` (``make test-fast`` leaves them out). Under pytest-xdist
    (``--dist loadgroup``), the tests of a module whose module-scoped fixture builds something
    (a pipeline run, a Dask cluster, the dbt docs) stay on one worker, so it is built once."""
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.slow)
        info = getattr(item, "_fixtureinfo", None)
        definitions = info.name2fixturedefs if info is not None else {}
        if any(defs[-1].scope == "module" for defs in definitions.values() if defs):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


def pytest_report_header(config: pytest.Config) -> str:
    from tools.real_pages import corpus_dir

    where = corpus_dir()
    if where is None:
        return (
            "../shared/corpora/article-extraction-benchmark: not found; the tests that read "
            "its real pages are skipped (NEWSWATCH_SHARED_DIR names the folder holding corpora/)"
        )
    return f"real pages: {where}"


@pytest.fixture(autouse=True, scope="session")
def _no_internet() -> Iterator[None]:
    """Any connection or DNS lookup beyond loopback fails loudly."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise NetworkBlocked(f"test tried to connect to {address}")
        return real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise NetworkBlocked(f"test tried to connect to {address}")
        return real_connect_ex(self, address)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is None or _is_loopback(name) or _is_ip(name):
            return real_getaddrinfo(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, f"DNS blocked in tests: {name}")

    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = guarded_getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = real_getaddrinfo


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]").split("%")[0])
    except ValueError:
        return False
    return True


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One temporary Prefect API for the whole session (start-up costs 8–20 s). Yields a copy
    of its database as it was on start-up, before any run: migrated, and empty."""
    import sqlite3

    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        database = PREFECT_SERVER_DATABASE_CONNECTION_URL.value().split(":///", 1)[1]
        empty = tmp_path_factory.mktemp("prefect-empty") / "prefect.db"
        with sqlite3.connect(database) as source, sqlite3.connect(empty) as copy:
            source.backup(copy)  # a consistent copy, though the server has it open
        yield empty


@pytest.fixture
def prefect_home(prefect_harness: Path, tmp_path: Path) -> Path:
    """A PREFECT_HOME of the test's own whose database is already migrated: a server a test
    starts on a new home first spends about 10 s of CPU building its schema."""
    home = tmp_path / "prefect"
    home.mkdir()
    shutil.copyfile(prefect_harness, home / "prefect.db")
    return home


@pytest.fixture(scope="session")
def benchmark_corpus() -> Path:
    """../shared/corpora/article-extraction-benchmark (real pages, never copied here): skipped
    where it is absent, a failure under CI=true, where it is always present."""
    from tools.real_pages import corpus_dir

    directory = corpus_dir()
    if directory is None:
        if os.environ.get("CI") == "true":
            pytest.fail("../shared/corpora/article-extraction-benchmark is missing under CI")
        pytest.skip("../shared/corpora/article-extraction-benchmark is not beside the checkout")
    return directory


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as fixture_server:
        yield fixture_server


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings on tmp_path: fast timeouts, no politeness delay, loopback allowed only where
    the caller says so."""
    values: dict[str, Any] = {
        "warehouse": tmp_path / "warehouse" / "test.duckdb",
        "feeds": tmp_path / "feeds.yaml",
        "per_host_delay": 0.0,
        "per_host_concurrency": 4,
        "connect_timeout": 2.0,
        "read_timeout": 3.0,
        "total_timeout": 5.0,
        "extract_workers": 2,
        "extract_timeout": 20.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings_for(tmp_path: Path):
    def factory(fixture_server: FixtureServer | None = None, **overrides: Any) -> Settings:
        if fixture_server is not None:
            overrides.setdefault("private_allowlist", fixture_server.allowlist)
            overrides.setdefault("host_map", fixture_server.host_map)
        return make_settings(tmp_path, **overrides)

    return factory


SEEDS = REPO_ROOT / "dbt_project" / "seeds"


def seed_column(name: str) -> list[str]:
    """The first column of a seed, as strings."""
    with (SEEDS / f"{name}.csv").open(encoding="utf-8") as handle:
        return [next(iter(row.values())) for row in csv.DictReader(handle)]


def seed_lexicon(language: str):
    """What flows/text/people.py knows of ``language``, from the project's own seeds, built as
    the dbt model (int_persons__mentioned) builds it: people.language_lexicon."""
    from flows.text.people import cue_seeds, language_lexicon

    def rows(name: str) -> list[dict[str, str]]:
        with (SEEDS / f"{name}.csv").open(encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    types = {row["entity_id"]: row["entity_type"] for row in rows("entities")}
    aliases = [
        (r["entity_id"], types[r["entity_id"]], r["alias"], r["alias_kind"],
         r["stands_alone"] == "true", r["language"])
        for r in rows("entity_aliases")
    ]  # fmt: skip
    seeds = cue_seeds(
        [(r["title"], r["language"]) for r in rows("person_titles")],
        [(r["verb"], r["language"]) for r in rows("attribution_verbs")],
        [(r["word"], r["kind"], r["language"]) for r in rows("not_person_words")],
        [(r["language"], r["kind"], r["cue"]) for r in rows("person_cues")],
        [(r["language"], r["cue"], r["kind"]) for r in rows("quote_cues")],
    )
    return language_lexicon(
        language,
        aliases,
        seeds.titles,
        seeds.verbs,
        seeds.not_person_words,
        seed_column("family_name_first"),
        seeds.person_cues,
        seeds.quote_verbs,
    )


@pytest.fixture(scope="session")
def lexicon():
    """The English lexicon, as the dbt model builds it."""
    return seed_lexicon("en")
