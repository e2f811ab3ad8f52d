"""The real-text audit of the mention facts: the benchmark's real pages served on 127.0.0.1
through a generated feed, the whole pipeline run on them (``newswatch run``), and
``marts.fct_entity_mentions`` scored against the hand labels in ``tests/gold/real_pages.yaml``.

Labels name a page and a few words of context, not a sentence index, so they survive changes in
extraction and sentence splitting: a label is found when the warehouse has its entity in a
sentence of that page whose words match the context (a fuzzy window around the label's text).
Precision counts every mention occurrence (``mention_count``) on the labelled pages.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from difflib import SequenceMatcher
from email.utils import format_datetime
from functools import cached_property, partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import duckdb
import yaml

from flows.core.settings import REPO_ROOT
from flows.demo_site.site import DemoServer, Resource, Site
from tools.quality import Score
from tools.real_pages import RealPage

LABELS_FILE = REPO_ROOT / "tests" / "gold" / "real_pages.yaml"
SEEDS_DIR = REPO_ROOT / "dbt_project" / "seeds"
HOST = "pages.audit.test"  # a reserved name: only the host map can make it reach anything
FEED_PATH = "/feed.xml"
PAGE_PATH = re.compile(r"/pages/([0-9a-f]{64})\.html$")
PUBLISHED = datetime(2019, 11, 20, 12, 0, tzinfo=UTC)  # when most of the pages were fetched

# Why a trap occurrence must not count (the ``why`` of a not_mention).
TRAP_CLASSES = {
    "capital-as-place": "a capital used as a place, not for its government",
    "dateline": "a city in a dateline",
    "name-inside-name": "a country or capital word inside the name of something else",
    "demonym-as-cuisine-or-language": "a demonym for a cuisine or a language",
    "currency": "a currency named after its country",
    "person-name": "a person's name that is also a country or alias",
    "other-person-same-surname": "another person with a seeded person's surname",
    "lower-case-word": "an ordinary lower-case word spelt like an alias",
}
OUTSIDE = "outside the checked article text"
DUPLICATE = "a sentence the page has twice (a headline repeated in the body)"
UNLABELLED = "not labelled (no trap listed)"
NOT_EXTRACTED = "text not in the extracted sentences"
NOT_MATCHED = "in the text, not matched"
NOT_AN_ALIAS = "not an alias"

WORD = re.compile(r"[^\W_]+")
MIN_SHARE = 0.75  # of a context's words found in order around the label's text
SLACK = 2  # extra sentence words on each side of the window (a word lost or added)


class LabelError(ValueError):
    """The labels file is malformed: says which page and label."""


class AuditError(RuntimeError):
    """The pipeline run the audit depends on failed."""


def words(text: str) -> tuple[str, ...]:
    """Lower-cased runs of letters and digits: the matcher's own tokens (macros/tokens.sql)."""
    return tuple(word.lower() for word in WORD.findall(text))


def _positions(haystack: Sequence[str], needle: Sequence[str]) -> list[int]:
    size = len(needle)
    if not size:
        return []
    return [i for i in range(len(haystack) - size + 1) if tuple(haystack[i : i + size]) == needle]


def context_match(context: Sequence[str], text: Sequence[str], sentence: Sequence[str]) -> float:
    """How well a label's context matches a sentence around an occurrence of the label's text:
    the share of the context's words found in order there (0 when it does not match).

    Context words that would fall outside the sentence do not stop a match (the sentence
    splitter may cut a context in two), but at least three must remain and 75% of those must be
    found; a word lost or added inside the window (link text, a stray caption) costs only that
    word. The share returned counts every context word, so a whole match ranks first."""
    best = 0.0
    for p in _positions(context, text):
        for q in _positions(sentence, text):
            after = len(context) - p  # the text and what follows it in the context
            cut = max(0, p - q) + max(0, after - (len(sentence) - q))
            kept = len(context) - cut
            if kept < min(len(context), 3):
                continue
            window = sentence[max(0, q - p - SLACK) : q + after + SLACK]
            blocks = SequenceMatcher(None, context, window, autojunk=False).get_matching_blocks()
            matched = sum(block.size for block in blocks)
            if matched >= MIN_SHARE * kept:
                best = max(best, matched / len(context))
    return best


# -- labels ----------------------------------------------------------------------------------


class _Phrase:
    """Words of a label's context and text, as the matcher splits them."""

    context: str
    text: str

    @cached_property
    def context_words(self) -> tuple[str, ...]:
        return words(self.context)

    @cached_property
    def text_words(self) -> tuple[str, ...]:
        return words(self.text)


@dataclass(frozen=True)
class Label(_Phrase):
    page_id: str
    number: int  # its place among the page's labels: two labels can read alike
    entity_id: str
    text: str
    context: str
    optional: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Trap(_Phrase):
    """An occurrence that must not become a mention of ``would_be``."""

    page_id: str
    text: str
    context: str
    would_be: str
    why: str


@dataclass(frozen=True)
class PageLabels:
    page_id: str
    about: str
    mentions: tuple[Label, ...]
    traps: tuple[Trap, ...]


@dataclass(frozen=True)
class AuditLabels:
    pages: dict[str, PageLabels]
    non_english: dict[str, str]  # page id -> language of its body

    @property
    def required(self) -> list[Label]:
        return [m for p in self.pages.values() for m in p.mentions if not m.optional]


def _check_phrase(where: str, item: dict[str, Any], keys: set[str], entity_ids: set[str]) -> None:
    missing = {k for k in keys if not item.get(k)}
    if missing:
        raise LabelError(f"{where}: missing {', '.join(sorted(missing))}")
    entity = item.get("entity_id") or item.get("would_be")
    if entity_ids and entity not in entity_ids:
        raise LabelError(f"{where}: {entity!r} is not an entity of the seeds")
    if not _positions(words(item["context"]), words(item["text"])):
        raise LabelError(f"{where}: the text {item['text']!r} is not inside its context")


def load_labels(path: Path = LABELS_FILE, entity_ids: set[str] | None = None) -> AuditLabels:
    """Read and check the labels file (entity ids against the seeds when given)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    known = entity_ids or set()
    pages: dict[str, PageLabels] = {}
    for page_id, page in (data.get("pages") or {}).items():
        if not re.fullmatch(r"[0-9a-f]{64}", str(page_id)):
            raise LabelError(f"{path.name}: {page_id!r} is not a page id")
        mentions, traps = [], []
        for i, item in enumerate(page.get("mentions") or []):
            where = f"{path.name}: page {page_id[:12]} mention {i + 1}"
            _check_phrase(where, item, {"entity_id", "text", "context"}, known)
            mentions.append(
                Label(
                    page_id,
                    i,
                    item["entity_id"],
                    item["text"],
                    item["context"],
                    bool(item.get("optional", False)),
                    item.get("note"),
                )
            )
        for i, item in enumerate(page.get("not_mentions") or []):
            where = f"{path.name}: page {page_id[:12]} not_mention {i + 1}"
            _check_phrase(where, item, {"text", "context", "would_be", "why"}, known)
            if item["why"] not in TRAP_CLASSES:
                raise LabelError(f"{where}: why must be one of {', '.join(TRAP_CLASSES)}")
            traps.append(
                Trap(page_id, item["text"], item["context"], item["would_be"], item["why"])
            )
        pages[page_id] = PageLabels(page_id, page.get("about", ""), tuple(mentions), tuple(traps))
    non_english = {str(k): str(v) for k, v in (data.get("non_english") or {}).items()}
    overlap = set(pages) & set(non_english)
    if overlap:
        raise LabelError(f"{path.name}: pages both labelled and non-English: {sorted(overlap)}")
    return AuditLabels(pages, non_english)


@dataclass(frozen=True)
class Taxonomy:
    """What the scorer needs from the seeds: entity types and each alias's kind."""

    entity_types: dict[str, str]
    alias_kinds: dict[tuple[str, tuple[str, ...]], str]

    def kind(self, entity_id: str, text: str) -> str:
        """The alias kind under which ``text`` names the entity, or "not an alias"."""
        tokens = words(text)
        if len(tokens) > 1 and tokens[0] == "the":
            tokens = tokens[1:]
        return self.alias_kinds.get((entity_id, tokens), NOT_AN_ALIAS)


def load_taxonomy(seeds: Path = SEEDS_DIR) -> Taxonomy:
    with (seeds / "entities.csv").open(encoding="utf-8") as handle:
        types = {row["entity_id"]: row["entity_type"] for row in csv.DictReader(handle)}
    kinds: dict[tuple[str, tuple[str, ...]], str] = {}
    with (seeds / "entity_aliases.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            tokens = words(row["alias"])
            if len(tokens) > 1 and tokens[0] == "the":
                tokens = tokens[1:]
            kinds.setdefault((row["entity_id"], tokens), row["alias_kind"])
    return Taxonomy(types, kinds)


# -- serving the pages and running the pipeline ---------------------------------------------


def page_url(page_id: str) -> str:
    return f"http://{HOST}/pages/{page_id}.html"


def page_id_of(url: str) -> str | None:
    match = PAGE_PATH.search(url or "")
    return match.group(1) if match else None


def feed_xml(page_ids: Iterable[str]) -> bytes:
    """An RSS feed linking every page: no summaries (nothing may stand in for a page's text)
    and no titles of substance (the page's own title is the one that counts)."""
    items = "\n".join(
        f"""  <item>
    <title>Benchmark page {page_id[:12]}</title>
    <link>{escape(page_url(page_id))}</link>
    <guid isPermaLink="false">benchmark-{page_id}</guid>
    <pubDate>{format_datetime(PUBLISHED, usegmt=True)}</pubDate>
  </item>"""
        for page_id in page_ids
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
  <title>Article extraction benchmark pages</title>
  <link>http://{HOST}/</link>
  <description>Real news pages, served for the real-text audit.</description>
{items}
</channel>
</rss>
""".encode()


def benchmark_site(pages: Iterable[RealPage]) -> Site:
    """The pages as a web site; served as text/html with no charset, as real servers often do
    (the hidden set was), so the extractor must find the encoding itself."""
    site = Site()
    ids = []
    for page in pages:
        site.add(HOST, f"/pages/{page.page_id}.html", Resource(page.html, "text/html"))
        ids.append(page.page_id)
    site.add(HOST, "/robots.txt", Resource(b"User-agent: *\nAllow: /\n", "text/plain"))
    site.add(HOST, FEED_PATH, Resource(feed_xml(ids), "application/rss+xml"))
    return site


@dataclass(frozen=True)
class PipelineRun:
    warehouse: Path
    seconds: float
    pages: int
    report: dict[str, Any]


def _newswatch() -> list[str]:
    script = Path(sys.executable).parent / "newswatch"
    return [str(script)] if script.exists() else [sys.executable, "-m", "flows.cli"]


def run_pipeline(pages: Sequence[RealPage], work: Path, timeout: float = 3600) -> PipelineRun:
    """Serve ``pages`` on 127.0.0.1 and run ``newswatch run`` on them into a new warehouse
    under ``work`` (Prefect's home and the run log there too, nothing in the user's home)."""
    work.mkdir(parents=True, exist_ok=True)
    warehouse = work / "warehouse" / "audit.duckdb"
    feeds = work / "feeds.yaml"
    report = work / "run.json"
    log = work / "run.log"
    with DemoServer(benchmark_site(pages)) as server:
        feeds.write_text(
            "feeds:\n"
            "  - name: article-extraction-benchmark\n"
            f"    url: http://{HOST}{FEED_PATH}\n"
            "    outlet: Article extraction benchmark\n",
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
        env.pop("PREFECT_API_URL", None)  # a temporary API of its own, in PREFECT_HOME below
        env.update(
            {
                "NEWSWATCH_HOST_MAP": json.dumps(server.host_map),
                "NEWSWATCH_PRIVATE_ALLOWLIST": json.dumps(list(server.allowlist)),
                "NEWSWATCH_PER_HOST_DELAY": "0",  # our own server: no politeness delay
                "NEWSWATCH_PER_HOST_CONCURRENCY": "4",
                "PREFECT_HOME": str(work / "prefect"),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                "DO_NOT_TRACK": "1",
            }
        )
        command = [*_newswatch(), "run", "--feeds", str(feeds), "--warehouse", str(warehouse)]
        command += ["--report-json", str(report)]
        started = time.perf_counter()
        with log.open("w", encoding="utf-8") as output:
            done = subprocess.run(
                command,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
                cwd=REPO_ROOT,
            )
        seconds = time.perf_counter() - started
    if done.returncode != 0 or not warehouse.exists():
        tail = "\n".join(log.read_text(encoding="utf-8").splitlines()[-30:])
        raise AuditError(f"newswatch run exited {done.returncode}; log {log}:\n{tail}")
    return PipelineRun(warehouse, seconds, len(pages), json.loads(report.read_text("utf-8")))


# -- what the warehouse says ----------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    index: int
    text: str
    words: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", words(self.text))  # split once, compared often


@dataclass(frozen=True)
class MentionRow:
    sentence_index: int
    entity_id: str
    entity_type: str
    mention_count: int
    matched_texts: tuple[str, ...]


@dataclass
class PageFacts:
    page_id: str
    status: str
    status_reason: str | None = None
    sentences: dict[int, Sentence] = field(default_factory=dict)
    rows: list[MentionRow] = field(default_factory=list)


def read_warehouse(warehouse: Path) -> dict[str, PageFacts]:
    """Per page id: the article's status, its sentences and its mention rows."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        articles = con.execute(
            "select article_id, canonical_url, status, status_reason from marts.dim_articles"
        ).fetchall()
        sentences = con.execute(
            "select article_id, sentence_index, sentence_text from marts.fct_sentence_tone"
        ).fetchall()
        # the labels cover the seeds' entities: persons the seeds do not know (issue 11) are
        # scored on the gold set of the demo site instead
        mentions = con.execute(
            "select article_id, sentence_index, entity_id, entity_type, mention_count, "
            "matched_texts from marts.fct_entity_mentions "
            "where entity_id in (select entity_id from seeds.entities)"
        ).fetchall()
    finally:
        con.close()
    facts: dict[str, PageFacts] = {}
    by_article: dict[str, PageFacts] = {}
    for article_id, url, status, reason in articles:
        page_id = page_id_of(url)
        if page_id:
            facts[page_id] = by_article[article_id] = PageFacts(page_id, status, reason)
    for article_id, index, text in sentences:
        if article_id in by_article:
            by_article[article_id].sentences[index] = Sentence(index, text)
    for article_id, index, entity_id, entity_type, count, texts in mentions:
        if article_id in by_article:
            row = MentionRow(index, entity_id, entity_type, count, tuple(texts or ()))
            by_article[article_id].rows.append(row)
    return facts


# -- scoring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Miss:
    """A required label the mention facts do not have."""

    label: Label
    entity_type: str
    cause: str  # NOT_EXTRACTED | NOT_MATCHED
    kind: str  # the alias kind of the label's text, or "not an alias"


@dataclass(frozen=True)
class FalseMention:
    """Mention occurrences no label accounts for."""

    page_id: str
    sentence: Sentence
    entity_id: str
    entity_type: str
    matched_texts: tuple[str, ...]
    count: int
    cause: str  # a trap class, OUTSIDE or UNLABELLED
    kind: str  # the alias kind of the matched text


def miss_class(miss: Miss) -> str:
    """Misses in text the pipeline has are told apart by the kind of name they are."""
    return f"{miss.cause}: {miss.kind}" if miss.cause == NOT_MATCHED else miss.cause


@dataclass(frozen=True)
class NonEnglishPage:
    page_id: str
    language: str
    status: str
    mention_rows: int
    occurrences: int
    entities: tuple[str, ...]


@dataclass
class AuditReport:
    labels: AuditLabels
    pages_missing: list[str]  # labelled pages the warehouse has no article for
    statuses: dict[str, str]  # labelled page -> article status
    found: list[tuple[Label, str]]  # required labels found, with their entity type
    optional_found: int
    optional_missed: int
    misses: list[Miss]
    false_mentions: list[FalseMention]
    trap_hits: list[Trap]
    non_english: list[NonEnglishPage]
    rows_all_pages: int
    occurrences_labelled_pages: int

    @property
    def score(self) -> Score:
        return Score(len(self.found), sum(f.count for f in self.false_mentions), len(self.misses))

    @property
    def score_within_checked_text(self) -> Score:
        """Errors of matching alone: occurrences outside the checked article text or in a
        repeated sentence, and labels whose words the extraction lost, set aside."""
        fp = sum(f.count for f in self.false_mentions if f.cause not in (OUTSIDE, DUPLICATE))
        fn = sum(1 for m in self.misses if m.cause != NOT_EXTRACTED)
        return Score(len(self.found), fp, fn)

    def by_type(self) -> dict[str, Score]:
        tp = Counter(kind for _, kind in self.found)
        fp: Counter[str] = Counter()
        for f in self.false_mentions:
            fp[f.entity_type] += f.count
        fn = Counter(m.entity_type for m in self.misses)
        types = sorted(set(tp) | set(fp) | set(fn))
        return {t: Score(tp[t], fp[t], fn[t]) for t in types}

    def false_positive_classes(self) -> Counter[str]:
        classes: Counter[str] = Counter()
        for f in self.false_mentions:
            classes[f.cause] += f.count
        return classes

    def miss_classes(self) -> Counter[str]:
        return Counter(miss_class(m) for m in self.misses)

    @property
    def non_english_rows(self) -> int:
        return sum(p.mention_rows for p in self.non_english)


def _shingles(tokens: Sequence[str], size: int = 4) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


class CheckedText:
    """The page's title and checked article body, to tell article text from the rest."""

    def __init__(self, title: str | None, body: str) -> None:
        self.tokens = words(f"{title or ''}\n{body}")
        self.joined = f" {' '.join(self.tokens)} "
        self.shingles = _shingles(self.tokens)

    def contains(self, sentence: Sentence) -> bool:
        tokens = sentence.words
        if len(tokens) < 4:
            return f" {' '.join(tokens)} " in self.joined
        grams = _shingles(tokens)
        return len(grams & self.shingles) >= 0.5 * len(grams)


def score_page(
    labels: PageLabels,
    facts: PageFacts,
    checked: CheckedText,
    taxonomy: Taxonomy,
) -> tuple[list[tuple[Label, str]], int, int, list[Miss], list[FalseMention], list[Trap]]:
    """One page: (found required labels, optional found, optional missed, misses, false
    mentions, traps that became mentions)."""
    sentences = list(facts.sentences.values())
    capacity = {(r.sentence_index, r.entity_id): r.mention_count for r in facts.rows}
    assigned: dict[tuple[int, str], list[Label]] = defaultdict(list)

    def candidates(label: Label) -> list[int]:
        scored = [
            (context_match(label.context_words, label.text_words, s.words), s.index)
            for s in sentences
        ]
        return [index for share, index in sorted(scored, key=lambda x: (-x[0], x[1])) if share]

    matched_words = {
        (r.sentence_index, r.entity_id): {words(t) for t in r.matched_texts} for r in facts.rows
    }

    def takes(label: Label, slot: tuple[int, str], strict: bool) -> bool:
        """A row's occurrence goes to a label written as the row's matched text; failing that,
        to one sharing a word with it ("Joe Biden" for "Biden"), never to a different name."""
        if capacity.get(slot, 0) <= 0:
            return False
        texts = matched_words.get(slot, set())
        if strict:
            return label.text_words in texts
        return any(set(label.text_words) & set(t) for t in texts)

    located = {label: candidates(label) for label in labels.mentions}
    # Required labels first, the most constrained first, so that a label with one possible
    # sentence is not crowded out of it by one with several.
    order = sorted(labels.mentions, key=lambda lab: (lab.optional, len(located[lab])))
    slots: dict[Label, tuple[int, str]] = {}
    for strict in (True, False):
        for label in order:
            if label in slots:
                continue
            for index in located[label]:
                slot = (index, label.entity_id)
                if takes(label, slot, strict):
                    capacity[slot] -= 1
                    assigned[slot].append(label)
                    slots[label] = slot
                    break
    found, misses = [], []
    optional_found = optional_missed = 0
    for label in order:
        entity_type = taxonomy.entity_types.get(label.entity_id, "unknown")
        if label in slots:
            if label.optional:
                optional_found += 1
            else:
                found.append((label, entity_type))
        elif label.optional:
            optional_missed += 1
        else:
            cause = NOT_MATCHED if located[label] else NOT_EXTRACTED
            misses.append(
                Miss(label, entity_type, cause, taxonomy.kind(label.entity_id, label.text))
            )

    false_mentions: list[FalseMention] = []
    hits: list[Trap] = []
    seen_words = Counter(s.words for s in sentences)
    for row in facts.rows:
        left = capacity[(row.sentence_index, row.entity_id)]
        if left <= 0:
            continue
        sentence = facts.sentences.get(row.sentence_index, Sentence(row.sentence_index, ""))
        explained = {words(label.text) for label in assigned[(row.sentence_index, row.entity_id)]}
        texts = (
            tuple(t for t in row.matched_texts if words(t) not in explained) or row.matched_texts
        )
        kind = taxonomy.kind(row.entity_id, texts[0]) if texts else NOT_AN_ALIAS
        wrong = partial(FalseMention, labels.page_id, sentence, row.entity_id, row.entity_type)
        for trap in labels.traps:
            if (
                left
                and trap.would_be == row.entity_id
                and trap not in hits
                and context_match(trap.context_words, trap.text_words, sentence.words) > 0
            ):
                hits.append(trap)
                trap_kind = taxonomy.kind(row.entity_id, trap.text)
                false_mentions.append(wrong((trap.text,), 1, trap.why, trap_kind))
                left -= 1
        if left:
            if seen_words[sentence.words] > 1:
                cause = DUPLICATE
            elif not checked.contains(sentence):
                cause = OUTSIDE
            else:
                cause = UNLABELLED
            false_mentions.append(wrong(texts, left, cause, kind))
    return found, optional_found, optional_missed, misses, false_mentions, hits


def score(
    labels: AuditLabels,
    facts: dict[str, PageFacts],
    checked: dict[str, CheckedText],
    taxonomy: Taxonomy,
) -> AuditReport:
    """The mention facts of every labelled page against its labels, and what the non-English
    pages got."""
    report = AuditReport(
        labels=labels,
        pages_missing=[],
        statuses={},
        found=[],
        optional_found=0,
        optional_missed=0,
        misses=[],
        false_mentions=[],
        trap_hits=[],
        non_english=[],
        rows_all_pages=sum(len(f.rows) for f in facts.values()),
        occurrences_labelled_pages=0,
    )
    for page_id, page_labels in labels.pages.items():
        page = facts.get(page_id)
        if page is None:
            report.pages_missing.append(page_id)
            page = PageFacts(page_id, "missing")
        report.statuses[page_id] = page.status
        report.occurrences_labelled_pages += sum(r.mention_count for r in page.rows)
        found, opt_found, opt_missed, misses, false_mentions, hits = score_page(
            page_labels, page, checked[page_id], taxonomy
        )
        report.found += found
        report.optional_found += opt_found
        report.optional_missed += opt_missed
        report.misses += misses
        report.false_mentions += false_mentions
        report.trap_hits += hits
    for page_id, language in sorted(labels.non_english.items()):
        page = facts.get(page_id) or PageFacts(page_id, "missing")
        entities = Counter(r.entity_id for r in page.rows)
        report.non_english.append(
            NonEnglishPage(
                page_id,
                language,
                page.status,
                len(page.rows),
                sum(r.mention_count for r in page.rows),
                tuple(e for e, _ in entities.most_common()),
            )
        )
    return report


def checked_texts(
    pages: Iterable[RealPage], titles: dict[str, str | None]
) -> dict[str, CheckedText]:
    return {p.page_id: CheckedText(titles.get(p.page_id), p.checked_body) for p in pages}


def page_title(html: bytes) -> str | None:
    """The title the pipeline stores for a page (og:title, twitter:title, h1 or <title>)."""
    from flows.text.extract import decode, load_html, page_metadata

    text, _, _ = decode(html, "text/html")
    tree = load_html(text) if text else None
    return page_metadata(tree).title if tree is not None else None


@dataclass(frozen=True)
class Audit:
    report: AuditReport
    run: PipelineRun
    measured_at: datetime


def score_warehouse(
    pages: Sequence[RealPage],
    run: PipelineRun,
    labels: AuditLabels | None = None,
    taxonomy: Taxonomy | None = None,
) -> Audit:
    """Score the warehouse of a run on ``pages`` (the labelled ones among them)."""
    taxonomy = taxonomy or load_taxonomy()
    labels = labels or load_labels(entity_ids=set(taxonomy.entity_types))
    served = {p.page_id for p in pages}
    labels = AuditLabels(
        {k: v for k, v in labels.pages.items() if k in served},
        {k: v for k, v in labels.non_english.items() if k in served},
    )
    facts = read_warehouse(run.warehouse)
    titles = {p.page_id: page_title(p.html) for p in pages if p.page_id in labels.pages}
    checked = checked_texts((p for p in pages if p.page_id in labels.pages), titles)
    return Audit(score(labels, facts, checked, taxonomy), run, datetime.now(UTC))


def run_audit(
    pages: Sequence[RealPage],
    work: Path,
    labels: AuditLabels | None = None,
    taxonomy: Taxonomy | None = None,
) -> Audit:
    """Serve ``pages``, run the pipeline on them and score the labelled ones among them."""
    return score_warehouse(pages, run_pipeline(pages, work), labels, taxonomy)
