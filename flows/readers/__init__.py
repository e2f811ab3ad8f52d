"""What people read, from the published warehouse or a run's own report.

- ``analyst_report``: the self-contained HTML report (charts, spikes and why): its data
  loaders, and Jinja2 templates in ``templates/``.
- ``run_report``: what a run did, as data, terminal tables and markdown.
- ``status``: feed health and freshness (``newswatch status``).
- ``new_people``: persons the seeds do not know yet, as seed rows (``newswatch people``).
"""
