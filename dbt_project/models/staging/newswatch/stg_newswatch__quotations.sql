with

source as (

    select * from {{ source('newswatch', 'quotations') }}

),

renamed as (

    select
        article_id,
        quote_index,
        paragraph_index,
        char_start,
        char_end,
        first_sentence_index,
        last_sentence_index,
        is_closed,
        quote_text,
        analyser,
        loaded_at

    from source

)

select * from renamed
