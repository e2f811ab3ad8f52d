with

source as (

    select * from {{ source('newswatch', 'sentences') }}

),

renamed as (

    select
        article_id || ':' || sentence_index as sentence_id,
        article_id,
        sentence_index,
        part as sentence_part,
        text as sentence_text,
        char_start,
        char_end,
        word_count,
        splitter,
        loaded_at

    from source
    -- a batch loaded twice must not double the history: keep the latest copy of a sentence
    qualify row_number() over (partition by article_id, sentence_index order by loaded_at desc) = 1

)

select * from renamed
