"""Quality of stories and wire credits against the hand-labelled gold set (tests/gold/stories):
precision and recall of "same story" on the labelled pairs, and precision of ``wire_source`` on
the labelled credit snippets, both as the warehouse decides them.

Every gold text (the set's own, the demo articles, the real pages rebuilt with their edit
scripts) and every credit snippet becomes an article of a scratch warehouse: its text and its
signature as the workers would store them (flows.text.stories), then ``dbt build`` of the
stories and wire-credit models, the real ones. Two texts are the same story when
``marts.dim_articles`` gives them one ``story_id``.

``python -m tools.stories_quality`` prints the figures and writes the ``stories`` section of
docs/quality.md; ``--errors`` lists every wrong pair and snippet.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml

from flows.core.settings import REPO_ROOT
from flows.demo_site.render import ARTICLES_DIR, OUTLETS, load_articles
from tools.quality import QUALITY_DOC, Score, replace_section
from tools.real_pages import corpus_dir

GOLD_DIR = REPO_ROOT / "tests" / "gold" / "stories"
SECTION = "stories"
SAME_STORY_KINDS = ("copy", "edited-copy", "local-intro", "update")
OTHER_KINDS = ("same-event-different-story", "follow-up", "unrelated")


# -- the gold set ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldText:
    ref: str  # demo:<stem>, real:<page id> or text:<id>
    title: str | None
    body: str  # paragraphs joined by newlines, as the extractor stores a text
    language: str
    outlet: str
    published: datetime | None = None

    @property
    def article_id(self) -> str:
        return hashlib.sha256(self.ref.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class GoldPair:
    a: str
    b: str
    same_story: bool
    kind: str
    note: str = ""


@dataclass(frozen=True)
class GoldCredit:
    number: int
    text: str
    wire_source: str | None
    language: str
    note: str = ""

    @property
    def article_id(self) -> str:
        return f"wire-credit-{self.number:03d}"


# The edit scripts of texts derived from real pages: the README's reference implementation.
ABBREV = {
    *"Mr Mrs Ms Dr St Jr Sr Gov Sen Rep Lt Gen Col Capt No vs Inc Co Corp".split(),
    *"Jan Feb Aug Sept Sep Oct Nov Dec Mt Ft".split(),
}
BOUNDARY = re.compile(r'[.!?]["\u201d\u2019)\]]*(?=\s+["\u201c\u2018(\[]?[A-Z0-9])')


def paragraphs(body: str) -> list[str]:
    return [line.strip() for line in body.split("\n") if line.strip()]


def _sentence_ends(paragraph: str) -> list[int]:
    ends = []
    for match in BOUNDARY.finditer(paragraph):
        token = re.search(r"([A-Za-z]+)$", paragraph[: match.start()])
        if not (token and (len(token.group(1)) == 1 or token.group(1) in ABBREV)):
            ends.append(match.end())
    return ends


def apply_edits(source: list[str], edits: Iterable[dict]) -> list[str]:
    """The paragraphs of a text rebuilt from ``source`` by its edit script (tests/gold/stories
    README: every index refers to the list as it stands when the operation runs)."""
    paras = list(source)
    for op in edits:
        kind = op["op"]
        if "starts" in op and not paras[op["para"]].startswith(op["starts"]):
            raise ValueError(f"edit guard failed: {op}")
        if kind == "drop":
            del paras[op["para"]]
        elif kind == "insert":
            paras.insert(op["at"], op["text"].strip())
        elif kind == "replace_para":
            paras[op["para"]] = op["text"].strip()
        elif kind == "move":
            moved = paras.pop(op["para"])
            paras.insert(op["to"], moved)
        elif kind == "truncate_after":
            paras = paras[: op["para"] + 1]
        elif kind == "replace_all":
            old = op["old"]
            word = re.match(r"\w", old[0]) and re.match(r"\w", old[-1])
            pattern = re.compile(
                r"(?<!\w)" + re.escape(old) + r"(?!\w)" if word else re.escape(old)
            )
            if not any(pattern.search(p) for p in paras):
                raise ValueError(f"nothing to replace: {op}")
            literal = str(op["new"]).replace("\\", "\\\\")  # the text itself, no group refs
            paras = [pattern.sub(literal, p) for p in paras]
        elif kind in ("replace_text", "replace_sentence"):
            needle = op["old"] if kind == "replace_text" else op["containing"]
            hits = [i for i, p in enumerate(paras) if needle in p]
            if len(hits) != 1 or paras[hits[0]].count(needle) != 1:
                raise ValueError(f"not exactly one occurrence: {op}")
            i, p = hits[0], paras[hits[0]]
            if kind == "replace_text":
                paras[i] = p.replace(needle, op["new"])
                continue
            position, ends = p.index(needle), _sentence_ends(p)
            start = max([e for e in ends if e <= position], default=0)
            end = min([e for e in ends if e >= position + len(needle)], default=len(p))
            head, tail, new = p[:start], p[end:], op["with"].strip()
            if new:
                p = re.sub(
                    r"(\S)\s{2,}(\S)",
                    r"\1 \2",
                    (head + (" " if head.strip() else "") + new + tail).lstrip(),
                )
            else:
                p = (head.rstrip() + " " + tail.lstrip()).strip()
            if p:
                paras[i] = p
            else:
                del paras[i]
        else:
            raise ValueError(f"unknown edit operation {kind!r}")
    return paras


def _front_matter(path: Path) -> tuple[dict, str]:
    _, front, body = path.read_text(encoding="utf-8").split("---", 2)
    return yaml.safe_load(front), body


def _when(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value)) if value else None


def real_bodies(corpus: Path | None = None) -> dict[str, str] | None:
    """The real pages' hand-checked bodies by page id, or None without the shared corpus."""
    folder = corpus or corpus_dir()
    if folder is None:
        return None
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    return {page_id: entry["articleBody"] for page_id, entry in truth.items()}


def load_texts(real: dict[str, str] | None) -> dict[str, GoldText]:
    """Every text the pairs name that can be built (real pages only with the shared corpus)."""
    texts: dict[str, GoldText] = {}
    for article in load_articles(ARTICLES_DIR):
        ref = f"demo:{article.stem}"
        texts[ref] = GoldText(
            ref,
            article.title,
            "\n".join(article.paragraphs),
            OUTLETS[article.outlet].language,
            article.outlet,
            article.published,
        )
    for page_id, body in (real or {}).items():
        texts[f"real:{page_id}"] = GoldText(f"real:{page_id}", None, body, "en", "real-page")
    files = sorted((GOLD_DIR / "texts").glob("*.md"))
    pending = {path.stem: _front_matter(path) for path in files}
    while pending:  # a text may derive from another text of the set
        progressed = False
        for stem, (meta, body) in list(pending.items()):
            source = meta.get("derived_from")
            if "edits" in meta:
                if source not in texts:
                    if source and source.startswith("real:") and real is None:
                        del pending[stem]  # its real page is not here
                        progressed = True
                    continue
                paras = apply_edits(paragraphs(texts[source].body), meta["edits"])
            else:
                paras = [" ".join(p.split()) for p in body.strip().split("\n\n") if p.strip()]
            ref = f"text:{meta['id']}"
            texts[ref] = GoldText(
                ref,
                meta.get("title"),
                "\n".join(paras),
                meta.get("language", "en"),
                meta.get("outlet", ""),
                _when(meta.get("published")),
            )
            del pending[stem]
            progressed = True
        if not progressed:
            raise ValueError(f"texts whose source is missing: {sorted(pending)}")
    return texts


def load_pairs() -> list[GoldPair]:
    rows = yaml.safe_load((GOLD_DIR / "pairs.yaml").read_text(encoding="utf-8"))
    return [
        GoldPair(r["a"], r["b"], bool(r["same_story"]), r["kind"], r.get("note", "")) for r in rows
    ]


def load_credits() -> list[GoldCredit]:
    rows = yaml.safe_load((GOLD_DIR / "wire_credits.yaml").read_text(encoding="utf-8"))
    return [
        GoldCredit(n, r["text"], r["wire_source"], r["language"], r.get("note", ""))
        for n, r in enumerate(rows)
    ]


# -- the warehouse's answers -----------------------------------------------------------------

# gold language -> the language detector's code (what dbt reads in detected_language)
DETECTED = {"zh-Hans": "zh", "zh-Hant": "zh-Hant"}
FIRST_SEEN = datetime(2026, 1, 1, tzinfo=UTC)
REAL_PAGE_NUMBERS = 1000  # the real pages read for credits are "snippets" from this number on


def _article_row(article_id: str, text: str, title: str | None, language: str, seen: datetime):
    return {
        "article_id": article_id,
        "canonical_url": f"https://gold.example/{article_id}",
        "url": f"https://gold.example/{article_id}",
        "status": "ok",
        "text_source": "page",
        "title": title,
        "text": text,
        "word_count": len(text.split()),
        "fetch_attempts": 1,
        "first_seen_at": seen,
        "loaded_at": datetime.now(UTC),
        "run_id": "gold",
        "detected_language": DETECTED.get(language, language),
        "language_confidence": 1.0,
        "language_detector": "gold",
    }


def write_gold_warehouse(
    path: Path, texts: Iterable[GoldText], credits: Iterable[GoldCredit]
) -> None:
    """raw rows for every gold text (with its signature, as the workers store it) and every
    credit snippet (a text of its own, unsigned: snippets are not the stories being scored)."""
    from flows.text.stories import sign
    from flows.text.tokens import ANALYSER_VERSION
    from flows.warehouse import open_warehouse
    from flows.warehouse.columns import insert_rows

    articles, signatures = [], []
    now = datetime.now(UTC)
    for text in texts:
        # the order texts were first seen: their own dates (the oldest gives the story its id)
        seen = text.published or FIRST_SEEN
        articles.append(_article_row(text.article_id, text.body, text.title, text.language, seen))
        signature = sign(text.body)
        if signature is not None:
            signatures.append(
                {
                    "article_id": text.article_id,
                    "sketch": signature.sketch,
                    "shingle_count": signature.shingle_count,
                    "minhashes": list(signature.minhashes),
                    "analyser": ANALYSER_VERSION,
                    "loaded_at": now,
                }
            )
    for credit in credits:
        articles.append(
            _article_row(credit.article_id, credit.text, None, credit.language, FIRST_SEEN)
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with open_warehouse(path) as con:
        insert_rows(con, "raw.articles", articles)
        insert_rows(con, "raw.article_signatures", signatures)


def build_gold_warehouse(
    work: Path, texts: Iterable[GoldText], credits: Iterable[GoldCredit]
) -> Path:
    """The gold texts and snippets through dbt's stories and wire-credit models; returns the
    built database."""
    from flows.core.settings import Settings
    from flows.transform.dbt_runner import run_dbt

    settings = Settings(warehouse=work / "gold-stories.duckdb")
    write_gold_warehouse(settings.work_database, texts, credits)
    result = run_dbt(
        settings,
        "build",
        "--select",
        "+dim_stories",
        "+dim_articles",
        "--exclude-resource-type",
        "test",
        "--exclude-resource-type",
        "unit_test",
    )
    if not result.success:
        raise RuntimeError(result.describe_failures())
    return settings.work_database


# -- scoring ---------------------------------------------------------------------------------


@dataclass
class StoriesReport:
    pairs: list[tuple[GoldPair, bool]]  # each labelled pair and whether the warehouse agrees
    credits: list[tuple[GoldCredit, str | None]]  # each snippet and the wire_source found
    skipped_pairs: int = 0  # pairs whose texts could not be built (no shared corpus)
    stories: dict[str, str] = field(default_factory=dict)
    # the real pages' bodies read for credits (not labelled: a check of false alarms on real
    # text): how many, and each credit found (agency, form, line)
    real_pages: int = 0
    real_page_credits: list[tuple[str, str, str]] = field(default_factory=list)
    # (Jaccard, containment) of each labelled pair, estimated from the two signatures as
    # int_stories__pairs does: how far each side stands from the thresholds
    measures: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)

    def margin(self, same_story: bool) -> tuple[float, float]:
        """The lowest (Jaccard, containment) of same-story pairs, or the highest of the
        others."""
        values = [self.measures[(p.a, p.b)] for p, _ in self.pairs if p.same_story == same_story]
        pick = min if same_story else max
        return pick(j for j, _ in values), pick(c for _, c in values)

    @property
    def same_story(self) -> Score:
        tp = sum(1 for p, same in self.pairs if p.same_story and same)
        fp = sum(1 for p, same in self.pairs if not p.same_story and same)
        fn = sum(1 for p, same in self.pairs if p.same_story and not same)
        return Score(tp, fp, fn)

    @property
    def wire(self) -> Score:
        tp = sum(1 for c, found in self.credits if found and found == c.wire_source)
        fp = sum(1 for c, found in self.credits if found and found != c.wire_source)
        fn = sum(1 for c, found in self.credits if c.wire_source and found != c.wire_source)
        return Score(tp, fp, fn)

    def by_kind(self) -> dict[str, tuple[int, int]]:
        """kind -> (pairs the warehouse got right, pairs)."""
        counts: dict[str, list[int]] = {}
        for pair, same in self.pairs:
            right = same == pair.same_story
            entry = counts.setdefault(pair.kind, [0, 0])
            entry[0] += right
            entry[1] += 1
        return {kind: (right, total) for kind, (right, total) in counts.items()}

    def pair_errors(self) -> list[GoldPair]:
        return [p for p, same in self.pairs if same != p.same_story]

    def credit_errors(self) -> list[tuple[GoldCredit, str | None]]:
        return [(c, found) for c, found in self.credits if found != c.wire_source]


def evaluate(work: Path | None = None, corpus: Path | None = None) -> StoriesReport:
    """Build the gold set through the warehouse and score what it says."""
    import duckdb

    real = real_bodies(corpus)
    texts = load_texts(real)
    pairs = load_pairs()
    credits = load_credits()
    pages = [
        GoldCredit(REAL_PAGE_NUMBERS + n, body, None, "en")
        for n, (_, body) in enumerate(sorted((real or {}).items()))
    ]
    usable = [p for p in pairs if p.a in texts and p.b in texts]
    wanted = {ref for p in usable for ref in (p.a, p.b)}
    with tempfile.TemporaryDirectory(prefix="gold-stories-") as scratch:
        database = build_gold_warehouse(
            work or Path(scratch), [texts[ref] for ref in sorted(wanted)], credits + pages
        )
        con = duckdb.connect(str(database), read_only=True)
        try:
            rows = con.execute(
                "select article_id, story_id, wire_source from marts.dim_articles"
            ).fetchall()
            found_on_pages = con.execute(
                "select wire_source, credit_form, credit_line "
                "from intermediate.int_articles__wire_credits "
                "where article_id in (select unnest($ids)) and wire_source is not null "
                "order by article_id",
                {"ids": [page.article_id for page in pages]},
            ).fetchall()
        finally:
            con.close()
    from flows.text.stories import sign, similarity

    signatures = {ref: sign(texts[ref].body) for ref in wanted}
    measures = {
        (p.a, p.b): similarity(signatures[p.a], signatures[p.b])  # type: ignore[arg-type]
        for p in usable
    }
    story = {article_id: story_id for article_id, story_id, _ in rows}
    wire = {article_id: source for article_id, _, source in rows}
    by_ref = {ref: story[texts[ref].article_id] for ref in wanted}
    return StoriesReport(
        [(p, by_ref[p.a] == by_ref[p.b]) for p in usable],
        [(c, wire.get(c.article_id)) for c in credits],
        len(pairs) - len(usable),
        by_ref,
        len(pages),
        [(source, form, line) for source, form, line in found_on_pages],
        measures,
    )


def _interval(score: Score, part: str) -> str:
    low, high = score.precision_interval if part == "precision" else score.recall_interval
    value = score.precision if part == "precision" else score.recall
    return f"{value:.3f} ({low:.3f}–{high:.3f})"


def render(report: StoriesReport, seconds: float) -> str:
    """The ``stories`` section of docs/quality.md."""
    same, wire = report.same_story, report.wire
    called = same.true_positives + same.false_positives
    labelled = same.true_positives + same.false_negatives
    credited = wire.true_positives + wire.false_positives
    credits = wire.true_positives + wire.false_negatives
    lines = [
        "## Stories and wire credits",
        "",
        "Measured by `python -m tools.stories_quality` on the hand-labelled gold set "
        "`tests/gold/stories` (labelled before the method existed; README there), through the "
        "warehouse itself: every text gets its signature as the workers make it, and dbt's "
        "stories and wire-credit models decide (`dbt_project/docs/stories.md`). Two texts are "
        "the same story when `dim_articles` gives them one `story_id`. 95% Wilson intervals.",
        "",
        "| measure | value (95% interval) | target | counts |",
        "|---|---|---|---|",
        f"| same story: precision | {_interval(same, 'precision')} | ≥ 0.95 "
        f"| {same.true_positives} of {called} pairs called one story |",
        f"| same story: recall | {_interval(same, 'recall')} | ≥ 0.90 "
        f"| {same.true_positives} of {labelled} same-story pairs |",
        f"| `wire_source`: precision | {_interval(wire, 'precision')} | ≥ 0.95 "
        f"| {wire.true_positives} of {credited} credits found |",
        f"| `wire_source`: recall | {_interval(wire, 'recall')} | "
        f"| {wire.true_positives} of {credits} credited snippets |",
        "",
        f"{len(report.pairs)} labelled pairs"
        + (
            f" ({report.skipped_pairs} more need the shared corpus of real pages)"
            if report.skipped_pairs
            else ""
        )
        + f"; {len(report.credits)} credit snippets, "
        f"{sum(1 for c, _ in report.credits if c.wire_source is None)} of them not credits "
        "(photo credits, agencies named inside a sentence, look-alike names, other services). "
        f"Built and scored in {seconds:.0f} s.",
    ]
    (low_j, low_c), (high_j, high_c) = report.margin(True), report.margin(False)
    lines += [
        "",
        "How far the labels stand from the rules (`dbt_project.yml`: a pair is one story when "
        "its estimated containment is at least `story_min_containment` 0.45 and its Jaccard "
        "similarity at least `story_min_jaccard` 0.1): the same-story pairs' lowest estimates "
        f"are containment {low_c:.3f} and Jaccard {low_j:.3f}; the other pairs' highest, "
        f"containment {high_c:.3f} and Jaccard {high_j:.3f}. The thresholds were set between "
        "the two after looking at these figures, so this set cannot say how a copy edited more "
        'heavily than any here would fare (see the set\'s README, "Limits").',
        "",
        "| kind | pairs | right |",
        "|---|---|---|",
    ]
    kinds = report.by_kind()
    for kind in (*SAME_STORY_KINDS, *OTHER_KINDS):
        if kind in kinds:
            right, total = kinds[kind]
            lines.append(f"| {kind} | {total} | {right} |")
    errors = report.pair_errors()
    lines += (
        ["", "Pairs the warehouse gets wrong:", ""]
        if errors
        else ["", "No labelled pair is wrong."]
    )
    for pair in errors:
        said = "one story" if not pair.same_story else "two stories"
        lines.append(f"- {pair.kind}, called {said}: `{pair.a}` / `{pair.b}` — {pair.note}")
    if report.real_pages:
        lines += [
            "",
            "The credit forms were written with the labelled snippets in view, so the snippets "
            "measure them on the cases they were written for. As a check on text they were "
            f"not written for, the {report.real_pages} real pages of the extraction benchmark "
            f"(not labelled for credits) are read too: {len(report.real_page_credits)} credits "
            "found, listed here to be checked by reading.",
            "",
        ]
        lines += [
            f"- {source} ({form}): `{' '.join(line.split())[:100]}…`"
            for source, form, line in report.real_page_credits
        ]
    credit_errors = report.credit_errors()
    lines += (
        ["", "Snippets whose `wire_source` is wrong:", ""]
        if credit_errors
        else ["", "No snippet is wrong."]
    )
    for credit, found in credit_errors:
        text = " ".join(credit.text.split())
        lines.append(
            f"- `{text[:90]}{'…' if len(text) > 90 else ''}` ({credit.language}): "
            f"labelled {credit.wire_source or 'null'}, found {found or 'null'} — {credit.note}"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    import time

    parser = argparse.ArgumentParser(prog="python -m tools.stories_quality", description=__doc__)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/quality.md")
    parser.add_argument("--work", type=Path, help="keep the scratch warehouse in this folder")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    report = evaluate(args.work)
    section = render(report, time.perf_counter() - started)
    print(section)
    if not args.no_write:
        document = QUALITY_DOC.read_text(encoding="utf-8") if QUALITY_DOC.exists() else ""
        QUALITY_DOC.write_text(replace_section(document, SECTION, section), encoding="utf-8")
        print(f"wrote the {SECTION} section of {QUALITY_DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
