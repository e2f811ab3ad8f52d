"""The hard country cases of issue 26, scored on a warehouse built from the real pages.

``tests/gold/real_pages_people.yaml`` labels, on the same 58 pages as the people and
quotations, the country mentions of the hard kinds (its header lists them): abbreviations
("U.S.", "UK"), short names and territories, capitals standing for a government or for the
city, datelines, US states and their codes that read like a country ("Washington" the state,
"GA"), cities read as teams ("the London side"), names inside names. A case with an entity
id is a country mention the facts must hold; one with none is a trap no country mention may
take. Each case is found in its page's sentences by its context, as the mention audit finds
its labels (tools/audit.py).

- right: a case with an id whose sentence has a mention of that country written as the case
  (or sharing a word with it);
- missed: a case with an id and no such mention;
- wrong: a trap whose words became a country mention there, or a case with an id whose words
  became another country;
- not located: no sentence of the page matches the context (the extraction lost it).

Cases whose country the seeds lack (``in_seeds: false``: England, Scotland) are counted apart:
no mention can be right.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tools.audit import PageFacts, context_match, words
from tools.people_audit import LABELS_FILE
from tools.quality import Score


@dataclass(frozen=True)
class CountryCase:
    page_id: str
    split: str
    text: str
    context: str
    entity_id: str | None
    kind: str
    in_seeds: bool = True


@dataclass
class CaseScores:
    """Counts per half and per kind, and every error as a line for the docs."""

    right: Counter[str] = field(default_factory=Counter)
    missed: Counter[str] = field(default_factory=Counter)
    wrong: Counter[str] = field(default_factory=Counter)
    kept: Counter[str] = field(default_factory=Counter)  # traps no mention took
    not_located: Counter[str] = field(default_factory=Counter)
    unseeded: Counter[str] = field(default_factory=Counter)
    by_kind: dict[str, Counter[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def load_cases(path: Path = LABELS_FILE) -> list[CountryCase]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        CountryCase(
            str(page_id),
            page["split"],
            case["text"],
            case["context"],
            case.get("entity_id"),
            case["kind"],
            case.get("in_seeds", True),
        )
        for page_id, page in data.items()
        for case in page.get("country_cases") or []
    ]


def _sentence(case: CountryCase, facts: PageFacts) -> int | None:
    text, context = words(case.text), words(case.context)
    scored = [
        (context_match(context, text, sentence.words), sentence.index)
        for sentence in facts.sentences.values()
    ]
    best = max(scored, default=(0.0, -1))
    return best[1] if best[0] > 0 else None


def score_cases(cases: list[CountryCase], pages: dict[str, PageFacts]) -> CaseScores:
    scores = CaseScores()
    for case in cases:
        halves = (case.split, "all")
        kind = scores.by_kind.setdefault(case.kind, Counter())
        facts = pages.get(case.page_id)
        index = _sentence(case, facts) if facts is not None else None
        where = f"`{case.page_id[:12]}` “{case.text}” in “{case.context}” ({case.kind})"
        if case.entity_id is not None and not case.in_seeds:
            for half in halves:
                scores.unseeded[half] += 1
            continue
        if index is None:
            for half in halves:
                scores.not_located[half] += 1
            kind["not located"] += 1
            continue
        assert facts is not None
        text = set(words(case.text))
        taken = [
            row
            for row in facts.rows
            if row.sentence_index == index
            and row.entity_type == "country"
            and any(text & set(words(t)) for t in row.matched_texts)
        ]
        ids = {row.entity_id for row in taken}
        if case.entity_id is None:
            outcome = "wrong" if ids else "kept"
            if ids:
                scores.errors.append(
                    f"- {where}: a trap became {', '.join(sorted(ids))} [{case.split}]"
                )
        elif case.entity_id in ids:
            outcome = "right"
        elif ids:
            outcome = "wrong"
            scores.errors.append(
                f"- {where}: {', '.join(sorted(ids))} instead of {case.entity_id} [{case.split}]"
            )
        else:
            outcome = "missed"
            scores.errors.append(f"- {where}: {case.entity_id} missed [{case.split}]")
        for half in halves:
            getattr(scores, outcome)[half] += 1
        kind[outcome] += 1
    return scores


HALVES = ("tune", "test", "all")
OUTCOMES = ("right", "missed", "kept", "wrong")


def figures(scores: CaseScores) -> dict[str, dict[str, int]]:
    """Per half: right, missed, kept (traps), wrong, for the JSON figures."""
    return {
        half: {outcome: getattr(scores, outcome)[half] for outcome in OUTCOMES} for half in HALVES
    }


def _precision_recall(counts: dict[str, int]) -> tuple[float, float]:
    score = Score(counts["right"], counts["wrong"], counts["missed"])
    return score.precision, score.recall


def table(scores: CaseScores, before: dict[str, dict[str, int]] | None = None) -> list[str]:
    """The docs' rows: precision and recall per half (before and after when given), then the
    kinds."""
    lines = [
        "| half | right | missed | traps kept | wrong | precision | recall |",
        "|---|---|---|---|---|---|---|",
    ]
    rows = [(f"{half}, before", before[half]) for half in HALVES] if before else []
    now = figures(scores)
    rows += [(f"{half}, now" if before else half, now[half]) for half in HALVES]
    for name, counts in rows:
        precision, recall = _precision_recall(counts)
        lines.append(
            f"| {name} | {counts['right']} | {counts['missed']} | {counts['kept']} "
            f"| {counts['wrong']} | {precision:.3f} | {recall:.3f} |"
        )
    lines += [
        "",
        "| kind | right | missed | traps kept | wrong | not located |",
        "|---|---|---|---|---|---|",
    ]
    for kind, counts in sorted(scores.by_kind.items(), key=lambda item: -sum(item[1].values())):
        lines.append(
            f"| {kind} | {counts['right']} | {counts['missed']} | {counts['kept']} "
            f"| {counts['wrong']} | {counts['not located']} |"
        )
    return lines
