{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed() }}",
    )
}}

-- Incremental by article (macros/incremental.sql): the changed articles' mentions are summarised
-- again; an article re-extracted with no mention left loses its old rows.
with

mentions as (

    select * from {{ ref('int_entity_mentions__matched') }}
    where {{ is_new() }}

),

-- every tagged sentence, in every language; tone where the tone model reads the language
sentence_tone as (

    select * from {{ ref('int_sentences__contexted') }}
    where {{ is_new() }}

),

per_sentence as (

    select
        article_id,
        sentence_index,
        entity_id,
        any_value(entity_type) as entity_type,
        count(*) as mention_count,
        -- plain list() then sort: ordered distinct aggregates cost several times more
        list_sort(list_distinct(list(matched_text))) as matched_texts,
        list_sort(list_distinct(list(match_type))) as match_types,
        any_value(stated_role) as stated_role,
        min(token_position) as first_token_position,
        max(loaded_at) as loaded_at

    from mentions
    group by article_id, sentence_index, entity_id

),

final as (

    select
        md5(
            per_sentence.article_id || ':' || per_sentence.sentence_index
            || ':' || per_sentence.entity_id
        ) as entity_mention_id,
        sentence_tone.sentence_id,
        per_sentence.article_id,
        per_sentence.sentence_index,
        per_sentence.entity_id,
        per_sentence.entity_type,
        sentence_tone.outlet_id,
        sentence_tone.language,
        sentence_tone.sentence_part,
        per_sentence.matched_texts,
        per_sentence.match_types,
        per_sentence.stated_role,
        per_sentence.first_token_position,
        per_sentence.mention_count,
        sentence_tone.tone,
        sentence_tone.positive_share,
        sentence_tone.negative_share,
        sentence_tone.published_at,
        sentence_tone.published_date,
        per_sentence.loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from per_sentence
    inner join sentence_tone
        on
            per_sentence.article_id = sentence_tone.article_id
            and per_sentence.sentence_index = sentence_tone.sentence_index

)

select * from final
