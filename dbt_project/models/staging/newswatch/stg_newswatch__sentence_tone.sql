-- Only the tone model the project is configured for (var tone_model); older scores stay in raw.
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
    qualify row_number() over (partition by article_id, sentence_index order by scored_at desc) = 1

)

select * from renamed
