"""The real news pages of the article-extraction benchmark in ``../shared/corpora``: where they
are and how to read them (for quality scripts and tests; never copied into the repository)."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flows.core.settings import REPO_ROOT

CORPUS_NAME = "article-extraction-benchmark"


@dataclass(frozen=True)
class RealPage:
    page_id: str  # the file name without .html.gz (a hash of the URL)
    url: str
    html: bytes
    checked_body: str  # the benchmark's hand-checked article body


def corpus_dir() -> Path | None:
    """The corpus beside the checkout (``../shared``), beside the folder of worktrees, or in
    ``$NEWSWATCH_SHARED_DIR`` (a checkout kept elsewhere)."""
    shared = [base / "shared" for base in (REPO_ROOT.parent, REPO_ROOT.parent.parent)]
    if os.environ.get("NEWSWATCH_SHARED_DIR"):
        shared.insert(0, Path(os.environ["NEWSWATCH_SHARED_DIR"]))
    for folder in shared:
        candidate = folder / "corpora" / CORPUS_NAME
        if (candidate / "ground-truth.json").is_file():
            return candidate
    return None


@cache
def _ground_truth(directory: Path) -> dict[str, dict[str, str]]:
    return json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))


def real_pages(directory: Path) -> Iterator[RealPage]:
    """Every page of the corpus, in page-id order."""
    for page_id, record in sorted(_ground_truth(directory).items()):
        html = gzip.decompress((directory / "html" / f"{page_id}.html.gz").read_bytes())
        yield RealPage(page_id, record["url"], html, record["articleBody"])
