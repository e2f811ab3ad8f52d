{#- Incremental rollups (daily aggregates, per-article summaries) are rebuilt one key at a time
    (a day, an article), so an hourly run costs what changed, not the whole history.

    A key is stale when its source rows changed since the rollup last ran:
      - the source holds rows for it loaded after the rollup's newest row (new or re-extracted
        articles), or
      - the number of source rows behind it differs from what the rollup counted (rows deleted,
        or moved to another day).
    Rows derived with another taxonomy version are removed first (delete_versions_not_in), which
    makes their keys stale by the count rule.

    The pre-hook deletes every stale key; the model then computes every key the rollup lacks. -#}

{#- source_counts: a query returning (rollup_key, source_rows, loaded_at) per key.
    rollup_rows: how the rollup recounts source_rows per key, e.g. 'sum(sentence_count)'. -#}
{% macro delete_stale_rollup_keys(key, source_counts, rollup_rows) -%}
    {%- if is_incremental() and not has_columns(this, ['loaded_at', 'taxonomy_version']) -%}
        -- built before rollups were incremental: recount everything once (the model's
        -- on_schema_change adds the new columns)
        delete from {{ this }}
    {%- elif is_incremental() -%}
        delete from {{ this }}
        where {{ key }} in (
            with

            source_side as ({{ source_counts }}),

            rollup_side as (
                select {{ key }} as rollup_key, {{ rollup_rows }} as rollup_rows
                from {{ this }}
                group by {{ key }}
            ),

            watermark as (
                select coalesce(max(loaded_at), '-infinity'::timestamptz) as loaded_at
                from {{ this }}
            )

            select rollup_side.rollup_key
            from rollup_side
            left join source_side
                on rollup_side.rollup_key = source_side.rollup_key
            where
                source_side.source_rows is distinct from rollup_side.rollup_rows
                or source_side.loaded_at > (select loaded_at from watermark)
        )
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Filter for the model's source (selected as `alias`): only keys the rollup lacks, new or
    deleted as stale. -#}
{% macro missing_from_rollup(key, alias) -%}
    {%- if is_incremental() %}
        where not exists (
            select 1 from {{ this }} as done
            where done.{{ key }} = {{ alias }}.{{ key }}
        )
    {%- endif -%}
{%- endmacro %}

{#- What each rollup counts, per key, straight from its source fact: one row per fact row. -#}
{% macro fact_rows_per_key(fact, key) -%}
    select {{ key }} as rollup_key, count(*) as source_rows, max(loaded_at) as loaded_at
    from {{ ref(fact) }}
    group by {{ key }}
{%- endmacro %}

{#- A sentence naming k countries makes k·(k-1)/2 pairs. -#}
{% macro country_pairs_per_day() -%}
    select
        published_date as rollup_key,
        sum(countries * (countries - 1) // 2) as source_rows,
        max(loaded_at) as loaded_at
    from (
        select published_date, count(*) as countries, max(loaded_at) as loaded_at
        from {{ ref('fct_entity_mentions') }}
        where entity_type = 'country'
        group by published_date, sentence_id
        having count(*) >= 2
    )
    group by published_date
{%- endmacro %}

{#- True when the relation has every one of these columns. -#}
{% macro has_columns(relation, names) -%}
    {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name')
        | map('lower') | list -%}
    {{ return(names | reject('in', present) | list | length == 0) }}
{%- endmacro %}
