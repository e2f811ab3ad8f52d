"""Outlets compared (marts.agg_outlet_coverage) on the sample site's warehouse: its counts are
the facts' counts, own copy and wire copy apart, and the report's section shows them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flows.readers.analyst_report import default_report_path
from tests.browser import Browser, ensure_chromium
from tests.e2e.conftest import DemoRuns, query

pytestmark = pytest.mark.e2e

# Two outlets that carry wire copy as well as their own, and two subjects: a country and an
# issue whose articles include its sub-issues'.
OUTLETS = ("pacific-herald", "harbor-wire")
SUBJECTS = (("entity", "japan"), ("issue", "territorial-disputes"))

ARTICLES = """
    select article_id, outlet_id, case when wire_source is null then 'own' else 'wire' end as copy
    from marts.dim_articles where has_text and published_date is not null
"""

SUBJECT_SENTENCES = {
    "entity": "select article_id, sentence_id, tone from marts.fct_entity_mentions "
    "where entity_id = '{id}'",
    # the issue and its sub-issues, walked down from the seeds' parent column here
    "issue": "with recursive tree(issue_id) as (select '{id}' union all select issues.issue_id "
    "from marts.dim_issues as issues inner join tree on issues.parent_issue_id = tree.issue_id) "
    "select distinct article_id, sentence_id, tone from marts.fct_issue_mentions "
    "where issue_id in (select issue_id from tree)",
}


def from_facts(database: Path, subject_type: str, subject_id: str) -> dict[tuple, tuple]:
    """(outlet, copy) -> (articles, sentences, toned sentences, tone sum, quotes, attributed),
    counted straight from the facts."""
    sentences = SUBJECT_SENTENCES[subject_type].format(id=subject_id)
    rows = query(
        database,
        f"with articles as ({ARTICLES}), sentences as ({sentences}), "
        "per_article as (select article_id, count(*) as n, count(tone) as toned, "
        "sum(tone) as tone from sentences group by article_id), "
        "quotes as (select article_id, count(*) as q, count(speaker_entity_id) as a "
        "from marts.fct_quotes group by article_id) "
        "select articles.outlet_id, articles.copy, count(*), sum(n), sum(toned), "
        "round(sum(per_article.tone), 6), coalesce(sum(q), 0), coalesce(sum(a), 0) "
        "from per_article inner join articles using (article_id) "
        "left join quotes using (article_id) group by all",
    )
    return {(r[0], r[1]): tuple(r[2:]) for r in rows if r[0] in OUTLETS}


def from_mart(database: Path, subject_type: str, subject_id: str) -> dict[tuple, tuple]:
    rows = query(
        database,
        "select outlet_id, copy_kind, sum(article_count), sum(sentence_count), "
        "sum(toned_sentence_count), round(sum(tone_sum), 6), sum(quote_count), "
        "sum(attributed_quote_count) from marts.agg_outlet_coverage "
        f"where subject_type = '{subject_type}' and subject_id = '{subject_id}' group by all",
    )
    return {(r[0], r[1]): tuple(r[2:]) for r in rows if r[0] in OUTLETS}


@pytest.mark.parametrize(("subject_type", "subject_id"), SUBJECTS)
def test_outlet_coverage_equals_the_facts_own_and_wire_copy_apart(
    demo_runs: DemoRuns, subject_type: str, subject_id: str
):
    database = demo_runs.settings.warehouse
    expected = from_facts(database, subject_type, subject_id)
    assert {outlet for outlet, _ in expected} == set(OUTLETS)
    assert from_mart(database, subject_type, subject_id) == expected


def test_the_outlets_own_totals_are_the_denominators(demo_runs: DemoRuns):
    database = demo_runs.settings.warehouse
    totals = query(
        database,
        "select outlet_id, copy_kind, sum(article_count) from marts.agg_outlet_coverage "
        "where subject_type = 'all' group by all",
    )
    direct = query(database, f"select outlet_id, copy, count(*) from ({ARTICLES}) group by all")
    assert sorted(totals) == sorted(direct)
    # both kinds of copy are there for the chosen outlets (the wire story the site syndicates)
    kinds = {(o, c) for o, c, _ in totals if o in OUTLETS}
    assert kinds == {(o, c) for o in OUTLETS for c in ("own", "wire")}
    # each row's denominator is its day's 'all' row; shares are within [0, 1]
    mismatched = query(
        database,
        "select count(*) from marts.agg_outlet_coverage as c inner join "
        "marts.agg_outlet_coverage as t on c.published_date = t.published_date and "
        "c.outlet_id = t.outlet_id and c.language = t.language and c.copy_kind = t.copy_kind "
        "and t.subject_type = 'all' where c.outlet_article_count <> t.article_count "
        "or c.article_count > c.outlet_article_count",
    )
    assert mismatched == [(0,)]


def test_every_outlet_of_the_sample_site_keeps_its_own_id(demo_runs: DemoRuns):
    """Outlets named in a script without Latin letters (みなと放送, 晨钟日报, Восток-Пресс) each get
    an id of their own: the outlets seed's where it names them, else the feed host's slug."""
    outlets = query(
        demo_runs.settings.warehouse,
        "select outlet_id, count(distinct outlet_name) from staging.stg_newswatch__feeds "
        "group by all",
    )
    assert all(n == 1 and outlet_id for outlet_id, n in outlets), outlets
    names = query(
        demo_runs.settings.warehouse,
        "select count(distinct outlet_name) from staging.stg_newswatch__feeds",
    )[0][0]
    assert len(outlets) == names
    assert {"minato-hoso", "chenzhong-daily", "vostok-press"} <= {o for o, _ in outlets}


def test_framings_and_speakers_add_up(demo_runs: DemoRuns):
    """Each outlet's framing terms are the framed seed terms found in its articles (a term
    framed two ways counts for none), and its named speakers' quotations are its attributed
    ones."""
    database = demo_runs.settings.warehouse
    mart = query(
        database,
        "select outlet_id, f.framing, sum(f.term_count) from (select outlet_id, "
        "unnest(framings) as f from marts.agg_outlet_coverage where subject_type = 'all') "
        "group by all order by all",
    )
    direct = query(
        database,
        "with terms as (select issue_id, term, min(framing) as framing from seeds.issue_terms "
        "where framing is not null group by all having min(framing) = max(framing)) "
        "select articles.outlet_id, terms.framing, count(*) "
        "from intermediate.int_issue_mentions__matched as found "
        "inner join terms on found.issue_id = terms.issue_id and found.term = terms.term "
        "inner join marts.dim_articles as articles on found.article_id = articles.article_id "
        "where articles.has_text and articles.published_date is not null "
        "group by all order by all",
    )
    assert mart == direct and {f for _, f, _ in mart} >= {"treated-water", "contaminated-water"}
    unequal = query(
        database,
        "select count(*) from marts.agg_outlet_coverage where attributed_quote_count <> "
        "coalesce(list_sum(list_transform(quoted_speakers, lambda s: s.quote_count)), 0)",
    )
    assert unequal == [(0,)]


@pytest.fixture(scope="session")
def chromium() -> str:
    return ensure_chromium()


def test_the_report_compares_outlets_with_the_articles_behind_each_figure(
    demo_runs: DemoRuns, chromium: str
):
    browser = Browser(chromium)
    with browser.page() as page:
        page.open(default_report_path(demo_runs.settings.warehouse).resolve().as_uri())
        title = page.evaluate("document.title")
        tables = page.evaluate(
            "Array.from(document.querySelectorAll('table.outlets')).map(t => [t.dataset.subject,"
            " Array.from(t.querySelectorAll('tr.outlet-row')).map(tr => [tr.dataset.outlet,"
            " tr.dataset.copy, tr.querySelectorAll('td')[2].textContent.trim()])])"
        )
    since, until = (
        date.fromisoformat(d) for d in title.removeprefix("newswatch report ").split(" to ")
    )
    assert tables, "no outlet comparison in the report"
    for subject, rows in tables:
        subject_type, subject_id = subject.split(":", 1)
        assert len({outlet for outlet, _, _ in rows}) > 1  # a comparison: several outlets
        expected = query(
            demo_runs.settings.warehouse,
            "select coalesce(any_value(o.name), c.outlet_id), c.copy_kind, sum(c.article_count), "
            "(select sum(t.article_count) from marts.agg_outlet_coverage as t where "
            "t.subject_type = 'all' and t.outlet_id = c.outlet_id and t.copy_kind = c.copy_kind "
            f"and t.published_date between '{since}' and '{until}') "
            "from marts.agg_outlet_coverage as c left join marts.dim_outlets as o "
            "on c.outlet_id = o.outlet_id "
            f"where c.subject_type = '{subject_type}' and c.subject_id = '{subject_id}' "
            f"and c.published_date between '{since}' and '{until}' group by c.outlet_id, c.copy_kind",
        )
        assert sorted(rows) == sorted(
            [name, copy, f"{n} of {total}"] for name, copy, n, total in expected
        )
