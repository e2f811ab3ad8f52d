"""The layers of flows/ are enforced: ``make lint`` runs import-linter's contracts
(pyproject.toml), and a change that imports upwards fails it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flows.core.settings import REPO_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},  # this copy, not the installed checkout
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for package in ("flows", "tools"):
        shutil.copytree(
            REPO_ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "articles", "hostile"),
        )
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layers_hold_today(tree: Path):
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "statement", "broken"),
    [
        # the warehouse reaching up into ingest
        (
            "flows/warehouse/query.py",
            "from flows.ingest import feeds",
            "flows.warehouse is not allowed to import flows.ingest",
        ),
        # the vocabulary importing a stage (importing the status names would load trafilatura)
        (
            "flows/core/statuses.py",
            "from flows.text import extract",
            "flows.core is not allowed to import flows.text",
        ),
        (
            "flows/core/statuses.py",
            "from flows.core import records",
            "flows.core.statuses is not allowed to import flows.core.records",
        ),
        # Prefect outside the orchestration folder
        ("flows/text/people.py", "import prefect", "only the orchestration folder imports Prefect"),
        # the runtime package importing measurement code
        (
            "flows/readers/status.py",
            "import tools.digests",
            "flows.readers.status -> tools.digests",
        ),
    ],
)
def test_an_import_that_breaks_a_layer_fails_lint(
    tree: Path, module: str, statement: str, broken: str
):
    path = tree / module
    path.write_text(path.read_text() + f"\n{statement}  # noqa\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert broken in result.stdout, result.stdout
