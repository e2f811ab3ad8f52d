"""Run reports: what a run did, as data, as terminal tables and as markdown."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from flows.core.records import FeedFetch, PageOutcome
from flows.core.statuses import SUCCESS_FEED_STATUSES, ArticleStatus, FeedStatus, TextSource

MAIN_MARTS = (
    "marts.dim_articles",
    "marts.dim_outlets",
    "marts.dim_entities",
    "marts.fct_entity_mentions",
    "marts.dim_issues",
    "marts.fct_issue_mentions",
    "marts.fct_article_tone",
    "marts.agg_entity_daily",
    "marts.agg_issue_daily",
    "marts.agg_dyad_daily",
)
# Tone over days weighs each day by its sentences, not each day's mean alike; only the rows of
# languages whose tone is read count (tone_sum is null on the others' rows).
EXAMPLE_QUERY = (
    "select entity_id, sum(mention_count) as mentions, "
    "round(sum(tone_sum) / sum(sentence_count) filter (where tone_sum is not null), 3) as tone "
    "from marts.agg_entity_daily group by entity_id order by mentions desc limit 10"
)


def labelled(label: str, text: str) -> Text:
    """``label: text`` with the label in bold; the text is shown as it is, never as markup."""
    return Text.assemble((label, "bold"), ": ", text)


def notes_grid(notes: list[tuple[str, str]]) -> Padding:
    """Indented ``name  note`` lines whose notes wrap at words in the width that is left."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for name, note in notes:
        grid.add_row(Text(name), Text(note))
    return Padding(grid, (0, 0, 0, 2))


@dataclass(frozen=True)
class FeedReportLine:
    """One feed's line in a run's report: what its fetch came to, or that it was deferred."""

    feed_name: str
    status: FeedStatus
    http_status: int | None = None
    entries_seen: int = 0
    entries_new: int = 0
    error: str | None = None
    next_fetch_after: datetime | None = None


def feed_report_lines(
    fetches: list[FeedFetch], entries_new: dict[str, int]
) -> list[FeedReportLine]:
    return [
        FeedReportLine(
            f.feed_name,
            f.status,
            f.fetch.http_status,
            len(f.entries),
            entries_new.get(f.feed_name, 0),
            f.error,
        )
        for f in fetches
    ]


@dataclass(frozen=True)
class BatchReport:
    """What a batch of pages came to, small enough to pass between Prefect tasks."""

    statuses: dict[str, int]
    reasons: dict[str, int]
    stand_ins: int
    articles_with_new_text: int
    load_wall: float
    load_cpu: float
    languages: dict[str, int] = field(default_factory=dict)  # detected, of pages with text

    @classmethod
    def of(
        cls, outcomes: list[PageOutcome], new_text: int, load_wall: float, load_cpu: float
    ) -> BatchReport:
        statuses: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        for o in outcomes:
            statuses[o.status] += 1
            if o.status != ArticleStatus.OK and o.reason:
                reasons[f"{o.status}: {o.reason[:80]}"] += 1
        stand_ins = sum(o.text_source == TextSource.FEED_SUMMARY for o in outcomes)
        languages = Counter(
            o.analysis.language.language
            for o in outcomes
            if o.has_text and o.analysis and o.analysis.language
        )
        return cls(
            dict(statuses),
            dict(reasons),
            stand_ins,
            new_text,
            load_wall,
            load_cpu,
            dict(languages),
        )


@dataclass
class RunReport:
    run_id: str
    feeds: list[FeedReportLine] = field(default_factory=list)
    articles: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    stand_ins: int = 0
    articles_with_new_text: int = 0
    languages: Counter[str] = field(default_factory=Counter)  # detected, of articles with text
    languages_from_stored_text: Counter[str] = field(default_factory=Counter)  # the upgrade path
    analysed_from_stored_text: int = 0  # stored texts analysed again (a new analyser version)
    stages: dict[str, float] = field(default_factory=dict)
    # stage -> {"wall": s, "cpu": s}; worker stages sum over processes (see docs/benchmarks.md)
    profile: dict[str, dict[str, float]] = field(default_factory=dict)
    mart_rows: dict[str, int] = field(default_factory=dict)
    mart_rows_before: dict[str, int] = field(default_factory=dict)
    dbt_ok: bool | None = None
    dbt_scope: str | None = None  # full refresh, full, incremental, or why nothing was built
    dbt_error: str | None = None
    published: str | None = None
    warehouse: str | None = None
    extraction: dict[str, Any] = field(default_factory=dict)  # engine, and chunks per worker
    analyst_report: str | None = None  # the HTML report written after publishing
    analyst_report_error: str | None = None  # why it could not be written
    alerts: dict[str, Any] | None = None  # spike alerts sent, failed, held back (alerts.py)

    # -- building ---------------------------------------------------------------------------

    def add_deferred(self, feed_name: str, until: datetime | None, last_error: str | None) -> None:
        self.feeds.append(
            FeedReportLine(feed_name, FeedStatus.DEFERRED, error=last_error, next_fetch_after=until)
        )

    def add_profile(self, stage: str, wall: float, cpu: float) -> None:
        entry = self.profile.setdefault(stage, {"wall": 0.0, "cpu": 0.0})
        entry["wall"] += wall
        entry["cpu"] += cpu

    def add_batch(self, batch: BatchReport) -> None:
        self.articles.update(batch.statuses)
        self.reasons.update(batch.reasons)
        self.stand_ins += batch.stand_ins
        self.articles_with_new_text += batch.articles_with_new_text
        self.languages.update(batch.languages)
        self.add_profile("load", batch.load_wall, batch.load_cpu)

    # -- reading ----------------------------------------------------------------------------

    @property
    def feeds_attempted(self) -> list[FeedReportLine]:
        return [f for f in self.feeds if f.status != FeedStatus.DEFERRED]

    @property
    def feed_counts(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for f in self.feeds:
            if f.status == FeedStatus.OK:
                counts["fetched"] += 1
            elif f.status in (FeedStatus.NOT_MODIFIED, FeedStatus.UNCHANGED):
                counts["not modified"] += 1
            elif f.status == FeedStatus.DEFERRED:
                counts["deferred"] += 1
            else:
                counts["failed"] += 1
        return counts

    @property
    def all_feeds_failed(self) -> bool:
        attempted = self.feeds_attempted
        return bool(attempted) and all(f.status not in SUCCESS_FEED_STATUSES for f in attempted)

    @property
    def entries_seen(self) -> int:
        return sum(f.entries_seen for f in self.feeds)

    @property
    def entries_new(self) -> int:
        return sum(f.entries_new for f in self.feeds)

    @property
    def mart_rows_added(self) -> dict[str, int]:
        return {k: v - self.mart_rows_before.get(k, 0) for k, v in self.mart_rows.items()}

    @property
    def extraction_line(self) -> str | None:
        """Where pages were extracted, when that was not this machine's worker pool."""
        e = self.extraction
        if not e.get("chunks"):
            return None
        line = (
            f"{e['engine']}: {e['pages']} pages in {e['chunks']} tasks on "
            f"{len(e['workers'])} workers"
        )
        return line + (f"; {e['lost_chunks']} tasks lost" if e.get("lost_chunks") else "")

    def languages_line(self) -> str:
        """Detected languages of this run's new texts (und: undetermined), and of stored
        texts detected for the first time."""

        def counts(languages: Counter[str]) -> str:
            return ", ".join(f"{code} {n}" for code, n in languages.most_common())

        parts = []
        if self.languages:
            parts.append(f"{counts(self.languages)} of the articles with text this run")
        if self.languages_from_stored_text:
            parts.append(f"{counts(self.languages_from_stored_text)} from stored text")
        if self.analysed_from_stored_text:
            parts.append(f"{self.analysed_from_stored_text} stored texts analysed again")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (stored in raw.runs.summary)."""
        return {
            "run_id": self.run_id,
            "feeds": [asdict(f) for f in self.feeds],
            "feed_counts": dict(self.feed_counts),
            "entries_seen": self.entries_seen,
            "entries_new": self.entries_new,
            "articles": dict(self.articles),
            "reasons": dict(self.reasons),
            "stand_ins": self.stand_ins,
            "articles_with_new_text": self.articles_with_new_text,
            "languages": dict(self.languages),
            "languages_from_stored_text": dict(self.languages_from_stored_text),
            "analysed_from_stored_text": self.analysed_from_stored_text,
            "stages": self.stages,
            "profile": self.profile,
            "mart_rows": self.mart_rows,
            "mart_rows_added": self.mart_rows_added,
            "dbt_ok": self.dbt_ok,
            "dbt_scope": self.dbt_scope,
            "dbt_error": self.dbt_error,
            "published": self.published,
            "extraction": self.extraction,
            "analyst_report": self.analyst_report,
            "analyst_report_error": self.analyst_report_error,
            "alerts": self.alerts,
        }

    # -- rendering --------------------------------------------------------------------------

    def render(self, console: Console, show_feeds: bool = True) -> None:
        """The summary for a person: readable at 80 columns (what make, cron and pipes get),
        with every feed name and error whole, and data never read as markup."""
        counts = self.feed_counts
        console.print(
            labelled(
                "Feeds",
                f"{counts['fetched']} fetched, {counts['not modified']} not modified, "
                f"{counts['failed']} failed, {counts['deferred']} deferred (backing off)",
            )
        )
        if show_feeds and self.feeds:
            rows = sorted(self.feeds, key=lambda r: (r.status == FeedStatus.OK, r.feed_name))
            table = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 2, 0, 0))
            table.add_column("feed", overflow="fold")
            table.add_column("status", no_wrap=True)
            table.add_column("http", justify="right", no_wrap=True)
            table.add_column("entries", justify="right", no_wrap=True)
            table.add_column("new", justify="right", no_wrap=True)
            for f in rows:
                table.add_row(
                    Text(f.feed_name),
                    Text(f.status),
                    str(f.http_status or ""),
                    str(f.entries_seen),
                    str(f.entries_new),
                )
            console.print(Padding(table, (0, 0, 0, 2)))
            notes = []
            for f in rows:
                note = f.error or ""
                if f.status == FeedStatus.DEFERRED and f.next_fetch_after:
                    note = f"until {f.next_fetch_after:%Y-%m-%d %H:%M} UTC; last: {note}"
                if note:
                    notes.append((f.feed_name, note))
            if notes:
                console.print(Text("Feed notes", style="bold"))
                console.print(notes_grid(notes))
        console.print(labelled("Entries", f"{self.entries_seen} seen, {self.entries_new} new"))
        attempted = sum(self.articles.values())
        parts = ", ".join(f"{n} {s}" for s, n in sorted(self.articles.items()))
        console.print(
            labelled(
                "Articles",
                f"{attempted} fetched this run"
                + (f" ({parts})" if parts else " (nothing new to fetch)")
                + (f"; feed summary stands in for {self.stand_ins}" if self.stand_ins else ""),
            ),
            soft_wrap=False,
        )
        reasons = [(f"{n} ×", reason) for reason, n in self.reasons.most_common(8)]
        if reasons:
            console.print(notes_grid(reasons))
        if self.extraction_line:
            console.print(labelled("Extraction", self.extraction_line), soft_wrap=False)
        if self.languages or self.languages_from_stored_text:
            console.print(labelled("Languages", self.languages_line()), soft_wrap=False)
        skipped = (self.dbt_scope or "").startswith("skipped")
        if self.dbt_ok is not None and not (self.dbt_ok and skipped):
            scope = f" ({self.dbt_scope})" if self.dbt_scope and self.dbt_scope != "full" else ""
            console.print(
                labelled(f"dbt build{scope}", "ok" if self.dbt_ok else f"FAILED: {self.dbt_error}"),
                soft_wrap=False,
            )
        elif self.dbt_scope:
            console.print(labelled("dbt build", self.dbt_scope))
        if self.mart_rows:
            console.print(
                labelled(
                    "Marts",
                    ", ".join(f"{k.removeprefix('marts.')} {v}" for k, v in self.mart_rows.items()),
                ),
                soft_wrap=False,
            )
        if self.stages:
            console.print(
                labelled("Time", ", ".join(f"{k} {v:.1f}s" for k, v in self.stages.items())),
                soft_wrap=False,
            )
        if self.published:
            console.print(labelled("Warehouse", self.published))
        if self.alerts_line:
            console.print(labelled("Spike alerts", self.alerts_line), soft_wrap=False)

    @property
    def alerts_line(self) -> str | None:
        if self.alerts is None:
            return None
        if "error" in self.alerts:
            return f"not sent to {self.alerts['receiver']}: {self.alerts['error']}"
        return str(self.alerts["line"])

    def to_markdown(self) -> str:
        counts = self.feed_counts
        lines = [
            f"# newswatch run `{self.run_id[:8]}`",
            "",
            f"Feeds: {counts['fetched']} fetched, {counts['not modified']} not modified, "
            f"{counts['failed']} failed, {counts['deferred']} deferred.",
            "",
            "| feed | status | http | entries | new | note |",
            "|---|---|---|---|---|---|",
        ]
        for f in sorted(self.feeds, key=lambda r: r.feed_name):
            note = (f.error or "").replace("|", "\\|")[:120]
            lines.append(
                f"| {f.feed_name} | {f.status} | {f.http_status or ''} | {f.entries_seen} "
                f"| {f.entries_new} | {note} |"
            )
        lines += ["", "| extraction outcome | articles |", "|---|---|"]
        lines += [f"| {s} | {n} |" for s, n in sorted(self.articles.items())] or ["| — | 0 |"]
        if self.extraction_line:
            lines += ["", f"Extraction: {self.extraction_line}."]
        if self.languages or self.languages_from_stored_text:
            lines += ["", f"Languages detected: {self.languages_line()}."]
        if self.mart_rows:
            added = self.mart_rows_added
            lines += ["", "| mart | rows | added this run |", "|---|---|---|"]
            lines += [f"| {k} | {v} | {added[k]:+d} |" for k, v in self.mart_rows.items()]
        if self.stages:
            lines += ["", "| stage | seconds |", "|---|---|"]
            lines += [f"| {k} | {v:.2f} |" for k, v in self.stages.items()]
        if self.analyst_report:
            path = Path(self.analyst_report).absolute()  # NEWSWATCH_WAREHOUSE may be relative
            lines += ["", f"Analyst report (charts, spikes): [{path.name}]({path.as_uri()})"]
        elif self.analyst_report_error:
            lines += ["", f"Analyst report not written: {self.analyst_report_error}"]
        if self.alerts_line:
            lines += ["", f"Spike alerts: {self.alerts_line}."]
        return "\n".join(lines) + "\n"


class RunFailed(Exception):
    """A run that went through to the end but failed as a whole (every feed failed, or dbt
    did); it carries the run's report.

    It is the data of the flow's Failed state: Prefect turns a failed state's data into an
    exception, and data that is not one (the report itself) into a TypeError whose message is
    the report's whole repr.
    """

    def __init__(self, message: str, report: RunReport) -> None:
        super().__init__(message)
        self.report = report

    def __reduce__(self) -> tuple[type[RunFailed], tuple[str, RunReport]]:
        return (RunFailed, (str(self), self.report))
