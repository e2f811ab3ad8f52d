"""Quality against the hand-labelled gold set: what the marts say about each sample article
versus what a careful reader says (entities, issues, tone; persons and quotations)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from flows.core.settings import REPO_ROOT
from flows.demo_site.render import OUTLETS, load_articles

GOLD_FILE = REPO_ROOT / "tests" / "gold" / "articles.yaml"
QUALITY_DOC = REPO_ROOT / "docs" / "quality.md"
SECTION = re.compile(r"<!-- ([a-z0-9-]+):begin -->\n.*?<!-- \1:end -->\n?", re.DOTALL)


# docs/quality.md is written by several scripts: each owns a section between its own markers
# (``<!-- name:begin -->`` ... ``<!-- name:end -->``) and rewrites only that; the gold-set
# report, written by scripts/quality_report.py, is everything outside the markers.


def section_markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def marked_sections(document: str) -> list[str]:
    """Every marked section of ``document``, markers included, in order."""
    return [match.group(0).rstrip("\n") + "\n" for match in SECTION.finditer(document)]


def replace_section(document: str, name: str, body: str) -> str:
    """``document`` with section ``name`` replaced by ``body`` (wrapped in its markers), or
    with it appended when the document has none; the rest is kept as it was."""
    begin, end = section_markers(name)
    section = f"{begin}\n{body.strip()}\n{end}\n"
    for match in SECTION.finditer(document):
        if match.group(1) == name:
            return document[: match.start()] + section + document[match.end() :]
    return f"{document.rstrip()}\n\n{section}" if document.strip() else section


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion (0-1 when there is nothing to measure)."""
    if total == 0:
        return 0.0, 1.0
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Score:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision_interval(self) -> tuple[float, float]:
        return wilson(self.true_positives, self.true_positives + self.false_positives)

    @property
    def recall_interval(self) -> tuple[float, float]:
        return wilson(self.true_positives, self.true_positives + self.false_negatives)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0


@dataclass
class ArticleResult:
    stem: str
    gold_entities: set[str]
    found_entities: set[str]
    gold_issues: set[str]
    found_issues: set[str] = field(default_factory=set)
    salient_issues: set[str] = field(default_factory=set)
    gold_tone: str = "neutral"
    found_tone: str | None = None
    tone: float | None = None


@dataclass
class QualityReport:
    articles: list[ArticleResult]
    parents: dict[str, str | None]

    def _ancestors(self, issue_id: str) -> set[str]:
        found: set[str] = set()
        while self.parents.get(issue_id):
            issue_id = self.parents[issue_id]  # type: ignore[assignment]
            found.add(issue_id)
        return found

    @property
    def entities(self) -> Score:
        tp = sum(len(a.gold_entities & a.found_entities) for a in self.articles)
        fp = sum(len(a.found_entities - a.gold_entities) for a in self.articles)
        fn = sum(len(a.gold_entities - a.found_entities) for a in self.articles)
        return Score(tp, fp, fn)

    def issues(self, salient_only: bool = False) -> Score:
        """A found issue is right when it is a gold issue or a broader issue of one; a gold
        issue is found when it or a narrower issue of it was found."""
        tp = fp = fn = 0
        for a in self.articles:
            found = a.salient_issues if salient_only else a.found_issues
            broader = {x for g in a.gold_issues for x in self._ancestors(g)}
            for issue in found:
                if issue in a.gold_issues or issue in broader:
                    tp += 1
                else:
                    fp += 1
            for issue in a.gold_issues:
                if issue not in found and not any(issue in self._ancestors(f) for f in found):
                    fn += 1
        return Score(tp, fp, fn)

    def tone_agreement(self, label: str) -> tuple[int, int]:
        """(agreeing, total) over gold articles with this tone label."""
        labelled = [a for a in self.articles if a.gold_tone == label]
        return sum(a.found_tone == label for a in labelled), len(labelled)


def load_gold(path: Path = GOLD_FILE) -> dict[str, dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class GoldPerson:
    """A person an article names: curated entity_id or the slug of the full name."""

    entity_id: str
    name: str
    role: str | None


@dataclass(frozen=True)
class GoldQuote:
    """One direct quotation: the text between one pair of quotation marks."""

    text: str
    speaker_entity_id: str | None
    speaker_name: str | None
    verb: str | None
    is_fragment: bool


@dataclass(frozen=True)
class GoldArticle:
    stem: str
    entities: frozenset[str]
    issues: frozenset[str]
    tone: str
    persons: tuple[GoldPerson, ...]
    quotes: tuple[GoldQuote, ...]
    not_quotes: tuple[str, ...]


def load_gold_articles(path: Path = GOLD_FILE) -> dict[str, GoldArticle]:
    """The gold file as records; the labelling conventions are in the file's header."""
    articles = {}
    for stem, labels in load_gold(path).items():
        persons = tuple(
            GoldPerson(entity_id=p["id"], name=p["name"], role=p["role"]) for p in labels["persons"]
        )
        quotes = tuple(
            GoldQuote(
                text=q["text"],
                speaker_entity_id=q["speaker"],
                speaker_name=q["speaker_name"],
                verb=q["verb"],
                is_fragment=q["fragment"],
            )
            for q in labels["quotes"]
        )
        articles[stem] = GoldArticle(
            stem=stem,
            entities=frozenset(labels["entities"]),
            issues=frozenset(labels["issues"]),
            tone=labels["tone"],
            persons=persons,
            quotes=quotes,
            not_quotes=tuple(labels["not_quotes"]),
        )
    return articles


def id_key(entity_id: str) -> str:
    """An id as the id rule of people-10 compares it: without single-letter parts (middle
    initials) where two others remain ("patrick-w-carlineo-jr" and "patrick-carlineo-jr" are
    one person; gold labels keep the ids their labeller wrote)."""
    parts = [part for part in entity_id.split("-") if len(part) > 1]
    return "-".join(parts) if len(parts) >= 2 else entity_id


def person_slug(name: str) -> str:
    """The seeds' slug rule (scripts/generate_country_seed.py) applied to a person's full name:
    "Hélène Tran" -> "helene-tran"; on a curated person's name it gives the entity_id."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower().replace("'", "")).strip("-")


def evaluate(warehouse: Path, gold_path: Path = GOLD_FILE) -> QualityReport:
    """Compare a warehouse built from the sample site with the gold labels."""
    gold = load_gold(gold_path)
    stem_by_url = {f"http://{OUTLETS[a.outlet].host}{a.path}": a.stem for a in load_articles()}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        entity_rows = con.execute(
            "select a.canonical_url, m.entity_id from marts.fct_entity_mentions as m "
            "inner join marts.dim_articles as a using (article_id)"
        ).fetchall()
        issue_rows = con.execute(
            "select a.canonical_url, i.issue_id, i.is_salient from marts.fct_article_issues as i "
            "inner join marts.dim_articles as a using (article_id)"
        ).fetchall()
        tone_rows = con.execute(
            "select a.canonical_url, t.tone_label, t.tone from marts.fct_article_tone as t "
            "inner join marts.dim_articles as a using (article_id)"
        ).fetchall()
        parents = dict(
            con.execute("select issue_id, parent_issue_id from marts.dim_issues").fetchall()
        )
        # entity labels are curated entities only; discovered persons are scored apart
        curated = {row[0] for row in con.execute("select entity_id from seeds.entities").fetchall()}
    finally:
        con.close()
    entities: dict[str, set[str]] = defaultdict(set)
    issues: dict[str, set[str]] = defaultdict(set)
    salient: dict[str, set[str]] = defaultdict(set)
    tones: dict[str, tuple[str, float]] = {}
    for url, entity_id in entity_rows:
        if url in stem_by_url and entity_id in curated:
            entities[stem_by_url[url]].add(entity_id)
    for url, issue_id, is_salient in issue_rows:
        if url in stem_by_url:
            issues[stem_by_url[url]].add(issue_id)
            if is_salient:
                salient[stem_by_url[url]].add(issue_id)
    for url, label, tone in tone_rows:
        if url in stem_by_url:
            tones[stem_by_url[url]] = (label, tone)
    results = []
    for stem, labels in sorted(gold.items()):
        label, tone = tones.get(stem, (None, None))
        results.append(
            ArticleResult(
                stem=stem,
                gold_entities=set(labels["entities"]),
                found_entities=entities[stem],
                gold_issues=set(labels["issues"]),
                found_issues=issues[stem],
                salient_issues=salient[stem],
                gold_tone=labels["tone"],
                found_tone=label,
                tone=tone,
            )
        )
    return QualityReport(results, parents)


# -- persons and quotations (issue 11) -----------------------------------------------------------


@dataclass(frozen=True)
class QuoteScore:
    """Quotations found against the gold quotations, and how often their speaker is right."""

    gold: int
    found: int
    matched: int
    on_not_quotes: int
    speaker_right: int  # the gold speaker, or null where the gold speaker is null
    speaker_wrong: int  # a speaker where the gold has another, or none
    speaker_missing: int  # null where the gold names one
    fragment_right: int

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_right / self.matched if self.matched else 1.0

    @property
    def wrong_speaker_share(self) -> float:
        return self.speaker_wrong / self.matched if self.matched else 0.0


@dataclass
class PeopleReport:
    persons: Score
    discovered: Score  # persons the seeds do not know
    quotes: QuoteScore
    role_agreement: tuple[int, int]  # stated roles equal to the gold role, of those compared
    person_errors: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    quote_errors: list[tuple[str, str, str, str]] = field(default_factory=list)


def normalise_quote(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split()).strip()


def evaluate_people(warehouse: Path, gold_path: Path = GOLD_FILE) -> PeopleReport:
    """Persons (every person each article names) and quotations (text and speaker) against
    the gold labels; scores are over (article, person) pairs and over quotations."""
    gold = load_gold_articles(gold_path)
    stem_by_url = {f"http://{OUTLETS[a.outlet].host}{a.path}": a.stem for a in load_articles()}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        person_rows = con.execute(
            "select a.canonical_url, m.entity_id, any_value(m.stated_role) "
            "from marts.fct_entity_mentions as m inner join marts.dim_articles as a "
            "using (article_id) where m.entity_type = 'person' group by all"
        ).fetchall()
        curated = {row[0] for row in con.execute("select entity_id from seeds.entities").fetchall()}
        quote_rows = con.execute(
            "select a.canonical_url, q.quote_text, q.speaker_entity_id, q.is_fragment "
            "from marts.fct_quotes as q inner join marts.dim_articles as a using (article_id) "
            "order by a.canonical_url, q.quote_index"
        ).fetchall()
    finally:
        con.close()
    found_persons: dict[str, dict[str, str | None]] = defaultdict(dict)
    for url, entity_id, role in person_rows:
        if url in stem_by_url:
            found_persons[stem_by_url[url]][id_key(entity_id)] = role
    found_quotes: dict[str, list[tuple[str, str | None, bool]]] = defaultdict(list)
    for url, text, speaker, fragment in quote_rows:
        if url in stem_by_url:
            found_quotes[stem_by_url[url]].append((normalise_quote(text), speaker, fragment))
    counts: defaultdict[str, int] = defaultdict(int)
    roles_right = roles_compared = 0
    person_errors: dict[str, dict[str, list[str]]] = {}
    quote_errors: list[tuple[str, str, str, str]] = []
    curated_keys = {id_key(i) for i in curated}
    for stem, article in gold.items():
        gold_ids = {id_key(p.entity_id) for p in article.persons}
        found_ids = set(found_persons[stem])
        for scope, keep in (
            ("all", lambda _: True),
            ("discovered", lambda i: i not in curated_keys),
        ):
            g = {i for i in gold_ids if keep(i)}
            f = {i for i in found_ids if keep(i)}
            counts[f"{scope}_tp"] += len(g & f)
            counts[f"{scope}_fp"] += len(f - g)
            counts[f"{scope}_fn"] += len(g - f)
        if gold_ids != found_ids:
            person_errors[stem] = {
                "extra": sorted(found_ids - gold_ids),
                "missing": sorted(gold_ids - found_ids),
            }
        for person in article.persons:
            if person.role and id_key(person.entity_id) in found_persons[stem]:
                roles_compared += 1
                found_role = found_persons[stem][id_key(person.entity_id)] or ""
                roles_right += found_role.strip(" ,.").lower() == person.role.strip(" ,.").lower()
        remaining = list(found_quotes[stem])
        not_quotes = {normalise_quote(t) for t in article.not_quotes}
        counts["quotes_found"] += len(remaining)
        counts["on_not_quotes"] += sum(1 for q in remaining if q[0] in not_quotes)
        for quote in article.quotes:
            counts["quotes_gold"] += 1
            text = normalise_quote(quote.text)
            match = next((q for q in remaining if q[0] == text), None)
            if match is None:
                quote_errors.append((stem, text[:60], "not found", ""))
                continue
            remaining.remove(match)
            counts["matched"] += 1
            counts["fragment_right"] += match[2] == quote.is_fragment
            speaker = quote.speaker_entity_id
            if match[1] == speaker or (
                match[1] and speaker and id_key(match[1]) == id_key(speaker)
            ):
                counts["speaker_right"] += 1
            elif match[1] is None:
                counts["speaker_missing"] += 1
                quote_errors.append((stem, text[:60], "no speaker", str(quote.speaker_entity_id)))
            else:
                counts["speaker_wrong"] += 1
                quote_errors.append((stem, text[:60], str(match[1]), str(quote.speaker_entity_id)))
        for extra in remaining:
            quote_errors.append((stem, extra[0][:60], "not a gold quote", ""))
    persons = Score(counts["all_tp"], counts["all_fp"], counts["all_fn"])
    discovered = Score(counts["discovered_tp"], counts["discovered_fp"], counts["discovered_fn"])
    quotes = QuoteScore(
        gold=counts["quotes_gold"],
        found=counts["quotes_found"],
        matched=counts["matched"],
        on_not_quotes=counts["on_not_quotes"],
        speaker_right=counts["speaker_right"],
        speaker_wrong=counts["speaker_wrong"],
        speaker_missing=counts["speaker_missing"],
        fragment_right=counts["fragment_right"],
    )
    return PeopleReport(
        persons, discovered, quotes, (roles_right, roles_compared), person_errors, quote_errors
    )
