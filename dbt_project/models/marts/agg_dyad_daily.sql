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
    -- a backfilled article with no date is counted on no day
    where published_date is not null and {{ is_changed_day() }}

),

countries as (

    select * from mentions
    where entity_type = 'country'

),

-- Each unordered pair of countries named in the same sentence, written once (a < b).
pairs as (

    select
        first_country.published_date,
        first_country.outlet_id,
        first_country.language,
        first_country.entity_id as country_a_id,
        second_country.entity_id as country_b_id,
        first_country.sentence_id,
        first_country.article_id,
        first_country.tone

    from countries as first_country
    inner join countries as second_country
        on
            first_country.sentence_id = second_country.sentence_id
            and first_country.entity_id < second_country.entity_id

),

final as (

    select
        published_date,
        outlet_id,
        language,
        country_a_id,
        country_b_id,
        count(*) as sentence_count,
        count(distinct article_id) as article_count,
        sum(tone) as tone_sum,
        avg(tone) as mean_tone,
        count(*) filter (where tone >= 0.05) as positive_sentence_count,
        count(*) filter (where tone <= -0.05) as negative_sentence_count,
        {{ changed_stamp() }} as loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from pairs
    group by published_date, outlet_id, language, country_a_id, country_b_id

)

select * from final
