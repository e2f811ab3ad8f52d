"""Quality in nine language variants: what the marts say about the multilingual gold articles
(tests/gold/multilingual, served by the demo site) against the hand labels.

Countries and curated persons are scored mention by mention: each label's context names the
sentence it stands in, and a sentence's mentions of an entity are matched to its labels by
count (a label whose context the sentences do not hold is matched against the article's
leftovers). Issues are scored per article: a labelled issue is found when the article has it
or one of its sub-issues. ``python -m tools.multilingual_quality WAREHOUSE`` prints the table
and writes its section of docs/quality.md and every error to docs/multilingual-errors.md.
"""

from __future__ import annotations

import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from flows.core.settings import REPO_ROOT
from flows.demo_site.render import OUTLETS, load_articles
from flows.ingest.feeds import canonicalize
from tools.quality import QUALITY_DOC, Score, replace_section

GOLD_DIR = REPO_ROOT / "tests" / "gold" / "multilingual"
ERRORS_DOC = REPO_ROOT / "docs" / "multilingual-errors.md"
# gold file -> the language code the detector gives its articles
VARIANTS = {
    "zh-Hans": ("zh", "Chinese (Simplified)"),
    "zh-Hant": ("zh-Hant", "Chinese (Traditional)"),
    "ja": ("ja", "Japanese"),
    "ko": ("ko", "Korean"),
    "es": ("es", "Spanish"),
    "fr": ("fr", "French"),
    "ru": ("ru", "Russian"),
    "vi": ("vi", "Vietnamese"),
    "id": ("id", "Indonesian"),
}


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass
class Counted:
    """Matched, extra and missing mentions, and where each error is."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def score(self) -> Score:
        return Score(self.true_positives, self.false_positives, self.false_negatives)


@dataclass
class VariantResult:
    variant: str
    articles: int = 0
    articles_found: int = 0  # gold articles the warehouse holds, with text
    detected: Counter[str] = field(default_factory=Counter)
    countries: Counted = field(default_factory=Counted)
    persons: Counted = field(default_factory=Counted)
    issues_labelled: int = 0
    issues_found: int = 0
    issue_misses: list[str] = field(default_factory=list)


def load_gold(variant: str) -> dict[str, dict]:
    return yaml.safe_load((GOLD_DIR / f"{variant}.yaml").read_text(encoding="utf-8"))


def _article_urls() -> dict[str, str]:
    """Each gold article's canonical URL, as the warehouse stores it (percent-encoded)."""
    return {
        a.stem: canonicalize(f"http://{OUTLETS[a.outlet].host}{a.path}") for a in load_articles()
    }


def _match(
    counted: Counted,
    stem: str,
    gold: list[tuple[int | None, str, str]],
    found: dict[tuple[int, str], int],
    texts: dict[int, str],
    matched: dict[tuple[int, str], str],
) -> None:
    """Match labels (sentence or None, entity, context) to found mention counts."""
    wanted: Counter[tuple[int | None, str]] = Counter((s, e) for s, e, _ in gold)
    contexts = {(s, e): c for s, e, c in gold}
    left_found: Counter[str] = Counter()
    for (sentence, entity), count in found.items():
        take = min(count, wanted.get((sentence, entity), 0))
        counted.true_positives += take
        wanted[(sentence, entity)] -= take
        if count > take:
            left_found[entity] += count - take
            counted.errors.append(
                f"{stem} · extra {entity} ×{count - take} "
                f"(found «{matched.get((sentence, entity), '')}») in: "
                f"{texts.get(sentence, '')[:140]}"
            )
    left_wanted: Counter[str] = Counter()
    for (_, entity), count in wanted.items():
        if count > 0:
            left_wanted[entity] += count
    # labels whose sentence could not be found: matched against the article's leftovers
    for entity in set(left_found) | set(left_wanted):
        unplaced = wanted.get((None, entity), 0)
        take = min(unplaced, left_found[entity])
        counted.true_positives += take
        counted.false_positives += left_found[entity] - take
        counted.false_negatives += left_wanted[entity] - take
    for (placed, entity), count in wanted.items():
        if count > 0 and placed is not None:
            counted.errors.append(
                f"{stem} · missed {entity} ×{count}: «{contexts[(placed, entity)]}»"
            )


class _Placer:
    """Which sentence a label stands in: its context is found in the article's sentences
    joined by spaces (a context may run across a sentence break), and the label's own text
    within the context says which side of the break it is on."""

    def __init__(self, texts: dict[int, str]) -> None:
        self.starts: list[tuple[int, int]] = []
        parts = []
        offset = 0
        for index in sorted(texts):
            self.starts.append((offset, index))
            parts.append(texts[index])
            offset += len(texts[index]) + 1
        self.joined = " ".join(parts)

    def place(self, context: str, label_text: str) -> int | None:
        wanted = _normal(context)
        at = self.joined.find(wanted)
        if at < 0:
            return None
        within = wanted.find(_normal(label_text))
        at += max(within, 0)
        sentence = None
        for start, index in self.starts:
            if start > at:
                break
            sentence = index
        return sentence


def evaluate(warehouse: Path) -> dict[str, VariantResult]:
    urls = _article_urls()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        articles = dict(
            con.execute(
                "select canonical_url, article_id from marts.dim_articles where has_text"
            ).fetchall()
        )
        languages = dict(
            con.execute("select article_id, detected_language from marts.dim_articles").fetchall()
        )
        sentence_rows = con.execute(
            "select article_id, sentence_index, text from raw.sentences"
        ).fetchall()
        mention_rows = con.execute(
            "select article_id, sentence_index, entity_id, entity_type, mention_count, "
            "matched_texts from marts.fct_entity_mentions"
        ).fetchall()
        issue_rows = con.execute(
            "select article_id, issue_id from marts.fct_article_issues"
        ).fetchall()
        parents = dict(
            con.execute("select issue_id, parent_issue_id from marts.dim_issues").fetchall()
        )
        types = dict(con.execute("select entity_id, entity_type from seeds.entities").fetchall())
    finally:
        con.close()
    sentences: dict[str, dict[int, str]] = defaultdict(dict)
    for article_id, index, text in sentence_rows:
        sentences[article_id][index] = _normal(text)
    mentions: dict[str, dict[str, dict[tuple[int, str], int]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    matched: dict[tuple[str, int, str], str] = {}
    for article_id, index, entity_id, entity_type, count, texts in mention_rows:
        if entity_type in ("country", "person") and types.get(entity_id) == entity_type:
            mentions[article_id][entity_type][(index, entity_id)] = count
            matched[(article_id, index, entity_id)] = " · ".join(texts or [])
    issues: dict[str, set[str]] = defaultdict(set)
    for article_id, issue_id in issue_rows:
        issues[article_id].add(issue_id)

    def ancestors(issue_id: str) -> set[str]:
        seen: set[str] = set()
        current: str | None = issue_id
        while current and current not in seen:
            seen.add(current)
            current = parents.get(current)
        return seen

    results = {}
    for variant in VARIANTS:
        result = VariantResult(variant)
        for stem, labels in sorted(load_gold(variant).items()):
            result.articles += 1
            article_id = articles.get(urls.get(stem, ""))
            texts = sentences.get(article_id, {}) if article_id else {}
            if article_id:
                result.articles_found += 1
                result.detected[languages.get(article_id) or "none"] += 1

            placer = _Placer(texts)

            for kind, counted in (("country", result.countries), ("person", result.persons)):
                gold = [
                    (placer.place(m["context"], m["text"]), m["entity_id"], m["context"])
                    for m in labels.get("mentions") or []
                    if types.get(m["entity_id"]) == kind
                ]
                found = mentions[article_id][kind] if article_id else {}
                here = {
                    (index, entity): text
                    for (article, index, entity), text in matched.items()
                    if article == article_id
                }
                _match(counted, stem, gold, found, texts, here)
            found_issues = issues.get(article_id, set()) if article_id else set()
            for issue_id in labels.get("issues") or []:
                result.issues_labelled += 1
                if any(issue_id in ancestors(found) for found in found_issues):
                    result.issues_found += 1
                else:
                    result.issue_misses.append(
                        f"{stem} · {issue_id} (found: {', '.join(sorted(found_issues)) or '—'})"
                    )
        results[variant] = result
    return results


def _interval(low: float, high: float) -> str:
    return f"{low:.2f}–{high:.2f}"


def render(results: dict[str, VariantResult]) -> str:
    lines = [
        "## Nine more language variants (issue 24)",
        "",
        "The multilingual gold set (`tests/gold/multilingual`, labelled before any rule for these",
        "languages existed): articles written in each variant's news style, served by the demo",
        "site, every mention of a curated country or person labelled with its context.",
        "`python -m tools.multilingual_quality warehouse/demo.duckdb` (after `make demo`)",
        "scores the demo warehouse and rewrites this section; every error is listed in",
        "[multilingual-errors.md](multilingual-errors.md). Mentions are matched sentence by",
        "sentence (a label's context names its sentence); 95% Wilson intervals.",
        "",
        "| variant | articles | countries P | R | (interval P · R) | curated persons P | R | "
        "issues found |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for variant, result in results.items():
        name = VARIANTS[variant][1]
        c, p = result.countries.score, result.persons.score
        issues = (
            f"{result.issues_found}/{result.issues_labelled} "
            f"({result.issues_found / result.issues_labelled:.0%})"
            if result.issues_labelled
            else "—"
        )
        lines.append(
            f"| {name} | {result.articles_found}/{result.articles} | {c.precision:.3f} | "
            f"{c.recall:.3f} | {_interval(*c.precision_interval)} · "
            f"{_interval(*c.recall_interval)} | {p.precision:.3f} | {p.recall:.3f} | {issues} |"
        )
    lines.append("")
    counts = "; ".join(
        f"{VARIANTS[v][1]}: {r.countries.true_positives + r.countries.false_negatives} country "
        f"and {r.persons.true_positives + r.persons.false_negatives} person labels"
        for v, r in results.items()
    )
    lines += [
        f"Labels: {counts}.",
        "",
        "Targets (issue 24): countries and curated persons precision ≥ 0.95 and recall ≥ 0.90,",
        "issues found in ≥ 90% of the articles labelled with them. **This set is where the rules",
        "were developed**: the labels came first and were not changed, but the seeds (demonyms,",
        "person names, cue words, issue terms) were widened and the matcher's rules written while",
        "reading its errors, so these figures are what the rules do on text they were shaped on.",
        "Seed rows were added as whole classes (every country's demonyms, every curated person's",
        "names, the common phrasings of an issue), not as the strings of a missed label; text",
        "written elsewhere will score lower, by how much only another labelled set can say.",
        "Real pages in these languages are few: each mention on them is judged by hand in",
        "[real-pages-non-english.md](real-pages-non-english.md).",
        "",
    ]
    return "\n".join(lines)


def render_errors(results: dict[str, VariantResult]) -> str:
    lines = [
        "# Multilingual gold set: every error",
        "",
        "Written by `python -m tools.multilingual_quality` (see docs/quality.md).",
        "",
    ]
    for variant, result in results.items():
        lines += [f"## {VARIANTS[variant][1]}", ""]
        for title, errors in (
            ("Countries", result.countries.errors),
            ("Curated persons", result.persons.errors),
            ("Issues not found", result.issue_misses),
        ):
            lines += [f"### {title} ({len(errors)})", ""]
            lines += [f"- {error}" for error in errors] or ["- none"]
            lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    warehouse = Path(argv[0]) if argv else REPO_ROOT / "warehouse" / "demo.duckdb"
    results = evaluate(warehouse)
    section = render(results)
    print(section)
    document = QUALITY_DOC.read_text(encoding="utf-8") if QUALITY_DOC.exists() else ""
    QUALITY_DOC.write_text(replace_section(document, "multilingual", section), encoding="utf-8")
    ERRORS_DOC.write_text(render_errors(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
