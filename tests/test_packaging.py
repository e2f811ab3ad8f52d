"""The package builds without setuptools warnings (the first `make demo` printed ~100 lines of
them), the wheel carries the sample site's data files, and measurement code stays out of it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from flows.core.settings import REPO_ROOT


def test_wheel_builds_without_warnings_and_carries_the_demo_data(tmp_path: Path):
    # From a copy (a build leaves build/ and egg-info behind), offline: the build uses this
    # environment's setuptools instead of downloading one.
    source = tmp_path / "source"
    for package in ("flows", "tools"):  # tools/ beside flows/, as in the checkout
        shutil.copytree(
            REPO_ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--wheel-dir",
            str(wheels),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Warning" not in output, output
    (wheel,) = wheels.glob("newswatch-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    articles = sorted((REPO_ROOT / "flows" / "demo_site" / "articles").glob("*.md"))
    assert articles
    for path in [*articles, *(REPO_ROOT / "flows" / "demo_site" / "hostile").glob("*.xml")]:
        assert path.relative_to(REPO_ROOT).as_posix() in names
    assert "flows/demo_site/feeds.yaml" in names
    assert "flows/orchestration/pipeline.py" in names
    templates = sorted(
        (REPO_ROOT / "flows" / "readers" / "analyst_report" / "templates").glob("*.j2")
    )
    assert "flows/readers/analyst_report/templates/report.html.j2" in names
    assert {t.relative_to(REPO_ROOT).as_posix() for t in templates} <= names
    # measurement code (benchmark, quality, audits) stays out of the runtime package
    assert not [name for name in names if name.startswith("tools/")]
    metadata = zipfile.ZipFile(wheel).read("newswatch-0.1.0.dist-info/METADATA").decode()
    assert "License-Expression: Apache-2.0" in metadata
