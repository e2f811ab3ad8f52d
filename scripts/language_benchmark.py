"""Score language detection on the benchmark's real pages against the hand labels, beside the
pages' own claims, and write the results into docs/quality.md (its language section).

Usage: python scripts/language_benchmark.py   (needs ../shared/corpora/article-extraction-benchmark)
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from datetime import UTC, datetime

from flows.core.settings import REPO_ROOT
from flows.text.language import LANGUAGE_DETECTOR, MIN_CONFIDENCE, MIN_WORDS, detect_language
from tools.language_quality import (
    LABELS_FILE,
    MIXED_BODY_WORDS,
    SECTION,
    PageLanguage,
    Tally,
    by_length,
    load_labels,
    mixed,
    page_languages,
    tally,
)
from tools.quality import QUALITY_DOC, replace_section
from tools.real_pages import corpus_dir


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _tally_rows(detected: dict[str, Tally], claimed: dict[str, Tally]) -> list[str]:
    rows = []
    for language in sorted(set(detected) | set(claimed), key=lambda code: (code != "en", code)):
        d, c = detected.get(language, Tally()), claimed.get(language, Tally())
        if not d.pages and not d.said and not c.said:
            continue
        rows.append(
            f"| {language} | {d.pages} | {d.right} | {d.undetermined} | {d.wrong} "
            f"| {_ratio(d.precision)} | {_ratio(d.recall)} "
            f"| {c.right} | {c.undetermined} | {c.wrong} | {_ratio(c.precision)} "
            f"| {_ratio(c.recall)} |"
        )
    return rows


def render(pages: list[PageLanguage], seconds: float) -> str:
    detected = tally((p.label, p.detected.language) for p in pages)
    claimed = tally((p.label, p.claimed) for p in pages)
    right = sum(t.right for t in detected.values())
    claim_right = sum(t.right for t in claimed.values())
    foreign = [p for p in pages if p.label != "en"]
    lengths = by_length(pages)
    mixes = mixed(pages)
    mixed_right = sum(guess.language == page.label for page, guess in mixes)
    lines = [
        "## Language detection on real pages",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `python scripts/language_benchmark.py`;",
        "`tests/test_language_quality.py` asserts the same on every `make test`.",
        "",
        f"`{LABELS_FILE.relative_to(REPO_ROOT)}` labels by hand the language of the body of each of",
        f"the {len(pages)} real pages in `../shared/corpora/article-extraction-benchmark/`",
        f"({len(foreign)} not in English), from the checked body text, written before a detector",
        f"was chosen. Each page is extracted as the pipeline does and `{LANGUAGE_DETECTOR}`",
        f"(`flows/text/language.py`) detects the language of the title and text: under {MIN_WORDS} words,",
        f"or when no language holds at least {MIN_CONFIDENCE:.0%} of the words, it says `und`.",
        "The page's own claim is its metadata (`<html lang>` and the like), which the warehouse",
        "keeps as `language`. Detection took",
        f"{1000 * seconds / len(pages):.2f} ms a page (extraction excluded).",
        "",
        f"Detected right on {right} of {len(pages)} pages; the page's claim is right on",
        f"{claim_right}.",
        "",
        "| language | pages | detected right | und | wrong | precision | recall "
        "| claim right | no claim | claim wrong | claim precision | claim recall |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *_tally_rows(detected, claimed),
        "",
        "Precision: of the pages put in a language, the share that are in it; recall: of the",
        "pages in a language, the share put in it. `und` lowers recall, never precision.",
    ]
    undetermined = [p for p in pages if not p.detected.is_determined]
    if undetermined:
        lines += ["", "Pages the detector left `und`:", ""]
        lines += [f"- `{p.page_id[:12]}` ({p.label}): {p.detected.reason}" for p in undetermined]
    wrong = [p for p in pages if p.detected.is_determined and p.detected.language != p.label]
    lines += ["", "Pages detected in the wrong language:", ""]
    lines += [
        f"- `{p.page_id[:12]}`: {p.label} detected as {p.detected.language}" for p in wrong
    ] or ["- none"]
    claim_wrong = [p for p in pages if p.claimed and p.claimed != p.label]
    lines += ["", "Pages whose claim is wrong:", ""]
    lines += [f"- `{p.page_id[:12]}`: {p.label}, claims {p.claimed}" for p in claim_wrong] or [
        "- none"
    ]
    lines += [
        "",
        "### Short texts",
        "",
        "The first N words of each page's text, detected with no minimum length: where the",
        f"minimum of {MIN_WORDS} words comes from (a wrong language is worse than `und`).",
        "",
        "| words | pages | right | und | wrong | wrongly English |",
        "|---|---|---|---|---|---|",
    ]
    for length, outcome in lengths.items():
        lines.append(
            f"| {length} | {outcome['pages']} | {outcome['right']} | {outcome['undetermined']} "
            f"| {outcome['wrong']} | {outcome['wrongly English']} |"
        )
    outcomes = Counter(
        "right" if guess.language == page.label else "und" if not guess.is_determined else "wrong"
        for page, guess in mixes
    )
    lines += [
        "",
        "### An English menu over a foreign body",
        "",
        f"Each non-English page's first {MIXED_BODY_WORDS} words of body under a 36-word English",
        f"site menu: right on {mixed_right} of {len(mixes)}, `und` on {outcomes['und']}, wrong on",
        f"{outcomes['wrong']}.",
    ]
    lines += [
        f"- `{page.page_id[:12]}` ({page.label}): {guess.language}, {guess.reason}"
        for page, guess in mixes
        if guess.language != page.label
    ]
    lines += [
        "",
        "How the detector was chosen (four candidates on these pages: accuracy, speed, memory,",
        "install size): `docs/benchmarks-notes.md`, *Choosing the language detector*.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    directory = corpus_dir()
    if directory is None:
        print("the benchmark corpus is not in ../shared/corpora", file=sys.stderr)
        return 2
    pages = page_languages(directory, load_labels())
    started = time.perf_counter()  # detection alone, again: extraction dwarfs it
    for page in pages:
        detect_language(page.text, page.title)
    seconds = time.perf_counter() - started
    document = QUALITY_DOC.read_text(encoding="utf-8") if QUALITY_DOC.exists() else ""
    QUALITY_DOC.write_text(
        replace_section(document, SECTION, render(pages, seconds)), encoding="utf-8"
    )
    print(f"wrote the language section of {QUALITY_DOC.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
