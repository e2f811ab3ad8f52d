"""The real-page people audit's scoring (tools/people_audit.py) on small pages made by hand, and
its labels file (tests/gold/real_pages_people.yaml) read whole."""

from __future__ import annotations

import csv
from dataclasses import replace

import pytest

from flows.core.settings import REPO_ROOT
from tools.people_audit import (
    DUPLICATE,
    OUTSIDE,
    PART_OF_NAME,
    PERSON,
    QUOTATION,
    SPEAKER_NONE,
    SPEAKER_RIGHT,
    SPEAKER_WRONG,
    UNLABELLED,
    FoundPerson,
    FoundQuote,
    LabelledPerson,
    LabelledQuote,
    NotItem,
    PagePeopleFacts,
    PeoplePage,
    SharedSurname,
    figures_of,
    judge_person,
    load_people_labels,
    match_quotes,
    normalise_quote,
    score_people,
    score_people_page,
    top_discovered,
)
from tools.quality import Score

PAGE_ID = "cd" * 32


def page(split: str = "tune", **parts) -> PeoplePage:
    persons = (
        LabelledPerson("ines-okafor", "Ines Okafor", ("Okafor",), "the harbour master"),
        LabelledPerson("tomas-de-la-vega", "Tomás de la Vega", ("de la Vega", "Vega"), None),
        LabelledPerson("donald-trump", "Trump", (), None),
    )
    quotes = (
        LabelledQuote(
            "The cranes stay idle until Monday,", "ines-okafor", "Okafor", "said", False, 0
        ),
        LabelledQuote("a bad week for the port", "tomas-de-la-vega", "he", "said", True, 2),
        LabelledQuote("Nobody told us anything.", None, "a docker", "said", False, None),
    )
    defaults = {
        "persons": persons,
        "quotes": quotes,
        "not_quotes": (NotItem("Harbour Lights", "title-of-work"),),
        "not_persons": (
            NotItem("Port Authority of Okafor Bay", "organisation"),
            NotItem("St. Vega Park", "place"),
        ),
    }
    defaults.update(parts)
    return PeoplePage(PAGE_ID, split, "example.test", **defaults)


def found(entity_id: str, name: str, curated: bool = False, count: int = 1, inside: bool = True):
    return FoundPerson(entity_id, name, curated, count, (name,), inside)


@pytest.mark.parametrize(
    ("entity", "verdict", "label"),
    [
        (found("ines-okafor", "Ines Okafor"), PERSON, "ines-okafor"),
        # another id, but the name is the label's: a warehouse spelling of the same person
        (found("tomas-de-la-vega-2", "Tomas de la Vega"), PERSON, "tomas-de-la-vega"),
        # a labelled form used as the name
        (found("de-la-vega", "de la Vega"), PERSON, "tomas-de-la-vega"),
        (found("donald-trump", "Donald Trump", curated=True), PERSON, "donald-trump"),
        # a run of words inside a not_persons item takes its class
        (found("okafor-bay", "Okafor Bay"), "not a person: organisation", None),
        (found("vega-park", "Vega Park"), "not a person: place", None),
        # a first name alone is part of a name, not the person
        (found("ines", "Ines"), PART_OF_NAME, None),
        (found("harbour-lights", "Harbour Lights"), UNLABELLED, None),
        (found("jo-byline", "Jo Byline", inside=False), OUTSIDE, None),
        # a labelled person outside the checked text is still that person
        (found("ines-okafor", "Ines Okafor", inside=False), PERSON, "ines-okafor"),
    ],
)
def test_a_person_entity_is_judged_by_id_then_name_then_the_traps(entity, verdict, label):
    judged = judge_person(entity, page())
    assert (judged.verdict, judged.label_id) == (verdict, label)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("“The cranes stay idle until Monday,”", '"the cranes stay idle until monday'),
        ("It’s  over…", "it's over..."),
        ("now — or never", "now - or never"),
        ("now--or never", "now - or never"),
    ],
)
def test_quotation_texts_are_normalised_alike(a, b):
    assert normalise_quote(a) == normalise_quote(b)


def test_normalising_keeps_the_words_apart():
    assert normalise_quote("We won.") != normalise_quote("We lost.")
    assert normalise_quote("“Stop,” she said") != normalise_quote("Stop")


def test_quote_rows_match_labels_one_to_one_then_fuzzily():
    rows = [
        FoundQuote("The cranes stay idle until Monday", "ines-okafor", "Okafor"),
        # the same quotation again: only one row can have it
        FoundQuote("The cranes stay idle until Monday,", "ines-okafor", "Okafor"),
        # one word lost by extraction: still the quotation
        FoundQuote("a bad week for port", None, None),
        FoundQuote("Harbour Lights", None, None),
        FoundQuote("Nobody told us anything, he said, and left.", None, None),
        FoundQuote("Read more on our site", None, None, in_checked_text=False),
    ]
    verdicts = [m.verdict for m in match_quotes(rows, page())]
    assert verdicts == [
        QUOTATION,
        UNLABELLED,
        QUOTATION,
        "not a quotation: title-of-work",
        UNLABELLED,  # ran past its closing mark: not the labelled quotation
        OUTSIDE,
    ]


def test_a_page_is_scored_for_persons_quotes_and_speakers():
    facts = PagePeopleFacts(
        PAGE_ID,
        "ok",
        persons=[
            found("ines-okafor", "Ines Okafor", count=3),
            found("okafor", "Okafor"),  # the surname as a second entity
            found("okafor-bay", "Okafor Bay"),
        ],
        quotes=[
            FoundQuote("The cranes stay idle until Monday,", "okafor", "Okafor"),
            FoundQuote("a bad week for the port", "ines-okafor", "he"),
            FoundQuote("Nobody told us anything.", "ines-okafor", "Okafor"),
            FoundQuote("Harbour Lights", None, None),
        ],
    )
    names = {"okafor": "Okafor", "ines-okafor": "Ines Okafor"}
    result = score_people_page(page(), facts, names)
    assert [(v.person.entity_id, v.verdict) for v in result.persons] == [
        ("ines-okafor", PERSON),
        ("okafor", DUPLICATE),
        ("okafor-bay", "not a person: organisation"),
    ]
    assert [p.entity_id for p in result.missed_persons] == ["tomas-de-la-vega", "donald-trump"]
    assert result.missed_quotes == []
    # "okafor" is named by a form of Ines Okafor: right; Okafor for de la Vega's words: wrong
    assert [s for _, s in result.speakers] == [SPEAKER_RIGHT, SPEAKER_WRONG]
    assert [q.found.text for q in result.speaker_unnamed] == ["Nobody told us anything."]
    figures = figures_of([result])
    assert (figures.persons.true_positives, figures.persons.false_positives) == (1, 2)
    assert figures.persons.false_negatives == 2
    assert (figures.quotes.true_positives, figures.quotes.false_positives) == (3, 1)
    assert figures.quotes.false_negatives == 0
    assert (figures.speakers.right, figures.speakers.wrong, figures.speakers.none) == (1, 1, 0)
    assert figures.speakers.unnamed == 1


def test_halves_are_scored_apart_and_together():
    other = "ef" * 32
    labels = {PAGE_ID: page("tune"), other: replace(page("test"), page_id=other)}
    facts = {
        PAGE_ID: PagePeopleFacts(PAGE_ID, "ok", persons=[found("ines-okafor", "Ines Okafor")]),
        other: PagePeopleFacts(
            other,
            "ok",
            persons=[found("harbour-lights", "Harbour Lights", count=5)],
            quotes=[FoundQuote("a bad week for the port", None, None)],
        ),
    }
    audit = score_people(labels, facts, {})
    tune, test, both = audit.figures("tune"), audit.figures("test"), audit.figures()
    assert (tune.persons.true_positives, tune.persons.false_positives) == (1, 0)
    assert (test.persons.true_positives, test.persons.false_positives) == (0, 1)
    assert both.persons.false_negatives == tune.persons.false_negatives + 3 == 5
    assert (test.speakers.none, tune.speakers.total) == (1, 0)
    top = top_discovered(audit.results)
    assert [(d.entity_id, d.verdict) for d in top] == [
        ("harbour-lights", UNLABELLED),
        ("ines-okafor", "person"),
    ]


def test_a_page_missing_from_the_warehouse_misses_everything():
    audit = score_people({PAGE_ID: page()}, {}, {})
    assert audit.pages_missing == [PAGE_ID]
    figures = audit.figures()
    assert (figures.persons.false_negatives, figures.quotes.false_negatives) == (3, 3)


def test_the_labels_file_reads_whole_with_two_halves():
    labels = load_people_labels()
    assert len(labels) >= 40
    splits = [p.split for p in labels.values()]
    assert abs(splits.count("tune") - splits.count("test")) <= 1
    quotes = [q for p in labels.values() for q in p.quotes]
    assert all(q.speaker is None or q.distance in (0, 1, 2) for q in quotes)
    with (REPO_ROOT / "dbt_project" / "seeds" / "entities.csv").open(encoding="utf-8") as f:
        curated = {row["entity_id"] for row in csv.DictReader(f)}
    for p in labels.values():
        # a speaker is a person labelled on the page or an entity of the seeds
        ids = {person.entity_id for person in p.persons} | curated
        assert {q.speaker for q in p.quotes if q.speaker} <= ids, p.page_id


def test_a_row_running_over_paragraphs_matches_each_labelled_paragraph():
    quotes = (
        LabelledQuote("The tide came early.", "ines-okafor", "Okafor", "said", False, 0),
        LabelledQuote("We lost two cranes to it,", "ines-okafor", "Okafor", "said", False, 1),
        LabelledQuote("Never again.", None, None, None, False, None),
    )
    labelled = page(quotes=quotes)
    rows = [
        FoundQuote("The tide came early. We lost two cranes to it,", "tomas-de-la-vega", "he"),
        # a row joining labels that are not consecutive is no quotation
        FoundQuote("The tide came early. Never again.", None, None),
    ]
    matches = match_quotes(rows, labelled)
    assert [(m.verdict, len(m.labels)) for m in matches] == [(QUOTATION, 2), (UNLABELLED, 0)]
    result = score_people_page(labelled, PagePeopleFacts(PAGE_ID, "ok", quotes=rows), {})
    assert [s for _, s in result.speakers] == [SPEAKER_WRONG, SPEAKER_WRONG]
    assert [q.text for q in result.missed_quotes] == ["Never again."]
    assert figures_of([result]).quotes == Score(1, 1, 1)


def test_the_entity_with_the_labels_id_is_the_person_and_the_other_spelling_the_duplicate():
    facts = PagePeopleFacts(
        PAGE_ID,
        "ok",
        persons=[
            found("de-la-vega", "de la Vega", count=9),  # named as a form, mentioned more
            found("tomas-de-la-vega", "Tomás de la Vega", count=1),
        ],
    )
    verdicts = score_people_page(page(), facts, {}).persons
    assert [(v.person.entity_id, v.verdict) for v in verdicts] == [
        ("tomas-de-la-vega", PERSON),
        ("de-la-vega", DUPLICATE),
    ]


def test_a_shared_surname_is_judged_in_the_sentence_its_context_points_to():
    labelled = replace(
        page(),
        persons=(
            LabelledPerson("ines-okafor", "Ines Okafor", ("Okafor",), None),
            LabelledPerson("bola-okafor", "Bola Okafor", ("Okafor",), None),
        ),
        shared_surnames=(
            SharedSurname("Okafor", "the harbour master Okafor said", "ines-okafor"),
            SharedSurname("Okafor", "Okafor later wrote to the board", "bola-okafor"),
            SharedSurname("Okafor", "the Okafors own the yard", None),
            SharedSurname("Okafor", "a letter from Okafor arrived", "ines-okafor"),
        ),
    )
    facts = PagePeopleFacts(
        PAGE_ID,
        "ok",
        mentions=[
            ("On Monday the harbour master Okafor said no.", "ines-okafor", ("Okafor",)),
            ("Okafor later wrote to the board.", "ines-okafor", ("Okafor",)),  # Bola's
            ("The cranes belong to Ines Okafor.", "ines-okafor", ("Ines Okafor",)),
        ],
    )
    judged = [verdict for _, verdict in score_people_page(labelled, facts, {}).shared_surnames]
    assert judged == [SPEAKER_RIGHT, SPEAKER_WRONG, SPEAKER_RIGHT, SPEAKER_NONE]


def test_country_cases_are_right_missed_kept_or_wrong_by_their_context():
    from tools.audit import MentionRow, PageFacts, Sentence
    from tools.country_cases import CountryCase, figures, score_cases

    page = "ab" * 32
    facts = PageFacts(page, "extracted")
    facts.sentences = {
        1: Sentence(1, "Washington said the talks would go on."),
        2: Sentence(2, "She grew up in rural south Georgia near Albany."),
        3: Sentence(3, "The BVI court froze the accounts."),
        4: Sentence(4, "Beijing officials ultimately admitted that the city had failed."),
    }
    facts.rows = [
        MentionRow(1, "united-states", "country", 1, ("Washington",)),
        MentionRow(4, "china", "country", 1, ("Beijing",)),
    ]

    def case(text: str, context: str, entity_id: str | None) -> CountryCase:
        return CountryCase(page, "test", text, context, entity_id, "kind")

    scores = score_cases(
        [
            case("Washington", "Washington said the talks", "united-states"),  # right
            case("Georgia", "in rural south Georgia near Albany", None),  # trap kept
            case("BVI", "The BVI court froze", "british-virgin-islands"),  # missed
            case("Beijing", "Beijing officials ultimately admitted", None),  # trap taken
            case("Tokyo", "Tokyo said nothing at all", "japan"),  # not on the page
        ],
        {page: facts},
    )
    assert figures(scores)["test"] == {"right": 1, "missed": 1, "kept": 1, "wrong": 1}
    assert scores.not_located["test"] == 1
    assert len(scores.errors) == 2


def test_the_country_seed_holds_the_forms_the_press_writes():
    with (REPO_ROOT / "dbt_project" / "seeds" / "entity_aliases.csv").open(encoding="utf-8") as f:
        english = {(r["entity_id"], r["alias"]) for r in csv.DictReader(f) if r["language"] == "en"}
    for row in [
        ("british-virgin-islands", "BVI"),
        ("saint-kitts-and-nevis", "St Kitts & Nevis"),
        ("saint-kitts-and-nevis", "St Kitts and Nevis"),
        ("bonaire-sint-eustatius-and-saba", "Bonaire, St Eustatius and Saba"),
        ("bonaire-sint-eustatius-and-saba", "Caribbean Netherlands"),
        ("saint-lucia", "St Lucia"),
        ("trinidad-and-tobago", "Trinidad & Tobago"),
        ("ecuador", "Ecuadorean"),
    ]:
        assert row in english
