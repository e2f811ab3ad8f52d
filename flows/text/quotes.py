"""Direct quotations in an article and who said them. English news-writing cues only.

A quotation is the text between an opening and its closing quotation mark (curly or
straight double quotes, a straight mark closing what a curly one opened and the reverse). It
may run over several sentences, and over paragraphs when a paragraph ends inside it and the
next one opens with a quotation mark again (the wire convention). Three or fewer words in
quotation marks with no attribution are scare quotes, terms or titles, not quotations; so are words
in title case with no speaker inside a writer's sentence ("Listen To The Music"), and the same
words quoted three times or more with no speaker (a campaign's slogan). A quotation
is a *fragment* when its words are set inside a sentence of the writer's ("urged Tokyo to
“calibrate its strategic perception”").

The speaker comes from the attribution next to the quotation: after it ("…,” Iwaya said;
said Iwaya; the ministry said in a statement) or before it (Iwaya said: “…”). A pronoun
("he said") is the person who spoke last (quoted, or reported: "Sasse said the charges were
overdue"), or the one person just named, or of two just named the one who opens the sentence
alone, when that is unambiguous and the pronoun's gender does not contradict the given name;
a person named inside quoted words is never a candidate, and a pronoun does not reach back
past someone the rules do not know ("Omar asked …"); otherwise the speaker is unknown, never
guessed. A quotation with no attribution of its own that follows another in the same
paragraph, or that is a paragraph of its own right after a known person's quotation, has the
same speaker. Paraphrase ("according to X, …") has no quotation marks and is not a quote.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from flows.core.records import Quotation
from flows.text.people import FUNCTION_WORDS, PRONOUN_GENDER, PersonMention

# quotes-2: the real-page rules of issue 26; 3: SCARE_QUOTE_WORDS; 4: an abbreviation ("the
# U.S. commander") does not end the clause of an attribution; 5: "the governor said" is the one
# person introduced as governor; 6: a sentence's subject after a connective or a role, a
# quotation after a reported "…, he said.", descriptions of age or role as "he" (a new version
# re-derives the history: dbt_project.yml's derivation_rules must say it too); 7: the gender
# an article gives a person (an honorific, "…, saying she …") outweighs the given name's; 8: a
# word or two quoted before the noun they qualify are a scare quote ("the “interim” government");
# a fragment's subject may be a description ("The president said … “…”"); 9: the attribution
# that closes a quotation's sentence a few words after it ("…” announced in October, said
# Scissors"), "continued to" and its like followed by a verb are not speech; words quoted in a
# later clause are its speaker's ("… when Sondland told them to “deliver”"), "who" needs its person;
# 10: words mentioned, not spoken (a slogan, a term, a nickname); 11: a speaker after the verb
# up to "of" ("said geologist Rosaly Lopes of NASA"), an appositive with commas of its own, where
# and how it was said after a closing attribution ("…, Menear said in the release."), a
# participle of saying before the quotation ("…, warning: “…”") speaks for the clause's
# subject, the subject nearest the verb ("… laughed when he urged"), a role or an age refers
# back to the last speaker or the article's lead; doubled marks (‘‘…’’) are quotation marks
QUOTES_RULES_VERSION = "quotes-11"

TERMINAL = tuple(",.?!…—–:;")
# What stands before a quotation that opens a sentence of speech (nothing else may).
OPENINGS = (".", "!", "?", ":", "—")
# Head nouns of a speaker phrase that speak for the body they name.
SPEAKS_FOR = frozenset(
    """spokesperson spokesman spokeswoman spokespeople statement statements envoy envoys
    representative representatives embassy ambassador delegation mission government ministry
    office agency command""".split()
)
# Words that open a sentence with an introduction before its subject ("Speaking at …, Cho").
INTRODUCTIONS = frozenset(
    "according after at before by during following for in on speaking since while with".split()
)
# Words after which a noun phrase is their object, never the subject of a verb of saying.
GOVERNING = INTRODUCTIONS | frozenset("about against from into of over to toward towards".split())
SPEAKER_PRONOUNS = frozenset(("he", "she"))
# How many sentences back "he said" looks for the one person it can be when nobody spoke yet.
PRONOUN_LOOKBACK = 3
# Words set in a writer's sentence in quotation marks with nobody credited: this many or fewer
# are a scare quote, a term or a name ("hot tub lung", "tough on China"), not a quotation. In a
# headline's title case (Fans Chant “Bring Him Home”) they stay someone's words; two or fewer
# never are.
SCARE_QUOTE_WORDS = 3
# A speaker phrase: a pronoun, a capitalized name, or a noun phrase of up to eight words.
SPEAKER = (
    r"(?<![\w'’])"
    r"(?!(?:and|but|or|as|to|in|on|at|of|for|with|from|by|that|which|while|when|then)\b)"
    r"(?!(?:According|After|Although|As|At|Because|Before|By|Despite|During|Even|Following|For"
    r"|If|In|On|Once|Since|Speaking|Though|Unless|Until|When|Whether|While|With)\b)"
    r"(?P<speaker>he|she|they|it|we"
    r"|(?:Dr|Mr|Mrs|Ms|Prof|Gen|Sen|Rep|Gov|Lt|Col|Maj|Capt|Adm|Sgt)\.\s[A-Z][^,.;:!?“”\"]{0,60}?"
    r"|(?:the|a|an|its|his|her|their|one|another|some|several|two|three)\s+"
    r"(?:[^,.;:!?“”\"]|\.(?=[A-Z])){1,80}?"
    r"|(?:[A-Z]\.){2,3}\s[A-Z](?:[^,.;:!?“”\"]|\.(?=[A-Z]))*?"
    r"|[A-Z](?:[^,.;:!?“”\"]|\.(?=[A-Z]))*?"
    r"|[a-z][a-z\-]*(?:\s[a-z][a-z\-]*){0,3}?(?:\s[A-Z][\w\-'’.]*){0,4}?)"
)


@dataclass(frozen=True)
class Passage:
    """A sentence and the paragraph it belongs to."""

    index: int
    text: str
    paragraph: int


@dataclass(frozen=True)
class NamedSpan:
    """An organization the matcher found in a sentence (a possible speaker)."""

    sentence_index: int
    char_start: int
    char_end: int
    entity_id: str


@dataclass(frozen=True)
class Quote:
    first_sentence_index: int
    sentence_count: int
    quote_text: str
    is_fragment: bool
    speaker_entity_id: str | None
    speaker_name: str | None  # as written at the attribution
    speaker_description: str | None
    attribution_verb: str | None  # as written: said, told, reported, …
    attribution: str  # after | before | within | continued | echo | none


@dataclass
class _Raw:
    """One quotation found by its marks, with its place in the paragraph texts."""

    paragraph: int
    start: int  # offset of the opening mark in the paragraph
    end: int  # offset just after the closing mark (or the paragraph's end)
    parts: list[str]
    first_sentence: int
    last_sentence: int
    closed: bool


@dataclass(frozen=True)
class _Paragraph:
    text: str
    sentences: tuple[tuple[int, int, int], ...]  # (sentence index, start, end) in text

    def sentence_at(self, position: int) -> int:
        for index, start, end in self.sentences:
            if start <= position < end + 1:
                return index
        return self.sentences[-1][0]

    def sentence_start(self, index: int) -> int:
        return next(start for i, start, _ in self.sentences if i == index)


def _paragraph_numbers(passages: Sequence[Passage]) -> list[int]:
    return sorted({passage.paragraph for passage in passages})


def _paragraphs(passages: Sequence[Passage]) -> list[_Paragraph]:
    grouped: dict[int, list[Passage]] = {}
    for passage in passages:
        grouped.setdefault(passage.paragraph, []).append(passage)
    paragraphs = []
    for number in sorted(grouped):
        parts: list[str] = []
        offsets: list[tuple[int, int, int]] = []
        position = 0
        for passage in sorted(grouped[number], key=lambda p: p.index):
            parts.append(passage.text)
            offsets.append((passage.index, position, position + len(passage.text)))
            position += len(passage.text) + 1
        # marks doubled as wire copy writes them (‘‘…’’, or “…’’): one mark each, the text's
        # length kept so that offsets hold
        text = " ".join(parts).replace("‘‘", "“ ").replace("’’", " ”")
        paragraphs.append(_Paragraph(text, tuple(offsets)))
    return paragraphs


def _marks(text: str) -> list[tuple[int, bool | None]]:
    """Quotation marks of a paragraph: (offset, is_opening), None for a straight mark, which
    opens or closes whatever opened the quotation (mixed pairs are common: “…" and "…”)."""
    marks: list[tuple[int, bool | None]] = []
    for offset, char in enumerate(text):
        if char in "“«":
            marks.append((offset, True))
        elif char in "”»":
            marks.append((offset, False))
        elif char == '"':
            marks.append((offset, None))
    return marks


def _raw_quotes(paragraphs: Sequence[_Paragraph]) -> list[_Raw]:
    found: list[_Raw] = []
    carried: _Raw | None = None  # a quotation left open at the end of the last paragraph
    for number, paragraph in enumerate(paragraphs):
        text = paragraph.text
        marks = _marks(text)
        opened: int | None = None
        if carried is not None:
            lead = len(text) - len(text.lstrip())
            if marks and marks[0][0] == lead and marks[0][1] is not False:
                opened = lead  # the wire convention: the quotation goes on here
                marks = marks[1:]
            else:
                carried = None
        for offset, mark in marks:
            is_opening = opened is None if mark is None else mark
            if is_opening and opened is None:
                opened = offset
            elif not is_opening and opened is not None:
                inner = text[opened + 1 : offset].strip()
                if carried is not None:
                    carried.parts.append(inner)
                    carried.last_sentence = paragraph.sentence_at(offset)
                    carried.closed = True
                    carried = None
                else:
                    found.append(
                        _Raw(
                            number,
                            opened,
                            offset + 1,
                            [inner],
                            paragraph.sentence_at(opened),
                            paragraph.sentence_at(offset),
                            True,
                        )
                    )
                opened = None
        if opened is not None:
            inner = text[opened + 1 :].strip()
            if carried is not None:
                carried.parts.append(inner)
                carried.last_sentence = paragraph.sentences[-1][0]
            else:
                carried = _Raw(
                    number,
                    opened,
                    len(text),
                    [inner],
                    paragraph.sentence_at(opened),
                    paragraph.sentences[-1][0],
                    False,
                )
                found.append(carried)
        elif carried is not None and not carried.closed:
            carried = None
    return found


@dataclass(frozen=True)
class _Attribution:
    speaker: str
    speaker_start: int  # offsets in the paragraph
    speaker_end: int
    verb: str
    side: str  # after | before


def _verb_group(verbs: frozenset[str]) -> str:
    """The verbs as one named group, the longest first."""
    return "(?P<verb>" + "|".join(sorted(map(re.escape, verbs), key=len, reverse=True)) + r")\b"


@lru_cache(maxsize=4)
def _patterns(verbs: frozenset[str]) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The attribution patterns for a set of verbs: verb then speaker, speaker then verb (an
    appositive between them allowed), and the speaker and verb that introduce a quotation."""
    verb = _verb_group(verbs)
    appositive = r"(?:,\s+[^,“”\"]{1,200},)?"
    # after a quotation, one appositive may hold commas of its own ("…,” Dylan Nelson, a fellow
    # at the institute in Munich, Germany, and co-author of the study, said")
    long_appositive = r"(?:,\s+[^,“”\"]{1,200}(?:,\s+[^,“”\"]{1,120}){0,3},)?"
    verb_first = re.compile(
        verb
        + r"\s+"
        + SPEAKER
        + r"(?=\s*(?:[,.;:!?]|$|\s+(?:in|on|at|to|during|after|before|when|while|adding|who)\b))"
    )
    speaker_first = re.compile(
        SPEAKER + long_appositive + r"\s+(?:also\s+|later\s+|then\s+)?" + verb
    )
    # the attribution ends with a colon or comma right before the quotation: "she said:",
    # "he told reporters,"; without one the quoted words are set inside the sentence
    introducing = re.compile(
        SPEAKER
        + appositive
        + r"\s+(?:also\s+|later\s+)?"
        + verb
        + r"(?:\s+[\w'’.\-]+){0,3}?\s*[:,]\s*$"
    )
    return verb_first, speaker_first, introducing


# Verbs of the seed that, followed by "to" and a verb, are not speech: "the company continued to
# sign up subscribers", "the minister vowed to resign".
WITH_AN_INFINITIVE = frozenset("continued pledged promised vowed".split())
INFINITIVE = re.compile(r"\s+to\s+(?!the\b|a\b|an\b|his\b|her\b|their\b|its\b)[a-z]")


def _attribution_after(text: str, end: int, verbs: frozenset[str]) -> _Attribution | None:
    """ "…," Iwaya said / said Iwaya / the ministry said in a statement."""
    lead = re.match(r"\s*,?\s*", text[end:])
    offset = end + (lead.end() if lead else 0)
    tail = text[offset:]
    verb_first, speaker_first, _ = _patterns(verbs)
    match = verb_first.match(tail) or speaker_first.match(tail) or _verb_first_of(tail, verbs)
    if match is None:
        return None
    if match.group("verb").lower() in WITH_AN_INFINITIVE and INFINITIVE.match(
        tail, match.end("verb")
    ):
        return None
    speaker = match.group("speaker").strip()
    start = offset + match.start("speaker")
    return _Attribution(speaker, start, start + len(speaker), match.group("verb"), "after")


@lru_cache(maxsize=4)
def _verb_then_name_of(verbs: frozenset[str]) -> re.Pattern[str]:
    return re.compile(_verb_group(verbs) + r"\s+" + SPEAKER + r"(?=\s+of\s)")


def _verb_first_of(tail: str, verbs: frozenset[str]) -> re.Match[str] | None:
    """ "said planetary geologist Rosaly Lopes of NASA's Jet Propulsion Laboratory": a name
    before "of" ends the speaker; "said the head of the agency" is left whole or to none."""
    match = _verb_then_name_of(verbs).match(tail)
    if match is None or match.group("verb").lower() not in INVERTED:
        return None
    last = match.group("speaker").split()[-1]
    return match if last[:1].isupper() and last.rstrip(".").lower() not in _HONORIFICS else None


_HONORIFICS = frozenset("mr mrs ms dr prof gen sen rep gov".split())


# How far after a quotation's close its sentence's attribution may stand ("…deal” announced in
# October, said Derek Scissors, a China scholar …"): words between.
CLOSING_WORDS = 12
# The verbs a writer inverts with their subject ("…, said Scissors"). After other verbs the name
# is their object: "…,” Benioff weighed in, telling Cook, “…”; "…, urged Smith to …".
INVERTED = frozenset(
    """said says added adds wrote writes explained explains noted notes stated remarked
    replied responded argued argues insisted insists recalled reflected mused quipped joked
    concluded countered contended conceded observed reiterated stressed emphasized emphasised
    declared commented comments""".split()
)


def _attribution_closing(text: str, end: int, verbs: frozenset[str]) -> _Attribution | None:
    """The attribution that closes the quotation's sentence a few words after it, at a comma:
    "…,” announced in October, said Derek Scissors, a China scholar …" or "…, Scissors said."
    Nothing quoted between."""
    rest = text[end:]
    stop = _CLAUSE_END.search(rest)
    clause = rest[: stop.start() + 1] if stop else rest
    verb_first, speaker_first, _ = _patterns(verbs)
    for comma in re.finditer(r",\s+", clause):
        between = clause[: comma.start()]
        if len(between.split()) > CLOSING_WORDS or re.search(r"[“”\"]", between):
            return None
        match = verb_first.match(clause, comma.end())
        if match is not None and match.group("verb").lower() not in INVERTED:
            match = None
        if match is None:
            match = speaker_first.match(clause, comma.end())
            if match is None or not CLOSING_TAIL.match(clause[match.end() :]):
                continue  # "…, Trump said he would …": the clause is his, not the quotation
        start = end + match.start("speaker")
        speaker = match.group("speaker").strip()
        return _Attribution(speaker, start, start + len(speaker), match.group("verb"), "after")
    return None


# What may follow "…, Menear said" to the end of its sentence: nothing, or where and how it was
# said ("in the earnings release", "on Tuesday"), never a clause of his own ("that …").
CLOSING_TAIL = re.compile(
    r"(?:\s+(?:in|on|at|during|after|before|while|to)\s+(?:(?!that\b|he\b|she\b|they\b|it\b)"
    r"[\w'’.\-]+\s*){1,8})?\s*(?:[.!?]|$)"
)


# Where a sentence ends before an attribution: not after an initial or an abbreviation ("Robertson,
# the U.S. commander, said:", "Gen. Mark Milley said:")
_CLAUSE_END = re.compile(
    r"(?<!\b[A-Z])"
    + "".join(rf"(?<!\b{a})" for a in ("Mr", "Ms", "Dr", "St", "Jr", "Sr", "Lt", "No"))
    + "".join(rf"(?<!\b{a})" for a in ("Mrs", "Gen", "Gov", "Sen", "Rep", "Col", "Sgt", "Adm"))
    + "".join(rf"(?<!\b{a})" for a in ("Capt", "Prof", "Supt"))
    + r"[.!?]\s+"
)


def _governed(before: str) -> bool:
    """Whether the words after ``before`` are a preposition's object ("After the hearing")."""
    word = re.search(r"(\w+)\s+$", before)
    return word is not None and word.group(1).lower() in GOVERNING


def _attribution_before(text: str, start: int, verbs: frozenset[str]) -> _Attribution | None:
    """Iwaya said: "…" / he told reporters, "…" / Ian Chong, a political scientist, said: "…"."""
    head = text[:start]
    clause = _CLAUSE_END.split(head)[-1]
    clause_offset = len(head) - len(clause)
    pattern = _patterns(verbs)[2]
    match = pattern.search(clause)
    governed = match is not None and _governed(clause[: match.start("speaker")])
    while match is not None and governed:
        # "After the hearing, Hawk Sawyer issued a statement, saying, “…”": the object of a
        # preposition is nobody speaking; the subject of a clause of its own may be ("… with
        # billboards in which people say, “…”"); else the subject of the saying is found as
        # for words quoted within a sentence
        match = pattern.search(clause, match.start("speaker") + 1)
        if match is not None and re.search(
            r"(?:,|\b(?:which|who|whom|that|where))\s+$", clause[: match.start("speaker")]
        ):
            break
    if match is not None and _says_between(
        clause[match.end("speaker") : match.start("verb")], verbs
    ):
        match = None  # "Carney was sacked, the club said, warning:": the club's words
    if match is None:
        return _participle_before(clause, clause_offset, verbs)
    speaker = match.group("speaker").strip()
    begin = clause_offset + match.start("speaker")
    # "Audience members laughed when he urged voters, “…”": the subject nearest the verb
    nearer = SUBORDINATE_SUBJECT.search(speaker)
    if nearer is not None:
        begin += nearer.start(1)
        speaker = nearer.group(1)
    return _Attribution(speaker, begin, begin + len(speaker), match.group("verb"), "before")


def _says_between(text: str, verbs: frozenset[str]) -> bool:
    """Whether words between a speaker and a verb hold a verb of saying of their own, or a
    clause joined by "and" or "but"."""
    words = re.findall(r"[a-z]+", text)
    return any(w in verbs for w in words) or bool(re.search(r"[,;]\s+(?:and|but)\s", text))


# A clause inside a speaker phrase whose own subject is the one who speaks: "… laughed when he
# urged", "… applauded as Smith said" (not "leaders such as Smith", not "X and Y said").
SUBORDINATE_SUBJECT = re.compile(
    r"\s(?:when|(?<!such )as|after|while|because|before|since|until|once|then)\s+"
    r"(he|she|they|(?:[A-Z][\w'’\-]*)(?:\s[A-Z][\w'’\-]*){0,3})$"
)


@lru_cache(maxsize=4)
def _participle_patterns(verbs: frozenset[str]) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
    participles = sorted((v for v in verbs if v.endswith("ing")), key=len, reverse=True)
    if not participles:
        return None
    ending = re.compile(
        r",\s+(?P<verb>"
        + "|".join(map(re.escape, participles))
        + r")(?!\s+to\b)(?:\s+[\w'’]+){0,2}?\s*[:,]\s*$"
    )
    subject = re.compile(
        r"^\s*(?P<speaker>he|she|[A-Z][\w'’\-.]*(?:\s(?:[A-Z][\w'’\-.]*|de|van|von|bin))*)"
        r"(?<!['’]s)(?:,\s+[^,“”\"]{1,200},)?\s+(?:also\s+|later\s+|then\s+|has\s+|had\s+)?"
        r"[a-z]+\b"
    )
    return ending, subject


def _participle_before(clause: str, offset: int, verbs: frozenset[str]) -> _Attribution | None:
    """ "Liu said the army could be deployed, warning: “…”": a participle of saying (the
    seed's verbs in -ing) before the quotation, and the clause's subject, a name or a pronoun
    that opens it, speaks."""
    patterns = _participle_patterns(verbs)
    if patterns is None:
        return None
    ending, subject = patterns
    participle = ending.search(clause)
    if participle is None or re.search(r"[“”\"]", clause[: participle.start()]):
        return None
    match = subject.match(clause)
    if match is None or match.group("speaker").lower() in INTRODUCTION_WORDS:
        return None
    if _says_between(clause[match.end() : participle.start() + 1], verbs):
        return None  # "Holt beat Carney, and Carney's allies reacted, urging:": not Holt's
    speaker = match.group("speaker")
    begin = offset + match.start("speaker")
    return _Attribution(speaker, begin, begin + len(speaker), participle.group("verb"), "before")


# Words that open a clause but are no subject (compared in lower case).
INTRODUCTION_WORDS = INTRODUCTIONS | frozenset("the a an this that these those it there".split())


def _name_and_colon(
    text: str, start: int, paragraph: _Paragraph, people: Sequence[PersonMention]
) -> _Attribution | None:
    """A person's name and a colon, nothing else before the quotation (a headline's
    "Anthony Lynn: “We needed to win”"): the person, with no verb."""
    match = re.fullmatch(r"\s*([^\W\d_][^:“”\"]{2,60}?)\s*:\s*", text[:start])
    if match is None:
        return None
    sentence = paragraph.sentence_at(match.start(1))
    begin = paragraph.sentence_start(sentence)
    span = (match.start(1) - begin, match.end(1) - begin)
    if not any(p.sentence_index == sentence and (p.char_start, p.char_end) == span for p in people):
        return None
    return _Attribution(match.group(1), match.start(1), match.end(1), "", "before")


def quotations(passages: Sequence[Passage]) -> list[Quotation]:
    """Every pair of quotation marks of one article and what stands between them, before any
    question of who said it: what the workers store (raw.quotations)."""
    numbers = _paragraph_numbers(passages)
    return [
        Quotation(
            paragraph=numbers[raw.paragraph],
            char_start=raw.start,
            char_end=raw.end,
            first_sentence_index=raw.first_sentence,
            last_sentence_index=raw.last_sentence,
            is_closed=raw.closed,
            text=" ".join(raw.parts),
        )
        for raw in _raw_quotes(_paragraphs(passages))
    ]


def _as_raw(found: Sequence[Quotation], passages: Sequence[Passage]) -> list[_Raw]:
    ordinal = {number: position for position, number in enumerate(_paragraph_numbers(passages))}
    return [
        _Raw(
            ordinal[q.paragraph],
            q.char_start,
            q.char_end,
            [q.text],
            q.first_sentence_index,
            q.last_sentence_index,
            q.is_closed,
        )
        for q in found
        if q.paragraph in ordinal
    ]


def find_quotes(
    passages: Sequence[Passage],
    people: Sequence[PersonMention],
    organizations: Sequence[NamedSpan],
    attribution_verbs: frozenset[str],
    found: Sequence[Quotation] | None = None,
    roles: frozenset[str] = frozenset(),
) -> list[Quote]:
    """Every direct quotation of one article, with its speaker where it can be known.

    ``found``: the article's quotations as the workers stored them (``quotations``); found
    again from the passages when not given. ``roles``: the words of people's titles and roles
    (seed person_titles), which make "the singer said" a person's description."""
    paragraphs = _paragraphs(passages)
    raws = _raw_quotes(paragraphs) if found is None else _as_raw(found, passages)
    # in reading order, so that "the first named" and "the last named" mean the same every time
    people = sorted(people, key=lambda p: (p.sentence_index, p.char_start, p.entity_id))
    # who "he" or "she" can be: a person named in someone's quoted words is not a speaker
    unquoted = _outside_quotations(raws, paragraphs, people)
    # people the text says spoke without quoting them ("Sasse said the charges are overdue"):
    # a later "he said" with nobody else named since is theirs
    reported = _reported_speakers(passages, unquoted, attribution_verbs)
    subjects = _sole_subjects(passages, unquoted, attribution_verbs)
    # what the article says of a person's gender outweighs the given name's usual one
    told = _genders_in_text(passages, unquoted, subjects, attribution_verbs)
    if told:
        people = [replace(p, gender=told.get(p.entity_id, p.gender)) for p in people]
        unquoted = [replace(p, gender=told.get(p.entity_id, p.gender)) for p in unquoted]
    organizations = sorted(
        organizations, key=lambda o: (o.sentence_index, o.char_start, o.entity_id)
    )
    quotes: list[Quote] = []
    named: list[str] = []  # words left out as a slogan's or a campaign's: they count as said
    last_speaker: tuple[str, int] | None = None  # entity id and the sentence it spoke in
    last_body: str | None = None  # the last organization or country that spoke
    previous: tuple[Quote, int, int] | None = None  # the last quote, its paragraph, last sentence
    for position, raw in enumerate(raws):
        while reported and reported[0][0] < raw.first_sentence:
            spoke_in, entity_id = reported.pop(0)
            if last_speaker is None or spoke_in > last_speaker[1]:
                # "" for someone the text does not name as a person ("Omar asked …"): a later
                # pronoun cannot reach back past them
                last_speaker = (entity_id, spoke_in)
        paragraph = paragraphs[raw.paragraph]
        text_ = paragraph.text
        inner = " ".join(raw.parts).strip()
        words = len(inner.split())
        if not inner:
            continue
        attribution = None
        if raw.closed and not inner.endswith((".", "…")):
            # a quotation that ends its sentence has no attribution after it
            attribution = _attribution_after(text_, raw.end, attribution_verbs)
        if attribution is None:
            attribution = _attribution_before(text_, raw.start, attribution_verbs)
        if attribution is None:
            attribution = _name_and_colon(text_, raw.start, paragraph, people)
        before = text_[: raw.start].rstrip()
        if (
            attribution is None
            and raw.closed
            and (not before or before.endswith(OPENINGS))
            and words > SCARE_QUOTE_WORDS
            and not _is_title(inner)
        ):
            # only words of speech that open their sentence: "The term “lying flat” spread,
            # said Li" and "“Lying flat” has become a movement, said Li" credit Li with the
            # sentence, not with the term; the sentence's own end bounds the search
            attribution = _attribution_closing(
                text_[: _sentence_end(paragraph, raw.last_sentence)], raw.end, attribution_verbs
            )
        starts_speech = (
            not before
            or before.endswith(OPENINGS)
            or (attribution is not None and attribution.side == "before")
        )
        is_fragment = not starts_speech and attribution is None
        speaker_id = speaker_name = description = verb = None
        how = "none"
        sentence = raw.first_sentence
        if attribution is not None:
            speaker_name, how = attribution.speaker, attribution.side
            verb = attribution.verb or None
            speaker_sentence = paragraph.sentence_at(attribution.speaker_start)
            local_start = attribution.speaker_start - paragraph.sentence_start(speaker_sentence)
            local_end = local_start + len(attribution.speaker)
            # the last speaker's quotation ends right before this one
            adjacent = (
                previous is not None
                and last_speaker is not None
                and previous[0].speaker_entity_id == last_speaker[0]
                and previous[2] >= raw.first_sentence - 1
            )
            speaker_id, description = _resolve(
                attribution.speaker,
                speaker_sentence,
                local_start,
                local_end,
                people,
                organizations,
                last_speaker,
                text_[attribution.speaker_end :],
                unquoted,
                subjects,
                roles,
                adjacent,
            )
        elif is_fragment:
            if words <= 2 and _modifies_a_noun(text_, raw.start, raw.end):
                continue  # an “irregular” channel: the writer's distance from a word
            speaker_id, speaker_name = _fragment_speaker(
                raw,
                paragraph,
                people,
                organizations,
                attribution_verbs,
                last_speaker,
                last_body,
                unquoted,
                subjects,
            )
            if (
                speaker_id is None
                and previous is not None
                and previous[1] == raw.paragraph
                and previous[0].speaker_entity_id is not None
                and previous[2] == sentence
            ):
                # words quoted later in the same sentence as an attributed quotation
                speaker_id, speaker_name = previous[0].speaker_entity_id, previous[0].speaker_name
            own_verb = any(
                word in attribution_verbs
                for word in re.findall(
                    r"[a-z]+", text_[paragraph.sentence_start(raw.first_sentence) : raw.start]
                )
            )
            later = (
                None
                if speaker_id or own_verb  # "Opponents called the plan “reckless,” but …"
                else _said_later_in_sentence(raws, position, text_, attribution_verbs)
            )
            if later is not None:
                # words quoted earlier in the sentence than a quotation attributed right after
                # it: “terribly disruptive” and …, “we won’t …,” company CEO Andy Vesey said.
                later_sentence = paragraph.sentence_at(later.speaker_start)
                local_start = later.speaker_start - paragraph.sentence_start(later_sentence)
                speaker_id, description = _resolve(
                    later.speaker,
                    later_sentence,
                    local_start,
                    local_start + len(later.speaker),
                    people,
                    organizations,
                    last_speaker,
                    text_[later.speaker_end :],
                    unquoted,
                    subjects,
                    roles,
                )
                if speaker_id is not None:
                    speaker_name, verb = later.speaker, later.verb
                else:
                    description = None
            if speaker_id is None and (
                words <= 2 or (words <= SCARE_QUOTE_WORDS and _is_prose(text_, raw.start, raw.end))
            ):
                continue  # a scare quote, a term or a name: a so-called "gray zone"
            how = "within" if speaker_id else "none"
        elif previous is not None and previous[1] == raw.paragraph:
            prior = previous[0]
            speaker_id, speaker_name = prior.speaker_entity_id, prior.speaker_name
            description, verb = prior.speaker_description, prior.attribution_verb
            how = "continued" if speaker_id or speaker_name else "none"
        elif before.endswith((".", "!", "?")) and (
            reporter := _reported_just_before(
                paragraph, sentence, attribution_verbs, unquoted, last_speaker, subjects
            )
        ):
            # a quotation right after the writer's report of someone's words in the same
            # paragraph: "Sometimes employees don't follow the rules, he said. “But does …”"
            speaker_id, speaker_name = reporter
            how = "continued"
        elif (
            previous is not None
            and previous[1] == raw.paragraph - 1
            and not before
            and previous[0].speaker_entity_id is not None
            and _is_person(previous[0].speaker_entity_id, people)
        ):
            # a paragraph that is a quotation and nothing else, right after one whose speaker
            # is known: the same speaker goes on (a new one would be named)
            speaker_id = previous[0].speaker_entity_id
            how = "continued"
        if _named(text_, raw.start, raw.end, words, speaker_id is None and not speaker_name):
            # the slogan “Meth, we’re on it.”; he never used the term “three amigos”
            named.append(_plain(inner))
            continue
        if (
            (speaker_id is None or (how == "after" and not starts_speech))
            and _is_title(inner)
            and _is_prose(text_, raw.start, raw.end)
        ):
            # a title set in a writer's sentence: “Listen To The Music,”; "After hitting
            # “Takin’ It To the Streets,” the singer told …" (a speaker after it, not its words)
            continue
        quote = Quote(
            first_sentence_index=raw.first_sentence,
            sentence_count=raw.last_sentence - raw.first_sentence + 1,
            quote_text=inner,
            is_fragment=is_fragment,
            speaker_entity_id=speaker_id,
            speaker_name=speaker_name,
            speaker_description=description,
            attribution_verb=verb,
            attribution=how,
        )
        quotes.append(quote)
        previous = (quote, raw.paragraph, raw.last_sentence)
        if speaker_id is not None and _is_person(speaker_id, people):
            last_speaker = (speaker_id, sentence)
        elif speaker_id is not None:
            last_body = speaker_id
        elif attribution is not None and speaker_id is None and speaker_name:
            # an unknown or ambiguous speaker: a later pronoun cannot be resolved past it
            last_speaker = None
    # the same words quoted three times or more with nobody saying them are a name (a
    # campaign's slogan, a programme), not a quotation, though someone repeat them
    unsaid = Counter(_plain(q.quote_text) for q in quotes if q.speaker_entity_id is None)
    unsaid.update(named)
    return _echoes(
        [q for q in quotes if q.speaker_entity_id is not None or unsaid[_plain(q.quote_text)] < 3]
    )


def _sentence_end(paragraph: _Paragraph, index: int) -> int:
    """Where sentence ``index`` ends in the paragraph (its end, when another holds it)."""
    return next((end + 1 for i, _, end in paragraph.sentences if i == index), len(paragraph.text))


def _said_later_in_sentence(
    raws: Sequence[_Raw], position: int, text: str, verbs: frozenset[str]
) -> _Attribution | None:
    """The attribution right after a later quotation of the same sentence and paragraph, one
    that does not end its sentence; the attribution in that sentence too."""
    raw = raws[position]
    for later in raws[position + 1 :]:
        if later.paragraph != raw.paragraph or later.first_sentence != raw.last_sentence:
            return None
        if later.closed and not "".join(later.parts).rstrip().endswith((".", "…")):
            found = _attribution_after(text, later.end, verbs)
            if found is not None:
                between = text[later.end : found.speaker_start]
                return None if _CLAUSE_END.search(between) else found
    return None


def _reported_just_before(
    paragraph: _Paragraph,
    sentence: int,
    verbs: frozenset[str],
    people: Sequence[PersonMention],
    last_speaker: tuple[str, int] | None,
    subjects: frozenset[tuple[int, str]],
) -> tuple[str, str | None] | None:
    """Who the sentence before ``sentence``, in the same paragraph, reports speaking: one
    that ends on a pronoun and a verb of saying ("…, he said."), or whose person and verb
    of saying were already read as the last speaker ("Figgins said his client …")."""
    prior = sentence - 1
    spans = {index: (start, end) for index, start, end in paragraph.sentences}
    if prior not in spans:
        return None
    text = paragraph.text[spans[prior][0] : spans[prior][1]]
    ending = re.search(r",\s+(he|she)\s+([a-z]+)\s*\.$", text)
    if ending and ending.group(2) in verbs:
        pronoun = ending.group(1)
        spoke = _pronoun(pronoun, prior, people, last_speaker, ending.start(1), subjects)
        return (spoke, pronoun) if spoke else None
    if last_speaker is not None and last_speaker[1] == prior and last_speaker[0]:
        return last_speaker[0], None
    return None


# Words of a quotation with no speaker that another quotation of the article holds whole,
# spoken by someone: a heading or a pull quote repeating the body's words. Shorter ones ("the
# Gordon problem") are names and terms a speaker may only be repeating.
ECHO_WORDS = 4


def _echoes(quotes: list[Quote]) -> list[Quote]:
    """Quotations credited to nobody (not one whose speaker is unknown: "a diplomat said")
    whose words the article quotes again, whole, with one speaker: that speaker's ("- “My
    fears have been realized”" over Morrison's “… My fears have been realized.”), attribution
    ``echo``. Nobody when two speakers said them."""
    said = [(f" {_plain(q.quote_text)} ", q) for q in quotes if q.speaker_entity_id is not None]
    found = []
    for quote in quotes:
        words = _plain(quote.quote_text)
        if quote.attribution == "none" and len(words.split()) >= ECHO_WORDS:
            echoed = {q.speaker_entity_id: q for plain, q in said if f" {words} " in plain}
            if len(echoed) == 1:
                (source,) = echoed.values()
                quote = replace(
                    quote,
                    speaker_entity_id=source.speaker_entity_id,
                    speaker_name=source.speaker_name,
                    speaker_description=source.speaker_description,
                    attribution="echo",
                )
        found.append(quote)
    return found


def _plain(text: str) -> str:
    """A quotation's words for comparing, without case or punctuation."""
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


# Words a title leaves in lower case ("Takin’ It To the Streets").
TITLE_MINOR_WORDS = frozenset(
    "a an and as at but by for from in into nor of on onto or the to via vs with".split()
)
_TITLE_WORD = re.compile(r"[^\W\d_][\w'’\-]*")


def _is_title(inner: str) -> bool:
    """Words in title case: two or more, each capitalized but the small ones ("What A Fool
    Believes", "We’re Not Gonna Take It")."""
    words = _TITLE_WORD.findall(inner)
    capitalized = [w for w in words if w[0].isupper()]
    return (
        len(capitalized) >= 2
        and words[0][0].isupper()
        and all(w[0].isupper() or w in TITLE_MINOR_WORDS for w in words)
    )


# Words that open a noun phrase: a word or two quoted right after one, with a noun after the
# marks, qualify that noun ("called on the “interim” government"): a scare quote, whoever the
# sentence is about, not a quotation.
NOUN_PHRASE_OPENERS = re.compile(
    r"\b(?:the|a|an|its|their|his|her|our|this|that|these|those)\s*$", re.IGNORECASE
)


# After the marks, words that show the quoted ones were the phrase's head ("his “duty” to
# report", "the “reset” of relations"), not a modifier.
AFTER_A_HEAD = frozenset(
    "to of and or but in on at for with that which who whom is was are were be by from as than "
    "he she it they we i you".split()
)


def _modifies_a_noun(paragraph: str, start: int, end: int) -> bool:
    after = re.match(r"\s+([a-z]+)\b", paragraph[end:])
    return bool(
        NOUN_PHRASE_OPENERS.search(paragraph[:start])
        and after is not None
        and after.group(1) not in AFTER_A_HEAD
    )


# Words that make the words quoted right after them a name or a term, mentioned rather than
# spoken. The name of a text ("launched the slogan “…”", "under the headline “…”") and nouns
# right after the marks ("the “Me Too” movement") are no quotation when nobody is said to
# speak them; a term ("never used the term “…”", "known as the “…”") when it is a few words,
# whoever the sentence names (a longer "used the phrase “…”" may be someone's words).
NAMING_TEXTS = ("slogan", "motto", "tagline", "catchphrase", "hashtag", "headline")
NAMING_TERMS = ("term", "phrase", "word", "nickname", "moniker", "label")
NAMING_AFTER = ("campaign", "campaigns", "slogan", "slogans", "ad", "ads", "hashtag", "movement")
NAMED_WORDS = 4
_BEFORE_END = r")[\s,:—–]*$"
_NAMED_TEXT = re.compile(r"\b(?:(?:" + "|".join(NAMING_TEXTS) + r")s?" + _BEFORE_END, re.I)
_NAMED_TERM = re.compile(
    r"\b(?:(?:"
    + "|".join(NAMING_TERMS)
    + r")s?|(?:known|billed) as(?: the)?|nicknamed(?: the)?"
    + _BEFORE_END,
    re.IGNORECASE,
)
_NAMED_AFTER = re.compile(r"^[\s,]*(?:" + "|".join(NAMING_AFTER) + r")\b")  # not a new sentence


def _named(paragraph: str, start: int, end: int, words: int, unsaid: bool) -> bool:
    """The quoted words are named by a word next to them: a slogan, a campaign, a term."""
    before = paragraph[:start]
    if _NAMED_TEXT.search(before):
        return unsaid or words <= NAMED_WORDS
    if unsaid and _NAMED_AFTER.match(paragraph[end:]):
        return True
    return words <= NAMED_WORDS and bool(_NAMED_TERM.search(before))


def _is_prose(paragraph: str, start: int, end: int) -> bool:
    """The writer's words around a quotation are a sentence in sentence case, not a headline
    in title case (where a quoted title-case line is someone's words: 'We Got Her!')."""
    rest = _TITLE_WORD.findall(paragraph[:start] + " " + paragraph[end:])
    return sum(1 for w in rest if w[0].islower() and w not in TITLE_MINOR_WORDS) >= 2


def _outside_quotations(
    raws: Sequence[_Raw], paragraphs: Sequence[_Paragraph], people: Sequence[PersonMention]
) -> list[PersonMention]:
    """The person mentions that are not inside the marks of a quotation."""
    where = {i: (n, start) for n, p in enumerate(paragraphs) for i, start, _ in p.sentences}
    spans: dict[int, list[tuple[int, int]]] = {}
    for raw in raws:
        spans.setdefault(raw.paragraph, []).append((raw.start, raw.end))
    kept = []
    for person in people:
        number, start = where.get(person.sentence_index, (-1, 0))
        offset = start + person.char_start
        if not any(a < offset < b for a, b in spans.get(number, ())):
            kept.append(person)
    return kept


def _reported_speakers(
    passages: Sequence[Passage], people: Sequence[PersonMention], verbs: frozenset[str]
) -> list[tuple[int, str]]:
    """(sentence, person) for each person followed by a verb of saying, an appositive or a
    relative clause between them allowed ("Montell Figgins, who represents Thomas, said"), in
    reading order."""
    texts = {passage.index: passage.text for passage in passages}
    found = []
    for number, person in enumerate(people):
        after = texts.get(person.sentence_index, "")[person.char_end :]
        verb = REPORTED_VERB.match(after)
        if verb and verb.group(1).lower() in verbs:
            # the second of two people who spoke together is nobody in particular
            joined = number and _coordinated(people[number - 1], person, texts)
            found.append((person.sentence_index, "" if joined else person.entity_id))
    # a sentence opened by a capitalized word that is no person and a verb of saying: someone
    # the rules do not know spoke ("Omar asked for compassion", "Officials said")
    starts = {p.sentence_index for p in people if p.char_start == 0}
    for index, text in texts.items():
        unknown = UNKNOWN_SUBJECT.match(text)
        if (
            unknown
            and index not in starts
            and unknown.group(1).lower() not in NOT_A_SUBJECT_NAME
            and unknown.group(2) in verbs
        ):
            found.append((index, ""))
    return sorted(found, key=lambda item: item[0])


HONORIFIC_GENDER = {"mr": "male", "ms": "female", "mrs": "female", "miss": "female"}


def _genders_in_text(
    passages: Sequence[Passage],
    people: Sequence[PersonMention],
    subjects: frozenset[tuple[int, str]],
    verbs: frozenset[str],
) -> dict[str, str]:
    """The gender an article gives a person, where it leaves no doubt: an honorific before the
    name ("Ms Persson") or the pronoun after a verb of saying in a sentence the person opens
    ("Omar asked …, saying she did not think …"), when everyone else named before the
    pronoun is known to be of the other gender. Nothing for a person given both."""
    texts = {passage.index: passage.text for passage in passages}
    found: dict[str, set[str]] = {}
    for person in people:
        text = texts.get(person.sentence_index, "")
        honorific = re.search(r"\b(Mr|Ms|Mrs|Miss)\.?\s+$", text[: person.char_start])
        if honorific:
            found.setdefault(person.entity_id, set()).add(
                HONORIFIC_GENDER[honorific.group(1).lower()]
            )
        if (person.sentence_index, person.entity_id) not in subjects:
            continue
        for said in re.finditer(r"\b([a-z]+),?\s+(?:that\s+)?(he|she)\b", text[person.char_end :]):
            if said.group(1) not in verbs:
                continue
            gender = PRONOUN_GENDER[said.group(2)]
            position = person.char_end + said.start(2)
            between = [
                p
                for p in people
                if p.sentence_index == person.sentence_index
                and person.char_end <= p.char_start < position
                and p.entity_id != person.entity_id
            ]
            if all(p.gender and p.gender != gender for p in between):
                found.setdefault(person.entity_id, set()).add(gender)
            break
    return {entity_id: genders.pop() for entity_id, genders in found.items() if len(genders) == 1}


def _coordinated(first: PersonMention, second: PersonMention, texts: dict[int, str]) -> bool:
    """Two people named in one sentence as one subject: "A and B", "A, a …, and B"."""
    if first.sentence_index != second.sentence_index:
        return False
    between = texts.get(first.sentence_index, "")[first.char_end : second.char_start]
    return bool(re.fullmatch(r"(?:,[^,]*)?,?\s+and\s+(?:\w+\s+){0,3}?(?:[\w-]+,\s+)?", between))


def _before_subject(text: str, verbs: frozenset[str]) -> bool:
    """Whether the words before a name leave it the sentence's subject: nothing, a connective
    ("Yet Sondland has …"), or the role or team in front of the name ("Wild defenseman Ryan
    Suter", "Former Secretary Jane Doe"); not a verb, a preposition or a clause ("Police
    arrested John Doe", "In Paris John Doe")."""
    opening = SUBJECT_OPENING.match(text)
    words = text[opening.end() if opening else 0 :].split()
    if len(words) > 5:
        return False
    for word in words:
        bare = word.strip(".'’").lower()
        if (
            not re.fullmatch(r"[\w.'’&-]+", word)
            or bare in FUNCTION_WORDS
            or bare in verbs
            or (word[0].islower() and re.search(r"(?:ed|ing|ly)$", word))
        ):
            return False
    return True


def _sole_subjects(
    passages: Sequence[Passage], people: Sequence[PersonMention], verbs: frozenset[str]
) -> frozenset[tuple[int, str]]:
    """(sentence, person) where the person opens the sentence alone (_before_subject), not as
    one of two joined by "and" ("Ian Chong and Michael Jordan met …" has no sole subject)."""
    texts = {passage.index: passage.text for passage in passages}
    found = set()
    for number, person in enumerate(people):
        before = texts.get(person.sentence_index, "")[: person.char_start]
        # in reading order: someone named before this person in the sentence is the one before
        named_before = number > 0 and people[number - 1].sentence_index == person.sentence_index
        if before and (named_before or not _before_subject(before, verbs)):
            continue
        following = people[number + 1] if number + 1 < len(people) else None
        if following is None or not _coordinated(person, following, texts):
            found.add((person.sentence_index, person.entity_id))
    return frozenset(found)


# A connective that may open a sentence before its subject.
SUBJECT_OPENING = re.compile(
    r"(?:Yet|But|And|So|Still|Now|Meanwhile|However|Later|Then|Instead|Afterward|Afterwards),?\s+"
)
# Words that open a sentence before a verb but name nobody new.
NOT_A_SUBJECT_NAME = frozenset(
    "he she it they we i you this that these those there but and so yet then also".split()
)
# A sentence's first word, capitalized, and a verb right after it.
UNKNOWN_SUBJECT = re.compile(r"([A-Z][a-z]+)\s+(?:also\s+|later\s+|then\s+)?([a-z]+)\b")
# After a name: its verb, with a possessive, an appositive or an adverb between them.
REPORTED_VERB = re.compile(
    r"(?:['’]s?)?(?:,[^,“”\"]{1,150},)?\s+(?:also\s+|later\s+|then\s+|has\s+|had\s+)?([a-z]+)\b"
)


def _is_person(entity_id: str, people: Sequence[PersonMention]) -> bool:
    return any(p.entity_id == entity_id for p in people)


# Words right before a name in a speaker phrase that make it someone else's object, not the
# speaker ("Lawyers for Jane Holt", "leaders such as Merkel"); with other words between, they
# are part of a title ("High Commissioner for Human Rights Michelle Bachelet", "Ambassador to
# the U.N. Nikki Haley").
OBJECT_BEFORE = re.compile(r"\b(?:for|such as|with|like|including|behalf of)\s+$")


def _resolve(
    speaker: str,
    sentence: int,
    start: int,
    end: int,
    people: Sequence[PersonMention],
    organizations: Sequence[NamedSpan],
    last_speaker: tuple[str, int] | None,
    after: str,
    unquoted: Sequence[PersonMention] | None = None,
    subjects: frozenset[tuple[int, str]] = frozenset(),
    roles: frozenset[str] = frozenset(),
    adjacent: bool = False,
) -> tuple[str | None, str | None]:
    """The entity behind an attribution's speaker phrase, and how the article describes it
    (``unquoted``: the people a pronoun can be; ``adjacent``: the last speaker's quotation
    ends right before this one)."""
    lowered = speaker.lower()
    if lowered in PRONOUN_GENDER or lowered in ("they", "it", "we"):
        if lowered not in SPEAKER_PRONOUNS:
            return None, None
        pool = people if unquoted is None else unquoted
        return _pronoun(lowered, sentence, pool, last_speaker, start, subjects), None
    for person in people:
        if (
            person.sentence_index == sentence
            and person.char_start < end
            and start < person.char_end
        ):
            if OBJECT_BEFORE.search(speaker[: max(0, person.char_start - start)]):
                return None, None  # "Lawyers for Jane Holt said", "leaders such as Merkel"
            appositive = re.match(r"^,\s+((?:a|an|the)\s[^,;:]+)", after)
            return person.entity_id, appositive.group(1) if appositive else person.stated_role
    # an organization or a country speaks through its name ("the Global Times reported") or
    # through someone speaking for it ("a Tepco spokesperson", "the Chinese embassy"); "one
    # Japanese instructor" speaks for nobody but himself
    head = re.findall(r"[a-z]+", lowered)[-1:] or [""]
    for body in organizations:
        if body.sentence_index == sentence and body.char_start < end and start < body.char_end:
            covers = (body.char_end - body.char_start) >= 0.6 * len(speaker.removeprefix("the "))
            if covers or head[0] in SPEAKS_FOR:
                return body.entity_id, None
    pool = people if unquoted is None else unquoted
    described = _described(speaker, sentence, start, pool)
    if described is None:
        described = _anaphor(
            speaker, sentence, start, pool, last_speaker, subjects, roles, adjacent
        )
    return (described, speaker) if described else (None, None)


# "the 56-year-old", "the singer and guitarist": a description that refers back to a person.
AGE = re.compile(r"^[Tt]he\s+\d{1,3}-year-old$")
# The headline (0) and the first sentence: whoever opens one of them is the article's lead.
LEAD_SENTENCE = 1
ROLE_DESCRIPTION = re.compile(r"^[Tt]he\s+([a-z][a-z'’-]+)(?:\s+(?:and|&)\s+([a-z][a-z'’-]+))?$")
# Roles an article gives people it does not name ("the official said", "the spokesman said"):
# such a description is no reference back to someone named.
UNNAMED_ROLES = frozenset("aide aides official officials source sources person".split())


def _anaphor(
    speaker: str,
    sentence: int,
    start: int,
    people: Sequence[PersonMention],
    last_speaker: tuple[str, int] | None,
    subjects: frozenset[tuple[int, str]],
    roles: frozenset[str],
    adjacent: bool = False,
) -> str | None:
    """The person a description of age or of a role ("the 56-year-old said", "the singer and
    guitarist told the audience") refers back to: for an age, as "he" or "she" with no gender;
    for a role, the subject that opens the latest sentence naming anyone. Nobody when the role
    is one an article gives people it does not name, or the person's stated role is another."""
    heads: tuple[str, ...] = ()
    if AGE.match(speaker) is None:
        described = ROLE_DESCRIPTION.match(speaker)
        if described is None:
            return None
        heads = tuple(h for h in described.groups() if h)
        if any(h not in roles or h in UNNAMED_ROLES or h in SPEAKS_FOR for h in heads):
            return None
    # an age refers back as "he" does; a role only to the subject that opens the latest
    # sentence naming anyone
    found = _pronoun(
        "", sentence, people, last_speaker, start, subjects, bool(heads), bool(heads) and adjacent
    )
    if found is None and not heads:
        # "The 56-year-old said" where two were named just before: an age describes the
        # article's lead (who opens its headline or its first sentence) when the latest
        # sentence naming anyone names the lead alone
        lead = min(((i, e) for i, e in subjects if i <= LEAD_SENTENCE), default=None)
        before = [p for p in people if 0 <= sentence - p.sentence_index <= PRONOUN_LOOKBACK]
        before = [p for p in before if p.sentence_index < sentence or p.char_end <= start]
        latest = max((p.sentence_index for p in before), default=None)
        named = {p.entity_id for p in before if p.sentence_index == latest}
        if lead is not None and named == {lead[1]} and lead[0] < sentence:
            return lead[1]
    if found is None or not heads:
        return found
    role = next((p.stated_role for p in people if p.entity_id == found and p.stated_role), None)
    return found if role is None or set(heads) & _role_words(role) else None


# "the governor", "the company's chief executive": a description in lower case after "the".
DESCRIPTION = re.compile(r"^[Tt]he\s+(?:[\w'’-]+\s+){0,4}([a-z][a-z'’-]+)$")
# Where a role stops naming the post and starts saying whose or where it is.
ROLE_END = re.compile(r",|\s(?:of|at|for|in|with|from|who|to|on)\s")


def _role_words(role: str) -> frozenset[str]:
    """The words of a role's post: "a senior fellow at the Hanbit Center" -> {senior,
    fellow}; "U.S. President" -> {u.s., president}."""
    post = ROLE_END.split(role, maxsplit=1)[0]
    return frozenset(w.lower() for w in re.findall(r"[\w'’.-]+", post))


def _described(
    speaker: str, sentence: int, start: int, people: Sequence[PersonMention]
) -> str | None:
    """The one person the article introduced, before these words, with the post a
    description names by its last word ("the governor said" after "Governor Josh Green" or
    "Josh Green, the state's governor,"); nobody when none or several were, and no guess from
    an abbreviation ("Gov.")."""
    match = DESCRIPTION.match(speaker)
    if match is None:
        return None
    head = match.group(1)
    found = {
        p.entity_id
        for p in people
        if (p.sentence_index < sentence or (p.sentence_index == sentence and p.char_end <= start))
        and p.stated_role
        and not p.stated_role.startswith("who ")  # what they did, not their post
        and head in _role_words(p.stated_role)
    }
    return found.pop() if len(found) == 1 else None


def _pronoun(
    pronoun: str,
    sentence: int,
    people: Sequence[PersonMention],
    last_speaker: tuple[str, int] | None,
    position: int | None = None,
    subjects: frozenset[tuple[int, str]] = frozenset(),
    openers_only: bool = False,
    last_if_alone: bool = False,
) -> str | None:
    """He or she: the one person named since the last speaker spoke (in the sentences after
    it, up to the pronoun at ``position`` of this one), else the last speaker; nobody when that
    is ambiguous or the pronoun's gender contradicts the given name. The subject that opens the
    latest sentence naming anyone decides between several, and is the last speaker again when
    that sentence opens with them ("Figgins declined to say whether Thomas slept …").
    ``openers_only``: that subject or nobody (a description: "the singer told the crowd");
    ``last_if_alone``: else the last speaker, whose quotation ends right before, when nobody
    was named since."""
    gender = PRONOUN_GENDER.get(pronoun)  # none for a description ("the 56-year-old")

    def fits(mention: PersonMention) -> bool:
        return not gender or not mention.gender or mention.gender == gender

    def before_pronoun(mention: PersonMention) -> bool:
        return (
            mention.sentence_index < sentence or position is None or mention.char_start < position
        )

    since = last_speaker[1] + 1 if last_speaker else sentence - PRONOUN_LOOKBACK
    window = [p for p in people if since <= p.sentence_index <= sentence and before_pronoun(p)]
    recent = {p.entity_id for p in window if fits(p)}
    speaker = next((p for p in people if last_speaker and p.entity_id == last_speaker[0]), None)
    again = {speaker.entity_id} if speaker is not None and fits(speaker) else set()
    if last_speaker is not None:
        recent.discard(last_speaker[0])
    openers: set[str] = set()
    if window:
        latest = max(p.sentence_index for p in window)
        openers = {e for i, e in subjects if i == latest and e in recent | again}
    if openers_only:
        if len(openers) == 1:
            return openers.pop()
        # "“…,” Van Der Beek said. “…,” said the actor": the last speaker, whose quotation
        # ends right before, with nobody named since
        if last_if_alone and not openers and not recent and again:
            return again.pop()
        return None
    if openers == again and again:
        return again.pop()
    if len(recent) == 1:
        return recent.pop()
    if len(recent) > 1:
        return openers.pop() if len(openers) == 1 else None
    return again.pop() if again else None


# Between a person and their verb of saying: an adverb, an auxiliary; a comma only where the
# name is itself set off by commas ("his predecessor, Fiona Hill, had dubbed it “…”"), not
# after a name inside the subject's appositive ("Kim Yo Jong, the sister of leader Kim Jong
# Un, said").
NEARER_GAP = re.compile(r"\s+(?:(?:also|later|then|had|has|have)\s+)?")
APPOSITIVE_GAP = re.compile(r",\s+(?:(?:also|later|then|had|has|have)\s+)?")


def _nearer_speaker(
    text: str, named: Sequence[PersonMention], verbs: frozenset[str]
) -> PersonMention | None:
    """The person named right before the last verb of saying before the quotation ("He
    testified about a meeting when Sondland told …"); nobody when no name stands right before
    it ("Ann Smith, whom John Jones praised, called it “…”" is left to the subject rules)."""
    said = [
        verb
        for verb in re.finditer(r"[a-z]+", text)
        if verb.group() in verbs and not verb.group().endswith("ing")
    ]
    if not said:
        return None
    start = said[-1].start()
    found = None
    for person in named:
        gap = text[person.char_end : start]
        if NEARER_GAP.fullmatch(gap) or (
            APPOSITIVE_GAP.fullmatch(gap) and re.search(r",\s*$", text[: person.char_start])
        ):
            found = person
    return found


def _fragment_speaker(
    raw: _Raw,
    paragraph: _Paragraph,
    people: Sequence[PersonMention],
    bodies: Sequence[NamedSpan],
    verbs: frozenset[str],
    last_speaker: tuple[str, int] | None,
    last_body: str | None,
    unquoted: Sequence[PersonMention] | None = None,
    subjects: frozenset[tuple[int, str]] = frozenset(),
) -> tuple[str | None, str | None]:
    """Who says the words quoted inside a sentence: the subject of its first verb of saying
    ("Iwaya urged Beijing to “…”", "China called the release “…”"), the person a "who" refers
    to ("Zhao Leji, the chairman …, who told the visitors …"), or a parenthetical attribution
    ("ASEAN, he added, had to avoid being “…”"). Nobody when the subject names no one."""
    sentence = raw.first_sentence
    begin = paragraph.sentence_start(sentence)
    local = raw.start - begin
    text = paragraph.text[begin : raw.start]
    pool = people if unquoted is None else unquoted
    aside = re.search(r",\s*(he|she)\s+(?:said|added|noted|wrote)\s*,", text)
    if aside:
        pronoun = _pronoun(aside.group(1), sentence, pool, last_speaker, aside.start(1), subjects)
        return pronoun, aside.group(1)
    verb = next(
        (m for m in re.finditer(r"[a-z]+", text) if m.group() in verbs),
        None,
    )
    if verb is None:
        return None, None
    subject = text[: verb.start()]
    if (
        verb.group().endswith("ing")
        and not subject.rstrip().endswith(",")
        and not _governed(subject)
    ):
        # "with one commentary saying …": the words right before the participle say, not the
        # sentence's subject (as in "Sondland was known for telling others …")
        return None, None
    named = [p for p in people if p.sentence_index == sentence and p.char_end <= local]
    who = re.search(r"\bwho\s+(?:\w+\s+)?$", subject)
    if who:
        # the person a relative clause refers to: the one named right before it, an
        # appositive between them ("Zhao Leji, the chairman …, who told"); not "Sondland's
        # appearance follows the testimony of an officer who described …"
        before = [p for p in named if p.char_end <= who.start()]
        if before and re.match(r"\s*(?:,|$)", subject[before[-1].char_end : who.start()]):
            return before[-1].entity_id, before[-1].name
        return None, None
    later = _nearer_speaker(text, named, verbs)
    if later is not None:
        # "He testified about a meeting when Sondland told officials they would need to
        # “deliver”": the words are of the nearer clause's speaker
        return later.entity_id, later.name
    intro = re.match(r"([A-Z][a-z]+)\b[^,]*,\s*", subject)
    offset = intro.end() if intro and intro.group(1).lower() in INTRODUCTIONS else 0
    clause = list(re.finditer(r"(?:,\s+(?:but|while|whereas)|;)\s+", subject))
    if clause:
        offset = max(offset, clause[-1].end())
    in_subject = [p for p in named if offset <= p.char_start < len(subject)]
    if in_subject:
        return in_subject[0].entity_id, in_subject[0].name
    description = subject[offset:].strip()
    described = _described(description, sentence, offset, pool) if description else None
    if described is not None:
        # "The president said on Tuesday that China “is going to …”": the one person the
        # article introduced as president
        return described, description
    right_before = re.search(r"\b([Hh]e|[Ss]he)\s+(?:[a-z]+ly\s+|also\s+|later\s+)?$", subject)
    if right_before:
        pronoun = right_before.group(1)
        spoke = _pronoun(
            pronoun.lower(), sentence, pool, last_speaker, right_before.start(1), subjects
        )
        return spoke, pronoun
    if re.match(r"\s*(It|They)\b", subject[offset:]):
        return last_body, None
    if re.match(r"\s*(He|She)\b", subject[offset:]):
        pronoun = subject[offset:].split()[0]
        position = offset + len(subject[offset:]) - len(subject[offset:].lstrip())
        spoke = _pronoun(pronoun.lower(), sentence, pool, last_speaker, position, subjects)
        return spoke, pronoun
    spoken_for = [
        b for b in bodies if b.sentence_index == sentence and offset <= b.char_start < len(subject)
    ]
    if spoken_for:
        return spoken_for[0].entity_id, None
    return None, None
