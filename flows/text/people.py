"""People in an article: everyone it names, curated or not, with a stable id, the role the
article gives them, and later mentions by surname. English news-writing cues only.

A run of capitalized words is a person when the seeds know the name (a curated alias), or when
news writing marks it as one: a title or role before it ("Foreign Minister Takeshi Iwaya"),
an attribution verb after it ("Iwaya said") or one that puts its subject after it before
it ("said Ian Chong", not "accused Big Machine"), an appositive ("Stephen Nagy, a
professor at …"), a known given name first ("Michael Jordan"), or a family name written first
with a hyphenated given name ("Cho Tae-yul"). A run that contains a word of an organization,
place, event or time ("Institute", "Party", "Year", "Tuesday"), or that is the name of a
curated country, place or organization ("Hong Kong"), or that is all the text between
quotation marks (a title), is never a person; a curated country, demonym or place before a
name is not part of it ("American Kevin King"). A bare surname counts after the person was
named in full in the same article, the most recent such person winning, and so do the last
two or more words of a name ("Hawk Sawyer") and the name with an initial, a suffix or a short
given name more or less ("Pat Carlineo" after "Patrick W. Carlineo Jr."); a curated surname
marked `stands_alone` counts without ("Trump said").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import regex

from flows.text.tokens import TOKEN

# Bump when the rules below change, with dbt_project.yml's derivation_rules: a new version
# re-derives the history. people-4: other languages' cues (seed person_cues); people-5: no
# person in a credit line, a describing compound before a given name is not part of the name;
# people-6: glued names cut apart, middle names, roles as written ("Okinawa Gov."); people-7:
# no new name in a title-case headline, a name before a place's word is the place's; people-8:
# no given-name cue from a syllable given only where the family name comes first ("Goo Goo
# Dolls"), which after a family name is one ("Liu He"); a possessive's office is not its name;
# people-9: a given name set in parentheses before a surname ("Coach (Frank) Vogel"), a
# family name first with its country's given names is the surname ("Li Jifeng"), a compound
# of two given names is one ("Hans-Peter"); people-10: a closing quotation mark and a comma end
# the phrase before a name ("… put in,” Dylan Nelson said" is no place "in Dylan Nelson"), a word
# glued to a digit is a code ("LCOc1"), an appositive or a company's word that names a thing
# ("…, the U.S. military operation", "Sierra Nevada Corporation") is no person's, a first word
# the article never writes in lower case may be a given name no list knows; an id leaves out
# middle initials ("Michael R. Bloomberg" is michael-bloomberg)
PEOPLE_RULES_VERSION = "people-10"
# The language the cues, titles, verbs and pronouns below are written in: people and quotes are
# looked for only in articles detected in it (int_sentences__tokenized.language).
RULES_LANGUAGE = "en"

# A word that may be part of a name: letters, with inner hyphens or apostrophes ("Tae-yul",
# "O'Brien"), or an initial ("J.").
WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-](?=[^\W\d_]))*\.?")
PARTICLES = frozenset("al bin binti da de del der di dos du el ibn la le van von".split())
SUFFIXES = frozenset("jr jr. sr sr. ii iii iv".split())
PRONOUN_GENDER = {"he": "male", "him": "male", "his": "male", "she": "female", "her": "female"}
# Capitalized words that start sentences and clauses but never names.
FUNCTION_WORDS = frozenset(
    """a about according after against all also although an and another any as at because
    before but by despite during each either even every for from given he her here hey his
    how however i if in inside instead into it its last later like many maybe meanwhile more most
    mr mrs ms
    much my neither next no nor not now of on once one only or other our over perhaps since so some
    such than that the their them then there these they this those though through thus to
    under unlike until upon us we what when where whether which while who whose why with
    within without yet you""".split()
)


APPOSITIVE_STARTS = ("a", "an", "the", "who", "its", "his", "her")


def appositive(starts: Iterable[str]) -> re.Pattern[str]:
    """ ", <a word that opens an appositive> …" up to the next comma, period or semicolon."""
    words = "|".join(sorted({re.escape(w) for w in starts}, key=len, reverse=True))
    return re.compile(rf"^,\s+((?:{words})\b(?:[^,;:]|,(?=\d))*|\d{{1,3}})(?=,|\.|;|$)")


APPOSITIVE = appositive(APPOSITIVE_STARTS)

AUXILIARIES = frozenset(("has", "had", "also", "later"))  # "Iwaya has said", "Iwaya also said"
# Verbs of saying whose subject may follow them ("said Ian Chong"); after the others a name is
# their object ("accused Big Machine", "told Agence France-Presse").
INVERTING_VERBS = frozenset(
    """added adds argued argues asked commented comments concluded continued explained explains
    insisted noted notes recalled remarked replied said says stated wrote writes""".split()
)
# Right before a name, these make it a thing or a place: "the Sierra Madre", "in Mong Kok".
NOT_BEFORE_A_PERSON = frozenset("the a an in at near inside outside via across throughout".split())
# The word right before a name, in its clause: a comma, a stop or a closing quotation mark
# between them ends the phrase ("… you put in,” Dylan Nelson said" is no place "in Dylan Nelson").
WORD_BEFORE = re.compile(r"(\w+)[^\w,.;:!?”\"]*$")
# Words of places and organizations (seed not_person_words) that follow a person's name in
# lower case as readily as a place's ("the Biden administration", "a Smith campaign"): after
# a name they say nothing of what it names. After it, the others make the name a place's or an
# institution's ("Walter Reed hospital", "Forest Hill police", "Sierra Nevada foothills").
NAME_HEAD_KINDS = ("place", "organization")
AFTER_ANY_NAME = frozenset(
    """administration cabinet campaign company corporation foundation fund government group
    house initiative media network news office post press program programme project security
    service services team union""".split()
)


@dataclass(frozen=True)
class CuratedPerson:
    entity_id: str
    names: tuple[str, ...]  # full-name aliases as written in the seeds
    surname: str | None = None
    stands_alone: bool = False


@dataclass(frozen=True)
class Lexicon:
    """What the rules know, from the seeds and the given-name list."""

    curated: tuple[CuratedPerson, ...] = ()
    titles: frozenset[str] = frozenset()  # lower-case words of titles and roles
    attribution_verbs: frozenset[str] = frozenset()  # said, says, told, …
    not_person_words: frozenset[str] = frozenset()  # Institute, Party, Year, Tuesday, …
    # words of places and institutions that, in lower case right after a name, make it theirs
    name_heads: frozenset[str] = frozenset()
    family_name_first: frozenset[str] = frozenset()  # Cho, Wang, Kim: written first
    non_person_names: frozenset[str] = frozenset()  # lower-case names of curated non-persons
    curated_ids: frozenset[str] = frozenset()  # every curated entity id (for collisions)
    given_names: dict[str, str] = field(default_factory=dict)  # lower-case name -> gender
    # those a name starts with where it is written given name first (given_names_written_first)
    given_names_written_first: frozenset[str] = frozenset()
    given_names_after: frozenset[str] = frozenset()  # given_names_written_after
    # The language's own cues (seed person_cues), beside the English ones below; English
    # articles read the English ones alone.
    language: str = RULES_LANGUAGE
    function_words: frozenset[str] = field(default_factory=lambda: FUNCTION_WORDS)
    not_before: frozenset[str] = field(default_factory=lambda: NOT_BEFORE_A_PERSON)
    inverting_verbs: frozenset[str] = field(default_factory=lambda: INVERTING_VERBS)
    auxiliaries: frozenset[str] = field(default_factory=lambda: AUXILIARIES)
    according_to: tuple[str, ...] = ("according to",)
    of_words: str = "of"  # "<place word> of <name>": an alternation for a regular expression
    appositive: re.Pattern[str] = field(default_factory=lambda: APPOSITIVE)
    # credit lines: words anywhere in the sentence ("reporting by"), words that open it ("by")
    credits: re.Pattern[str] | None = None
    opening_credits: tuple[str, ...] = ()
    by_name: dict[tuple[str, ...], CuratedPerson] = field(default_factory=dict)
    standalone: dict[str, CuratedPerson] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for person in self.curated:
            for name in person.names:
                self.by_name[name_key(name)] = person
            if person.surname and person.stands_alone:
                self.standalone[person.surname.lower()] = person


@dataclass(frozen=True)
class Sentence:
    index: int
    text: str
    # its runs of capitalized words as the workers found them (``name_runs``); found again
    # from the text when not given
    runs: tuple[tuple[int, ...], ...] | None = None


@dataclass(frozen=True)
class PersonMention:
    """One mention of a person: where it is, who it is, and how it was recognised."""

    sentence_index: int
    token_position: int  # 1-based, as in macros/tokens.sql
    token_count: int
    char_start: int  # within the sentence
    char_end: int
    entity_id: str
    is_curated: bool
    name: str  # as written here
    full_name: str  # the person's full name as first written in full in the article
    stated_role: str | None  # the role the article gives the person, first time it does
    match_type: str  # name | surname | standalone
    # curated | title | verb | appositive | given_name | family_name | surname_said | surname
    cue: str
    gender: str | None = None  # from the given name, where it is known


@dataclass
class _Person:
    entity_id: str
    is_curated: bool
    full_name: str
    words: frozenset[str]
    surnames: tuple[str, ...]
    stated_role: str | None = None
    gender: str | None = None
    key: tuple[str, ...] = ()  # the name's words in order (name_key)


@dataclass(frozen=True)
class _Run:
    """A run of capitalized words in a sentence, with what stands right before and after."""

    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    prefix: tuple[str, ...]  # titles, demonyms and possessives stripped from the front
    run_start: int = 0  # where the run, prefix included, starts


def name_key(name: str) -> tuple[str, ...]:
    """Lower-case tokens of a name without initials: "Donald J. Trump" -> (donald, trump)."""
    words = [w.lower() for w in TOKEN.findall(fold(name))]
    return tuple(w for w in words if len(w) > 1 or not w.isalpha())


def fold(text: str) -> str:
    """Without accents, with plain apostrophes."""
    if text.isascii():
        return text
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).replace("’", "'")


def slug(name: str) -> str:
    """The seeds' id rule: lower-case ASCII words joined by '-' ("Cho Tae-yul" -> cho-tae-yul)."""
    ascii_name = fold(name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")


INITIAL = re.compile(r"[A-Z]\.?$")  # "R.", "R": a middle initial


def person_id(full_name: str, lexicon: Lexicon) -> str:
    """A discovered person's id: the slug of the full name without its middle initials, so
    that "Michael R. Bloomberg" and "Michael Bloomberg" in two articles are one person
    (`michael-bloomberg`); a name of initials and one word keeps them ("J. K. Rowling"); a
    suffix where the slug is already a curated entity's id. The ids earlier rules gave (the
    slug of the name as written) stay findable: dim_entities.former_ids."""
    words = full_name.split()
    kept = [w for w in words if not INITIAL.match(w)]
    base = slug(" ".join(kept) if len(kept) >= 2 else full_name)
    candidate, number = base, 2
    while candidate in lexicon.curated_ids:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _token_position(text: str, start: int) -> int:
    """1-based position of the token that starts at (or contains) character ``start``."""
    return len(TOKEN.findall(text[:start])) + (0 if start and TOKEN.match(text[start - 1]) else 1)


def _token_count(text: str, start: int, end: int) -> int:
    return len(TOKEN.findall(text[start:end]))


def _is_capitalized(word: str) -> bool:
    return word[0].isupper()


def _is_initial(word: str) -> bool:
    return len(word) == 2 and word[0].isupper() and word[1] == "."


def _bare(word: str) -> str:
    """A word without a possessive or a trailing period, lower-cased."""
    word = word.rstrip(".")
    for ending in ("'s", "’s"):
        if word.endswith(ending):
            word = word[: -len(ending)]
    return word.lower()


# (a word glued to a digit is a code, not a name: "Brent LCOc1", "CLc1")
_CAPITALIZED = r"\p{Lu}[\p{L}\p{M}]*+(?:['’\-]\p{L}[\p{L}\p{M}]*+)*+(?![\p{N}])"
_PART = rf"(?:\p{{Lu}}\.(?=\s)|{_CAPITALIZED})"
_PARTICLE = "(?:" + "|".join(sorted(PARTICLES)) + ")"
# Capitalized words (and initials) joined by single spaces, particles allowed inside.
RUN = regex.compile(rf"(?<![\p{{L}}\p{{M}}\p{{N}}])(?:{_PART})(?: (?:{_PARTICLE} )*(?:{_PART}))*")


@dataclass(frozen=True)
class _Shifted:
    """A word of a run, with its offsets in the sentence."""

    text: str
    begin: int
    finish: int

    def group(self) -> str:
        return self.text

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish


def _strip_prefix(text: str, matches: Sequence[_Shifted], lexicon: Lexicon) -> _Run:
    """Split a run into what stands before the name and the name: leading function words, and
    everything up to the last title word that a name follows ("Former South Korean Foreign
    Minister | Cho Tae-yul", "Industry Minister | Kim Jung-kwan")."""
    words = [m.group() for m in matches]
    cut = 0
    while cut < len(words) - 1 and _bare(words[cut]) in lexicon.function_words:
        cut += 1
    for position in range(len(words) - 2, cut - 1, -1):
        if _bare(words[position]) in lexicon.titles:
            cut = position + 1
            break
    else:
        # "American Kevin King", "envoy to Ukraine Kurt Volker": a curated country, demonym,
        # place or organization before two or more words is not part of the name
        for size in (3, 2, 1):
            lead = " ".join(_bare(w) for w in words[cut : cut + size])
            if len(words) - cut - size >= 2 and lead in lexicon.non_person_names:
                cut += size
                break
    # "Singer-guitarists Tom Johnston", "Co-founders Ana Ruiz": a compound in lower case after
    # its hyphen, before a given name with a name still to follow, describes the person
    # (names' compounds are capitalized: "Ocasio-Cortez"; a Korean given name's second part
    # is not, but it does not stand before another given name)
    if (
        len(words) - cut >= 3
        and re.fullmatch(r"[^\W\d_]+-[a-z][\w\-]*", words[cut])
        and _bare(words[cut]) not in lexicon.given_names
        and _bare(words[cut + 1]) in lexicon.given_names
    ):
        cut += 1
    kept = matches[cut:]
    return _Run(
        tuple(m.group() for m in kept),
        tuple(m.start() for m in kept),
        tuple(m.end() for m in kept),
        tuple(words[:cut]),
        matches[0].start(),
    )


def _role_before(text: str, run: _Run, lexicon: Lexicon) -> str | None:
    """The title words right before the name, with their demonym or possessive: "Japanese
    Foreign Minister" in "Japanese Foreign Minister Takeshi Iwaya"."""
    prefix = [w for w in run.prefix if _bare(w) not in lexicon.function_words]
    # "Secretary of State Marco Rubio": the title goes on before an "of"
    of_title = re.search(r"((?:[A-Z][\w'’\-]*\s)+of\s)$", text[: run.run_start])
    if prefix and of_title and _bare(of_title.group(1).split()[0]) in lexicon.titles:
        prefix = [*of_title.group(1).split(), *prefix]
    if not any(_bare(w) in lexicon.titles for w in prefix):
        # a role in lower case right before the name: "the ministry's spokesperson Lin Jian"
        before = list(re.finditer(r"[\w'’\-]+", text[: run.starts[0]]))
        role: list[re.Match[str]] = []
        while before and before[-1].group().lower() in lexicon.titles:
            role.insert(0, before.pop())
        while (
            role
            and before
            and before[-1].group()[0].isupper()
            and before[-1].group().lower() not in lexicon.function_words
        ):
            role.insert(0, before.pop())  # "Hong Kong leader"
        if not role:
            return None
        return _as_written(text, [w.group() for w in role], role[0].start(), run.starts[0])
    start = text.rfind(prefix[0], 0, run.starts[0])
    return _as_written(text, prefix, start, run.starts[0]) or None


def _as_written(text: str, words: list[str], start: int, name_start: int) -> str:
    """Title words as the sentence writes them, from ``start`` up to the name: abbreviations
    keep their points ("Okinawa Gov.", "Sen.", "Lt. Col.") and "U.S." its first letter, which
    the words alone leave out ("Okinawa Gov", "S. President")."""
    if start < 0:
        return " ".join(words).rstrip(",")
    initials = re.search(r"(?:\b[A-Z]\.)+$", text[:start])  # the "U." of "U.S."
    if initials:
        start = initials.start()
    written = " ".join(text[start:name_start].split()).rstrip(",")
    return written if len(written) <= 2 * len(" ".join(words)) + 4 else " ".join(words)


def _role_after(text: str, end: int, lexicon: Lexicon) -> str | None:
    """An appositive right after the name: "…, a professor at the university, said"."""
    match = lexicon.appositive.match(text[end:].removeprefix("."))
    if not match:
        return None
    role = match.group(1).strip().rstrip(".")
    return None if role.isdigit() else role


# Where an appositive's post ends and what it is of, at, for … begins.
POST_END = re.compile(r"\s(?:of|at|for|in|with|from|against|on|to|that|which|based)\s")


def _names_a_thing(role: str, lexicon: Lexicon) -> bool:
    """An appositive whose head is an institution's, a place's or an event's word: "Inherent
    Resolve, the U.S. military operation against …" names no person."""
    post = POST_END.split(role, maxsplit=1)[0].split()
    return bool(post) and _bare(post[-1]) in lexicon.not_person_words


def _verb_after(text: str, end: int, lexicon: Lexicon) -> bool:
    following = re.match(r"^\s*(?:,([^,]{0,80}),\s*)?(\w+)(?:\s+(\w+))?", text[end:])
    if not following:
        return False
    if following.group(1) and _names_a_thing(following.group(1).strip(), lexicon):
        return False  # "Inherent Resolve, the U.S. military operation …, told"
    _, first, second = (g.lower() if g else "" for g in following.groups())
    if first in lexicon.attribution_verbs:
        return True
    return first in lexicon.auxiliaries and second in lexicon.attribution_verbs


def _verb_before(text: str, start: int, lexicon: Lexicon) -> bool:
    before = text[:start].rstrip().lower()
    words = re.findall(r"\w+", before)
    if before.endswith(lexicon.according_to):
        return True
    return (
        bool(words)
        and words[-1] in lexicon.attribution_verbs
        and words[-1] in lexicon.inverting_verbs
        and not before.endswith(",")
    )


def _surnames(words: Sequence[str], lexicon: Lexicon) -> tuple[str, ...]:
    """How the article may refer to the person later: the family name."""
    core = [_bare(w) for w in words if not _is_initial(w) and _bare(w) not in SUFFIXES]
    core = [w for w in core if w not in PARTICLES]
    if not core:
        return ()
    first, last = core[0], core[-1]
    family_first = (
        first in lexicon.family_name_first
        and (
            (len(core) == 2 and ("-" in words[-1] or last not in lexicon.given_names))
            # "Li Jifeng", "Tran Van Hung": given names of the family-name-first countries only
            or (
                len(core) in (2, 3)
                and all(
                    fold(w) in lexicon.given_names_after
                    and w not in lexicon.given_names_written_first
                    for w in core[1:]
                )
            )
        )
    )
    return (first,) if family_first else (last,)


def _is_blocked(run_words: Sequence[str], lexicon: Lexicon) -> bool:
    """A run that names something else: a word of an organization, place, event or time, a
    word in capitals (a dateline, a ship's prefix: "DES MOINES", "BRP Sierra Madre"), or the
    name of a curated country, place or organization."""
    bare = [_bare(w) for w in run_words]
    if any(w in lexicon.not_person_words for w in bare):
        return True
    if any(len(w) > 1 and w.isupper() and not _is_initial(w) for w in run_words):
        return True
    return " ".join(bare) in lexicon.non_person_names


def _is_a_thing_or_place(text: str, run: _Run, start: int, lexicon: Lexicon) -> bool:
    """ "The Sierra Madre", "in Mong Kok": a determiner or place word right before a name with
    no title makes it a thing or a place, not a person."""
    if any(_bare(w) in lexicon.titles for w in run.prefix):
        return False
    if run.prefix:
        return _bare(run.prefix[-1]) in lexicon.not_before
    before = WORD_BEFORE.search(text[:start])
    if before and before.group(1).lower() in lexicon.not_before:
        return True
    # "the northern province of Yen Bai", "the University of Tokyo", "l'île de Ly Son"
    of_a_place = re.search(rf"(\w+)\s+(?:{lexicon.of_words})\s*$", text[:start])
    return of_a_place is not None and of_a_place.group(1).lower() in lexicon.not_person_words


def _said_surnames(sentences: Sequence[Sentence], lexicon: Lexicon) -> frozenset[str]:
    """The single capitalized words an article makes the subject of a verb of saying ("James
    said", "said Vogel"): how news copy refers to a person it named in full, so a run of names
    ending in one of them is a person though nothing else said so ("To LeBron James, …")."""
    found = set()
    for sentence in sentences:
        text = sentence.text
        for words_of_run in _runs_of(sentence):
            if len(words_of_run) != 1:
                continue
            start, end = _trimmed(text, words_of_run[0].begin, words_of_run[0].finish)
            word = text[start:end].lower()
            if (
                word in lexicon.function_words
                or word in lexicon.not_person_words
                or word in lexicon.non_person_names
                or not text[start:end].isalpha()
                or text[start:end].isupper()
            ):
                continue
            before = WORD_BEFORE.search(text[:start])
            if before and before.group(1).lower() in lexicon.not_before:
                continue  # "the Bank said": a body, not a person
            if _verb_after(text, end, lexicon) or _verb_before(text, start, lexicon):
                found.add(word)
    return frozenset(found)


LOWERCASE_WORD = re.compile(r"(?<![\w'’\-])[a-z][a-z'’\-]*")
# Endings of English words that open a sentence with a capital and are no given name: adverbs,
# days, verb forms, adjectives and demonyms (American, Brazilian, Conservative, Arsenal), and
# nouns of people's roles (Lawyer, Activist, Freshman, Sophomore).
NOT_GIVEN_ENDINGS = (
    *"ly day days ing ed an ian ese ish ic al ive ous ful less ent ant ary ory ery".split(),
    *"er or ore ist man men ism ity ness ship".split(),
)


def _unknown_given_name(word: str, lowercase: frozenset[str], lexicon: Lexicon) -> bool:
    """A first word that may be a given name no list knows ("Eyamba Sowers didn't know …"):
    the article never writes it in lower case, it is no word the rules know (a function word, a
    title, a word of things, a curated name) and has no ending of an English word's kind."""
    return (
        word.isalpha()
        and len(word) > 2
        and word not in lowercase
        and word not in lexicon.function_words
        and word not in lexicon.titles
        and word not in lexicon.not_person_words
        and word not in lexicon.attribution_verbs
        and word not in lexicon.non_person_names
        and not word.endswith(NOT_GIVEN_ENDINGS)
    )


# A company's words: the name before one is the company's wherever the article writes it
# ("Sierra Nevada Corporation" … "Sierra Nevada"); a foundation's, a school's or a centre's
# name is often a person's ("the Bill & Melinda Gates Foundation"), so those are not here.
COMPANY_WORDS = frozenset(
    "co corp corporation company inc ltd holdings industries systems technologies".split()
)


def _names_of_things(
    sentences: Sequence[Sentence], lexicon: Lexicon
) -> tuple[frozenset[tuple[str, ...]], frozenset[tuple[str, ...]]]:
    """The names an article puts right before a place's or an institution's word in lower case
    ("Walter Reed hospital", "Forest Hill police", "the Sierra Nevada foothills"): a place's
    or a building's name there and in the rest of the article, not a person's; and the names
    before a company's word ("Sierra Nevada Corporation"), which elsewhere in the article are
    the company's unless more than a given name says they are a person's ("Founder Charles
    Schwab said")."""
    found = set()
    companies = set()
    for sentence in sentences:
        text = sentence.text
        for words_of_run in _runs_of(sentence):
            if len(words_of_run) < 2:
                continue
            run = _strip_prefix(text, words_of_run, lexicon)
            if text.endswith(("'s", "’s"), run.starts[0], run.ends[-1]):
                continue  # "Public Ombudsman Nadia Cruz’s office": whose office, not its name
            start, end = _trimmed(text, run.starts[0], run.ends[-1])
            head = re.match(r" ([a-z]+)\b", text[end:])
            if head and head.group(1) in lexicon.name_heads:
                found.add(name_key(text[start:end]))
            if len(run.words) >= 3 and _bare(run.words[-1]) in COMPANY_WORDS:
                # "Sierra Nevada Corporation": "Sierra Nevada" is the company in the article
                companies.add(
                    name_key(text[start : _trimmed(text, run.starts[0], run.ends[-2])[1]])
                )
    return frozenset(found), frozenset(companies)


def _title_case(text: str, lexicon: Lexicon) -> bool:
    """A headline in title case ("Jonas Brothers Added to 2019 American Music Awards Lineup"):
    every word but the small ones capitalized, so that a run of capitals is no sign of a name."""
    if re.search(r"@\w", text):
        return False  # a tweet's signature ("— Jane Doe (@janedoe) November 18, 2019")
    words = re.findall(r"[^\W\d_][\w'’.-]*", text)
    content = [w for w in words if w.lower() not in lexicon.function_words]
    return len(content) >= 4 and all(w[0].isupper() for w in content)


def find_people(sentences: Iterable[Sentence], lexicon: Lexicon) -> list[PersonMention]:
    """Every mention of a person in one article's sentences, in order."""
    # a credit line's names are the journalists' (credit_line): it is read for nobody
    sentences = [s for s in sentences if not credit_line(s.text, lexicon)]
    said = _said_surnames(sentences, lexicon)
    lowercase = (
        frozenset(w for s in sentences for w in LOWERCASE_WORD.findall(s.text))
        if said
        else frozenset()
    )
    things, companies = _names_of_things(sentences, lexicon)
    people: list[_Person] = []
    by_surname: dict[str, _Person] = {}
    mentions: list[PersonMention] = []

    def remember(person: _Person) -> None:
        if person not in people:
            people.append(person)
        for surname in person.surnames:
            by_surname[surname] = person

    def emit(
        sentence: Sentence, start: int, end: int, person: _Person, match_type: str, cue: str
    ) -> None:
        mentions.append(
            PersonMention(
                sentence_index=sentence.index,
                token_position=_token_position(sentence.text, start),
                token_count=_token_count(sentence.text, start, end),
                char_start=start,
                char_end=end,
                entity_id=person.entity_id,
                is_curated=person.is_curated,
                name=sentence.text[start:end],
                full_name=person.full_name,
                stated_role=person.stated_role,
                match_type=match_type,
                cue=cue,
                gender=person.gender,
            )
        )

    def curated_person(curated: CuratedPerson, written: str) -> _Person:
        first_name = name_key(curated.names[0])[0] if name_key(curated.names[0]) else ""
        return _known(people, curated.entity_id) or _Person(
            curated.entity_id,
            True,
            written,
            frozenset(name_key(written)),
            (curated.surname.lower(),) if curated.surname else (),
            gender=lexicon.given_names.get(first_name) or None,
        )

    for sentence in sentences:
        text = sentence.text
        headline = _title_case(text, lexicon)
        for words_of_run in _runs_of(sentence):
            run = _strip_prefix(text, words_of_run, lexicon)
            words, starts, ends = list(run.words), list(run.starts), list(run.ends)
            start, end = _trimmed(text, starts[0], ends[-1])
            if len(words) == 1:
                # one word: a surname of someone already named, or a curated one that stands
                # alone ("Trump", "President Trump"); never a new person
                word = text[start:end].lower()
                if word in lexicon.function_words or word in lexicon.not_person_words:
                    continue
                if word in by_surname:
                    emit(sentence, start, end, by_surname[word], "surname", "surname")
                elif (word,) in lexicon.by_name:
                    person = curated_person(lexicon.by_name[(word,)], text[start:end])
                    _learn_role(person, text, run, end, lexicon)
                    remember(person)
                    emit(sentence, start, end, person, "name", "curated")
                elif word in lexicon.standalone:
                    curated = lexicon.standalone[word]
                    person = curated_person(curated, curated.names[0])
                    if person not in people:
                        people.append(person)
                    emit(sentence, start, end, person, "standalone", "curated")
                elif (given := _given_in_parentheses(text, start, lexicon)) and not headline:
                    # "Coach (Frank) Vogel": the writer added the given name to a surname
                    full_name = f"{given.group(1)} {text[start:end]}"
                    key = name_key(full_name)
                    person = _same_person(people, frozenset(key)) or _Person(
                        person_id(full_name, lexicon),
                        False,
                        full_name,
                        frozenset(key),
                        (word,),
                        gender=lexicon.given_names.get(key[0]) or None,
                        key=key,
                    )
                    remember(person)
                    emit(sentence, given.start(), end, person, "name", "given_name")
                continue
            inside = _curated_inside(text, words, starts, ends, lexicon)
            if inside is not None:
                curated, begin, finish = inside
                person = curated_person(curated, text[begin:finish])
                _learn_role(person, text, run, finish, lexicon)
                remember(person)
                emit(sentence, begin, finish, person, "name", "curated")
                continue
            if _is_blocked(words, lexicon):
                continue
            if _bare(words[-1]) in lexicon.titles and _bare(words[0]) not in lexicon.given_names:
                continue  # "said Special Envoy …", "Deputy Chief": a post, not a name
            if _bare(words[-1]) in lexicon.titles and re.match(r"\.\s+[A-Z]", text[ends[-1] :]):
                continue  # "Montana Gov. Greg Gianforte": a place and a title, then the name
            if _is_a_thing_or_place(text, run, start, lexicon):
                continue
            if _is_quoted_whole(text, run.run_start, ends[-1]):
                continue  # “Mary Poppins”, “Long Train Running,”: a title, not a person
            key = name_key(text[start:end])
            if len(key) < 2 or key in things:
                continue
            named = _named_by_last_words(people, key)
            if named is not None:
                # "Eriksson Ek" after "Joel Eriksson Ek": a surname of more than one word
                emit(sentence, start, end, named, "surname", "surname")
                continue
            cue = _cue(text, run, words, end, lexicon)
            if cue == "given_name" and key in companies:
                # "Sierra Nevada" after "Sierra Nevada Corporation": the company, unless a verb
                # of saying says a person ("…,” Ralph Lauren said" after "Ralph Lauren Corp")
                if not (
                    _verb_after(text, end, lexicon) or _verb_before(text, run.starts[0], lexicon)
                ):
                    continue
                cue = "verb"
            if (
                cue is None
                and len(key) <= 3
                and set(_surnames(words, lexicon)) & said
                and (
                    re.search(r"\w", text[: starts[0]])
                    # at a sentence's start, a first word the article never writes in lower
                    # case, so no capital of sentence case ("Eyamba Sowers didn't know …")
                    or (
                        len(key) == 2
                        and key[-1] not in by_surname  # no one named already: not theirs
                        and _unknown_given_name(key[0], lowercase, lexicon)
                    )
                )
            ):
                cue = "surname_said"  # "To LeBron James, …" and later "James said"
            if cue is None:
                continue
            known = (
                _same_person(people, frozenset(key))
                or _short_given_name(people, key)
                or _middle_names_apart(people, key)
            )
            if known is not None:
                person = known
            elif headline:
                continue  # "Billie Eilish Lead …": where every word is capitalized, no new name
            else:
                full_name = text[start:end]
                person = _Person(
                    person_id(full_name, lexicon),
                    False,
                    full_name,
                    frozenset(key),
                    _surnames(words, lexicon),
                    gender=lexicon.given_names.get(key[0]) or None,
                    key=key,
                )
            _learn_role(person, text, run, end, lexicon)
            remember(person)
            emit(sentence, start, end, person, "name", cue)
    # the role an article gives a person holds for all of its mentions there
    roles = {p.entity_id: p.stated_role for p in people}
    return [
        PersonMention(**{**m.__dict__, "stated_role": roles.get(m.entity_id)}) for m in mentions
    ]


def name_runs(text: str) -> tuple[tuple[int, ...], ...]:
    """The runs of capitalized words (and initials) of a sentence that may name a person, a
    possessive ending a run: each run the (start, end) offsets of its words, flattened. What
    the workers store; whether a run is a person is decided with the seeds (``find_people``)."""
    return tuple(
        tuple(offset for word in run for offset in (word.begin, word.finish))
        for run in _split_at_possessives(RUN.finditer(text))
    )


def _runs_of(sentence: Sentence) -> Iterator[list[_Shifted]]:
    if sentence.runs is None:
        runs: Iterable[list[_Shifted]] = _split_at_possessives(RUN.finditer(sentence.text))
    else:
        text = sentence.text
        runs = (
            [_Shifted(text[run[i] : run[i + 1]], run[i], run[i + 1]) for i in range(0, len(run), 2)]
            for run in sentence.runs
        )
    for run in runs:
        yield from _unglued(run)


# Two words of a page's furniture run together, a capital after three small letters inside a
# word ("Ocasio-CortezAlexandria", "TwitterShare"): no name is written so (McDonald, DeSantis,
# MacArthur and LeBron have fewer small letters before their second capital).
GLUED = re.compile(r"[a-z]{3}[A-Z]")


def _unglued(run: list[_Shifted]) -> Iterator[list[_Shifted]]:
    """A run cut where page furniture glued two words together: "Rep. Ilhan OmarIlhan Omar"
    is "Rep. Ilhan Omar", then "Ilhan Omar". Only after a word of the run: a run's first
    word so written is a brand ("WoodSpring Suites"), not a name and the next one."""
    current: list[_Shifted] = []
    for word in run:
        glued = GLUED.search(word.text) if current else None
        while glued is not None:
            cut = glued.start() + 3
            current.append(_Shifted(word.text[:cut], word.begin, word.begin + cut))
            yield current
            current = []
            word = _Shifted(word.text[cut:], word.begin + cut, word.finish)
            glued = GLUED.search(word.text)
        current.append(word)
    if current:
        yield current


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """A name's span without a possessive or a sentence's final period: "Iwaya's" -> Iwaya."""
    if text.endswith(("'s", "’s"), start, end):
        end -= 2
    return start, end


def _words_of(match: regex.Match[str]) -> list[_Shifted]:
    offset = match.start()
    return [
        _Shifted(w.group(), w.start() + offset, w.end() + offset)
        for w in WORD.finditer(match.group())
    ]


def _split_at_possessives(matches: Iterable[regex.Match[str]]) -> Iterator[list[_Shifted]]:
    """The words of each run, a possessive ending a run: "Trump's July 25 call" is Trump's,
    then July; "Japan's Foreign Minister Takeshi Iwaya" is Japan's, then the minister."""
    for match in matches:
        current: list[_Shifted] = []
        for word in _words_of(match):
            current.append(word)
            if word.text.endswith(("'s", "’s")):
                yield current
                current = []
        if current:
            yield current


def _curated_inside(
    text: str, words: list[str], starts: list[int], ends: list[int], lexicon: Lexicon
) -> tuple[CuratedPerson, int, int] | None:
    """The longest curated person's name inside a run ("Xi Jinping" in "Xi Jinping Thought")."""
    keys = [name_key(_bare_possessive(word)) for word in words]
    for size in range(len(words), 0 if len(words) == 1 else 1, -1):
        for first in range(0, len(words) - size + 1):
            key = tuple(token for part in keys[first : first + size] for token in part)
            curated = lexicon.by_name.get(key)
            if curated is not None:
                begin, finish = _trimmed(text, starts[first], ends[first + size - 1])
                return curated, begin, finish
    return None


def _bare_possessive(word: str) -> str:
    return word[:-2] if word.endswith(("'s", "’s")) else word


def _known(people: list[_Person], entity_id: str) -> _Person | None:
    return next((p for p in people if p.entity_id == entity_id), None)


def _same_person(people: list[_Person], words: frozenset[str]) -> _Person | None:
    """A person already named with the same words in another order ("Tae-yul Cho"), or with
    a suffix or an initial more or less ("Patrick W. Carlineo", "Patrick Carlineo Jr.")."""
    core = words - _SUFFIX_WORDS
    return next((p for p in people if p.words == words or p.words - _SUFFIX_WORDS == core), None)


_SUFFIX_WORDS = frozenset(s.rstrip(".") for s in SUFFIXES)


def _middle_names_apart(people: list[_Person], key: tuple[str, ...]) -> _Person | None:
    """The one person already named with the same given name and surname and a middle name
    more or less ("Kristi Lynn Noem" after "Kristi Noem", "Michael Rubens Bloomberg" before
    "Michael Bloomberg")."""

    def alike(core: list[str], other: list[str]) -> bool:
        short, long = sorted((core, other), key=len)
        return len(short) == 2 and len(long) > 2 and (short[0], short[-1]) == (long[0], long[-1])

    return _the_one_named_alike(people, key, alike)


def _short_given_name(people: list[_Person], key: tuple[str, ...]) -> _Person | None:
    """The one person already named with the same family name and a longer or shorter form
    of the given name ("Pat Carlineo" after "Patrick Carlineo Jr.")."""

    def alike(core: list[str], other: list[str]) -> bool:
        if len(core) != 2 or len(core[0]) < 3 or len(other) != 2:
            return False
        if other[1] != core[1] or other[0] == core[0]:
            return False
        short, long = sorted((other[0], core[0]), key=len)
        return len(short) >= 3 and long.startswith(short)

    return _the_one_named_alike(people, key, alike)


def _the_one_named_alike(
    people: list[_Person],
    key: tuple[str, ...],
    alike: Callable[[list[str], list[str]], bool],
) -> _Person | None:
    """The one person whose name, suffixes aside, is ``alike`` this one's; None when no one
    or several are."""
    core = [w for w in key if w not in _SUFFIX_WORDS]
    found = [p for p in people if alike(core, [w for w in p.key if w not in _SUFFIX_WORDS])]
    return found[0] if len(found) == 1 else None


def _named_by_last_words(people: list[_Person], key: tuple[str, ...]) -> _Person | None:
    """The one person already named in full whose name ends with these two or more words
    ("Hawk Sawyer" of "Kathleen Hawk Sawyer"); nobody when two such people were named."""
    found = [
        p
        for p in people
        if not p.is_curated and len(p.key) > len(key) and p.key[-len(key) :] == key
    ]
    return found[0] if len(found) == 1 else None


OPENING_MARKS = "“\"‘'"
CLOSING_MARKS = "”\"’'"


def _is_quoted_whole(text: str, start: int, end: int) -> bool:
    """A run that is all the text between a pair of quotation marks is a title or a name
    of something, not a person (“Mary Poppins”, "Long Train Running,")."""
    before = text[:start]
    after = re.match(r"[,.!?]?([^\w\s]?)", text[end:])
    return (
        before.endswith(tuple(OPENING_MARKS))
        and after is not None
        and bool(after.group(1))
        and after.group(1) in CLOSING_MARKS
    )


def _learn_role(person: _Person, text: str, run: _Run, end: int, lexicon: Lexicon) -> None:
    if person.stated_role is None:
        # an appositive after the name says more than a title before it
        person.stated_role = _role_after(text, end, lexicon) or _role_before(text, run, lexicon)


# A given name the writer set in parentheses before a surname, as quoted speech does ("Coach
# (Frank) Vogel came in"): the parenthesis right before the surname.
GIVEN_IN_PARENTHESES = re.compile(r"\(([A-Z][a-z]+)\)\s+$")


def _given_in_parentheses(text: str, start: int, lexicon: Lexicon) -> re.Match[str] | None:
    """The match of "(Frank) " right before ``start`` when Frank is a given name written first."""
    match = GIVEN_IN_PARENTHESES.search(text, max(0, start - 40), start)
    if match is None or match.group(1).lower() not in lexicon.given_names_written_first:
        return None
    surname = re.match(r"[\w'’-]+", text[start:])
    if surname is None or _is_blocked([surname.group()], lexicon):
        return None
    # "The (Jackson) Sun": a newspaper with its city, not a person
    before = WORD_BEFORE.search(text[: match.start()])
    if before and before.group(1).lower() in lexicon.not_before:
        return None
    return match


def _cue(text: str, run: _Run, words: Sequence[str], end: int, lexicon: Lexicon) -> str | None:
    """Why a run of two or more capitalized words is a person, or None when nothing says so."""
    if len([w for w in words if not _is_initial(w)]) > 4:
        return None
    first = _bare(words[0])
    if _role_before(text, run, lexicon):
        return "title"
    if first in lexicon.given_names_written_first or (
        # a compound given name whose parts are given names ("Hans-Peter", "Marie-Claire")
        "-" in first and all(part in lexicon.given_names_written_first for part in first.split("-"))
    ):
        return "given_name"
    if first in lexicon.family_name_first and (
        "-" in words[-1]
        or (
            len(words) in (2, 3)
            and all(fold(_bare(w)) in lexicon.given_names_after for w in words[1:])
        )
    ):
        return "family_name"  # "Moon Jae-in", "Liu He", "Tran Van Hung": family name first
    if _verb_after(text, end, lexicon) or _verb_before(text, run.starts[0], lexicon):
        return "verb"
    role = _role_after(text, end, lexicon)
    if (role is not None and not _names_a_thing(role, lexicon)) or re.match(
        r"^,\s+\d{1,3},", text[end:]
    ):
        return "appositive"
    return None


def gender_of_pronoun(pronoun: str) -> str | None:
    return PRONOUN_GENDER.get(pronoun.lower())


# The name list's columns of countries whose names English news writes family name first
# (China, Korea, Vietnam): a syllable given there only ("Goo", "Bon", "Seo") starting a run of
# capitals is no sign of a person ("Goo Goo Dolls", "Bon Jovi"); family_name_first reads those.
FAMILY_FIRST_COLUMNS = frozenset({49, 52, 53})


@lru_cache(maxsize=1)
def _name_list() -> dict[str, dict[str, str]]:
    """gender-guesser's name list: lower-case name -> gender -> frequencies by country
    column. Parsed once (0.2 s): the three readings below share it."""
    from gender_guesser.detector import Detector

    names: dict[str, dict[str, str]] = Detector(case_sensitive=False).names
    return names


@lru_cache(maxsize=1)
def _given_names_by_order() -> tuple[frozenset[str], frozenset[str]]:
    """The list's names given somewhere outside FAMILY_FIRST_COLUMNS, and those given in one
    of them: one pass over the list, a country's column blank when the name is not given there
    (0.09 s, against 0.26 s for a test of every column of every name)."""
    first: set[str] = set()
    after: set[str] = set()
    for name, frequencies in _name_list().items():
        for by_country in frequencies.values():
            there = sum(not by_country[column].isspace() for column in FAMILY_FIRST_COLUMNS)
            if there:
                after.add(name)
            if len(by_country) - by_country.count(" ") > there:
                first.add(name)
    return frozenset(first), frozenset(after)


def given_names_written_first() -> frozenset[str]:
    """Given names of the list given somewhere outside FAMILY_FIRST_COLUMNS."""
    return _given_names_by_order()[0]


def given_names_written_after() -> frozenset[str]:
    """Given names of the list given in a FAMILY_FIRST_COLUMNS country ("He" of Liu He)."""
    return _given_names_by_order()[1]


def load_name_lists() -> None:
    """Read the name lists now (0.3 s), not when the people rules first need them."""
    given_names()
    _given_names_by_order()


@lru_cache(maxsize=1)
def given_names() -> dict[str, str]:
    """Given names and their usual gender, from the gender-guesser package's name list."""
    names: dict[str, str] = {}
    for name, genders in _name_list().items():
        if " " in name or len(name) < 2:
            continue
        # "mostly" is no evidence against a pronoun (Taylor is mostly male in the list)
        male = set(genders) <= {"male", "mostly_male"} and "male" in genders
        female = set(genders) <= {"female", "mostly_female"} and "female" in genders
        names[name] = "male" if male else "female" if female else ""
    return names


def build_lexicon(
    aliases: Iterable[tuple[str, str, str, str, bool]],
    titles: Iterable[str],
    attribution_verbs: Iterable[str],
    not_person_words: Iterable[tuple[str, str]],
    family_name_first: Iterable[str],
    cues: Iterable[tuple[str, str]] = (),
    language: str = RULES_LANGUAGE,
) -> Lexicon:
    """The rules' knowledge from the seeds' rows.

    aliases: (entity_id, entity_type, alias, alias_kind, stands_alone) of every curated entity.
    cues: (kind, word) of the language's own cues (seed person_cues), added to the English
    ones: function_word, not_before, inverting_verb, auxiliary, according_to,
    appositive_start, credit. not_person_words: (word, kind) of the seed not_person_words.
    """
    by_kind: dict[str, set[str]] = {}
    for kind, word in cues:
        by_kind.setdefault(kind, set()).add(word.lower())
    function_words = FUNCTION_WORDS | frozenset(by_kind.get("function_word", ()))
    persons: dict[str, dict] = {}
    non_person: set[str] = set()
    entity_ids: set[str] = set()
    for entity_id, entity_type, alias, alias_kind, stands_alone in aliases:
        entity_ids.add(entity_id)
        if entity_type != "person":
            non_person.add(" ".join(name_key(alias)))
            continue
        person = persons.setdefault(entity_id, {"names": [], "surname": None, "alone": False})
        if alias_kind == "surname":
            person["surname"] = alias
            person["alone"] = person["alone"] or bool(stands_alone)
        else:
            person["names"].append(alias)
    curated = tuple(
        CuratedPerson(entity_id, tuple(p["names"]), p["surname"], p["alone"])
        for entity_id, p in sorted(persons.items())
        if p["names"]
    )
    title_words = frozenset(t.lower() for t in titles)
    verbs = frozenset(v.lower() for v in attribution_verbs)
    words = [(word.lower(), kind) for word, kind in not_person_words]
    blocked = frozenset(word for word, _ in words)
    # a given name is a name, not a word the rules read otherwise ("Paris", "The", "Said")
    # (a country's name may be a given name: "Chad Wolf", "Jordan Spira")
    stop = function_words | title_words | verbs | blocked
    names = {n: g for n, g in given_names().items() if n not in stop}
    return Lexicon(
        curated=curated,
        titles=title_words,
        attribution_verbs=verbs,
        not_person_words=blocked,
        name_heads=frozenset(w for w, kind in words if kind in NAME_HEAD_KINDS) - AFTER_ANY_NAME,
        family_name_first=frozenset(n.lower() for n in family_name_first),
        non_person_names=frozenset(non_person),
        curated_ids=frozenset(entity_ids),
        given_names=names,
        given_names_written_first=frozenset(names) & given_names_written_first(),
        given_names_after=given_names_written_after(),
        language=language,
        function_words=function_words,
        not_before=NOT_BEFORE_A_PERSON | frozenset(by_kind.get("not_before", ())),
        inverting_verbs=INVERTING_VERBS | frozenset(by_kind.get("inverting_verb", ())),
        auxiliaries=AUXILIARIES | frozenset(by_kind.get("auxiliary", ())),
        according_to=("according to", *sorted(by_kind.get("according_to", ()))),
        of_words="|".join(re.escape(w) for w in sorted({"of", *by_kind.get("of_word", ())})),
        # another language's appositive may open on its title word (", portavoz de …")
        appositive=appositive(
            [*APPOSITIVE_STARTS, *by_kind.get("appositive_start", ()), *by_kind.get("title", ())]
        ),
        credits=_credit_pattern(c for c in by_kind.get("credit", ()) if not c.startswith("^")),
        opening_credits=tuple(
            sorted(c[1:] for c in by_kind.get("credit", ()) if c.startswith("^"))
        ),
    )


def _credit_pattern(cues: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted(cues, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")


_CREDIT_LEAD = " \t([—–-"


def credit_line(text: str, lexicon: Lexicon) -> bool:
    """A credit line ("Reporting by …; Editing by …", "… contributed to this report", "By
    Jane Doe | Staff"): its names are the journalists', not people in the news. A cue that
    opens the sentence ("by") counts only before a name of two words or more ("By Tuesday,
    …" is news)."""
    if lexicon.credits is not None and lexicon.credits.search(text.lower()):
        return True
    opening = text.lstrip(_CREDIT_LEAD)
    for cue in lexicon.opening_credits:
        after = opening[len(cue) : len(cue) + 1]
        if opening[: len(cue)].lower() == cue and after.isspace():
            run = RUN.match(opening, len(cue) + 1)
            if run is not None and len(run.group().split()) >= 2:
                return True
    return False


@dataclass(frozen=True)
class CueSeeds:
    """The cue seeds' rows as language_lexicon takes them: the English rows of person_titles,
    attribution_verbs and not_person_words are the English rules' own; another language's rows
    join that language's person_cues (titles, not_person_word) and quote_cues (verbs)."""

    titles: list[str]
    verbs: list[str]
    not_person_words: list[tuple[str, str]]
    person_cues: list[tuple[str, str, str]]  # language, kind, cue
    quote_verbs: list[tuple[str, str, str]]  # language, cue, kind


def cue_seeds(
    titles: Iterable[tuple[str, str]],
    verbs: Iterable[tuple[str, str]],
    not_person_words: Iterable[tuple[str, str, str]],
    person_cues: Iterable[tuple[str, str, str]],
    quote_cues: Iterable[tuple[str, str, str]],
) -> CueSeeds:
    """Rows: person_titles (title, language), attribution_verbs (verb, language),
    not_person_words (word, kind, language), person_cues (language, kind, cue), quote_cues
    (language, cue, kind)."""
    titles, verbs, not_person_words = list(titles), list(verbs), list(not_person_words)
    english = RULES_LANGUAGE
    return CueSeeds(
        titles=[title for title, code in titles if code == english],
        verbs=[verb for verb, code in verbs if code == english],
        not_person_words=[(word, kind) for word, kind, code in not_person_words if code == english],
        person_cues=[
            *person_cues,
            *((code, "title", title) for title, code in titles if code != english),
            *(
                (code, "not_person_word", word)
                for word, _, code in not_person_words
                if code != english
            ),
        ],
        quote_verbs=[
            *quote_cues,
            *((code, verb, "verb") for verb, code in verbs if code != english),
        ],
    )


def language_lexicon(
    language: str,
    aliases: Iterable[tuple[str, str, str, str, bool, str | None]],
    titles: Sequence[str],
    attribution_verbs: Sequence[str],
    not_person_words: Sequence[tuple[str, str]],
    family_name_first: Sequence[str],
    person_cues: Iterable[tuple[str, str, str]],
    quote_verbs: Iterable[tuple[str, str, str]],
) -> Lexicon:
    """The lexicon for one language from every seed's rows. English reads the English seeds
    alone; another language its own cues (person_cues: language, kind, cue) beside the English
    titles and words that are no names, its own verbs (quote_cues: language, cue, kind), and
    its own aliases beside the English ones (people's names are mostly the same).

    aliases: (entity_id, entity_type, alias, alias_kind, stands_alone, language).
    """
    english = language == RULES_LANGUAGE
    mine = [(kind, cue) for code, kind, cue in person_cues if code == language]
    verbs = (
        list(attribution_verbs)
        if english
        else [cue for code, cue, kind in quote_verbs if code == language and kind == "verb"]
        + [cue for kind, cue in mine if kind == "inverting_verb"]
    )
    return build_lexicon(
        [
            (entity_id, entity_type, alias, kind, alone)
            for entity_id, entity_type, alias, kind, alone, code in aliases
            if (code or RULES_LANGUAGE) in (language, RULES_LANGUAGE)
        ],
        [*titles, *(cue for kind, cue in mine if kind == "title")],
        verbs,
        [*not_person_words, *((cue, "") for kind, cue in mine if kind == "not_person_word")],
        family_name_first,
        [(kind, cue) for kind, cue in mine if kind == "credit"] if english else mine,
        language,
    )
