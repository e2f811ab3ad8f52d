"""``newswatch serve`` in two processes, so that Ctrl-C and ``kill -9`` leave nothing held.

The command's own process is the terminal's: it owns the local Prefect server (``server``),
and Ctrl-C reaches only it. The Prefect runner, and the flow-run processes it starts, run in
a child process in a session of its own, which the terminal's signals never reach:

- Ctrl-C: this process ends the runner's session (what a run had stored stays: every write
  is a transaction and publishing is an atomic rename, exactly as after a crash), marks the
  runs it left unfinished Cancelled, which frees their concurrency slots, pauses the
  schedules, then stops the server: a second or two, however far the run had got.
- ``kill -9`` of this process: the runner gets SIGHUP from the kernel (``PR_SET_PDEATHSIG``)
  and ends its whole session at once; the next ``serve`` marks the runs left unfinished
  Crashed, which frees their slots, before it serves (``settle_runs``).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import httpx

from flows.orchestration.server import die_with_parent

DEPLOYMENTS = ("news_pipeline/scheduled", "refresh_docs/daily-docs")
UNFINISHED = ("RUNNING", "PENDING", "CANCELLING")


def _local_flow_runs() -> set[str]:
    """Ids of the flow runs a live process of ours is executing (Prefect's runner gives each
    flow-run process PREFECT__FLOW_RUN_ID)."""
    running: set[str] = set()
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            variables = environ.read_bytes().split(b"\0")
        except OSError:
            continue  # gone, or not ours
        for variable in variables:
            if variable.startswith(b"PREFECT__FLOW_RUN_ID="):
                running.add(variable.split(b"=", 1)[1].decode())
    return running


def settle_runs(stopped: bool = False, deployments: tuple[str, ...] = DEPLOYMENTS) -> list[str]:
    """Mark the unfinished runs of ``deployments`` that no process here executes, and their
    subflow runs, Crashed (a killed ``serve`` left them) or, when ``stopped`` by Ctrl-C,
    Cancelled; that frees their concurrency slots. Then free any slot still counted without
    a live run (its lease was lost with a stopped server); once ``stopped``, pause the
    schedules as Prefect's runner does when it stops. Returns the names of the runs marked.

    ``serve`` runs these deployments on this machine only, so an unfinished run with no
    process here has none anywhere."""
    from prefect import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterParentFlowRunId,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.exceptions import ObjectNotFound
    from prefect.states import Cancelled, Crashed

    def final_state() -> Any:
        if stopped:
            return Cancelled(message="Stopped by Ctrl-C on `newswatch serve`")
        return Crashed(message="Its process ended without reporting (`newswatch serve` died)")

    unfinished = FlowRunFilterState(
        type=FlowRunFilterStateType(any_=[StateType(name) for name in UNFINISHED])
    )
    marked: list[str] = []
    live = _local_flow_runs()
    with get_client(sync_client=True) as client:
        for name in deployments:
            try:
                deployment = client.read_deployment_by_name(name)
            except ObjectNotFound:
                continue  # never served against this API
            runs = client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
                flow_run_filter=FlowRunFilter(state=unfinished),
            )
            stale = [run for run in runs if str(run.id) not in live]
            if stale:
                subflows = client.read_flow_runs(
                    flow_run_filter=FlowRunFilter(
                        state=unfinished,
                        parent_flow_run_id=FlowRunFilterParentFlowRunId(
                            any_=[run.id for run in stale]
                        ),
                    )
                )
                for run in [*subflows, *stale]:  # subflows first: the parent ends last
                    client.set_flow_run_state(run.id, final_state(), force=True)
                marked += [run.name for run in stale]
            holding = len(runs) - len(stale)
            limit = client.read_deployment_by_name(name).global_concurrency_limit
            if limit is not None and limit.active_slots > holding:
                client.update_global_concurrency_limit(
                    limit.name, GlobalConcurrencyLimitUpdate(active_slots=holding)
                )
            if stopped:
                client.pause_deployment(deployment.id)
    return marked


def _forward(stream: IO[bytes], to: IO[str], quiet: threading.Event) -> None:
    """Copy the runner's output to ours until ``quiet`` is set (Ctrl-C: one line, ours)."""
    for line in iter(stream.readline, b""):
        if not quiet.is_set():
            with contextlib.suppress(OSError, ValueError):
                to.write(line.decode(errors="replace"))
                to.flush()


def serve(spec: dict[str, Any], announce: Callable[[str], None] = print) -> int:
    """Settle what a killed ``serve`` left, then run the deployments in a runner process
    until it ends (its exit code) or Ctrl-C, which stops it (``stop``) and is raised again.

    ``spec``: ``schedule`` (Schedule's fields), ``overrides`` (settings the deployment gives
    its runs), ``limit`` (flow runs at once) and ``environment`` (for the runner and its
    runs: what holds only while this ``serve`` lives, such as the sample site's address)."""
    marked = settle_runs()
    if marked:
        announce(f"Marked Crashed the runs a stopped `newswatch serve` left unfinished: {marked}")
    runner = subprocess.Popen(
        [sys.executable, "-m", "flows.orchestration.serving"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **spec.get("environment", {})},
        start_new_session=True,  # the terminal's Ctrl-C reaches us, not the runs
        preexec_fn=die_with_parent(signal.SIGHUP),  # see _end_session
    )
    assert runner.stdin is not None and runner.stdout is not None
    quiet = threading.Event()
    forwarder = threading.Thread(
        target=_forward,
        args=(runner.stdout, sys.stdout, quiet),
        name="runner-output",
        daemon=True,
    )
    forwarder.start()
    runner.stdin.write(json.dumps(spec).encode())
    runner.stdin.close()
    try:
        return runner.wait()
    except KeyboardInterrupt:
        quiet.set()
        stop(runner)
        raise
    finally:
        _end(runner)


def _end(runner: subprocess.Popen) -> None:
    """Kill the runner's session: the runner, its flow-run processes and their workers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(runner.pid, signal.SIGKILL)
    runner.wait()


def stop(runner: subprocess.Popen) -> None:
    """Ctrl-C: end the runner's session, then mark what it left unfinished Cancelled. A
    second Ctrl-C meanwhile is not obeyed: this takes a second or two."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _end(runner)
        # An API out of reach (a remote one) cannot be told now; the next `serve` settles them.
        with contextlib.suppress(httpx.HTTPError, OSError):
            settle_runs(stopped=True)
    finally:
        signal.signal(signal.SIGINT, previous)


def _end_session(signum: int, frame: object) -> None:
    """The ``serve`` process died (its kernel-sent SIGHUP): end this session now, the runner,
    its flow-run processes and their workers, rather than run on unwatched."""
    os.killpg(0, signal.SIGKILL)


def main() -> None:
    """The runner process: the deployments ``serve`` asked for, until ``serve`` ends it."""
    from flows.orchestration.deployments import Schedule, build_deployments, serve_forever

    signal.signal(signal.SIGHUP, _end_session)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # never from a terminal: from `serve` only
    spec = json.loads(sys.stdin.read())
    deployments = build_deployments(Schedule(**spec["schedule"]), spec["overrides"])
    serve_forever(deployments, limit=spec["limit"])


if __name__ == "__main__":
    main()
