"""Languages of stored texts: detected when a page loads (``pages``), and here for texts stored
before detection existed or by an older detector."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb

from flows.core.records import LanguageGuess, StoredText
from flows.text.language import LANGUAGE_DETECTOR
from flows.warehouse.columns import as_batch
from flows.warehouse.connection import registered, transaction


def language_columns(guess: LanguageGuess | None) -> dict[str, Any]:
    """raw.articles' language columns for a guess (all null for none)."""
    return {
        "detected_language": guess.language if guess else None,
        "language_confidence": guess.confidence if guess else None,
        "language_reason": guess.reason if guess else None,
        "language_detector": guess.detector if guess else None,
    }


def texts_without_language(
    con: duckdb.DuckDBPyConnection, after: str = "", limit: int = 2000
) -> list[StoredText]:
    """Articles with text whose language was never detected, or by an older detector, in
    article-id order after ``after`` (so a batch that fails cannot come back forever)."""
    rows = con.execute(
        """
        select article_id, title, text from raw.articles
        where text is not null and language_detector is distinct from $detector
            and article_id > $after
        order by article_id
        limit $limit
        """,
        {"detector": LANGUAGE_DETECTOR, "after": after, "limit": limit},
    ).fetchall()
    return [StoredText(*row) for row in rows]


def store_languages(
    con: duckdb.DuckDBPyConnection, guesses: Sequence[tuple[str, LanguageGuess]]
) -> None:
    """Record detected languages in one statement (articles whose text is unchanged). An
    article whose language changed gets a new load time, so the incremental marts describe
    it again."""
    rows = [{"article_id": article_id, **language_columns(g)} for article_id, g in guesses]
    if not rows:
        return
    with (
        registered(con, "_languages", as_batch(con, "raw.articles", rows)),
        transaction(con),
    ):
        con.execute(
            """
            update raw.articles as a set
                detected_language = l.detected_language,
                language_confidence = l.language_confidence,
                language_reason = l.language_reason, language_detector = l.language_detector,
                loaded_at = case
                    when a.detected_language is not distinct from l.detected_language
                        and a.language_confidence is not distinct from l.language_confidence
                        then a.loaded_at
                    else $now end
            from _languages as l
            where a.article_id = l.article_id
            """,
            {"now": datetime.now(UTC)},
        )
