with

source as (

    select * from {{ source('newswatch', 'page_fetches') }}

),

renamed as (

    select
        fetch_id as page_fetch_id,
        run_id,
        article_id,
        url,
        final_url,
        status,
        http_status,
        split_part(content_type, ';', 1) as media_type,
        body_bytes,
        error,
        elapsed_ms,
        archive_file,
        archive_offset,
        fetched_at,
        loaded_at

    from source

)

select * from renamed
