with

source as (

    select * from {{ source('newswatch', 'feed_entries') }}

),

renamed as (

    select
        feed_name || ':' || entry_id as feed_entry_id,
        feed_name,
        entry_id,
        article_id,
        guid,
        url,
        canonical_url,
        title,
        summary,
        author,
        published_at,
        updated_at,
        first_seen_at,
        run_id,
        loaded_at

    from source

)

select * from renamed
