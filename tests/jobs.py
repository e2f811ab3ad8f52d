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
