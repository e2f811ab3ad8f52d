"""Sentence tone: VADER's compound score plus GDELT-style shares of positive and negative words.

The tone model's name (which scores the marts use) is written once, as the dbt project's var
``tone_model``; ``tone_model()`` reads it from there, and a test checks that it names the
VADER release installed here. Scoring itself needs no name, so worker processes never read it.

VADER's own ``polarity_scores`` lower-cases the whole sentence again for every check around
every sentiment word (four times per word: quadratic in the sentence's length), which made it
the largest part of the workers' text analysis. ``_Vader`` scores with the same lexicon, the
same rules and the same helpers of the installed package, with each word lower-cased once;
its results are VADER's to the last digit (``tests/test_tone.py`` compares them on thousands
of real and synthetic sentences and on every rule's edge case), so the tone model keeps its
name. Text with an emoji VADER would spell out goes to VADER itself.
"""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

from vaderSentiment import vaderSentiment as vader

from flows.core.records import Tone
from flows.core.settings import dbt_project_var
from flows.text.sentences import WORD


def tone_model(project_dir: Path | None = None) -> str:
    """The tone model the marts read (dbt var ``tone_model``): what stored scores are labelled."""
    return str(dbt_project_var("tone_model", project_dir))


class _Vader:
    """VADER's scores (``polarity_scores``), each word lower-cased once."""

    def __init__(self) -> None:
        self.analyzer = vader.SentimentIntensityAnalyzer()
        self.lexicon: dict[str, float] = self.analyzer.lexicon
        # VADER compares the text character by character with its emoji table
        self.emoji = frozenset(key for key in self.analyzer.emojis if len(key) == 1)

    def polarity_scores(self, text: str) -> dict[str, float]:
        if not self.emoji.isdisjoint(text):
            return self.analyzer.polarity_scores(text)
        text = text.strip()
        words = [_strip_punctuation(w) for w in text.split()]
        lows = [w.lower() for w in words]
        caps_differ = vader.allcap_differential(words)
        lexicon, boosters = self.lexicon, vader.BOOSTER_DICT
        last = len(words) - 1
        sentiments: list[float] = []
        for i, low in enumerate(lows):
            if low in boosters or (low == "kind" and i < last and lows[i + 1] == "of"):
                sentiments.append(0)
            elif low in lexicon:
                sentiments.append(self._valence(words, lows, i, caps_differ))
            else:
                sentiments.append(0)
        if "but" in lows:
            sentiments = vader.SentimentIntensityAnalyzer._but_check(words, sentiments)
        return self.analyzer.score_valence(sentiments, text)

    def _valence(self, words: list[str], lows: list[str], i: int, caps_differ: bool) -> float:
        """The valence of the sentiment word at ``i``, as VADER's ``sentiment_valence``."""
        lexicon, low = self.lexicon, lows[i]
        valence = lexicon[low]
        if low == "no" and i != len(lows) - 1 and lows[i + 1] in lexicon:
            valence = 0.0  # "no" negates the next sentiment word instead
        if (
            (i > 0 and lows[i - 1] == "no")
            or (i > 1 and lows[i - 2] == "no")
            or (i > 2 and lows[i - 3] == "no" and lows[i - 1] in ("or", "nor"))
        ):
            valence = lexicon[low] * vader.N_SCALAR
        if words[i].isupper() and caps_differ:
            valence += vader.C_INCR if valence > 0 else -vader.C_INCR
        for back in range(3):
            if i > back and lows[i - back - 1] not in lexicon:
                shift = vader.scalar_inc_dec(words[i - back - 1], valence, caps_differ)
                if back == 1 and shift != 0:
                    shift *= 0.95
                elif back == 2 and shift != 0:
                    shift *= 0.9
                valence = _negated(valence + shift, lows, back, i)
                if back == 2:
                    valence = _idioms(valence, lows, i)
        least = i > 0 and lows[i - 1] == "least" and lows[i - 1] not in lexicon
        if least and (i == 1 or lows[i - 2] not in ("at", "very")):
            valence *= vader.N_SCALAR
        return valence


def _negated(valence: float, lows: list[str], back: int, i: int) -> float:
    """VADER's negation check of the word ``back + 1`` places before the sentiment word."""
    before = lows[i - back - 1]
    if back == 1:
        if lows[i - 2] == "never" and lows[i - 1] in ("so", "this"):
            return valence * 1.25
        if lows[i - 2] == "without" and lows[i - 1] == "doubt":
            return valence
    elif back == 2:
        if (lows[i - 3] == "never" and lows[i - 2] in ("so", "this")) or lows[i - 1] in (
            "so",
            "this",
        ):
            return valence * 1.25
        if lows[i - 3] == "without" and "doubt" in (lows[i - 2], lows[i - 1]):
            return valence
    return valence * vader.N_SCALAR if before in _NEGATIONS or "n't" in before else valence


_NEGATIONS = frozenset(vader.NEGATE)  # VADER's negated(), for one lower-case word


def _strip_punctuation(word: str) -> str:
    """VADER's SentiText._strip_punc_if_word: punctuation off both ends unless that leaves
    two characters or fewer (an emoticon)."""
    stripped = word.strip(string.punctuation)
    return word if len(stripped) <= 2 else stripped


def _idioms(valence: float, lows: list[str], i: int) -> float:
    """VADER's idioms ("kiss of death") and two-word boosters ("sort of") around ``i``."""
    special, boosters = vader.SPECIAL_CASES, vader.BOOSTER_DICT
    three, two, one, zero = lows[i - 3], lows[i - 2], lows[i - 1], lows[i]
    before = (f"{one} {zero}", f"{two} {one} {zero}", f"{two} {one}", f"{three} {two} {one}",
              f"{three} {two}")  # fmt: skip
    for sequence in before:
        if sequence in special:
            valence = special[sequence]
            break
    if len(lows) - 1 > i:
        after = f"{zero} {lows[i + 1]}"
        if after in special:
            valence = special[after]
    if len(lows) - 1 > i + 1:
        after = f"{zero} {lows[i + 1]} {lows[i + 2]}"
        if after in special:
            valence = special[after]
    for gram in (before[3], before[4], before[2]):
        if gram in boosters:
            valence += boosters[gram]
    return valence


@lru_cache(maxsize=1)
def _analyzer() -> _Vader:
    return _Vader()


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
