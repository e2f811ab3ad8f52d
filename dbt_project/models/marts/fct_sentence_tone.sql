{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed(version_column='tone_model', version=\"'\" ~ var('tone_model') ~ \"'\") }}",
    )
}}

-- One row per sentence with a tone: the sentences of int_sentences__contexted the tone model
-- scored (its language only). Incremental by article (macros/incremental.sql); a new tone
-- model version (var tone_model) rebuilds it all.
with

sentences as (

    select * from {{ ref('int_sentences__contexted') }}
    where {{ is_new() }} and tone is not null

),

final as (

    select
        sentence_id,
        article_id,
        sentence_index,
        outlet_id,
        sentence_part,
        sentence_text,
        language,
        tone_model,
        word_count,
        tone,
        positive_share,
        negative_share,
        polarity,
        published_at,
        published_date,
        loaded_at

    from sentences

)

select * from final
