"""Orchestration: the Prefect glue that composes the layers below (the only Prefect imports).

- ``pipeline``: the ``ingest``, ``transform``, ``news_pipeline``, ``reextract`` and
  ``refresh_docs`` flows and their tasks.
- ``runs``: a pipeline run started from the command line, and what its final state means.
- ``cluster``: extraction on Dask when ``NEWSWATCH_DASK_ADDRESS`` is set.
- ``deployments``: the scheduled deployments ``newswatch serve`` runs.
- ``server``: which Prefect API ``serve`` uses, and the local server it starts and stops.
"""
