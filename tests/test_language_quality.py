"""Language detection on the 181 real pages of ../shared/corpora/article-extraction-benchmark
against the hand labels in tests/gold/page_languages.yaml (figures: docs/quality.md).

Skipped where the corpus is absent; under CI=true, where it is always present, that fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.language_quality import (
    LABELS_FILE,
    PageLanguage,
    load_labels,
    mixed,
    page_languages,
    tally,
)
from tools.real_pages import real_pages


@pytest.fixture(scope="module")
def pages(benchmark_corpus: Path) -> list[PageLanguage]:
    return page_languages(benchmark_corpus, load_labels())


def test_every_page_has_a_hand_label(benchmark_corpus: Path):
    labels = load_labels()
    assert {p.page_id for p in real_pages(benchmark_corpus)} == set(labels), LABELS_FILE
    assert sum(language != "en" for language in labels.values()) >= 18


def test_no_page_is_detected_in_a_wrong_language(pages: list[PageLanguage]):
    wrong = [
        (p.page_id, p.label, p.detected.language)
        for p in pages
        if p.detected.is_determined and p.detected.language != p.label
    ]
    assert wrong == []


def test_only_pages_without_text_are_undetermined(pages: list[PageLanguage]):
    undetermined = [p for p in pages if not p.detected.is_determined]
    assert [p.detected.reason for p in undetermined] == ["no text"] * len(undetermined)
    assert len(undetermined) <= 3


def test_detection_beats_the_pages_own_claims(pages: list[PageLanguage]):
    detected = tally((p.label, p.detected.language) for p in pages)
    claimed = tally((p.label, p.claimed) for p in pages)
    assert detected["en"].precision == 1.0  # no foreign page would be tagged as English
    assert claimed["en"].precision < 1.0  # two German pages claim to be English
    assert sum(t.right for t in detected.values()) > sum(t.right for t in claimed.values())


def test_an_english_menu_over_a_foreign_body_never_makes_it_english(pages: list[PageLanguage]):
    results = mixed(pages)
    assert len(results) == sum(p.label != "en" for p in pages)
    assert all(guess.language != "en" for _, guess in results)
    assert sum(guess.language == page.label for page, guess in results) >= len(results) - 2
