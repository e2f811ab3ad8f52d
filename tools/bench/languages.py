"""Cost per article by language: the workers' page job (``run_page_job``: extraction, then
language detection, sentences, tokens with segmentation, tone, quotations, signature) on the
demo site's pages in each language the pipeline reads, beside English.

Everything runs in this one process, on pages rendered as the demo site serves them (no HTTP).
A warm-up loads each segmenter once first; that load is reported on its own, as a worker pays
it once at start-up, not per page. Times are CPU time of this process (``time.process_time``),
so other work on the machine weighs less on them than on the wall clock; each article's time is
the median of its repetitions, and a language's median and p90 are over its articles.
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from flows.ingest.jobs import PageJob, run_page_job
from flows.text import tokens
from flows.text.language import detect_language
from flows.text.sentences import split_sentences

# The variants the pipeline reads, by the detector's codes, in the report's order.
LANGUAGES = {
    "en": "English",
    "zh": "Chinese (Simplified)",
    "zh-Hant": "Chinese (Traditional)",
    "ja": "Japanese",
    "ko": "Korean",
    "es": "Spanish",
    "fr": "French",
    "ru": "Russian",
    "vi": "Vietnamese",
    "id": "Indonesian",
}
DECLARED = {"zh-Hans": "zh"}  # an outlet's declared code (outlets.yaml) -> the detector's
# What loading each language's segmenter loads (flows/text/tokens.py), in the order loaded:
# Traditional Chinese reuses Simplified's jieba, so its load is OpenCC's alone.
LOADS = {
    "zh": "jieba dictionary",
    "zh-Hant": "OpenCC t2s table (jieba shared with zh)",
    "ja": "fugashi + unidic-lite",
    "ko": "Kiwi model (kiwipiepy)",
}
# A first call after the load: Kiwi builds its model on its first analysis, not when made.
FIRST_CALL = {"zh": "中日关系", "zh-Hant": "中日關係", "ja": "日中関係", "ko": "한일 관계"}
PARTS = ("extraction", "analysis", "detection", "sentences", "tokens", "total")
REPETITIONS = 5
QUICK_REPETITIONS = 1
VERSIONS = ("trafilatura", "pycld2", "jieba", "opencc", "fugashi", "unidic-lite", "kiwipiepy")

Log = Callable[[str], None]


@dataclass(frozen=True)
class DemoPage:
    stem: str
    language: str  # the outlet's declared language, as the detector spells it
    job: PageJob


@dataclass(frozen=True)
class Sample:
    """One run of one page: seconds of CPU per part, and what the text was."""

    extraction: float
    analysis: float  # everything after extraction (detection included), as the job times it
    detection: float  # the parts below are timed again apart, on the extracted text
    sentences: float
    tokens: float  # tokenize + segments, every sentence
    characters: int
    detected: str

    @property
    def total(self) -> float:
        return self.extraction + self.analysis


def demo_pages(per_language: int | None = None) -> dict[str, list[DemoPage]]:
    """The demo site's article pages by language (each as the site serves it), the first
    ``per_language`` of each (by file name) when given."""
    from flows.demo_site.render import OUTLETS, load_articles
    from flows.demo_site.site import build_site

    articles = load_articles()
    site = build_site(articles)
    pages: dict[str, list[DemoPage]] = {language: [] for language in LANGUAGES}
    for article in articles:
        outlet = OUTLETS[article.outlet]
        language = DECLARED.get(outlet.language, outlet.language)
        served = site.routes[(outlet.host, article.path)]
        job = PageJob(
            article.stem, f"http://{outlet.host}{article.path}", served.body, served.content_type
        )
        pages.setdefault(language, []).append(DemoPage(article.stem, language, job))
    return {language: found[:per_language] for language, found in pages.items() if found}


def _memory() -> tuple[int, int]:
    """(resident bytes now, peak resident bytes of the process so far)."""
    import psutil  # the bench extra (tools.bench checks it is installed)

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak *= 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return psutil.Process().memory_info().rss, peak


def _mib(size: float) -> float:
    return round(size / 1024**2, 1)


def load_segmenters(languages: Sequence[str]) -> list[dict[str, Any]]:
    """Load each segmenter once and call it once (what a worker does at its first page in the
    language): the time, of which the first call, and the resident memory it added."""
    loads = []
    for language, what in LOADS.items():
        if language not in languages:
            continue
        if language == "zh":
            cached = (Path(tempfile.gettempdir()) / "jieba.cache").is_file()
            what += " (from its cache)" if cached else " (built; cache written)"
        rss, peak = _memory()
        wall, cpu = time.perf_counter(), time.process_time()
        segment = tokens.SEGMENTERS[language]()
        loaded = time.process_time()
        segment(FIRST_CALL[language])
        called, seconds = time.process_time(), time.perf_counter() - wall
        rss_after, peak_after = _memory()
        loads.append(
            {
                "language": language,
                "what": what,
                "seconds": round(seconds, 3),
                "cpu_seconds": round(called - cpu, 3),
                "first_call_cpu_seconds": round(called - loaded, 3),
                "rss_mib": _mib(rss_after - rss),
                "peak_rss_mib": _mib(peak_after - peak),
            }
        )
    return loads


def _timed(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def measure_page(page: DemoPage) -> Sample:
    """The worker's job on the page, then its analysis's parts timed apart."""
    analysis = run_page_job(page.job)
    _, extraction_cpu, _, analysis_cpu = analysis.timings
    text, title = analysis.extraction.text or "", analysis.extraction.title
    detected = analysis.language.language if analysis.language else "und"

    def segment() -> None:
        for sentence in split_sentences(text, title):
            found, separators = tokens.tokenize(sentence.text)
            tokens.segments(sentence.text, found, separators, detected)

    return Sample(
        extraction=extraction_cpu,
        analysis=analysis_cpu,
        detection=_timed(lambda: detect_language(text, title)),
        sentences=_timed(lambda: split_sentences(text, title)),
        tokens=_timed(segment),
        characters=len(text),
        detected=detected,
    )


def percentile(values: Sequence[float], share: float) -> float:
    """Linear interpolation between the closest ranks (one value is every percentile)."""
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _article_ms(samples: Sequence[Sample], part: str) -> float:
    """An article's milliseconds for ``part``: the median of its repetitions."""
    return 1000 * statistics.median(getattr(s, part) for s in samples)


def summarise(language: str, by_article: dict[str, list[Sample]]) -> dict[str, Any]:
    """One language's figures from its articles' samples."""
    runs = list(by_article.values())
    characters = [r[0].characters for r in runs]
    parts = {}
    for part in PARTS:
        per_article = [_article_ms(r, part) for r in runs]
        parts[part] = {
            "median": round(statistics.median(per_article), 3),
            "p90": round(percentile(per_article, 0.9), 3),
        }
    per_1k = [1000 * _article_ms(r, "total") / max(r[0].characters, 1) for r in runs]
    return {
        "name": LANGUAGES.get(language, language),
        "articles": len(runs),
        "detected": dict(Counter(r[0].detected for r in runs).most_common()),
        "characters_mean": round(statistics.fmean(characters)),
        "ms": parts,
        "ms_per_1k_characters": round(statistics.median(per_1k), 3),
    }


def measure(
    pages: dict[str, list[DemoPage]], repetitions: int, log: Log = lambda _: None
) -> dict[str, dict[str, Any]]:
    """Every page ``repetitions`` times, one repetition of every language after the other
    (so a slow moment of the machine falls on all languages alike); figures per language."""
    samples: dict[str, dict[str, list[Sample]]] = {
        language: {page.stem: [] for page in found} for language, found in pages.items()
    }
    for repetition in range(repetitions):
        log(f"  repetition {repetition + 1} of {repetitions}")
        for language, found in pages.items():
            for page in found:
                samples[language][page.stem].append(measure_page(page))
    results = {language: summarise(language, runs) for language, runs in samples.items()}
    english = results.get("en")
    if english is not None:
        per_article, per_1k = english["ms"]["total"]["median"], english["ms_per_1k_characters"]
        for figures in results.values():
            figures["ratio_to_english"] = {
                "per_article": round(figures["ms"]["total"]["median"] / per_article, 2),
                "per_1k_characters": round(figures["ms_per_1k_characters"] / per_1k, 2),
            }
    return results


def _versions() -> dict[str, str]:
    found = {}
    for name in VERSIONS:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def benchmark(
    quick: bool = False,
    repetitions: int | None = None,
    per_language: int | None = None,
    log: Log = lambda _: None,
) -> dict[str, Any]:
    """The languages benchmark as docs/benchmarks/languages.json keeps it."""
    from tools.bench.run import machine

    repetitions = repetitions or (QUICK_REPETITIONS if quick else REPETITIONS)
    pages = demo_pages(per_language)
    log(f"Cost per article by language: {sum(map(len, pages.values()))} demo pages, "
        f"{repetitions} repetition(s) …")  # fmt: skip
    # Warm-up: the language-independent start-up (trafilatura, CLD2, the tone lexicon) on an
    # English page, then each segmenter's load, then one page of each language.
    measure_page(next(iter(pages.values()))[0])
    rss_before, peak_before = _memory()
    loads = load_segmenters(list(pages))
    rss_after, _ = _memory()
    for found in pages.values():
        measure_page(found[0])
    rss_warm, _ = _memory()
    results = measure(pages, repetitions, log)
    return {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": _versions(),
        "repetitions": repetitions,
        "timing": "CPU time of one process (time.process_time); per article the median of its "
        "repetitions",
        "loads": loads,
        "memory": {
            "rss_mib_before_loads": _mib(rss_before),
            "rss_mib_after_loads": _mib(rss_after),
            "rss_mib_after_a_page_of_each": _mib(rss_warm),
            "peak_rss_mib_before_loads": _mib(peak_before),
            "peak_rss_mib_at_end": _mib(_memory()[1]),
        },
        "languages": results,
    }
