"""Compare candidate language detectors on the benchmark's real pages (how one was chosen).

Not part of newswatch: the candidates other than the chosen one are not dependencies. Run it
with the candidates on the path, e.g.

    pip install --target /tmp/cands py3langid lingua-language-detector pycld2 langdetect
    PYTHONPATH=/tmp/cands .venv/bin/python scripts/compare_language_detectors.py

Each detector is scored in its own process (so its memory is its own) on three sets built
from the pages in ../shared/corpora/article-extraction-benchmark/ and the hand labels in
tests/gold/page_languages.yaml:

- ``stored``: title + extracted text, as the warehouse stores it (pages with text);
- ``short``: the first 12 words of the body (at most 80 characters);
- ``mixed``: English site navigation followed by the first 60 words (at most 400 characters)
  of a non-English page's checked body.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import yaml

from flows.core.settings import REPO_ROOT
from flows.text.extract import extract_page
from flows.text.language import Ranker, cld2_rank, detect_language
from tools.real_pages import corpus_dir, real_pages

GOLD = REPO_ROOT / "tests" / "gold" / "page_languages.yaml"
NAVIGATION = (
    "Home News World Politics Business Tech Science Health Sports Entertainment Opinion "
    "Video Podcasts Newsletters Subscribe Sign in Log in Contact us About us Advertise "
    "Privacy policy Terms of use Cookie settings Follow us on Facebook Twitter Instagram"
)


def _langdetect() -> Ranker:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def rank(text: str) -> list[tuple[str, float]]:
        try:
            return [(found.lang.split("-")[0], found.prob) for found in detect_langs(text)]
        except LangDetectException:
            return [("zxx", 1.0)]

    return rank


def _py3langid() -> Ranker:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True).rank


def _lingua(low_accuracy: bool) -> Callable[[], Ranker]:
    def build() -> Ranker:
        from lingua import LanguageDetectorBuilder

        builder = LanguageDetectorBuilder.from_all_languages()
        if low_accuracy:
            builder = builder.with_low_accuracy_mode()
        detector = builder.build()

        def rank(text: str) -> list[tuple[str, float]]:
            values = detector.compute_language_confidence_values(text)
            found = [(v.language.iso_code_639_1.name.lower(), v.value) for v in values]
            return [pair for pair in found if pair[1] > 0] or [("zxx", 1.0)]

        return rank

    return build


DETECTORS: dict[str, Callable[[], Ranker]] = {
    "langdetect": _langdetect,
    "py3langid": _py3langid,
    "pycld2": lambda: cld2_rank,
    "lingua": _lingua(low_accuracy=False),
    "lingua-low": _lingua(low_accuracy=True),
}
PACKAGES = {
    "langdetect": ["langdetect", "six.py"],
    "py3langid": ["py3langid", "numpy", "numpy.libs"],
    "pycld2": ["pycld2"],
    "lingua": ["lingua"],
    "lingua-low": ["lingua"],
}


def build_sets() -> dict[str, list[tuple[str, str, str]]]:
    """(page id, expected language, text) per set."""
    labels = yaml.safe_load(GOLD.read_text(encoding="utf-8"))["pages"]
    directory = corpus_dir()
    if directory is None:
        raise SystemExit("the benchmark corpus is not in ../shared/corpora")
    sets: dict[str, list[tuple[str, str, str]]] = {"stored": [], "short": [], "mixed": []}
    for page in real_pages(directory):
        page_id, language = page.page_id, labels[page.page_id]
        extraction = extract_page(page.html, page.url, "text/html", 25, True)
        if not extraction.text:
            continue
        sets["stored"].append((page_id, language, f"{extraction.title or ''}\n{extraction.text}"))
        words = extraction.text.split()
        sets["short"].append((page_id, language, " ".join(words[:12])[:80]))
        if language != "en":
            body = " ".join(page.checked_body.split()[:60])[:400]
            sets["mixed"].append((page_id, language, f"{NAVIGATION}\n{body}"))
    return sets


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _evaluate(
    cases: list[tuple[str, str, str]], detect: Callable[[str], str | None]
) -> dict[str, object]:
    started = time.perf_counter()
    answers = [detect(text) for _, _, text in cases]
    elapsed = time.perf_counter() - started
    expected = [language for _, language, _ in cases]
    total = Counter(expected)
    correct = Counter(exp for exp, got in zip(expected, answers, strict=True) if got == exp)
    said_en = [exp for exp, got in zip(expected, answers, strict=True) if got == "en"]
    return {
        "accuracy": sum(correct.values()) / len(cases),
        "correct": sum(correct.values()),
        "cases": len(cases),
        "undetermined": sum(1 for got in answers if got is None),
        "per_language": {lang: f"{correct[lang]}/{n}" for lang, n in sorted(total.items())},
        "en_precision": said_en.count("en") / len(said_en) if said_en else None,
        "wrong": [
            (page_id[:10], exp, got)
            for (page_id, exp, _), got in zip(cases, answers, strict=True)
            if got != exp
        ],
        "ms_per_text": 1000 * elapsed / len(cases),
    }


def _score(name: str, sets: dict[str, list[tuple[str, str, str]]]) -> dict[str, object]:
    """The detector alone on each whole text ("raw"), and under newswatch's voting rules."""
    before = _rss_mb()
    started = time.perf_counter()
    rank = DETECTORS[name]()
    rank("warm up the model")
    result: dict[str, object] = {"load_s": time.perf_counter() - started}

    def raw(text: str) -> str | None:
        ranked = rank(text)
        code = max(ranked, key=lambda pair: pair[1])[0] if ranked else None
        return None if code == "zxx" else code

    def voted(text: str) -> str | None:  # no minimum length: the "short" set is 12 words
        guess = detect_language(text, rank=rank, min_words=1)
        return guess.language if guess.is_determined else None

    for set_name, cases in sets.items():
        result[set_name] = {"raw": _evaluate(cases, raw), "voted": _evaluate(cases, voted)}
    result["rss_mb"] = _rss_mb() - before
    return result


def _install_mb(name: str, site: Path) -> float | None:
    paths = [site / p for p in PACKAGES[name]]
    if not all(p.exists() for p in paths):
        return None
    files = [f for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file()]
    return sum(f.stat().st_size for f in files) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="where the candidates are installed")
    parser.add_argument("--only", nargs="*", default=list(DETECTORS))
    args = parser.parse_args()
    sets = build_sets()
    context = multiprocessing.get_context("spawn")
    for name in args.only:
        with context.Pool(1) as pool:
            result = pool.apply(_score, (name, sets))
        if args.site:
            result["install_mb"] = _install_mb(name, args.site)
        print(json.dumps({"detector": name, **result}, ensure_ascii=False))


if __name__ == "__main__":
    main()
