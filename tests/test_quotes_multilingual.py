"""Quotations and speakers in the variants other than English (flows/text/quotes_multilingual.py),
one rule at a time; the figures on the gold set are in docs/quality.md."""

from __future__ import annotations

import csv

import pytest

from flows.text.quotes import Passage
from flows.text.quotes_multilingual import Cues, Speaker, find_quotes_multilingual
from tests.conftest import SEEDS


def cues_of(language: str) -> Cues:
    with (SEEDS / "quote_cues.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["language"] == language]
    return Cues(
        verbs=tuple(r["cue"] for r in rows if r["kind"] == "verb"),
        pronouns=tuple(r["cue"] for r in rows if r["kind"] == "pronoun"),
        so_called=tuple(r["cue"] for r in rows if r["kind"] == "so_called"),
        honorifics=tuple(r["cue"] for r in rows if r["kind"] == "honorific"),
    )


def quotes(language: str, paragraphs: list[list[str]], names: dict[str, tuple[str, str]]):
    """The rules on paragraphs of sentences (sentence 0 is the title), with ``names`` (as
    written -> entity id and type) standing in for what the aliases find."""
    passages, speakers = [], []
    index = 0
    for number, sentences in enumerate(paragraphs):
        for text in sentences:
            passages.append(Passage(index, text, number - 1))
            for written, (entity_id, entity_type) in names.items():
                at = text.find(written)
                while at >= 0:
                    speakers.append(Speaker(index, at, at + len(written), entity_id, entity_type))
                    at = text.find(written, at + 1)
            index += 1
    found = find_quotes_multilingual(passages, speakers, cues_of(language), language)
    return [(q.quote_text, q.speaker_entity_id) for q in found]


def test_japanese_speaker_named_before_the_marks_and_the_verb_after_them():
    found = quotes(
        "ja",
        [
            ["尖閣周辺に中国海警局の船"],
            ["木原稔官房長官は記者会見で「極めて遺憾であり、断じて容認できない」と述べました。"],
            ["そのうえで「冷静かつ毅然と対応していく」と強調しました。"],
        ],
        {"木原稔": ("minoru-kihara", "person")},
    )
    assert found == [
        ("極めて遺憾であり、断じて容認できない", "minoru-kihara"),
        ("冷静かつ毅然と対応していく", "minoru-kihara"),  # the subject dropped: the same
    ]


def test_a_topic_other_than_the_named_person_leaves_the_speaker_unknown():
    found = quotes(
        "ja",
        [
            ["首相の訪米"],
            ["政府関係者は、高市首相の訪米について「日程の調整を急いでいる」と話しました。"],
        ],
        {"高市": ("sanae-takaichi", "person")},
    )
    assert found == [("日程の調整を急いでいる", None)]


def test_chinese_speaker_right_after_the_closing_mark():
    found = quotes(
        "zh",
        [
            ["东部战区组织演习"],
            ["“战区部队时刻保持高度戒备，坚决挫败一切分裂图谋。”石毅说。"],
        ],
        {"石毅": ("shi-yi", "person")},
    )
    assert found == [("战区部队时刻保持高度戒备，坚决挫败一切分裂图谋。", "shi-yi")]


def test_scare_quotes_and_words_inside_a_name_are_not_quotations():
    found = quotes(
        "zh",
        [
            ["美方发起所谓“232调查”"],
            ["美方近期对进口半导体发起所谓“232调查”，并将多家企业列入“实体清单”。"],
            ["此次演习是对“台独”分裂势力的严正警告。"],
        ],
        {},
    )
    assert found == []


def test_french_speaker_after_the_verb_and_a_pronoun_that_goes_on():
    """A surname alone is trusted once the article has named the person in full."""
    found = quotes(
        "fr",
        [
            ["Jean-Noël Barrot à Pékin"],
            [
                "« La France veut une relation équilibrée avec la Chine », a déclaré M. Barrot "
                "lors d'une conférence de presse."
            ],
            ["« Nous ne cherchons pas la confrontation », a-t-il ajouté."],
        ],
        {
            "Jean-Noël Barrot": ("jean-noel-barrot", "person"),
            "Barrot": ("jean-noel-barrot", "person"),
        },
    )
    assert found == [
        ("La France veut une relation équilibrée avec la Chine", "jean-noel-barrot"),
        ("Nous ne cherchons pas la confrontation", "jean-noel-barrot"),
    ]


@pytest.mark.parametrize(
    ("sentence", "why"),
    [
        (
            "«Hemos hecho acopio de existencias para unos meses», dijo Marta Aguirre, "
            "directora de una empresa que compite con Kihara.",
            "a name no seed holds comes first after the verb",
        ),
        (
            "Pekín ha rechazado las acusaciones: «Instamos a la parte filipina a respetar "
            "nuestra soberanía».",
            "a country is not a speaker (nor the capital standing for it)",
        ),
    ],
)
def test_spanish_speakers_are_left_unknown_rather_than_guessed(sentence: str, why: str):
    found = quotes(
        "es",
        [["Tierras raras"], [sentence]],
        {"Kihara": ("minoru-kihara", "person"), "Pekín": ("china", "country")},
    )
    assert len(found) == 1 and found[0][1] is None, why


def test_russian_guillemets_with_inner_low_quotes_are_one_quotation():
    found = quotes(
        "ru",
        [
            ["Лавров о газе"],
            ["«Проект „Сила Сибири — 2“ будет реализован в срок», — заявил Сергей Лавров."],
        ],
        {"Сергей Лавров": ("sergei-lavrov", "person")},
    )
    assert found == [("Проект „Сила Сибири — 2“ будет реализован в срок", "sergei-lavrov")]


def test_a_bare_surname_the_article_never_gave_in_full_is_not_a_speaker():
    found = quotes(
        "vi",
        [
            ["Đầu tư chip"],
            ["“Việt Nam có nguồn nhân lực trẻ và chi phí cạnh tranh.” ông Lee nói."],
        ],
        {"Lee": ("lee-jae-myung", "person")},
    )
    assert found == [("Việt Nam có nguồn nhân lực trẻ và chi phí cạnh tranh.", None)]
