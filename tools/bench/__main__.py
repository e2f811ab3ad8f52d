"""``python -m tools.bench``: what ``make bench`` and ``make bench-extraction`` run."""

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
    from tools.bench.report import write_extraction, write_report
    from tools.bench.run import run_benchmark

    result = run_benchmark(
        args.articles, args.feeds, Path(args.workdir).resolve(), args.quick, console.print
    )
    corpus = _corpus(args.benchmark_dir)
    if corpus is not None:
        console.print("Scoring extraction on the shared benchmark …")
        write_extraction(extraction_benchmark(corpus))
    console.print(f"Wrote {write_report()}")
    print(f"ratio_vs_trafilatura_cli={result.ratio_vs_trafilatura_cli:.2f}")
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
    }.items():
        os.environ.setdefault(key, value)
    return extraction(args) if args.extraction else benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
