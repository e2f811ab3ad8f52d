{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook=[
            "{{ delete_stale_taxonomy('issue_taxonomy_version') }}",
            "{{ delete_changed_articles(ref('int_sentences__tokenized'), 'loaded_at') }}",
        ],
    )
}}

-- One row per issue term occurrence in a sentence (longest term wins where terms overlap),
-- kept only where the term's required entity is mentioned too (same sentence or article).
-- Incremental like int_entity_mentions__matched; the fingerprint covers both taxonomies.
with

sentences as (

    select * from {{ ref('int_sentences__tokenized') }}

    {% if is_incremental() %}
        where loaded_at > (
            select coalesce(max(source_loaded_at), '-infinity'::timestamptz) from {{ this }}
        )
    {% endif %}

),

terms as (

    select * from {{ ref('int_issue_terms__tokenized') }}

),

entity_mentions as (

    select * from {{ ref('int_entity_mentions__matched') }}

),

{{ phrase_matches('sentences', 'terms') }},

with_requirements as (

    select
        phrase_longest.*,
        phrase_longest.requires_entity_id is null
        or exists (
            select 1
            from entity_mentions
            where
                entity_mentions.article_id = phrase_longest.article_id
                and entity_mentions.entity_id = phrase_longest.requires_entity_id
                and (
                    phrase_longest.requires_scope = 'article'
                    or entity_mentions.sentence_index = phrase_longest.sentence_index
                )
        ) as is_requirement_met

    from phrase_longest

),

final as (

    select
        article_id,
        sentence_index,
        token_position,
        token_count,
        issue_id,
        term,
        requires_entity_id,
        array_to_string(matched_tokens, ' ') as matched_text,
        source_loaded_at,
        {{ issue_taxonomy_version() }} as taxonomy_version

    from with_requirements
    where is_requirement_met
    qualify row_number() over (
        partition by article_id, sentence_index, token_position, issue_id order by term
    ) = 1

)

select * from final
