"""The report's data as its page: plotly figures, number formatting, and the Jinja2 templates in
``templates/`` (autoescaped: a value from the warehouse is always text, never markup)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from flows.readers.analyst_report.data import (
    TONE_WINDOW_DAYS,
    TOP_ENTITIES,
    IssueRow,
    ReportData,
    Series,
    Spike,
)

# Share of a fixed scale (tone: -1 to 1) added below and above it on the charts.
Y_RANGE_MARGIN = 0.08
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#7f7f7f",
    "#bcbd22",
)


# -- formatting (the templates' filters) -------------------------------------------------------


def _safe_url(url: str | None) -> str | None:
    """Only web links: a feed could carry a javascript: URL."""
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%" if value >= 0.01 or value == 0 else f"{100 * value:.1f}%"


def _chance(score: float) -> str:
    if score >= 12:
        return "a chance below one in a trillion"
    return f"a chance of 1 in {10**score:,.0f}"


def _tone_class(tone: float | None) -> str:
    if tone is None:
        return "neutral"
    return "positive" if tone >= 0.05 else "negative" if tone <= -0.05 else "neutral"


def _tone(tone: float | None) -> str:
    return "" if tone is None else f"{tone:+.2f}"


def _score(score: float) -> str:
    return f"{score:.1f}"


def _utc(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else ""


# -- charts ------------------------------------------------------------------------------------

# Inside <script> the HTML parser ends the element at "</script" and treats "<!--" specially,
# whatever the JavaScript means. Written as \u escapes, <, > and & cannot appear, and the JSON
# still reads back as the same values.
_SCRIPT_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_json(value: Any) -> Markup:
    """``value`` as JSON to write unescaped inside a <script> element."""
    # The one place chart data is marked safe: JSON (data, never code) without <, > or &, so
    # nothing in it can end the script or start markup (see _SCRIPT_ESCAPES).
    return Markup(json.dumps(value, default=str).translate(_SCRIPT_ESCAPES))


@dataclass(frozen=True)
class Chart:
    """A plotly figure: its div, and the arguments of the ``Plotly.newPlot`` call that draws it."""

    name: str
    div_id: str
    arguments: Markup  # div id, figure and config as JSON, from script_json


def fixed_scale(low: float, high: float) -> dict[str, Any]:
    """A y axis for a fixed scale (tone: -1 to 1): a margin beyond its ends, so that the lowest
    tick ("−1") sits above the x axis, clear of the first date's label; ticks at the ends,
    the quarters and the middle."""
    margin = (high - low) * Y_RANGE_MARGIN
    return {
        "range": [low - margin, high + margin],
        "tickvals": [low + (high - low) * q / 4 for q in range(5)],
        "zeroline": True,
    }


class _Charts:
    """Plotly figures, numbered in the order the page shows them; the library itself is inlined
    once in the page head."""

    def __init__(self) -> None:
        self.count = 0

    def figure(self, name: str, traces: list[dict[str, Any]], layout: dict[str, Any]) -> Chart:
        self.count += 1
        div_id = f"chart-{self.count}"
        base = {
            "template": "plotly_white",
            "margin": {"l": 50, "r": 20, "t": 30, "b": 40},
            "height": 340,
            "legend": {"orientation": "h", "y": -0.18},
            "hovermode": "x unified",
            "font": {"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 12},
        }
        figure = {"data": traces, "layout": {**base, **layout}}
        config = {"displaylogo": False, "responsive": True}
        arguments = Markup(", ").join(script_json(v) for v in (div_id, figure, config))
        return Chart(name, div_id, arguments)

    def lines(
        self,
        name: str,
        series: list[Series],
        days: list[date],
        y_title: str,
        y_range: list[float] | None = None,
        stacked: bool = False,
    ) -> Chart:
        traces = []
        x = [d.isoformat() for d in days]
        for n, s in enumerate(series):
            trace: dict[str, Any] = {
                "type": "scatter",
                "mode": "lines",
                "name": s.label,
                "x": x,
                "y": [s.values.get(d) for d in days],
                "text": [s.hover.get(d, "") for d in days],
                "hovertemplate": "%{y}<br>%{text}",
                "line": {"color": PALETTE[n % len(PALETTE)], "width": 2},
                "connectgaps": False,
            }
            if stacked:
                trace["stackgroup"] = "one"
            traces.append(trace)
        layout: dict[str, Any] = {"yaxis": {"title": {"text": y_title}}}
        if y_range:
            layout["yaxis"].update(fixed_scale(*y_range))
        return self.figure(name, traces, layout)

    def weekly_bars(self, name: str, series: list[Series], y_title: str) -> Chart:
        weeks = sorted({week for s in series for week in s.values})
        traces = [
            {
                "type": "bar",
                "name": s.label,
                "x": [w.isoformat() for w in weeks],
                "y": [s.values.get(w, 0.0) for w in weeks],
                "text": [s.hover.get(w, "") for w in weeks],
                "textposition": "none",
                "hovertemplate": "%{y} sentences, %{text}",
                "marker": {"color": PALETTE[n % len(PALETTE)]},
            }
            for n, s in enumerate(series)
        ]
        layout = {
            "barmode": "stack",
            "yaxis": {"title": {"text": y_title}},
            "xaxis": {"tickformat": "week of %d %b"},
            "height": 380,
        }
        return self.figure(name, traces, layout)

    def spikes_overview(self, data: ReportData) -> Chart:
        return self.figure(
            "spikes-overview",
            [
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": kind,
                    "x": [
                        s.published_date.isoformat() for s in data.spikes if s.subject_type == kind
                    ],
                    "y": [s.score for s in data.spikes if s.subject_type == kind],
                    "text": [
                        f"{s.name}: {s.article_count} of {s.day_article_count} articles"
                        for s in data.spikes
                        if s.subject_type == kind
                    ],
                    "hovertemplate": "%{text}<br>score %{y}",
                    "marker": {"size": 11, "color": color},
                }
                for kind, color in (("entity", PALETTE[0]), ("issue", PALETTE[1]))
                if any(s.subject_type == kind for s in data.spikes)
            ],
            {
                "xaxis": {"range": [data.days[0].isoformat(), data.until.isoformat()]},
                "yaxis": {"title": {"text": "score (−log10 chance)"}, "rangemode": "tozero"},
                "hovermode": "closest",
                "height": 260,
            },
        )

    def spike_shares(self, spike: Spike, days: list[date]) -> Chart:
        return self.figure(
            f"spike-{spike.subject_type}-{spike.subject_id}",
            [
                {
                    "type": "bar",
                    "name": "share of the day's articles",
                    "x": [d.isoformat() for d in days],
                    "y": [spike.share_series.get(d, 0.0) for d in days],
                    "marker": {
                        "color": [
                            PALETTE[1] if d == spike.published_date else "#9ecae1" for d in days
                        ]
                    },
                    "hovertemplate": "%{y:.0%}",
                },
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": "28-day baseline share",
                    "x": [d.isoformat() for d in days if d in spike.baseline_series],
                    "y": [spike.baseline_series[d] for d in days if d in spike.baseline_series],
                    "line": {"color": "#333", "dash": "dot", "width": 1.5},
                    "hovertemplate": "%{y:.0%}",
                },
            ],
            {"height": 220, "yaxis": {"tickformat": ".0%", "rangemode": "tozero"}, "bargap": 0.1},
        )

    def speakers(self, data: ReportData) -> Chart:
        ordered = list(reversed(data.speakers))
        return self.figure(
            "quotes",
            [
                {
                    "type": "bar",
                    "orientation": "h",
                    "name": "quotations",
                    "y": [s.name for s in ordered],
                    "x": [s.quotes for s in ordered],
                    "marker": {"color": PALETTE[0]},
                }
            ],
            {
                "height": 120 + 24 * len(ordered),
                "hovermode": "closest",
                "margin": {"l": 180, "r": 20, "t": 20, "b": 40},
                "xaxis": {"title": {"text": "quotations"}},
            },
        )


# -- the page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpikeCard:
    spike: Spike
    chart: Chart


@dataclass(frozen=True)
class TonePanel:
    title: str
    chart: Chart | None  # None: nothing in this period


@dataclass(frozen=True)
class TreeLine:
    row: IssueRow
    indent_em: str  # left padding: deeper issues further in
    bar_percent: str  # bar width, against the issue with the most sentences


def _tree(rows: list[IssueRow]) -> list[TreeLine]:
    top = max((r.sentences for r in rows), default=0) or 1
    return [
        TreeLine(r, f"{0.4 + 1.4 * r.depth:.1f}", f"{100 * r.sentences / top:.1f}") for r in rows
    ]


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("flows.readers.analyst_report", "templates"),
        autoescape=True,  # every value is escaped; raw: only plotly.js and script_json output
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        pct=_pct,
        chance=_chance,
        tone_class=_tone_class,
        tone=_tone,
        score=_score,
        utc=_utc,
        web_link=_safe_url,
    )
    return env


def render(data: ReportData) -> tuple[str, int]:
    """The page and the number of charts on it."""
    from plotly.offline import get_plotlyjs  # heavy (the 4.8 MB library): only when rendering

    charts = _Charts()
    days = data.days
    # The charts are numbered in the order they are made: the mentions' first, as always.
    mentions = (
        charts.lines("mentions", data.mentions, days, "mentions per day") if data.mentions else None
    )
    spikes_overview = charts.spikes_overview(data) if data.spikes else None
    spike_cards = [SpikeCard(s, charts.spike_shares(s, days)) for s in data.spikes if s.articles]
    stories = (
        charts.lines("stories", data.story_attention, days, "per day")
        if data.story_attention
        else None
    )
    tone = [
        TonePanel(title, charts.lines(name, series, days, "tone", [-1, 1]) if series else None)
        for name, title, series in (
            ("tone-entities", "Entities", data.entity_tone),
            ("tone-issues", "Issues (top level, with sub-issues)", data.issue_tone),
            ("tone-pairs", "Country pairs (in the same sentence)", data.pair_tone),
        )
    ]
    issues = (
        charts.weekly_bars("issues", data.issue_attention, "sentences per week")
        if data.issue_attention
        else None
    )
    show_quotes = data.quotes_available and not data.quotes_missing_columns and data.speakers
    speakers = charts.speakers(data) if show_quotes else None
    page = (
        environment()
        .get_template("report.html.j2")
        .render(
            data=data,
            top_entities=TOP_ENTITIES,
            tone_window_days=TONE_WINDOW_DAYS,
            spikes_overview=spikes_overview,
            spike_cards=spike_cards,
            mentions_chart=mentions,
            stories_chart=stories,
            tone_panels=tone,
            issues_chart=issues,
            issue_tree=_tree(data.issue_tree),
            speakers_chart=speakers,
            # plotly.js from the installed package: code we ship, not data, so inlined as is
            # (it holds no "</script"); the only other raw text is script_json's.
            plotly_js=Markup(get_plotlyjs()),
        )
    )
    return page, charts.count
