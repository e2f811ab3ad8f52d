{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed() }}",
    )
}}

-- Incremental by article (macros/incremental.sql).
with

quotes as (

    select * from {{ ref('int_quotes__attributed') }}
    where {{ is_new() }}

),

articles as (

    select * from {{ ref('dim_articles') }}
    where {{ is_new() }}

),

entities as (

    select * from {{ ref('dim_entities') }}

),

final as (

    select
        md5(quotes.article_id || ':' || quotes.quote_index) as quote_id,
        quotes.article_id,
        quotes.first_sentence_index,
        quotes.sentence_count,
        quotes.quote_index,
        articles.outlet_id,
        articles.detected_language as language,
        quotes.quote_text,
        quotes.speaker_entity_id,
        entities.entity_type as speaker_type,
        quotes.speaker_name,
        quotes.speaker_description,
        quotes.attribution_verb,
        quotes.attribution,
        quotes.is_fragment,
        len(string_split(quotes.quote_text, ' ')) as word_count,
        quotes.tone,
        articles.published_at,
        articles.published_date,
        quotes.loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from quotes
    inner join articles
        on quotes.article_id = articles.article_id
    left join entities
        on quotes.speaker_entity_id = entities.entity_id

)

select * from final
