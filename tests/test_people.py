"""People in an article (flows/text/people.py): the cues of news writing and the traps of issue 11,
with the lexicon built from the project's own seeds."""

from __future__ import annotations

import pytest

from flows.text.people import Lexicon, Sentence, find_people, person_id, slug


def people_in(lexicon: Lexicon, *sentences: str) -> list[tuple[int, str, str]]:
    """(sentence index, name as written, entity id) of every person mention."""
    found = find_people([Sentence(i, s) for i, s in enumerate(sentences)], lexicon)
    return [(m.sentence_index, m.name, m.entity_id) for m in found]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # cues: a title, an attribution verb, an appositive, a given name, a family name first
        ("Japanese Foreign Minister Takeshi Iwaya arrived.", [("Takeshi Iwaya", "takeshi-iwaya")]),
        ("The talks went well, said Ian Chong.", [("Ian Chong", "ian-chong")]),
        (
            "Stephen Nagy, a professor at a university in Tokyo, disagreed.",
            [("Stephen Nagy", "stephen-nagy")],
        ),
        ("Foreign Minister Cho Tae-yul spoke.", [("Cho Tae-yul", "cho-tae-yul")]),
        # a family name first, then a given name of a family-name-first country
        ("Liu He will travel to Washington next week.", [("Liu He", "liu-he")]),
        ("Nguyen Phu Trong led the party.", [("Nguyen Phu Trong", "nguyen-phu-trong")]),
        # a possessive before an institution's word: the person's office, not its name
        (
            "Public Ombudsman Nadia Cruz’s office said the deaths were caused by gunshots.",
            [("Nadia Cruz", "nadia-cruz")],
        ),
        (
            "Lt. Gen. James R. Calloway Jr., the commander, said so.",
            [("James R. Calloway Jr", "james-calloway-jr")],
        ),
        # a curated person behind a title or a variant of the name
        ("US President Donald J. Trump spoke.", [("Donald J. Trump", "donald-trump")]),
        ("President Ferdinand Marcos Jr. spoke.", [("Ferdinand Marcos Jr", "ferdinand-marcos-jr")]),
        # a curated surname that stands alone ("Trump"), inside a phrase too
        ("The incoming Trump administration will act.", [("Trump", "donald-trump")]),
        # the traps: a country or capital word inside a person's name is the person
        (
            "Michael Jordan, a spokesperson for the group, said so.",
            [("Michael Jordan", "michael-jordan")],
        ),
        ("Chad Hull, 37, was arrested.", [("Chad Hull", "chad-hull")]),
        # capitalised non-people are never persons
        ("Hong Kong marked Lunar New Year in style.", []),
        ("The Peterson Institute for International Economics and the Democratic Party agreed.", []),
        ("The ministry said Tuesday that talks would resume.", []),
        ("DES MOINES, Iowa — Farmers waited.", []),
        ("The Sierra Madre is badly corroded.", []),
        ("Officials met in Mong Kok and in the northern province of Yen Bai.", []),
        ("Southeast Asian diplomats said so.", []),
        # a syllable given as a name only where the family name comes first is no given name
        # at the start of a run ("Goo", "Bon")
        (
            "He worked with producer John Shanks (Bon Jovi, Goo Goo Dolls) on the record.",
            [("John Shanks", "john-shanks")],
        ),
        ("They toured Ha Long Bay and met in Ha Long on Friday.", []),
    ],
)
def test_who_is_a_person(lexicon: Lexicon, sentence: str, expected: list[tuple[str, str]]):
    assert [(name, entity) for _, name, entity in people_in(lexicon, sentence)] == expected


def test_a_surname_resolves_to_the_person_named_in_full_before_it(lexicon: Lexicon):
    """An article about Cho Tae-yul counts no curated Cho; the same man written given name
    first is the same person; a later bare "Cho" is him."""
    found = people_in(
        lexicon,
        "Former South Korean Foreign Minister Cho Tae-yul spoke in Tokyo.",
        "Cho said the three countries had built a lasting architecture.",
        "Tae-yul Cho, as his English byline reads, added more.",
    )
    assert {entity for _, _, entity in found} == {"cho-tae-yul"}
    assert [name for _, name, _ in found] == ["Cho Tae-yul", "Cho", "Tae-yul Cho"]


def test_a_bare_surname_is_the_most_recent_person_of_that_name(lexicon: Lexicon):
    found = people_in(
        lexicon,
        "President Lee Jae-myung met Professor Lee Soo-jin.",
        "Lee said it was too early.",
    )
    assert found[-1] == (1, "Lee", "lee-soo-jin")


def test_a_curated_surname_counts_only_after_the_full_name_unless_it_stands_alone(
    lexicon: Lexicon,
):
    assert people_in(lexicon, "President Xi spoke first.") == []
    assert people_in(lexicon, "Xi Jinping arrived.", "Xi said little.")[-1][2] == "xi-jinping"


def test_the_stated_role_is_the_appositive_or_else_the_title(lexicon: Lexicon):
    found = find_people(
        [
            Sentence(0, "Japanese Foreign Minister Takeshi Iwaya arrived."),
            Sentence(
                1,
                "Ian Chong, a political scientist at the National University of Singapore, said so.",
            ),
            Sentence(2, "Hong Kong leader John Lee spoke."),
            Sentence(3, "Secretary of State Marco Rubio spoke."),
            # as written, abbreviations with their points: a role is pasted into the seeds
            # from `newswatch people` ("Okinawa Gov", "S. President" once)
            Sentence(4, "Alaska Gov. Mike Dunleavy vetoed the bill on Monday."),
            Sentence(5, "U.S. Ambassador Caroline Kennedy arrived in Canberra."),
            Sentence(6, "Maj. Gen. Patrick Ryder briefed reporters."),
            Sentence(7, "Health Minister Mark Butler, in Perth, said so."),
        ],
        lexicon,
    )
    roles = {m.entity_id: m.stated_role for m in found}
    assert roles == {
        "takeshi-iwaya": "Japanese Foreign Minister",
        "ian-chong": "a political scientist at the National University of Singapore",
        "john-lee": "Hong Kong leader",
        "marco-rubio": "Secretary of State",
        "mike-dunleavy": "Alaska Gov.",
        "caroline-kennedy": "U.S. Ambassador",
        "patrick-ryder": "Maj. Gen.",
        "mark-butler": "Health Minister",
    }


def test_a_mention_is_placed_on_the_tokens_the_sql_matcher_counts(lexicon: Lexicon):
    (mention,) = find_people([Sentence(4, "On Tuesday, U.S.-born Ian Chong spoke.")], lexicon)
    # tokens: On Tuesday U S born Ian Chong spoke
    assert (mention.token_position, mention.token_count) == (6, 2)
    assert mention.name == "Ian Chong" and mention.gender == "male"


def test_ids_follow_the_seeds_slug_rule_and_step_around_curated_ids(lexicon: Lexicon):
    assert slug("Hélène Tran") == "helene-tran"
    assert slug("Cho Tae-yul") == "cho-tae-yul"
    assert person_id("Ian Chong", lexicon) == "ian-chong"
    assert person_id("Jordan", lexicon) == "jordan-2"  # a curated country's id is taken
    # one person across articles, with or without the middle initial
    assert person_id("Michael R. Bloomberg", lexicon) == "michael-bloomberg"
    assert person_id("Michael Bloomberg", lexicon) == "michael-bloomberg"
    assert person_id("Patrick W. Carlineo Jr.", lexicon) == "patrick-carlineo-jr"
    # initials and a single word are the whole name
    assert person_id("J. K. Rowling", lexicon) == "j-k-rowling"


def test_seed_rows_for_new_people_have_the_seeds_columns():
    """`newswatch people --seed-rows` prints rows to paste into the seeds: each row has as many
    fields as the seed's header, so dbt seed reads them (a column added to a seed must be
    added here too)."""
    import csv
    import io
    from datetime import UTC, datetime

    from flows.readers.new_people import NewPerson, seed_rows
    from tests.conftest import SEEDS

    person = NewPerson(
        "maria-van-der-berg",
        "María van der Berg",
        "a port official",
        3,
        2,
        ("harbor-wire",),
        datetime(2026, 11, 20, tzinfo=UTC),
        False,
    )
    for name, text in zip(("entities", "entity_aliases"), seed_rows([person]), strict=True):
        header = (SEEDS / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows and all(len(row) == len(header) for row in rows), (name, header, rows)


@pytest.mark.parametrize(
    ("sentences", "expected"),
    [
        # words of companies, venues and places (seeds/not_person_words) end a "person"
        (["Dana Whitfield Productions signed the deal, said Mara Lind."], ["mara-lind"]),
        (["Tickets for Harmony Amphitheatre sold out, said Mara Lind."], ["mara-lind"]),
        (["Crowds filled San Antonio on Friday night."], []),
        # an interjection before a name is no part of it
        (["“Hey Netflix, fix the app,” wrote Lena Moritz."], ["lena-moritz"]),
        # a name that is all there is between quotation marks is a title
        (["The band closed with “Martha My Dear” and left."], []),
        (["Critics loved “Julia Rising,” the director told Omar Castell."], ["omar-castell"]),
    ],
)
def test_names_of_things_are_not_persons(lexicon: Lexicon, sentences, expected):
    assert [entity for _, _, entity in people_in(lexicon, *sentences)] == expected


def test_a_surname_of_two_words_is_the_person_named_in_full(lexicon: Lexicon):
    found = people_in(
        lexicon,
        "Sara Lund Berg, a midfielder, scored twice.",
        "“It felt easy,” Lund Berg said.",
    )
    assert found == [(0, "Sara Lund Berg", "sara-lund-berg"), (1, "Lund Berg", "sara-lund-berg")]


def test_a_name_with_an_initial_or_a_suffix_more_is_the_same_person(lexicon: Lexicon):
    found = people_in(
        lexicon,
        "Robert Hale Jr. was charged in March.",
        "A judge said Robert T. Hale would be sentenced in June.",
    )
    assert {entity for _, _, entity in found} == {"robert-hale-jr"}
    # a different given name is a different person
    found = people_in(lexicon, "Robert Hale Jr. was charged.", "Susan Hale said nothing.")
    assert [entity for _, _, entity in found] == ["robert-hale-jr", "susan-hale"]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a country, demonym or place before a name is not part of it
        ("Canadian Lena Moritz was freed on Monday.", ["lena-moritz"]),
        ("The envoy to Norway Helga Strand arrived late, she said.", ["helga-strand"]),
        # ... unless the name would be one word: a given name that is a country
        ("Jordan Henderson, 33, scored.", ["jordan-henderson"]),
        # after a verb that takes an object, a name is the object, not a speaker
        ("She accused Blue Rock of stalling.", []),
        ("The insurgents told Agence Nord about it.", []),
        ("“Enough,” said Ola Brandt.", ["ola-brandt"]),
    ],
)
def test_what_stands_around_a_name(lexicon: Lexicon, sentence: str, expected: list[str]):
    assert [entity for _, _, entity in people_in(lexicon, sentence)] == expected


def test_a_short_form_of_the_given_name_is_the_same_person(lexicon: Lexicon):
    found = people_in(
        lexicon,
        "Patrick Dunmore Jr. was charged in May.",
        "Friends of Pat Dunmore, 40, said he was shy.",
    )
    assert {entity for _, _, entity in found} == {"patrick-dunmore-jr"}


def test_a_full_name_whose_surname_alone_later_speaks_is_a_person(lexicon: Lexicon):
    """News copy names someone in full once, with no title or verb, then writes "Surname
    said": the full name is a person, and the later surname is them."""
    found = people_in(
        lexicon,
        "To Quillon Ottaway, records are a side effect.",
        "“I thought he was joking,” Ottaway said.",
    )
    assert found == [
        (0, "Quillon Ottaway", "quillon-ottaway"),
        (1, "Ottaway", "quillon-ottaway"),
    ]
    # a body that speaks ("the Wexcombe said") makes no person of a run ending in its word
    assert (
        people_in(
            lexicon,
            "Investors left Brennic Wexcombe on Sunday.",
            "The Wexcombe said it would reopen.",
        )
        == []
    )
    # without a later "Surname said" nothing says the run is a person
    assert people_in(lexicon, "To Quillon Ottaway, records are a side effect.") == []


@pytest.fixture(scope="module")
def spanish():
    """The Spanish lexicon as int_persons__mentioned builds it: its own cues (person_cues),
    its verbs (quote_cues), its aliases beside the English ones."""
    from tests.conftest import seed_lexicon

    return seed_lexicon("es")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a role before the name, a verb whose subject follows it, an appositive, "según"
        ("La investigadora Ana Beltrán lo resume en una frase.", ["Ana Beltrán"]),
        (
            "«No hay margen», advirtió Tomás Irigoyen, economista de un banco de inversión.",
            ["Tomás Irigoyen"],
        ),
        ("Jorge Salcedo, un pescador de Puerto Madero, mostró las redes rotas.", ["Jorge Salcedo"]),
        ("Según Elena Vidal, la cifra es récord.", ["Elena Vidal"]),
        # no cue: two capitalized words alone say nothing
        ("Puerto Madero amaneció en calma.", []),
        # organizations, places and sentence openers are no one
        ("El Gobierno de México anunció nuevas medidas.", []),
        ("En Tijuana, las fábricas ya notan el cambio, dijo el portavoz.", []),
        ("El Banco de España publicó su informe, señaló el Ministerio de Comercio.", []),
        ("La Guardia Costera japonesa explicó que los buques entraron en la zona.", []),
    ],
)
def test_who_is_a_person_in_spanish(spanish: Lexicon, sentence: str, expected: list[str]):
    found = find_people([Sentence(0, sentence)], spanish)
    assert [m.name for m in found if not m.is_curated] == expected


def test_a_spanish_person_keeps_the_id_rule_and_the_role_the_article_gives(spanish: Lexicon):
    found = find_people(
        [
            Sentence(0, "«Es un paso atrás», afirmó Lucía Peñalver, portavoz de la cooperativa."),
            Sentence(1, "Peñalver añadió que esperan una respuesta."),
        ],
        spanish,
    )
    assert [(m.name, m.entity_id, m.match_type) for m in found] == [
        ("Lucía Peñalver", "lucia-penalver", "name"),
        ("Peñalver", "lucia-penalver", "surname"),
    ]
    assert found[0].stated_role == "portavoz de la cooperativa"


def test_english_reads_only_its_own_cues(lexicon: Lexicon, spanish: Lexicon):
    assert "según" not in lexicon.according_to and "según" in spanish.according_to
    assert "portavoz" in spanish.titles and "portavoz" not in lexicon.titles


@pytest.mark.parametrize(
    "sentence",
    [
        # wire credits, an agency's contributors, a byline, a newsroom's contact line
        "(Reporting by Dana Whitcombe and Omar Farouk; Editing by Lena Marsh)",
        "Additional reporting by Priya Raman in Mumbai.",
        "Associated Press writers Kevin Ostrow and Maria Delgado contributed to this report.",
        "Tomás Ruiz contributed reporting from Caracas.",
        "By Helen Oduya | Staff Writer",
        "— By Grant Whitley and Sofia Marr",
        "Write to Peter Lindqvist at peter.lindqvist@example.com",
        "Sara Bellamy may be reached at sbellamy@example.com.",
    ],
)
def test_a_credit_line_names_no_person(lexicon: Lexicon, sentence: str):
    """A credit line's names are the journalists', not people in the news (seed
    person_cues, kind credit)."""
    assert people_in(lexicon, sentence) == []


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # "By" before a day or a lower-case word opens news, not a byline
        ("By Tuesday, Senator Rachel Obuya had said no.", ["Rachel Obuya"]),
        ("By contrast, Mayor Ivan Petrak said the plan would work.", ["Ivan Petrak"]),
        # "reporting" and "write" in news sentences
        ("Governor Alan Reyes said the reporting was wrong.", ["Alan Reyes"]),
        ("Senator Lucia Ferrante urged voters to write to Congress.", ["Lucia Ferrante"]),
    ],
)
def test_news_sentences_with_credit_words_keep_their_people(
    lexicon: Lexicon, sentence: str, expected: list[str]
):
    assert [name for _, name, _ in people_in(lexicon, sentence)] == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a describing compound before the given name is not part of the name
        (
            "Singer-guitarists Tom Johnston and Patrick Simmons will tour.",
            ["Tom Johnston", "Patrick Simmons"],
        ),
        (
            "Co-founders Maria Ostrova and Ken Adebayo left the firm.",
            ["Maria Ostrova", "Ken Adebayo"],
        ),
        # a hyphenated name stays whole
        ("Rep. Alexandria Ocasio-Cortez spoke.", ["Alexandria Ocasio-Cortez"]),
        ("Foreign Minister Cho Tae-yul spoke.", ["Cho Tae-yul"]),
    ],
)
def test_a_describing_compound_is_not_part_of_the_name(
    lexicon: Lexicon, sentence: str, expected: list[str]
):
    assert [name for _, name, _ in people_in(lexicon, sentence)] == expected


def test_words_of_page_furniture_glued_together_are_cut_apart(lexicon: Lexicon):
    found = find_people(
        [
            Sentence(0, "Related coverage: Gov. Ron DeSantisTwitter Share Facebook."),
            Sentence(1, "Karen MacArthur and Ronald McDonald met on Tuesday."),
            Sentence(2, "Read more: Sen. Nancy PelosiNancy PelosiMore stories from the Hill."),
            Sentence(3, "Kevin LeBlanc, a spokesman for the union, said so."),
            Sentence(4, "She stayed at the WoodSpring Suites hotel near Spring Hill."),
        ],
        lexicon,
    )
    assert [(m.name, m.entity_id) for m in found] == [
        ("Ron DeSantis", "ron-desantis"),
        ("Karen MacArthur", "karen-macarthur"),
        ("Ronald McDonald", "ronald-mcdonald"),
        ("Nancy Pelosi", "nancy-pelosi"),
        ("Nancy Pelosi", "nancy-pelosi"),
        ("Kevin LeBlanc", "kevin-leblanc"),
    ]


def test_a_middle_name_more_or_less_is_the_same_person(lexicon: Lexicon):
    found = find_people(
        [
            Sentence(0, "Montana Gov. Greg Gianforte signed the bill."),
            Sentence(1, "Greg Richard Gianforte, as the order names him, said it was overdue."),
            Sentence(2, "Anna Maria Keller met Anna Keller's lawyer, Tom Beck, on Friday."),
            Sentence(3, "Gianforte said the state would appeal."),
        ],
        lexicon,
    )
    assert [(m.name, m.entity_id) for m in found] == [
        ("Greg Gianforte", "greg-gianforte"),
        ("Greg Richard Gianforte", "greg-gianforte"),
        ("Anna Maria Keller", "anna-maria-keller"),
        ("Anna Keller", "anna-maria-keller"),
        ("Tom Beck", "tom-beck"),
        ("Gianforte", "greg-gianforte"),
    ]


def test_a_headline_in_title_case_names_no_new_person(lexicon: Lexicon):
    found = find_people(
        [
            Sentence(0, "Maya Rudolph Joins Cast Of Netflix Comedy Special Next Spring"),
            Sentence(1, "Rudolph joined the cast on Monday, the studio said."),
            Sentence(2, "Maya Rudolph will film in Atlanta."),
            Sentence(3, "— Dana Whitfield (@danawhit) March 3, 2020"),  # a tweet's signature
        ],
        lexicon,
    )
    assert sorted({(m.sentence_index, m.entity_id) for m in found}) == [
        (2, "maya-rudolph"),
        (3, "dana-whitfield"),
    ]


def test_a_name_before_a_place_word_is_the_places_in_the_whole_article(lexicon: Lexicon):
    found = find_people(
        [
            Sentence(0, "Linda Vista residents said the road flooded twice this year."),
            Sentence(1, "Linda Vista police closed it on Monday."),
            Sentence(2, "Officers took the driver to Walter Reed hospital."),
            Sentence(3, "The Dana Whitfield campaign said Dana Whitfield would visit."),
        ],
        lexicon,
    )
    assert {m.entity_id for m in found} == {"dana-whitfield"}


def test_a_given_name_the_writer_set_in_parentheses_names_the_person(lexicon: Lexicon):
    found = find_people(
        [
            Sentence(0, "“Coach (Sandra) Okafor told us to keep shooting,” Marta Ruiz said."),
            Sentence(1, "Okafor said the team had earned the rest."),
            Sentence(2, "The (Jackson) Sun first reported the signing."),
            Sentence(3, "Fans in (Austin) Texas cheered."),
        ],
        lexicon,
    )
    assert [(m.sentence_index, m.name, m.entity_id, m.full_name) for m in found] == [
        (0, "(Sandra) Okafor", "sandra-okafor", "Sandra Okafor"),
        (0, "Marta Ruiz", "marta-ruiz", "Marta Ruiz"),
        (1, "Okafor", "sandra-okafor", "Sandra Okafor"),
    ]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # given names the name list does not hold: the role is the only cue
        ("Celtics great Tacko Fall signed autographs.", ["tacko-fall"]),
        (
            "Pop star Doja Ray and Clippers guard Kawhi Leonard were there.",
            ["doja-ray", "kawhi-leonard"],
        ),
        ("Club legend Lamelo Okafor unveiled the statue.", ["lamelo-okafor"]),
    ],
)
def test_a_role_of_sport_or_fame_before_a_name_is_a_title(
    lexicon: Lexicon, sentence: str, expected: list[str]
):
    assert [entity_id for _, _, entity_id in people_in(lexicon, sentence)] == expected


def test_a_family_name_first_with_given_names_of_its_country_is_the_surname(lexicon: Lexicon):
    assert people_in(
        lexicon,
        "Zhou Jianguo, a virologist at a Beijing hospital, wrote that the cases were verified.",
        "Zhou said the patients were isolated.",
    ) == [(0, "Zhou Jianguo", "zhou-jianguo"), (1, "Zhou", "zhou-jianguo")]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Hans-Peter Brandt beat Karl-Heinz Weber in straight sets.",
            ["hans-peter-brandt", "karl-heinz-weber"],
        ),
        # compounds that are not two given names stay things or places
        ("Shares of Rolls-Royce Holdings fell.", []),
        ("The Harley-Davidson Motor plant reopened.", []),
    ],
)
def test_a_compound_of_two_given_names_is_a_given_name(
    lexicon: Lexicon, sentence: str, expected: list[str]
):
    assert [entity_id for _, _, entity_id in people_in(lexicon, sentence)] == expected


@pytest.mark.parametrize(
    ("sentences", "expected"),
    [
        # a quotation's closing mark and comma end the phrase: "in," is no place before a name
        (
            ("“Numbers like these are what we put in,” Maria Gonzalez, a fellow, said.",),
            [(0, "Maria Gonzalez", "maria-gonzalez")],
        ),
        # a first word no list knows, never written in lower case, and the surname said later
        (
            (
                "Oyewale Adeyemi did not expect the candidate at the breakfast.",
                "“He has me thinking now,” said Adeyemi.",
            ),
            [(0, "Oyewale Adeyemi", "oyewale-adeyemi"), (1, "Adeyemi", "oyewale-adeyemi")],
        ),
        # ... but a word the article writes in lower case is sentence case, not a given name
        (
            (
                "Students Adeyemi taught gathered at the gate.",
                "“He has me thinking now,” said Adeyemi.",
                "The students cheered.",
            ),
            [],
        ),
        # ... nor a word of a kind of person, nor a surname someone already has
        (
            (
                "Sophomore Adeyemi threw three touchdowns on Saturday.",
                "“We played well,” said Adeyemi.",
            ),
            [],
        ),
        (
            (
                "Senator Ann Jones of Ohio opposed the bill on Tuesday.",
                "Conservative Jones has long opposed such measures.",
                "“This is a bad law,” Jones said.",
            ),
            [(0, "Ann Jones", "ann-jones"), (2, "Jones", "ann-jones")],
        ),
        # a position of sport before the name is its title
        (
            ("Jets QB Darnell Okafor threw for 300 yards.",),
            [(0, "Darnell Okafor", "darnell-okafor")],
        ),
        # a market code glued to its digit
        (("Brent LCOc1 was last at $60.73, down 2.74% on the day.",), []),
        # an appositive that names an operation or a company, not a post
        (
            (
                "Northern Shield, the Canadian military operation in the Arctic, said the "
                "flights would go on.",
            ),
            [],
        ),
        # a name before a company's word is the company's in the whole article
        (
            (
                "Contracts went to Blue Origin, Stella Maris Corporation and SpaceX.",
                "“Stella Maris and SpaceX are the big players,” she said.",
            ),
            [],
        ),
        # ... unless a verb of saying makes it a person's there
        (
            (
                "Shares of Ralph Lauren Corp rose 4% on Tuesday.",
                "“We had a good year,” Ralph Lauren said.",
            ),
            [(1, "Ralph Lauren", "ralph-lauren")],
        ),
        # ... but a foundation's or a centre's name is often a person's
        (
            (
                "The Ruth Calder Foundation funds the school.",
                "Ruth Calder said the school would open in May.",
            ),
            [(1, "Ruth Calder", "ruth-calder")],
        ),
    ],
)
def test_real_page_traps_of_the_name_finder(lexicon: Lexicon, sentences, expected):
    assert people_in(lexicon, *sentences) == expected


def test_a_post_is_no_name(lexicon: Lexicon):
    # "said Special Envoy …": a run that ends in a title and opens on no given name
    assert people_in(lexicon, "“We are close,” said Special Envoy for Syria James Jeffrey.") == [
        (0, "James Jeffrey", "james-jeffrey")
    ]
    # a surname that is a title's word stays a person's
    assert people_in(lexicon, "“We lost,” said Erik Prince.") == [(0, "Erik Prince", "erik-prince")]
