"""Tokens and words as the workers store them (flows/text/tokens.py): each character of a
script without spaces is a token, and the language's segmenter says which word it is in."""

import pytest

from flows.text.tokens import segments, tokenize


def words(text: str, language: str) -> list[str]:
    """The text's words, as the stored segments group its tokens."""
    tokens, separators = tokenize(text)
    numbers = segments(text, tokens, separators, language)
    assert numbers is not None and len(numbers) == len(tokens)
    grouped: dict[int, str] = {}
    for token, number in zip(tokens, numbers, strict=True):
        grouped[number] = grouped.get(number, "") + token
    return list(grouped.values())


def test_each_character_without_spaces_is_a_token_and_the_rest_are_runs():
    tokens, separators = tokenize("日本 Japan's 2026年")
    assert tokens == ("日", "本", "Japan", "s", "2026", "年")
    assert separators == ("", "", " ", "'", " ", "", "")


def test_a_language_with_spaces_has_no_segments():
    tokens, separators = tokenize("Japan and China")
    assert segments("Japan and China", tokens, separators, "en") is None


@pytest.mark.parametrize(
    ("text", "language", "word"),
    [
        ("外交部发言人在北京表示，中日关系面临挑战。", "zh", "北京"),
        ("國防部表示，共機繞經台灣東部海域。", "zh-Hant", "台灣"),
        ("反而吸引更多台灣旅客", "zh-Hant", "台灣"),
        ("把晶片生產帶回美國", "zh-Hant", "美國"),
        ("日本政府は日曜に発表した。", "ja", "日本"),
        ("정부는 일본과 협의했다.", "ko", "일본"),
    ],
)
def test_the_segmenter_keeps_a_name_whole_and_apart_from_its_neighbours(text, language, word):
    assert word in words(text, language)


def test_traditional_chinese_is_read_through_its_simplified_characters():
    # jieba alone, on Traditional text, glues 台 to the word before it (多台|灣)
    assert words("更多台灣旅客", "zh-Hant")[-2:] == ["台灣", "旅客"]
    assert "中心" in words("研究中心表示", "zh")
