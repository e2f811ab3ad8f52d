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
    IssueRow,
    ReportData,
    Sentence,
    Series,
    Speaker,
    Spike,
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
        )
    ]
    data.spikes_total = 1
    data.quotes_available = True
    data.speakers = [Speaker("s", SCRIPT, IMG, 1, 0, 0.2, ((IMG, 1),), COMMENT)]
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
    assert len(scripts) == 1 + charts and charts == 6  # plotly.js, then one call per chart
    # Each value is there as the text it was, where the reader sees it.
    assert page.texts("a") == ["Spikes", "Mentions", "Tone", "Issues", "Quotes", SCRIPT, SCRIPT]
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
