{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed() }}",
    )
}}

-- One row per article × entity it mentions: how often, counted as fct_entity_mentions counts
-- (in the sentences int_sentences__contexted holds: every tagged language, and in the tone
-- model's language only the sentences it scored), with the article's date. dim_entities sums
-- it, so that no dimension reads a fact, and
-- sums few rows per run instead of every mention. Incremental by article
-- (macros/incremental.sql).
with

mentions as (

    select * from {{ ref('int_entity_mentions__matched') }}
    where {{ is_new() }}

),

sentences as (

    select * from {{ ref('int_sentences__contexted') }}
    where {{ is_new() }}

),

versions as (

    select * from {{ ref('int_articles__versioned') }}
    where {{ is_new() }}

),

articles as (

    select * from {{ ref('stg_newswatch__articles') }}
    where {{ is_changed_article() }}

),

final as (

    select
        mentions.article_id,
        mentions.entity_id,
        count(*) as mention_count,
        any_value(versions.published_date) as published_date,
        any_value(articles.first_seen_at) as first_seen_at,
        max(mentions.loaded_at) as loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from mentions
    inner join sentences
        on
            mentions.article_id = sentences.article_id
            and mentions.sentence_index = sentences.sentence_index
    inner join versions
        on mentions.article_id = versions.article_id
    inner join articles
        on mentions.article_id = articles.article_id
    group by mentions.article_id, mentions.entity_id

)

select * from final
