"""A job module that takes seconds to import, like trafilatura on a loaded machine: the time
a worker spends importing it must not count against the job's limit."""

from __future__ import annotations

import time

time.sleep(2.0)


def echo(value: object) -> object:
    return value
