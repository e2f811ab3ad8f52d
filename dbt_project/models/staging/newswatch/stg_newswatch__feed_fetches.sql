with

source as (

    select * from {{ source('newswatch', 'feed_fetches') }}

),

renamed as (

    select
        fetch_id as feed_fetch_id,
        run_id,
        feed_name,
        url,
        final_url,
        status,
        status in ('ok', 'not_modified', 'unchanged') as is_success,
        status in ('not_modified', 'unchanged') as is_not_modified,
        http_status,
        error,
        is_bozo,
        bozo_reason,
        entries_seen,
        entries_new,
        body_bytes,
        elapsed_ms,
        archive_file,
        archive_offset,
        fetched_at,
        loaded_at

    from source

)

select * from renamed
