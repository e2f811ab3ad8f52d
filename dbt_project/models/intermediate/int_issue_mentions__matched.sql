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

-- Only the few entities that terms require: small lookups instead of a correlated subquery
-- over every mention.
required_in_sentence as (

    select distinct
        article_id,
        sentence_index,
        entity_id

    from entity_mentions
    where entity_id in (select requires_entity_id from terms)

),

required_in_article as (

    select distinct
        article_id,
        entity_id

    from required_in_sentence

),

with_requirements as (

    select
        phrase_longest.*,
        phrase_longest.requires_entity_id is null
        or (phrase_longest.requires_scope = 'sentence' and in_sentence.entity_id is not null)
        or (phrase_longest.requires_scope = 'article' and in_article.entity_id is not null)
            as is_requirement_met

    from phrase_longest
    left join required_in_sentence as in_sentence
        on
            phrase_longest.article_id = in_sentence.article_id
            and phrase_longest.sentence_index = in_sentence.sentence_index
            and phrase_longest.requires_entity_id = in_sentence.entity_id
    left join required_in_article as in_article
        on
            phrase_longest.article_id = in_article.article_id
            and phrase_longest.requires_entity_id = in_article.entity_id

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
