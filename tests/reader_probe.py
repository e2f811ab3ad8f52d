"""An analyst hammering the published warehouse while runs write and publish.

Usage: python tests/reader_probe.py WAREHOUSE STOP_FILE OUT.json [--hold]
Reads until STOP_FILE exists (the test creates it when its runs are done, however long they
took; an upper bound of ten minutes keeps a forgotten probe from running on). Opens the file
read-only over and over (or, with --hold, once for the whole time, like an
analyst who never closes their session), checks that every read is internally consistent,
and writes what it saw as JSON. (Within one process DuckDB reuses an open database for new
connections to the same path, so the two behaviours need two processes.)
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

CHECKS = {
    "articles": "select count(*) from marts.dim_articles",
    "raw_matches_marts": "select (select count(*) from raw.articles) = (select count(*) from marts.dim_articles)",
    "rollup_matches_facts": (
        "select coalesce((select sum(mention_count) from marts.agg_entity_daily), 0)"
        " = coalesce((select sum(mention_count) from marts.fct_entity_mentions), 0)"
    ),
    "tone_only_for_text": (
        "select count(*) = 0 from marts.fct_article_tone as t"
        " left join marts.dim_articles as a using (article_id) where not coalesce(a.has_text, false)"
    ),
}


def read(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    return {name: con.execute(sql).fetchall()[0][0] for name, sql in CHECKS.items()}


def main() -> None:
    path, stop, out = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    hold = "--hold" in sys.argv[4:]
    errors: list[str] = []
    inconsistent: list[dict[str, object]] = []
    counts: list[int] = []
    reads = 0
    # Like any reader of a snapshots-mode catalog: its Parquet files are found beside it.
    search = "set file_search_path = '" + str(Path(path).resolve().parent) + "'"
    held = duckdb.connect(path, read_only=True) if hold else None
    if held is not None:
        held.execute(search)
    deadline = time.monotonic() + 600
    while not stop.exists() and time.monotonic() < deadline:
        try:
            if held is not None:
                seen = read(held)
            else:
                con = duckdb.connect(path, read_only=True)
                try:
                    con.execute(search)
                    seen = read(con)
                finally:
                    con.close()
        except duckdb.Error as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.05)
            continue
        reads += 1
        if not all(
            seen[k] for k in ("raw_matches_marts", "rollup_matches_facts", "tone_only_for_text")
        ):
            inconsistent.append(seen)
        counts.append(int(seen["articles"]))
        time.sleep(0.1)  # ten reads a second: an eager analyst, not a third busy core
    if held is not None:
        held.close()
    result = {
        "reads": reads,
        "errors": errors,
        "inconsistent": inconsistent,
        "article_counts": counts,
    }
    with open(out, "w") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
