"""A page's analysis, everything that does not read a seed: its extraction, its sentences with
their tone, tokens, paragraph and runs of capitalized words, its quotations found by their
marks, its language, and its shingles' signature (flows.text.stories: to find its copies).
Done once per article in the worker processes (and on Dask); the decisions that read the
seeds (which alias, which issue, who is a person, who said what, which articles are one story,
which agency a credit names) are dbt's, so editing a seed re-derives the history without
reading a page again."""

from __future__ import annotations

import re
from bisect import bisect_right

from flows.core.records import (
    Extraction,
    PageAnalysis,
    Quotation,
    ScoredSentence,
    Sentence,
)
from flows.core.statuses import PageStatus
from flows.text.language import detect_language
from flows.text.people import name_runs
from flows.text.quotes import Passage, quotations
from flows.text.sentences import split_sentences
from flows.text.stories import sign
from flows.text.tokens import segments, tokenize
from flows.text.tone import score

TITLE_PARAGRAPH = -1
_LINE_BREAK = re.compile("\n")


def _paragraphs(text: str, sentences: list[Sentence]) -> list[int]:
    """The paragraph of each sentence: the title's is -1, a body sentence's the number of
    line breaks before it."""
    breaks = [match.start() for match in _LINE_BREAK.finditer(text)]
    return [
        TITLE_PARAGRAPH if s.part == "title" else bisect_right(breaks, s.char_start - 1)
        for s in sentences
    ]


def analyse_text(
    title: str | None, text: str, language: str | None = None
) -> tuple[tuple[ScoredSentence, ...], tuple[Quotation, ...]]:
    """Split into sentences (title first), score and tokenize each one (segmented into words
    where the ``language`` writes none), find its runs of capitalized words; and the
    article's quotations."""
    sentences = split_sentences(text, title)
    paragraphs = _paragraphs(text, sentences)
    scored = []
    for sentence, paragraph in zip(sentences, paragraphs, strict=True):
        tokens, separators = tokenize(sentence.text)
        scored.append(
            ScoredSentence(
                sentence,
                score(sentence.text),
                paragraph,
                tokens,
                separators,
                name_runs(sentence.text),
                segments(sentence.text, tokens, separators, language),
            )
        )
    passages = [Passage(s.index, s.text, p) for s, p in zip(sentences, paragraphs, strict=True)]
    return tuple(scored), tuple(quotations(passages))


def analyse_stand_in(article_id: str, title: str | None, text: str) -> PageAnalysis:
    """A feed summary standing in for a page's text: split, score, sign, detect its language."""
    stand_in = Extraction(
        PageStatus.EMPTY,
        reason="feed summary",
        text=text,
        title=title,
        word_count=len(text.split()),
    )
    language = detect_language(text, title)
    sentences, found = analyse_text(title, text, language.language)
    return PageAnalysis(
        article_id,
        stand_in,
        sentences,
        language=language,
        quotations=found,
        signature=sign(text),
    )
