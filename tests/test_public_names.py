"""The public names of ../shared/ARCHITECTURE.md ("Public contracts"), pinned: the commands and
their options, the environment variables, and the marts and their columns (the marts part is
in tests/e2e/test_public_marts.py, on the demo warehouse). A move or a rename that would break
an analyst's script, a schedule or a query fails here first; changing one is done on purpose,
here and in ARCHITECTURE.md together."""

from __future__ import annotations

import argparse

import pytest

from flows.cli import build_parser
from flows.core.settings import Settings

# command -> options it must accept (more are fine)
COMMANDS = {
    "run": {"--feeds", "--warehouse", "--wait", "--report-json"},
    "demo": {"--warehouse", "--wait"},
    "status": {"--warehouse"},
    "query": {"--warehouse", "--format", "--output", "-o"},
    "docs": {"--warehouse", "--port", "--no-serve"},
    "serve": {"--feeds", "--warehouse", "--demo", "--cron", "--every", "--docs-cron"},
    "report": {"--warehouse", "--since", "-o", "--output", "--entity"},
    "people": {"--warehouse", "--days", "--limit"},
    "reextract": {"--warehouse", "--wait"},
    "feeds": set(),
}
ENVIRONMENT = {
    "NEWSWATCH_WAREHOUSE",
    "NEWSWATCH_FEEDS",
    "NEWSWATCH_ALLOW_PRIVATE_NETWORKS",
    "NEWSWATCH_ARCHIVE_DIR",
    "NEWSWATCH_CONTACT_URL",
    "NEWSWATCH_PER_HOST_DELAY",
    "NEWSWATCH_PER_HOST_CONCURRENCY",
    "NEWSWATCH_TOTAL_TIMEOUT",
    "NEWSWATCH_CONNECT_TIMEOUT",
    "NEWSWATCH_READ_TIMEOUT",
    "NEWSWATCH_MAX_BODY_BYTES",
    "NEWSWATCH_EXTRACT_WORKERS",
    "NEWSWATCH_EXTRACT_TIMEOUT",
    "NEWSWATCH_DASK_ADDRESS",
    "NEWSWATCH_DASK_CHUNK_PAGES",
    "NEWSWATCH_PUBLISH",
    "NEWSWATCH_SNAPSHOT_KEEP",
    "NEWSWATCH_SNAPSHOT_MIN_AGE",
}


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_public_command_keeps_its_options(command: str):
    commands = _subcommands(build_parser())
    assert command in commands, f"`newswatch {command}` is gone"
    options = {flag for action in commands[command]._actions for flag in action.option_strings}
    assert COMMANDS[command] <= options, COMMANDS[command] - options


def test_query_and_feeds_check_keep_their_positional_arguments():
    commands = _subcommands(build_parser())
    query = [a.dest for a in commands["query"]._actions if not a.option_strings]
    assert "sql" in query
    check = _subcommands(commands["feeds"])["check"]
    assert [a.dest for a in check._actions if not a.option_strings] == ["file"]


def test_help_lists_every_public_command():
    text = build_parser().format_help()
    for command in COMMANDS:
        assert command in text


@pytest.mark.parametrize("variable", sorted(ENVIRONMENT))
def test_each_environment_variable_still_configures_newswatch(variable: str, monkeypatch):
    field = variable.removeprefix("NEWSWATCH_").lower()
    assert field in Settings.model_fields, f"{variable} no longer configures anything"
    values = {
        "warehouse": "/tmp/elsewhere.duckdb",
        "feeds": "/tmp/feeds.yaml",
        "archive_dir": "/tmp/archive",
        "contact_url": "https://example.org/me",
        "allow_private_networks": "1",
        "dask_address": "tcp://10.0.0.1:8786",
        "publish": "snapshots",
        "snapshot_min_age": "15m",
    }
    value = values.get(field, "7")
    monkeypatch.setenv(variable, value)
    default = Settings.model_fields[field].default
    configured = getattr(Settings(), field)
    assert configured != default, f"{variable}={value} left {field} at its default"
