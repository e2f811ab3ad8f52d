-- Which feed listed each article first, and what the feeds said about it.
with

feed_entries as (

    select * from {{ ref('stg_newswatch__feed_entries') }}

),

feeds as (

    select * from {{ ref('stg_newswatch__feeds') }}

),

listings as (

    select
        feed_entries.article_id,
        feed_entries.feed_name,
        feeds.outlet_id,
        feeds.language as feed_language,
        feed_entries.title as feed_title,
        feed_entries.summary as feed_summary,
        feed_entries.author as feed_author,
        feed_entries.published_at as feed_published_at,
        feed_entries.first_seen_at

    from feed_entries
    inner join feeds
        on feed_entries.feed_name = feeds.feed_name
    where feed_entries.article_id is not null

),

first_listing as (

    select
        *,
        count(*) over (partition by article_id) as listing_count,
        min(feed_published_at) over (partition by article_id) as earliest_feed_published_at

    from listings
    qualify row_number() over (
        partition by article_id order by first_seen_at, feed_name
    ) = 1

)

select * from first_listing
