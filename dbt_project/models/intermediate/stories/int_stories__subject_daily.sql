{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook=["{{ delete_restoried_days() }}", "{{ delete_changed('published_date') }}"],
    )
}}

-- Incremental by day (macros/incremental.sql, macros/stories.sql): the days of changed
-- articles, and of articles moved to another story, are counted again. Across outlets, which
-- the daily rollups (one row per outlet) cannot give: a story carried by three outlets is one
-- story here, and three in their rows.
with

entity_mentions as (

    select * from {{ ref('fct_entity_mentions') }}
    -- a backfilled article with no date is in no day's baseline
    where published_date is not null and {{ is_restoried_day() }}

),

issue_mentions as (

    select * from {{ ref('fct_issue_mentions') }}
    where published_date is not null and {{ is_restoried_day() }}

),

ancestors as (

    select * from {{ ref('int_issues__ancestors') }}

),

stories as (

    select * from {{ ref('int_stories__clustered') }}

),

-- An issue's articles include those of its sub-issues, as in agg_issue_daily.
subject_articles as (

    select distinct
        'entity' as subject_type,
        entity_id as subject_id,
        published_date,
        article_id

    from entity_mentions

    union

    select distinct
        'issue' as subject_type,
        ancestors.ancestor_issue_id as subject_id,
        issue_mentions.published_date,
        issue_mentions.article_id

    from issue_mentions
    inner join ancestors
        on issue_mentions.issue_id = ancestors.issue_id

),

story_sizes as (

    select
        subject_articles.subject_type,
        subject_articles.subject_id,
        subject_articles.published_date,
        coalesce(stories.story_id, subject_articles.article_id) as story_id,
        count(*) as article_count

    from subject_articles
    left join stories
        on subject_articles.article_id = stories.article_id
    group by all

),

final as (

    select
        subject_type,
        subject_id,
        published_date,
        cast(sum(article_count) as bigint) as article_count,
        count(*) as story_count,
        max(article_count) as largest_story_article_count,
        {{ restoried_stamp() }} as loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from story_sizes
    group by subject_type, subject_id, published_date

)

select * from final
