with

source as (

    select * from {{ source('newswatch', 'feeds') }}

),

-- The outlets seed names outlets: a feed whose outlet is named as a seed row names it (case
-- aside) takes that row's id, whatever the slug of the name would be (Báo Bình Minh is
-- binh-minh-daily there; みなと放送 has no slug at all). Other names: macros/slugify.sql.
outlets as (

    {{ unambiguous_outlets() }}

),

renamed as (

    select
        source.feed_name,
        coalesce(
            outlets.outlet_id, {{ outlet_slug('source.outlet') }}
        ) as outlet_id,
        source.outlet as outlet_name,
        source.configured_url,
        source.url as current_url,
        source.language,
        source.is_active,
        source.last_status,
        source.last_error,
        source.consecutive_failures,
        source.etag is not null or source.last_modified is not null as has_validators,
        source.last_fetched_at,
        source.last_success_at,
        source.next_fetch_after,
        source.last_new_entry_at,
        source.updated_at

    from source
    left join outlets
        on lower(trim(source.outlet)) = lower(trim(outlets.name))

)

select * from renamed
