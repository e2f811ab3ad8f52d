"""Languages through the whole pipeline: every sample article is read in its own language and
tagged, the story in a language no seed covers (Portuguese) is counted and left untagged, and a
warehouse from before language detection upgrades from its stored text without fetching."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from flows.core.settings import Settings
from flows.demo_site.render import OUTLETS, load_articles
from flows.demo_site.site import FEEDS_FILE, HOSTILE, DemoServer
from flows.ingest.feeds import canonicalize
from flows.readers.status import read_status, render_status
from flows.text.language import LANGUAGE_DETECTOR
from flows.text.tokens import ANALYSER_VERSION
from tests.conftest import make_settings
from tests.e2e.conftest import DEMO_PAGES, SITE_TIMEOUTS, DemoRuns, query

pytestmark = pytest.mark.e2e

FOREIGN_STORY = load_articles(HOSTILE)[0]  # in Portuguese, which no seed covers
ENGLISH = [a for a in load_articles() if OUTLETS[a.outlet].language == "en"]


def detected(language: str) -> str:
    """The detector's code for an outlet's declared language (zh-Hans is plain zh)."""
    return "zh" if language == "zh-Hans" else language


# What the detector finds on the demo's first run: every page, and two feed summaries
# standing in for pages without text (English).
DEMO_LANGUAGES = Counter(detected(OUTLETS[a.outlet].language) for a in load_articles())
DEMO_LANGUAGES.update({"en": 2, "pt": 1})


def url(article) -> str:
    return f"http://{OUTLETS[article.outlet].host}{article.path}"


def test_the_sample_articles_are_english_and_tagged(demo_runs: DemoRuns):
    rows = query(
        demo_runs.settings.warehouse,
        "select canonical_url, detected_language, language_confidence, is_tagged "
        "from marts.dim_articles where has_text",
    )
    by_url = {row[0]: row[1:] for row in rows}
    sample = [url(a) for a in ENGLISH]
    assert all(by_url[u][0] == "en" and by_url[u][1] >= 0.9 and by_url[u][2] for u in sample)
    # the other outlets' articles: each in its outlet's language, tagged
    others = [a for a in load_articles() if a not in ENGLISH]
    for article in others:
        language, _, tagged = by_url[canonicalize(url(article))]
        assert language == detected(OUTLETS[article.outlet].language) and tagged, article.stem
    pages = {canonicalize(url(a)) for a in load_articles()}
    stand_ins = [row for u, *row in rows if u not in pages and u != url(FOREIGN_STORY)]
    assert [(language, tagged) for language, _, tagged in stand_ins] == [("en", True)] * 2


def test_a_story_in_a_language_no_seed_covers_is_counted_and_untagged(demo_runs: DemoRuns):
    (row,) = query(
        demo_runs.settings.warehouse,
        "select status, has_text, language, detected_language, language_confidence, is_tagged "
        f"from marts.dim_articles where canonical_url = '{url(FOREIGN_STORY)}'",
    )
    status, has_text, claimed, found, confidence, tagged = row
    assert (status, has_text, claimed, found, tagged) == ("ok", True, "en", "pt", False)
    assert confidence > 0.9  # the English menus and headlines around it were not extracted
    assert demo_runs.first.languages == DEMO_LANGUAGES
    assert demo_runs.second.languages == {}  # nothing new


def test_only_tagged_articles_get_mentions_people_quotes_and_tone(demo_runs: DemoRuns):
    """The Portuguese story names China and quotes a minister, and its words were scored at
    ingest, but no language's aliases, no name or quote rules and no tone read it: it has no
    mention, person, quote or tone row. The tagged articles keep theirs: mentions in every
    language, tone in English."""
    warehouse, story = demo_runs.settings.warehouse, url(FOREIGN_STORY)
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
    rows = query(
        warehouse,
        "select a.detected_language = 'en', count(distinct m.article_id), "
        "count(distinct t.article_id) from marts.dim_articles as a "
        "left join marts.fct_entity_mentions as m on a.article_id = m.article_id "
        "left join marts.fct_article_tone as t on a.article_id = t.article_id "
        "where a.is_tagged group by all",
    )
    tagged = {is_english: (mentioned, toned) for is_english, mentioned, toned in rows}
    english = len(ENGLISH) + 2  # every English text, the stand-ins too
    assert tagged[True] == (english, english)
    others = sum(DEMO_LANGUAGES.values()) - english - 1  # and not the Portuguese story
    assert tagged[False] == (others, 0)  # mentions in every language; tone in English only


def test_status_counts_articles_per_language_and_the_tagged(demo_runs: DemoRuns):
    status = read_status(demo_runs.settings.warehouse)
    texts = DEMO_PAGES + 2  # the pages and two feed summaries standing in
    languages = {language: (count, tagged) for language, count, tagged in status.languages}
    expected = {
        language: (count, 0 if language == "pt" else count)
        for language, count in DEMO_LANGUAGES.items()
    }
    expected["no text"] = (status.article_count - texts, 0)
    assert languages == expected
    console = Console(width=100, record=True)
    render_status(status, console)
    shown = " ".join(console.export_text().split())
    tagged = sum(count for language, count in DEMO_LANGUAGES.items() if language != "pt")
    assert (
        f"tagged {tagged} of {status.article_count} articles; by detected language: "
        f"en {DEMO_LANGUAGES['en']} tagged"
    ) in shown
    assert "pt 1" in shown and f"no text {status.article_count - texts}" in shown
    others = ", ".join(sorted(set(DEMO_LANGUAGES) - {"en", "pt"}))
    assert f"in {others}: countries, curated persons, issues and quotes" in shown
    assert "people not in the seeds are discovered in es too" in shown
    assert "not yet in fr, id, ja, ko, ru, vi, zh, zh-Hant; tone is English only" in shown


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
            **SITE_TIMEOUTS,
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
    assert report.languages_from_stored_text == DEMO_LANGUAGES
    assert report.dbt_scope == "incremental"  # the changed languages moved their stamps
    rows = dict(
        query(
            settings.warehouse,
            "select detected_language, count(*) filter (is_tagged) from marts.dim_articles "
            "where has_text group by all",
        )
    )
    assert rows == {
        language: 0 if language == "pt" else count for language, count in DEMO_LANGUAGES.items()
    }
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
    # the texts' signatures are made again too, and the stories are the same
    signatures = "select count(*), count(distinct article_id) from raw.article_signatures"
    assert query(settings.work_database, signatures) == query(
        demo_runs.settings.work_database, signatures
    )
    stories = "select article_id, story_id from marts.dim_articles order by all"
    assert query(settings.warehouse, stories) == query(demo_runs.settings.warehouse, stories)
    for mart in ("fct_quotes", "fct_entity_mentions"):
        count = f"select count(*) from marts.{mart}"
        assert query(settings.warehouse, count) == query(demo_runs.settings.warehouse, count)


def forget_analyses(settings: Settings) -> int:
    """The state of a warehouse from before the workers analysed sentences: no tokens, runs
    or paragraphs, no quotations, no signatures. Returns how many quotations there were."""
    con = duckdb.connect(str(settings.work_database))
    try:
        (quotations,) = con.execute("select count(*) from raw.quotations").fetchone()
        con.execute(
            "update raw.sentences set tokens = null, separators = null, name_runs = null, "
            "paragraph_index = null, analyser = null"
        )
        con.execute("delete from raw.quotations")
        con.execute("delete from raw.article_signatures")
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
            f"where canonical_url = '{url(FOREIGN_STORY)}'"
        )
    finally:
        con.close()
