"""Language of an article from its own text (title + body): an ISO 639-1 code and a confidence,
or "und" (undetermined) with the reason, never a guess dressed up as data.

The page's metadata (``<html lang>``) is often wrong or missing on real pages, so the
warehouse keeps both: the page's claim and this detection. The detector is Google's CLD2
through pycld2, whose model is compiled into the package (nothing is downloaded); it was
chosen by measurement on the real pages of the article-extraction benchmark
(``docs/quality.md``, ``scripts/compare_language_detectors.py``).

A page with an English menu and a Spanish body is Spanish: the text is cut into chunks at
paragraph breaks, each chunk is classified, and each votes with its words, shared among the
languages the detector finds in it. The winner's share of all the words is the confidence.
"""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from importlib.metadata import version
from operator import itemgetter

import pycld2

from flows.core.records import UNDETERMINED, LanguageGuess
from flows.text.sentences import count_words

# Bump the suffix whenever the rules below change: articles detected by an older version are
# detected again from their stored text on the next run.
LANGUAGE_DETECTOR = f"pycld2-{version('pycld2')}/vote-2"  # 2: zh-Hant kept apart from zh
MIN_WORDS = 12  # fewer words say too little (docs/quality.md: accuracy by length)
MIN_CONFIDENCE = 0.5  # the winner must hold at least half of the text's words
CHUNK_WORDS = 20  # paragraphs are pooled until a chunk has this many words
MAX_CHARACTERS = 20_000  # the start of a very long text decides; the rest would agree
UNRELIABLE_WEIGHT = 0.5  # CLD2 says its answer is unreliable: the chunk votes half
# Words that belong to no language: addresses, and numbers with their punctuation.
NOT_WORDS = re.compile(
    r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|(?<!\w)[\d.,:;/%+\-–]*\d[\d.,:;/%+\-–]*(?!\w)"
)
# CLD2's codes that are not (current) ISO 639 codes of a natural language.
# Traditional Chinese keeps its own code (zh-Hant): its press writes other forms (中國, 釣魚台).
RENAMED = {"iw": "he", "jw": "jv"}
NOT_LANGUAGES = frozenset({"un", "xx-Bugi", "xx-Goth", "xx-Qaai", "tlh", "zzp"})
# CLD2 rejects control characters, surrogates and noncharacters as invalid UTF-8.
REJECTED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
    )
    + "]"
)

# (text) -> [(language code, share of the text), ...]: the detector, swappable for comparisons
Ranker = Callable[[str], Sequence[tuple[str, float]]]


def _guess(language: str, confidence: float | None, reason: str | None = None) -> LanguageGuess:
    return LanguageGuess(language, confidence, reason, detector=LANGUAGE_DETECTOR)


def cld2_rank(text: str) -> list[tuple[str, float]]:
    """CLD2's languages in ``text`` with the share of the text each holds (at most three)."""
    reliable, _, details = pycld2.detect(REJECTED.sub(" ", text))
    weight = 1.0 if reliable else UNRELIABLE_WEIGHT
    found = []
    for _, code, percent, _ in details:
        if code not in NOT_LANGUAGES and percent > 0:
            found.append((RENAMED.get(code, code), weight * percent / 100))
    return found


def _chunks(lines: Sequence[str]) -> list[tuple[str, int]]:
    """Paragraphs pooled in order into chunks of at least CHUNK_WORDS words (the last may be
    shorter), each with its word count."""
    chunks: list[tuple[str, int]] = []
    pending: list[str] = []
    words = 0
    for line in lines:
        count = count_words(line)
        if not count:
            continue
        pending.append(line)
        words += count
        if words >= CHUNK_WORDS:
            chunks.append(("\n".join(pending), words))
            pending, words = [], 0
    if pending:
        chunks.append(("\n".join(pending), words))
    return chunks


def detect_language(
    text: str | None,
    title: str | None = None,
    rank: Ranker = cld2_rank,
    min_words: int = MIN_WORDS,
) -> LanguageGuess:
    """The language of an article's title and text; "und" with a reason when unsure.

    ``rank`` replaces the detector (the comparison script scores other detectors with the
    same voting rules); ``min_words`` is lowered only to measure what short texts would give.
    """
    lines = [
        NOT_WORDS.sub(" ", line)
        for line in [title or "", *(text or "")[:MAX_CHARACTERS].split("\n")]
    ]
    words = sum(count_words(line) for line in lines)
    if words < max(1, min_words):
        reason = "no text" if not words else f"too few words ({words}, need {min_words})"
        return _guess(UNDETERMINED, None, reason)
    votes: defaultdict[str, float] = defaultdict(float)
    try:
        for chunk, chunk_words in _chunks(lines):
            for code, share in rank(chunk):
                votes[code] += chunk_words * share
    except pycld2.error as exc:  # a character CLD2 rejects that REJECTED does not know yet
        return _guess(UNDETERMINED, None, f"detector failed: {exc}")
    if not votes:
        return _guess(UNDETERMINED, 0.0, "no language recognised in the text")
    ranking = heapq.nlargest(2, votes.items(), key=itemgetter(1))  # as Counter.most_common
    code, weight = ranking[0]
    confidence = round(min(1.0, weight / words), 4)
    if confidence < MIN_CONFIDENCE:
        runner_up = (
            f", then {ranking[1][0]} {ranking[1][1] / words:.2f}" if len(ranking) > 1 else ""
        )
        return _guess(
            UNDETERMINED,
            confidence,
            f"no language holds most of the text ({code} {confidence:.2f}{runner_up})",
        )
    return _guess(code, confidence)
