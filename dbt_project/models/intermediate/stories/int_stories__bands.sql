{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed(version_column='story_rules', version=story_rules()) }}",
    )
}}

-- Incremental by article (macros/incremental.sql): the bands of changed articles only. A
-- band is var('story_band_rows') consecutive values of the article's MinHash signature; two
-- articles that agree on every value of one band are candidates (int_stories__pairs). A band
-- is stored as one key (its rules' version, its number and its values hashed together): the
-- lookup of a new article's bands reads that one column of the history.
with

changed_articles as (

    select * from {{ ref('int_articles__versioned') }}
    where {{ is_new() }}

),

signatures as (

    select * from {{ ref('stg_newswatch__article_signatures') }}

),

-- A batch loaded twice keeps its latest copy.
latest_signatures as (

    select
        signatures.article_id,
        signatures.sketch,
        signatures.shingle_count,
        signatures.minhashes,
        changed_articles.loaded_at

    from signatures
    inner join changed_articles
        on signatures.article_id = changed_articles.article_id
    qualify row_number() over (
        partition by signatures.article_id order by signatures.loaded_at desc
    ) = 1

),

bands as (

    select
        latest_signatures.article_id,
        band_numbers.band_index,
        hash(
            latest_signatures.sketch,
            band_numbers.band_index,
            list_slice(
                latest_signatures.minhashes,
                band_numbers.band_index * {{ var('story_band_rows') }} + 1,
                (band_numbers.band_index + 1) * {{ var('story_band_rows') }}
            )
        ) as band_key,
        latest_signatures.loaded_at

    from latest_signatures
    cross join range({{ var('story_bands') }}) as band_numbers (band_index)
    -- too short a text says too little to tell a copy from a coincidence
    where
        latest_signatures.shingle_count >= {{ var('story_min_shingles') }}
        and len(latest_signatures.minhashes)
        >= {{ var('story_bands') }} * {{ var('story_band_rows') }}

),

final as (

    select
        article_id,
        band_index,
        band_key,
        loaded_at,
        {{ story_rules() }} as story_rules

    from bands

)

select * from final
