"""The gold labels themselves (tests/gold/articles.yaml): complete and consistent with the
articles and the seeds, so that scores computed from them measure the rules, not typos."""

from __future__ import annotations

import csv
import re

import pytest

from flows.core.settings import REPO_ROOT
from flows.demo_site.render import Article, load_articles
from tools.quality import GoldArticle, load_gold_articles, person_slug

SEEDS = REPO_ROOT / "dbt_project" / "seeds"

# Written for issue 11 (people and their words), labelled before its rules existed.
ISSUE_11_ARTICLES = (
    "harbor-wire--cho-tae-yul-japan-ties-forum",
    "harbor-wire--hong-kong-mainland-visitors-policy",
    "harbor-wire--koizumi-hegseth-okinawa-marines",
    "harbor-wire--korea-us-shipbuilding-pact",
    "harbor-wire--sabina-shoal-militia-swarm",
    "harbor-wire--yokosuka-typhoon-cleanup",
    "pacific-herald--fukushima-fishermen-new-markets",
    "pacific-herald--iwaya-delegation-beijing",
    "pacific-herald--japan-auto-tariff-talks",
    "pacific-herald--north-korea-missiles-seoul-tokyo-talks",
    "pacific-herald--taiwan-lunar-new-year-flights",
    "pacific-herald--takaichi-taiwan-remarks-one-year",
    "straits-daily--balakrishnan-small-states-forum",
    "straits-daily--indonesia-natuna-joint-development",
    "straits-daily--seafood-traders-japan-ban",
    "straits-daily--vietnam-japan-rare-earths-deal",
)
QUOTATION = re.compile(r'"([^"]*)"|“([^”]*)”')
ENGLISH_OUTLETS = ("pacific-herald", "harbor-wire", "straits-daily")
# The English gold set (tests/gold/articles.yaml) labels the English outlets' articles; the
# other outlets' articles are the multilingual gold set's (tests/gold/multilingual).
ARTICLES = {a.stem: a for a in load_articles() if a.outlet in ENGLISH_OUTLETS}
ALL_ARTICLES = {a.stem: a for a in load_articles()}


def _rows(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


ENTITY_TYPES = {row["entity_id"]: row["entity_type"] for row in _rows("entities.csv")}
ISSUES = {row["issue_id"] for row in _rows("issues.csv")}
GOLD = load_gold_articles()


def _text(article: Article) -> str:
    return "\n".join((article.title, *article.paragraphs))


def test_every_demo_article_is_labelled_and_nothing_else():
    from tools.multilingual_quality import VARIANTS, load_gold

    assert set(GOLD) == set(ARTICLES)
    assert set(ISSUE_11_ARTICLES) <= set(GOLD)
    multilingual = [stem for variant in VARIANTS for stem in load_gold(variant)]
    assert len(multilingual) == len(set(multilingual))  # each article in one variant's file
    assert set(GOLD) | set(multilingual) == set(ALL_ARTICLES)


@pytest.mark.parametrize(
    "variant", ["zh-Hans", "zh-Hant", "ja", "ko", "es", "fr", "ru", "vi", "id"]
)
def test_every_multilingual_label_is_on_its_article_and_in_the_seeds(variant: str):
    """Each mention's text stands in its context, and the context in the article's title or
    body; entity and issue ids exist; the counts the issue asks for are there."""
    from tools.multilingual_quality import load_gold

    labels = load_gold(variant)
    countries = quotes = 0
    for stem, article in labels.items():
        text = _text(ALL_ARTICLES[stem])
        for mention in article.get("mentions") or []:
            assert mention["text"] in mention["context"], (stem, mention)
            assert mention["context"] in text, (stem, mention["context"])
            assert ENTITY_TYPES[mention["entity_id"]] in ("country", "person"), mention
            countries += ENTITY_TYPES[mention["entity_id"]] == "country"
        assert set(article.get("issues") or []) <= ISSUES, stem
        quotes += len(article.get("quotes") or [])
    assert len(labels) >= 12 and countries >= 80 and quotes >= 20


def test_the_issue_11_articles_hold_the_persons_and_quotations_it_asks_for():
    new = [GOLD[stem] for stem in ISSUE_11_ARTICLES]
    persons = [p for a in new for p in a.persons]
    quotes = [q for a in new for q in a.quotes]
    assert len(new) >= 15
    assert len(persons) >= 60
    assert len(quotes) >= 40
    uncurated = [p for p in persons if p.entity_id not in ENTITY_TYPES]
    organizations = [
        q for q in quotes if ENTITY_TYPES.get(q.speaker_entity_id or "") == "organization"
    ]
    pronouns = [q for q in quotes if (q.speaker_name or "").lower() in {"he", "she"}]
    assert len(uncurated) >= 30
    assert len(organizations) >= 5
    assert sum(q.speaker_entity_id is not None for q in pronouns) >= 10
    assert sum(q.speaker_entity_id is None for q in pronouns) >= 2  # the ambiguous ones
    assert sum(q.is_fragment for q in quotes) >= 10
    assert sum(q.speaker_entity_id is None for q in quotes) >= 5
    assert sum(len(a.not_quotes) for a in new) >= 3


@pytest.mark.parametrize("stem", sorted(ARTICLES))
def test_quotations_are_exactly_the_quotation_marks_of_the_article(stem: str):
    gold: GoldArticle = GOLD[stem]
    spans = [
        straight or curly
        for part in (ARTICLES[stem].title, *ARTICLES[stem].paragraphs)
        for straight, curly in QUOTATION.findall(part)
    ]
    # Each pair of marks is a quotation or a not-quotation, in reading order.
    remaining = list(spans)
    for text in gold.not_quotes:
        remaining.remove(text)
    assert [q.text for q in gold.quotes] == remaining


@pytest.mark.parametrize("stem", sorted(ARTICLES))
def test_persons_have_stable_ids_and_words_from_the_article(stem: str):
    gold = GOLD[stem]
    text = _text(ARTICLES[stem])
    ids = [p.entity_id for p in gold.persons]
    assert len(ids) == len(set(ids)), "one label per person"
    for person in gold.persons:
        assert person.name in text, person
        assert person.role is None or person.role in text, person
        if person.entity_id in ENTITY_TYPES:
            assert ENTITY_TYPES[person.entity_id] == "person", person
            assert person.entity_id in gold.entities, "a curated person is an entity label too"
        else:
            assert person.entity_id == person_slug(person.name), person


@pytest.mark.parametrize("stem", sorted(ARTICLES))
def test_speakers_are_the_article_s_persons_or_curated_entities(stem: str):
    gold = GOLD[stem]
    text = _text(ARTICLES[stem])
    persons = {p.entity_id for p in gold.persons}
    for quote in gold.quotes:
        speaker = quote.speaker_entity_id
        if speaker is not None:
            assert speaker in persons or ENTITY_TYPES.get(speaker) in {"organization", "country"}
        assert quote.speaker_name is None or quote.speaker_name in text, quote
        assert quote.verb is None or re.fullmatch(r"[a-z]+", quote.verb), quote


@pytest.mark.parametrize("stem", sorted(ARTICLES))
def test_entity_and_issue_labels_are_in_the_seeds(stem: str):
    gold = GOLD[stem]
    assert gold.entities <= set(ENTITY_TYPES)
    assert gold.issues <= ISSUES
    assert gold.tone in {"positive", "negative", "neutral"}


def test_person_slug_gives_every_curated_person_its_id():
    people = [row for row in _rows("entities.csv") if row["entity_type"] == "person"]
    assert len(people) > 100
    assert {row["entity_id"] for row in people} == {person_slug(row["name"]) for row in people}
    assert person_slug("Hélène Tran") == "helene-tran"
    assert person_slug("James R. Calloway Jr.") == "james-r-calloway-jr"
