with

source as (

    select * from {{ source('newswatch', 'backfilled_articles') }}

),

-- The outlet's id by the rule stg_newswatch__feeds applies to a feed's outlet name, so that a
-- backfilled page and a feed of one outlet count as one outlet.
outlets as (

    {{ unambiguous_outlets() }}

),

renamed as (

    select
        source.article_id,
        source.backfill_id,
        source.kind as backfill_kind,
        source.source as backfill_source,
        source.source_offset,
        source.url,
        source.host,
        coalesce(
            outlets.outlet_id, {{ outlet_slug('source.outlet') }}
        ) as outlet_id,
        source.outlet as outlet_name,
        source.feed_name,
        source.payload_digest,
        source.archived_at,
        source.listed_published_at,
        source.loaded_at

    from source
    left join outlets
        on lower(trim(source.outlet)) = lower(trim(outlets.name))

)

select * from renamed
