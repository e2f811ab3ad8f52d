with

outlets_seed as (

    select * from {{ ref('outlets') }}

),

feeds as (

    select * from {{ ref('stg_newswatch__feeds') }}

),

backfilled as (

    select * from {{ ref('stg_newswatch__backfilled_articles') }}

),

feed_outlets as (

    select
        outlet_id,
        any_value(outlet_name) as outlet_name,
        count(*) as feed_count,
        count(*) filter (where is_active) as active_feed_count

    from feeds
    group by outlet_id

    union all

    -- hosts a backfill read (--all-hosts) that no feed or seed row names: outlets too
    select
        outlet_id,
        any_value(outlet_name) as outlet_name,
        0 as feed_count,
        0 as active_feed_count

    from backfilled
    where outlet_id not in (select feeds.outlet_id from feeds)
    group by outlet_id

),

final as (

    select
        coalesce(outlets_seed.outlet_id, feed_outlets.outlet_id) as outlet_id,
        coalesce(outlets_seed.name, feed_outlets.outlet_name) as name,
        outlets_seed.homepage_url,
        outlets_seed.country_code,
        outlets_seed.ownership,
        outlets_seed.description,
        outlets_seed.outlet_id is not null as is_curated,
        coalesce(feed_outlets.feed_count, 0) as feed_count,
        coalesce(feed_outlets.active_feed_count, 0) as active_feed_count

    from outlets_seed
    full outer join feed_outlets
        on outlets_seed.outlet_id = feed_outlets.outlet_id

)

select * from final
