"""flows.text.tone scores as VADER does, to the last digit: the marts keep the model's name."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from flows.text.sentences import split_sentences
from flows.text.tone import _Vader

# Every word one of VADER's rules looks for, sentiment words among them, in upper case too.
RULE_WORDS = (
    "no not never nor or so this without doubt least at very but kind of sort the bomb shit "
    "kiss death to die for yeah right bus stop bad ass beating heart isn't wasn't can't n't "
    "extremely barely hardly somewhat just enough kinda sorta cut mustard upper hand "
    "good bad great terrible love hate fine happy sad war peace attack win lose "
    "GOOD BAD VERY NOT GREAT :) :( ! ?? !!! ??? . , Mr Tokyo talks said ministry"
).split()


@pytest.fixture(scope="module")
def vader() -> tuple[SentimentIntensityAnalyzer, _Vader]:
    return SentimentIntensityAnalyzer(), _Vader()


def assert_same(vader: tuple[SentimentIntensityAnalyzer, _Vader], sentences: list[str]) -> None:
    reference, fast = vader
    differ = [
        (s, reference.polarity_scores(s), fast.polarity_scores(s))
        for s in sentences
        if reference.polarity_scores(s) != fast.polarity_scores(s)
    ]
    assert not differ, f"{len(differ)} of {len(sentences)} differ, first: {differ[0]}"


@pytest.mark.parametrize(
    "sentence",
    [
        "The talks were not good at all.",
        "No good deal, no bad deal either.",
        "It was never so good, and without doubt the bomb.",
        "At least the ceasefire held, but the least bad option failed.",
        "Kind of a kiss of death for the bill, sort of sad.",
        "The minister said the plan is GREAT while others were quiet.",
        "Very very good!!! Or is it??",
        "He was hardly happy, barely content, yet not unhappy nor sad.",
        "Yeah right, the bus stop was to die for 😀 and the crowd 😡 left.",
        "",
        "   ",
        "!!!",
    ],
)
def test_rule_cases_score_as_vader(vader, sentence: str):
    assert_same(vader, [sentence])


def test_random_sentences_of_rule_words_score_as_vader(vader):
    """Thousands of random sentences drawn from the words VADER's rules read, so that every
    rule meets every neighbour (negations two and three back, boosters, idioms, capitals)."""
    rng = random.Random(2026)
    sentences = [
        " ".join(rng.choice(RULE_WORDS) for _ in range(rng.randint(1, 14))) for _ in range(6000)
    ]
    assert_same(vader, sentences)


def test_real_article_sentences_score_as_vader(vader, benchmark_corpus: Path):
    """Every sentence of the shared benchmark's checked article bodies (real news pages)."""
    bodies = json.loads((benchmark_corpus / "ground-truth.json").read_text())
    sentences = [
        sentence.text
        for page in bodies.values()
        for sentence in split_sentences(page["articleBody"], None)
    ]
    assert len(sentences) > 5000
    assert_same(vader, sentences)
