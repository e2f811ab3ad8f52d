with

source as (

    select * from {{ source('newswatch', 'article_signatures') }}

),

renamed as (

    select
        article_id,
        sketch,
        shingle_count,
        minhashes,
        analyser,
        loaded_at

    from source

)

select * from renamed
