{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed(version_column='tone_model', version=\"'\" ~ var('tone_model') ~ \"'\") }}",
    )
}}

-- Incremental by article (macros/incremental.sql); a new tone model version (var tone_model)
-- rebuilds it all.
with

sentences as (

    select * from {{ ref('int_sentences__tokenized') }}
    -- VADER reads English only: other languages get no tone rather than a wrong one
    where {{ is_new() }} and language = '{{ var("tone_language") }}'

),

-- a sentence scored twice (a batch loaded twice) counts with its latest score
tone as (

    select * from {{ ref('stg_newswatch__sentence_tone') }}
    where {{ is_changed_article() }}
    qualify row_number() over (
        partition by article_id, sentence_index order by scored_at desc
    ) = 1

),

articles as (

    select * from {{ ref('int_articles__versioned') }}
    where {{ is_new() }}

),

final as (

    select
        sentences.sentence_id,
        sentences.article_id,
        sentences.sentence_index,
        articles.outlet_id,
        sentences.sentence_part,
        sentences.sentence_text,
        tone.tone_model,
        sentences.word_count,
        tone.tone,
        tone.positive_share,
        tone.negative_share,
        tone.polarity,
        articles.published_at,
        articles.published_date,
        sentences.loaded_at

    from sentences
    inner join tone
        on
            sentences.article_id = tone.article_id
            and sentences.sentence_index = tone.sentence_index
    inner join articles
        on sentences.article_id = articles.article_id

)

select * from final
