{#- Hourly builds test the rows they wrote, not the whole history: when NEWSWATCH_TESTS_SINCE
    is set (the pipeline sets it to when the run started), a data test on an incremental model
    reads only its rows stamped since then (loaded_at). The daily refresh_docs deployment and
    builds after a seed edit test every row. This overrides dbt's own macro, which applies a
    test's `where` config the same way. -#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {#- read only when tests execute: dbt re-parses the project when a var or an env var it saw
        while parsing changes, and this one changes every hour -#}
    {%- set since = env_var('NEWSWATCH_TESTS_SINCE', '') if execute else '' -%}
    {%- if since and is_stamped(relation) -%}
        {%- do conditions.append("loaded_at >= '" ~ since ~ "'::timestamptz") -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) as dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- True for the relation of an incremental model (all of them carry the stamp, loaded_at). -#}
{% macro is_stamped(relation) -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model'
            and node.config.materialized == 'incremental'
            and node.alias | lower == relation.identifier | lower
            and node.schema | lower == relation.schema | lower -%}
            {%- do return(true) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do return(false) -%}
{%- endmacro %}
