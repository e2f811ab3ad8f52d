"""A page's analysis: its extraction, its sentences with their tone, and its language."""

from __future__ import annotations

from flows.core.records import (
    Extraction,
    PageAnalysis,
    ScoredSentence,
)
from flows.core.statuses import PageStatus
from flows.text.language import detect_language
from flows.text.sentences import split_sentences
from flows.text.tone import score


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
