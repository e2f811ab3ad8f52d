-- A view: feed health is read live from the fetch log, so an hourly run in which every feed
-- answers 304 records its fetches and has nothing to rebuild (no dbt build at all). The log
-- is small (a row per feed per run) beside the articles.
{{ config(materialized='view') }}

with

feeds as (

    select * from {{ ref('stg_newswatch__feeds') }}

),

fetches as (

    select * from {{ ref('stg_newswatch__feed_fetches') }}

),

entries as (

    select * from {{ ref('stg_newswatch__feed_entries') }}

),

fetch_stats as (

    select
        feed_name,
        count(*) as fetch_count,
        count(*) filter (where is_success) as success_count,
        count(*) filter (where is_not_modified) as not_modified_count,
        max(fetched_at) filter (where status = 'ok' and entries_new > 0) as last_new_entries_at

    from fetches
    group by feed_name

),

entry_stats as (

    select
        feed_name,
        count(*) as entry_count,
        count(distinct article_id) as article_count,
        max(published_at) as newest_entry_published_at

    from entries
    group by feed_name

),

final as (

    select
        feeds.feed_name,
        feeds.outlet_id,
        feeds.current_url,
        feeds.configured_url,
        feeds.language,
        case
            when not feeds.is_active then 'removed'
            when feeds.last_fetched_at is null then 'never_fetched'
            when feeds.consecutive_failures >= {{ var('park_after_failures') }} then 'parked'
            when feeds.consecutive_failures > 0 then 'failing'
            else 'ok'
        end as health,
        feeds.is_active,
        feeds.last_status,
        feeds.last_error,
        feeds.consecutive_failures,
        coalesce(fetch_stats.fetch_count, 0) as fetch_count,
        coalesce(fetch_stats.success_count, 0) as success_count,
        coalesce(fetch_stats.not_modified_count, 0) as not_modified_count,
        coalesce(entry_stats.entry_count, 0) as entry_count,
        coalesce(entry_stats.article_count, 0) as article_count,
        feeds.last_fetched_at,
        feeds.last_success_at,
        feeds.next_fetch_after,
        coalesce(feeds.last_new_entry_at, fetch_stats.last_new_entries_at) as last_new_entry_at,
        entry_stats.newest_entry_published_at

    from feeds
    left join fetch_stats
        on feeds.feed_name = fetch_stats.feed_name
    left join entry_stats
        on feeds.feed_name = entry_stats.feed_name

)

select * from final
