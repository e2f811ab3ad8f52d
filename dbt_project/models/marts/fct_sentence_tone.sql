with

sentences as (

    select * from {{ ref('stg_newswatch__sentences') }}

),

tone as (

    select * from {{ ref('stg_newswatch__sentence_tone') }}

),

articles as (

    select * from {{ ref('dim_articles') }}

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
        articles.published_date

    from sentences
    inner join tone
        on sentences.sentence_id = tone.sentence_id
    inner join articles
        on sentences.article_id = articles.article_id

)

select * from final
