"""The shared vocabulary, at the bottom of the layers: it imports nothing else of newswatch.

- ``settings``: the one place that reads the environment (``NEWSWATCH_*``), and the dbt
  project's vars where a rule is written once for both sides.
- ``feeds_file``: the feeds file, validated before anything runs.
- ``statuses``: every status a fetch, a page, a feed, an article or a run can have, as types.
- ``records``: the records that cross stages (a fetch, an archived place, a feed entry, a
  page's analysis, a page outcome) and the rules about them (retries, text rank).
- ``errors``: errors every layer raises and the CLI turns into exit codes.
- ``faults``: fault injection for the crash tests (a no-op unless armed).
"""
