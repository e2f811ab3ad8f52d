-- Only the tone model the project is configured for (var tone_model); older scores stay in raw.
-- A sentence scored twice has two rows here; fct_sentence_tone keeps the latest.
with

source as (

    select * from {{ source('newswatch', 'sentence_tone') }}

),

renamed as (

    select
        article_id || ':' || sentence_index as sentence_id,
        article_id,
        sentence_index,
        tone_model,
        tone,
        positive_score,
        negative_score,
        neutral_score,
        positive_share,
        negative_share,
        polarity,
        word_count,
        scored_at

    from source
    where tone_model = '{{ var("tone_model") }}'

)

select * from renamed
