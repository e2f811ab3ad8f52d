{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed('published_date') }}",
    )
}}

-- Incremental by day (macros/incremental.sql): the days of changed articles, before and after
-- the change, are counted again. Quotes whose speaker is unknown count under a null speaker.
with

quotes as (

    select * from {{ ref('fct_quotes') }}
    -- a backfilled article with no date is counted on no day
    where published_date is not null and {{ is_changed_day() }}

),

final as (

    select
        published_date,
        outlet_id,
        language,
        speaker_entity_id,
        any_value(speaker_type) as speaker_type,
        count(*) as quote_count,
        count(*) filter (where is_fragment) as fragment_count,
        count(distinct article_id) as article_count,
        sum(tone) as tone_sum,
        avg(tone) as mean_tone,
        {{ changed_stamp() }} as loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from quotes
    group by published_date, outlet_id, language, speaker_entity_id

)

select * from final
