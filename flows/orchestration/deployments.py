"""Prefect deployments for scheduled runs: the pipeline hourly, the docs daily.

Runs of one deployment never overlap: each deployment has a concurrency limit of one. A
pipeline run due while another is still going is skipped (CANCEL_NEW): the next run picks up
everything pending anyway, and a backlog of queued runs would only grow on a slow day.
A flow-run process that is killed is reported Crashed by the runner, which frees the slot at
once; if the whole ``serve`` stops or dies, ``serving`` marks what it left unfinished and
frees the slots (a lease alone would not do: a local server keeps leases in memory, so they
die with it while the slot stays counted). Underneath, the writer lock (flock, released by the
kernel when a process dies) guarantees a single writer even against manual `newswatch run`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron, Interval

from flows.orchestration.pipeline import news_pipeline, refresh_docs


@dataclass(frozen=True)
class Schedule:
    pipeline_cron: str = "0 * * * *"  # hourly, on the hour
    docs_cron: str = "30 5 * * *"  # daily, 05:30
    pipeline_every: float | None = None  # seconds; replaces the cron when set
    timezone: str = "UTC"
    lock_wait_seconds: float = 600.0


def _one_at_a_time(skip: bool = True) -> ConcurrencyLimitConfig:
    strategy = ConcurrencyLimitStrategy.CANCEL_NEW if skip else ConcurrencyLimitStrategy.ENQUEUE
    return ConcurrencyLimitConfig(limit=1, collision_strategy=strategy)


def build_deployments(
    schedule: Schedule, settings_overrides: dict[str, Any] | None = None
) -> list[RunnerDeployment]:
    """The two deployments ``newswatch serve`` runs."""
    parameters: dict[str, Any] = {"lock_wait_seconds": schedule.lock_wait_seconds}
    if settings_overrides:
        parameters["settings"] = settings_overrides
    if schedule.pipeline_every:
        when = Interval(timedelta(seconds=schedule.pipeline_every), timezone=schedule.timezone)
    else:
        when = Cron(schedule.pipeline_cron, timezone=schedule.timezone)
    pipeline = news_pipeline.to_deployment(
        name="scheduled",
        description="Fetch, extract, load, dbt build and publish on a schedule.",
        schedule=when,
        parameters=parameters,
        concurrency_limit=_one_at_a_time(),
        tags=["newswatch"],
    )
    docs_parameters = {k: v for k, v in parameters.items() if k == "settings"}
    docs = refresh_docs.to_deployment(
        name="daily-docs",
        description="Regenerate the dbt docs and catalog.",
        schedule=Cron(schedule.docs_cron, timezone=schedule.timezone),
        parameters=docs_parameters,
        concurrency_limit=_one_at_a_time(skip=False),
        tags=["newswatch"],
    )
    # to_deployment is sync-compatible: called outside a coroutine it returns the deployment.
    return [cast(RunnerDeployment, pipeline), cast(RunnerDeployment, docs)]


def serve_forever(deployments: list[RunnerDeployment], limit: int = 4) -> None:
    """Register the deployments with the Prefect API and run them until interrupted."""
    serve(*deployments, limit=limit, print_starting_message=True)
