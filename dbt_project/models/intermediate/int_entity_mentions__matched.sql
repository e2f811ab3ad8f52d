{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed() }}",
    )
}}

-- One row per entity mention occurrence: an alias matched in a sentence
-- (int_phrases__matched), or a bare surname resolved to a person
-- (int_entity_mentions__surnames).
with

phrase_matches as (

    select * from {{ ref('int_phrases__matched') }}
    where phrase_kind = 'alias' and alias_kind <> 'surname' and {{ is_new() }}

),

surnames as (

    select * from {{ ref('int_entity_mentions__surnames') }}
    where {{ is_new() }}

),

alias_mentions as (

    select
        article_id,
        sentence_index,
        token_position,
        token_count,
        entity_id,
        entity_type,
        phrase_text as alias,
        alias_kind,
        'alias' as match_type,
        array_to_string(matched_tokens, ' ') as matched_text,
        loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from phrase_matches
    -- two aliases that tokenize alike ("Kim Jong Un", "Kim Jong-un") are one mention
    qualify row_number() over (
        partition by article_id, sentence_index, token_position, entity_id
        order by alias_kind = 'name' desc, phrase_text
    ) = 1

),

final as (

    select * from alias_mentions
    union all
    select * from surnames

)

select * from final
