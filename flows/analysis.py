"""A page's analysis: its extraction, its sentences with their tone, and its language."""

from __future__ import annotations

from dataclasses import dataclass

from flows.extract import Extraction, PageStatus
from flows.language import LanguageGuess, detect_language
from flows.text import Sentence, Tone, score, split_sentences


@dataclass(frozen=True)
class ScoredSentence:
    sentence: Sentence
    tone: Tone


@dataclass(frozen=True)
class PageAnalysis:
    article_id: str
    extraction: Extraction
    sentences: tuple[ScoredSentence, ...] = ()
    # (extract wall, extract cpu, sentences+tone+language wall, ... cpu), seconds
    timings: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    score_error: str | None = None  # the text was extracted but could not be split or scored
    language: LanguageGuess | None = None  # of the text, when there is one


def analyse_text(title: str | None, text: str) -> tuple[ScoredSentence, ...]:
    """Split into sentences (title first) and score each one."""
    return tuple(ScoredSentence(s, score(s.text)) for s in split_sentences(text, title))


def analyse_stand_in(article_id: str, title: str | None, text: str) -> PageAnalysis:
    """A feed summary standing in for a page's text: split, score, detect its language."""
    stand_in = Extraction(
        PageStatus.EMPTY,
        reason="feed summary",
        text=text,
        title=title,
        word_count=len(text.split()),
    )
    return PageAnalysis(
        article_id, stand_in, analyse_text(title, text), language=detect_language(text, title)
    )
