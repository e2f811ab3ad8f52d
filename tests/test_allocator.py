"""The run's allocator settings: a large block freed goes back to the system at once.

Each case runs in a fresh interpreter, since the settings belong to the process."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from flows.core.settings import REPO_ROOT

pytestmark = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="the settings are glibc's",
)

# After a 1 MiB mapping is freed, untuned glibc serves the next 256 KiB block (DuckDB's block
# size) from its heap; tuned, from a mapping of its own (mallinfo2's hblks counts them).
PROBE = """
import ctypes, sys
from flows.core.allocator import tune_for_long_runs

class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]

libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = (ctypes.c_size_t,)
libc.free.argtypes = (ctypes.c_void_p,)
libc.mallinfo2.restype = Info
applied = tune_for_long_runs() if sys.argv[1] == "tune" else False
libc.free(libc.malloc(1 << 20))
before = libc.mallinfo2().hblks
block = libc.malloc(256 << 10)
print(applied, libc.mallinfo2().hblks - before)
"""


def _probe(mode: str, **env: str) -> tuple[bool, int]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode],
        env={**clean, **env},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    applied, mapped = done.stdout.split()
    return applied == "True", int(mapped)


def test_untuned_glibc_keeps_a_large_block_in_its_heap() -> None:
    assert _probe("plain") == (False, 0)


def test_tuned_a_large_block_gets_a_mapping_of_its_own() -> None:
    assert _probe("tune") == (True, 1)


@pytest.mark.parametrize(
    "env",
    [{"GLIBC_TUNABLES": "glibc.malloc.arena_max=4"}, {"MALLOC_ARENA_MAX": "4"}],
)
def test_a_persons_own_tuning_wins(env: dict[str, str]) -> None:
    assert _probe("tune", **env) == (False, 0)


def test_the_long_commands_tune_and_the_short_ones_do_not() -> None:
    from flows import cli

    assert {"run", "serve", "backfill", "reextract"} <= cli.LONG_RUNS
    assert not {"query", "status", "report", "docs"} & cli.LONG_RUNS
