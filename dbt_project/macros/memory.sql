{#
    DuckDB's memory cap while a model that holds memory of its own runs. The cap
    (NEWSWATCH_DUCKDB_MEMORY_LIMIT) belongs to the whole database instance and bounds only
    DuckDB's buffer: a Python model's rules hold their own memory beside it (lexicons,
    batches of rows), and the phrase matcher ~210 MiB outside it at 100,000 articles: the
    CTEs it reads twice, which DuckDB materializes in memory of its own (heaptrack:
    PhysicalCTE into a ColumnDataCollection; glibc's mallinfo2 the same under 256 MB as
    under 384 MB). So on a build of one thread (a full build of a big working database:
    dbt_runner) DuckDB gives way to them: NEWSWATCH_PYTHON_MODEL_MEMORY_LIMIT (256MB; named
    for the Python models, the first to use it) while the model runs, the cap again after.
    Their sorts and joins spill to disk instead. On two threads another model may run
    beside it under the same cap, so the cap stays.
#}
{% macro model_memory_limit() %}
    {%- if target.threads == 1 -%}
        set memory_limit = '{{ env_var("NEWSWATCH_PYTHON_MODEL_MEMORY_LIMIT", "256MB") }}'
    {%- endif -%}
{% endmacro %}

{% macro restore_memory_limit() %}
    {%- if target.threads == 1 -%}
        set memory_limit = '{{ env_var("NEWSWATCH_DUCKDB_MEMORY_LIMIT", "768MB") }}'
    {%- endif -%}
{% endmacro %}
