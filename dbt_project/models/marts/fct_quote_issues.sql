{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed() }}",
    )
}}

-- Incremental by article (macros/incremental.sql): a quote is on an issue when one of its
-- sentences mentions the issue ("who is quoted on Fukushima" is one join).
with

quotes as (

    select * from {{ ref('fct_quotes') }}
    where {{ is_new() }}

),

issue_mentions as (

    select * from {{ ref('fct_issue_mentions') }}
    where {{ is_new() }}

),

final as (

    select
        quotes.quote_id || ':' || issue_mentions.issue_id as quote_issue_id,
        quotes.quote_id,
        issue_mentions.issue_id,
        any_value(issue_mentions.root_issue_id) as root_issue_id,
        quotes.article_id,
        quotes.speaker_entity_id,
        quotes.published_date,
        count(*) as sentence_count,
        max(quotes.loaded_at) as loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from quotes
    inner join issue_mentions
        on
            quotes.article_id = issue_mentions.article_id
            and issue_mentions.sentence_index
            between quotes.first_sentence_index
            and quotes.first_sentence_index + quotes.sentence_count - 1
    group by
        quotes.quote_id,
        issue_mentions.issue_id,
        quotes.article_id,
        quotes.speaker_entity_id,
        quotes.published_date

)

select * from final
