{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed(version_column='tone_model', version=\"'\" ~ var('tone_model') ~ \"'\") }}",
    )
}}

-- Incremental by article (macros/incremental.sql).
with

sentence_tone as (

    select * from {{ ref('fct_sentence_tone') }}
    where {{ is_new() }}

),

articles as (

    select * from {{ ref('dim_articles') }}
    where {{ is_new() }}

),

per_article as (

    select
        article_id,
        any_value(tone_model) as tone_model,
        count(*) as sentence_count,
        sum(word_count) as word_count,
        -- each sentence weighs by its words, so a one-word fragment cannot swing an article
        sum(tone * greatest(word_count, 1)) / sum(greatest(word_count, 1)) as tone,
        sum(positive_share * word_count) / nullif(sum(word_count), 0) as positive_share,
        sum(negative_share * word_count) / nullif(sum(word_count), 0) as negative_share,
        count(*) filter (where tone >= 0.05) as positive_sentence_count,
        count(*) filter (where tone <= -0.05) as negative_sentence_count,
        max(loaded_at) as loaded_at

    from sentence_tone
    group by article_id

),

final as (

    select
        per_article.article_id,
        articles.outlet_id,
        articles.detected_language as language,
        per_article.tone_model,
        articles.text_source,
        per_article.sentence_count,
        per_article.word_count,
        per_article.positive_sentence_count,
        per_article.negative_sentence_count,
        per_article.tone,
        coalesce(per_article.positive_share, 0) as positive_share,
        coalesce(per_article.negative_share, 0) as negative_share,
        coalesce(per_article.positive_share, 0) + coalesce(per_article.negative_share, 0)
            as polarity,
        100 * (coalesce(per_article.positive_share, 0) - coalesce(per_article.negative_share, 0))
            as gdelt_style_tone,
        case
            when per_article.tone >= 0.05 then 'positive'
            when per_article.tone <= -0.05 then 'negative'
            else 'neutral'
        end as tone_label,
        articles.published_at,
        articles.published_date,
        per_article.loaded_at

    from per_article
    inner join articles
        on per_article.article_id = articles.article_id

)

select * from final
