"""A run started from the command line, and what its final Prefect state means.

The CLI gets an ``Outcome``: the run's report when there is one, and which of the documented
outcomes it was (completed; failed: no feed, or dbt; another writer; a configuration mistake;
any other failure with its message). Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flows.core.errors import ConfigError
from flows.core.settings import Settings
from flows.ingest.harvest import Progress
from flows.readers.run_report import RunFailed, RunReport
from flows.warehouse.publish import WarehouseBusy


class Ending(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"  # no feed could be fetched, or dbt failed: the report says which
    BUSY = "busy"  # another run writes the warehouse
    CONFIG = "config"  # a configuration mistake a person must fix
    ERROR = "error"  # anything else: the message says what


@dataclass(frozen=True)
class Outcome:
    ending: Ending
    report: RunReport | None = None
    message: str = ""
    result: Any = None  # what the flow returned (reextract: its summary)


def _outcome(state: Any) -> Outcome:
    """What a finished flow run's state says."""
    if state.is_completed():
        result = state.result()
        report = result if isinstance(result, RunReport) else None
        return Outcome(Ending.COMPLETED, report, result=result)
    error = state.result(raise_on_failure=False)
    if isinstance(error, RunFailed):
        return Outcome(Ending.FAILED, error.report, str(error))
    if isinstance(error, WarehouseBusy):
        return Outcome(Ending.BUSY, message=str(error))
    if isinstance(error, ConfigError):
        return Outcome(Ending.CONFIG, message=str(error))
    return Outcome(Ending.ERROR, message=str(state.message or error))


def _with_progress(progress: Progress | None, run: Callable[[], Any]) -> Outcome:
    from flows.orchestration import pipeline

    pipeline.set_progress(progress)
    try:
        return _outcome(run())
    except WarehouseBusy as exc:
        return Outcome(Ending.BUSY, message=str(exc))
    finally:
        pipeline.set_progress(None)


def run_pipeline(
    settings: Settings, lock_wait: float = 0.0, progress: Progress | None = None
) -> Outcome:
    """One ``news_pipeline`` run (ingest, dbt, publish), however it ends."""
    from flows.orchestration.pipeline import news_pipeline

    return _with_progress(progress, lambda: news_pipeline(settings, lock_wait, return_state=True))


def run_reextract(
    settings: Settings, lock_wait: float = 0.0, progress: Progress | None = None
) -> Outcome:
    """One ``reextract`` run (every archived page again, offline; dbt, publish)."""
    from flows.orchestration.pipeline import reextract_pipeline

    return _with_progress(
        progress, lambda: reextract_pipeline(settings, lock_wait, return_state=True)
    )
