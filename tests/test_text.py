"""Sentence splitting and tone scoring."""

from __future__ import annotations

import pytest

from flows.text.sentences import count_words, split_sentences
from flows.text.tone import score, tone_model


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Japan protested. China rejected it.", ["Japan protested.", "China rejected it."]),
        (
            "Mr. Wang met Dr. Lee in Tokyo. They spoke for an hour.",
            ["Mr. Wang met Dr. Lee in Tokyo.", "They spoke for an hour."],
        ),
        (
            "The U.S. Navy sailed through. It was routine.",
            ["The U.S. Navy sailed through.", "It was routine."],
        ),
        (
            '"We will not back down," she said. "Never."',
            ['"We will not back down," she said.', '"Never."'],
        ),
        (
            "John F. Kennedy visited. Crowds cheered!",
            ["John F. Kennedy visited.", "Crowds cheered!"],
        ),
        (
            "Talks resumed on Jan. 5 in Seoul. Both sides attended.",
            ["Talks resumed on Jan. 5 in Seoul.", "Both sides attended."],
        ),
        (
            "prices rose 3.5 percent. analysts were surprised",
            ["prices rose 3.5 percent. analysts were surprised"],
        ),
        ("日本と中国は会談した。対話を続ける。", ["日本と中国は会談した。", "対話を続ける。"]),
    ],
)
def test_split_sentences(text: str, expected: list[str]):
    assert [s.text for s in split_sentences(text)] == expected


def test_title_is_sentence_zero_and_offsets_point_into_the_text():
    text = "First paragraph here.\nSecond one. Third."
    sentences = split_sentences(text, title="A headline")
    assert [(s.index, s.part) for s in sentences] == [
        (0, "title"),
        (1, "body"),
        (2, "body"),
        (3, "body"),
    ]
    for s in sentences[1:]:
        assert text[s.char_start : s.char_end] == s.text


@pytest.mark.parametrize(
    ("sentence", "sign"),
    [
        ("Leaders welcomed the historic agreement and praised the strong friendship.", 1),
        ("Officials condemned the dangerous attack and warned of a deepening crisis.", -1),
        ("The meeting is scheduled for Tuesday in Jakarta.", 0),
    ],
)
def test_tone_sign(sentence: str, sign: int):
    tone = score(sentence)
    assert -1.0 <= tone.tone <= 1.0
    if sign == 0:
        assert tone.tone == 0.0 and tone.polarity == 0.0
    else:
        assert (tone.tone > 0.3) if sign > 0 else (tone.tone < -0.3)


def test_tone_shares_count_lexicon_words():
    tone = score("Good talks, bad weather, more talks.")
    assert tone.word_count == 6
    assert tone.positive_share == pytest.approx(1 / 6)
    assert tone.negative_share == pytest.approx(1 / 6)
    assert tone.polarity == pytest.approx(2 / 6)


def test_tone_model_names_the_installed_vader_release():
    # The name lives once, in dbt_project.yml; a VADER upgrade must rename it (so the marts
    # re-read every sentence's new score), which this catches.
    from importlib.metadata import version

    assert tone_model().startswith(f"vader-{version('vaderSentiment')}/")


def test_tone_model_is_read_from_the_dbt_project(tmp_path):
    project = tmp_path / "dbt_project"
    project.mkdir()
    (project / "dbt_project.yml").write_text("vars:\n  tone_model: vader-9.9.9/shares-7\n")
    assert tone_model(project) == "vader-9.9.9/shares-7"


@pytest.mark.parametrize(
    ("text", "words"), [("One two three.", 3), ("日本語の文章です", 4), ("", 0)]
)
def test_count_words(text: str, words: int):
    assert count_words(text) == words
