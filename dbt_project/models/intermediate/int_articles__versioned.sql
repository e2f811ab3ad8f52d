{{
    config(
        materialized='incremental',
        unique_key='article_id',
        incremental_strategy='delete+insert',
    )
}}

-- One row per article: where and when it was published, and its stamp (loaded_at), the
-- newest load time of any raw row about it (page, listings, sentences, tone, signature).
-- Every other incremental model re-derives an article when its stamp is newer than what it
-- holds (macros/incremental.sql).
-- Raw history is read once: only rows loaded since this model last ran are looked at, and
-- the feed listings of the articles they touch.
with

articles as (

    select * from {{ ref('stg_newswatch__articles') }}

),

feed_entries as (

    select * from {{ ref('stg_newswatch__feed_entries') }}

),

feeds as (

    select * from {{ ref('stg_newswatch__feeds') }}

),

sentences as (

    select * from {{ ref('stg_newswatch__sentences') }}

),

sentence_tone as (

    select * from {{ ref('stg_newswatch__sentence_tone') }}

),

signatures as (

    select * from {{ ref('stg_newswatch__article_signatures') }}

),

backfilled as (

    select * from {{ ref('stg_newswatch__backfilled_articles') }}

),

-- Every raw row loaded since the last run names an article that changed.
changes as (

    select
        article_id,
        loaded_at
    from articles
    where {{ loaded_since_watermark('loaded_at') }}

    union all

    select
        article_id,
        loaded_at
    from feed_entries
    where article_id is not null and {{ loaded_since_watermark('loaded_at') }}

    union all

    select
        article_id,
        loaded_at
    from sentences
    where {{ loaded_since_watermark('loaded_at') }}

    union all

    select
        article_id,
        scored_at as loaded_at
    from sentence_tone
    where {{ loaded_since_watermark('scored_at') }}

    union all

    select
        article_id,
        loaded_at
    from signatures
    where {{ loaded_since_watermark('loaded_at') }}

    union all

    select
        article_id,
        loaded_at
    from backfilled
    where {{ loaded_since_watermark('loaded_at') }}

    {% if is_incremental() %}

        union all

        -- a feed whose outlet or language was changed in the feeds file: its articles change
        -- too, stamped now (raw.feeds keeps no history of the change to stamp them with)
        select
            versions.article_id,
            now() as loaded_at
        from {{ this }} as versions
        inner join feeds
            on versions.feed_name = feeds.feed_name
        where
            versions.outlet_id is distinct from feeds.outlet_id
            or versions.feed_language is distinct from feeds.language

    {% endif %}

),

-- The newest of an article's rows is among those just loaded, so this is its stamp.
stamps as (

    select
        article_id,
        max(loaded_at) as loaded_at

    from changes
    group by article_id

),

listings as (

    select
        feed_entries.article_id,
        feed_entries.feed_name,
        feeds.outlet_id,
        feeds.language as feed_language,
        feed_entries.title as feed_title,
        feed_entries.author as feed_author,
        feed_entries.published_at as feed_published_at,
        feed_entries.first_seen_at

    from feed_entries
    inner join stamps
        on feed_entries.article_id = stamps.article_id
    inner join feeds
        on feed_entries.feed_name = feeds.feed_name

),

-- Which feed listed the article first, and the earliest date any feed gave it.
first_listing as (

    select
        *,
        count(*) over (partition by article_id) as listing_count,
        min(feed_published_at) over (partition by article_id) as earliest_feed_published_at

    from listings
    qualify row_number() over (
        partition by article_id order by first_seen_at, feed_name
    ) = 1

),

-- A backfilled article no feed listed: its outlet from its host, its date from its sitemap.
backfill as (

    select
        backfilled.article_id,
        backfilled.outlet_id,
        backfilled.listed_published_at

    from backfilled
    inner join stamps
        on backfilled.article_id = stamps.article_id

),

dated as (

    select
        articles.article_id,
        coalesce(first_listing.outlet_id, backfill.outlet_id) as outlet_id,
        first_listing.feed_name,
        first_listing.feed_title,
        first_listing.feed_author,
        first_listing.feed_language,
        coalesce(first_listing.listing_count, 0) as listing_count,
        case
            when first_listing.earliest_feed_published_at is not null then 'feed'
            when backfill.listed_published_at is not null then 'sitemap'
            when articles.page_published_date is not null then 'page'
            when backfill.article_id is null or first_listing.article_id is not null
                then 'first_seen'
            else 'none'
        end as published_at_source,
        -- never the day a backfill read the page: a backfilled page with no date has none
        -- (unless a feed lists it: then it was first seen when the feed listed it)
        coalesce(
            first_listing.earliest_feed_published_at,
            backfill.listed_published_at,
            cast(articles.page_published_date as timestamptz),
            case when backfill.article_id is null then articles.first_seen_at end,
            first_listing.first_seen_at
        ) as published_at,
        backfill.article_id is not null as is_backfilled,
        articles.detected_language,
        articles.is_tagged,
        stamps.loaded_at

    from articles
    inner join stamps
        on articles.article_id = stamps.article_id
    left join first_listing
        on articles.article_id = first_listing.article_id
    left join backfill
        on articles.article_id = backfill.article_id

),

final as (

    select
        dated.article_id,
        dated.outlet_id,
        dated.feed_name,
        dated.feed_title,
        dated.feed_author,
        dated.feed_language,
        dated.listing_count,
        dated.published_at_source,
        dated.published_at,
        cast(timezone('UTC', dated.published_at) as date) as published_date,
        dated.is_backfilled,
        dated.detected_language,
        dated.is_tagged,
        {% if is_incremental() %}
            -- the day the daily rollups counted the article on before this change
            previous.published_date as previous_published_date,
            previous.loaded_at as previous_loaded_at,
        {% else %}
            cast(null as date) as previous_published_date,
            cast(null as timestamptz) as previous_loaded_at,
        {% endif %}
        dated.loaded_at

    from dated
    {% if is_incremental() %}
        left join {{ this }} as previous
            on dated.article_id = previous.article_id
    {% endif %}

)

select * from final
