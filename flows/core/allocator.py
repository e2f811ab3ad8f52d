"""The C allocator of a long run's process: memory DuckDB frees goes back to the system.

DuckDB allocates its buffer in blocks of 256 KiB with the C library's malloc. glibc serves an
allocation that large with its own mapping, until the first such mapping is freed: then it
raises its threshold above that size and serves the next ones from its heaps, where the
freed blocks stay resident between live ones (measured: 60–150 MiB free but held in a
30,000-article run, most of it while dbt builds). A fixed threshold keeps every block in a
mapping of its own, returned to the system when DuckDB frees it; two arenas instead of one
per core's worth of threads hold less memory idle (docs/scaling.md, Memory).

Set from the command line before a run starts; a person's own ``GLIBC_TUNABLES`` or
``MALLOC_*`` settings win, and on another C library this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameters (malloc.h)
M_ARENA_MAX = -8
MMAP_THRESHOLD = 128 * 1024  # glibc's default start, held fixed (no dynamic raise)
ARENA_MAX = 2


def tune_for_long_runs() -> bool:
    """Fix glibc's mmap threshold and cap its arenas; whether the settings were applied."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    if "malloc" in os.environ.get("GLIBC_TUNABLES", "") or any(
        key.startswith("MALLOC_") for key in os.environ
    ):
        return False  # the person's own tuning
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    mallopt = libc.mallopt
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(M_ARENA_MAX, ARENA_MAX))
