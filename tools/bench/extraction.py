"""Extraction quality on the shared article-extraction benchmark (Zyte's 181 real news pages
with checked article bodies): 4-gram shingle precision and recall, averaged over pages, for
our extractor beside plain ``trafilatura.extract``, on two fixed halves of the pages.

The metric follows the benchmark's definition: tokens are runs of word characters; each page
counts true positive, false positive and false negative shingles (with multiplicity),
normalised by their sum so long pages weigh no more than short ones; precision is averaged
over the pages where something was extracted, recall over the pages with a body.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from tools.real_pages import RealPage, real_pages

TOKEN = re.compile(r"\w+")
SHINGLE = 4

Extractor = Callable[[RealPage], str]


def load_pages(corpus: Path) -> list[RealPage]:
    """Every page of the benchmark, sorted by id (the order the halves are cut from)."""
    return list(real_pages(corpus))


def halves(pages: Sequence[RealPage]) -> dict[str, list[RealPage]]:
    """Two fixed halves by position in id order: ``tuning`` (even) is where rules are tuned,
    ``held_out`` (odd) only measured."""
    return {"tuning": list(pages[0::2]), "held_out": list(pages[1::2])}


def shingles(text: str, size: int = SHINGLE) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text)
    if len(tokens) < size:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


@dataclass(frozen=True)
class PageScore:
    page_id: str
    true_positive: float  # shares of the page's shingles, summing to 1 (or all 0)
    false_positive: float
    false_negative: float

    @property
    def extracted(self) -> bool:
        return self.true_positive + self.false_positive > 0

    @property
    def has_body(self) -> bool:
        return self.true_positive + self.false_negative > 0

    @property
    def precision(self) -> float:
        if self.false_positive == self.false_negative == 0:
            return 1.0
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 0.0

    @property
    def recall(self) -> float:
        if self.false_positive == self.false_negative == 0:
            return 1.0
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 0.0


def score_page(page_id: str, expected: str, extracted: str) -> PageScore:
    want, got = shingles(expected), shingles(extracted)
    tp = sum((want & got).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    if not total:
        return PageScore(page_id, 0.0, 0.0, 0.0)
    return PageScore(page_id, tp / total, fp / total, fn / total)


@dataclass(frozen=True)
class Summary:
    pages: int
    precision: float
    recall: float
    ms_per_page: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def as_dict(self) -> dict[str, float]:
        return {
            "pages": self.pages,
            "f1": round(self.f1, 4),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "ms_per_page": round(self.ms_per_page, 1),
        }


def summarise(scores: Sequence[PageScore], seconds: float = 0.0) -> Summary:
    precisions = [s.precision for s in scores if s.extracted]
    recalls = [s.recall for s in scores if s.has_body]
    return Summary(
        pages=len(scores),
        precision=sum(precisions) / len(precisions) if precisions else 0.0,
        recall=sum(recalls) / len(recalls) if recalls else 0.0,
        ms_per_page=1000 * seconds / len(scores) if scores else 0.0,
    )


def run(extractor: Extractor, pages: Iterable[RealPage]) -> tuple[list[PageScore], float]:
    """Scores of each page and the extraction time (CPU of this process, seconds)."""
    scores, spent = [], 0.0
    for page in pages:
        started = time.process_time()
        text = extractor(page)
        spent += time.process_time() - started
        scores.append(score_page(page.page_id, page.checked_body, text))
    return scores, spent


def newswatch_extractor(page: RealPage) -> str:
    """What the pipeline stores for the page: its text, or nothing when it found none."""
    from flows.text.extract import extract_page

    return extract_page(page.html, page.url, None).text or ""


def trafilatura_extractor(page: RealPage) -> str:
    """Plain ``trafilatura.extract`` with its defaults, as a user would call it."""
    import trafilatura

    return trafilatura.extract(page.html, url=page.url) or ""


EXTRACTORS: dict[str, Extractor] = {
    "newswatch": newswatch_extractor,
    "trafilatura": trafilatura_extractor,
}


PAGE_LANGUAGE = re.compile(rb"<html[^>]*?\slang\s*=\s*[\"']?([A-Za-z]{2})", re.IGNORECASE)


def is_english(page: RealPage) -> bool:
    """What the page's ``<html lang>`` says (a page without one counts as English)."""
    match = PAGE_LANGUAGE.search(page.html[:20_000])
    return match is None or match.group(1).lower() == b"en"


def evaluate(
    corpus: Path, extractors: dict[str, Extractor] | None = None, limit: int | None = None
) -> dict[str, dict[str, dict[str, float]]]:
    """{extractor: {part: summary}} on the benchmark, for the parts ``tuning``, ``held_out``,
    ``all`` and ``not_english`` (``limit``: the first pages of each half only)."""
    parts = halves(load_pages(corpus))
    if limit is not None:
        parts = {name: pages[:limit] for name, pages in parts.items()}
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name, extractor in (extractors or EXTRACTORS).items():
        every: list[tuple[RealPage, PageScore]] = []
        total = 0.0
        results[name] = {}
        for half, pages in parts.items():
            scores, seconds = run(extractor, pages)
            results[name][half] = summarise(scores, seconds).as_dict()
            every += zip(pages, scores, strict=True)
            total += seconds
        results[name]["all"] = summarise([s for _, s in every], total).as_dict()
        foreign = [s for page, s in every if not is_english(page)]
        results[name]["not_english"] = summarise(foreign).as_dict()
        del results[name]["not_english"]["ms_per_page"]
    return results


def benchmark(corpus: Path) -> dict[str, Any]:
    """The extraction benchmark as docs/benchmarks/extraction.json keeps it."""
    from tools.bench.run import machine

    return {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": {name: version(name) for name in ("trafilatura", "lxml")},
        "corpus": "article-extraction-benchmark (Zyte, 181 pages)",
        "halves": "pages sorted by id; tuning = even positions, held_out = odd",
        "results": evaluate(corpus),
    }
