"""The test session keeps to itself: nothing in the user's home, nothing on their servers."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import PREFECT_HOME


def _outside_home(path: Path) -> bool:
    home = Path.home().resolve()
    path = path.resolve()
    return path != home and home not in path.parents


def test_prefect_writes_nothing_under_the_users_home():
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    for path in (settings.home, settings.results.local_storage_path, settings.profiles_path):
        assert _outside_home(Path(path)), path
        assert Path(path).resolve().is_relative_to(Path(PREFECT_HOME).resolve()), path
    database = settings.server.database.connection_url
    assert database is None or str(Path.home() / ".prefect") not in database.get_secret_value()


def test_commands_started_by_tests_inherit_the_private_prefect_home():
    assert os.environ["PREFECT_HOME"] == PREFECT_HOME
    assert "PREFECT_API_URL" not in os.environ


def test_a_module_fixture_is_built_once_under_make_tests_workers(tmp_path: Path):
    """`make test` runs pytest-xdist workers (three) with --dist loadgroup: the tests of a module
    whose module fixture builds something must all run on one worker, or it is built twice
    (pytest 9.2 with pytest-xdist 3.8 silently ignored the groups, doubling the suite's costs)."""
    import subprocess
    import sys

    from flows.core.settings import REPO_ROOT

    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import pytest_collection_modifyitems, pytest_sessionfinish\n"
    )
    builds = tmp_path / "builds.txt"
    (tmp_path / "test_grouped.py").write_text(
        "import pytest\n\n"
        "@pytest.fixture(scope='module')\n"
        "def built():\n"
        f"    with open({str(builds)!r}, 'a') as f:\n"
        "        f.write('built\\n')\n\n"
        "@pytest.mark.parametrize('i', range(8))\n"
        "def test_reads(built, i):\n"
        "    pass\n\n"
        "@pytest.mark.parametrize('i', range(8))\n"
        "def test_alone(i):\n"
        "    pass\n"
    )
    workers = ["-n", "2", "--dist", "loadgroup", "-q", "-p", "no:cacheprovider", "-o", "addopts="]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *workers, "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "16 passed" in result.stdout
    assert builds.read_text().splitlines() == ["built"]
