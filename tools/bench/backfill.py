"""The backfill part of the benchmark: the corpus's pages as one WARC file (with the request
record a crawler writes beside each response), backfilled by `newswatch backfill --warc`
into a new warehouse with the local worker pool and with a Dask LocalCluster; the same pages
as trafilatura's CLI reads them are the run's measurement (tools/bench/run.py)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import duckdb
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tools.bench.corpus import Corpus
from tools.bench.run import BIN, Log, measure

CANONICAL = re.compile(rb'<link rel="canonical" href="([^"]+)"')
ENGINES = {"local pool": {}, "Dask LocalCluster": {"NEWSWATCH_DASK_ADDRESS": "local"}}


def write_warc(corpus: Corpus, path: Path) -> int:
    """Every page of the corpus as a request and a response record; returns the pages."""
    pages = 0
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for page in sorted(corpus.pages.glob("*.html")):
            body = page.read_bytes()
            found = CANONICAL.search(body)
            if found is None:
                continue
            url = found.group(1).decode()
            date = {"WARC-Date": "2026-11-30T08:00:00Z"}
            request = StatusAndHeaders(
                "GET / HTTP/1.1", [("Host", "bench")], "HTTP/1.1", is_http_request=True
            )
            writer.write_record(
                writer.create_warc_record(
                    url, "request", http_headers=request, warc_headers_dict=date
                )
            )
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], "HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(body),
                    http_headers=headers,
                    warc_headers_dict=date,
                )
            )
            pages += 1
    return pages


def _summary(warehouse: Path) -> dict[str, Any]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        [(summary,)] = con.execute(
            "select summary from raw.backfills order by started_at desc limit 1"
        ).fetchall()
    finally:
        con.close()
    return dict(json.loads(summary))


def backfill_part(corpus: Corpus, work: Path, api_url: str, log: Log) -> dict[str, Any]:
    """Pages per second, CPU per stage and peak memory of a WARC backfill, per engine."""
    folder = work / "backfill"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    warc = folder / "corpus.warc.gz"
    pages = write_warc(corpus, warc)
    result: dict[str, Any] = {"pages": pages, "warc_bytes": warc.stat().st_size, "engines": {}}
    for engine, extra in ENGINES.items():
        name = engine.split()[0].lower()
        warehouse = folder / name / "w.duckdb"
        env = {
            **os.environ,
            "PREFECT_API_URL": api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            **extra,
        }
        log(f"backfill of a {pages:,}-page WARC ({engine}) …")
        command = [
            str(BIN / "newswatch"),
            "backfill",
            "--warc",
            str(warc),
            "--feeds",
            str(corpus.feeds_yaml),
            "--warehouse",
            str(warehouse),
        ]
        measured = measure(command, env, folder / f"{name}.log")
        if measured.returncode != 0:
            result["engines"][engine] = {"failed": f"see {folder / (name + '.log')}"}
            log(f"  failed: see {folder / (name + '.log')}")
            continue
        summary = _summary(warehouse)
        extracted = sum(summary["extracted"].values()) or 1
        backfill_wall = summary["pages_seconds"]  # reading, extraction, loading: before dbt
        result["engines"][engine] = {
            "wall_seconds": round(measured.wall, 2),
            "backfill_seconds": backfill_wall,
            "pages_per_second": round(extracted / backfill_wall, 1),
            "pages_per_second_with_dbt": round(extracted / measured.wall, 1),
            "articles_loaded": summary["articles_loaded"],
            "peak_rss_mib": round(measured.peak_rss / 1024**2),
            "cpu_ms_per_page": {
                "extraction_and_analysis": round(
                    1000 * summary["extract_cpu_seconds"] / extracted, 1
                ),
                "main_process": round(1000 * summary.get("main_cpu_seconds", 0) / extracted, 1),
                "load_wall": round(1000 * summary["load_seconds"] / extracted, 1),
            },
        }
        log(
            f"  {result['engines'][engine]['pages_per_second']} pages/s "
            f"({measured.wall:.1f} s with start-up and dbt)"
        )
    return result
