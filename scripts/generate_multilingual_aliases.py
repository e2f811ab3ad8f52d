"""Generate the CLDR country names of the entity seeds in every language the seeds cover.

For every ``country`` row of ``dbt_project/seeds/entities.csv`` and every language
below, Babel's CLDR territory name (``Locale.parse(locale).territories[code]``)
becomes an alias row with ``source = cldr`` and ``alias_kind = name`` in
``dbt_project/seeds/entity_aliases.csv``. Only ``cldr`` rows are rewritten: the
English rows of scripts/generate_country_seed.py (``pycountry``) and every row a
person typed (``typed``: short forms, demonyms, one-character forms, capitals,
persons' names) are kept as they are, and a typed row wins over a CLDR name of the
same text. The file is written back sorted, so running the script twice gives a
byte-identical file.

A CLDR name is cleaned before it becomes an alias: a qualifier in parentheses or
after a comma naming another country is cut ("Hong Kong (SAR)", "..., Trung Quốc"),
an alternative name in parentheses becomes an alias of its own ("Myanmar
(Birmania)"), and a name that would name two countries in one language ("Congo",
"Saint-Martin") or is mostly a common word of the language (CLDR_DROP, each with its
reason) is left out: a wrong label is worse than none.

The script also checks both taxonomy seeds (entity_aliases.csv, issue_terms.csv)
against the conventions of seeds/README.md and prints, per language, the alias rows
by kind and the term rows. ``--check`` only checks and counts (exit status 1 on a
problem) and writes nothing.

Usage::

    python scripts/generate_multilingual_aliases.py [--seeds-dir DIR] [--check]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from pathlib import Path

import regex
import yaml
from babel import Locale

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_country_seed import (
    ALIAS_FIELDS,
    ALIAS_KINDS,
    DEFAULT_SEEDS_DIR,
    LANGUAGES,
    SOURCES,
    read_csv,
    sort_aliases,
    write_csv,
)

# Detected-language code -> CLDR locale of its names.
LOCALES = {
    "zh": "zh_Hans",
    "zh-Hant": "zh_Hant",
    "ja": "ja",
    "ko": "ko",
    "es": "es",
    "fr": "fr",
    "ru": "ru",
    "vi": "vi",
    "id": "id",
}
# Scripts without letter case: every alias and term there has case_rule `any`.
UNCASED_LANGUAGES = {"zh", "zh-Hant", "ja", "ko"}
CASE_RULES = ["capitalized", "exact", "any"]
SCOPES = ["sentence", "article"]
TERM_FIELDS = [
    "issue_id", "term", "case_rule", "requires_entity_id", "requires_scope", "language",
    "framing", "source",
]  # fmt: skip
# The frames an issue term may carry (seeds/README.md, "Framing"); blank for none.
FRAMINGS = [
    "neutral",
    "treated-water",
    "contaminated-water",
    "senkaku-name",
    "diaoyu-name",
    "dokdo-name",
    "takeshima-name",
    "south-china-sea-name",
    "west-philippine-sea-name",
    "east-sea-name",
    "north-natuna-sea-name",
    "sea-of-japan-name",
    "chinese-name",
    "japanese-name",
    "philippine-name",
    "vietnamese-name",
    "northern-territories-name",
    "kurils-name",
    "reunification",
    "separatism",
    "massacre-name",
    "incident-name",
    "sexual-slavery",
    "forced-labor",
    "wartime-workers",
    "special-military-operation",
]

# Aliases that name several entities at once, each row one of them: a mention of each, not a
# guess between them (seeds/README.md, "Chinese"). Any other alias names one entity.
JOINT_ALIASES: dict[tuple[str, str], set[str]] = {
    ("zh", "港澳"): {"hong-kong", "macau"},
    ("zh-Hant", "港澳"): {"hong-kong", "macau"},
    ("zh", "港澳台"): {"hong-kong", "macau", "taiwan"},
    ("zh-Hant", "港澳台"): {"hong-kong", "macau", "taiwan"},
    ("zh", "港台"): {"hong-kong", "taiwan"},
    ("zh-Hant", "港台"): {"hong-kong", "taiwan"},
}

# CLDR names left out, per language, with the reason. A name of two countries in one
# language is found and left out without being listed here.
CLDR_DROP: dict[str, dict[str, str]] = {
    "zh": {
        "马里": "begins 马里兰 (Maryland) and 马里奥 (Mario)",
        "苏丹": "also 'sultan' (文莱苏丹, the sultans of Malaysia)",
        "黑山": "also 'black mountain', a common Chinese place name",
    },
    "zh-Hant": {
        "馬利": "begins 馬利蘭 (Maryland)",
        "蘇丹": "also 'sultan' (汶萊蘇丹, the sultans of Malaysia)",
        "獅子山": "also Lion Rock, the Hong Kong hill",
        "喬治亞": "also the US state (喬治亞州)",
    },
    "ja": {
        "マリ": "begins マリン (marine), マリオ, マリー (given names)",
        "ジョージア": "also the US state (ジョージア州)",
        "ジャージー": "also jersey (the garment)",
    },
    "ko": {
        "인도": "begins 인도적 (humanitarian), 인도태평양 (Indo-Pacific), 인도 (handover)",
        "수단": "also 수단 (means, method)",
        "오만": "also 오만 (arrogance)",
        "말리": "also forms of 말리다 (to dry, to stop)",
        "가나": "also 가나 (kana) and the verb 가나",
        "조지아": "also the US state (조지아주)",
        "저지": "also 저지 (blocking: 저지하다)",
        "건지": "also forms of 건지다 (to scoop out)",
        "부탄": "also 부탄 (butane)",
    },
    "es": {
        "Congo": "names both Congos",
        "Georgia": "also the US state",
        "Granada": "also the Spanish city",
        "Reunión": "also reunión (meeting), capitalized at a sentence's start",
        "Guadalupe": "also the Virgin of Guadalupe, a given name and many places",
        "Santa Elena": "also many places and a given name",
        "San Martín": "also General San Martín and many places",
        "Mauricio": "also a common given name",
    },
    "fr": {
        "Géorgie": "also the US state",
        "La Réunion": "also 'la réunion' (the meeting) at a sentence's start",
        "Maurice": "also a common given name",
        "Dominique": "also a common given name",
        "Grenade": "also grenade (the weapon) and Granada",
        "Salvador": "also a given name and Salvador de Bahia",
    },
    "ru": {
        "Того": "also того (of that), capitalized at a sentence's start",
        "Сальвадор": "also a given name",
    },
    "vi": {
        "Georgia": "also the US state",
    },
    "id": {
        "Georgia": "also the US state",
    },
}

# Qualifiers CLDR puts in parentheses that are no name of their own.
QUALIFIERS = re.compile(
    r"^(SAR|САР|RAE|Keeling|キーリング|基林|基靈|partie néerlandaise|金|布|金夏沙|布拉薩"
    r"|キンシャサ|ブラザビル|Великобритания|США|China|中国|중국 특별행정구)$"
)
PARENTHESES = re.compile(r"\s*[(（]([^)）]*)[)）]\s*")


def cldr_candidates(name: str, other_names: set[str]) -> list[str]:
    """The aliases one CLDR name gives: itself, or its parts around a qualifier."""
    inside = [part.strip() for part in PARENTHESES.findall(name)]
    outside = PARENTHESES.sub(" ", name).strip()
    if "," in outside:
        head, _, tail = outside.partition(",")
        if tail.strip() in other_names:  # "Đặc khu Hành chính Hồng Kông, Trung Quốc"
            outside = head.strip()
    candidates = [outside]
    candidates += [
        part for part in inside if part and not QUALIFIERS.match(part) and part not in other_names
    ]
    return [tidy(candidate) for candidate in candidates if candidate]


UNSPACED = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}"


def tidy(text: str) -> str:
    """One space between words, none where a parenthesis stood inside unspaced script."""
    text = re.sub(r"\s+", " ", text).strip()
    return regex.sub(rf"(?<=[{UNSPACED}]) (?=[{UNSPACED}])", "", text)


def case_rule_for(alias: str, language: str) -> str:
    """`any` without letter case; `exact` for a name CLDR starts in lower case (eSwatini)."""
    if language in UNCASED_LANGUAGES:
        return "any"
    return "exact" if alias[:1].islower() else "capitalized"


def cldr_rows(
    entities: list[dict[str, str]], kept: list[dict[str, str]]
) -> tuple[list[dict[str, str]], list[str]]:
    """Every country's CLDR names in every language, less the ambiguous and dropped ones."""
    notes: list[str] = []
    countries = [row for row in entities if row["entity_type"] == "country"]
    kept_keys = {(row["entity_id"], row["alias"], row["language"]) for row in kept}
    kept_owner: dict[tuple[str, str], set[str]] = {}
    for row in kept:
        kept_owner.setdefault((row["language"], row["alias"].casefold()), set()).add(
            row["entity_id"]
        )
    rows: list[dict[str, str]] = []
    for language, locale_name in LOCALES.items():
        territories = Locale.parse(locale_name).territories
        names = {row["country_code"]: territories.get(row["country_code"]) for row in countries}
        other_names = {name for name in names.values() if name}
        owners: dict[str, set[str]] = {}
        candidates: list[tuple[str, str]] = []
        for row in countries:
            name = names[row["country_code"]]
            if not name:
                notes.append(f"{language}: CLDR has no name for {row['country_code']}")
                continue
            for alias in cldr_candidates(name, other_names - {name}):
                candidates.append((row["entity_id"], alias))
                owners.setdefault(alias.casefold(), set()).add(row["entity_id"])
        unused = set(CLDR_DROP.get(language, {})) - {alias for _, alias in candidates}
        notes += [f"{language}: CLDR_DROP {alias!r} is no CLDR name" for alias in sorted(unused)]
        seen: set[tuple[str, str]] = set()
        for entity_id, alias in candidates:
            folded = alias.casefold()
            if (entity_id, alias) in seen or (entity_id, alias, language) in kept_keys:
                continue
            seen.add((entity_id, alias))
            if alias in CLDR_DROP.get(language, {}):
                continue
            if len(owners[folded]) > 1:
                notes.append(f"{language}: {alias!r} names {sorted(owners[folded])}: left out")
                continue
            if kept_owner.get((language, folded), {entity_id}) != {entity_id}:
                others = sorted(kept_owner[(language, folded)])
                notes.append(f"{language}: {alias!r} of {entity_id} is typed for {others}")
                continue
            rows.append(
                {
                    "entity_id": entity_id,
                    "alias": alias,
                    "alias_kind": "name",
                    "case_rule": case_rule_for(alias, language),
                    "language": language,
                    "stands_alone": "false",
                    "source": "cldr",
                }
            )
    return rows, notes


def check_framings(seeds_yml: Path) -> list[str]:
    """The framings _seeds.yml accepts must be FRAMINGS."""
    if not seeds_yml.exists():
        return []
    for seed in yaml.safe_load(seeds_yml.read_text(encoding="utf-8"))["seeds"]:
        for column in seed.get("columns", []):
            if (seed["name"], column["name"]) != ("issue_terms", "framing"):
                continue
            for test in column.get("data_tests", []):
                values = test.get("accepted_values", {}).get("arguments", {}).get("values")
                if values is not None and sorted(values) != sorted(FRAMINGS):
                    return ["_seeds.yml: issue_terms.framing values differ from FRAMINGS"]
    return []


def check(
    entities: list[dict[str, str]],
    aliases: list[dict[str, str]],
    issues: list[dict[str, str]],
    terms: list[dict[str, str]],
    seeds_yml: Path,
) -> list[str]:
    """Every way the two seeds break the README's conventions (empty: none)."""
    problems: list[str] = []
    entity_ids = {row["entity_id"] for row in entities}
    issue_ids = {row["issue_id"] for row in issues}
    allowed = {
        "alias_kind": ALIAS_KINDS,
        "case_rule": CASE_RULES,
        "language": LANGUAGES,
        "stands_alone": ["true", "false"],
        "source": SOURCES,
    }
    seen: set[tuple[str, str, str]] = set()
    for number, row in enumerate(aliases, start=2):
        where = f"entity_aliases.csv:{number}"
        if row["entity_id"] not in entity_ids:
            problems.append(f"{where}: unknown entity_id {row['entity_id']!r}")
        if not row["alias"].strip() or row["alias"] != row["alias"].strip():
            problems.append(f"{where}: blank or padded alias {row['alias']!r}")
        for field, values in allowed.items():
            if row[field] not in values:
                problems.append(f"{where}: {field} {row[field]!r} not in {values}")
        key = (row["entity_id"], row["alias"], row["language"])
        if key in seen:
            problems.append(f"{where}: duplicate {key}")
        seen.add(key)
        if row["language"] in UNCASED_LANGUAGES and row["case_rule"] != "any":
            problems.append(f"{where}: {row['language']} has no letter case: case_rule any")
        if row["alias_kind"] == "compound_form" and row["language"] not in UNCASED_LANGUAGES:
            problems.append(f"{where}: compound_form only in Chinese, Japanese and Korean")
        if row["stands_alone"] == "true" and row["alias_kind"] != "surname":
            problems.append(f"{where}: stands_alone only for a surname")
    owners: dict[tuple[str, str], set[str]] = {}
    for row in aliases:
        if row["alias_kind"] not in ("surname", "compound_form"):
            owners.setdefault((row["language"], row["alias"]), set()).add(row["entity_id"])
    for (language, alias), ids in sorted(owners.items()):
        if len(ids) > 1 and JOINT_ALIASES.get((language, alias)) != ids:
            problems.append(f"entity_aliases.csv: {language} {alias!r} names {sorted(ids)}")
    seen_terms: set[tuple[str, str, str]] = set()
    for number, row in enumerate(terms, start=2):
        where = f"issue_terms.csv:{number}"
        if row["issue_id"] not in issue_ids:
            problems.append(f"{where}: unknown issue_id {row['issue_id']!r}")
        if row["requires_entity_id"] and row["requires_entity_id"] not in entity_ids:
            problems.append(f"{where}: unknown requires_entity_id {row['requires_entity_id']!r}")
        if row["requires_scope"] and not row["requires_entity_id"]:
            problems.append(f"{where}: requires_scope without requires_entity_id")
        if row["requires_scope"] not in ["", *SCOPES]:
            problems.append(f"{where}: requires_scope {row['requires_scope']!r}")
        if row["case_rule"] not in CASE_RULES:
            problems.append(f"{where}: case_rule {row['case_rule']!r}")
        if row["language"] not in LANGUAGES:
            problems.append(f"{where}: language {row['language']!r}")
        if row["language"] in UNCASED_LANGUAGES and row["case_rule"] != "any":
            problems.append(f"{where}: {row['language']} has no letter case: case_rule any")
        if row["framing"] not in ["", *FRAMINGS]:
            problems.append(f"{where}: framing {row['framing']!r} not in the README's list")
        if row["source"] not in SOURCES:
            problems.append(f"{where}: source {row['source']!r}")
        if not row["term"].strip() or row["term"] != row["term"].strip():
            problems.append(f"{where}: blank or padded term {row['term']!r}")
        key = (row["issue_id"], row["term"], row["language"])
        if key in seen_terms:
            problems.append(f"{where}: duplicate {key}")
        seen_terms.add(key)
    problems += check_framings(seeds_yml)
    return problems


def counts(aliases: list[dict[str, str]], terms: list[dict[str, str]]) -> str:
    """Per language: alias rows by kind, term rows."""
    kinds = Counter((row["language"], row["alias_kind"]) for row in aliases)
    sources = Counter((row["language"], row["source"]) for row in aliases)
    term_counts = Counter(row["language"] for row in terms)
    lines = []
    for language in LANGUAGES:
        by_kind = ", ".join(
            f"{kind} {kinds[(language, kind)]}" for kind in ALIAS_KINDS if kinds[(language, kind)]
        )
        by_source = ", ".join(
            f"{source} {sources[(language, source)]}"
            for source in SOURCES
            if sources[(language, source)]
        )
        total = sum(kinds[(language, kind)] for kind in ALIAS_KINDS)
        terms_total = term_counts[language]
        lines.append(
            f"{language:8} aliases {total:5} ({by_source}; {by_kind}); terms {terms_total}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds-dir", type=Path, default=DEFAULT_SEEDS_DIR)
    parser.add_argument("--check", action="store_true", help="check and count; write nothing")
    args = parser.parse_args(argv)
    entities_path = args.seeds_dir / "entities.csv"
    aliases_path = args.seeds_dir / "entity_aliases.csv"
    with entities_path.open(newline="", encoding="utf-8") as handle:
        entities = list(csv.DictReader(handle))
    with (args.seeds_dir / "issues.csv").open(newline="", encoding="utf-8") as handle:
        issues = list(csv.DictReader(handle))
    terms = read_csv(args.seeds_dir / "issue_terms.csv", TERM_FIELDS)
    aliases = read_csv(aliases_path, ALIAS_FIELDS)

    if not args.check:
        kept = [row for row in aliases if row["source"] != "cldr"]
        generated, notes = cldr_rows(entities, kept)
        for note in notes:
            print(note, file=sys.stderr)
        aliases = sort_aliases(
            kept + generated, {row["entity_id"]: row["name"] for row in entities}
        )
        write_csv(aliases_path, ALIAS_FIELDS, aliases)
        print(f"wrote {len(generated)} CLDR aliases of {len(aliases)}")

    problems = check(entities, aliases, issues, terms, args.seeds_dir / "_seeds.yml")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(counts(aliases, terms))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
