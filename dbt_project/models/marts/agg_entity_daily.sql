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

    select * from {{ ref('fct_entity_mentions') }}
    -- a backfilled article with no date is counted on no day
    where published_date is not null and {{ is_restoried_day() }}

),

stories as (

    select * from {{ ref('int_stories__clustered') }}

),

-- Copies of one story count once in story_count (int_stories__clustered).
storied_mentions as (

    select
        mentions.*,
        coalesce(stories.story_id, mentions.article_id) as story_id

    from mentions
    left join stories
        on mentions.article_id = stories.article_id

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
        count(distinct story_id) as story_count,
        sum(tone) as tone_sum,
        avg(tone) as mean_tone,
        count(*) filter (where tone >= 0.05) as positive_sentence_count,
        count(*) filter (where tone <= -0.05) as negative_sentence_count,
        {{ restoried_stamp() }} as loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from storied_mentions
    group by published_date, outlet_id, language, entity_id

)

select * from final
