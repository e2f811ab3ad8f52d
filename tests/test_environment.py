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
