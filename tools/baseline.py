"""The output baseline: digests of every ``raw`` and ``marts`` table of two builds, committed in
``tests/baseline/`` and compared by ``tests/e2e/test_baseline.py`` at every commit.

- ``demo``: the sample site run twice through the whole pipeline (as the tests' session
  fixture does: the second run gets 304s), digests of the writer's database;
- ``corpus``: the benchmark's synthetic corpus of 400 articles (40 sentences each, from a pool
  of 100 generated articles, with tone), raw rows written directly, then ``dbt build``.

``python -m tools.baseline [--out DIR]`` rebuilds both and writes ``DIR/{demo,corpus}.json``:
the refresh an issue that changes output on purpose commits, saying which tables changed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

from tools.digests import warehouse_digests

BASELINE_DIR = Path(__file__).resolve().parents[1] / "tests" / "baseline"
CORPUS_ARTICLES, CORPUS_SENTENCES, CORPUS_POOL = 400, 40, 100


def corpus_raw(path: Path) -> Path:
    """The 400-article synthetic corpus's raw rows in ``path``."""
    from tools.bench.run import sentence_pool, synthetic_warehouse

    synthetic_warehouse(
        path, CORPUS_ARTICLES, CORPUS_SENTENCES, sentence_pool(CORPUS_POOL), with_tone=True
    )
    return path


def build_corpus(work: Path) -> Path:
    """The corpus built by ``dbt build`` (data tests skipped: the comparison is the point);
    returns the built database."""
    from flows.core.settings import Settings
    from flows.transform.dbt_runner import run_dbt

    settings = Settings(warehouse=work / "corpus.duckdb")
    corpus_raw(settings.work_database)
    result = run_dbt(
        settings, "build", "--exclude-resource-type", "unit_test", "--exclude-resource-type", "test"
    )
    if not result.success:
        raise RuntimeError(result.describe_failures())
    return settings.work_database


def build_demo(work: Path) -> Path:
    """The demo run twice (as tests/e2e/conftest.py's ``demo_runs``); returns the database."""
    from prefect.testing.utilities import prefect_test_harness

    from flows.core.settings import Settings
    from flows.demo_site.site import FEEDS_FILE, DemoServer
    from flows.orchestration.pipeline import news_pipeline

    with prefect_test_harness(server_startup_timeout=180), DemoServer() as server:
        settings = Settings(
            warehouse=work / "warehouse" / "test.duckdb",
            feeds=FEEDS_FILE,
            host_map=server.host_map,
            private_allowlist=server.allowlist,
            per_host_delay=0.0,
            per_host_concurrency=4,
            connect_timeout=2.0,
            read_timeout=3.0,
            total_timeout=5.0,
            extract_workers=2,
            extract_timeout=20.0,
        )
        news_pipeline(settings)
        news_pipeline(settings)
    return settings.work_database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.baseline", description=__doc__)
    parser.add_argument("--out", type=Path, default=BASELINE_DIR)
    parser.add_argument("--only", choices=("demo", "corpus"))
    args = parser.parse_args(argv)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    args.out.mkdir(parents=True, exist_ok=True)
    today = dt.date.today()
    with tempfile.TemporaryDirectory(prefix="newswatch-baseline-") as tmp:
        for name, build in (("demo", build_demo), ("corpus", build_corpus)):
            if args.only and name != args.only:
                continue
            database = build(Path(tmp) / name)
            digests = warehouse_digests(database, today)
            (args.out / f"{name}.json").write_text(
                json.dumps(digests, indent=1, sort_keys=True) + "\n"
            )
            print(
                f"{name}: {len(digests)} tables -> {args.out / (name + '.json')}", file=sys.stderr
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
