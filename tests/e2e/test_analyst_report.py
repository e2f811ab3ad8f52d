"""The analyst report and attention spikes: written by the pipeline, opened in headless Chromium
(offline, every chart drawn from data), and a planted burst found as a spike with its reasons.

Set SCREENSHOTS_DIR to keep the screenshots (the README's come from
`SCREENSHOTS_DIR=docs/img pytest tests/e2e/test_analyst_report.py`).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, date
from pathlib import Path

import duckdb
import pytest

from flows.cli import EXIT_CONFIG, EXIT_OK, main
from flows.core.settings import Settings
from flows.demo_site.render import load_articles
from flows.demo_site.site import DemoServer, build_site
from flows.readers.analyst_report import (
    ReportError,
    ReportRequest,
    default_report_path,
    gather,
    write_report,
)
from flows.readers.analyst_report.data import language_names
from flows.readers.run_report import RunReport
from tests.browser import Browser, Page, ensure_chromium
from tests.conftest import FIXTURES, make_settings
from tests.e2e.conftest import ENGLISH_OUTLETS, SITE_TIMEOUTS, DemoRuns, english_feeds, query
from tests.servers import AlertReceiver

pytestmark = pytest.mark.e2e

BURST_DIR = FIXTURES / "burst"
BURST_DAY = date(2026, 11, 25)
BURST_SIZE = 7


def sample_articles_on(day: date) -> int:
    """The sample site's own English stories published that UTC day (none of them about the
    burst): the burst run reads the English outlets only."""
    return sum(
        a.published.astimezone(UTC).date() == day and a.outlet in ENGLISH_OUTLETS
        for a in load_articles()
    )


# Every chart: drawn by plotly, with at least one trace holding at least one value.
CHARTS_WITH_DATA = """
(() => Array.from(document.querySelectorAll('div.chart')).map(el => ({
    name: el.dataset.chart,
    drawn: el.classList.contains('js-plotly-plot') && !!el.querySelector('svg.main-svg'),
    values: (el.data || []).reduce((n, t) => n + (t.y || []).filter(
        v => v !== null && v !== undefined).length, 0),
    marks: el.querySelectorAll('.scatterlayer .trace path, .barlayer .point path').length,
})))()
"""


@pytest.fixture(scope="session")
def chromium() -> str:
    return ensure_chromium()


def screenshot_dir(tmp_path: Path) -> Path:
    return Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)


def open_report(page: Page, path: Path) -> list[dict]:
    page.open(path.resolve().as_uri(), width=1280, height=1000)
    expected = page.evaluate("document.querySelectorAll('div.chart').length")
    page.wait_until(
        f"document.querySelectorAll('div.chart.js-plotly-plot svg.main-svg').length >= {expected}"
    )
    return page.evaluate(CHARTS_WITH_DATA)


def assert_offline(browser: Browser, page: Page) -> None:
    """The page asked for nothing beyond its own file and inline data; nothing it asked for
    went out. (Chromium's own background traffic, a component updater's CONNECT say, also
    reaches the refusing proxy: it is not the page's, and is only printed.)"""
    assert [u for u in page.requested_urls if not u.startswith(("file:", "data:"))] == []
    assert page.evaluate("window.__violations") == []
    assert browser.refused_requests_of(page) == []
    if background := browser.background_requests(page):
        print("Chromium's own requests, refused:", background)
    assert page.console_errors == []


# -- the report of the sample site, written by the pipeline ----------------------------------


def test_the_pipeline_writes_the_report_and_links_it_from_its_artifact(demo_runs: DemoRuns):
    expected = default_report_path(demo_runs.settings.warehouse)
    for run in (demo_runs.first, demo_runs.second):
        assert run.analyst_report == str(expected), run.analyst_report_error
    assert (
        expected.name == "test-report.html"
        and expected.parent == demo_runs.settings.warehouse.parent
    )
    assert f"]({expected.as_uri()})" in demo_runs.second.to_markdown()
    page = expected.read_text(encoding="utf-8")
    assert "<script src=" not in page and "<link" not in page  # everything inline
    assert "Plotly.newPlot" in page


def test_the_sample_site_report_renders_offline_with_data_in_every_chart(
    demo_runs: DemoRuns, chromium: str, tmp_path: Path
):
    browser = Browser(chromium)
    with browser.page() as page:
        charts = open_report(page, default_report_path(demo_runs.settings.warehouse))
        assert {c["name"] for c in charts} >= {
            "mentions",
            "tone-entities",
            "tone-issues",
            "tone-pairs",
            "issues",
            "stories",
        }
        empty = [c for c in charts if not (c["drawn"] and c["values"] and c["marks"])]
        assert empty == []
        # The syndicated story: three articles (two copies and an edited one), one story.
        stories = page.evaluate(
            "Array.from(document.querySelectorAll('table.stories tr.story')).map(tr =>"
            " Array.from(tr.querySelectorAll('td')).map(td => td.textContent.trim()))"
        )
        assert [
            "Japan to give Philippines five more coast guard ships as sea tensions rise",
            "3",
            "3",
            "kyodo-news",
        ] in [row[:4] for row in stories]
        lines = page.evaluate(
            "document.querySelector('[data-chart=\"stories\"]').data.map(t => t.name)"
        )
        assert lines == ["articles", "stories (copies counted once)"]
        # The Japan–China line is always charted, and the tree rolls sub-issues up.
        pairs = page.evaluate(
            "document.querySelector('[data-chart=\"tone-pairs\"]').data.map(t => t.name)"
        )
        assert "China – Japan" in pairs
        tree = page.evaluate(
            "Array.from(document.querySelectorAll('table.tree tr.depth-0 td:first-child'))"
            ".map(td => td.textContent)"
        )
        assert "Territorial and maritime disputes" in tree
        # The spikes section lists the marts' spikes of the report's window (the title names
        # it), or says there were none and why, rather than nothing.
        since, until = (
            page.evaluate("document.title").removeprefix("newswatch report ").split(" to ")
        )
        expected_spikes = query(
            demo_runs.settings.warehouse,
            "select count(*) from marts.fct_attention_spikes where is_spike and published_date"
            f" between '{date.fromisoformat(since)}' and '{date.fromisoformat(until)}'",
        )[0][0]
        listed = page.evaluate("document.querySelectorAll('#spikes table.spikes tbody tr').length")
        spikes_text = page.evaluate("document.querySelector('#spikes').textContent")
        assert listed == expected_spikes
        assert ("No spikes between" in spikes_text) == (expected_spikes == 0)
        # The syndicated story makes a spike of one story carried three times: the report says
        # so (the burst below is a spike of seven stories).
        card = "#spike-entity-theresa-lazaro-2026-11-12"
        why = page.evaluate(f"document.querySelector('{card} .why').textContent")
        assert "One story syndicated 3 times" in why
        page.screenshot(screenshot_dir(tmp_path) / "report-tone.png", "#tone")
        page.screenshot(screenshot_dir(tmp_path) / "report-issues.png", "#issues")
        assert_offline(browser, page)


# The ten languages of the sample site: English and the nine variants it serves.
LANGUAGES = ("en", "zh", "zh-Hant", "ja", "ko", "es", "fr", "ru", "vi", "id")
# Each language by its own name (CLDR, through Babel), as the page must show it.
NATIVE_NAMES = {
    "en": "English",
    "zh": "中文 (简体)",
    "zh-Hant": "中文 (繁體)",
    "ja": "日本語",
    "ko": "한국어",
    "es": "Español",
    "fr": "Français",
    "ru": "Русский",
    "vi": "Tiếng Việt",
    "id": "Indonesia",
}
# Japan and China as each language's press writes them (the seeds' names).
JAPAN = {"en": "Japan", "zh": "日本", "zh-Hant": "日本", "ja": "日本", "ko": "일본", "ru": "Япония"}
CHINA = {"en": "China", "zh": "中国", "zh-Hant": "中國", "ja": "中国", "ko": "중국", "ru": "Китай"}

LANGUAGE_TABLE = """
(() => Object.fromEntries(Array.from(document.querySelectorAll('table.languages tr.language'))
    .map(tr => [tr.dataset.language, {
        native: tr.querySelector('td.language-name > span').textContent,
        lang: tr.querySelector('td.language-name > span').lang,
        english: (tr.querySelector('td.language-name .meta') || {}).textContent || null,
        cells: Array.from(tr.querySelectorAll('td.num')).map(td => td.textContent.trim()),
        top: Array.from(tr.querySelectorAll('span.entity')).map(s => s.dataset.entityId),
    }])))()
"""


def compared_row(page: Page, subject_id: str, row: str) -> dict[str, dict[str, str]]:
    """One row of a subject in the cross-language table: language -> its cell's text and lang."""
    return page.evaluate(
        "Object.fromEntries(Array.from(document.querySelectorAll("
        f"'table.language-compare tbody[data-subject-id=\"{subject_id}\"] tr.{row} td[data-language]'"
        ")).map(td => [td.dataset.language, {text: td.textContent.trim(), lang: td.lang}]))"
    )


def test_the_report_compares_languages_with_labels_in_their_own_scripts(
    demo_runs: DemoRuns, chromium: str, tmp_path: Path
):
    """Attention per language and Japan and China side by side across languages, each name in
    its own script as the browser shows it (wrong if a label were missing, English, or
    mojibake), with the counts of the marts."""
    warehouse = demo_runs.settings.warehouse
    window = (
        "published_date between (select max(published_date) - 89 from marts.dim_articles "
        "where has_text) and (select max(published_date) from marts.dim_articles where has_text)"
    )
    articles = dict(
        query(
            warehouse,
            "select detected_language, count(*) from marts.dim_articles "
            f"where has_text and {window} group by all",
        )
    )
    mentions = dict(
        query(
            warehouse,
            "select language, sum(mention_count) from marts.fct_entity_mentions "
            f"where {window} group by all",
        )
    )
    issue_mentions = dict(
        query(
            warehouse,
            f"select language, count(*) from marts.fct_issue_mentions where {window} group by all",
        )
    )
    assert set(LANGUAGES) <= set(mentions)  # the sample site has mentions in all ten
    browser = Browser(chromium)
    with browser.page() as page:
        open_report(page, default_report_path(warehouse))
        assert page.evaluate("!!document.querySelector('nav a[href=\"#languages\"]')")
        table = page.evaluate(LANGUAGE_TABLE)
        assert set(LANGUAGES) <= set(table)
        for code in LANGUAGES:
            row = table[code]
            assert row["native"] == NATIVE_NAMES[code], code
            assert row["english"] == (None if code == "en" else language_names(code)[1])
            expected = [articles[code], mentions[code], issue_mentions.get(code, 0)]
            assert row["cells"] == [str(n) for n in expected], code
            assert row["top"], code
        assert table["zh-Hant"]["english"] == "Chinese (Traditional)"
        assert (table["zh"]["lang"], table["ja"]["lang"]) == ("zh-Hans", "ja")
        # Japan and China side by side, each in the language's own words.
        for subject, names in (("japan", JAPAN), ("china", CHINA)):
            labels = compared_row(page, subject, "labels")
            assert set(LANGUAGES) <= set(labels)
            assert {code: labels[code]["text"] for code in names} == names, subject
            assert labels["ja"]["lang"] == "ja" and labels["zh"]["lang"] == "zh-Hans"
            counts = compared_row(page, subject, "counts")
            assert all(int(counts[code]["text"]) > 0 for code in LANGUAGES), counts
        pair = compared_row(page, "china|japan", "labels")
        assert (pair["ja"]["text"], pair["ko"]["text"]) == ("中国 – 日本", "중국 – 일본")
        # Tone: a figure in English; "—" where no tone model reads the language, never a 0.
        tones = compared_row(page, "japan", "tones")
        assert tones["en"]["text"][0] in "+-" and float(tones["en"]["text"])
        assert {tones[code]["text"] for code in LANGUAGES if code != "en"} == {"—"}
        page.screenshot(screenshot_dir(tmp_path) / "report-languages.png", "#languages")
        assert_offline(browser, page)


# -- a planted burst --------------------------------------------------------------------------


@dataclass
class BurstRun:
    settings: Settings
    report: RunReport
    burst_ids: set[str]
    burst_urls: dict[str, str]  # article_id -> canonical URL
    alerts_received: list[tuple[str, bytes]]


@pytest.fixture(scope="module")
def burst_run(prefect_harness, tmp_path_factory) -> BurstRun:
    """The sample site plus seven stories on one day about a North Korean missile."""
    from flows.orchestration.pipeline import news_pipeline

    burst = load_articles(BURST_DIR)
    assert len(burst) == BURST_SIZE and {a.published.date() for a in burst} == {BURST_DAY}
    tmp = tmp_path_factory.mktemp("burst")
    english = [a for a in load_articles() if a.outlet in ENGLISH_OUTLETS]
    # alerts on: the burst is weeks old, history as a backfill loads it, so nothing is sent
    with DemoServer(build_site(english + burst)) as server, AlertReceiver() as receiver:
        settings = make_settings(
            tmp,
            feeds=english_feeds(tmp),  # the English outlets: what the burst needs
            host_map=server.host_map,
            private_allowlist=server.allowlist,
            alert_url=receiver.url(),
            **SITE_TIMEOUTS,
        )
        report = news_pipeline(settings)
    slugs = [a.slug for a in burst]
    rows = query(
        settings.warehouse,
        "select article_id, canonical_url from marts.dim_articles "
        f"where regexp_matches(canonical_url, '{'|'.join(slugs)}')",
    )
    urls = dict(rows)
    assert len(urls) == BURST_SIZE
    return BurstRun(settings, report, set(urls), urls, list(receiver.received))


def test_a_planted_burst_is_a_spike_driven_by_exactly_its_articles(burst_run: BurstRun):
    spikes = query(
        burst_run.settings.warehouse,
        "select subject_type, subject_id, published_date, article_count, day_article_count, "
        "day_share, baseline_share, baseline_days, score, driving_article_ids "
        "from marts.fct_attention_spikes where is_spike order by all",
    )
    by_subject = {(kind, sid): row for kind, sid, *row in spikes}
    for subject in (("entity", "north-korea"), ("issue", "missile-launches")):
        assert subject in by_subject, spikes
        day, count, total, share, baseline, baseline_days, score, drivers = by_subject[subject]
        assert day == BURST_DAY
        total_expected = BURST_SIZE + sample_articles_on(BURST_DAY)
        assert count == BURST_SIZE and total == total_expected
        assert share == pytest.approx(BURST_SIZE / total_expected) and share >= 2 * baseline
        assert baseline_days >= 14 and score >= 3
        assert set(drivers) == burst_run.burst_ids
    # Nothing else spikes: every spike is that day's, and driven only by the burst.
    assert {row[2] for row in spikes} == {BURST_DAY}
    assert all(set(row[9]) <= burst_run.burst_ids for row in spikes)
    # Japan is in most of the stories too, but it is in most articles anyway: no spike.
    assert ("entity", "japan") not in by_subject


def test_a_spike_on_an_old_day_is_not_sent(burst_run: BurstRun):
    """The burst was published weeks before this run fetched it, as a backfill's pages are:
    its spikes are history, counted in the run report and never sent."""
    spikes = query(
        burst_run.settings.warehouse,
        "select count(*) from marts.fct_attention_spikes where is_spike",
    )[0][0]
    assert spikes >= 2
    assert burst_run.alerts_received == []
    assert burst_run.report.alerts is not None
    assert burst_run.report.alerts["history"] == spikes
    assert burst_run.report.alerts["sent"] == [] and burst_run.report.alerts["failed"] == {}
    assert f"{spikes} on older days not sent" in (burst_run.report.alerts_line or "")


def test_the_report_explains_the_spike_with_its_articles_and_sentences(
    burst_run: BurstRun, chromium: str, tmp_path: Path
):
    report_path = Path(burst_run.report.analyst_report or "")
    assert report_path.is_file(), burst_run.report.analyst_report_error
    browser = Browser(chromium)
    with browser.page() as page:
        charts = open_report(page, report_path)
        assert [c for c in charts if not (c["values"] and c["marks"])] == []
        card = f"#spike-entity-north-korea-{BURST_DAY}"
        drivers = page.evaluate(
            f"Array.from(document.querySelectorAll('{card} li.driver')).map(li => ({{"
            " id: li.dataset.articleId, href: li.querySelector('.headline a').href,"
            " title: li.querySelector('.headline').textContent,"
            " sentences: Array.from(li.querySelectorAll('li.sentence')).map(s => s.textContent)"
            "}))"
        )
        assert {d["id"] for d in drivers} == burst_run.burst_ids
        for driver in drivers:
            assert driver["href"] == burst_run.burst_urls[driver["id"]]
            assert any("North Korea" in s for s in driver["sentences"])
            assert all("North Korea" in s or "Pyongyang" in s for s in driver["sentences"])
        titles = {d["title"] for d in drivers}
        assert "North Korea fires ballistic missile over Japan, sirens sound in Hokkaido" in titles
        why = page.evaluate(f"document.querySelector('{card} .why').textContent")
        total = BURST_SIZE + sample_articles_on(BURST_DAY)
        assert why.startswith(
            f"{BURST_SIZE} of the day's {total} articles ({100 * BURST_SIZE / total:.0f}%) mention it"
        )
        # seven stories written apart, not one story syndicated seven times
        assert f"{BURST_SIZE} different stories" in why
        # The overview table links to the card.
        assert page.evaluate(f"!!document.querySelector('table.spikes a[href=\"{card}\"]')")
        page.screenshot(screenshot_dir(tmp_path) / "report-spikes.png", "#spikes")
        page.screenshot(screenshot_dir(tmp_path) / "report-mentions.png", "#mentions")
        assert_offline(browser, page)


def test_report_command_charts_chosen_entities_and_refuses_unknown_ones(
    burst_run: BurstRun, tmp_path: Path, capsys
):
    out = tmp_path / "custom.html"
    warehouse = str(burst_run.settings.warehouse)
    code = main(
        [
            "report",
            "--warehouse",
            warehouse,
            "--since",
            "2026-11-10",
            "-o",
            str(out),
            "--entity",
            "kuomintang",
            "--entity",
            "Japan",
        ]
    )
    assert code == EXIT_OK
    printed = capsys.readouterr().out
    assert f"Wrote {out}" in printed and "2026-11-10 to 2026-11-27" in printed
    page = out.read_text(encoding="utf-8")
    assert '"name": "Kuomintang (chosen)"' in page and '"name": "Japan (chosen)"' in page
    data = gather(ReportRequest(burst_run.settings.warehouse, since=date(2026, 11, 10)))
    assert (data.days[0], data.days[-1]) == (date(2026, 11, 10), date(2026, 11, 27))

    code = main(["report", "--warehouse", warehouse, "--entity", "nort-korea"])
    assert code == EXIT_CONFIG
    assert "did you mean north-korea" in capsys.readouterr().err.replace("\n", "")


def test_who_is_quoted_comes_from_the_quotes_mart(burst_run: BurstRun):
    data = gather(ReportRequest(burst_run.settings.warehouse))
    assert data.quotes_available and data.speakers
    quotes = dict(
        query(
            burst_run.settings.warehouse,
            "select coalesce(speaker_entity_id, 'name:' || lower(trim(speaker_name))), count(*) "
            "from marts.fct_quotes where speaker_entity_id is not null or speaker_name is not null "
            "group by all",
        )
    )
    assert {s.key: s.quotes for s in data.speakers} == {s.key: quotes[s.key] for s in data.speakers}
    assert data.speakers[0].quotes == max(quotes.values())


def test_quotes_section_counts_speakers_fragments_and_issues(burst_run: BurstRun, tmp_path: Path):
    """Planted quotations with known answers; without the quotes mart the section is left out."""
    warehouse = tmp_path / "quoted.duckdb"
    shutil.copyfile(burst_run.settings.warehouse, warehouse)
    article = sorted(burst_run.burst_ids)[0]
    (missile_sentence,) = query(
        burst_run.settings.warehouse,
        "select min(sentence_index) from marts.fct_issue_mentions "
        f"where article_id = '{article}' and issue_id = 'missile-launches'",
    )[0]
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(
            """
            create or replace table marts.fct_quotes as
            select * from (values
                (?, ?, 1, 'an outrageous act', 'minoru-kihara', 'Minoru Kihara',
                 'Chief Cabinet Secretary', 'called', -0.6, true),
                (?, ?, 1, 'We will respond calmly but firmly to every launch.', 'minoru-kihara',
                 'Minoru Kihara', 'Chief Cabinet Secretary', 'said', 0.2, false),
                (?, 0, 1, 'No comment.', null, null, null, 'said', 0.0, false)
            ) as quotes(article_id, first_sentence_index, sentence_count, quote_text,
                        speaker_entity_id, speaker_name, speaker_description, attribution_verb,
                        tone, is_fragment)
            """,
            [article, missile_sentence, article, missile_sentence, article],
        )
    finally:
        con.close()
    data = gather(ReportRequest(warehouse))
    assert data.quotes_available and data.unattributed_quotes == 1
    (speaker,) = data.speakers
    assert (speaker.name, speaker.quotes, speaker.fragments) == ("Minoru Kihara", 2, 1)
    assert dict(speaker.issues)["Missile launches and tests"] == 2
    assert speaker.sample == "We will respond calmly but firmly to every launch."
    result = write_report(ReportRequest(warehouse, output=tmp_path / "q.html"))
    assert 'id="quotes"' in result.path.read_text(encoding="utf-8")
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("drop table marts.fct_quotes cascade")
    finally:
        con.close()
    result = write_report(ReportRequest(warehouse, output=tmp_path / "q.html"))
    assert 'id="quotes"' not in result.path.read_text(encoding="utf-8")


def test_a_warehouse_without_the_spikes_mart_still_gets_a_report_that_says_so(
    demo_runs: DemoRuns, tmp_path: Path
):
    warehouse = tmp_path / "old.duckdb"
    shutil.copyfile(demo_runs.settings.warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("drop table marts.fct_attention_spikes")
    finally:
        con.close()
    result = write_report(ReportRequest(warehouse))
    assert result.path == tmp_path / "old-report.html"
    assert any("no marts.fct_attention_spikes" in n for n in result.notes)


def test_hostile_names_titles_and_links_in_the_warehouse_stay_text_in_the_browser(
    burst_run: BurstRun, chromium: str, tmp_path: Path
):
    """Markup planted in the marts (an entity name that also opens a comment inside the charts'
    scripts, a title, an outlet, a link) shows as what it says, and nothing of it runs."""
    name = "<!--<script>window.__pwned = 1</script>"
    title = '"><img src=x onerror="window.__pwned = 2">'
    url = 'https://news.example/a?q="><img src=x onerror=window.__pwned=3>'
    outlet = "<b onmouseover=window.__pwned=4>Herald</b>"
    warehouse = tmp_path / "hostile.duckdb"
    shutil.copyfile(burst_run.settings.warehouse, warehouse)
    article = sorted(burst_run.burst_ids)[0]
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(
            "update marts.dim_entities set name = ? where entity_id = 'north-korea'", [name]
        )
        con.execute(
            "update marts.dim_articles set title = ?, canonical_url = ? where article_id = ?",
            [title, url, article],
        )
        con.execute(
            "update marts.dim_outlets set name = ? where outlet_id = "
            "(select outlet_id from marts.dim_articles where article_id = ?)",
            [outlet, article],
        )
    finally:
        con.close()
    result = write_report(ReportRequest(warehouse))
    browser = Browser(chromium)
    with browser.page() as page:
        charts = open_report(page, result.path)
        assert len(charts) == result.charts and all(c["drawn"] for c in charts)
        assert page.evaluate("window.__pwned === undefined")
        assert page.evaluate("document.querySelectorAll('img, b').length") == 0
        card = f"#spike-entity-north-korea-{BURST_DAY}"
        assert page.evaluate(f"document.querySelector('{card} h3').textContent").startswith(
            f"{name} entity"
        )
        driver = page.evaluate(
            f"(() => {{ const li = document.querySelector('{card} li[data-article-id=\"{article}\"]');"
            " return {title: li.querySelector('.headline').textContent,"
            " href: li.querySelector('.headline a').getAttribute('href'),"
            " meta: li.querySelector('.meta').textContent}; })()"
        )
        assert driver["title"] == title and driver["href"] == url
        assert driver["meta"].startswith(f"{outlet} · ")
        legend = page.evaluate(
            "document.querySelector('[data-chart=\"mentions\"]').data.map(t => t.name)"
        )
        assert name in legend
        assert_offline(browser, page)


def test_a_feed_url_that_is_not_a_web_link_is_not_made_a_link():
    from flows.readers.analyst_report import _safe_url

    assert _safe_url("javascript:alert(1)") is None
    assert _safe_url("https://news.example/a") == "https://news.example/a"


def test_since_after_the_period_is_a_clear_error(demo_runs: DemoRuns):
    with pytest.raises(ReportError, match="is after"):
        gather(ReportRequest(demo_runs.settings.warehouse, since=date(2026, 12, 5),
                             until=date(2026, 12, 1)))  # fmt: skip
