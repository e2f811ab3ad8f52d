"""The analyst report: one self-contained HTML file of charts and explained attention spikes,
read from the published warehouse (plotly's JavaScript is inlined: opening it needs no network).

- ``data``: every query of the published warehouse, and the small records they return.
- ``render``: those records as the page: plotly figures, number formatting, the templates.
- ``templates/``: the page and its sections (Jinja2, autoescaped).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flows.readers.analyst_report.data import ReportError, ReportRequest, gather
from flows.readers.analyst_report.render import _safe_url as _safe_url  # the tests check it
from flows.readers.analyst_report.render import render

__all__ = [
    "ReportError",
    "ReportRequest",
    "ReportResult",
    "default_report_path",
    "gather",
    "write_report",
]


@dataclass(frozen=True)
class ReportResult:
    path: Path
    since: date
    until: date
    articles: int
    spikes: int
    charts: int
    bytes: int
    notes: tuple[str, ...] = ()

    def describe(self) -> str:
        return (
            f"{self.path} ({self.bytes / 1e6:.1f} MB): {self.since} to {self.until}, "
            f"{self.articles} articles, {self.charts} charts, {self.spikes} spikes"
        )


def default_report_path(warehouse: Path) -> Path:
    """Beside the warehouse, named after it, so the demo's and a real warehouse's reports in
    one folder do not overwrite each other."""
    return warehouse.with_name(f"{warehouse.stem}-report.html")


def write_report(request: ReportRequest, generated_at: datetime | None = None) -> ReportResult:
    """Read the warehouse and write the report; the file is replaced whole, never half-written."""
    data = gather(request, generated_at)
    page, chart_count = render(data)
    target = request.output or default_report_path(request.warehouse)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.write_text(page, encoding="utf-8")
        os.replace(partial, target)
    except OSError as exc:
        raise ReportError(f"cannot write {target}: {exc}") from exc
    return ReportResult(
        target,
        data.since,
        data.until,
        data.articles,
        data.spikes_total,
        chart_count,
        target.stat().st_size,
        tuple(data.notes),
    )
