"""Chunked extraction without a cluster: chunking, lost chunks, limits inside a chunk, and the
configuration mistakes that stop a run before it starts."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from pydantic import ValidationError

from flows.core.errors import ConfigError
from flows.core.settings import Settings
from flows.ingest.chunks import ChunkedPool, ChunkSpec, Job, run_chunk
from tests import jobs


class _Shipped:
    def __init__(self, future: Future) -> None:
        self._future = future

    def done(self) -> bool:
        return self._future.done()

    def result(self):
        return self._future.result()


@pytest.fixture
def executor():
    """A real engine for chunks: threads of this process, each with its extraction process."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield pool


def shipper(executor: ThreadPoolExecutor, sizes: list[int], timeout: float = 10.0):
    def ship(chunk: list[Job]) -> _Shipped:
        sizes.append(len(chunk))
        return _Shipped(executor.submit(run_chunk, chunk, ChunkSpec(timeout=timeout)))

    return ship


def test_jobs_go_out_in_full_chunks_and_the_rest_when_the_caller_waits(executor):
    sizes: list[int] = []
    pool = ChunkedPool(shipper(executor, sizes), chunk_size=4, linger=60.0)
    for i in range(10):
        pool.submit(i, jobs.echo, i)
    assert sizes == [4, 4] and pool.pending == 10
    outcomes = list(pool.drain())
    assert sizes == [4, 4, 2]
    assert sorted(o.value for o in outcomes) == list(range(10))
    assert pool.log.chunks == 3 and pool.log.pages == 10
    assert all(w["pids"] for w in pool.log.workers.values())


def test_a_partial_chunk_waits_no_longer_than_the_linger(executor):
    sizes: list[int] = []
    pool = ChunkedPool(shipper(executor, sizes), chunk_size=100, linger=0.0)
    pool.submit("a", jobs.echo, "a")
    assert sizes == []
    pool.poll(0.0)  # a poll that does not wait still ships a chunk past its linger
    assert sizes == [1]
    assert [o.value for o in pool.drain()] == ["a"]


def test_a_lost_chunk_becomes_one_transient_failure_per_page():
    def ship(chunk: list[Job]) -> _Shipped:
        future: Future = Future()
        future.set_exception(RuntimeError("KilledWorker: the worker died three times"))
        return _Shipped(future)

    pool = ChunkedPool(ship, chunk_size=2)
    for key in ("a", "b", "c"):
        pool.submit(key, jobs.echo, key)
    outcomes = list(pool.drain())
    assert sorted(o.key for o in outcomes) == ["a", "b", "c"]
    assert all(not o.ok and o.error.startswith("worker process died: chunk lost") for o in outcomes)
    assert pool.log.lost_chunks == 2


def test_inside_a_chunk_a_job_over_its_limit_is_killed_and_the_rest_go_on():
    result = run_chunk(
        [("slow", jobs.sleep_then_echo, 30.0), ("fine", jobs.echo, 1), ("dies", jobs.die, None)],
        ChunkSpec(timeout=1.0),
    )
    by_key = {o.key: o for o in result.outcomes}
    assert by_key["slow"].timed_out and "killed after 1s" in by_key["slow"].error
    assert by_key["fine"].ok and by_key["fine"].value == 1
    assert by_key["dies"].error == "worker process died"
    assert result.restarts == 2 and result.worker == "local"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("local", "local"), ("tcp://10.0.0.5:8786", "tcp://10.0.0.5:8786")],
)
def test_dask_addresses_accepted(value, expected):
    assert Settings(dask_address=value).dask_address == expected


@pytest.mark.parametrize("value", ["10.0.0.5:8786", "http://10.0.0.5:8786", "tcp://host", "yes"])
def test_dask_address_mistakes_say_what_to_write(value):
    with pytest.raises(ValidationError, match="tcp://scheduler-host:8786"):
        Settings(dask_address=value)


@pytest.mark.parametrize(
    ("value", "seconds"), [("90", 90), ("90s", 90), ("15m", 900), ("2d", 172800)]
)
def test_snapshot_min_age_takes_durations(value, seconds):
    assert Settings(snapshot_min_age=value).snapshot_min_age == seconds


def test_a_scheduler_that_does_not_answer_stops_the_run_with_the_reason():
    from flows.orchestration.cluster import dask_task_runner

    with pytest.raises(
        ConfigError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"
    ):
        dask_task_runner(Settings(dask_address="tcp://127.0.0.1:9"))


def test_remote_workers_need_a_prefect_api_they_can_reach():
    from flows.orchestration.cluster import dask_task_runner

    with pytest.raises(ConfigError, match=r"PREFECT_API_URL=http://<this-host>:4200/api"):
        dask_task_runner(Settings(dask_address="tcp://scheduler.example:8786"))


def test_no_address_means_the_local_pool():
    from flows.orchestration.cluster import dask_task_runner

    assert dask_task_runner(Settings()) is None
