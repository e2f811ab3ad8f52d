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

    select * from {{ ref('fct_issue_mentions') }}
    where {{ is_changed_day() }}

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
        mentions.language,
        ancestors.ancestor_issue_id as issue_id,
        mentions.sentence_id,
        mentions.article_id,
        mentions.tone,
        ancestors.distance = 0 as is_direct

    from mentions
    inner join ancestors
        on mentions.issue_id = ancestors.issue_id

),

per_sentence as (

    select
        published_date,
        outlet_id,
        language,
        issue_id,
        sentence_id,
        any_value(article_id) as article_id,
        any_value(tone) as tone,
        bool_or(is_direct) as is_direct

    from rolled_up
    group by published_date, outlet_id, language, issue_id, sentence_id

),

final as (

    select
        published_date,
        outlet_id,
        language,
        issue_id,
        count(*) as sentence_count,
        count(*) filter (where is_direct) as direct_sentence_count,
        count(distinct article_id) as article_count,
        sum(tone) as tone_sum,
        avg(tone) as mean_tone,
        count(*) filter (where tone >= 0.05) as positive_sentence_count,
        count(*) filter (where tone <= -0.05) as negative_sentence_count,
        {{ changed_stamp() }} as loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from per_sentence
    group by published_date, outlet_id, language, issue_id

)

select * from final
