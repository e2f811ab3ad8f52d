"""Fault injection for crash tests: die with SIGKILL at a named point of a run.

Armed only by NEWSWATCH_CRASH_AT (tests); a no-op otherwise. SIGKILL runs no cleanup code,
so what the tests see afterwards is what a power cut or an OOM kill would leave behind.
"""

from __future__ import annotations

import os
import signal
import threading

RUN_POINTS = ("fetch", "load", "dbt", "publish")  # in a run, in this order
POINTS = (*RUN_POINTS, "backfill")  # backfill: inside the load of its second chunk
_armed: list[str] = []


def arm(point: str | None) -> None:
    _armed.clear()
    if point:
        if point not in POINTS:
            raise ValueError(f"unknown crash point {point!r}; one of {', '.join(POINTS)}")
        _armed.append(point)


def crash_point(point: str) -> None:
    """Kill this process now if armed for ``point``."""
    if point in _armed:
        os.kill(os.getpid(), signal.SIGKILL)


def crash_soon(point: str, seconds: float) -> None:
    """Kill this process ``seconds`` from now if armed for ``point`` (for code we do not own)."""
    if point in _armed:
        timer = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGKILL))
        timer.daemon = True
        timer.start()
