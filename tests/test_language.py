"""Language detection from an article's own text: languages, mixed pages, short texts, junk."""

from __future__ import annotations

import pytest

from flows.text.language import LANGUAGE_DETECTOR, MIN_WORDS, UNDETERMINED, detect_language

ENGLISH = (
    "Japan and the Philippines agreed on Tuesday to expand joint coast guard patrols in the "
    "South China Sea, officials said, after months of confrontations between vessels near "
    "disputed reefs. The two governments will also share radar data."
)
SPANISH = (
    "El gobierno anunció el martes un nuevo plan para reducir la inflación, que según los "
    "economistas consultados afectará sobre todo a los precios de los alimentos y de la "
    "energía durante los próximos meses. La oposición pidió más detalles."
)
GERMAN = (
    "Die Bundesregierung hat am Mittwoch neue Regeln für die Ausfuhr von Halbleitern "
    "beschlossen. Nach Angaben des Wirtschaftsministeriums sollen die Unternehmen künftig "
    "genauer prüfen, an wen sie ihre Produkte verkaufen, und Verstöße melden."
)
JAPANESE = (
    "政府は火曜日、沖縄県の尖閣諸島周辺で中国海警局の船が領海に侵入したと発表した。"
    "海上保安庁によると、船は約三時間にわたって領海内を航行し、日本の漁船に接近しようとした。"
)
CHINESE = (
    "中国外交部发言人星期二表示，中方愿意与日本继续就东海问题保持沟通，"
    "妥善处理分歧，维护地区和平稳定。发言人还说，双方应当通过对话解决海上争端。"
)
TRADITIONAL_CHINESE = (
    "台灣行政院星期三宣布，將在明年擴大對半導體產業的補助，"
    "並加強與日本及美國在供應鏈方面的合作，以確保關鍵零組件的穩定供應。"
)
RUSSIAN = (
    "Министерство иностранных дел России в среду заявило, что Москва готова продолжить "
    "переговоры с Токио о мирном договоре, однако считает необходимым учитывать "
    "изменившуюся ситуацию в регионе и интересы обеих сторон."
)
# An English site menu, long enough to be a third of the page, over a Spanish body.
MENU = (
    "Home News World Politics Business Tech Science Health Sports Opinion Video Podcasts "
    "Newsletters Subscribe Sign in Contact us Privacy policy Terms of use"
)


@pytest.mark.parametrize(
    ("title", "text", "language"),
    [
        ("Japan, Philippines expand patrols", ENGLISH, "en"),
        ("Nuevo plan contra la inflación", SPANISH, "es"),
        ("Neue Regeln für Chip-Exporte", GERMAN, "de"),
        ("尖閣周辺で領海侵入", JAPANESE, "ja"),
        ("中方愿与日本保持沟通", CHINESE, "zh"),
        ("台灣擴大半導體補助", TRADITIONAL_CHINESE, "zh-Hant"),  # its own variant (seeds differ)
        ("Россия готова к переговорам", RUSSIAN, "ru"),
    ],
)
def test_detects_the_language_of_a_whole_article(title: str, text: str, language: str):
    guess = detect_language(text, title)
    assert guess.language == language
    assert guess.confidence is not None and 0.9 <= guess.confidence <= 1
    assert guess.reason is None
    assert guess.detector == LANGUAGE_DETECTOR


def test_a_page_with_an_english_menu_and_a_spanish_body_is_spanish():
    text = "\n".join([MENU, SPANISH, SPANISH.replace("martes", "miércoles")])
    guess = detect_language(text, "Nuevo plan contra la inflación")
    assert guess.language == "es"
    assert 0.5 <= guess.confidence < 0.9  # the menu's share of the words is not Spanish


def test_an_english_article_quoting_a_foreign_sentence_stays_english():
    text = "\n".join([ENGLISH, f'The minister said: "{SPANISH[:120]}"', ENGLISH])
    assert detect_language(text).language == "en"


def test_no_language_holding_most_of_the_text_is_undetermined():
    text = "\n".join([ENGLISH, SPANISH, GERMAN])  # a third each
    guess = detect_language(text)
    assert guess.language == UNDETERMINED
    assert guess.confidence is not None and guess.confidence < 0.5
    assert guess.reason.startswith("no language holds most of the text")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Japan protests", f"too few words (2, need {MIN_WORDS})"),
        ("Tokyo, Nov. 3 (Reuters) — Officials met on Tuesday.", "too few words"),
        ("", "no text"),
        ("2026-11-03 12:45 — 1,250 / 3.5% http://example.com/a/b?c=1", "no text"),
    ],
)
def test_short_or_wordless_texts_are_undetermined_with_the_reason(text: str, reason: str):
    guess = detect_language(text)
    assert guess.language == UNDETERMINED
    assert guess.confidence is None
    assert guess.reason.startswith(reason)


def test_a_short_title_does_not_make_a_short_text_long_enough():
    guess = detect_language("Officials met on Tuesday.", "Talks resume")
    assert guess.language == UNDETERMINED
    assert guess.reason == f"too few words (6, need {MIN_WORDS})"


def test_urls_and_numbers_do_not_count_as_words():
    links = " ".join(f"http://amzn.to/{n}abc 12) 2018-08-25" for n in range(20))
    guess = detect_language(f"{SPANISH}\n{links}")  # counted, the links would outnumber it
    assert guess.language == "es"
    assert guess.confidence >= 0.95


@pytest.mark.parametrize("junk", ["\x00", "\x85", "\ud800", "\ufdd0", "\uffff", "\U0010ffff"])
def test_characters_cld2_rejects_do_not_fail_detection(junk: str):
    guess = detect_language(ENGLISH.replace(" ", f" {junk}", 5))
    assert guess.language == "en"
