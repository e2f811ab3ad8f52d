"""The warehouse's raw layer: DuckDB, migrated, loaded in bulk and idempotently.

One module per concern:

- ``connection``: opening the file, migrations (``warehouse/migrations``), transactions.
- ``columns``: rows to Arrow batches typed by the migrated tables (a column is defined once,
  in its migration), and bulk inserts.
- ``runs``: the run log (``raw.runs``).
- ``feeds``: configured feeds, their scheduling state, and a run's feed fetches and entries.
- ``articles``: the fetch queue and the archived pages a re-extraction reads.
- ``pages``: a batch of page outcomes (fetch log, articles, sentences, tone) in one transaction.
- ``languages``: detected languages of stored texts.
- ``analyses``: the workers' analysis of stored texts stored before it (or by an older one).

The rules these loads apply (which failures are retried, which text may replace another) live
with the records in ``flows.core.records``; statuses are types in ``flows.core.statuses``.
"""

from flows.warehouse.analyses import store_analyses, texts_without_analysis
from flows.warehouse.articles import (
    ArchivedPage,
    archived_pages,
    articles_to_fetch,
    with_feed_text,
)
from flows.warehouse.connection import (
    MIGRATIONS_DIR,
    WarehouseError,
    begin_loads,
    connect,
    end_loads,
    migrate,
    migrations,
    open_warehouse,
    registered,
    transaction,
)
from flows.warehouse.feeds import feed_states, load_feed_fetches, new_entry_counts, sync_feeds
from flows.warehouse.languages import store_languages, texts_without_language
from flows.warehouse.pages import PageLoad, load_page_outcomes
from flows.warehouse.runs import finish_run, start_run

__all__ = [
    "MIGRATIONS_DIR",
    "ArchivedPage",
    "PageLoad",
    "WarehouseError",
    "archived_pages",
    "articles_to_fetch",
    "begin_loads",
    "connect",
    "end_loads",
    "feed_states",
    "finish_run",
    "load_feed_fetches",
    "load_page_outcomes",
    "migrate",
    "migrations",
    "new_entry_counts",
    "open_warehouse",
    "registered",
    "start_run",
    "store_analyses",
    "store_languages",
    "sync_feeds",
    "texts_without_analysis",
    "texts_without_language",
    "transaction",
    "with_feed_text",
]
