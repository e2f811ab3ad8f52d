{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed() }}",
    )
}}

-- One row per bare surname resolved to a person: "Wang said" after "Wang Yi" in the same
-- article is Wang Yi. A surname resolves to the person most recently named in full before
-- it, and to nobody when that was someone the taxonomy does not know ("Lee Soo-jin").
with

phrase_matches as (

    select * from {{ ref('int_phrases__matched') }}
    where phrase_kind = 'alias' and {{ is_new() }}

),

sentences as (

    select * from {{ ref('int_sentences__tokenized') }}
    where {{ is_new() }}

),

phrases as (

    select * from {{ ref('int_phrases__tokenized') }}

),

titles as (

    select lower(title) as title from {{ ref('person_titles') }}

),

surname_keys as (

    select distinct
        entity_id,
        array_to_string(phrase_tokens_lower, ' ') as surname_key

    from phrases
    where alias_kind = 'surname'

),

-- Each bare surname, with the text right before and after it, to tell "Lee Soo-jin" from
-- "Lee, who".
surname_occurrences as (

    select distinct
        phrase_matches.article_id,
        phrase_matches.sentence_index,
        phrase_matches.token_position,
        phrase_matches.token_count,
        array_to_string(phrase_matches.phrase_tokens_lower, ' ') as surname_key,
        array_to_string(phrase_matches.matched_tokens, ' ') as matched_text,
        phrase_matches.previous_token,
        phrase_matches.next_token,
        phrase_matches.loaded_at,
        {{ token_separators('sentences.sentence_text') }}[phrase_matches.token_position]
            as separator_before,
        {{ token_separators('sentences.sentence_text') }}[phrase_matches.token_end + 1]
            as separator_after

    from phrase_matches
    inner join sentences
        on
            phrase_matches.article_id = sentences.article_id
            and phrase_matches.sentence_index = sentences.sentence_index
    where phrase_matches.alias_kind = 'surname'

),

-- A capitalized word joined to the surname by a space or hyphen makes a full name of
-- somebody the taxonomy does not know ("Lee Soo-jin", "Emily Lee"); titles do not.
surname_classified as (

    select
        *,
        (
            next_token is not null
            and regexp_matches(separator_after, '^[ \-]$')
            and regexp_matches(next_token, '^\p{Lu}')
        )
        or (
            token_position > 2
            and regexp_matches(separator_before, '^[ \-]$')
            and regexp_matches(previous_token, '^\p{Lu}')
            and lower(previous_token) not in (select title from titles)
        ) as is_other_persons_name

    from surname_occurrences

),

-- Where each surname was last given in full: a known person's name, or an unknown person's.
named_in_full as (

    select
        phrase_matches.article_id,
        phrase_matches.sentence_index,
        phrase_matches.token_position,
        phrase_matches.entity_id,
        surname_keys.surname_key

    from phrase_matches
    inner join surname_keys
        on phrase_matches.entity_id = surname_keys.entity_id
    where phrase_matches.alias_kind <> 'surname'

    union all

    select
        article_id,
        sentence_index,
        token_position,
        null as entity_id,
        surname_key

    from surname_classified
    where is_other_persons_name

),

resolved as (

    select
        bare.article_id,
        bare.sentence_index,
        bare.token_position,
        bare.token_count,
        named_in_full.entity_id,
        bare.matched_text,
        bare.loaded_at

    from surname_classified as bare
    inner join named_in_full
        on
            bare.article_id = named_in_full.article_id
            and bare.surname_key = named_in_full.surname_key
            and (
                bare.sentence_index > named_in_full.sentence_index
                or (
                    bare.sentence_index = named_in_full.sentence_index
                    and bare.token_position > named_in_full.token_position
                )
            )
    where not bare.is_other_persons_name
    qualify row_number() over (
        partition by bare.article_id, bare.sentence_index, bare.token_position
        order by named_in_full.sentence_index desc, named_in_full.token_position desc
    ) = 1

),

final as (

    select
        article_id,
        sentence_index,
        token_position,
        token_count,
        entity_id,
        'person' as entity_type,
        matched_text as alias,
        'surname' as alias_kind,
        'surname' as match_type,
        matched_text,
        loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from resolved
    where entity_id is not null

)

select * from final
