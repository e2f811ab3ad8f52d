"""What the analyst report shows, read from the published warehouse: every query of the marts,
and the small records they return (nothing here knows about HTML)."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
from babel import Locale, UnknownLocaleError

from flows.warehouse.query import QueryError, open_read_only

DEFAULT_DAYS = 90
TOP_ENTITIES = 8
TONE_SUBJECTS = 6
TONE_WINDOW_DAYS = 7
TOP_PAIRS = 4
SPIKES_IN_DETAIL = 20
SENTENCES_PER_ARTICLE = 3
TOP_SPEAKERS = 15
TOP_ROOT_ISSUES = 8
TOP_STORIES = 10
OTHER_ISSUES = "other"
# Japan–China is the pair this project was started for: always charted when both exist.
STANDING_PAIRS = (("china", "japan"),)
TOP_LANGUAGE_ENTITIES = 5
COMPARED_ISSUES = 3
COMPARED_SUBJECTS = 4  # subjects whose coverage the outlets section compares
SPEAKER_COUNTRIES = 3  # per outlet: the countries of the speakers it quotes most
# The alias kinds that name an entity itself (not a demonym, a capital, a one-character form):
# the candidates for its label in a language.
LABEL_ALIAS_KINDS = ("name", "short_name", "native_name")
UNDETERMINED = "und"
# The warehouse's zh is Chinese in simplified characters (beside zh-Hant): CLDR names it so.
CLDR_LOCALES = {"zh": "zh_Hans"}
HTML_LANGS = {"zh": "zh-Hans"}


class ReportError(Exception):
    """The report cannot be written as asked; the message says what to change."""


@dataclass(frozen=True)
class ReportRequest:
    warehouse: Path
    output: Path | None = None  # default: <warehouse stem>-report.html beside the warehouse
    since: date | None = None  # default: DEFAULT_DAYS days up to today (UTC)
    entities: tuple[str, ...] = ()  # ids or names of entities to chart besides the top ones
    until: date | None = None  # default: today (UTC); tests pin it
    memory_limit: str | None = None  # DuckDB's cap while reading; a run passes its writer's


# -- reading the warehouse -------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One line of a chart: a label and a value per day (None where there is nothing)."""

    key: str
    label: str
    values: dict[date, float | None]
    hover: dict[date, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Sentence:
    index: int
    text: str
    tone: float | None


@dataclass(frozen=True)
class DrivingArticle:
    article_id: str
    title: str
    url: str | None
    outlet: str
    published_at: datetime | None
    sentences: tuple[Sentence, ...]
    sentence_total: int


@dataclass(frozen=True)
class Spike:
    subject_type: str
    subject_id: str
    name: str
    published_date: date
    article_count: int
    day_article_count: int
    day_share: float
    baseline_share: float
    baseline_days: int
    score: float
    articles: tuple[DrivingArticle, ...] = ()
    share_series: dict[date, float] = field(default_factory=dict)
    baseline_series: dict[date, float] = field(default_factory=dict)
    # attention by story (None on a warehouse built before stories): copies count once
    story_count: int | None = None
    largest_story_article_count: int | None = None
    is_one_story: bool = False

    @property
    def anchor(self) -> str:
        return f"spike-{self.subject_type}-{self.subject_id}-{self.published_date}"


@dataclass(frozen=True)
class StoryArticle:
    article_id: str
    title: str
    url: str | None
    outlet: str
    published_at: datetime | None
    wire_source: str | None


@dataclass(frozen=True)
class StoryRow:
    """A story carried by more than one article in the period: copies of one text."""

    story_id: str
    article_count: int  # in the period
    outlet_count: int  # in the period
    total_article_count: int  # ever (dim_stories)
    wire_sources: tuple[str, ...]  # the agencies its articles credit
    articles: tuple[StoryArticle, ...]

    @property
    def title(self) -> str:
        return self.articles[0].title if self.articles else self.story_id


@dataclass(frozen=True)
class IssueRow:
    issue_id: str
    name: str
    depth: int
    path: str
    sentences: int
    articles: int
    mean_tone: float | None


@dataclass(frozen=True)
class Speaker:
    key: str
    name: str
    description: str
    quotes: int
    fragments: int
    mean_tone: float | None
    issues: tuple[tuple[str, int], ...]
    sample: str


@dataclass(frozen=True)
class EntityCount:
    entity_id: str
    label: str  # the entity's name in the language's own script (English when the seeds lack it)
    name: str  # its name in English (dim_entities)
    mentions: int


@dataclass(frozen=True)
class Language:
    """A language of the period's articles, named in its own script and in English."""

    code: str  # dim_articles.detected_language: zh is simplified characters, zh-Hant traditional
    native_name: str
    english_name: str
    html_lang: str  # BCP 47 for the lang attribute (it picks Chinese or Japanese glyphs)
    articles: int
    entity_mentions: int
    issue_mentions: int  # sentences × issues matched directly
    is_tagged: bool  # read for entities and issues (the taxonomy has seeds in it)
    has_tone: bool  # a tone model reads it (VADER: English only today)
    top_entities: tuple[EntityCount, ...] = ()


@dataclass(frozen=True)
class LanguageCell:
    """One subject in one language."""

    label: str | None  # the subject's name in that language's script; None for issues
    count: int  # mentions (an entity) or sentences (a pair, an issue)
    articles: int
    share: float | None  # of the language's articles in the period; None: it has none
    mean_tone: float | None  # None: no tone model reads the language, or nothing to read


@dataclass(frozen=True)
class LanguageComparison:
    """The same entity, pair or issue in each compared language, side by side."""

    kind: str  # "entity", "pair" or "issue"
    subject_id: str
    name: str  # in English
    measure: str  # what LanguageCell.count counts
    cells: tuple[LanguageCell, ...]  # in the order of ReportData.compared_languages


@dataclass(frozen=True)
class OutletCoverageRow:
    """One outlet's coverage of a subject over the period, own or wire copy
    (marts.agg_outlet_coverage summed over the period's days and languages)."""

    outlet: str
    copy_kind: str  # "own" or "wire"
    article_count: int  # about the subject
    outlet_article_count: int  # all of the outlet's articles of that copy
    toned_sentence_count: int
    mean_tone: float | None
    quote_count: int
    attributed_quote_count: int
    speaker_countries: tuple[tuple[str, int], ...]  # (country code, quotations), most first
    framings: tuple[tuple[str, int], ...]  # (framing, terms used), most first

    @property
    def share(self) -> float:
        return self.article_count / self.outlet_article_count if self.outlet_article_count else 0.0


@dataclass(frozen=True)
class OutletComparison:
    subject_type: str
    subject_id: str
    name: str
    rows: tuple[OutletCoverageRow, ...]

    @property
    def anchor(self) -> str:
        return f"outlets-{self.subject_type}-{self.subject_id}"


@dataclass
class ReportData:
    warehouse: Path
    since: date
    until: date
    generated_at: datetime
    start: date | None = None  # the first day with articles in the period: charts start there
    articles: int = 0
    outlets: int = 0
    newest_article_date: date | None = None
    mentions: list[Series] = field(default_factory=list)
    chosen: tuple[str, ...] = ()
    entity_tone: list[Series] = field(default_factory=list)
    issue_tone: list[Series] = field(default_factory=list)
    pair_tone: list[Series] = field(default_factory=list)
    issue_attention: list[Series] = field(default_factory=list)
    issue_tree: list[IssueRow] = field(default_factory=list)
    spikes_available: bool = True
    spikes: list[Spike] = field(default_factory=list)
    spikes_total: int = 0
    scored_days: int = 0
    best_non_spike: tuple[str, date, int, float] | None = None
    quotes_available: bool = False
    quotes_missing_columns: tuple[str, ...] = ()
    speakers: list[Speaker] = field(default_factory=list)
    unattributed_quotes: int = 0
    languages_available: bool = False  # False: the marts carry no language yet
    languages: list[Language] = field(default_factory=list)  # with articles in the period
    compared_languages: list[Language] = field(default_factory=list)  # the tagged ones
    language_comparison: list[LanguageComparison] = field(default_factory=list)
    stories_available: bool = False
    story_count: int = 0  # stories among the period's articles with text
    wire_article_count: int = 0  # of those articles, how many credit a news agency
    stories: list[StoryRow] = field(default_factory=list)  # carried by several articles
    story_attention: list[Series] = field(default_factory=list)  # articles and stories a day
    outlets_available: bool = False  # False: no agg_outlet_coverage mart yet
    outlet_comparisons: list[OutletComparison] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def first_day(self) -> date:
        """The period as shown: from the first day with articles (not the window's start,
        which can be weeks before the first article), to ``until``."""
        return max(self.start, self.since) if self.start else self.since

    @property
    def days(self) -> list[date]:
        first = self.first_day
        return [first + timedelta(days=n) for n in range((self.until - first).days + 1)]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    columns: dict[str, set[str]] = defaultdict(set)
    for schema, table, column in _rows(
        con, "select table_schema, table_name, column_name from information_schema.columns"
    ):
        columns[f"{schema}.{table}"].add(column)
    return columns


def resolve_entities(con: duckdb.DuckDBPyConnection, wanted: Iterable[str]) -> tuple[str, ...]:
    """Entity ids for ids or names as an analyst types them; unknown ones stop with suggestions."""
    known = {
        eid: name for eid, name in _rows(con, "select entity_id, name from marts.dim_entities")
    }
    by_name = {name.lower(): eid for eid, name in known.items()}
    resolved: list[str] = []
    for item in wanted:
        key = item.strip()
        entity_id = key if key in known else by_name.get(key.lower())
        if entity_id is None and key.lower() in known:
            entity_id = key.lower()
        if entity_id is None:
            close = difflib.get_close_matches(key.lower(), [*known, *by_name], n=3, cutoff=0.6)
            suggestions = sorted({str(by_name.get(c, c)) for c in close})
            raise ReportError(
                f"unknown entity {key!r}: use an entity_id or name from marts.dim_entities"
                + (f" (did you mean {', '.join(suggestions)}?)" if suggestions else "")
            )
        if entity_id not in resolved:
            resolved.append(entity_id)
    return tuple(resolved)


def _daily(rows: Iterable[tuple], days: list[date]) -> dict[str, dict[date, tuple[float, float]]]:
    """(key, day, a, b) rows into key -> day -> (a, b)."""
    out: dict[str, dict[date, tuple[float, float]]] = defaultdict(dict)
    window = set(days)
    for key, day, first, second in rows:
        if day in window:
            out[key][day] = (float(first or 0), float(second or 0))
    return out


def _rolling_tone(
    key: str, label: str, per_day: dict[date, tuple[float, float]], days: list[date]
) -> Series:
    """Trailing mean tone over TONE_WINDOW_DAYS days, weighted by sentences."""
    values: dict[date, float | None] = {}
    hover: dict[date, str] = {}
    for day in days:
        tone_sum = sentences = 0.0
        for back in range(TONE_WINDOW_DAYS):
            got = per_day.get(day - timedelta(days=back))
            if got:
                tone_sum += got[0]
                sentences += got[1]
        values[day] = round(tone_sum / sentences, 4) if sentences else None
        hover[day] = f"{int(sentences)} sentences in the {TONE_WINDOW_DAYS} days to {day}"
    return Series(key, label, values, hover)


def _names(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, str], dict[str, str]]:
    entities = dict(_rows(con, "select entity_id, name from marts.dim_entities"))
    issues = dict(_rows(con, "select issue_id, name from marts.dim_issues"))
    return entities, issues


def _window_params(data: ReportData) -> list[date]:
    return [data.since, data.until]


def _load_overview(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    articles, outlets, data.start = _rows(
        con,
        "select count(*), count(distinct outlet_id), min(published_date) from marts.dim_articles "
        "where has_text and published_date between ? and ?",
        _window_params(data),
    )[0]
    data.articles, data.outlets = int(articles), int(outlets)
    data.newest_article_date = _rows(
        con, "select max(published_date) from marts.dim_articles where has_text"
    )[0][0]
    if not data.articles:
        newest = data.newest_article_date
        data.notes.append(
            f"No article with text was published between {data.since} and {data.until}"
            + (
                f"; the newest is from {newest}: pass --since {newest - timedelta(days=30)}"
                if newest
                else ""
            )
            + "."
        )


def _load_mentions(
    con: duckdb.DuckDBPyConnection, data: ReportData, entities: dict[str, str]
) -> list[str]:
    top = [
        eid
        for (eid,) in _rows(
            con,
            "select entity_id from marts.agg_entity_daily where published_date between ? and ? "
            "group by entity_id order by sum(mention_count) desc, entity_id limit ?",
            [*_window_params(data), TOP_ENTITIES],
        )
    ]
    shown = [*data.chosen, *(e for e in top if e not in data.chosen)]
    if not shown:
        return []
    rows = _rows(
        con,
        "select entity_id, published_date, sum(mention_count), sum(article_count) "
        "from marts.agg_entity_daily where published_date between ? and ? "
        "and list_contains(?, entity_id) group by all",
        [*_window_params(data), shown],
    )
    per_entity = _daily(rows, data.days)
    for eid in shown:
        days = per_entity.get(eid, {})
        data.mentions.append(
            Series(
                eid,
                entities.get(eid, eid) + (" (chosen)" if eid in data.chosen else ""),
                {d: days[d][0] if d in days else 0.0 for d in data.days},
                {d: f"{int(days[d][1])} articles" for d in days},
            )
        )
    return shown


def _load_tone(
    con: duckdb.DuckDBPyConnection,
    data: ReportData,
    shown_entities: list[str],
    entities: dict[str, str],
    issues: dict[str, str],
) -> None:
    wanted = [*data.chosen, *(e for e in shown_entities if e not in data.chosen)]
    wanted = wanted[: max(TONE_SUBJECTS, len(data.chosen))]
    data.entity_tone = _tone_series(
        con, data, "agg_entity_daily", "entity_id", wanted, lambda e: entities.get(e, e)
    )
    roots = _rows(
        con,
        "select issues.issue_id from marts.dim_issues as issues "
        "inner join marts.agg_issue_daily as daily on issues.issue_id = daily.issue_id "
        "where issues.parent_issue_id is null and daily.published_date between ? and ? "
        "group by issues.issue_id order by sum(daily.sentence_count) desc, issues.issue_id "
        "limit ?",
        [*_window_params(data), TONE_SUBJECTS],
    )
    root_ids = [r[0] for r in roots]
    data.issue_tone = _tone_series(
        con, data, "agg_issue_daily", "issue_id", root_ids, lambda i: issues.get(i, i)
    )
    _load_pair_tone(con, data, entities)


def _with_lead_in(data: ReportData) -> list[date]:
    """The window plus the days before it that the first rolling means reach back to."""
    lead = [data.since - timedelta(days=n) for n in range(TONE_WINDOW_DAYS, 0, -1)]
    return [*lead, *data.days]


def _load_pair_tone(
    con: duckdb.DuckDBPyConnection, data: ReportData, entities: dict[str, str]
) -> None:
    countries = {
        eid
        for (eid,) in _rows(
            con, "select entity_id from marts.dim_entities where entity_type = 'country'"
        )
    }
    chosen = sorted(e for e in data.chosen if e in countries)
    pairs: list[tuple[str, str]] = [(a, b) for i, a in enumerate(chosen) for b in chosen[i + 1 :]]
    pairs += [p for p in STANDING_PAIRS if set(p) <= countries and p not in pairs]
    for a, b in _rows(
        con,
        "select country_a_id, country_b_id from marts.agg_dyad_daily "
        "where published_date between ? and ? group by all "
        "order by sum(sentence_count) desc, 1, 2 limit ?",
        [*_window_params(data), TOP_PAIRS],
    ):
        if (a, b) not in pairs:
            pairs.append((a, b))

    def label(key: str) -> str:
        a, b = key.split("|")
        return f"{entities.get(a, a)} – {entities.get(b, b)}"

    data.pair_tone = _tone_series(
        con,
        data,
        "agg_dyad_daily",
        "country_a_id || '|' || country_b_id",
        [f"{a}|{b}" for a, b in pairs],
        label,
    )


def _tone_series(
    con: duckdb.DuckDBPyConnection,
    data: ReportData,
    table: str,
    key_sql: str,
    keys: list[str],
    label: Callable[[str], str],
) -> list[Series]:
    """Rolling tone of each key with sentences in the period, from a daily aggregate mart."""
    rows = _rows(
        con,
        f"select {key_sql}, published_date, sum(tone_sum), sum(sentence_count) "
        f"from marts.{table} where published_date between ? and ? "
        f"and list_contains(?, {key_sql}) group by all",
        [data.since - timedelta(days=TONE_WINDOW_DAYS), data.until, keys],
    )
    per_key = _daily(rows, _with_lead_in(data))
    return [_rolling_tone(k, label(k), per_key[k], data.days) for k in keys if k in per_key]


def _load_issues(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    totals = {
        issue_id: (int(s), int(a), t)
        for issue_id, s, a, t in _rows(
            con,
            "select issue_id, sum(sentence_count), sum(article_count), "
            "sum(tone_sum) / nullif(sum(sentence_count), 0) from marts.agg_issue_daily "
            "where published_date between ? and ? group by issue_id",
            _window_params(data),
        )
    }
    issues = _rows(con, "select issue_id, name, parent_issue_id, depth, path from marts.dim_issues")
    children: dict[str | None, list[tuple]] = defaultdict(list)
    for row in issues:
        if row[0] in totals:
            children[row[2]].append(row)

    def walk(parent: str | None) -> None:
        ordered = sorted(children.get(parent, []), key=lambda r: (-totals[r[0]][0], r[0]))
        for issue_id, name, _parent, depth, path in ordered:
            sentences, articles, tone = totals[issue_id]
            data.issue_tree.append(
                IssueRow(issue_id, name, int(depth or 0), path, sentences, articles, tone)
            )
            walk(issue_id)

    walk(None)
    roots = [r for r in data.issue_tree if r.depth == 0]
    rows = _rows(
        con,
        "select issue_id, published_date, sum(sentence_count), sum(article_count) "
        "from marts.agg_issue_daily where published_date between ? and ? "
        "and list_contains(?, issue_id) group by all",
        [*_window_params(data), [r.issue_id for r in roots]],
    )
    # Weekly (weeks start on Monday): daily counts of a dozen issues are too jagged to read.
    top = [r.issue_id for r in roots[:TOP_ROOT_ISSUES]]
    weekly: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    articles: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    window = set(data.days)
    for issue_id, day, sentences, article_count in rows:
        if day not in window:
            continue
        key = issue_id if issue_id in top else OTHER_ISSUES
        week = day - timedelta(days=day.weekday())
        weekly[key][week] += float(sentences)
        articles[key][week] += float(article_count)
    names = {r.issue_id: r.name for r in roots}
    data.issue_attention = [
        Series(
            key,
            names.get(key, "Other top-level issues"),
            dict(weekly[key]),
            {w: f"{int(n)} articles" for w, n in articles[key].items()},
        )
        for key in [*top, OTHER_ISSUES]
        if key in weekly
    ]


def _load_spikes(
    con: duckdb.DuckDBPyConnection,
    data: ReportData,
    tables: dict[str, set[str]],
    entities: dict[str, str],
    issues: dict[str, str],
) -> None:
    if "marts.fct_attention_spikes" not in tables:
        data.spikes_available = False
        data.notes.append(
            "This warehouse has no marts.fct_attention_spikes yet: run `newswatch run` (or "
            "`dbt build`) with this version to score spikes."
        )
        return
    window = _window_params(data)
    data.scored_days = int(
        _rows(
            con,
            "select count(*) from marts.fct_attention_spikes "
            "where score is not null and published_date between ? and ?",
            window,
        )[0][0]
    )
    best = _rows(
        con,
        "select subject_type, subject_id, published_date, article_count, score "
        "from marts.fct_attention_spikes where not is_spike and score is not null "
        "and published_date between ? and ? order by score desc, article_count desc limit 1",
        window,
    )
    if best:
        kind, sid, day, count, score = best[0]
        name = (entities if kind == "entity" else issues).get(sid, sid)
        data.best_non_spike = (name, day, int(count), float(score))
    by_story = "is_one_story" in tables["marts.fct_attention_spikes"]
    stories = (
        "story_count, largest_story_article_count, is_one_story"
        if by_story
        else "null, null, false"
    )
    rows = _rows(
        con,
        "select subject_type, subject_id, published_date, article_count, day_article_count, "
        f"day_share, baseline_share, baseline_days, score, driving_article_ids, {stories} "
        "from marts.fct_attention_spikes where is_spike and published_date between ? and ? "
        "order by published_date desc, score desc, subject_type, subject_id",
        window,
    )
    data.spikes_total = len(rows)
    # The first SPIKES_IN_DETAIL get their articles and a chart; the rest are listed only.
    for n, row in enumerate(rows):
        kind, sid, day, count, total, share, base, base_days, score, drivers = row[:10]
        story_count, largest, one_story = row[10:]
        detailed = n < SPIKES_IN_DETAIL
        spike = Spike(
            kind,
            sid,
            (entities if kind == "entity" else issues).get(sid, sid),
            day,
            int(count),
            int(total),
            float(share),
            float(base or 0.0),
            int(base_days),
            float(score),
            _driving_articles(con, kind, sid, list(drivers or [])) if detailed else (),
            story_count=None if story_count is None else int(story_count),
            largest_story_article_count=None if largest is None else int(largest),
            is_one_story=bool(one_story),
        )
        if detailed:
            share_rows = _rows(
                con,
                "select published_date, day_share, baseline_share "
                "from marts.fct_attention_spikes "
                "where subject_type = ? and subject_id = ? and published_date between ? and ?",
                [kind, sid, *window],
            )
            spike.share_series.update({d: float(s) for d, s, _ in share_rows})
            spike.baseline_series.update({d: float(b) for d, _, b in share_rows if b is not None})
        data.spikes.append(spike)


def _driving_articles(
    con: duckdb.DuckDBPyConnection, kind: str, subject_id: str, article_ids: list[str]
) -> tuple[DrivingArticle, ...]:
    if not article_ids:
        return ()
    if kind == "entity":
        sentence_rows = _rows(
            con,
            "select mentions.article_id, mentions.sentence_index, sentences.sentence_text, "
            "mentions.tone from marts.fct_entity_mentions as mentions "
            "inner join marts.fct_sentence_tone as sentences "
            "on mentions.sentence_id = sentences.sentence_id "
            "where mentions.entity_id = ? and list_contains(?, mentions.article_id) "
            "order by mentions.article_id, mentions.sentence_index",
            [subject_id, article_ids],
        )
    else:
        sentence_rows = _rows(
            con,
            "select distinct mentions.article_id, mentions.sentence_index, "
            "mentions.sentence_text, mentions.tone from marts.fct_issue_mentions as mentions "
            "inner join marts.dim_issues as issues on mentions.issue_id = issues.issue_id "
            "where list_contains(string_split(issues.path, ' > '), ?) "
            "and list_contains(?, mentions.article_id) "
            "order by mentions.article_id, mentions.sentence_index",
            [subject_id, article_ids],
        )
    sentences: dict[str, list[Sentence]] = defaultdict(list)
    for article_id, index, text, tone in sentence_rows:
        sentences[article_id].append(Sentence(int(index), text or "", tone))
    meta = {
        row[0]: row[1:]
        for row in _rows(
            con,
            "select articles.article_id, articles.title, articles.canonical_url, "
            "coalesce(outlets.name, articles.outlet_id), articles.published_at "
            "from marts.dim_articles as articles left join marts.dim_outlets as outlets "
            "on articles.outlet_id = outlets.outlet_id where list_contains(?, articles.article_id)",
            [article_ids],
        )
    }
    out = []
    for article_id in article_ids:
        title, url, outlet, published_at = meta.get(article_id, (None, None, "", None))
        found = sentences.get(article_id, [])
        out.append(
            DrivingArticle(
                article_id,
                title or article_id,
                url,
                outlet or "",
                published_at,
                tuple(found[:SENTENCES_PER_ARTICLE]),
                len(found),
            )
        )
    return tuple(out)


def _load_stories(
    con: duckdb.DuckDBPyConnection, data: ReportData, tables: dict[str, set[str]]
) -> None:
    """Attention by story beside attention by article: the period's articles and the stories
    they are, a day at a time, and the stories carried by more than one article."""
    if "marts.dim_stories" not in tables or "story_id" not in tables["marts.dim_articles"]:
        return
    data.stories_available = True
    window = _window_params(data)
    story_count, wire_count = _rows(
        con,
        "select count(distinct story_id), count(*) filter (where wire_source is not null) "
        "from marts.dim_articles where has_text and published_date between ? and ?",
        window,
    )[0]
    data.story_count, data.wire_article_count = int(story_count), int(wire_count)
    daily = {
        day: (int(articles), int(stories))
        for day, articles, stories in _rows(
            con,
            "select published_date, count(*), count(distinct story_id) from marts.dim_articles "
            "where has_text and published_date between ? and ? group by published_date",
            window,
        )
    }
    data.story_attention = [
        Series(
            key,
            label,
            {d: float(daily[d][part]) if d in daily else 0.0 for d in data.days},
            {d: f"{daily[d][0]} articles, {daily[d][1]} stories" for d in daily},
        )
        for part, (key, label) in enumerate(
            (("articles", "articles"), ("stories", "stories (copies counted once)"))
        )
    ]
    carried = _rows(
        con,
        "select articles.story_id, count(*), count(distinct articles.outlet_id), "
        "any_value(stories.article_count) from marts.dim_articles as articles "
        "inner join marts.dim_stories as stories on articles.story_id = stories.story_id "
        "where articles.has_text and articles.published_date between ? and ? "
        "group by articles.story_id having count(*) > 1 "
        "order by count(*) desc, count(distinct articles.outlet_id) desc, "
        "min(articles.published_at), articles.story_id limit ?",
        [*window, TOP_STORIES],
    )
    if not carried:
        return
    members: dict[str, list[StoryArticle]] = defaultdict(list)
    for story_id, article_id, title, url, outlet, published_at, wire_source in _rows(
        con,
        "select articles.story_id, articles.article_id, articles.title, articles.canonical_url, "
        "coalesce(outlets.name, articles.outlet_id), articles.published_at, articles.wire_source "
        "from marts.dim_articles as articles left join marts.dim_outlets as outlets "
        "on articles.outlet_id = outlets.outlet_id "
        "where list_contains(?, articles.story_id) and articles.has_text "
        "and articles.published_date between ? and ? "
        "order by articles.published_at, articles.article_id",
        [[row[0] for row in carried], *window],
    ):
        members[story_id].append(
            StoryArticle(
                article_id, title or article_id, url, outlet or "", published_at, wire_source
            )
        )
    for story_id, count, outlets, total in carried:
        articles = tuple(members.get(story_id, ()))
        data.stories.append(
            StoryRow(
                story_id,
                int(count),
                int(outlets),
                int(total),
                tuple(sorted({a.wire_source for a in articles if a.wire_source})),
                articles,
            )
        )


def _load_outlets(
    con: duckdb.DuckDBPyConnection,
    data: ReportData,
    tables: dict[str, set[str]],
    entities: dict[str, str],
    issues: dict[str, str],
) -> None:
    """Outlets compared on the subjects most outlets covered in the period: each outlet's share
    of its own articles, its tone on the subject, whom it quotes and the framing terms it uses,
    own copy and wire copy apart (marts.agg_outlet_coverage, sums over the period)."""
    if "marts.agg_outlet_coverage" not in tables:
        return
    data.outlets_available = True
    window = _window_params(data)
    subjects = _rows(
        con,
        "select subject_type, subject_id from marts.agg_outlet_coverage "
        "where subject_type <> 'all' and published_date between ? and ? "
        "group by subject_type, subject_id having count(distinct outlet_id) > 1 "
        "order by count(distinct outlet_id) desc, sum(article_count) desc, subject_type, "
        "subject_id limit ?",
        [*window, COMPARED_SUBJECTS],
    )
    if not subjects:
        return
    totals = {
        (outlet_id, copy_kind): int(count)
        for outlet_id, copy_kind, count in _rows(
            con,
            "select outlet_id, copy_kind, sum(article_count) from marts.agg_outlet_coverage "
            "where subject_type = 'all' and published_date between ? and ? group by all",
            window,
        )
    }
    for subject_type, subject_id in subjects:
        rows = _rows(
            con,
            "with period as (select * from marts.agg_outlet_coverage where subject_type = ? "
            "and subject_id = ? and published_date between ? and ?), "
            "speakers as (select outlet_id, copy_kind, speaker.country_code as country, "
            "sum(speaker.quote_count) as quotes from (select outlet_id, copy_kind, "
            "unnest(quoted_speakers) as speaker from period) where speaker.country_code is not "
            "null group by all), "
            "framed as (select outlet_id, copy_kind, framing.framing as framing, "
            "sum(framing.term_count) as terms from (select outlet_id, copy_kind, "
            "unnest(framings) as framing from period) group by all) "
            "select period.outlet_id, coalesce(any_value(outlets.name), period.outlet_id), "
            "period.copy_kind, sum(article_count), sum(toned_sentence_count), "
            "sum(tone_sum) / nullif(sum(toned_sentence_count), 0), sum(quote_count), "
            "sum(attributed_quote_count), "
            "(select list((country, quotes) order by quotes desc, country) from speakers "
            "where speakers.outlet_id = period.outlet_id "
            "and speakers.copy_kind = period.copy_kind), "
            "(select list((framing, terms) order by terms desc, framing) from framed "
            "where framed.outlet_id = period.outlet_id and framed.copy_kind = period.copy_kind) "
            "from period left join marts.dim_outlets as outlets "
            "on period.outlet_id = outlets.outlet_id group by period.outlet_id, period.copy_kind "
            "order by sum(article_count) desc, period.outlet_id, period.copy_kind",
            [subject_type, subject_id, *window],
        )
        names = entities if subject_type == "entity" else issues
        data.outlet_comparisons.append(
            OutletComparison(
                subject_type,
                subject_id,
                names.get(subject_id, subject_id),
                tuple(
                    OutletCoverageRow(
                        outlet=name,
                        copy_kind=copy_kind,
                        article_count=int(articles),
                        outlet_article_count=totals.get((outlet_id, copy_kind), 0),
                        toned_sentence_count=int(toned or 0),
                        mean_tone=None if tone is None else float(tone),
                        quote_count=int(quotes or 0),
                        attributed_quote_count=int(attributed or 0),
                        speaker_countries=tuple(
                            (str(c), int(n)) for c, n in (countries or [])[:SPEAKER_COUNTRIES]
                        ),
                        framings=tuple((str(f), int(n)) for f, n in (framings or [])),
                    )
                    for (
                        outlet_id,
                        name,
                        copy_kind,
                        articles,
                        toned,
                        tone,
                        quotes,
                        attributed,
                        countries,
                        framings,
                    ) in rows
                ),
            )
        )


QUOTE_COLUMNS = ("article_id", "first_sentence_index", "sentence_count", "quote_text")


def _load_quotes(
    con: duckdb.DuckDBPyConnection,
    data: ReportData,
    tables: dict[str, set[str]],
    issues: dict[str, str],
) -> None:
    columns = tables.get("marts.fct_quotes")
    if columns is None:
        return
    data.quotes_available = True
    missing = [c for c in QUOTE_COLUMNS if c not in columns]
    if "speaker_entity_id" not in columns and "speaker_name" not in columns:
        missing.append("speaker_entity_id or speaker_name")
    if missing:
        data.quotes_missing_columns = tuple(missing)
        return
    speaker_id = "quotes.speaker_entity_id" if "speaker_entity_id" in columns else "null"
    speaker_name = "quotes.speaker_name" if "speaker_name" in columns else "null"
    description = "quotes.speaker_description" if "speaker_description" in columns else "null"
    tone = "quotes.tone" if "tone" in columns else "null"
    fragment = "quotes.is_fragment" if "is_fragment" in columns else "false"
    quotes_sql = f"""
        select
            quotes.article_id,
            quotes.first_sentence_index,
            quotes.sentence_count,
            quotes.quote_text,
            coalesce({speaker_id}, 'name:' || lower(trim({speaker_name}))) as speaker_key,
            coalesce(entities.name, {speaker_name}) as speaker,
            {description} as speaker_description,
            {tone} as tone,
            coalesce({fragment}, false) as is_fragment
        from marts.fct_quotes as quotes
        inner join marts.dim_articles as articles on quotes.article_id = articles.article_id
        left join marts.dim_entities as entities on {speaker_id} = entities.entity_id
        where articles.published_date between ? and ?
    """
    window = _window_params(data)
    data.unattributed_quotes = int(
        _rows(con, f"select count(*) from ({quotes_sql}) where speaker_key is null", window)[0][0]
    )
    speakers = _rows(
        con,
        f"""
        select speaker_key, any_value(speaker), coalesce(max(speaker_description), ''),
            count(*), count(*) filter (where is_fragment), avg(tone),
            arg_max(quote_text, length(quote_text)) filter (where not is_fragment)
        from ({quotes_sql}) where speaker_key is not null
        group by speaker_key order by count(*) desc, speaker_key limit ?
        """,
        [*window, TOP_SPEAKERS],
    )
    # On which issues: the issues the quoted sentences themselves mention.
    issue_rows = _rows(
        con,
        f"""
        select quoted.speaker_key, mentions.issue_id, count(distinct quoted.quote_text)
        from ({quotes_sql}) as quoted
        inner join marts.fct_issue_mentions as mentions
            on quoted.article_id = mentions.article_id
            and mentions.sentence_index between quoted.first_sentence_index
                and quoted.first_sentence_index + greatest(quoted.sentence_count, 1) - 1
        where quoted.speaker_key is not null
        group by all
        """,
        window,
    )
    by_speaker: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for key, issue_id, n in issue_rows:
        by_speaker[key].append((issues.get(issue_id, issue_id), int(n)))
    for key, name, desc, count, fragments, mean_tone, sample in speakers:
        data.speakers.append(
            Speaker(
                key,
                name or key,
                desc or "",
                int(count),
                int(fragments),
                float(mean_tone) if mean_tone is not None else None,
                tuple(sorted(by_speaker.get(key, []), key=lambda p: (-p[1], p[0]))[:4]),
                sample or "",
            )
        )


@cache
def language_names(code: str | None) -> tuple[str, str]:
    """A language code of the warehouse as its name in its own language and in English, from
    CLDR through Babel: ("日本語", "Japanese"), ("中文 (繁體)", "Chinese (Traditional)")."""
    if not code or code == UNDETERMINED:
        return ("undetermined", "undetermined")  # Babel would read "und" as American English
    try:
        locale = Locale.parse(CLDR_LOCALES.get(code, code).replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return (code, code)
    native = locale.get_display_name(locale) or code
    # A name standing alone, as in a menu, starts with a capital: CLDR's own rule for these.
    return (native[:1].upper() + native[1:], locale.get_display_name("en") or code)


def _native_labels(
    con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]], entity_ids: list[str]
) -> dict[tuple[str, str], str]:
    """(language, entity_id) -> the entity's label in that language: the seed alias that names
    it (LABEL_ALIAS_KINDS) found most often in that language's mentions; among those found
    equally often, a name before a short name, and CLDR's before a typed one."""
    aliases = tables.get("seeds.entity_aliases", set())
    if not entity_ids or not {"entity_id", "alias", "alias_kind", "language"} <= aliases:
        return {}
    source_rank = "case when source = 'cldr' then 0 else 1 end" if "source" in aliases else "1"
    if {"language", "matched_texts"} <= tables.get("marts.fct_entity_mentions", set()):
        # The matcher writes what it matched as its tokens joined by spaces ("日 本" for 日本).
        matched = """
            select language, entity_id, replace(lower(matched_text), ' ', '') as alias_key,
                count(*) as times
            from (
                select language, entity_id, unnest(matched_texts) as matched_text
                from marts.fct_entity_mentions
                where list_contains($entities, entity_id)
            )
            group by all
        """
    else:
        matched = "select null as language, null as entity_id, null as alias_key, 0 as times"
    sql = f"""
        with candidates as (
            select
                language,
                entity_id,
                alias,
                list_position($kinds, alias_kind) as kind_rank,
                {source_rank} as source_rank,
                replace(lower(alias), ' ', '') as alias_key
            from seeds.entity_aliases
            where list_contains($kinds, alias_kind) and list_contains($entities, entity_id)
        ),
        matched as ({matched})
        select candidates.language, candidates.entity_id, candidates.alias
        from candidates
        left join matched
            on candidates.language = matched.language
            and candidates.entity_id = matched.entity_id
            and candidates.alias_key = matched.alias_key
        qualify row_number() over (
            partition by candidates.language, candidates.entity_id
            order by coalesce(matched.times, 0) desc, candidates.kind_rank,
                candidates.source_rank, candidates.alias
        ) = 1
    """
    rows = con.execute(sql, {"kinds": list(LABEL_ALIAS_KINDS), "entities": entity_ids}).fetchall()
    return {(language, entity_id): alias for language, entity_id, alias in rows}


def _by_language(
    con: duckdb.DuckDBPyConnection,
    data: ReportData,
    table: str,
    key_sql: str,
    count_column: str,
    keys: list[str],
) -> dict[tuple[str, str], tuple[int, int, float | None]]:
    """(key, language) -> count, articles and mean tone of keys in the period, from a daily
    aggregate mart with language in its grain; the tone only over sentences a model read."""
    if not keys:
        return {}
    rows = _rows(
        con,
        f"select {key_sql}, language, sum({count_column}), sum(article_count), "
        "sum(tone_sum) / nullif(sum(sentence_count) filter (where tone_sum is not null), 0) "
        f"from marts.{table} where published_date between ? and ? "
        f"and list_contains(?, {key_sql}) group by all",
        [*_window_params(data), keys],
    )
    return {
        (key, language): (int(count or 0), int(articles or 0), tone)
        for key, language, count, articles, tone in rows
    }


def _load_languages(
    con: duckdb.DuckDBPyConnection,
    data: ReportData,
    tables: dict[str, set[str]],
    entities: dict[str, str],
    issues: dict[str, str],
) -> None:
    """Attention per language, and the focus entities (those chosen, and Japan and China), the
    country pairs among them and the top issues compared across the languages side by side."""
    needed = (
        ("marts.dim_articles", "detected_language"),
        ("marts.agg_entity_daily", "language"),
        ("marts.agg_issue_daily", "language"),
        ("marts.agg_issue_daily", "direct_sentence_count"),
    )
    if any(column not in tables.get(table, set()) for table, column in needed):
        data.notes.append(
            "This warehouse's marts carry no language yet: run `newswatch run` (or `dbt build`) "
            "with this version to see attention per language."
        )
        return
    data.languages_available = True
    window = _window_params(data)
    tagged = "bool_or(is_tagged)" if "is_tagged" in tables["marts.dim_articles"] else "null"
    articles = {
        code: (int(count), is_tagged)
        for code, count, is_tagged in _rows(
            con,
            f"select coalesce(detected_language, '{UNDETERMINED}'), count(*), {tagged} "
            "from marts.dim_articles where has_text and published_date between ? and ? "
            "group by all",
            window,
        )
    }
    entity_mentions = {
        code: int(n)
        for code, n in _rows(
            con,
            "select language, sum(mention_count) from marts.agg_entity_daily "
            "where published_date between ? and ? group by language",
            window,
        )
    }
    # Issue mentions as fct_issue_mentions counts them: a sentence once per issue it matches
    # itself (sentence_count would count it again for every issue above that one).
    issue_mentions = {
        code: int(n)
        for code, n in _rows(
            con,
            "select language, sum(direct_sentence_count) from marts.agg_issue_daily "
            "where published_date between ? and ? group by language",
            window,
        )
    }
    # Whether a tone model reads a language at all, not only in this period.
    toned = {
        code
        for (code,) in _rows(
            con,
            "select language from marts.agg_entity_daily group by language "
            "having count(tone_sum) > 0",
        )
    }
    top = _rows(
        con,
        """
        select language, entity_id, mentions from (
            select language, entity_id, sum(mention_count) as mentions,
                row_number() over (
                    partition by language order by sum(mention_count) desc, entity_id
                ) as position
            from marts.agg_entity_daily where published_date between ? and ?
            group by language, entity_id
        ) where position <= ? order by language, position
        """,
        [*window, TOP_LANGUAGE_ENTITIES],
    )
    focus = list(
        dict.fromkeys(
            [*data.chosen, *(e for pair in STANDING_PAIRS for e in pair if e in entities)]
        )
    )
    labels = _native_labels(con, tables, sorted({*focus, *(row[1] for row in top)}))

    def label(code: str, entity_id: str) -> str:
        name = entities.get(entity_id, entity_id)
        return name if code == "en" else labels.get((code, entity_id), name)

    top_by_language: dict[str, list[EntityCount]] = defaultdict(list)
    for code, entity_id, mentions in top:
        top_by_language[code].append(
            EntityCount(
                entity_id, label(code, entity_id), entities.get(entity_id, entity_id), int(mentions)
            )
        )
    for code, (count, is_tagged) in articles.items():
        native, english = language_names(code)
        data.languages.append(
            Language(
                code,
                native,
                english,
                HTML_LANGS.get(code, code),
                count,
                entity_mentions.get(code, 0),
                issue_mentions.get(code, 0),
                bool(is_tagged) if is_tagged is not None else code in entity_mentions,
                code in toned,
                tuple(top_by_language.get(code, ())),
            )
        )
    # English first (the language every rule was written for), then by articles.
    data.languages.sort(key=lambda lang: (lang.code != "en", -lang.articles, lang.code))
    data.compared_languages = [lang for lang in data.languages if lang.is_tagged]
    _compare_languages(con, data, tables, entities, issues, focus, label)


def _compare_languages(
    con: duckdb.DuckDBPyConnection,
    data: ReportData,
    tables: dict[str, set[str]],
    entities: dict[str, str],
    issues: dict[str, str],
    focus: list[str],
    label: Callable[[str, str], str],
) -> None:
    """One LanguageComparison per subject, a cell per compared language."""
    languages = data.compared_languages
    if not languages:
        return

    def cells(
        figures: dict[tuple[str, str], tuple[int, int, float | None]],
        key: str,
        named: tuple[str, ...],  # the entities the subject is labelled with: none for an issue
    ) -> tuple[LanguageCell, ...]:
        out = []
        for lang in languages:
            count, articles, tone = figures.get((key, lang.code), (0, 0, None))
            out.append(
                LanguageCell(
                    " – ".join(label(lang.code, e) for e in named) if named else None,
                    count,
                    articles,
                    articles / lang.articles if lang.articles else None,
                    tone if lang.has_tone else None,
                )
            )
        return tuple(out)

    per_entity = _by_language(con, data, "agg_entity_daily", "entity_id", "mention_count", focus)
    for entity_id in focus:
        data.language_comparison.append(
            LanguageComparison(
                "entity",
                entity_id,
                entities.get(entity_id, entity_id),
                "mentions",
                cells(per_entity, entity_id, (entity_id,)),
            )
        )
    if "language" in tables.get("marts.agg_dyad_daily", set()):
        countries = {
            eid
            for (eid,) in _rows(
                con, "select entity_id from marts.dim_entities where entity_type = 'country'"
            )
        }
        in_focus = sorted(e for e in focus if e in countries)
        pairs = [(a, b) for i, a in enumerate(in_focus) for b in in_focus[i + 1 :]]
        keys = [f"{a}|{b}" for a, b in pairs]
        per_pair = _by_language(
            con,
            data,
            "agg_dyad_daily",
            "country_a_id || '|' || country_b_id",
            "sentence_count",
            keys,
        )
        for (a, b), key in zip(pairs, keys, strict=True):
            data.language_comparison.append(
                LanguageComparison(
                    "pair",
                    key,
                    f"{entities.get(a, a)} – {entities.get(b, b)}",
                    "sentences naming both",
                    cells(per_pair, key, (a, b)),
                )
            )
    roots = [
        issue_id
        for (issue_id,) in _rows(
            con,
            "select daily.issue_id from marts.agg_issue_daily as daily "
            "inner join marts.dim_issues as issues on daily.issue_id = issues.issue_id "
            "where issues.parent_issue_id is null and daily.published_date between ? and ? "
            "group by daily.issue_id order by sum(daily.sentence_count) desc, daily.issue_id "
            "limit ?",
            [*_window_params(data), COMPARED_ISSUES],
        )
    ]
    per_issue = _by_language(con, data, "agg_issue_daily", "issue_id", "sentence_count", roots)
    for issue_id in roots:
        data.language_comparison.append(
            LanguageComparison(
                "issue",
                issue_id,
                issues.get(issue_id, issue_id),
                "sentences (with sub-issues)",
                cells(per_issue, issue_id, ()),
            )
        )


def _window(
    con: duckdb.DuckDBPyConnection, request: ReportRequest, today: date
) -> tuple[date, date]:
    """The period shown: by default the DEFAULT_DAYS days up to the newest article (today's
    date on a warehouse that runs hourly; still the data on one that stopped, or the demo)."""
    if request.until:
        until = request.until
    else:
        newest = _rows(con, "select max(published_date) from marts.dim_articles where has_text")
        until = min(newest[0][0] or today, today)
    since = request.since or until - timedelta(days=DEFAULT_DAYS - 1)
    if request.since and not request.until:
        until = max(until, since)
    if since > until:
        raise ReportError(f"--since {since} is after {until}: nothing to report")
    return since, until


def gather(request: ReportRequest, generated_at: datetime | None = None) -> ReportData:
    """Everything the report shows, read from the published warehouse."""
    now = generated_at or datetime.now(UTC)
    con = open_read_only(request.warehouse, memory_limit=request.memory_limit)
    try:
        tables = _tables(con)
        needed = ("marts.dim_articles", "marts.agg_entity_daily", "marts.agg_issue_daily")
        if any(t not in tables for t in needed):
            raise ReportError(
                f"{request.warehouse} has no marts yet: run `newswatch run` (or `make demo`)"
            )
        since, until = _window(con, request, now.date())
        data = ReportData(request.warehouse, since, until, now)
        data.chosen = resolve_entities(con, request.entities)
        entities, issues = _names(con)
        _load_overview(con, data)
        shown = _load_mentions(con, data, entities)
        _load_tone(con, data, shown, entities, issues)
        _load_issues(con, data)
        _load_spikes(con, data, tables, entities, issues)
        _load_stories(con, data, tables)
        _load_outlets(con, data, tables, entities, issues)
        _load_quotes(con, data, tables, issues)
        _load_languages(con, data, tables, entities, issues)
    except duckdb.Error as exc:
        raise QueryError(f"reading {request.warehouse}: {str(exc).splitlines()[0]}") from exc
    finally:
        con.close()
    return data
