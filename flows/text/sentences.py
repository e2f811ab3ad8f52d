"""Sentences: an article split into its title and body sentences with character offsets, and
how many words a text has (counted for scripts without spaces too)."""

from __future__ import annotations

import re

from flows.core.records import Sentence

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
