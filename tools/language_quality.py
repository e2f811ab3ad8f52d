"""Language detection against hand labels on the real benchmark pages: per language, by text
length, and on pages with an English menu over a foreign body; beside the pages' own claims."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from flows.core.records import LanguageGuess
from flows.core.settings import REPO_ROOT
from flows.core.statuses import PageStatus
from flows.text.extract import extract_page
from flows.text.language import detect_language
from flows.text.sentences import UNSPACED, count_words
from tools.real_pages import real_pages

LABELS_FILE = REPO_ROOT / "tests" / "gold" / "page_languages.yaml"
LENGTHS = (3, 5, 8, 10, 12, 15, 20, 40)  # words of the body given to the detector
MIXED_BODY_WORDS = 60
# A site menu in English, put above a foreign body: the body must win.
SECTION = "language-benchmark"  # docs/quality.md's section written by scripts/language_benchmark.py
NAVIGATION = (
    "Home News World Politics Business Tech Science Health Sports Entertainment Opinion "
    "Video Podcasts Newsletters Subscribe Sign in Log in Contact us About us Advertise "
    "Privacy policy Terms of use Cookie settings Follow us on Facebook Twitter Instagram"
)


@dataclass(frozen=True)
class PageLanguage:
    page_id: str
    label: str  # by hand, from the body
    claimed: str | None  # the page's metadata, primary subtag only
    detected: LanguageGuess  # from the extracted title and text, as the pipeline stores them
    title: str | None
    text: str | None
    checked_body: str


@dataclass(frozen=True)
class Tally:
    """How a source of language labels fares on one language."""

    pages: int = 0  # labelled with the language
    right: int = 0
    undetermined: int = 0  # said nothing (und, or no claim)
    said: int = 0  # pages this source put in the language, right or wrong

    @property
    def precision(self) -> float | None:
        return self.right / self.said if self.said else None

    @property
    def recall(self) -> float | None:
        return self.right / self.pages if self.pages else None

    @property
    def wrong(self) -> int:
        return self.pages - self.right - self.undetermined


def load_labels(path: Path = LABELS_FILE) -> dict[str, str]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["pages"]


def _primary(tag: str | None) -> str | None:
    return tag.replace("_", "-").split("-")[0].strip().lower() or None if tag else None


def page_languages(directory: Path, labels: dict[str, str]) -> list[PageLanguage]:
    """Extract each page as the pipeline does, then detect its language."""
    found = []
    for page in real_pages(directory):
        extraction = extract_page(page.html, page.url, "text/html")
        text = extraction.text if extraction.status is PageStatus.OK else None
        title = extraction.title if text else None
        found.append(
            PageLanguage(
                page.page_id,
                labels[page.page_id],
                _primary(extraction.language),
                detect_language(text, title),
                title,
                text,
                page.checked_body,
            )
        )
    return found


def tally(pairs: Iterable[tuple[str, str | None]]) -> dict[str, Tally]:
    """Per language, from (label, answer) pairs; an answer of None or "und" said nothing."""
    pages: Counter[str] = Counter()
    right: Counter[str] = Counter()
    undetermined: Counter[str] = Counter()
    said: Counter[str] = Counter()
    for label, answer in pairs:
        pages[label] += 1
        if answer is None or answer == "und":
            undetermined[label] += 1
            continue
        said[answer] += 1
        right[label] += answer == label
    return {
        language: Tally(pages[language], right[language], undetermined[language], said[language])
        for language in sorted(set(pages) | set(said))
    }


def first_words(text: str, words: int) -> str:
    """The start of ``text`` holding ``words`` words (two characters a word in scripts written
    without spaces), ending at the end of a word."""
    end = 0
    while end < len(text) and count_words(text[:end]) < words:
        end += 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        if UNSPACED.match(text[end]):
            break
        end += 1
    return text[:end]


def by_length(pages: list[PageLanguage]) -> dict[int, Counter[str]]:
    """Per length: right, undetermined, wrong, and wrongly English, over pages with text; with
    no minimum of words, to show where a minimum belongs."""
    results: dict[int, Counter[str]] = {}
    for length in LENGTHS:
        outcome: Counter[str] = Counter()
        for page in pages:
            if not page.text:
                continue
            guess = detect_language(first_words(page.text, length), min_words=1)
            if not guess.is_determined:
                outcome["undetermined"] += 1
            elif guess.language == page.label:
                outcome["right"] += 1
            else:
                outcome["wrong"] += 1
                outcome["wrongly English"] += guess.language == "en"
            outcome["pages"] += 1
        results[length] = outcome
    return results


def mixed(pages: list[PageLanguage]) -> list[tuple[PageLanguage, LanguageGuess]]:
    """Each non-English page's body under an English site menu."""
    results = []
    for page in pages:
        if page.label == "en":
            continue
        body = first_words(page.checked_body, MIXED_BODY_WORDS)
        results.append((page, detect_language(f"{NAVIGATION}\n{body}")))
    return results
