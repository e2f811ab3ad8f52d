"""The real-text audit end to end on a handful of the benchmark's real pages: served on
127.0.0.1 without a charset, run through `newswatch run`, scored against the hand labels.
The whole audit (all 181 pages) is `python scripts/real_text_audit.py`; figures in
docs/quality.md, "Real pages"."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import duckdb
import pytest

from flows.core.settings import REPO_ROOT
from tools.audit import LABELS_FILE, Audit, load_labels, run_audit
from tools.quality import QUALITY_DOC
from tools.real_pages import real_pages

pytestmark = pytest.mark.e2e

HANDFUL = {
    "39d5c43beb": "US-China trade: capitals for the government, surnames after the full name",
    "432362af0b": "Inner Mongolia, Xinhua, Beijing as a place",
    "5f9c5ed5d6": "India's deportees: plural demonyms, capitals as transit places",
    "70cb2d5bca": "the American Music Awards",
    "c81e134ed4": "high-school results with first names Jordan",
    "e372e42c0a": "a brief whose sentences run together (Wednesday.The)",
    "7837c9d66c": "an Indonesian page (the language gate)",
}


def _script():
    spec = importlib.util.spec_from_file_location(
        "real_text_audit", REPO_ROOT / "scripts" / "real_text_audit.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def audit(benchmark_corpus: Path, tmp_path_factory) -> Audit:
    pages = [p for p in real_pages(benchmark_corpus) if p.page_id[:10] in HANDFUL]
    assert len(pages) == len(HANDFUL)
    return run_audit(pages, tmp_path_factory.mktemp("audit"))


def test_every_labelled_page_was_fetched_and_extracted(audit: Audit):
    labels = load_labels(LABELS_FILE)
    expected = {p for p in labels.pages if p[:10] in HANDFUL}
    assert set(audit.report.statuses) == expected
    assert set(audit.report.statuses.values()) == {"ok"}
    assert audit.report.pages_missing == []
    assert [p.language for p in audit.report.non_english] == ["id"]


def test_every_mention_occurrence_on_the_labelled_pages_is_accounted_for(audit: Audit):
    """Found labels (required and optional) plus wrong occurrences are all the mention_count
    the warehouse has on those pages: nothing is dropped or counted twice."""
    con = duckdb.connect(str(audit.run.warehouse), read_only=True)
    try:
        urls = con.execute(
            "select a.canonical_url, sum(m.mention_count) from marts.fct_entity_mentions as m "
            "inner join marts.dim_articles as a using (article_id) "
            # the labels cover the seeds' entities; discovered persons are scored on the gold set
            "where m.entity_id in (select entity_id from seeds.entities) group by all"
        ).fetchall()
    finally:
        con.close()
    by_page = {url.rsplit("/", 1)[-1][:10]: int(total) for url, total in urls}
    labelled = sum(n for page, n in by_page.items() if page != "7837c9d66c")
    report = audit.report
    score = report.score
    assert labelled == report.occurrences_labelled_pages
    assert score.true_positives + score.false_positives + report.optional_found == labelled
    (foreign,) = report.non_english
    assert foreign.occurrences == by_page.get("7837c9d66c", 0)


def test_the_mentions_a_reader_counts_are_found(audit: Audit):
    score = audit.report.score
    assert score.true_positives + score.false_negatives == len(
        [m for m in load_labels(LABELS_FILE).required if m.page_id[:10] in HANDFUL]
    )
    assert score.recall >= 0.85, audit.report.misses
    assert score.precision >= 0.85, audit.report.false_mentions
    found = {(label.page_id[:10], label.text) for label, _ in audit.report.found}
    # a capital standing for its government, a surname after the full name, an agency's name
    assert {("39d5c43beb", "Beijing"), ("39d5c43beb", "Trump")} <= found
    assert ("432362af0b", "Xinhua News Agency") in found


def test_the_script_writes_its_section_and_keeps_the_rest_of_the_document(audit, tmp_path):
    """`scripts/real_text_audit.py`, scoring the run above (--warehouse), on a copy of
    docs/quality.md: the real-pages section is written, the gold-set report around it kept."""
    doc, errors, figures = tmp_path / "quality.md", tmp_path / "errors.md", tmp_path / "a.json"
    original = QUALITY_DOC.read_text(encoding="utf-8")
    doc.write_text(original, encoding="utf-8")
    arguments = ["--pages", *HANDFUL, "--warehouse", str(audit.run.warehouse)]
    arguments += ["--doc", str(doc), "--errors", str(errors), "--json", str(figures)]
    assert _script().main(arguments) == 0
    written = doc.read_text(encoding="utf-8")
    gold_set = original.split("<!-- ")[0].rstrip()
    assert written.startswith(gold_set)
    assert written.count("<!-- real-pages:begin -->") == 1
    numbers = json.loads(figures.read_text(encoding="utf-8"))
    score = audit.report.score
    assert (numbers["true_positives"], numbers["false_positives"]) == (
        score.true_positives,
        score.false_positives,
    )
    assert f"| {score.precision:.3f} |" in written
    listed = errors.read_text(encoding="utf-8")
    assert all(f.entity_id in listed for f in audit.report.false_mentions)
