"""The C allocator of a long run's process: large blocks glibc frees go back to the system.

glibc serves an allocation of 128 KiB or more with a mapping of its own, until the first such
mapping is freed: then it raises its threshold above that size (and its trim threshold to
twice it) and serves the next ones from its heaps, where freed blocks stay resident between
live ones. In a 30,000-article run glibc's heaps held 60–150 MiB freed but resident, most of
it while dbt built (the run's Python side: batches of rows, dbt's and the Python models'
objects; DuckDB's own buffer is jemalloc's, built into DuckDB, and not concerned). Fixed
thresholds keep each large block in a mapping returned to the system when freed; two arenas
instead of one per core's worth of threads hold less memory idle (docs/scaling.md, Memory).

Set from the command line before a run starts, in this process with ``mallopt`` and for the
processes it starts (a service's runner, the extraction workers) with ``GLIBC_TUNABLES``. A
person's own ``GLIBC_TUNABLES`` or ``MALLOC_*`` settings win; on another C library this does
nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters (malloc.h)
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
MMAP_THRESHOLD = 128 * 1024  # glibc's default start, held fixed (no dynamic raise)
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD
ARENA_MAX = 2
TUNABLES = (
    f"glibc.malloc.mmap_threshold={MMAP_THRESHOLD}:glibc.malloc.trim_threshold={TRIM_THRESHOLD}"
    f":glibc.malloc.arena_max={ARENA_MAX}"
)


def tune_for_long_runs() -> bool:
    """Fix glibc's mmap and trim thresholds and cap its arenas, here and in the processes
    started from here; whether the settings were applied."""
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
    applied = all(
        mallopt(parameter, value) == 1
        for parameter, value in (
            (M_MMAP_THRESHOLD, MMAP_THRESHOLD),
            (M_TRIM_THRESHOLD, TRIM_THRESHOLD),
            (M_ARENA_MAX, ARENA_MAX),
        )
    )
    if applied:
        os.environ["GLIBC_TUNABLES"] = TUNABLES
    return applied
