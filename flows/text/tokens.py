"""Tokens: how matching reads a sentence, computed once in the workers and stored with it.

Runs of letters and digits, except that each character of a script written without spaces
(Chinese characters, kana, Hangul) is a token of its own; everything between tokens is kept
as separators (the matcher reads a possessive, a hyphen or a comma there). The same rule as
dbt's ``macros/tokens.sql`` for the aliases and terms of the seeds (tests/test_dbt_project.py
proves the two equal on every code point), so a phrase added to the seeds later matches
stored history without tokenizing it again.

Where words have no spaces, the words themselves come from a segmenter of the language
(jieba for Chinese, read through OpenCC's Simplified characters for Traditional; fugashi
with UniDic Lite for Japanese; Kiwi for Korean; each ships its dictionary in its package):
``segments`` gives each token the number of the word it is in, so the matcher can keep 中
in 中心 or 日 in 日曜日 out and still read 中日 as China and Japan.
"""

from __future__ import annotations

import contextlib
import logging
from bisect import bisect_right
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from functools import cache

import regex

# Scripts written without spaces between words: each character is a token.
UNSPACED = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\u30FC\u3005"
TOKEN = regex.compile(rf"[{UNSPACED}]|(?:[^\P{{L}}{UNSPACED}]|[^\P{{N}}{UNSPACED}])+")
# The languages whose sentences are segmented into words (detected-language codes).
SEGMENTED_LANGUAGES = frozenset({"zh", "zh-Hant", "ja", "ko"})
# Bump when tokens or any other seed-independent feature the workers store changes: stored
# sentences of another version are analysed again from their stored text, without fetching.
# analysis-2: the text's shingle signature (flows/text/stories.py, raw.article_signatures).
# analysis-3: Traditional Chinese segmented through its Simplified characters.
# analysis-4: a straight quotation mark closes a quotation a curly one opened, and the reverse.
# analysis-5: doubled single marks (‘‘…’’, ``…’’) are a quotation's marks.
ANALYSER_VERSION = "analysis-5"


def tokenize(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(tokens, separators): separators[i] stands before tokens[i]; the last one after all."""
    tokens: list[str] = []
    separators: list[str] = []
    position = 0
    for match in TOKEN.finditer(text):
        separators.append(text[position : match.start()])
        tokens.append(match.group())
        position = match.end()
    separators.append(text[position:])
    return tuple(tokens), tuple(separators)


# Wraps the loading of a segmenter's dictionary or model (seconds, once per process). The
# worker processes set it (flows/ingest/jobs.py) so that loading is not charged to a page.
loading_guard: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext


@cache
def _jieba() -> Callable[[str], list[tuple[int, int]]]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    with loading_guard():
        jieba.initialize()
    return lambda text: [(start, end) for _, start, end in jieba.tokenize(text)]


@cache
def _fugashi() -> Callable[[str], list[tuple[int, int]]]:
    with loading_guard():
        import fugashi

        tagger = fugashi.Tagger()

    def words(text: str) -> list[tuple[int, int]]:
        spans, position = [], 0
        for word in tagger(text):
            start = text.find(word.surface, position)
            if start < 0:  # a surface the tagger normalised: keep going from here
                continue
            spans.append((start, start + len(word.surface)))
            position = start + len(word.surface)
        return spans

    return words


@cache
def _kiwi() -> Callable[[str], list[tuple[int, int]]]:
    with loading_guard():
        from kiwipiepy import Kiwi

        kiwi = Kiwi()
        kiwi.tokenize("한국")  # Kiwi builds its model on first use: inside the allowance
    return lambda text: [(t.start, t.start + t.len) for t in kiwi.tokenize(text)]


@cache
def _jieba_traditional() -> Callable[[str], list[tuple[int, int]]]:
    """jieba's dictionary is of Simplified words: on Traditional text it glues a country to
    its neighbour (多台|灣, 回美國, 受中國). OpenCC's Traditional-to-Simplified table, read
    character by character so that every position stays where it was, gives jieba words it
    knows; the spans it finds are the Traditional text's spans."""
    with loading_guard():
        import opencc

        converter = opencc.OpenCC("t2s")
    segment = _jieba()

    @cache
    def simplified(character: str) -> str:
        converted: str = converter.convert(character)
        return converted if len(converted) == 1 else character

    return lambda text: segment("".join(simplified(character) for character in text))


SEGMENTERS: dict[str, Callable[[], Callable[[str], list[tuple[int, int]]]]] = {
    "zh": _jieba,
    "zh-Hant": _jieba_traditional,
    "ja": _fugashi,
    "ko": _kiwi,
}


def segments(
    text: str, tokens: Sequence[str], separators: Sequence[str], language: str | None
) -> tuple[int, ...] | None:
    """The number of the word each token is in, by the language's segmenter; None for a
    language written with spaces (each token is a word of its own)."""
    if language not in SEGMENTED_LANGUAGES or not tokens:
        return None
    starts = []
    position = 0
    for separator, token in zip(separators, tokens, strict=False):
        position += len(separator)
        starts.append(position)
        position += len(token)
    words = SEGMENTERS[language]()(text)
    word_starts = sorted({start for start, _ in words})
    # a token belongs to the last word starting at or before it (a word the segmenter
    # skipped, or whitespace, never splits a token from its left neighbour's word)
    return tuple(bisect_right(word_starts, start) for start in starts)
