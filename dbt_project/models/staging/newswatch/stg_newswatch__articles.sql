with

source as (

    select * from {{ source('newswatch', 'articles') }}

),

renamed as (

    select
        article_id,
        canonical_url,
        url,
        final_url,
        page_canonical_url,
        status,
        status_reason,
        text_source,
        text_source is not null as has_text,
        title,
        author,
        language,
        detected_language,
        language_confidence,
        language_reason,
        language_detector,
        -- the one place that says which languages the taxonomy tags (var tagged_languages)
        coalesce(
            detected_language in ('{{ var("tagged_languages") | join("', '") }}'),  -- noqa: LT05
            false
        ) as is_tagged,
        encoding,
        text,
        word_count,
        extractor,
        fetch_attempts,
        try_cast(page_published as date) as page_published_date,
        first_seen_at,
        extracted_at,
        loaded_at

    from source

)

select * from renamed
