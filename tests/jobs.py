"""Module-level job functions for worker-pool tests (workers import them by name)."""

from __future__ import annotations

import os
import time


def echo(value: object) -> object:
    return value


def sleep_then_echo(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def fail(message: str) -> None:
    raise ValueError(message)


def die(_: object) -> None:
    os._exit(3)  # the worker process vanishes mid-job


def pid(_: object) -> int:
    return os.getpid()


def load_then_echo(seconds: float) -> float:
    """Loads something for ``seconds`` (as a segmenter's model loads once per process), then
    does a quick job's work."""
    from flows.ingest.workers import loading

    with loading():
        time.sleep(seconds)
    return seconds


def sleep_in_loading_then_overrun(seconds: float) -> float:
    from flows.ingest.workers import loading

    with loading():
        time.sleep(0.1)
    time.sleep(seconds)  # the job's own work: its limit applies again
    return seconds
