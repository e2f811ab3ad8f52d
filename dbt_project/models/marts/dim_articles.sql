with

articles as (

    select * from {{ ref('stg_newswatch__articles') }}

),

first_listed as (

    select * from {{ ref('int_articles__first_listed') }}

),

sentences as (

    select * from {{ ref('stg_newswatch__sentences') }}

),

sentence_counts as (

    select
        article_id,
        count(*) as sentence_count

    from sentences
    group by article_id

),

final as (

    select
        articles.article_id,
        first_listed.outlet_id,
        first_listed.feed_name,
        articles.canonical_url,
        coalesce(articles.title, first_listed.feed_title) as title,
        coalesce(articles.author, first_listed.feed_author) as author,
        coalesce(articles.language, first_listed.feed_language) as language,
        articles.status,
        articles.status_reason,
        articles.text_source,
        articles.has_text,
        articles.text_source = 'feed_summary' as is_feed_summary,
        coalesce(articles.word_count, 0) as word_count,
        coalesce(sentence_counts.sentence_count, 0) as sentence_count,
        coalesce(first_listed.listing_count, 0) as listing_count,
        articles.fetch_attempts,
        case
            when first_listed.earliest_feed_published_at is not null then 'feed'
            when articles.page_published_date is not null then 'page'
            else 'first_seen'
        end as published_at_source,
        coalesce(
            first_listed.earliest_feed_published_at,
            cast(articles.page_published_date as timestamptz),
            articles.first_seen_at
        ) as published_at,
        cast(
            timezone('UTC', coalesce(
                first_listed.earliest_feed_published_at,
                cast(articles.page_published_date as timestamptz),
                articles.first_seen_at
            )) as date
        ) as published_date,
        articles.first_seen_at,
        articles.extracted_at,
        articles.extractor

    from articles
    left join first_listed
        on articles.article_id = first_listed.article_id
    left join sentence_counts
        on articles.article_id = sentence_counts.article_id

)

select * from final
