{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed(version_column='configured_tone_model', version=\"'\" ~ var('tone_model') ~ \"'\") }}",
    )
}}

-- One row per sentence of a tagged article (every language the seeds cover), with what the
-- facts say about it beside the mention: its outlet, part, language, date and, where the tone
-- model reads its language (var tone_language), its tone. Facts of every language join it;
-- fct_sentence_tone keeps the sentences that have a tone. A sentence in the tone model's
-- language that it did not score (a scoring failure) is left out, as the facts always did.
-- Incremental by article (macros/incremental.sql); a new tone model rebuilds it all.
with

sentences as (

    select * from {{ ref('int_sentences__tokenized') }}
    where {{ is_new() }} and is_tagged

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
        sentences.language,
        tone.tone_model,
        sentences.word_count,
        tone.tone,
        tone.positive_share,
        tone.negative_share,
        tone.polarity,
        articles.published_at,
        articles.published_date,
        '{{ var("tone_model") }}' as configured_tone_model,
        sentences.loaded_at

    from sentences
    inner join articles
        on sentences.article_id = articles.article_id
    -- VADER reads English only: other languages get no tone rather than a wrong one
    left join tone
        on
            sentences.article_id = tone.article_id
            and sentences.sentence_index = tone.sentence_index
            and sentences.language = '{{ var("tone_language") }}'
    where
        sentences.language <> '{{ var("tone_language") }}'
        or tone.tone is not null

)

select * from final
