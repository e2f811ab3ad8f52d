{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook=["{{ delete_restoried_days() }}", "{{ delete_changed('published_date') }}"],
    )
}}

-- Incremental by day (macros/incremental.sql): the days of changed articles, before and after
-- the change, are counted again, and the days of articles a merge or a split moved to another
-- story (macros/stories.sql), whose story counts changed.
with

mentions as (

    select * from {{ ref('fct_issue_mentions') }}
    -- a backfilled article with no date is counted on no day
    where published_date is not null and {{ is_restoried_day() }}

),

stories as (

    select * from {{ ref('int_stories__clustered') }}

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

-- Copies of one story count once in story_count (int_stories__clustered).
storied_sentences as (

    select
        per_sentence.*,
        coalesce(stories.story_id, per_sentence.article_id) as story_id

    from per_sentence
    left join stories
        on per_sentence.article_id = stories.article_id

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
        count(distinct story_id) as story_count,
        sum(tone) as tone_sum,
        avg(tone) as mean_tone,
        count(*) filter (where tone >= 0.05) as positive_sentence_count,
        count(*) filter (where tone <= -0.05) as negative_sentence_count,
        {{ restoried_stamp() }} as loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from storied_sentences
    group by published_date, outlet_id, language, issue_id

)

select * from final
