"""newswatch: feeds -> WARC archive -> text -> DuckDB ``raw`` -> dbt marts.

One folder per concern, in the order of the layers (each imports only those below it; the
import-linter contract in pyproject.toml says so and ``make lint`` checks it):

- ``cli``: the ``newswatch`` command line: parses arguments, calls the commands below.
- ``orchestration``: the Prefect flows and tasks, Dask, deployments, the Prefect server.
- ``readers``: what people read: the analyst report, a run's report, ``status``, new people.
- ``transform``: dbt (build, docs) on the writer's database.
- ``demo_site``: the bundled sample site, served on 127.0.0.1 for ``newswatch demo``.
- ``ingest``: HTTP, feeds, scheduling, the WARC archive, worker processes and their jobs.
- ``warehouse``: DuckDB's ``raw`` schema, publishing readers' copies, read-only queries.
- ``text``: text analysis: extraction, language, sentences, tone, people, quotations.
- ``core``: the vocabulary every layer shares: settings, statuses, records, errors, faults.

Measurement code (benchmarks, gold-set quality, audits, output digests) is not part of the
runtime package: it lives in ``tools/`` beside it.
"""
