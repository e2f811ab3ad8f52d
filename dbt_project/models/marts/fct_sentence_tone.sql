{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook=[
            "{% if is_incremental() %}delete from {{ this }} where tone_model <> '{{ var('tone_model') }}'{% else %}select 1{% endif %}",
            "{{ delete_changed_articles(ref('stg_newswatch__sentences'), 'loaded_at', 'loaded_at') }}",
        ],
    )
}}

-- Incremental by article: only sentences loaded since the last build are added; a new tone
-- model version (var tone_model) rebuilds it all.
with

sentences as (

    select * from {{ ref('stg_newswatch__sentences') }}

    {% if is_incremental() %}
        where loaded_at > (
            select coalesce(max(loaded_at), '-infinity'::timestamptz) from {{ this }}
        )
    {% endif %}

),

tone as (

    select * from {{ ref('stg_newswatch__sentence_tone') }}

),

articles as (

    select * from {{ ref('dim_articles') }}

),

final as (

    select
        sentences.sentence_id,
        sentences.article_id,
        sentences.sentence_index,
        articles.outlet_id,
        sentences.sentence_part,
        sentences.sentence_text,
        tone.tone_model,
        sentences.word_count,
        tone.tone,
        tone.positive_share,
        tone.negative_share,
        tone.polarity,
        articles.published_at,
        articles.published_date,
        sentences.loaded_at

    from sentences
    inner join tone
        on sentences.sentence_id = tone.sentence_id
    inner join articles
        on sentences.article_id = articles.article_id

)

select * from final
