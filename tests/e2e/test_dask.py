"""Extraction on Dask (NEWSWATCH_DASK_ADDRESS): the same rows from the local pool, a
LocalCluster and a scheduler with a worker started here on 127.0.0.1; hung pages still die at
their time limit; a worker killed mid-task loses and duplicates nothing."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from flows.core.records import PendingArticle
from flows.core.settings import REPO_ROOT
from flows.demo_site.render import load_articles, render_article
from flows.demo_site.site import DemoServer
from tests.conftest import make_settings
from tests.e2e.conftest import SITE_TIMEOUTS, english_feeds
from tests.servers import FixtureServer, Route

pytestmark = [pytest.mark.e2e, pytest.mark.dask]

BIN = Path(sys.executable).parent
# What differs between two runs of the same pages whatever runs them: when and in which run.
VOLATILE = re.compile(
    r"(^|_)(run_id|loaded_at|first_seen_at|fetched_at|extracted_at|scored_at)$"
    r"|^last_\w+_at$|^next_fetch_after$"  # feed health: the clock of the run's fetches
)


def _comparable(value: object) -> object:
    # Sums of the same doubles in another order (pages arrive in another order) differ in
    # the last bits: -0.3948 against -0.39479999999999993.
    return round(value, 9) if isinstance(value, float) else value


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    address: str
    scheduler: subprocess.Popen
    worker: subprocess.Popen

    def client(self):
        from distributed import Client

        return Client(self.address, timeout=60)

    def worker_pids(self) -> dict[str, int]:
        with self.client() as client:
            return client.run(os.getpid)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    """`dask scheduler` and one `dask worker` (2 threads, with its nanny), as documented in
    docs/scaling.md, on 127.0.0.1; stopped by pid (process group) at the end."""
    logs = tmp_path_factory.mktemp("dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False", "PYTHONPATH": str(REPO_ROOT)}
    started = []

    def start(*command: str, log: str) -> subprocess.Popen:
        with open(logs / log, "w") as handle:
            process = subprocess.Popen(
                [str(BIN / "dask"), *command],
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(process)
        return process

    try:
        scheduler = start(
            "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard", log="s.log"
        )
        worker = start(
            "worker",
            address,
            "--nthreads",
            "2",
            "--host",
            "127.0.0.1",
            "--no-dashboard",
            log="w.log",
        )
        running = Cluster(address, scheduler, worker)
        with running.client() as client:
            client.wait_for_workers(1, timeout=120)
        yield running
    finally:
        for process in started:
            os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


# What the extraction workers write (each page's text, language, sentences, tone, quotations and
# signature): everything dbt derives the marts from, beside what the main process records of
# the fetches, which does not depend on where pages are extracted.
WORKER_TABLES = (
    "raw.articles",
    "raw.sentences",
    "raw.sentence_tone",
    "raw.quotations",
    "raw.article_signatures",
)
# Where a page was archived and which fetch stored it: the run's own, whoever extracted it.
RUN_OWN = re.compile(r"^(last_fetch_id|archive_file|archive_offset)$")


def worker_outputs(database: Path) -> dict[str, list[tuple]]:
    """Every row the workers wrote, sorted, without the columns that say when, in which run
    or where in the run's archive: the marts are derived from these rows alone (dbt reads raw),
    so the same rows give the same marts (tests/e2e/test_incremental.py builds them)."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        found = {}
        for table in WORKER_TABLES:
            schema, name = table.split(".")
            columns = [
                column
                for (column,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = ? "
                    "and table_name = ? order by column_index",
                    [schema, name],
                ).fetchall()
                if not VOLATILE.search(column) and not RUN_OWN.search(column)
            ]
            rows = con.execute(f"select {', '.join(columns)} from {table}").fetchall()
            found[table] = sorted((tuple(map(_comparable, row)) for row in rows), key=repr)
        return found
    finally:
        con.close()


def test_the_pool_a_local_cluster_and_a_scheduler_write_the_same_rows(
    prefect_harness, tmp_path: Path, cluster: Cluster
):
    """The same pages ingested (fetched, extracted, analysed, loaded into raw) by each engine:
    every row the workers wrote the same. What runs after ingest (dbt, publish) reads only
    raw, so it does not depend on where pages were extracted."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowRunFilter, TaskRunFilter
    from prefect.client.schemas.sorting import FlowRunSort

    from flows.core.records import new_id
    from flows.ingest.harvest import close_harvesters
    from flows.orchestration.cluster import with_task_runner
    from flows.orchestration.pipeline import ingest, reextract_archive

    runs = {}
    with DemoServer() as server:
        for engine, address in (("pool", None), ("local", "local"), ("tcp", cluster.address)):
            settings = make_settings(
                tmp_path / engine,
                feeds=english_feeds(tmp_path),
                host_map=server.host_map,
                private_allowlist=server.allowlist,
                **SITE_TIMEOUTS,
                dask_address=address,
                dask_chunk_pages=4,
            )
            # what news_pipeline runs first, on the engine it configures
            runs[engine] = (settings, with_task_runner(ingest, settings)(settings, new_id()))
    results = {
        engine: worker_outputs(settings.work_database) for engine, (settings, _) in runs.items()
    }
    assert results["pool"]["raw.sentence_tone"] and results["pool"]["raw.quotations"]
    assert results["local"] == results["pool"]
    assert results["tcp"] == results["pool"]

    extracted = sum(runs["pool"][1].articles[s] for s in ("ok", "empty", "not_html"))
    assert runs["pool"][1].extraction == {"engine": "local worker pool (2 processes)"}
    for engine in ("local", "tcp"):
        extraction = runs[engine][1].extraction
        assert extraction["pages"] == extracted and extraction["lost_chunks"] == 0
        assert extraction["chunks"] >= extracted // 4
        pids = {pid for w in extraction["workers"].values() for pid in w["pids"]}
        assert os.getpid() not in pids  # not one page extracted in this process
    assert "on 2 workers" in runs["local"][1].extraction_line
    assert runs["pool"][1].extraction_line is None
    local_workers = runs["local"][1].extraction["workers"]
    assert len(local_workers) == 2  # the LocalCluster's two workers both took chunks
    assert runs["tcp"][1].extraction["workers"].keys() == cluster.worker_pids().keys()
    assert [w["pids"] for w in runs["tcp"][1].extraction["workers"].values()] == [
        list(cluster.worker_pids().values())
    ]

    # Prefect recorded every chunk as a task run of the ingest flow, completed on the worker.
    con = duckdb.connect(str(runs["tcp"][0].work_database), read_only=True)
    (flow_run_id,) = con.execute("select flow_run_id from raw.runs").fetchall()[0]
    con.close()
    with get_client(sync_client=True) as client:
        task_runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id={"any_": [flow_run_id]}),
            task_run_filter=TaskRunFilter(name={"like_": "extract-chunk"}),
        )
    assert len(task_runs) == runs["tcp"][1].extraction["chunks"]
    assert {t.state.type.value for t in task_runs} == {"COMPLETED"}

    # Re-extracting the archive (what reextract_pipeline runs before its dbt build) goes to
    # the cluster too, and finds the same text.
    tcp = runs["tcp"][0]
    run_id = new_id()
    try:
        archived, changed = with_task_runner(reextract_archive, tcp)(tcp, run_id)
    finally:
        close_harvesters(run_id)
    assert archived == extracted and changed == 0
    with get_client(sync_client=True) as client:
        (reextract_run,) = client.read_flow_runs(  # this session's latest one
            flow_filter=FlowFilter(name={"any_": ["reextract-archive"]}),
            sort=FlowRunSort.START_TIME_DESC,
            limit=1,
        )
        chunks = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id={"any_": [reextract_run.id]}),
            task_run_filter=TaskRunFilter(name={"like_": "extract-chunk"}),
        )
    assert len(chunks) >= extracted // 4
    assert {t.state.type.value for t in chunks} == {"COMPLETED"}


@dataclass
class Pages:
    server: FixtureServer
    articles: list[PendingArticle]


def serve_pages(server: FixtureServer, normal: int, slow_rows: int) -> list[PendingArticle]:
    """``normal`` real article pages and one whose extraction takes seconds (a huge table)."""
    articles = load_articles()
    pending = []
    for i in range(normal):
        server.routes[f"/a{i}.html"] = Route(render_article(articles[i], articles[:3]).encode())
        pending.append(PendingArticle(f"a{i}", server.url(f"/a{i}.html")))
    rows = "".join(
        f"<tr><td>cell {i}</td><td><div><span>{i}</span></div></td></tr>" for i in range(slow_rows)
    )
    server.routes["/slow.html"] = Route(f"<html><body><table>{rows}</table></body></html>".encode())
    pending.append(PendingArticle("slow", server.url("/slow.html")))
    return pending


def on_cluster(settings, cluster: Cluster, chunk_pages: int, extract_timeout: float):
    """The test's settings, extracting on the test's cluster; pages of tens of MB allowed."""
    return settings.model_copy(
        update={
            "dask_address": cluster.address,
            "dask_chunk_pages": chunk_pages,
            "extract_timeout": extract_timeout,
            "max_body_bytes": 50 * 1024 * 1024,
        }
    )


def harvest_on(settings, articles: list[PendingArticle]):
    """What ingest does with a batch of pages, on the configured engine."""
    from prefect import flow

    from flows.ingest.harvest import Harvester
    from flows.orchestration.cluster import extraction_summary, pages_to_dask, with_task_runner

    @flow(name="harvest-on-dask")
    def harvest(settings, articles):
        harvester = Harvester(settings, "test-run")
        try:
            pages_to_dask(settings, harvester)
            outcomes = harvester.harvest(articles)
            summary = extraction_summary(settings, harvester)
            return [(o.article_id, o.status, o.reason) for o in outcomes], summary
        finally:
            harvester.close()

    return with_task_runner(harvest, settings)(settings, articles)


def test_a_hung_page_is_still_killed_at_its_time_limit_on_a_dask_worker(
    prefect_harness, settings_for, server: FixtureServer, cluster: Cluster
):
    articles = serve_pages(server, normal=3, slow_rows=150_000)
    settings = on_cluster(settings_for(server), cluster, chunk_pages=2, extract_timeout=1.0)
    outcomes, summary = harvest_on(settings, articles)
    statuses = {article_id: status for article_id, status, _ in outcomes}
    assert statuses == {"a0": "ok", "a1": "ok", "a2": "ok", "slow": "timeout"}
    assert "killed after 1s" in next(r for a, _, r in outcomes if a == "slow")
    assert summary["restarts"] == 1 and summary["lost_chunks"] == 0
    assert set(summary["workers"]) == set(cluster.worker_pids())


def test_a_worker_killed_mid_task_loses_and_duplicates_no_article(
    prefect_harness, settings_for, server: FixtureServer, cluster: Cluster
):
    # The slow page takes seconds (the watcher kills the worker after one: ~5 s of CPU here,
    # where 80,000 rows took 80 s for nothing more), far from its time limit even on a loaded
    # machine: it must finish, on whichever worker runs it last.
    articles = serve_pages(server, normal=10, slow_rows=20_000)
    settings = on_cluster(settings_for(server), cluster, chunk_pages=3, extract_timeout=400.0)
    before = cluster.worker_pids()
    killed: list[int] = []
    stop = threading.Event()

    def kill_a_busy_worker() -> None:
        """SIGKILL the worker once a task has been running on it for a second (the slow
        page's chunk: the others take a fraction of that)."""
        with cluster.client() as client:
            first_seen: dict[tuple[str, str], float] = {}
            while not stop.is_set() and not killed:
                now = time.monotonic()
                for worker, keys in client.processing().items():
                    for key in keys:
                        if now - first_seen.setdefault((worker, key), now) > 1.0 and not killed:
                            pid = client.run(os.getpid, workers=[worker])[worker]
                            os.kill(pid, signal.SIGKILL)
                            killed.append(pid)
                time.sleep(0.05)

    watcher = threading.Thread(target=kill_a_busy_worker, daemon=True)
    watcher.start()
    try:
        outcomes, summary = harvest_on(settings, articles)
    finally:
        stop.set()
        watcher.join(30)
    assert killed and killed[0] in before.values()
    ids = [article_id for article_id, _, _ in outcomes]
    assert sorted(ids) == sorted(a.article_id for a in articles)  # each exactly once
    # every page extracted (the table is kept as text, or found to hold too little): none
    # timed out, none was lost with its worker
    statuses = {status for _, status, _ in outcomes}
    assert "ok" in statuses and statuses <= {"ok", "empty"}, statuses
    assert summary["lost_chunks"] == 0 and summary["pages"] == len(articles)
    # The worker's nanny started a new one; the killed task ran again there.
    after = cluster.worker_pids()
    assert killed[0] not in after.values()
    pids = {pid for w in summary["workers"].values() for pid in w["pids"]}
    assert pids & set(after.values())


def test_a_worker_that_cannot_start_processes_stops_the_run_saying_how_to_start_it(
    prefect_harness,
):
    import dask
    from prefect import flow
    from prefect_dask import DaskTaskRunner

    from flows.core.settings import Settings
    from flows.ingest.chunks import WorkerMisconfigured
    from flows.orchestration.cluster import chunked_pool
    from tests import jobs

    @flow(name="daemon-worker")
    def extract_one() -> list:
        pool = chunked_pool(Settings(dask_chunk_pages=1))
        pool.submit("a", jobs.echo, 1)
        return list(pool.drain())

    runner = DaskTaskRunner(
        cluster_kwargs={"n_workers": 1, "processes": True, "dashboard_address": "127.0.0.1:0"}
    )
    # Dask's default: worker processes are daemons, which may not have children.
    with (
        dask.config.set({"distributed.worker.daemon": True}),
        pytest.raises(WorkerMisconfigured, match="DASK_DISTRIBUTED__WORKER__DAEMON=False"),
    ):
        extract_one.with_options(task_runner=runner)()
