"""The run's allocator settings: a large block freed goes back to the system at once.

Each case runs in a fresh interpreter, since the settings belong to the process."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from flows.core.settings import REPO_ROOT


def _glibc() -> tuple[int, ...]:
    name, version = platform.libc_ver()
    return tuple(int(part) for part in version.split(".")) if name == "glibc" else ()


pytestmark = pytest.mark.skipif(
    platform.system() != "Linux" or _glibc() < (2, 33),
    reason="the settings are glibc's (the probe reads mallinfo2, glibc 2.33 on)",
)

# After a 1 MiB mapping is freed, untuned glibc serves the next 256 KiB block from its heap; tuned, from a mapping of its own (mallinfo2's hblks counts them).
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

# A process started by a tuned one: glibc reads the inherited GLIBC_TUNABLES at its start.
CHILD = """
import os, subprocess, sys
from flows.core.allocator import tune_for_long_runs
tune_for_long_runs()
probe = sys.argv[1]
print(subprocess.run([sys.executable, "-c", probe, "plain"], capture_output=True, text=True,
                     check=True).stdout.strip())
"""


def _probe(mode: str, **env: str) -> tuple[bool, int]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"
    }
    command = (
        [sys.executable, "-c", CHILD, PROBE]
        if mode == "child"
        else [sys.executable, "-c", PROBE, mode]
    )
    done = subprocess.run(
        command,
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


def test_a_process_started_by_a_tuned_one_is_tuned_too() -> None:
    """A service's runner and the extraction workers are processes of their own."""
    assert _probe("child") == (False, 1)  # not tuned by itself: by the inherited tunables


def test_the_long_commands_tune_and_the_short_ones_do_not(monkeypatch: pytest.MonkeyPatch):
    from flows import cli

    calls: list[str] = []
    monkeypatch.setattr(cli, "tune_for_long_runs", lambda: calls.append("tuned") or True)
    monkeypatch.setattr(cli, "cmd_run", lambda args: 0)
    monkeypatch.setattr(cli, "cmd_status", lambda args: 0)
    assert cli.main(["status"]) == 0 and calls == []
    assert cli.main(["run"]) == 0 and calls == ["tuned"]
    commands = cli.build_parser()._subparsers._group_actions[0].choices
    assert set(commands) >= cli.LONG_RUNS
