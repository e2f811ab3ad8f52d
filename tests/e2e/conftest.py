"""The sample site run twice through the whole pipeline, shared by the end-to-end tests."""

from __future__ import annotations

import fcntl
import json
import pickle
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml

from flows.core.settings import Settings
from flows.demo_site.render import load_articles
from flows.demo_site.site import FEEDS_FILE, HOSTILE, DemoServer
from flows.readers.run_report import RunReport
from tests.conftest import make_settings

# Article pages of the sample site with text: the sample articles and the story in Spanish.
DEMO_PAGES = len(load_articles()) + len(load_articles(HOSTILE))
# The three English outlets (and the hostile feeds): what tests that need a run, but not
# the nine other languages, fetch, at a third of the demo's cost.
ENGLISH_OUTLETS = ("pacific-herald", "harbor-wire", "straits-daily")
ENGLISH_PAGES = sum(1 for a in load_articles() if a.outlet in ENGLISH_OUTLETS) + len(
    load_articles(HOSTILE)
)


def english_feeds(directory: Path) -> Path:
    """The demo's feeds file without the outlets in other languages, written in ``directory``."""
    from flows.demo_site.render import OUTLETS

    others = {o.name for o in OUTLETS.values() if o.outlet_id not in ENGLISH_OUTLETS}
    document = yaml.safe_load(FEEDS_FILE.read_text(encoding="utf-8"))
    document["feeds"] = [f for f in document["feeds"] if f["outlet"] not in others]
    path = directory / "english-feeds.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def site_environment(server: DemoServer) -> dict[str, str]:
    """What a `newswatch` process needs to fetch a sample site served here: its hosts mapped
    to 127.0.0.1, those addresses allowed, no politeness delay."""
    return {
        "NEWSWATCH_HOST_MAP": json.dumps(server.host_map),
        "NEWSWATCH_PRIVATE_ALLOWLIST": json.dumps(list(server.allowlist)),
        "NEWSWATCH_PER_HOST_DELAY": "0",
    }


def other_language_feeds() -> dict[str, str]:
    """The demo's feeds of the outlets in other languages, name to URL path: each is served
    whole, so each is fetched, and answers 304 the second time."""
    from urllib.parse import urlsplit

    from flows.demo_site.render import OUTLETS

    others = {o.name for o in OUTLETS.values() if o.outlet_id not in ENGLISH_OUTLETS}
    document = yaml.safe_load(FEEDS_FILE.read_text(encoding="utf-8"))
    return {f["name"]: urlsplit(f["url"]).path for f in document["feeds"] if f["outlet"] in others}


# The product's fetch time limits (flows/core/settings.py), not make_settings' short ones, for
# runs that fetch the sample site: on a busy machine (the other worker building too) a page
# of a local server can take seconds, and a timeout there is the machine's, not the code's.
SITE_TIMEOUTS = {"connect_timeout": 10.0, "read_timeout": 20.0, "total_timeout": 60.0}

RAW_TABLES = (
    "raw.feed_fetches",
    "raw.feed_entries",
    "raw.page_fetches",
    "raw.articles",
    "raw.sentences",
    "raw.sentence_tone",
)


def table_counts(database: Path, tables: tuple[str, ...]) -> dict[str, int]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in tables}
    finally:
        con.close()


def query(database: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def working_copy(source: Settings, tmp_path: Path, dbt_project_dir: Path | None = None) -> Settings:
    """A private copy of a run's working database, to build or break without side effects."""
    settings = Settings(
        warehouse=tmp_path / "w" / source.warehouse.name,
        dbt_project_dir=dbt_project_dir or source.dbt_project_dir,
    )
    settings.work_database.parent.mkdir(parents=True)
    shutil.copyfile(source.work_database, settings.work_database)
    return settings


class ProgressLog:
    """Records the progress events a run reports (what the CLI's bars are drawn from)."""

    def __init__(self) -> None:
        self.totals: dict[str, int] = {}
        self.counts: Counter[str] = Counter()

    def __call__(self, stage: str, amount: int) -> None:
        name, _, kind = stage.partition(":")
        if kind == "total":
            self.totals[name] = amount
        else:
            self.counts[stage] += amount


@dataclass
class DemoRuns:
    settings: Settings
    first: RunReport
    second: RunReport
    raw_after_first: dict[str, int]
    raw_after_second: dict[str, int]
    hits_after_first: Counter
    hits_after_second: Counter
    requests: list[dict[str, str]]
    progress_first: ProgressLog


def _build_demo_runs(tmp: Path) -> DemoRuns:
    from flows.orchestration.pipeline import news_pipeline, set_progress

    with DemoServer() as server:
        settings = make_settings(
            tmp,
            feeds=FEEDS_FILE,
            host_map=server.host_map,
            private_allowlist=server.allowlist,
            **SITE_TIMEOUTS,
        )
        progress = ProgressLog()
        set_progress(progress)
        try:
            first = news_pipeline(settings)
        finally:
            set_progress(None)
        raw_after_first = table_counts(settings.work_database, RAW_TABLES)
        hits_after_first = Counter(server.site.hits)
        second = news_pipeline(settings)
        raw_after_second = table_counts(settings.work_database, RAW_TABLES)
        hits_after_second = Counter(server.site.hits)
        requests = list(server.site.requests)
    return DemoRuns(
        settings,
        first,
        second,
        raw_after_first,
        raw_after_second,
        hits_after_first,
        hits_after_second,
        requests,
        progress,
    )


@pytest.fixture(scope="session")
def demo_runs(prefect_harness, tmp_path_factory, worker_id: str) -> DemoRuns:
    """The sample site run twice, built once per test session: under pytest-xdist, the first
    worker to ask builds it into the session's shared folder (under a lock) and the others
    read the same warehouse, so the two cores are not both spent building the same thing.
    Tests only read it; a test that writes works on a copy (``working_copy``)."""
    if worker_id == "master":
        return _build_demo_runs(tmp_path_factory.mktemp("demo"))
    shared = tmp_path_factory.getbasetemp().parent / "demo-runs"
    shared.mkdir(exist_ok=True)
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        built = shared / "runs.pickle"
        if not built.exists():
            runs = _build_demo_runs(shared / "demo")
            built.write_bytes(pickle.dumps(runs))
        return pickle.loads(built.read_bytes())
