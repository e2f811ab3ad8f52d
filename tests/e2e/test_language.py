"""Languages through the whole pipeline: the sample articles are English and tagged, the story
in Spanish is counted and left untagged, and a warehouse from before language detection
upgrades from its stored text without fetching a page."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from flows.core.settings import Settings
from flows.demo_site.render import OUTLETS, load_articles
from flows.demo_site.site import FEEDS_FILE, HOSTILE, DemoServer
from flows.readers.status import read_status, render_status
from flows.text.language import LANGUAGE_DETECTOR
from flows.text.tokens import ANALYSER_VERSION
from tests.conftest import make_settings
from tests.e2e.conftest import DEMO_PAGES, DemoRuns, query

pytestmark = pytest.mark.e2e

SPANISH_STORY = load_articles(HOSTILE)[0]


def url(article) -> str:
    return f"http://{OUTLETS[article.outlet].host}{article.path}"


def test_the_sample_articles_are_english_and_tagged(demo_runs: DemoRuns):
    rows = query(
        demo_runs.settings.warehouse,
        "select canonical_url, detected_language, language_confidence, is_tagged "
        "from marts.dim_articles where has_text",
    )
    by_url = {row[0]: row[1:] for row in rows}
    sample = [url(a) for a in load_articles()]
    assert all(by_url[u][0] == "en" and by_url[u][1] >= 0.9 and by_url[u][2] for u in sample)
    stand_ins = [row for u, *row in rows if u not in sample and u != url(SPANISH_STORY)]
    assert [(language, tagged) for language, _, tagged in stand_ins] == [("en", True)] * 2


def test_a_story_in_another_language_is_counted_and_untagged(demo_runs: DemoRuns):
    (row,) = query(
        demo_runs.settings.warehouse,
        "select status, has_text, language, detected_language, language_confidence, is_tagged "
        f"from marts.dim_articles where canonical_url = '{url(SPANISH_STORY)}'",
    )
    status, has_text, claimed, detected, confidence, tagged = row
    assert (status, has_text, claimed, detected, tagged) == ("ok", True, "en", "es", False)
    assert confidence > 0.9  # the English menus and headlines around it were not extracted
    assert demo_runs.first.languages == {"en": DEMO_PAGES - 1 + 2, "es": 1}  # + 2 stand-ins
    assert demo_runs.second.languages == {}  # nothing new


def test_only_tagged_articles_get_mentions_people_quotes_and_tone(demo_runs: DemoRuns):
    """The Spanish story names China and quotes a minister, and its words were scored at
    ingest, but English aliases, English name and quote rules and English tone do not read it:
    it has no mention, person, quote or tone row. The English articles keep theirs."""
    warehouse, story = demo_runs.settings.warehouse, url(SPANISH_STORY)
    article = f"(select article_id from marts.dim_articles where canonical_url = '{story}')"
    (text,) = query(warehouse, f"select text from raw.articles where article_id = {article}")[0]
    assert "China" in text and '"' in text  # an alias spelled alike, and a quotation
    scored = query(
        demo_runs.settings.work_database,
        f"select count(*) from raw.sentence_tone where article_id = {article}",
    )
    assert scored[0][0] > 0
    for table in (
        "fct_entity_mentions",
        "fct_issue_mentions",
        "fct_quotes",
        "fct_sentence_tone",
        "fct_article_tone",
    ):
        rows = query(warehouse, f"select count(*) from marts.{table} where article_id = {article}")
        assert rows == [(0,)], table
    tagged = query(
        warehouse,
        "select count(distinct m.article_id), count(distinct t.article_id) "
        "from marts.dim_articles as a "
        "left join marts.fct_entity_mentions as m on a.article_id = m.article_id "
        "left join marts.fct_article_tone as t on a.article_id = t.article_id "
        "where a.is_tagged",
    )
    assert tagged == [(DEMO_PAGES + 1, DEMO_PAGES + 1)]  # every English text, stand-ins too


def test_status_counts_articles_per_language_and_the_tagged(demo_runs: DemoRuns):
    status = read_status(demo_runs.settings.warehouse)
    texts = DEMO_PAGES + 2  # the pages and two feed summaries standing in
    assert status.languages == [
        ("en", texts - 1, texts - 1),
        ("no text", status.article_count - texts, 0),
        ("es", 1, 0),
    ]
    console = Console(width=100, record=True)
    render_status(status, console)
    assert (
        f"tagged {texts - 1} of {status.article_count} articles; by detected language: "
        f"en {texts - 1} tagged, no text {status.article_count - texts}, es 1"
    ) in console.export_text()


def test_a_warehouse_from_before_language_detection_upgrades_without_fetching(
    demo_runs: DemoRuns, tmp_path: Path
):
    """A warehouse from before language detection and before the workers' analysis of
    sentences (tokens, runs, quotations): the next run detects and analyses the stored texts,
    fetching and extracting nothing, and the marts say what a new warehouse's do."""
    from flows.orchestration.pipeline import news_pipeline

    with DemoServer() as server:
        settings = make_settings(
            tmp_path,
            warehouse=tmp_path / "w" / demo_runs.settings.warehouse.name,
            feeds=FEEDS_FILE,
            host_map=server.host_map,
            private_allowlist=server.allowlist,
        )
        shutil.copytree(demo_runs.settings.warehouse.parent, settings.warehouse.parent)
        forget_languages(settings)
        quotes_before = forget_analyses(settings)
        report = news_pipeline(settings)
        page_requests = [
            r for r in server.site.requests if r["path"].endswith(".html") or ".pdf" in r["path"]
        ]
    assert page_requests == []  # the feeds answered 304; nothing was fetched again
    assert sum(report.articles.values()) == 0  # nor extracted again
    assert report.languages_from_stored_text == {"en": DEMO_PAGES + 1, "es": 1}
    assert report.dbt_scope == "incremental"  # the changed languages moved their stamps
    rows = dict(
        query(
            settings.warehouse,
            "select detected_language, count(*) filter (is_tagged) from marts.dim_articles "
            "where has_text group by all",
        )
    )
    assert rows == {"en": DEMO_PAGES + 1, "es": 0}
    detectors = query(
        settings.work_database,
        "select distinct language_detector from raw.articles where text is not null",
    )
    assert detectors == [(LANGUAGE_DETECTOR,)]
    texts = query(
        settings.work_database, "select count(*) from raw.articles where text is not null"
    )
    assert report.analysed_from_stored_text == texts[0][0]
    assert query(settings.work_database, "select distinct analyser from raw.sentences") == [
        (ANALYSER_VERSION,)
    ]
    assert query(settings.work_database, "select count(*) from raw.quotations") == [
        (quotes_before,)
    ]
    for mart in ("fct_quotes", "fct_entity_mentions"):
        count = f"select count(*) from marts.{mart}"
        assert query(settings.warehouse, count) == query(demo_runs.settings.warehouse, count)


def forget_analyses(settings: Settings) -> int:
    """The state of a warehouse from before the workers analysed sentences: no tokens, runs
    or paragraphs, no quotations. Returns how many quotations there were."""
    con = duckdb.connect(str(settings.work_database))
    try:
        (quotations,) = con.execute("select count(*) from raw.quotations").fetchone()
        con.execute(
            "update raw.sentences set tokens = null, separators = null, name_runs = null, "
            "paragraph_index = null, analyser = null"
        )
        con.execute("delete from raw.quotations")
    finally:
        con.close()
    return int(quotations)


def forget_languages(settings: Settings) -> None:
    """The state of a warehouse from before detection: no language on any stored text, one
    article marked by an older detector version."""
    con = duckdb.connect(str(settings.work_database))
    try:
        con.execute(
            "update raw.articles set detected_language = null, language_confidence = null, "
            "language_reason = null, language_detector = null"
        )
        con.execute(
            "update raw.articles set detected_language = 'en', language_detector = 'old-0' "
            f"where canonical_url = '{url(SPANISH_STORY)}'"
        )
    finally:
        con.close()
