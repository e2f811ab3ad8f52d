"""Tokens: how matching reads a sentence, computed once in the workers and stored with it.

Runs of letters and digits; everything between them is kept as separators (the matcher reads
a possessive, a hyphen or a comma there). The same rule as dbt's ``macros/tokens.sql`` for
the aliases and terms of the seeds (tests/test_dbt_project.py proves the two equal on every
code point), so a phrase added to the seeds later matches stored history without
tokenizing it again.
"""

from __future__ import annotations

import re

TOKEN = re.compile(r"[^\W_]+")  # the tokens of macros/tokens.sql: runs of letters and digits
# Bump when tokens or any other seed-independent feature the workers store changes: stored
# sentences of another version are analysed again from their stored text, without fetching.
ANALYSER_VERSION = "analysis-1"


def tokenize(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(tokens, separators): separators[i] stands before tokens[i]; the last one after all."""
    tokens: list[str] = []
    separators: list[str] = []
    position = 0
    for match in TOKEN.finditer(text):
        separators.append(text[position : match.start()])
        tokens.append(match.group())
        position = match.end()
    separators.append(text[position:])
    return tuple(tokens), tuple(separators)
