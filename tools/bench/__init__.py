"""The benchmark (``make bench``, ``python -m tools.bench``): the real pipeline on a synthetic
corpus served on 127.0.0.1, beside trafilatura's own CLI on the same pages; the all-304 run,
incremental dbt, matching cost, analyst queries at scale; extraction quality on the shared
real pages. Writes ``docs/benchmarks.md`` and ``docs/benchmarks/*.json``.

- ``corpus``: the synthetic corpus; ``server``: serving it; ``run``: the benchmark itself;
- ``stages``: CPU per stage on a small corpus; ``scale``: the 100k/1M and Dask parts;
- ``extraction``: extraction quality; ``report``: the Markdown page.
"""
