"""The bundled sample site: fictional outlets served over real HTTP on 127.0.0.1.

- ``render``: the articles in ``articles/`` (Markdown with front matter) as outlet pages and
  feeds; ``hostile/`` holds feeds and pages that fail or mislead on purpose.
- ``site``: the server (virtual hosts, conditional GET, gzip, robots.txt) and its request log.

Its pages are the demo's input: their bytes are what the committed output baseline pins.
"""
