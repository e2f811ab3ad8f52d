{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_restoried('story_id') }}",
    )
}}

-- Incremental by story (macros/stories.sql): the stories an article joined or left since the
-- last run (a new article, a merge, a split) are described again; the others keep their row.
with

stories as (

    select * from {{ ref('int_stories__clustered') }}

),

articles as (

    select * from {{ ref('dim_articles') }}

),

touched_stories as (

    {{ restoried_stories() }}

),

members as (

    select
        stories.story_id,
        stories.article_id,
        stories.article_id = stories.story_id as is_first,
        articles.outlet_id,
        articles.detected_language,
        articles.published_at,
        articles.first_seen_at,
        stories.loaded_at

    from stories
    inner join touched_stories
        on stories.story_id = touched_stories.story_id
    inner join articles
        on stories.article_id = articles.article_id

),

final as (

    select
        story_id,
        min(first_seen_at) as first_seen_at,
        any_value(outlet_id) filter (where is_first) as first_outlet_id,
        min(published_at) as first_published_at,
        max(published_at) as last_published_at,
        count(*) as article_count,
        count(distinct outlet_id) as outlet_count,
        list_sort(list_distinct(list(detected_language))) as languages,
        max(loaded_at) as loaded_at

    from members
    group by story_id

)

select * from final
