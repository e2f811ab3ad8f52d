"""Which articles to work on: the fetch queue (never fetched, or worth another attempt) and the
archived pages a re-extraction reads back."""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb

from flows.core.records import RETRIED_ARTICLE_STATUSES, PendingArticle, is_transient
from flows.core.statuses import ArticleStatus, FetchStatus, TextSource


def articles_to_fetch(
    con: duckdb.DuckDBPyConnection,
    max_attempts: int,
    limit: int | None = None,
    with_feed_text: bool = True,
) -> list[PendingArticle]:
    """Articles never fetched, or whose last attempt failed in a way worth retrying.

    ``with_feed_text=False``: without the feed's summary and title (``with_feed_text`` adds
    them a batch at a time), so that a first run over a long history holds ids and URLs,
    not every summary (~0.7 KB an article in Python)."""
    retried = ", ".join(f"'{s}'" for s in sorted(RETRIED_ARTICLE_STATUSES))
    feed_text = "e.summary, e.title" if with_feed_text else "null, null"
    entries = (
        f"""left join ({FEED_TEXT.format(articles="true")}) as e
        on e.article_id = a.article_id"""
        if with_feed_text
        else ""
    )
    rows = con.execute(
        f"""
        select a.article_id, a.url, a.status, a.fetch_attempts, pf.http_status, {feed_text}
        from raw.articles as a
        left join raw.page_fetches as pf on pf.fetch_id = a.last_fetch_id
        {entries}
        where (a.status in ({retried})
            or a.text_source = '{TextSource.FEED_SUMMARY}')
            and a.fetch_attempts < {int(max_attempts)}
        order by a.first_seen_at, a.article_id
        {f"limit {int(limit)}" if limit else ""}
        """
    ).fetchall()
    pending = []
    for article_id, url, status, attempts, http_status, summary, title in rows:
        if status != ArticleStatus.PENDING and not is_transient(status, http_status):
            continue
        pending.append(PendingArticle(article_id, url, summary, title, attempts))
    return pending


# An article's summary (the longest its feeds gave) and title, from its feed entries.
FEED_TEXT = """
    select article_id, any_value(summary order by length(summary) desc) as summary,
        any_value(title) as title
    from raw.feed_entries where article_id is not null and {articles} group by article_id
"""


def with_feed_text(
    con: duckdb.DuckDBPyConnection, batch: list[PendingArticle]
) -> list[PendingArticle]:
    """The batch with what its feeds said of each article (``articles_to_fetch``)."""
    if not batch:
        return batch
    found = {
        article_id: (summary, title)
        for article_id, summary, title in con.execute(
            FEED_TEXT.format(articles="list_contains($ids, article_id)"),
            {"ids": [p.article_id for p in batch]},
        ).fetchall()
    }
    return [
        replace(p, summary=found[p.article_id][0], title=found[p.article_id][1])
        if p.article_id in found
        else p
        for p in batch
    ]


@dataclass(frozen=True)
class ArchivedPage:
    article_id: str
    fetch_id: str
    url: str
    archive_file: str
    archive_offset: int
    summary: str | None
    title: str | None


def archived_pages(con: duckdb.DuckDBPyConnection) -> list[ArchivedPage]:
    """For each article, its latest successfully fetched page that is in the archive."""
    rows = con.execute(
        """
        select pf.article_id, pf.fetch_id, pf.final_url, pf.archive_file, pf.archive_offset,
            e.summary, e.title
        from raw.page_fetches as pf
        left join (
            select article_id, any_value(summary order by length(summary) desc) as summary,
                any_value(title) as title
            from raw.feed_entries where article_id is not null group by article_id
        ) as e on e.article_id = pf.article_id
        where pf.status = $ok and pf.archive_file is not null
        qualify row_number() over (partition by pf.article_id order by pf.fetched_at desc) = 1
        order by pf.article_id
        """,
        {"ok": FetchStatus.OK},
    ).fetchall()
    return [ArchivedPage(*row) for row in rows]
