"""Errors every layer may raise and the CLI turns into exit codes."""

from __future__ import annotations


class ConfigError(Exception):
    """A configuration mistake a person must fix before the run can start."""
