"""Orchestration: the Prefect glue that composes the layers below (the only Prefect imports).

- ``pipeline``: the ``ingest``, ``transform``, ``news_pipeline``, ``reextract`` and
  ``refresh_docs`` flows and their tasks.
- ``runs``: a pipeline run started from the command line, and what its final state means.
- ``cluster``: extraction on Dask when ``NEWSWATCH_DASK_ADDRESS`` is set.
- ``deployments``: the scheduled deployments ``newswatch serve`` runs.
- ``serving``: ``serve``'s two processes (the terminal's, the runner's), Ctrl-C and ``kill -9``.
- ``server``: which Prefect API a command uses, and the local servers it starts and stops.
"""
