"""Quotations and their speakers in nine language variants (issue 25): ``marts.fct_quotes`` on
the multilingual gold articles (tests/gold/multilingual, served by the demo site) against the
hand labels of every direct quotation.

A found quotation matches a labelled one of the same article when their words are the same
(Unicode-normalized, spaces and the punctuation at either end ignored). Speakers are scored on
the matched quotations: *right* when the found speaker is the labelled one, *wrong* when it is
another entity (or one where the label says the text does not name the speaker), *unknown*
when none was found. Speakers the seeds do not hold (the labels' ids for people no seed
names) can only be unknown while discovery reads English alone; they are counted apart.

``python -m tools.multilingual_quotes WAREHOUSE`` prints the table, writes its section of
docs/quality.md and every error to docs/multilingual-quote-errors.md.
"""

from __future__ import annotations

import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from flows.core.settings import REPO_ROOT
from tools.multilingual_quality import VARIANTS, _article_urls, _interval, load_gold
from tools.quality import QUALITY_DOC, Score, replace_section

ERRORS_DOC = REPO_ROOT / "docs" / "multilingual-quote-errors.md"
EDGE = " \t\n.,，、。:：;；!?！？…—–-"


def normal(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).strip(EDGE)


@dataclass
class QuoteResult:
    variant: str
    labelled: int = 0
    found: int = 0
    matched: int = 0
    with_speaker: int = 0  # matched quotations whose label names a speaker
    curated_speaker: int = 0  # … a speaker the seeds hold
    right: int = 0
    right_curated: int = 0
    wrong: int = 0
    unknown: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def score(self) -> Score:
        return Score(self.matched, self.found - self.matched, self.labelled - self.matched)


def evaluate(warehouse: Path) -> dict[str, QuoteResult]:
    urls = _article_urls()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        articles = dict(
            con.execute("select canonical_url, article_id from marts.dim_articles").fetchall()
        )
        rows = con.execute(
            "select article_id, quote_text, speaker_entity_id, speaker_name "
            "from marts.fct_quotes order by article_id, quote_index"
        ).fetchall()
        curated = {row[0] for row in con.execute("select entity_id from seeds.entities").fetchall()}
    finally:
        con.close()
    found_by_article: dict[str, list[tuple[str, str | None, str | None]]] = defaultdict(list)
    for article_id, text, speaker, name in rows:
        found_by_article[article_id].append((text, speaker, name))

    results = {}
    for variant in VARIANTS:
        result = QuoteResult(variant)
        for stem, labels in sorted(load_gold(variant).items()):
            article_id = articles.get(urls.get(stem, ""))
            gold = list(labels.get("quotes") or [])
            found = list(found_by_article.get(article_id, [])) if article_id else []
            result.labelled += len(gold)
            result.found += len(found)
            left = list(found)
            for quote in gold:
                match = next((f for f in left if normal(f[0]) == normal(quote["text"])), None)
                speaker = quote.get("speaker")
                if match is None:
                    result.errors.append(f"{stem} · missed «{quote['text'][:80]}»")
                    continue
                left.remove(match)
                result.matched += 1
                got = match[1]
                if speaker:
                    result.with_speaker += 1
                    result.curated_speaker += speaker in curated
                if speaker and got == speaker:
                    result.right += 1
                    result.right_curated += speaker in curated
                elif got is not None:
                    result.wrong += 1
                    result.errors.append(
                        f"{stem} · speaker {got} («{match[2]}») where the label says "
                        f"{speaker or 'unnamed'}: «{quote['text'][:60]}»"
                    )
                elif speaker:
                    result.unknown += 1
                    if speaker in curated:
                        result.errors.append(
                            f"{stem} · speaker unknown, label {speaker}: «{quote['text'][:60]}»"
                        )
            for text, speaker, _ in left:
                result.errors.append(f"{stem} · extra «{text[:80]}» (speaker {speaker})")
        results[variant] = result
    return results


def render(results: dict[str, QuoteResult]) -> str:
    lines = [
        "## Quotations and speakers in nine more variants (issue 25)",
        "",
        "Every direct quotation of the multilingual gold articles (`tests/gold/multilingual`,",
        "labelled with its speaker before these rules existed) against `marts.fct_quotes`;",
        "`python -m tools.multilingual_quotes warehouse/demo.duckdb` (after `make demo`)",
        "rewrites this section and lists every error in",
        "[multilingual-quote-errors.md](multilingual-quote-errors.md). Quotations match when",
        "their words are the same; speakers are scored on the matched ones. *Right* and",
        "*unknown* are shares of the matched quotations whose label names a speaker; *wrong* is",
        "the share of matched quotations given a speaker other than the label's (or one where",
        "the label names none). Speakers that no seed holds can be found only where persons",
        "are discovered (Spanish; the section below), so the right share of curated speakers is",
        "given too.",
        "95% Wilson intervals.",
        "",
        "| variant | quotes P | R | (interval P · R) | speakers right | of curated | wrong | "
        "unknown | labelled quotes |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for variant, r in results.items():
        score = r.score
        right = r.right / r.with_speaker if r.with_speaker else 0.0
        curated = r.right_curated / r.curated_speaker if r.curated_speaker else 0.0
        wrong = r.wrong / r.matched if r.matched else 0.0
        unknown = r.unknown / r.with_speaker if r.with_speaker else 0.0
        lines.append(
            f"| {VARIANTS[variant][1]} | {score.precision:.3f} | {score.recall:.3f} | "
            f"{_interval(*score.precision_interval)} · {_interval(*score.recall_interval)} | "
            f"{right:.3f} | {curated:.3f} | {wrong:.1%} | {unknown:.1%} | {r.labelled} |"
        )
    lines += [
        "",
        "Targets (issue 25, as for English): quotes precision ≥ 0.95 and recall ≥ 0.90;",
        "speakers right ≥ 0.90 with wrong ≤ 5%. Like the mentions above, **these rules were",
        "written while reading this set's errors** (the labels came first and were not",
        "changed): these are figures on text the rules were shaped on.",
        "",
        "What the nine variants have, and why:",
        "",
        "- **Quotations with curated speakers**: every variant (rules in",
        "  `flows/text/quotes_multilingual.py`, cues in the seed `quote_cues`). A speaker is",
        "  named only when the attribution names a curated person (or, right by the verb, a",
        "  curated organization), or in Spanish a discovered one: a name no rule knows, a",
        "  country, a demonym, or a subject the sentence marks as someone else's leaves it",
        "  unknown. Most unknown speakers above are people no seed names (analysts,",
        "  residents, officials).",
        "- **Discovered persons**: Spanish, by its cues in the seed `person_cues` (precision",
        "  1.00 on this set's `persons` labels: the section below); Spanish speakers right rose",
        "  from 0.369 to 0.631 with them, wrong unchanged. French (0.93) and Indonesian (0.58)",
        "  are below the bar (precision ≥ 0.95); Chinese, Japanese, Korean (no capitals),",
        "  Russian and Vietnamese have no cues yet. They keep curated persons only",
        "  (`newswatch status` says so).",
        "- **Tone**: English only. The tone model is VADER, an English lexicon; no package here",
        "  ships a lexicon or model for these languages with a published evaluation on news,",
        "  so `fct_sentence_tone`, `fct_article_tone` and `fct_quotes.tone` are null for them",
        "  (never another language's scores), and the analyst report's tone covers English.",
        "",
    ]
    return "\n".join(lines)


def render_errors(results: dict[str, QuoteResult]) -> str:
    lines = [
        "# Multilingual gold set: every quotation error",
        "",
        "Written by `python -m tools.multilingual_quotes` (see docs/quality.md).",
        "",
    ]
    for variant, result in results.items():
        lines += [f"## {VARIANTS[variant][1]} ({len(result.errors)})", ""]
        lines += [f"- {error}" for error in result.errors] or ["- none"]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    warehouse = Path(argv[0]) if argv else REPO_ROOT / "warehouse" / "demo.duckdb"
    results = evaluate(warehouse)
    section = render(results)
    print(section)
    document = QUALITY_DOC.read_text(encoding="utf-8") if QUALITY_DOC.exists() else ""
    QUALITY_DOC.write_text(
        replace_section(document, "multilingual-quotes", section), encoding="utf-8"
    )
    ERRORS_DOC.write_text(render_errors(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
