{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed('published_date') }}",
    )
}}

-- Incremental by day (macros/incremental.sql): the days of changed articles, before and after
-- the change, are counted again.
with

mentions as (

    select * from {{ ref('fct_entity_mentions') }}
    where {{ is_changed_day() }}

),

final as (

    select
        published_date,
        outlet_id,
        language,
        entity_id,
        any_value(entity_type) as entity_type,
        sum(mention_count) as mention_count,
        count(*) as sentence_count,
        count(distinct article_id) as article_count,
        sum(tone) as tone_sum,
        avg(tone) as mean_tone,
        count(*) filter (where tone >= 0.05) as positive_sentence_count,
        count(*) filter (where tone <= -0.05) as negative_sentence_count,
        {{ changed_stamp() }} as loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from mentions
    group by published_date, outlet_id, language, entity_id

)

select * from final
