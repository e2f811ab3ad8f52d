"""The languages benchmark (tools/bench/languages.py) on one demo article per language, one
repetition: the shape of what it stores and renders, never how fast anything was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tools.bench import report
from tools.bench.languages import LANGUAGES, LOADS, benchmark, percentile


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    return benchmark(repetitions=1, per_language=1)


def test_every_language_is_measured_once_with_positive_times(result):
    assert list(result["languages"]) == list(LANGUAGES)
    assert result["repetitions"] == 1
    for code, row in result["languages"].items():
        assert row["name"] == LANGUAGES[code]
        assert row["articles"] == 1
        assert sum(row["detected"].values()) == 1
        assert row["characters_mean"] > 100, code
        for part in ("extraction", "analysis", "tokens", "total"):
            assert row["ms"][part]["median"] > 0, (code, part)
            assert row["ms"][part]["p90"] == row["ms"][part]["median"], (code, part)
        total = row["ms"]["total"]["median"]
        assert total == pytest.approx(
            row["ms"]["extraction"]["median"] + row["ms"]["analysis"]["median"], abs=0.002
        )
        assert row["ms_per_1k_characters"] == pytest.approx(
            1000 * total / row["characters_mean"], rel=0.01
        )


def test_ratios_are_to_english(result):
    rows = result["languages"]
    assert rows["en"]["ratio_to_english"] == {"per_article": 1.0, "per_1k_characters": 1.0}
    english = rows["en"]["ms"]["total"]["median"]
    japanese = rows["ja"]
    assert japanese["ratio_to_english"]["per_article"] == pytest.approx(
        japanese["ms"]["total"]["median"] / english, abs=0.006
    )


def test_each_segmenter_is_loaded_once_apart_from_the_pages(result):
    assert [load["language"] for load in result["loads"]] == list(LOADS)
    for load in result["loads"]:
        assert load["cpu_seconds"] >= load["first_call_cpu_seconds"] >= 0
        assert load["rss_mib"] is not None
    memory = result["memory"]
    assert memory["peak_rss_mib_at_end"] >= memory["peak_rss_mib_before_loads"] > 0


def test_p90_interpolates_between_ranks():
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 11.0], 0.9) == pytest.approx(4.0 + 0.6 * 7.0)


def test_report_section_has_a_row_per_language_and_a_load_table(result):
    section = report._languages_section(result)
    assert section[0] == report.LANGUAGES_HEADING
    rows = [line for line in section if line.startswith("| ") and "(`" in line]
    assert [row.split("(`")[1].split("`")[0] for row in rows] == list(LANGUAGES)
    assert rows[0].startswith("| English (`en`) | 1 |")
    assert rows[0].endswith("| 1.00 | 1.00 |")
    assert any(line.startswith("| Korean | Kiwi model") for line in section)


def test_splice_writes_only_the_languages_section(result, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(report, "LANGUAGE_COSTS", tmp_path / "languages.json")
    report.write_languages(result)
    page = tmp_path / "benchmarks.md"
    hand = "# Benchmarks\n\n## Analyst queries\n\nRe-measured by hand.\n\n"
    page.write_text(hand + "## Extraction quality\n\nscores\n", encoding="utf-8")
    report.splice_languages(page)
    once = page.read_text(encoding="utf-8")
    assert once.startswith(hand + report.LANGUAGES_HEADING + "\n")
    assert once.endswith("\n## Extraction quality\n\nscores\n")
    report.splice_languages(page)  # written again in place, not added twice
    assert page.read_text(encoding="utf-8") == once
