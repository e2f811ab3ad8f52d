"""The analyst report's templates: a hostile value from the warehouse (an entity name, a title,
a sentence, a URL) is text on the page, never markup, and never ends the charts' scripts."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from flows.readers.analyst_report import ReportRequest, write_report
from flows.readers.analyst_report.data import (
    DrivingArticle,
    EntityCount,
    IssueRow,
    Language,
    LanguageCell,
    LanguageComparison,
    OutletComparison,
    OutletCoverageRow,
    ReportData,
    Sentence,
    Series,
    Speaker,
    Spike,
    StoryArticle,
    StoryRow,
    gather,
    language_names,
)
from flows.readers.analyst_report.render import render

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
COMMENT = "<!--<script>"  # inside a script element, would swallow the element's end tag
URL = 'https://news.example/a?q="><img src=x onerror=alert(1)>'
DAY = date(2026, 11, 25)


def hostile_data(subject_type: str = "entity") -> ReportData:
    """A report whose every text from the warehouse is an attempt at markup."""
    data = ReportData(
        Path(f"/w/{IMG}.duckdb"), DAY, DAY, datetime(2026, 11, 26, 8, tzinfo=UTC), start=DAY
    )
    data.articles, data.outlets = 2, 1
    data.chosen = (SCRIPT,)
    data.mentions = [Series("e", f"{SCRIPT} (chosen)", {DAY: 3.0}, {DAY: IMG})]
    data.entity_tone = [Series("e", COMMENT, {DAY: 0.1}, {DAY: SCRIPT})]
    data.issue_attention = [Series("i", IMG, {DAY: 2.0}, {DAY: "2 articles"})]
    data.issue_tree = [IssueRow("i", IMG, 0, IMG, 4, 2, -0.2)]
    data.spikes = [
        Spike(
            subject_type,
            SCRIPT,
            SCRIPT,
            DAY,
            2,
            2,
            1.0,
            0.1,
            20,
            5.0,
            (
                DrivingArticle(
                    IMG,
                    SCRIPT,
                    URL,
                    IMG,
                    datetime(2026, 11, 25, 7, tzinfo=UTC),
                    (Sentence(0, SCRIPT, -0.3), Sentence(1, IMG, 0.4)),
                    3,
                ),
                DrivingArticle("b", IMG, "javascript:alert(1)", "outlet", None, (), 0),
            ),
            {DAY: 1.0},
            {DAY: 0.1},
            story_count=1,
            largest_story_article_count=2,
            is_one_story=True,
        )
    ]
    data.spikes_total = 1
    data.stories_available, data.story_count, data.wire_article_count = True, 1, 1
    data.story_attention = [Series("stories", IMG, {DAY: 1.0}, {DAY: SCRIPT})]
    data.stories = [
        StoryRow(
            IMG,
            2,
            1,
            2,
            (SCRIPT,),
            (
                StoryArticle(IMG, SCRIPT, URL, IMG, None, SCRIPT),
                StoryArticle("b", IMG, None, COMMENT, None, None),
            ),
        )
    ]
    data.quotes_available = True
    data.speakers = [Speaker("s", SCRIPT, IMG, 1, 0, 0.2, ((IMG, 1),), COMMENT)]
    data.outlets_available = True
    data.outlet_comparisons = [
        OutletComparison(
            subject_type,
            IMG,
            SCRIPT,
            (OutletCoverageRow(SCRIPT, "own", 1, 3, 2, -0.2, 4, 1, ((IMG, 1),), ((SCRIPT, 2),)),),
        )
    ]
    data.notes = [IMG]
    return data


class Page(HTMLParser):
    """The elements of a page as a browser's parser sees them: tag, attributes, text."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.open: list[int] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs), []))
        if tag not in {"meta", "br", "img", "input", "link"}:
            self.open.append(len(self.elements) - 1)

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            if self.elements[self.open.pop()][0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for index in self.open:  # textContent: the text of every element it is inside
            self.elements[index][2].append(data)

    def tags(self, name: str) -> list[tuple[dict[str, str | None], str]]:
        return [(attrs, "".join(text)) for tag, attrs, text in self.elements if tag == name]

    def texts(self, name: str, cls: str | None = None) -> list[str]:
        return [
            text
            for attrs, text in self.tags(name)
            if cls is None or cls in (attrs.get("class") or "").split()
        ]


@pytest.mark.parametrize("subject_type", ["entity", IMG])
def test_hostile_values_are_text_on_the_page(subject_type: str):
    page_html, charts = render(hostile_data(subject_type))
    page = Page(page_html)
    # Nothing became an element or an event handler.
    assert page.tags("img") == []
    assert [a for tag, attrs, _ in page.elements for a in attrs if a.startswith("on")] == []
    scripts = page.tags("script")
    assert len(scripts) == 1 + charts and charts == 7  # plotly.js, then one call per chart
    # Each value is there as the text it was, where the reader sees it.
    assert page.texts("a") == [
        *("Spikes", "Mentions", "Stories", "Outlets", "Tone", "Issues", "Quotes"),
        *(SCRIPT, SCRIPT, SCRIPT),
    ]
    assert page.texts("span", "credit") == [SCRIPT]
    assert [t.strip() for t in page.texts("tr", "story")] == [SCRIPT + "\n2\n1\n" + SCRIPT]
    # the outlets compared: names, countries and framings stay text; the counts are the row's
    [outlet_row] = page.texts("tr", "outlet-row")
    assert outlet_row.replace("\n", "") == "".join(
        [SCRIPT, "own", "1 of 3", "33%", "-0.20 (2)", "4 (1)", f"{IMG} 1", f"{SCRIPT} 2"]
    )
    # a spike of copies says so
    assert "One story syndicated 2 times" in page.texts("strong", "story-kind")
    assert page.texts("div", "headline") == [SCRIPT, IMG]
    assert page.texts("li", "sentence") == [SCRIPT, IMG]
    assert page.texts("span", "kind") == [subject_type]
    assert page.texts("td", "quote") == [COMMENT]
    assert IMG in page.texts("p", "note")
    assert f"those you chose ({SCRIPT})" in page.texts("p", "intro")[1]
    assert page.texts("td")[1:3] == [SCRIPT, subject_type]  # the spikes table
    # A web link keeps its exact address; a javascript: one is not made a link.
    hrefs = [attrs["href"] for attrs, _ in page.tags("a")]
    assert URL in hrefs and not [h for h in hrefs if h and h.startswith("javascript")]
    spike = hostile_data(subject_type).spikes[0]
    assert f"#{spike.anchor}" in hrefs
    assert [a["id"] for a, _ in page.tags("article")] == [spike.anchor]


def test_hostile_values_in_chart_data_stay_inside_their_script():
    page_html, _ = render(hostile_data())
    calls = [text for attrs, text in Page(page_html).tags("script")[1:]]
    assert all(c.startswith("Plotly.newPlot(") and c.endswith(");") for c in calls)
    # No <, > or & is written raw: nothing can close the script or open a comment in it.
    assert not [c for c in calls if re.search("[<>&]", c)]
    # And the values read back unchanged.
    figures = [json.loads("[" + c.removeprefix("Plotly.newPlot(").removesuffix(");") + "]")
               for c in calls]  # fmt: skip
    names = {trace.get("name") for _, figure, _ in figures for trace in figure["data"]}
    assert {f"{SCRIPT} (chosen)", COMMENT, IMG} <= names
    quotes = next(f for div_id, f, _ in figures if f["data"][0].get("orientation") == "h")
    assert quotes["data"][0]["y"] == [SCRIPT]


def hostile_warehouse(path: Path) -> Path:
    """The few marts the report needs, with hostile entity and issue names and ids."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts")
        for ddl in (
            "dim_articles(article_id varchar, outlet_id varchar, title varchar, "
            "canonical_url varchar, published_at timestamp, published_date date, has_text boolean)",
            "dim_entities(entity_id varchar, name varchar, entity_type varchar)",
            "dim_issues(issue_id varchar, name varchar, parent_issue_id varchar, depth integer, "
            "path varchar)",
            "agg_entity_daily(entity_id varchar, published_date date, mention_count integer, "
            "article_count integer, tone_sum double, sentence_count integer)",
            "agg_issue_daily(issue_id varchar, published_date date, sentence_count integer, "
            "article_count integer, tone_sum double)",
            "agg_dyad_daily(country_a_id varchar, country_b_id varchar, published_date date, "
            "sentence_count integer, tone_sum double)",
        ):
            con.execute(f"create table marts.{ddl}")
        con.execute(
            "insert into marts.dim_articles values ('a', 'o', ?, ?, ?, ?, true)",
            [SCRIPT, URL, datetime(2026, 11, 25, 7), DAY],
        )
        con.execute("insert into marts.dim_entities values (?, ?, 'person')", [IMG, SCRIPT])
        con.execute("insert into marts.dim_issues values (?, ?, null, 0, ?)", [SCRIPT, IMG, IMG])
        con.execute("insert into marts.agg_entity_daily values (?, ?, 2, 1, -0.5, 2)", [IMG, DAY])
        con.execute("insert into marts.agg_issue_daily values (?, ?, 3, 1, 0.6)", [SCRIPT, DAY])
    finally:
        con.close()
    return path


def test_a_written_report_from_a_hostile_warehouse_shows_the_values_as_text(tmp_path: Path):
    warehouse = hostile_warehouse(tmp_path / "hostile.duckdb")
    result = write_report(ReportRequest(warehouse, until=DAY, entities=(SCRIPT,)))
    page_html = result.path.read_text(encoding="utf-8")
    page = Page(page_html)
    assert page.tags("img") == [] and len(page.tags("script")) == 1 + result.charts
    # The entity chosen by its name shows as its id; the issue as its name in the tree.
    assert f"those you chose ({IMG})" in page.texts("p", "intro")[1]
    assert page.texts("td")[0] == IMG and "tone-positive" in page_html
    assert "Nothing in this period." in page.texts("p", "empty")  # no country pairs
    # In the charts: the names as JSON, without a raw <, > or & in any script.
    calls = [text for _, text in page.tags("script")[1:]]
    assert not [c for c in calls if re.search("[<>&]", c)]
    assert json.dumps(f"{SCRIPT} (chosen)").replace("<", "\\u003c").replace(
        ">", "\\u003e"
    ) in "".join(calls)


# -- languages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "native", "english"),
    [
        ("en", "English", "English"),
        ("ja", "日本語", "Japanese"),
        ("zh", "中文 (简体)", "Chinese (Simplified)"),  # the warehouse's zh: simplified characters
        ("zh-Hant", "中文 (繁體)", "Chinese (Traditional)"),
        ("ko", "한국어", "Korean"),
        ("ru", "Русский", "Russian"),  # standing alone, a name starts with a capital
        ("vi", "Tiếng Việt", "Vietnamese"),
        ("und", "undetermined", "undetermined"),  # Babel alone would say American English
        ("qq", "qq", "qq"),  # no such language: its code, not an error
    ],
)
def test_a_language_is_named_in_its_own_script_and_in_english(code, native, english):
    assert language_names(code) == (native, english)


def multilingual_warehouse(path: Path) -> Path:
    """Articles in English, Japanese, Korean and Portuguese (which the taxonomy does not read),
    with the seeds' aliases the labels are chosen from."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts")
        con.execute("create schema seeds")
        for ddl in (
            "marts.dim_articles(article_id varchar, outlet_id varchar, title varchar, "
            "canonical_url varchar, published_at timestamp, published_date date, "
            "has_text boolean, detected_language varchar, is_tagged boolean)",
            "marts.dim_entities(entity_id varchar, name varchar, entity_type varchar)",
            "marts.dim_issues(issue_id varchar, name varchar, parent_issue_id varchar, "
            "depth integer, path varchar)",
            "marts.agg_entity_daily(entity_id varchar, published_date date, language varchar, "
            "mention_count integer, article_count integer, tone_sum double, "
            "sentence_count integer)",
            "marts.agg_issue_daily(issue_id varchar, published_date date, language varchar, "
            "sentence_count integer, direct_sentence_count integer, article_count integer, "
            "tone_sum double)",
            "marts.agg_dyad_daily(country_a_id varchar, country_b_id varchar, "
            "published_date date, language varchar, sentence_count integer, "
            "article_count integer, tone_sum double)",
            "marts.fct_entity_mentions(entity_id varchar, language varchar, "
            "matched_texts varchar[])",
            "seeds.entity_aliases(entity_id varchar, alias varchar, alias_kind varchar, "
            "language varchar, source varchar)",
        ):
            con.execute(f"create table {ddl}")
        at = datetime(2026, 11, 25, 7)
        con.executemany(
            "insert into marts.dim_articles values (?, 'o', ?, null, ?, ?, true, ?, ?)",
            [
                (article_id, article_id, at, DAY, language, language != "pt")
                for article_id, language in zip(
                    ("a1", "a2", "j1", "j2", "k1", "p1"),
                    ("en", "en", "ja", "ja", "ko", "pt"),
                    strict=True,
                )
            ],
        )
        con.executemany(
            "insert into marts.dim_entities values (?, ?, 'country')",
            [("japan", "Japan"), ("china", "China"), ("south-korea", "South Korea")],
        )
        con.execute(
            "insert into marts.dim_issues values "
            "('disputes', 'Territorial disputes', null, 0, 'Territorial disputes')"
        )
        con.executemany(
            "insert into marts.agg_entity_daily values (?, ?, ?, ?, ?, ?, ?)",
            [
                ("japan", DAY, "en", 3, 2, 0.6, 3),
                ("japan", DAY, "ja", 4, 2, None, 4),  # no tone model reads Japanese
                ("china", DAY, "ja", 1, 1, None, 1),
                ("south-korea", DAY, "ko", 2, 1, None, 2),
                ("japan", DAY, "ko", 1, 1, None, 1),
            ],
        )
        con.executemany(
            "insert into marts.agg_issue_daily values ('disputes', ?, ?, ?, ?, ?, ?)",
            # sentences with sub-issues, sentences matching the issue itself, articles, tone
            [(DAY, "en", 2, 2, 1, -0.4), (DAY, "ja", 3, 2, 2, None)],
        )
        con.execute(
            "insert into marts.agg_dyad_daily values ('china', 'japan', ?, 'ja', 1, 1, null)",
            [DAY],
        )
        con.executemany(
            "insert into marts.fct_entity_mentions values (?, ?, ?)",
            [
                # Korean papers write 한국 more than the state's full name, 대한민국.
                ("south-korea", "ko", ["한 국"]),
                ("south-korea", "ko", ["한국", "대한민국"]),
                ("japan", "ja", ["日"]),  # a one-character form: never a label
                ("japan", "ja", ["日"]),
            ],
        )
        con.executemany(
            "insert into seeds.entity_aliases values (?, ?, ?, ?, ?)",
            [
                ("japan", "日本", "name", "ja", "cldr"),
                ("japan", "ニッポン", "name", "ja", "typed"),  # sorts first: CLDR's wins
                ("japan", "日", "compound_form", "ja", "typed"),
                ("japan", "日本人", "demonym", "ja", "typed"),
                ("japan", "일본", "name", "ko", "cldr"),
                ("china", "中国", "name", "ja", "cldr"),
                ("south-korea", "대한민국", "name", "ko", "cldr"),
                ("south-korea", "한국", "short_name", "ko", "typed"),
                # China has no Korean alias here: its English name stands in
            ],
        )
    finally:
        con.close()
    return path


def test_languages_are_counted_and_compared_with_labels_in_their_own_scripts(tmp_path: Path):
    data = gather(ReportRequest(multilingual_warehouse(tmp_path / "w.duckdb"), until=DAY))
    assert data.languages_available
    by_code = {lang.code: lang for lang in data.languages}
    assert [lang.code for lang in data.languages] == ["en", "ja", "ko", "pt"]
    ja, ko, pt = by_code["ja"], by_code["ko"], by_code["pt"]
    assert (ja.native_name, ja.english_name, ja.articles) == ("日本語", "Japanese", 2)
    assert (ja.entity_mentions, ja.issue_mentions, ja.has_tone) == (5, 2, False)
    assert by_code["en"].has_tone and not pt.is_tagged and pt.entity_mentions == 0
    assert [(e.label, e.name, e.mentions) for e in ja.top_entities] == [
        ("日本", "Japan", 4),
        ("中国", "China", 1),
    ]
    assert [(e.label, e.mentions) for e in ko.top_entities] == [("한국", 2), ("일본", 1)]
    # Compared: the languages the taxonomy reads; China and Japan, their pair, the issue.
    assert [lang.code for lang in data.compared_languages] == ["en", "ja", "ko"]
    compared = {row.subject_id: row for row in data.language_comparison}
    assert [(r.kind, r.subject_id) for r in data.language_comparison] == [
        ("entity", "china"),
        ("entity", "japan"),
        ("pair", "china|japan"),
        ("issue", "disputes"),
    ]
    japan = compared["japan"].cells
    assert [c.label for c in japan] == ["Japan", "日本", "일본"]
    assert [(c.count, c.articles, c.share) for c in japan] == [
        (3, 2, 1.0),
        (4, 2, 1.0),
        (1, 1, 1.0),
    ]
    assert japan[0].mean_tone == pytest.approx(0.2) and japan[1].mean_tone is None
    china = compared["china"].cells
    assert [(c.label, c.count, c.share) for c in china] == [
        ("China", 0, 0.0),
        ("中国", 1, 0.5),
        ("China", 0, 0.0),
    ]
    assert [c.label for c in compared["china|japan"].cells] == [
        "China – Japan",
        "中国 – 日本",
        "China – 일본",
    ]
    assert [(c.label, c.count, c.mean_tone) for c in compared["disputes"].cells] == [
        (None, 2, pytest.approx(-0.2)),
        (None, 3, None),
        (None, 0, None),
    ]

    page = Page(render(data)[0])
    assert "Languages" in page.texts("a")
    names = [t.strip() for t in page.texts("td", "language-name")]
    assert names[:3] == ["English", "日本語Japanese", "한국어Korean"]
    assert [t.strip() for t in page.texts("td", "label")][3:6] == ["Japan", "日本", "일본"]
    # "—", never 0, where no tone model reads the language (and where English has no sentence).
    no_tone = [
        (attrs["data-language"], attrs["title"], text.strip())
        for attrs, text in page.tags("td")
        if "no-tone" in (attrs.get("class") or "").split()
    ]
    assert {(lang, text) for lang, _, text in no_tone} == {("ja", "—"), ("ko", "—"), ("en", "—")}
    assert sum(title == "no tone model reads this language" for _, title, _ in no_tone) == 2 * 4
    assert [lang for lang, title, _ in no_tone if title.startswith("nothing")] == ["en", "en"]
    assert "+0.20" in page.texts("td", "tone-positive")
    # Native text is marked with its language, so the browser picks Japanese or Korean glyphs.
    langs = {attrs.get("lang") for attrs, text in page.tags("td") if text.strip() == "日本"}
    assert langs == {"ja"}


def test_a_warehouse_without_languages_gets_the_report_without_the_section(tmp_path: Path):
    data = gather(ReportRequest(hostile_warehouse(tmp_path / "old.duckdb"), until=DAY))
    assert not data.languages_available and data.languages == []
    assert any("carry no language yet" in note for note in data.notes)
    page_html, _ = render(data)
    assert 'id="languages"' not in page_html and "#languages" not in page_html


def test_hostile_language_names_and_labels_are_text_on_the_page():
    data = ReportData(Path("/w/w.duckdb"), DAY, DAY, datetime(2026, 11, 26, 8, tzinfo=UTC))
    data.languages_available = True
    language = Language(
        IMG, SCRIPT, COMMENT, IMG, 1, 1, 0, True, False, (EntityCount(IMG, SCRIPT, IMG, 1),)
    )
    data.languages = data.compared_languages = [language]
    data.language_comparison = [
        LanguageComparison("entity", IMG, SCRIPT, IMG, (LanguageCell(COMMENT, 1, 1, 1.0, None),))
    ]
    page = Page(render(data)[0])
    assert page.tags("img") == [] and len(page.tags("script")) == 1  # plotly.js alone
    assert page.texts("td", "label") == [COMMENT]
    assert page.texts("span", "entity")[0].startswith(SCRIPT)
    assert {attrs.get("data-language") for attrs, _ in page.tags("tr")} >= {IMG}


# -- the period and the tone scale ------------------------------------------------------------


def test_the_header_starts_at_the_first_article_not_at_the_window():
    """The default window is 90 days up to the newest article; a warehouse whose first article
    is a few days old shows its own period, not two months before it."""
    first, newest = date(2026, 11, 20), date(2026, 11, 25)
    window_start = date(2026, 8, 28)
    data = ReportData(
        Path("/w/demo.duckdb"),
        window_start,
        newest,
        datetime(2026, 11, 26, tzinfo=UTC),
        start=first,
    )
    data.articles, data.outlets = 3, 1
    page = Page(render(data)[0])
    assert page.texts("title") == ["newswatch report 2026-11-20 to 2026-11-25"]
    header = page.texts("div", "sub")[0]
    assert header.startswith("20 November 2026 to 25 November 2026")
    assert "August" not in header
    assert data.days[0] == first and data.days[-1] == newest


def test_the_tone_scale_keeps_its_lowest_tick_clear_of_the_dates():
    from flows.readers.analyst_report.render import fixed_scale

    axis = fixed_scale(-1, 1)
    low, high = axis["range"]
    assert low < -1 and high > 1  # -1 is a tick above the x axis, not on it
    assert axis["tickvals"] == [-1, -0.5, 0, 0.5, 1]
