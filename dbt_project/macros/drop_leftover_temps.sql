{#- dbt-duckdb leaves the staging table of every incremental Python model run behind
    (<model>__dbt_tmp<timestamp>, in the target schema): two a build, with that build's new rows,
    so an hourly warehouse would gain some 17,000 tables a year. Dropped after every build; the
    pipeline's writer is the only one building, so none of them is still in use. -#}
{% macro drop_leftover_temps() %}
    {% if execute %}
        {% set leftovers = run_query(
            "select schema_name, table_name from duckdb_tables() "
            ~ "where database_name = current_database() "
            ~ "and regexp_matches(table_name, '__dbt_tmp[0-9]+$')"
        ) %}
        {% for row in leftovers.rows %}
            {% do run_query('drop table if exists "' ~ row[0] ~ '"."' ~ row[1] ~ '"') %}
        {% endfor %}
    {% endif %}
{% endmacro %}
