"""The real-page audit of persons and quotations (issue 26): the labelled pages of
``tests/gold/real_pages_people.yaml`` run through the whole pipeline (``tools.audit.run_pipeline``)
and ``marts.fct_entity_mentions`` / ``marts.fct_quotes`` scored against the labels, per half.

Matching rules (the labels' own rules are in the header of the labels file):

- A person entity of a page is *right* when its ``entity_id`` is the id of a person labelled on
  that page, or when the slug of its name (``dim_entities.name``, the seeds' slug rule) is the
  slug of that person's labelled name or of one of its forms (a warehouse id made from another
  spelling). A second entity for a person already matched on the page is wrong (a duplicate).
  A labelled person is *found* when an entity of the page is right for it.
- A quote row is *right* when its text, normalised (quotation marks, apostrophes, ellipses,
  dashes, white space, case and the punctuation at both ends), equals a labelled quotation's of
  the page, or failing that is at least ``FUZZY`` alike (difflib's ratio), one row per quotation;
  or when it is two or more consecutive labelled quotations joined (a quotation running over
  paragraphs, which the labels split by the press convention): right for each of them.
  A row equal to a ``not_quotes`` item is wrong with that item's class.
- Speakers are scored on the quote rows matched to a quotation whose labelled speaker is not
  null: right when the row's speaker is that entity (by id, or by name as for persons), wrong
  when it is another, none when null. Rows whose labelled speaker is null and that have one are
  counted apart.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

import duckdb
import yaml

from flows.core.settings import REPO_ROOT
from tools.audit import CheckedText, Sentence, context_match, page_id_of, words
from tools.quality import Score, id_key, person_slug, wilson

LABELS_FILE = REPO_ROOT / "tests" / "gold" / "real_pages_people.yaml"
SPLITS = ("tune", "test")
FUZZY = 0.9  # difflib ratio of two normalised quotation texts that still are one quotation

# classes of a person entity or quote row that no label accounts for
PERSON = "person"
QUOTATION = "quotation"
DUPLICATE = "a second entity for a person already found"
PART_OF_NAME = "part of a labelled person's name"
OUTSIDE = "outside the checked article text"
UNLABELLED = "not labelled"


class LabelError(ValueError):
    """The labels file is malformed: says which page and item."""


# -- labels ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledPerson:
    entity_id: str
    name: str
    forms: tuple[str, ...]
    role: str | None

    @property
    def slugs(self) -> frozenset[str]:
        return frozenset(id_key(person_slug(n)) for n in (self.name, *self.forms))


@dataclass(frozen=True)
class LabelledQuote:
    text: str
    speaker: str | None
    speaker_name: str | None
    verb: str | None
    fragment: bool
    distance: int | None


@dataclass(frozen=True)
class NotItem:
    """A not_quotes or not_persons item: text that must not become a quotation or a person."""

    text: str
    why: str


@dataclass(frozen=True)
class SharedSurname:
    """A bare surname two labelled persons of the page share, and whose it is (None: nobody's
    for sure)."""

    text: str
    context: str
    person: str | None


@dataclass(frozen=True)
class PeoplePage:
    page_id: str
    split: str
    site: str
    persons: tuple[LabelledPerson, ...]
    quotes: tuple[LabelledQuote, ...]
    not_quotes: tuple[NotItem, ...]
    not_persons: tuple[NotItem, ...]
    shared_surnames: tuple[SharedSurname, ...] = ()


def load_people_labels(path: Path = LABELS_FILE) -> dict[str, PeoplePage]:
    """Read and check the labels file: page id -> its labels."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pages = {}
    for page_id, page in data.items():
        where = f"{path.name}: page {str(page_id)[:12]}"
        if not re.fullmatch(r"[0-9a-f]{64}", str(page_id)):
            raise LabelError(f"{where}: not a page id")
        if page.get("split") not in SPLITS:
            raise LabelError(f"{where}: split must be one of {', '.join(SPLITS)}")
        persons = tuple(
            LabelledPerson(p["id"], p["name"], tuple(p.get("forms") or ()), p.get("role"))
            for p in page.get("persons") or []
        )
        ids = [p.entity_id for p in persons]
        if len(ids) != len(set(ids)):
            raise LabelError(f"{where}: a person id twice")
        quotes = tuple(
            LabelledQuote(
                q["text"],
                q.get("speaker"),
                q.get("speaker_name"),
                q.get("verb"),
                bool(q.get("fragment")),
                q.get("distance"),
            )
            for q in page.get("quotes") or []
        )
        pages[str(page_id)] = PeoplePage(
            str(page_id),
            page["split"],
            page.get("site", ""),
            persons,
            quotes,
            tuple(NotItem(n["text"], n["why"]) for n in page.get("not_quotes") or []),
            tuple(NotItem(n["text"], n["why"]) for n in page.get("not_persons") or []),
            tuple(
                SharedSurname(a["text"], a["context"], a.get("person"))
                for a in page.get("ambiguous_surnames") or []
            ),
        )
    return pages


# -- what the warehouse says ----------------------------------------------------------------


@dataclass(frozen=True)
class FoundPerson:
    """A person entity with mentions on one page."""

    entity_id: str
    name: str
    is_curated: bool
    mention_count: int
    matched_texts: tuple[str, ...] = ()
    in_checked_text: bool = True


@dataclass(frozen=True)
class FoundQuote:
    text: str
    speaker_entity_id: str | None
    speaker_name: str | None
    in_checked_text: bool = True


@dataclass
class PagePeopleFacts:
    page_id: str
    status: str
    persons: list[FoundPerson] = field(default_factory=list)
    quotes: list[FoundQuote] = field(default_factory=list)
    # (sentence text, entity id, texts matched there) of every person mention row
    mentions: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)


def read_people(warehouse: Path, checked: dict[str, CheckedText]) -> dict[str, PagePeopleFacts]:
    """Per page id: its person entities and quote rows, each marked in or outside the checked
    article text (a person by any of its mention sentences)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        articles = con.execute(
            "select article_id, canonical_url, status from marts.dim_articles"
        ).fetchall()
        sentences = con.execute(
            "select article_id, sentence_index, sentence_text from marts.fct_sentence_tone"
        ).fetchall()
        mentions = con.execute(
            "select m.article_id, m.entity_id, e.name, e.is_curated, m.sentence_index, "
            "m.mention_count, m.matched_texts from marts.fct_entity_mentions as m "
            "inner join marts.dim_entities as e using (entity_id) "
            "where m.entity_type = 'person' "
            "order by m.article_id, m.sentence_index, m.first_token_position, m.entity_id"
        ).fetchall()
        quotes = con.execute(
            "select article_id, quote_text, speaker_entity_id, speaker_name "
            "from marts.fct_quotes order by article_id, quote_index"
        ).fetchall()
    finally:
        con.close()
    page_of: dict[str, str] = {a: p for a, url, _ in articles if (p := page_id_of(url))}
    facts = {
        page_of[a]: PagePeopleFacts(page_of[a], status) for a, _, status in articles if a in page_of
    }
    texts: dict[tuple[str, int], Sentence] = {
        (page_of[a], i): Sentence(i, t) for a, i, t in sentences if a in page_of
    }
    grouped: dict[tuple[str, str], list] = defaultdict(list)
    for article_id, entity_id, name, curated, index, count, matched in mentions:
        page_id = page_of.get(article_id)
        if page_id is not None and page_id in facts:
            grouped[(page_id, entity_id)].append((name, curated, index, count, matched or ()))
            sentence = texts.get((page_id, index), Sentence(index, "")).text
            facts[page_id].mentions.append((sentence, entity_id, tuple(matched or ())))
    for (page_id, entity_id), rows in grouped.items():
        check = checked.get(page_id)
        inside = check is None or any(
            check.contains(texts.get((page_id, r[2]), Sentence(r[2], ""))) for r in rows
        )
        facts[page_id].persons.append(
            FoundPerson(
                entity_id,
                rows[0][0],
                bool(rows[0][1]),
                sum(r[3] for r in rows),
                tuple(dict.fromkeys(t for r in rows for t in r[4])),
                inside,
            )
        )
    for article_id, text, speaker, speaker_name in quotes:
        page_id = page_of.get(article_id)
        if page_id is not None and page_id in facts:
            check = checked.get(page_id)
            inside = check is None or check.contains(Sentence(0, text))
            facts[page_id].quotes.append(FoundQuote(text, speaker, speaker_name, inside))
    return facts


# -- scoring --------------------------------------------------------------------------------

MARKS = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'", "–": "-"})
EDGES = " \t\n\"'.,;:!?-—"


def normalise_quote(text: str) -> str:
    """A quotation's text as matched: marks, apostrophes, ellipses, dashes and white space of
    one kind each, lower case, no marks or punctuation at either end."""
    text = unicodedata.normalize("NFKC", text).translate(MARKS).replace("…", "...")
    text = re.sub(r"\s*—\s*|\s+-\s+|\s*--\s*", " - ", text)
    return " ".join(text.split()).strip(EDGES).lower()


def _slug_words(text: str) -> tuple[str, ...]:
    return tuple(w for w in person_slug(text).split("-") if w)


def _inside(small: Sequence[str], big: Sequence[str]) -> bool:
    size = len(small)
    return bool(size) and any(
        tuple(big[i : i + size]) == tuple(small) for i in range(len(big) - size + 1)
    )


@dataclass(frozen=True)
class PersonVerdict:
    person: FoundPerson
    label_id: str | None  # the labelled person it is, or None
    verdict: str  # PERSON, DUPLICATE, "not a person: <why>", PART_OF_NAME, OUTSIDE, UNLABELLED


def person_label(found: FoundPerson, page: PeoplePage) -> LabelledPerson | None:
    """The labelled person of the page this entity is: by id, then by name."""
    for person in page.persons:
        if id_key(person.entity_id) == id_key(found.entity_id):
            return person
    slug = id_key(person_slug(found.name))
    return next((p for p in page.persons if slug in p.slugs), None)


def judge_person(found: FoundPerson, page: PeoplePage) -> PersonVerdict:
    """What an entity that is no labelled person of the page is instead."""
    label = person_label(found, page)
    if label is not None:
        return PersonVerdict(found, label.entity_id, PERSON)
    name = _slug_words(found.name)
    for trap in page.not_persons:
        if _inside(name, _slug_words(trap.text)):
            return PersonVerdict(found, None, f"not a person: {trap.why}")
    if any(_inside(name, _slug_words(p.name)) for p in page.persons):
        return PersonVerdict(found, None, PART_OF_NAME)
    return PersonVerdict(found, None, UNLABELLED if found.in_checked_text else OUTSIDE)


@dataclass(frozen=True)
class QuoteMatch:
    found: FoundQuote
    label: LabelledQuote | None
    verdict: str  # QUOTATION, "not a quotation: <why>", OUTSIDE, UNLABELLED
    joined: tuple[LabelledQuote, ...] = ()  # the labels after ``label`` one row runs over

    @property
    def labels(self) -> tuple[LabelledQuote, ...]:
        return () if self.label is None else (self.label, *self.joined)


def match_quotes(found: Sequence[FoundQuote], page: PeoplePage) -> list[QuoteMatch]:
    """Each quote row with the labelled quotation it is (one row per quotation): equal
    normalised texts first, then the most alike pair above ``FUZZY``."""
    labels = {i: normalise_quote(q.text) for i, q in enumerate(page.quotes)}
    rows = {i: normalise_quote(q.text) for i, q in enumerate(found)}
    taken: dict[int, int] = {}  # row -> label
    for r, text in rows.items():
        for i, label in labels.items():
            if label == text and i not in taken.values():
                taken[r] = i
                break
    pairs = sorted(
        (
            (SequenceMatcher(None, text, label, autojunk=False).ratio(), r, i)
            for r, text in rows.items()
            if r not in taken
            for i, label in labels.items()
            if i not in taken.values()
        ),
        reverse=True,
    )
    for ratio, r, i in pairs:
        if ratio < FUZZY:
            break
        if r not in taken and i not in taken.values():
            taken[r] = i
    # a row running over the paragraphs of one quotation, which the labels split (the press
    # convention: each paragraph opens a mark, only the last closes)
    joined: dict[int, tuple[int, ...]] = {}
    for r, text in rows.items():
        if r in taken:
            continue
        for first in range(len(labels)):
            span = _joined_span(text, labels, first, set(taken.values()))
            if span:
                taken[r], joined[r] = first, span
                break
    not_quotes = {normalise_quote(n.text): n.why for n in page.not_quotes}
    result = []
    for r, quote in enumerate(found):
        if r in taken:
            more = tuple(page.quotes[i] for i in joined.get(r, ()))
            result.append(QuoteMatch(quote, page.quotes[taken[r]], QUOTATION, more))
        elif rows[r] in not_quotes:
            result.append(QuoteMatch(quote, None, f"not a quotation: {not_quotes[rows[r]]}"))
        else:
            result.append(QuoteMatch(quote, None, UNLABELLED if quote.in_checked_text else OUTSIDE))
    return result


def _joined_span(text: str, labels: dict[int, str], first: int, taken: set[int]) -> tuple[int, ...]:
    """The labels after ``first`` that, with it, make up ``text`` (two or more consecutive
    labelled quotations, none matched yet), or ()."""
    parts: list[str] = []
    for i in range(first, len(labels)):
        if i in taken:
            return ()
        parts.append(labels[i])
        joined = " ".join(parts)
        if len(joined) > len(text) + 10:
            return ()
        if len(parts) > 1 and (
            joined == text or SequenceMatcher(None, text, joined, autojunk=False).ratio() >= FUZZY
        ):
            return tuple(range(first + 1, i + 1))
    return ()


def judge_shared_surnames(
    page: PeoplePage, facts: PagePeopleFacts, names: dict[str, str]
) -> list[tuple[SharedSurname, str]]:
    """right / wrong / none for each bare surname two labelled persons share: the person
    mention of that word in the sentence the label's context points to (by id, or by name as
    for persons); none where the label says nobody for sure and nobody was given is right."""
    judged = []
    for label in page.shared_surnames:
        text, context = words(label.text), words(label.context)
        given = {
            entity_id
            for sentence, entity_id, matched in facts.mentions
            if any(words(m) == text for m in matched)
            and context_match(context, text, words(sentence)) > 0
        }
        if not given:
            judged.append((label, SPEAKER_RIGHT if label.person is None else SPEAKER_NONE))
            continue
        wanted = next((p for p in page.persons if p.entity_id == label.person), None)
        right = (
            label.person is not None and id_key(label.person) in {id_key(g) for g in given}
        ) or (
            wanted is not None
            and len(given) == 1
            and id_key(person_slug(names.get(next(iter(given)), ""))) in wanted.slugs
        )
        judged.append((label, SPEAKER_RIGHT if right and len(given) == 1 else SPEAKER_WRONG))
    return judged


SPEAKER_RIGHT = "right"
SPEAKER_WRONG = "wrong"
SPEAKER_NONE = "none"


def judge_speaker(match: QuoteMatch, page: PeoplePage, names: dict[str, str]) -> str | None:
    """right / wrong / none for a matched quotation whose labelled speaker is named; None when
    the label has no speaker (or the row no quotation). ``names``: entity id -> name."""
    if match.label is None or match.label.speaker is None:
        return None
    found = match.found.speaker_entity_id
    if found is None:
        return SPEAKER_NONE
    if id_key(found) == id_key(match.label.speaker):
        return SPEAKER_RIGHT
    labelled = next((p for p in page.persons if p.entity_id == match.label.speaker), None)
    if labelled and id_key(person_slug(names.get(found, found))) in labelled.slugs:
        return SPEAKER_RIGHT
    return SPEAKER_WRONG


@dataclass
class PageResult:
    page: PeoplePage
    status: str
    persons: list[PersonVerdict]
    missed_persons: list[LabelledPerson]
    quotes: list[QuoteMatch]
    missed_quotes: list[LabelledQuote]
    speakers: list[tuple[QuoteMatch, str]]  # (matched quotation, right/wrong/none)
    speaker_unnamed: list[QuoteMatch]  # a speaker where the labels have none
    shared_surnames: list[tuple[SharedSurname, str]] = field(default_factory=list)


def score_people_page(
    page: PeoplePage, facts: PagePeopleFacts, names: dict[str, str]
) -> PageResult:
    """One page's persons, quotations and speakers against its labels."""
    verdicts = []
    found_ids: set[str] = set()
    # the entity with the label's id first, then the one named as it: a duplicate is the
    # other spelling
    ids = {id_key(p.entity_id) for p in page.persons}
    ordered = sorted(
        facts.persons,
        key=lambda f: (
            id_key(f.entity_id) not in ids,
            person_label(f, page) is None,
            -f.mention_count,
        ),
    )
    for person in ordered:
        verdict = judge_person(person, page)
        label_id = verdict.label_id
        if label_id is not None:
            if label_id in found_ids:
                verdict = PersonVerdict(person, label_id, DUPLICATE)
            found_ids.add(label_id)
        verdicts.append(verdict)
    missed = [p for p in page.persons if p.entity_id not in found_ids]
    quotes = match_quotes(facts.quotes, page)
    matched = {id(label) for q in quotes for label in q.labels}
    speakers, unnamed = [], []
    for quote in quotes:
        for label in quote.labels:
            one = QuoteMatch(quote.found, label, quote.verdict)
            speaker = judge_speaker(one, page, names)
            if speaker is not None:
                speakers.append((one, speaker))
            elif quote.found.speaker_entity_id is not None:
                unnamed.append(one)
    return PageResult(
        page,
        facts.status,
        verdicts,
        missed,
        quotes,
        [q for q in page.quotes if id(q) not in matched],
        speakers,
        unnamed,
        judge_shared_surnames(page, facts, names),
    )


@dataclass(frozen=True)
class SpeakerScore:
    right: int
    wrong: int
    none: int
    unnamed: int  # a speaker on a quotation whose labelled speaker is null

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.none

    @property
    def right_share(self) -> float:
        return self.right / self.total if self.total else 1.0

    @property
    def wrong_share(self) -> float:
        return self.wrong / self.total if self.total else 0.0

    @property
    def right_interval(self) -> tuple[float, float]:
        return wilson(self.right, self.total)

    @property
    def wrong_interval(self) -> tuple[float, float]:
        return wilson(self.wrong, self.total)


@dataclass(frozen=True)
class Figures:
    """The headline figures of a set of pages."""

    pages: int
    persons: Score
    persons_within_checked_text: Score
    quotes: Score
    quotes_within_checked_text: Score
    speakers: SpeakerScore
    shared_surnames: Counter[str] = field(default_factory=Counter)  # right / wrong / none


def figures_of(results: Iterable[PageResult]) -> Figures:
    results = list(results)
    verdicts = [v for r in results for v in r.persons]
    tp = sum(v.verdict == PERSON for v in verdicts)
    fp = len(verdicts) - tp
    fp_outside = sum(v.verdict == OUTSIDE for v in verdicts)
    fn = sum(len(r.missed_persons) for r in results)
    quotes = [q for r in results for q in r.quotes]
    q_tp = sum(q.verdict == QUOTATION for q in quotes)
    q_fp = len(quotes) - q_tp
    q_outside = sum(q.verdict == OUTSIDE for q in quotes)
    q_fn = sum(len(r.missed_quotes) for r in results)
    speakers = Counter(s for r in results for _, s in r.speakers)
    return Figures(
        len(results),
        Score(tp, fp, fn),
        Score(tp, fp - fp_outside, fn),
        Score(q_tp, q_fp, q_fn),
        Score(q_tp, q_fp - q_outside, q_fn),
        SpeakerScore(
            speakers[SPEAKER_RIGHT],
            speakers[SPEAKER_WRONG],
            speakers[SPEAKER_NONE],
            sum(len(r.speaker_unnamed) for r in results),
        ),
        Counter(verdict for r in results for _, verdict in r.shared_surnames),
    )


@dataclass(frozen=True)
class DiscoveredPerson:
    """A person the seeds do not know, over the whole run, with what the labels say of it."""

    entity_id: str
    name: str
    mention_count: int
    pages: int
    verdicts: Counter[str]

    @property
    def verdict(self) -> str:
        if set(self.verdicts) == {PERSON}:
            return "person"
        return "; ".join(f"{v} ×{n}" if n > 1 else v for v, n in self.verdicts.most_common())


def top_discovered(results: Sequence[PageResult], limit: int = 20) -> list[DiscoveredPerson]:
    """The discovered persons with the most mentions on the labelled pages, each judged."""
    counts: Counter[str] = Counter()
    pages: Counter[str] = Counter()
    names: dict[str, str] = {}
    verdicts: dict[str, Counter[str]] = defaultdict(Counter)
    for result in results:
        for v in result.persons:
            if v.person.is_curated:
                continue
            counts[v.person.entity_id] += v.person.mention_count
            pages[v.person.entity_id] += 1
            names[v.person.entity_id] = v.person.name
            verdicts[v.person.entity_id][v.verdict] += 1
    ranked = sorted(counts, key=lambda e: (-counts[e], e))[:limit]
    return [DiscoveredPerson(e, names[e], counts[e], pages[e], verdicts[e]) for e in ranked]


@dataclass
class PeopleAudit:
    results: list[PageResult]
    pages_missing: list[str]

    def figures(self, split: str | None = None) -> Figures:
        return figures_of(r for r in self.results if split in (None, r.page.split))


def score_people(
    labels: dict[str, PeoplePage], facts: dict[str, PagePeopleFacts], names: dict[str, str]
) -> PeopleAudit:
    results, missing = [], []
    for page_id, page in sorted(labels.items()):
        page_facts = facts.get(page_id)
        if page_facts is None:
            missing.append(page_id)
            page_facts = PagePeopleFacts(page_id, "missing")
        results.append(score_people_page(page, page_facts, names))
    return PeopleAudit(results, missing)


def entity_names(warehouse: Path) -> dict[str, str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return dict(con.execute("select entity_id, name from marts.dim_entities").fetchall())
    finally:
        con.close()
