"""The benchmark's planted copies (tools/bench/corpus.py) and its stories section
(tools/bench/report.py): copies are planted at the rate said, of wire stories before them, and
read as copies; articles that are not copies share almost nothing."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

from flows.text.stories import sign, similarity
from tools.bench.corpus import (
    COPY_RATE,
    WIRE_EVERY,
    load_vocabulary,
    make_story_article,
    planted,
    planted_story,
)
from tools.bench.report import _stories_section

VOCABULARY = load_vocabulary()


def text(index: int, first: int = 0) -> str:
    return "\n".join(make_story_article(index, VOCABULARY, first=first).paragraphs)


def test_copies_are_planted_at_the_rate_said_of_earlier_wire_stories():
    plants = {i: planted(i) for i in range(20_000)}
    copies = {i: p for i, p in plants.items() if p is not None}
    assert abs(len(copies) / len(plants) - COPY_RATE) < 0.005
    assert all(p.source < i and p.source % WIRE_EVERY == 0 for i, p in copies.items())
    assert set(Counter(p.kind for p in copies.values())) == {"copy", "edited", "local-intro"}
    assert planted(12_345) == planted(12_345)  # decided by the index alone
    some = next(iter(copies))
    assert planted_story(some) == planted_story(copies[some].source)


def test_a_planted_copy_reads_as_one_and_other_articles_do_not():
    copy = next(i for i in range(60, 2_000) if (p := planted(i)) and p.kind == "local-intro")
    source = planted(copy).source  # type: ignore[union-attr]
    assert similarity(sign(text(copy)), sign(text(source)))[1] > 0.6  # type: ignore[arg-type]
    others = [i for i in range(60, 90) if planted(i) is None][:6]
    for a, b in pairwise(others):
        assert similarity(sign(text(a)), sign(text(b)))[1] < 0.15  # type: ignore[arg-type]
    # a new day's copy of a new wire story is made from the source as the corpus holds it
    new_copy = next(i for i in range(1_000, 3_000) if (p := planted(i)) and p.source >= 1_000)
    new_source = planted(new_copy).source  # type: ignore[union-attr]
    assert (
        similarity(sign(text(new_copy, first=1_000)), sign(text(new_source, first=1_000)))[1]  # type: ignore[arg-type]
        > 0.6
    )


def test_the_stories_section_reports_cost_and_the_stories_found_against_planted():
    row = {
        "history": 10_000,
        "new_articles": 1_000,
        "sign_ms_per_article": 2.1,
        "full_build_seconds": {"int_stories__bands": 0.4, "int_stories__pairs": 0.3},
        "full_ms_per_article": 0.07,
        "incremental_seconds": {"int_stories__bands": 0.2, "int_stories__pairs": 0.2},
        "incremental_ms_per_new_article": 0.4,
        "band_rows": 704_000,
        "pair_rows": 2_458,
        "quality": {
            "planted_copies": 529,
            "planted_stories_by_size": {"1": 10_276, "2": 50},
            "found_stories_by_size": {"1": 10_277, "2": 49},
            "pair_precision": 1.0,
            "pair_recall": 0.98,
            "planted_stories_found_exactly": 49,
            "planted_stories_with_copies": 50,
        },
    }
    lines = _stories_section({"measured_at": "2026-12-03", "copy_rate": COPY_RATE, "sizes": [row]})
    table = "\n".join(lines)
    assert "| 10,000 | 0.7 s | 0.07 ms | 0.4 s | 0.40 ms | 2.10 ms | 704,000 | 2,458 |" in table
    assert "| 0.9800 | 49 of 50 | 1×10,276, 2×50 | 1×10,277, 2×49 |" in table
