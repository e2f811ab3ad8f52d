"""Headless Chromium for tests of pages people read, installed from Debian's packages by the
test setup itself when it is missing."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

NAMES = ("chromium", "chromium-browser")


def chromium() -> str:
    """The Chromium executable; installs Debian's package first when running as root."""
    found = next((path for name in NAMES if (path := shutil.which(name))), None)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=600)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env, timeout=900
        )
        found = next((path for name in NAMES if (path := shutil.which(name))), None)
    if not found:
        pytest.fail("these tests need Chromium: apt-get install chromium")
    return found


def rendered_dom(url: str, budget_ms: int = 20_000) -> str:
    """The page's DOM after its scripts ran (headless, no GPU, no network but the URL's)."""
    result = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            f"--virtual-time-budget={budget_ms}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout
