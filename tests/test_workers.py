"""The worker pool: results, errors, hard timeouts that kill, crashed workers replaced."""

from __future__ import annotations

from flows.ingest.workers import WorkerPool
from tests import jobs


def test_results_come_back_keyed():
    with WorkerPool(2, timeout=30) as pool:
        for i in range(6):
            pool.submit(i, jobs.echo, i * 10)
        outcomes = {o.key: o for o in pool.drain()}
    assert {k: o.value for k, o in outcomes.items()} == {i: i * 10 for i in range(6)}
    assert all(o.ok for o in outcomes.values())


def test_exception_is_an_outcome_not_a_crash():
    with WorkerPool(1, timeout=30) as pool:
        pool.submit("bad", jobs.fail, "broken page")
        pool.submit("good", jobs.echo, "fine")
        outcomes = {o.key: o for o in pool.drain()}
    assert outcomes["bad"].ok is False and outcomes["bad"].error == "ValueError: broken page"
    assert outcomes["good"].value == "fine"


def test_overrunning_job_is_killed_and_the_pool_goes_on():
    with WorkerPool(1, timeout=1.0) as pool:
        pool.submit("slow", jobs.sleep_then_echo, 60)
        pool.submit("next", jobs.echo, "after")
        outcomes = {o.key: o for o in pool.drain()}
    assert outcomes["slow"].timed_out and not outcomes["slow"].ok
    assert outcomes["next"].value == "after"
    assert outcomes["slow"].seconds < 60  # killed, not awaited
    assert pool.restarts == 1


def test_a_worker_that_dies_is_replaced():
    with WorkerPool(1, timeout=30) as pool:
        pool.submit("first", jobs.pid, None)
        first_pid = next(iter(pool.drain())).value
        pool.submit("dies", jobs.die, None)
        pool.submit("after", jobs.pid, None)
        outcomes = {o.key: o for o in pool.drain()}
    assert outcomes["dies"].ok is False and outcomes["dies"].error == "worker process died"
    assert outcomes["after"].ok and outcomes["after"].value != first_pid


def test_start_up_and_imports_do_not_count_against_the_job_limit():
    """A fresh worker that takes 2 s to import its job's module still has the whole 1 s limit
    for the job itself (a loaded machine must not turn start-up into timeouts)."""
    from tests import jobs_slow_import

    with WorkerPool(1, timeout=1.0) as pool:
        pool.submit("slow-import", jobs_slow_import.echo, "fine")
        (outcome,) = list(pool.drain())
    assert outcome.ok, outcome.error
    assert outcome.value == "fine"
    assert outcome.seconds < 1.0  # only the job's own time is counted


def test_loading_a_model_once_per_process_is_not_charged_to_the_job():
    """A job that loads a segmenter's model (seconds, once per worker) says so: that time
    counts against the start-up limit, and the job keeps its whole limit for its own work."""
    with WorkerPool(1, timeout=1.0) as pool:
        pool.submit("loads", jobs.load_then_echo, 2.5)
        (outcome,) = list(pool.drain())
    assert outcome.ok, outcome.error
    assert outcome.value == 2.5
    assert pool.restarts == 0


def test_after_loading_the_job_limit_applies_again():
    with WorkerPool(1, timeout=1.0) as pool:
        pool.submit("overruns", jobs.sleep_in_loading_then_overrun, 60)
        (outcome,) = list(pool.drain())
    assert outcome.timed_out and not outcome.ok
    assert outcome.seconds < 60
