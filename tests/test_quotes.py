"""Quotations and their speakers (flows/text/quotes.py): the cases issue 11 names, with the person
mentions flows/text/people.py finds in the same text."""

from __future__ import annotations

import pytest

from flows.text.people import Lexicon, Sentence, find_people
from flows.text.quotes import NamedSpan, Passage, Quote, find_quotes
from tests.conftest import seed_lexicon

ENGLISH = seed_lexicon("en")  # the seeds' English rows, as the models read them
VERBS = ENGLISH.attribution_verbs
ROLES = frozenset(word for title in ENGLISH.titles for word in title.split())


def quotes_in(
    lexicon: Lexicon, paragraphs: list[list[str]], bodies: dict[str, str] | None = None
) -> list[Quote]:
    """Quotes of an article given as paragraphs of sentences; ``bodies`` names organizations
    (text -> entity id) the SQL matcher would find."""
    passages, index = [], 1
    for number, sentences in enumerate(paragraphs):
        for text in sentences:
            passages.append(Passage(index, text, number))
            index += 1
    people = find_people([Sentence(p.index, p.text) for p in passages], lexicon)
    spans = [
        NamedSpan(p.index, p.text.index(name), p.text.index(name) + len(name), entity_id)
        for p in passages
        for name, entity_id in (bodies or {}).items()
        if name in p.text
    ]
    return find_quotes(passages, people, spans, VERBS, roles=ROLES)


def test_speech_after_before_and_split(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["Japanese Foreign Minister Takeshi Iwaya arrived in Beijing on Tuesday."],
            ["“We want stable ties,” Iwaya said. “Both sides gain from them.”"],
            ["Ian Chong, a political scientist, said: “Tokyo is hedging.”"],
        ],
    )
    assert [(q.quote_text, q.speaker_entity_id, q.attribution) for q in quotes] == [
        ("We want stable ties,", "takeshi-iwaya", "after"),
        ("Both sides gain from them.", "takeshi-iwaya", "continued"),
        ("Tokyo is hedging.", "ian-chong", "before"),
    ]
    assert not any(q.is_fragment for q in quotes)


def test_a_pronoun_is_the_one_person_just_named_and_never_a_guess(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["Stephen Nagy, a professor at a university in Tokyo, spoke to VOA."],
            ["“The visit matters,” he told VOA."],
            ["Ian Chong and Michael Jordan, two analysts, met the delegation."],
            ["“It will not last,” he said."],
        ],
    )
    assert [q.speaker_entity_id for q in quotes] == ["stephen-nagy", None]
    assert quotes[1].speaker_name == "he"  # written as the text writes it, unresolved


def test_organizations_speak_through_their_name_or_a_spokesperson(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["“The data speak for themselves,” a Tepco spokesperson said."],
            ["“Tokyo must stop,” the Global Times reported."],
            ["“We learn a lot,” one Japanese instructor said."],
        ],
        {"Tepco": "tepco", "Global Times": "global-times", "Japanese": "japan"},
    )
    assert [q.speaker_entity_id for q in quotes] == ["tepco", "global-times", None]
    assert quotes[2].speaker_name == "one Japanese instructor"


def test_fragments_belong_to_the_subject_of_the_sentence(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            [
                "Chinese Foreign Minister Wang Yi urged Tokyo to “calibrate its strategic perception.”"
            ],
            ["China called the report “lies” and a “smear.”"],
            ["Officials described a so-called “gray zone” near the shoal."],
        ],
        {"China": "china"},
    )
    assert [(q.quote_text, q.speaker_entity_id, q.is_fragment) for q in quotes] == [
        ("calibrate its strategic perception.", "wang-yi", True),
        ("lies", "china", True),
        ("smear.", "china", True),
    ]  # "gray zone" is a scare quote: no speaker in its sentence, so no quotation


def test_a_word_quoted_before_the_noun_it_qualifies_is_a_scare_quote(lexicon: Lexicon):
    """Issue 26: "the “interim” government" keeps a word at a distance, whoever the sentence
    is about; "his “duty” to report" is the speaker's word for the thing itself."""
    quotes = quotes_in(
        lexicon,
        [
            ["Ombudsman Nadia Cruz called on the “interim” government to withdraw the troops."],
            ["Lt. Col. Alexander Vindman told lawmakers it was his “duty” to report the call."],
        ],
    )
    assert [(q.quote_text, q.speaker_entity_id) for q in quotes] == [("duty", "alexander-vindman")]


def test_three_words_quoted_with_nobody_credited_are_a_term_four_are_a_quotation(lexicon: Lexicon):
    """Issue 26: a fragment of three words or fewer that no one is credited with is a scare
    quote, a term or a name; four words or more, or a credited speaker, make it a quotation."""
    quotes = quotes_in(
        lexicon,
        [
            ["Doctors call the illness “hot tub lung” and see more cases each winter."],
            ["Critics said the plan was “tough on China” in name only."],
            ["Campaigners warned of a “race to the bottom on wages” across the region."],
            ["Minister Aiko Sato called the deal “fair and balanced” on Monday."],
        ],
    )
    assert [(q.quote_text, q.speaker_entity_id) for q in quotes] == [
        ("race to the bottom on wages", None),
        ("fair and balanced", "aiko-sato"),
    ]


def test_a_quotation_over_paragraphs_is_one_quotation(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["Ian Chong said: “The first part goes on."],
            ["“And the second part ends here.”"],
        ],
    )
    assert len(quotes) == 1
    assert quotes[0].sentence_count == 2 and quotes[0].speaker_entity_id == "ian-chong"


@pytest.mark.parametrize(
    "text",
    [
        "According to Iwaya, the two sides agreed to meet again.",  # paraphrase: no marks
        "Iwaya said the talks were useful and would continue.",
    ],
)
def test_paraphrase_is_not_a_quote(lexicon: Lexicon, text: str):
    assert quotes_in(lexicon, [[text]]) == []


def test_a_straight_mark_closes_a_quotation_a_curly_one_opened(lexicon: Lexicon):
    quotes = quotes_in(lexicon, [['“We start Monday," said Mara Lind, "and we finish by Friday.”']])
    assert [(q.quote_text, q.speaker_entity_id) for q in quotes] == [
        ("We start Monday,", "mara-lind"),
        ("and we finish by Friday.", "mara-lind"),
    ]


def test_titles_in_a_writers_sentence_are_not_quotations(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["The band played “Walking On The Pier,” “Late Summer Rain” and other old hits."],
            ["Fans Chant “Bring Him Home” At Final"],  # a headline: someone's words
            ["Mara Lind called the album “A Long Way From Home.”"],  # a speaker: her words
        ],
    )
    assert [(q.quote_text, q.speaker_entity_id) for q in quotes] == [
        ("Bring Him Home", None),
        ("A Long Way From Home.", "mara-lind"),
    ]


@pytest.mark.parametrize(
    ("paragraphs", "speakers"),
    [
        # "and added," is no speaker phrase: the sentence's subject speaks (the word she never
        # used is a word mentioned, not her quotation)
        (
            [["Mara Lind said she never used the word “amigos” and added, “I cringe at it.”"]],
            ["mara-lind"],
        ),
        # the verb's object may be a name; an appositive may be long
        (
            [
                [
                    "Ian Moor, a lecturer in public health at a university in the north who did"
                    " not work on the study, told Newsweek: “The effect is small.”"
                ]
            ],
            ["ian-moor"],
        ),
        # a lower-case description ending in the name; an abbreviation before the name
        ([["“We will not gamble,” company CEO Ola Brandt said."]], ["ola-brandt"]),
        ([["“Justice was served,” said U.S. Attorney Erin Falk."]], ["erin-falk"]),
        # a headline: the name and a colon
        ([["Ola Brandt: “We needed this win”"]], ["ola-brandt"]),
        # the subject of the verb is in its own clause
        (
            [
                [
                    "Ola Brandt wants to leave, but Gen. Mark Holm told reporters the troops"
                    " would stay “for several more years”."
                ]
            ],
            ["mark-holm"],
        ),
    ],
)
def test_attributions_as_real_pages_write_them(lexicon: Lexicon, paragraphs, speakers):
    assert [q.speaker_entity_id for q in quotes_in(lexicon, paragraphs)] == speakers


def test_he_said_after_reported_speech_and_never_someone_quoted(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["Sen. Ben Holt met reporters on Monday."],
            ["Holt said the charges were overdue."],
            ["“Heads should have rolled the day Victor Kane died,” he said."],
            ["Mara Lind said she could not comment."],
            ["But she acknowledged that staff had made “a couple of mistakes” last year."],
        ],
    )
    assert [q.speaker_entity_id for q in quotes] == ["ben-holt", "mara-lind"]


def test_a_given_name_that_is_mostly_male_does_not_contradict_she(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [["Taylor Reese, a coach at the school, spoke first."], ["“We will win,” she said."]],
    )
    assert [q.speaker_entity_id for q in quotes] == ["taylor-reese"]


def test_he_said_does_not_reach_past_someone_the_rules_do_not_know(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["Carla Moreno, a lawyer for the family, spoke first."],
            ["Oduya asked for mercy in a letter, saying she forgave him."],
            ["She added, “We must teach love.”"],
        ],
    )
    assert [(q.quote_text, q.speaker_entity_id) for q in quotes] == [("We must teach love.", None)]


def test_of_two_people_just_named_he_is_the_one_the_sentence_is_about(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["Montell Figgins, who represents Thomas Reed, spoke after the hearing."],
            ["“It is unfair,” he said."],
        ],
    )
    assert [q.speaker_entity_id for q in quotes] == ["montell-figgins"]


def test_a_paragraph_that_is_only_a_quotation_goes_on_with_the_last_speaker(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["“We will appeal,” Ola Brandt said."],
            ["“The ruling ignores the facts.”"],
            ["Mara Lind, a juror, disagreed. “It was fair,” she said."],
        ],
    )
    assert [q.speaker_entity_id for q in quotes] == ["ola-brandt", "ola-brandt", "mara-lind"]


def test_two_people_who_spoke_together_leave_she_said_unknown(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["Anna Weber and Clara Voss, who run a bakery near the port, said trade was back."],
            ["“People trust our bread again,” she said."],
        ],
    )
    assert [q.speaker_entity_id for q in quotes] == [None]


def test_a_pronoun_before_the_verb_is_the_person_the_clause_names(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["“We stay,” Ola Brandt said."],
            ["Jonas Lind, a rival, has kept quiet since June."],
            [
                "Brandt made a similar case in an essay last year, in which he wrote that the"
                " pact was “a pillar of the alliance.”"
            ],
        ],
    )
    assert [q.speaker_entity_id for q in quotes] == ["ola-brandt", "ola-brandt"]


def test_words_quoted_three_times_with_no_speaker_are_a_name(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["The state's new slogan, “Salt. We’re on it.”, drew ridicule."],
            ["Ads reading “Salt. We're on it” ran on every bus."],
            ["Critics mocked “salt, we’re on it.” online."],
            ["“It works,” Ola Brandt said. “Salt. We’re on it.”"],
        ],
    )
    assert [(q.quote_text, q.speaker_entity_id) for q in quotes] == [
        ("It works,", "ola-brandt"),
        ("Salt. We’re on it.", "ola-brandt"),
    ]


def test_an_abbreviation_does_not_cut_the_attribution_before_a_quotation(lexicon: Lexicon):
    """ "the U.S. commander", "Gen." inside the words that introduce a quotation."""
    quotes = quotes_in(
        lexicon,
        [
            ["U.S. Army Col. Dana Whitfield commands the garrison at the border crossing."],
            ["Whitfield, the U.S. commander, said: “We do not support forced relocations.”"],
            ["Senator Omar Haddad spoke next."],
            ["Haddad, who met Gen. Whitfield on Monday, said: “The camp needs food now.”"],
        ],
    )
    assert [(q.quote_text, q.speaker_entity_id) for q in quotes] == [
        ("We do not support forced relocations.", "dana-whitfield"),
        ("The camp needs food now.", "omar-haddad"),
    ]


def test_the_governor_said_is_the_person_introduced_as_governor(lexicon: Lexicon):
    """A description names the one person the article gave that post; nobody when two share
    it, when nobody had it, or when it is a name ("the House")."""
    quotes = quotes_in(
        lexicon,
        [
            ["Hawaii Gov. Josh Green met Keoni Kahale, a fisherman from Hilo, on Monday."],
            ["Kahale asked for help with fuel costs."],
            ["“We will find the money this session,” the governor said."],
            ["Rita Okafor, the port's chief engineer, inspected the dock with her deputy."],
            ["“The pilings are older than anyone thought,” the engineer said."],
            ["“It holds for now,” the fisherman told reporters."],
            ["Lena Marsh, a state senator, and Paul Ortiz, a senator from Maui, disagreed."],
            ["“This bill is late,” the senator said."],
            ["“Nobody asked us,” the harbor master said."],
        ],
    )
    assert [(q.speaker_entity_id, q.speaker_description) for q in quotes] == [
        (None, None),  # "Gov." is not spelled "governor": no guess from an abbreviation
        ("rita-okafor", "the engineer"),
        ("keoni-kahale", "the fisherman"),
        (None, None),  # two senators
        (None, None),  # nobody was introduced as harbor master
    ]


def test_words_quoted_after_the_president_said_are_the_person_introduced_as_president(
    lexicon: Lexicon,
):
    """A fragment's subject may be a description too: the one person the article gave that
    post, and nobody when two share it."""
    quotes = quotes_in(
        lexicon,
        [
            ["Trade talks with Beijing resumed under President Mateo Ruiz this autumn."],
            ["The president said on Tuesday that China “is going to have to make a deal.”"],
            ["Lena Marsh, a state senator, and Paul Ortiz, a senator from Maui, disagreed."],
            ["The senator said the bill was “late and badly drafted by the committee.”"],
        ],
    )
    assert [(q.speaker_entity_id, q.speaker_name) for q in quotes] == [
        ("mateo-ruiz", "The president"),
        (None, None),
    ]


def test_he_after_a_subject_behind_a_role_or_a_connective(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["Dario Ortiz scored 31 points on Friday night."],
            ["Rockets guard Malik Fenton, who had praised Ortiz all week, watched from the bench."],
            ["“He changed the game for us tonight,” he said."],
            ["Coach Helen Brandt had warned the team about Ortiz before the game."],
            ["Yet Brandt stayed calm — “We knew what he could do,” she said."],
        ],
    )
    assert [(q.quote_text, q.speaker_entity_id) for q in quotes] == [
        ("He changed the game for us tonight,", "malik-fenton"),
        ("We knew what he could do,", "helen-brandt"),
    ]


def test_he_is_nobody_when_a_verb_stands_before_the_latest_name(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["Dario Ortiz scored 31 points on Friday night."],
            ["Police arrested Malik Fenton outside the arena after the game."],
            ["“It was a mistake,” he said."],
        ],
    )
    assert [(q.quote_text, q.speaker_entity_id) for q in quotes] == [("It was a mistake,", None)]


def test_the_last_speaker_named_again_as_the_subject_is_still_he(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["“We will appeal,” said Victor Alvarado, who represents Chen."],
            ["Alvarado declined to say whether Martin Cole had seen the records."],
            ["“Nobody has shown us the logs,” he said."],
        ],
    )
    assert [q.speaker_entity_id for q in quotes] == ["victor-alvarado", "victor-alvarado"]


def test_a_quotation_after_a_reported_he_said_is_the_same_speaker(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["Victor Alvarado represents one of the two guards."],
            [
                "Some staff skip the rounds when a shift runs short, he said.",
                "“Does that make them criminals?”",
            ],
            ["Some staff skip the rounds, a union leaflet said.", "“Nobody checks.”"],
        ],
    )
    assert [(q.quote_text, q.speaker_entity_id, q.attribution) for q in quotes] == [
        ("Does that make them criminals?", "victor-alvarado", "continued"),
        ("Nobody checks.", None, "none"),
    ]


def test_a_description_of_age_or_role_refers_back_to_the_person(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["Marco Bellini signed a three-year contract with the club on Wednesday."],
            ["“I am proud to be here,” the 58-year-old said."],
            ["Singer Carla Novak joined the band on stage for the encore."],
            ["“We should do this again,” the singer told the crowd."],
            ["Carla Novak and Marco Bellini left together."],
            ["“It was a good night,” the senator said."],
        ],
    )
    assert [(q.quote_text, q.speaker_entity_id) for q in quotes] == [
        ("I am proud to be here,", "marco-bellini"),
        ("We should do this again,", "carla-novak"),
        ("It was a good night,", None),  # nobody was introduced as a senator
    ]


def test_an_unnamed_source_is_no_reference_back(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["Marco Bellini met the delegation on Monday."],
            ["“No deal was reached,” the official said."],
        ],
    )
    assert [(q.quote_text, q.speaker_entity_id) for q in quotes] == [("No deal was reached,", None)]


def test_who_says_a_quotation_after_saying(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            [
                "After the vote, Mayor Ana Ruiz issued a statement about the budget, saying, "
                "“We will keep working for every family in this city.”"
            ],
            [
                "State media struck a calmer note, with one editorial saying relations were at "
                "“a dangerous low point” after the collision."
            ],
        ],
        bodies={"State media": "xinhua"},
    )
    assert [(q.quote_text, q.speaker_entity_id) for q in quotes] == [
        ("We will keep working for every family in this city.", "ana-ruiz"),
        ("a dangerous low point", None),  # the editorial's, not the state media's
    ]


def test_the_articles_she_outweighs_the_given_names_usual_gender(lexicon: Lexicon):
    # the name list has Hikmet as a man's name; the article says otherwise
    quotes = quotes_in(
        lexicon,
        [
            ["Hikmet Aydin, a member of the city council, opposed the plan."],
            ["Aydin wrote to the mayor on Tuesday, saying she would vote against it."],
            ["“This budget forgets the families who need it most,” she said."],
        ],
    )
    assert [q.speaker_entity_id for q in quotes] == ["hikmet-aydin"]


def test_an_honorific_says_who_she_cannot_be(lexicon: Lexicon):
    # Andrea is a man's or a woman's name; "Mr. Conti" settles it
    quotes = quotes_in(
        lexicon,
        [
            ["Andrea Conti, the club's director, spoke to reporters."],
            ["Mr. Conti would not say whether the coach would stay."],
            ["“We will decide in May,” she said."],
        ],
    )
    assert [q.speaker_entity_id for q in quotes] == [None]


def test_a_heading_that_repeats_a_speakers_words_is_theirs(lexicon: Lexicon):
    """Issue 26: a heading or pull quote repeats words the body quotes with a speaker: the
    same speaker (attribution ``echo``), from four words up, and nobody when two said them."""
    quotes = quotes_in(
        lexicon,
        [
            ["Tim Morrison, a former National Security Council official, testified Tuesday."],
            ["- “My fears have been realized”"],
            ["Morrison told the panel, “I feared how it would play. My fears have been realized.”"],
            ["He begged lawmakers “not to lose sight of” the war in Ukraine."],
            ["The hearing ran late into the evening."],
            ["“We will not back down”"],
            ["“We will not back down,” Senator Anna Lee said."],
            ["“We will not back down,” Governor Ravi Patel said later."],
            ["The committee adjourned."],
            ["“The Gordon problem”"],
            ["Fiona Hill, his predecessor, called it “the Gordon problem” in her notes."],
            ["“My fears have been realized,” a committee aide said."],
        ],
    )
    assert [(q.quote_text, q.speaker_entity_id, q.attribution) for q in quotes] == [
        ("My fears have been realized", "tim-morrison", "echo"),
        ("I feared how it would play. My fears have been realized.", "tim-morrison", "before"),
        ("not to lose sight of", "tim-morrison", "within"),
        ("We will not back down", None, "none"),
        ("We will not back down,", "anna-lee", "after"),
        ("We will not back down,", "ravi-patel", "after"),
        ("The Gordon problem", None, "none"),
        ("the Gordon problem", "fiona-hill", "within"),
        ("My fears have been realized,", None, "after"),  # someone unknown said them too
    ]


def test_an_attribution_that_closes_the_sentence_a_few_words_after_the_quotation(
    lexicon: Lexicon,
):
    quotes = quotes_in(
        lexicon,
        [
            ["Trade officials met in Geneva on Monday."],
            [
                "“The talks can still succeed,” the ministry's statement read on Friday, "
                "said Helen Marsh, an analyst at a Brussels research group."
            ],
            ["Ana Costa, a farmer, met the delegation."],
            [
                "“We will not wait,” Costa wrote on Sunday, telling Peter Lang that his "
                "offer had come too late."
            ],
            [
                "The phrase “lying flat” spread quickly online among young workers, "
                "said Wen Jia, a sociologist."
            ],
        ],
    )
    assert [(q.quote_text, q.speaker_entity_id, q.attribution) for q in quotes] == [
        ("The talks can still succeed,", "helen-marsh", "after"),
        ("We will not wait,", "ana-costa", "after"),
    ]


def test_a_verb_followed_by_to_and_a_verb_is_not_speech(lexicon: Lexicon):
    quotes = quotes_in(
        lexicon,
        [
            ["Streaming chief Ruth Adler spoke to investors on Thursday."],
            [
                "Engineers found the fault, Adler said, and “patched” the system as the "
                "company continued to sign up customers."
            ],
        ],
    )
    assert [(q.quote_text, q.speaker_entity_id, q.speaker_name) for q in quotes] == [
        ("patched", "ruth-adler", "Adler")
    ]


def test_words_quoted_in_a_later_clause_are_its_speakers_and_who_needs_its_person(
    lexicon: Lexicon,
):
    quotes = quotes_in(
        lexicon,
        [
            ["Union leader Maria Kovac and Transport Minister Omar Haddad met on Monday."],
            [
                "Kovac spoke about the last round of talks, when Haddad told the drivers they "
                "would have to “share the burden” of the new timetable."
            ],
            [
                "Kovac’s account follows the testimony of three drivers, including a veteran "
                "conductor who described the schedule as “dangerous, unworkable and unfair.”"
            ],
            [
                "The talks were led by Haddad, who told reporters the plan was “final and "
                "fully costed.”"
            ],
            ["Haddad said his deputy, Lena Fischer, had dubbed the plan “the quiet revolution.”"],
            # a name inside the subject's appositive is not the one speaking
            [
                "Kovac, the rival of minister Omar Haddad, said the deal was “a cynical "
                "betrayal of the drivers.”"
            ],
        ],
    )
    assert [(q.quote_text, q.speaker_entity_id) for q in quotes] == [
        ("share the burden", "omar-haddad"),
        ("dangerous, unworkable and unfair.", None),
        ("final and fully costed.", "omar-haddad"),
        ("the quiet revolution.", "lena-fischer"),
        ("a cynical betrayal of the drivers.", "maria-kovac"),
    ]


def test_words_quoted_before_an_attributed_quotation_of_the_sentence_are_its_speakers(
    lexicon: Lexicon,
):
    quotes = quotes_in(
        lexicon,
        [
            ["Senator Tom Jones and union leader Ann Smith spoke after the vote."],
            [
                "The delays have been “deeply frustrating” and, for now, “we cannot promise "
                "a date,” airline chief Petra Lindqvist said."
            ],
            ["Jones called the plan “reckless” on Monday, while “we will fight it,” Smith said."],
        ],
    )
    assert [(q.quote_text, q.speaker_entity_id) for q in quotes] == [
        ("deeply frustrating", "petra-lindqvist"),
        ("we cannot promise a date,", "petra-lindqvist"),
        ("reckless", "tom-jones"),
        ("we will fight it,", "ann-smith"),
    ]


def test_the_end_of_a_sentence_another_paragraph_holds_is_the_paragraphs_end():
    """A quotation carried over paragraphs ends in a sentence its first paragraph does not
    hold (a real page's quotation did; the rules then stopped the whole build)."""
    from flows.text.quotes import _Paragraph, _sentence_end

    paragraph = _Paragraph("First one. Second one.", ((4, 0, 9), (5, 11, 21)))
    assert _sentence_end(paragraph, 5) == 22
    assert _sentence_end(paragraph, 6) == len(paragraph.text)


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        # a later quotation that ends its sentence has no attribution after it
        (
            [
                ["Critics called the plan “reckless and unfair” and “a mistake.”"],
                ["John Smith said the vote is on Tuesday."],
            ],
            [],
        ),
        # the last verb of saying decides, not a name in a relative clause before it
        (
            [
                ["Ann Smith, a senator, spoke on Monday."],
                [
                    "Ann Smith, whom John Jones praised last year, called the result “a victory "
                    "for ordinary voters”."
                ],
            ],
            [("a victory for ordinary voters", "ann-smith")],
        ),
        # a slogan, a term or a title opening the sentence is not the closing speaker's
        (
            [["“We will win” was Mary Jones's message to voters, John Smith said."]],
            [("We will win", None)],
        ),
        (
            [["“Oppenheimer” won seven Oscars on Sunday, said John Smith, a critic."]],
            [("Oppenheimer", None)],
        ),
        # the fragment's own verb of saying keeps it from the later attribution
        (
            [["Opponents called the plan “reckless,” but “it will pass easily,” John Smith said."]],
            [("it will pass easily,", "john-smith")],
        ),
    ],
)
def test_attributions_that_must_not_reach_a_quotation(lexicon: Lexicon, paragraphs, expected):
    quotes = quotes_in(lexicon, paragraphs)
    assert [(q.quote_text, q.speaker_entity_id) for q in quotes] == expected


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        # words a noun names, with nobody said to speak them: a name, not a quotation
        (
            [
                [
                    "The state launched an anti-drug campaign on Monday with the slogan "
                    "“Meth, we’re on it.”"
                ]
            ],
            [],
        ),
        (
            [["Critics recalled the state’s failed “Don’t Jerk and Drive” campaign from 2014."]],
            [],
        ),
        (
            [["The paper ran the story under the headline “Storm batters the coast again.”"]],
            [],
        ),
        (
            [["Supporters marched behind the motto: “No taxes on the farm, not one cent.”"]],
            [],
        ),
        # the same nouns beside words someone is said to speak: a quotation
        (
            [["“We need everyone on it,” Ann Smith said of the campaign."]],
            [("We need everyone on it,", "ann-smith")],
        ),
        (
            [
                [
                    "“Everyone in the state has to help with this problem.”",
                    "Campaign officials said the advertisements would run for a year.",
                ]
            ],
            [("Everyone in the state has to help with this problem.", None)],
        ),
    ],
)
def test_words_a_slogan_or_a_campaign_names_are_no_quotation(
    lexicon: Lexicon, paragraphs, expected
):
    quotes = quotes_in(lexicon, paragraphs)
    assert [(q.quote_text, q.speaker_entity_id) for q in quotes] == expected


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        # a few words mentioned as a term or a nickname, whoever the sentence names
        ("Ann Smith said she never used the term “three amigos” in the talks.", []),
        ("The three envoys were known as the “Three Amigos.”", []),
        ("Ann Smith was nicknamed “the Iron Lady” by her rivals.", []),
        # more words than a term, and someone said to speak them: her quotation
        (
            "Ann Smith used the phrase “we will not give up the farm for a trade deal” twice.",
            ["we will not give up the farm for a trade deal"],
        ),
    ],
)
def test_words_mentioned_as_a_term_or_a_nickname_are_no_quotation(
    lexicon: Lexicon, sentence: str, kept: list[str]
):
    assert [q.quote_text for q in quotes_in(lexicon, [[sentence]])] == kept


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        # a name after the verb ends where "of" begins
        (
            [
                [
                    "“The reef is recovering faster than we hoped,” said marine biologist Tomas "
                    "Berg of the University of Oslo."
                ]
            ],
            [("The reef is recovering faster than we hoped,", "tomas-berg", "after")],
        ),
        # "said the head of the agency": no name before "of", no speaker cut short
        (
            [["“The reef is recovering faster than we hoped,” said the head of the agency."]],
            [("The reef is recovering faster than we hoped,", None, "after")],
        ),
        # an appositive that holds commas of its own
        (
            [
                [
                    "“We did not expect the galaxies to flatten so early,” Priya Raman, a "
                    "researcher at the Carnegie Institution in Pasadena, California, and lead author "
                    "of the paper, said in a statement."
                ]
            ],
            [("We did not expect the galaxies to flatten so early,", "priya-raman", "after")],
        ),
        # roles listed with commas before the name, then where it was said
        (
            [
                [
                    "“Our second quarter was weaker than we planned for,” chairman, CEO and founder "
                    "Hannah Ortiz said in the earnings release."
                ]
            ],
            [("Our second quarter was weaker than we planned for,", "hannah-ortiz", "after")],
        ),
        # doubled single marks are a quotation's marks
        (
            [["‘‘We will finish the bridge by spring,’’ said Mayor Elena Voss."]],
            [("We will finish the bridge by spring,", "elena-voss", "after")],
        ),
    ],
)
def test_attributions_after_a_quotation_past_an_appositive_a_role_or_an_of(
    lexicon: Lexicon, paragraphs, expected
):
    quotes = quotes_in(lexicon, paragraphs)
    assert [(q.quote_text, q.speaker_entity_id, q.attribution) for q in quotes] == expected


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        # a participle of saying: the clause's subject speaks
        (
            [
                ["Ambassador Chen Wei met reporters in London on Monday."],
                [
                    "Chen said troops could be sent in, warning: “We will not stand by and watch "
                    "the city burn.”"
                ],
            ],
            [("We will not stand by and watch the city burn.", "chen-wei")],
        ),
        # a participle that is no saying ("adding to fears"): nobody
        (
            [
                ["Ambassador Chen Wei met reporters in London on Monday."],
                [
                    "Share prices fell again, adding to fears: “The worst is yet to come for the "
                    "city's traders.”"
                ],
            ],
            [("The worst is yet to come for the city's traders.", None)],
        ),
        # the subject of the clause nearest the verb, not the sentence's
        (
            [
                ["Prime Minister Rosa Lind spoke in Leeds."],
                [
                    "The crowd cheered when she urged voters, “Look at what we have already "
                    "built together.”"
                ],
            ],
            [("Look at what we have already built together.", "rosa-lind")],
        ),
    ],
)
def test_a_participle_or_a_subordinate_clause_before_a_quotation(
    lexicon: Lexicon, paragraphs, expected
):
    quotes = quotes_in(lexicon, paragraphs)
    assert [(q.quote_text, q.speaker_entity_id) for q in quotes] == expected


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        # a role the article never gave anyone refers back to the last speaker when nobody
        # was named since
        (
            [
                ["Mira Dane was voted off the show on Monday."],
                ["“We lost something precious this week,” Dane said."],
                ["“It brings you closer together,” said the actor."],
            ],
            [
                ("We lost something precious this week,", "mira-dane"),
                ("It brings you closer together,", "mira-dane"),
            ],
        ),
        # ... not when the writer's own sentence stands between the two quotations
        (
            [
                ["Mira Dane was voted off the show on Monday."],
                ["“We lost something precious this week,” Dane said."],
                ["Ratings for the season fell by a third."],
                ["“It was a difficult season for everyone,” said the producer."],
            ],
            [
                ("We lost something precious this week,", "mira-dane"),
                ("It was a difficult season for everyone,", None),
            ],
        ),
        # ... and to nobody when others were named in between
        (
            [
                ["Mira Dane was voted off the show on Monday."],
                ["“We lost something precious this week,” Dane said."],
                ["The judges, Carl Brandt and Lena Hoff, praised both dancers."],
                ["“It brings you closer together,” said the actor."],
            ],
            [
                ("We lost something precious this week,", "mira-dane"),
                ("It brings you closer together,", None),
            ],
        ),
        # an age describes the article's lead where two were named just before
        (
            [
                ["Ana Ferreira agrees deal to replace Tomas Kral as coach"],
                ["Ana Ferreira has agreed a deal to replace Tomas Kral as the club's coach."],
                ["Talks between the club and Ferreira's agents went on into Tuesday night."],
                ["The 48-year-old said: “I am proud to join a club with such a history.”"],
            ],
            [("I am proud to join a club with such a history.", "ana-ferreira")],
        ),
        # ... not when the latest sentence names the other one too (or alone)
        (
            [
                ["Rafael Nadal loses Madrid final to Carlos Alcaraz"],
                ["Rafael Nadal lost the Madrid final to Carlos Alcaraz on Sunday."],
                ["In the second set, Alcaraz broke serve twice against Nadal."],
                ["The 20-year-old said: “It is a dream to win a title here.”"],
            ],
            [("It is a dream to win a title here.", None)],
        ),
    ],
)
def test_a_role_or_an_age_refers_back_to_one_person_or_to_nobody(
    lexicon: Lexicon, paragraphs, expected
):
    quotes = quotes_in(lexicon, paragraphs)
    assert [(q.quote_text, q.speaker_entity_id) for q in quotes] == expected


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        # a name right after "for" or "such as" is someone else's
        ("Lawyers for Jane Holt said: “Our clients will appeal the ruling.”", None),
        ("European leaders such as Angela Merkel said: “The deal must be respected.”", None),
        # ... with a post's words between, the name is the post's holder, who speaks
        (
            "Ambassador to the United Nations Nikki Haley said: “The deal must be respected.”",
            "nikki-haley",
        ),
        (
            "“The deal must be respected by all,” said Special Envoy for Syria James Jeffrey.",
            "james-jeffrey",
        ),
    ],
)
def test_a_name_in_a_speaker_phrase_speaks_unless_it_is_the_phrases_object(
    lexicon: Lexicon, sentence: str, speaker: str | None
):
    quotes = quotes_in(lexicon, [[sentence]])
    assert [q.speaker_entity_id for q in quotes] == [speaker]
