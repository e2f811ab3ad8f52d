"""Ingest: fetching politely, archiving everything, and handing bytes to worker processes.

- ``http_client``: the only code that opens sockets (timeouts, caps, redirects, the
  private-network guard, robots.txt, per-host limits, conditional GET).
- ``feeds``: URL canonicalization and parsing feed bytes into entries.
- ``schedule``: when a feed is due again (backoff, Retry-After, parking).
- ``archive``: WARC records of every response, and reading them back.
- ``workers``: processes with a hard per-job timeout; ``chunks``: the same on other machines.
- ``jobs``: what a worker runs: parse a feed; extract, split, score a page; detect languages.
- ``harvest``: fetch feeds and pages, archive, extract in workers, load in the background.
"""
