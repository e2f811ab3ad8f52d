{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook=[
            "{{ delete_versions_not_in(ref('fct_entity_mentions')) }}",
            "{{ delete_stale_rollup_keys('published_date', country_pairs_per_day(), 'sum(sentence_count)') }}",
        ],
    )
}}

-- Incremental by day: only days whose mentions changed are recounted (macros/rollups.sql).
with

mentions as (

    select * from {{ ref('fct_entity_mentions') }} as mentions
    {{ missing_from_rollup('published_date', 'mentions') }}

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
        first_country.entity_id as country_a_id,
        second_country.entity_id as country_b_id,
        first_country.sentence_id,
        first_country.article_id,
        first_country.tone,
        greatest(first_country.loaded_at, second_country.loaded_at) as loaded_at,
        first_country.taxonomy_version

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
        country_a_id,
        country_b_id,
        count(*) as sentence_count,
        count(distinct article_id) as article_count,
        sum(tone) as tone_sum,
        avg(tone) as mean_tone,
        count(*) filter (where tone >= 0.05) as positive_sentence_count,
        count(*) filter (where tone <= -0.05) as negative_sentence_count,
        max(loaded_at) as loaded_at,
        any_value(taxonomy_version) as taxonomy_version

    from pairs
    group by published_date, outlet_id, country_a_id, country_b_id

)

select * from final
