"""Measurement, beside the runtime package (never imported by ``flows``): what the tests and
the ``make`` targets use to say how good and how fast newswatch is.

- ``bench/``: ``make bench`` (``python -m tools.bench``): the pipeline on a synthetic corpus
  beside trafilatura's CLI, the 304 run, incremental dbt, queries at a million articles.
- ``quality``: the marts against the hand-labelled gold set (``tests/gold``).
- ``audit``, ``real_pages``: the mention facts on the real pages of ``../shared/corpora``.
- ``language_quality``: language detection against hand labels on those pages.
- ``marts_compare``: two dbt builds of the same raw data, row for row.
- ``digests``, ``baseline``: digests of every raw and marts table, and the committed
  baseline (``tests/baseline``) that proves a refactor changes no output.
"""
