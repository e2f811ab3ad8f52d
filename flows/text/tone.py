"""Sentence tone: VADER's compound score plus GDELT-style shares of positive and negative words.

The tone model's name (which scores the marts use) is written once, as the dbt project's var
``tone_model``; ``tone_model()`` reads it from there, and a test checks that it names the
VADER release installed here. Scoring itself needs no name, so worker processes never read it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from flows.core.records import Tone
from flows.core.settings import dbt_project_var
from flows.text.sentences import WORD


def tone_model(project_dir: Path | None = None) -> str:
    """The tone model the marts read (dbt var ``tone_model``): what stored scores are labelled."""
    return str(dbt_project_var("tone_model", project_dir))


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
