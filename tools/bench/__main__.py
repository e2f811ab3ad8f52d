"""``python -m tools.bench``: what ``make bench``, ``make bench-extraction`` and ``make bench-languages`` run."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from flows.core.settings import REPO_ROOT

console = Console(highlight=False, soft_wrap=True, markup=False, emoji=False)


def _corpus(path: str | None) -> Path | None:
    from tools.real_pages import corpus_dir

    corpus = Path(path) if path else corpus_dir()
    return corpus if corpus is not None and (corpus / "ground-truth.json").is_file() else None


def benchmark(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("psutil") is None:
        print(
            "tools.bench: the benchmark measures memory with psutil, which is not installed; "
            "install it with `pip install 'newswatch[bench]'` (`make bench` does it for you)",
            file=sys.stderr,
        )
        return 2
    from tools.bench.extraction import benchmark as extraction_benchmark
    from tools.bench.languages import benchmark as languages_benchmark
    from tools.bench.report import write_extraction, write_languages, write_report
    from tools.bench.run import run_benchmark

    result = run_benchmark(
        args.articles, args.feeds, Path(args.workdir).resolve(), args.quick, console.print
    )
    corpus = _corpus(args.benchmark_dir)
    if corpus is not None:
        console.print("Scoring extraction on the shared benchmark …")
        write_extraction(extraction_benchmark(corpus))
    write_languages(languages_benchmark(args.quick, log=console.print))
    console.print(f"Wrote {write_report()}")
    print(f"ratio_vs_trafilatura_cli={result.ratio_vs_trafilatura_cli:.2f}")
    return 0


def stories(args: argparse.Namespace) -> int:
    """Only the stories part (tools/bench/stories.py), added to docs/benchmarks/bench-<N>.json
    beside the parts measured before; only its section of docs/benchmarks.md is written
    again."""
    import json

    from tools.bench.report import splice_stories
    from tools.bench.run import RESULTS, stories_part

    path = RESULTS / f"bench-{args.articles}.json"
    if not path.exists():
        print(f"tools.bench: no {path} to add the stories part to; run the benchmark first",
              file=sys.stderr)  # fmt: skip
        return 2
    result = json.loads(path.read_text())
    result["stories"] = stories_part(Path(args.workdir).resolve(), args.quick, console.print)
    path.write_text(json.dumps(result, indent=2))
    console.print(f"Wrote {path} and {splice_stories()}")
    return 0


def languages(args: argparse.Namespace) -> int:
    """The workers' cost per article in each language beside English (docs/benchmarks.md,
    Cost per article, by language); only that section of the page is written again."""
    if importlib.util.find_spec("psutil") is None:
        print("tools.bench: the languages part measures memory with psutil, which is not "
              "installed; install it with `pip install 'newswatch[bench]'`", file=sys.stderr)  # fmt: skip
        return 2
    from tools.bench.languages import benchmark as languages_benchmark
    from tools.bench.report import splice_languages, write_languages

    result = languages_benchmark(args.quick, log=console.print)
    table = Table(
        "language", "articles", "chars", "extraction ms", "analysis ms", "tokens ms",
        "total ms (median / p90)", "× en per article", "× en per 1k chars",
    )  # fmt: skip
    for code, row in result["languages"].items():
        ms, ratio = row["ms"], row.get("ratio_to_english", {})
        table.add_row(
            code,
            str(row["articles"]),
            f"{row['characters_mean']:,}",
            f"{ms['extraction']['median']:.1f}",
            f"{ms['analysis']['median']:.1f}",
            f"{ms['tokens']['median']:.1f}",
            f"{ms['total']['median']:.1f} / {ms['total']['p90']:.1f}",
            f"{ratio.get('per_article', 0):.2f}",
            f"{ratio.get('per_1k_characters', 0):.2f}",
        )
    console.print(table)
    for load in result["loads"]:
        console.print(
            f"{load['language']}: {load['what']} loaded in {load['cpu_seconds']:.2f} s CPU "
            f"({load['seconds']:.2f} s wall), +{load['rss_mib']:.0f} MiB resident"
        )
    console.print(f"Wrote {write_languages(result)} and {splice_languages()}")
    return 0


def extraction(args: argparse.Namespace) -> int:
    """Score the extractor on the shared benchmark (docs/benchmarks.md, Extraction quality)."""
    from tools.bench.extraction import benchmark as extraction_benchmark
    from tools.bench.report import write_extraction, write_report
    from tools.real_pages import CORPUS_NAME

    corpus = _corpus(args.benchmark_dir)
    if corpus is None:
        where = args.benchmark_dir or f"../shared/corpora/{CORPUS_NAME}"
        print(
            f"tools.bench: no extraction benchmark at {where}; "
            "pass --benchmark-dir with the folder holding ground-truth.json and html/",
            file=sys.stderr,
        )
        return 2
    console.print(f"Scoring extraction on {corpus} …")
    result = extraction_benchmark(corpus)
    path = write_extraction(result)
    table = Table("extractor", "pages", "F1", "precision", "recall", "ms/page")
    for name, parts in result["results"].items():
        for part, row in parts.items():
            table.add_row(
                f"{name} ({part})",
                str(row["pages"]),
                f"{row['f1']:.3f}",
                f"{row['precision']:.3f}",
                f"{row['recall']:.3f}",
                f"{row['ms_per_page']:.1f}" if "ms_per_page" in row else "",
            )
    console.print(table)
    console.print(f"Wrote {path} and {write_report()}")
    return 0


def backfill(args: argparse.Namespace) -> int:
    """Only the backfill part (a WARC of the corpus's pages, with the local pool and a Dask
    LocalCluster, beside trafilatura's CLI on the same pages), added to
    docs/benchmarks/bench-<N>.json beside the parts measured before."""
    import json
    import shutil

    from tools.bench.backfill import backfill_part
    from tools.bench.corpus import build_corpus
    from tools.bench.report import splice_backfill
    from tools.bench.run import RESULTS, PrefectServer, trafilatura_cli

    work = Path(args.workdir).resolve() / f"backfill-{args.articles}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    console.print(f"generating {args.articles:,} pages …")
    corpus = build_corpus(work / "corpus", args.articles, args.feeds)
    prefect = PrefectServer(work / "prefect")
    try:
        console.print("trafilatura CLI on the same pages …")
        cli = trafilatura_cli(corpus, work)
        part = backfill_part(corpus, work, prefect.url, console.print)
    finally:
        prefect.stop()
    part["trafilatura_cli"] = cli
    path = RESULTS / f"bench-{args.articles}.json"
    result = json.loads(path.read_text()) if path.exists() else None
    if result is None:
        print(f"tools.bench: no {path} to add the backfill part to; run the benchmark first",
              file=sys.stderr)  # fmt: skip
        return 2
    result["backfill"] = part
    path.write_text(json.dumps(result, indent=2))
    console.print(f"Wrote {path} and {splice_backfill()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.bench", description="benchmark on a synthetic corpus"
    )
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="skip the 100k and 1M-article parts")
    parser.add_argument("--workdir", default=str(REPO_ROOT / ".bench"))
    parser.add_argument(
        "--extraction",
        action="store_true",
        help="only score extraction on the shared article-extraction benchmark (beside "
        "plain trafilatura), into docs/benchmarks/extraction.json and docs/benchmarks.md",
    )
    parser.add_argument(
        "--stories",
        action="store_true",
        help="only the stories part (grouping copies: cost per new article at two history "
        "sizes, stories found against planted), added to docs/benchmarks/bench-<N>.json",
    )
    parser.add_argument(
        "--languages",
        action="store_true",
        help="only the cost per article in each language beside English (the workers' page job "
        "on the demo site's articles), into docs/benchmarks/languages.json and its section of "
        "docs/benchmarks.md; --quick: one repetition",
    )
    parser.add_argument(
        "part",
        nargs="?",
        choices=("languages", "backfill"),
        help="`languages`: the same as --languages; `backfill`: only the WARC backfill part",
    )
    parser.add_argument(
        "--benchmark-dir",
        help="the benchmark folder (default: ../shared/corpora/article-extraction-benchmark)",
    )
    args = parser.parse_args(argv)
    for key, value in {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        # the processes the benchmark starts itself (a Dask cluster's workers) read Prefect's
        # settings too: kept in the work folder, never the user's ~/.prefect
        "PREFECT_HOME": str(Path(args.workdir).resolve() / "prefect-home"),
    }.items():
        os.environ.setdefault(key, value)
    if args.stories:
        return stories(args)
    if args.languages or args.part == "languages":
        return languages(args)
    if args.part == "backfill":
        return backfill(args)
    return extraction(args) if args.extraction else benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
