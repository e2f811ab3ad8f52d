with

source as (

    select * from {{ source('newswatch', 'feeds') }}

),

renamed as (

    select
        feed_name,
        {{ slugify('outlet') }} as outlet_id,
        outlet as outlet_name,
        configured_url,
        url as current_url,
        language,
        is_active,
        last_status,
        last_error,
        consecutive_failures,
        etag is not null or last_modified is not null as has_validators,
        last_fetched_at,
        last_success_at,
        next_fetch_after,
        last_new_entry_at,
        updated_at

    from source

)

select * from renamed
