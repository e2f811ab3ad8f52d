{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook=[
            "{{ delete_versions_not_in(ref('fct_entity_mentions')) }}",
            "{{ delete_stale_rollup_keys('published_date', fact_rows_per_key('fct_entity_mentions', 'published_date'), 'sum(sentence_count)') }}",
        ],
    )
}}

-- Incremental by day: only days whose mentions changed are recounted (macros/rollups.sql).
with

mentions as (

    select * from {{ ref('fct_entity_mentions') }} as mentions
    {{ missing_from_rollup('published_date', 'mentions') }}

),

final as (

    select
        published_date,
        outlet_id,
        entity_id,
        any_value(entity_type) as entity_type,
        sum(mention_count) as mention_count,
        count(*) as sentence_count,
        count(distinct article_id) as article_count,
        sum(tone) as tone_sum,
        avg(tone) as mean_tone,
        count(*) filter (where tone >= 0.05) as positive_sentence_count,
        count(*) filter (where tone <= -0.05) as negative_sentence_count,
        max(loaded_at) as loaded_at,
        any_value(taxonomy_version) as taxonomy_version

    from mentions
    group by published_date, outlet_id, entity_id

)

select * from final
