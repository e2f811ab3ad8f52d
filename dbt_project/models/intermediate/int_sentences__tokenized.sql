{{
    config(
        materialized='incremental',
        unique_key='article_id',
        incremental_strategy='delete+insert',
    )
}}

-- Sentences split into tokens for matching; only articles whose sentences changed are redone.
with

sentences as (

    select * from {{ ref('stg_newswatch__sentences') }}

    {% if is_incremental() %}
        where article_id in (
            select article_id from {{ ref('stg_newswatch__sentences') }}
            where loaded_at > (select coalesce(max(loaded_at), '-infinity'::timestamptz) from {{ this }})
        )
    {% endif %}

),

tokenized as (

    select
        sentence_id,
        article_id,
        sentence_index,
        sentence_part,
        {{ tokenize('sentence_text') }} as tokens,
        loaded_at

    from sentences

),

final as (

    select
        sentence_id,
        article_id,
        sentence_index,
        sentence_part,
        tokens,
        {{ lower_tokens('tokens') }} as tokens_lower,
        loaded_at

    from tokenized

)

select * from final
