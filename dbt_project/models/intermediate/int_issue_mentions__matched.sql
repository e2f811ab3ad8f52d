{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed() }}",
    )
}}

-- One row per issue term occurrence (int_phrases__matched) whose requirement is met: a term
-- that requires an entity counts only where that entity is mentioned too, in the same
-- sentence or the same article ("discharge" only next to Fukushima).
with

phrase_matches as (

    select * from {{ ref('int_phrases__matched') }}
    where phrase_kind = 'issue_term' and {{ is_new() }}

),

entity_mentions as (

    select * from {{ ref('int_entity_mentions__matched') }}
    where {{ is_new() }}

),

with_requirements as (

    select
        phrase_matches.*,
        phrase_matches.requires_entity_id is null
        or exists (
            select 1
            from entity_mentions
            where
                entity_mentions.article_id = phrase_matches.article_id
                and entity_mentions.entity_id = phrase_matches.requires_entity_id
                and (
                    phrase_matches.requires_scope = 'article'
                    or entity_mentions.sentence_index = phrase_matches.sentence_index
                )
        ) as is_requirement_met

    from phrase_matches

),

final as (

    select
        article_id,
        sentence_index,
        token_position,
        token_count,
        issue_id,
        phrase_text as term,
        requires_entity_id,
        array_to_string(matched_tokens, ' ') as matched_text,
        loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from with_requirements
    where is_requirement_met
    -- two terms of one issue at the same place count once
    qualify row_number() over (
        partition by article_id, sentence_index, token_position, issue_id order by phrase_text
    ) = 1

)

select * from final
