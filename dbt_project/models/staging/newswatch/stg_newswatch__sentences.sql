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
        paragraph_index,
        tokens,
        separators,
        name_runs,
        segments,
        analyser,
        loaded_at

    from source

)

select * from renamed
