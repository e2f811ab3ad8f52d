"""Text analysis: sentence splitting and sentence-level tone (VADER plus GDELT-style shares)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# Bump the suffix whenever the scoring below changes, so re-scored rows are distinguishable.
TONE_MODEL = f"vader-{version('vaderSentiment')}/shares-1"
SPLITTER_VERSION = "regex-1"

ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen lt col maj sgt capt cmdr adm rep sen gov pres amb rev fr st jr sr
    no nos vs etc inc corp ltd co dept univ jan feb mar apr jun jul aug sep sept oct nov dec
    mt ft approx est fig vol u.s u.k u.n e.u a.m p.m d.c i.e e.g""".split()
)
# A sentence ends at . ! or ? (plus closing quotes/brackets) followed by space and a capital,
# digit or opening quote; or at a CJK full stop.
BOUNDARY = re.compile(
    r"[.!?…]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])"  # Latin: punctuation, space, capital
    r"|[。！？]+[」』）]*\s*"  # CJK full stops need no space after them
)
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# Scripts written without spaces between words: count characters instead (two per word).
UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")


@dataclass(frozen=True)
class Sentence:
    index: int
    part: str  # "title" or "body"
    text: str
    char_start: int
    char_end: int
    word_count: int


@dataclass(frozen=True)
class Tone:
    tone: float  # VADER compound, in [-1, 1]
    positive_score: float
    negative_score: float
    neutral_score: float
    positive_share: float  # share of words in the lexicon with positive valence
    negative_share: float
    polarity: float  # positive_share + negative_share: how emotionally charged
    word_count: int


def count_words(text: str) -> int:
    """Words in ``text``; for Chinese, Japanese, Korean and Thai, two characters per word."""
    unspaced = len(UNSPACED.findall(text))
    if not unspaced:
        return len(WORD.findall(text))
    return len(WORD.findall(UNSPACED.sub(" ", text))) + (unspaced + 1) // 2


def _ends_with_abbreviation(text: str, end: int) -> bool:
    """True when the period at ``end`` closes an abbreviation or an initial, not a sentence."""
    start = end
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "(\"'“‘":
        start -= 1
    word = text[start:end].rstrip(".").lower()
    if not word:
        return False
    if word in ABBREVIATIONS:
        return True
    return len(word) == 1 and word.isalpha()  # "John F. Kennedy"


def split_sentences(text: str, title: str | None = None) -> list[Sentence]:
    """Title (if any) as sentence 0, then body sentences in order with character offsets."""
    sentences: list[Sentence] = []
    if title and title.strip():
        clean = " ".join(title.split())
        sentences.append(Sentence(0, "title", clean, 0, 0, count_words(clean)))
    index = 1
    offset = 0
    for paragraph in text.split("\n"):
        start = 0
        pieces: list[tuple[int, int]] = []
        for match in BOUNDARY.finditer(paragraph):
            period = match.start() + len(match.group().rstrip().rstrip("\"'”’)]"))
            if paragraph[period - 1] == "." and _ends_with_abbreviation(paragraph, period):
                continue
            pieces.append((start, match.end()))
            start = match.end()
        pieces.append((start, len(paragraph)))
        for piece_start, piece_end in pieces:
            raw = paragraph[piece_start:piece_end]
            stripped = raw.strip()
            if not stripped:
                continue
            lead = len(raw) - len(raw.lstrip())
            begin = offset + piece_start + lead
            sentences.append(
                Sentence(
                    index,
                    "body",
                    stripped,
                    begin,
                    begin + len(stripped),
                    count_words(stripped),
                )
            )
            index += 1
        offset += len(paragraph) + 1
    return sentences


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def score(text: str) -> Tone:
    """Tone of one sentence."""
    analyzer = _analyzer()
    scores = analyzer.polarity_scores(text)
    words = [w.lower() for w in WORD.findall(text)]
    lexicon = analyzer.lexicon
    positive = sum(1 for w in words if lexicon.get(w, 0.0) > 0)
    negative = sum(1 for w in words if lexicon.get(w, 0.0) < 0)
    count = len(words)
    positive_share = positive / count if count else 0.0
    negative_share = negative / count if count else 0.0
    return Tone(
        tone=float(scores["compound"]),
        positive_score=float(scores["pos"]),
        negative_score=float(scores["neg"]),
        neutral_score=float(scores["neu"]),
        positive_share=positive_share,
        negative_share=negative_share,
        polarity=positive_share + negative_share,
        word_count=count,
    )
