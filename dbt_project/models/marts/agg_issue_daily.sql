{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook=[
            "{{ delete_versions_not_in(ref('fct_issue_mentions')) }}",
            "{{ delete_stale_rollup_keys('published_date', fact_rows_per_key('fct_issue_mentions', 'published_date'), 'sum(direct_sentence_count)') }}",
        ],
    )
}}

-- Incremental by day: only days whose mentions changed are recounted (macros/rollups.sql).
with

mentions as (

    select * from {{ ref('fct_issue_mentions') }} as mentions
    {{ missing_from_rollup('published_date', 'mentions') }}

),

ancestors as (

    select * from {{ ref('int_issues__ancestors') }}

),

-- A sentence about Scarborough Shoal also counts for the South China Sea and for territorial
-- disputes; counted once per issue even when several sub-issues matched it.
rolled_up as (

    select distinct
        mentions.published_date,
        mentions.outlet_id,
        ancestors.ancestor_issue_id as issue_id,
        mentions.sentence_id,
        mentions.article_id,
        mentions.tone,
        ancestors.distance = 0 as is_direct,
        mentions.loaded_at,
        mentions.taxonomy_version

    from mentions
    inner join ancestors
        on mentions.issue_id = ancestors.issue_id

),

per_sentence as (

    select
        published_date,
        outlet_id,
        issue_id,
        sentence_id,
        any_value(article_id) as article_id,
        any_value(tone) as tone,
        bool_or(is_direct) as is_direct,
        max(loaded_at) as loaded_at,
        any_value(taxonomy_version) as taxonomy_version

    from rolled_up
    group by published_date, outlet_id, issue_id, sentence_id

),

final as (

    select
        published_date,
        outlet_id,
        issue_id,
        count(*) as sentence_count,
        count(*) filter (where is_direct) as direct_sentence_count,
        count(distinct article_id) as article_count,
        sum(tone) as tone_sum,
        avg(tone) as mean_tone,
        count(*) filter (where tone >= 0.05) as positive_sentence_count,
        count(*) filter (where tone <= -0.05) as negative_sentence_count,
        max(loaded_at) as loaded_at,
        any_value(taxonomy_version) as taxonomy_version

    from per_sentence
    group by published_date, outlet_id, issue_id

)

select * from final
