"""Discovered persons in the nine language variants (issue 25): the people rules with each
language's cues (flows/text/people.py, seed person_cues) on the multilingual gold articles
(tests/gold/multilingual, served by the demo site) against the labels of every person the
articles name whom no seed holds (``persons`` with ``id: null``).

A found person matches a labelled one of the same article when their names are the same
(accents and case aside). The rules run on the warehouse's stored sentences of each gold
article with the warehouse's seeds, as int_persons__mentioned runs them; a variant in var
discovery_languages is read from the warehouse's marts instead (what analysts get), and the
others are scored as they would be if they were listed, which is how a variant earns its
place: precision 0.95 or more.

``python -m tools.multilingual_people WAREHOUSE`` prints the table, writes its section of
docs/quality.md and every error to docs/multilingual-people-errors.md.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from flows.core.settings import REPO_ROOT, dbt_project_var
from flows.text.people import Sentence, cue_seeds, find_people, fold, language_lexicon
from tools.multilingual_quality import VARIANTS, _article_urls, _interval, load_gold
from tools.quality import QUALITY_DOC, Score, replace_section

ERRORS_DOC = REPO_ROOT / "docs" / "multilingual-people-errors.md"
BAR = 0.95


def _key(name: str) -> str:
    return " ".join(fold(name).lower().split())


@dataclass
class PeopleResult:
    variant: str
    enabled: bool
    found: int = 0
    right: int = 0
    labelled: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def score(self) -> Score:
        return Score(self.right, self.found - self.right, self.labelled - self.right)


def _lexicons(con: duckdb.DuckDBPyConnection, languages: list[str]) -> dict[str, object]:
    def rows(sql: str) -> list[tuple]:
        return con.execute(sql).fetchall()

    types = dict(rows("select entity_id, entity_type from seeds.entities"))
    aliases = [
        (entity_id, types.get(entity_id) or "", alias, kind, bool(alone), code)
        for entity_id, alias, kind, alone, code in rows(
            "select entity_id, alias, alias_kind, stands_alone, language from seeds.entity_aliases"
        )
    ]
    seeds = cue_seeds(
        rows("select title, language from seeds.person_titles"),
        rows("select verb, language from seeds.attribution_verbs"),
        rows("select word, kind, language from seeds.not_person_words"),
        rows("select language, kind, cue from seeds.person_cues"),
        rows("select language, cue, kind from seeds.quote_cues"),
    )
    families = [r[0] for r in rows("select name from seeds.family_name_first")]
    return {
        code: language_lexicon(
            code,
            aliases,
            seeds.titles,
            seeds.verbs,
            seeds.not_person_words,
            families,
            seeds.person_cues,
            seeds.quote_verbs,
        )
        for code in languages
    }


def evaluate(warehouse: Path) -> dict[str, PeopleResult]:
    enabled = set(dbt_project_var("discovery_languages"))
    urls = _article_urls()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        articles = dict(
            con.execute("select canonical_url, article_id from marts.dim_articles").fetchall()
        )
        lexicons = _lexicons(con, [code for code, _ in VARIANTS.values()])
        in_marts: dict[str, set[str]] = defaultdict(set)
        for article_id, name in con.execute(
            """
            select distinct m.article_id, e.name
            from marts.fct_entity_mentions as m
            inner join marts.dim_entities as e using (entity_id)
            where e.entity_type = 'person' and not e.is_curated
            """
        ).fetchall():
            in_marts[article_id].add(_key(name))
        results = {}
        for variant, (code, _) in VARIANTS.items():
            result = PeopleResult(variant, code in enabled)
            for stem, labels in sorted(load_gold(variant).items()):
                article_id = articles.get(urls.get(stem, ""))
                gold = {
                    _key(p["name"]): p["name"]
                    for p in labels.get("persons") or []
                    if not p.get("id")
                }
                if result.enabled:
                    found = in_marts.get(article_id or "", set())
                else:
                    sentences = con.execute(
                        "select sentence_index, text from raw.sentences where article_id = ? "
                        "order by sentence_index",
                        [article_id],
                    ).fetchall()
                    mentions = find_people(
                        [Sentence(i, text) for i, text in sentences],
                        lexicons[code],  # type: ignore[arg-type]
                    )
                    found = {_key(m.full_name) for m in mentions if not m.is_curated}
                result.found += len(found)
                result.labelled += len(gold)
                result.right += len(found & set(gold))
                result.errors += [
                    f"{stem} · not a labelled person: {name}" for name in found - set(gold)
                ]
                result.errors += [f"{stem} · missed: {gold[k]}" for k in set(gold) - found]
            results[variant] = result
    finally:
        con.close()
    return results


def render(results: dict[str, PeopleResult]) -> str:
    lines = [
        "## Discovered persons in nine more variants (issue 25)",
        "",
        "Every person a multilingual gold article names whom no seed holds (`persons` with",
        "`id: null`, labelled before these rules) against the persons the rules discover there;",
        "`python -m tools.multilingual_people warehouse/demo.duckdb` (after `make demo`)",
        "rewrites this section and lists every error in",
        "[multilingual-people-errors.md](multilingual-people-errors.md). Names match with",
        "accents and case aside. A variant in var `discovery_languages` is scored on the",
        "warehouse's marts; the others are scored as their cues would find them, and stay out",
        f"until precision reaches {BAR:.2f}. 95% Wilson intervals.",
        "",
        "| variant | discovery | persons P | R | (interval P · R) | found | labelled |",
        "|---|---|---|---|---|---|---|",
    ]
    for variant, result in results.items():
        s = result.score
        (plo, phi), (rlo, rhi) = s.precision_interval, s.recall_interval
        on = "on" if result.enabled else "off"
        lines.append(
            f"| {VARIANTS[variant][1]} | {on} | {s.precision:.3f} | {s.recall:.3f} "
            f"| {_interval(plo, phi)} · {_interval(rlo, rhi)} | {result.found} "
            f"| {result.labelled} |"
        )
    lines += [
        "",
        "The rules are the English ones (flows/text/people.py: a title or role before the",
        "name, an attribution verb after it or before it, an appositive, a known given name)",
        "read with each language's cues from the seed `person_cues` (titles such as portavoz,",
        "investigador, Sr.; words that open sentences, name organizations and places, or open",
        "an appositive; verbs whose subject follows them: explicó Marta Aguirre) and that",
        "language's attribution verbs (`quote_cues`). Ids are the seeds' slug rule with the",
        "accents folded (Lucía Paredes: `lucia-paredes`), so the same person written in English",
        "is the same entity. Spanish and French have cues; Indonesian's are a start (its `di`",
        '(at) is read as a name particle, so "Guo di Beijing" looks like a name). Chinese,',
        "Japanese, Korean, Russian and Vietnamese have none yet: their articles find curated",
        "persons by their aliases only, and `newswatch status` says which languages discover",
        "persons. These are figures on the text the cues were written for: no held-out set yet.",
    ]
    return "\n".join(lines)


def render_errors(results: dict[str, PeopleResult]) -> str:
    lines = ["# Discovered persons in nine more variants: every error", ""]
    for variant, result in results.items():
        if not result.errors:
            continue
        lines += [f"## {VARIANTS[variant][1]}", ""]
        lines += [f"- {error}" for error in sorted(result.errors)]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tools.multilingual_people WAREHOUSE", file=sys.stderr)
        return 2
    results = evaluate(Path(argv[0]))
    section = render(results)
    QUALITY_DOC.write_text(
        replace_section(QUALITY_DOC.read_text(encoding="utf-8"), "multilingual-people", section),
        encoding="utf-8",
    )
    ERRORS_DOC.write_text(render_errors(results), encoding="utf-8")
    print(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
