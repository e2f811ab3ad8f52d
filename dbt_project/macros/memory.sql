{#
    DuckDB's memory cap while a Python model streams rows through Python. The cap
    (NEWSWATCH_DUCKDB_MEMORY_LIMIT) belongs to the whole database instance, and a Python
    model's rules hold their own memory beside it (lexicons, batches of rows), so on a
    build of one thread (a full build of a big working database: dbt_runner) DuckDB gives
    way to them: NEWSWATCH_PYTHON_MODEL_MEMORY_LIMIT (256MB) while the model runs, the
    cap again after. Its sort of the sentences spills to disk instead. On two threads
    another model may run beside it under the same cap, so the cap stays.
#}
{% macro python_model_memory_limit() %}
    {%- if target.threads == 1 -%}
        set memory_limit = '{{ env_var("NEWSWATCH_PYTHON_MODEL_MEMORY_LIMIT", "256MB") }}'
    {%- endif -%}
{% endmacro %}

{% macro restore_memory_limit() %}
    {%- if target.threads == 1 -%}
        set memory_limit = '{{ env_var("NEWSWATCH_DUCKDB_MEMORY_LIMIT", "768MB") }}'
    {%- endif -%}
{% endmacro %}
