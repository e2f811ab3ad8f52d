{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed() }}",
    )
}}

-- Incremental by article (macros/incremental.sql): the changed articles are summarised again.
with

mentions as (

    select * from {{ ref('fct_issue_mentions') }}
    where {{ is_new() }}

),

articles as (

    select * from {{ ref('dim_articles') }}
    where {{ is_new() }}

),

per_article as (

    select
        article_id,
        issue_id,
        any_value(root_issue_id) as root_issue_id,
        count(*) as sentence_count,
        bool_or(sentence_index = 0) as is_in_title,
        min(sentence_index) as first_sentence_index,
        list_sort(list_distinct(flatten(list(matched_terms)))) as matched_terms,
        avg(tone) as mean_tone,
        max(loaded_at) as loaded_at

    from mentions
    group by article_id, issue_id

),

final as (

    select
        per_article.article_id || ':' || per_article.issue_id as article_issue_id,
        per_article.article_id,
        per_article.issue_id,
        per_article.root_issue_id,
        articles.outlet_id,
        per_article.matched_terms,
        per_article.is_in_title,
        -- What the article is about, not what it mentions in passing: the headline names the
        -- issue, or at least two sentences do.
        per_article.is_in_title or per_article.sentence_count >= 2 as is_salient,
        per_article.first_sentence_index,
        per_article.sentence_count,
        per_article.mean_tone,
        articles.published_at,
        articles.published_date,
        per_article.loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from per_article
    inner join articles
        on per_article.article_id = articles.article_id

)

select * from final
