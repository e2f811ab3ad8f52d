"""Transformation: dbt on the writer's working database.

- ``dbt_runner``: ``dbt build`` in-process, what to build this run (full, incremental, feed
  health only), and a summary of every node.
- ``docs``: generate the dbt docs from the writer's database and serve them on 127.0.0.1.
"""
