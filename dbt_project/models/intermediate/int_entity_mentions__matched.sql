{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook=[
            "{{ delete_stale_taxonomy('entity_taxonomy_version') }}",
            "{{ delete_changed_articles(ref('int_sentences__tokenized'), 'loaded_at') }}",
        ],
    )
}}

-- One row per entity mention occurrence: an alias matched in a sentence (longest match wins),
-- or a bare surname resolved to the person most recently named in full in the same article.
-- Incremental: only new or changed articles are matched, unless the seeds changed (then all).
with

sentences as (

    select * from {{ ref('int_sentences__tokenized') }}

    {% if is_incremental() %}
        where loaded_at > (
            select coalesce(max(source_loaded_at), '-infinity'::timestamptz) from {{ this }}
        )
    {% endif %}

),

aliases as (

    select * from {{ ref('int_aliases__tokenized') }}

),

titles as (

    select lower(title) as title from {{ ref('person_titles') }}

),

place_words as (

    select lower(word) as word from {{ ref('place_prepositions') }}

),

{{
    phrase_matches(
        'sentences',
        'aliases',
        keep_when="not (
            alias_kind = 'capital'
            and (
                -- an all-capitals city opening a dateline (\"MANILA —\") is a place
                (len(matched_tokens[1]) > 2 and matched_tokens[1] = upper(matched_tokens[1]))
                -- \"an embassy in Beijing\" is a place; \"Beijing said\" is the government
                or coalesce(lower(previous_token), '') in (select word from place_words)
            )
        )",
    )
}},

sentence_texts as (

    select * from {{ ref('stg_newswatch__sentences') }}
    -- only articles with a bare surname: the text is read for those alone, and an hourly run
    -- must not deduplicate every stored sentence to find them
    where article_id in (
        select phrase_longest.article_id from phrase_longest
        where phrase_longest.alias_kind = 'surname'
    )

),

direct_mentions as (

    select
        article_id,
        sentence_index,
        token_position,
        token_count,
        entity_id,
        entity_type,
        alias,
        alias_kind,
        'alias' as match_type,
        array_to_string(matched_tokens, ' ') as matched_text,
        source_loaded_at

    from phrase_longest
    where alias_kind <> 'surname'
    -- two aliases that tokenize alike ("Kim Jong Un", "Kim Jong-un") are one mention
    qualify row_number() over (
        partition by article_id, sentence_index, token_position, entity_id
        order by alias_kind = 'name' desc, alias
    ) = 1

),

surname_keys as (

    select distinct
        entity_id,
        array_to_string(phrase_tokens_lower, ' ') as surname_key

    from aliases
    where alias_kind = 'surname'

),

surname_occurrences as (

    select distinct
        phrase_longest.article_id,
        phrase_longest.sentence_index,
        phrase_longest.token_position,
        phrase_longest.token_count,
        array_to_string(phrase_longest.phrase_tokens_lower, ' ') as surname_key,
        array_to_string(phrase_longest.matched_tokens, ' ') as matched_text,
        phrase_longest.previous_token,
        phrase_longest.next_token,
        phrase_longest.source_loaded_at,
        -- the text right before and after the surname, to tell "Lee Soo-jin" from "Lee, who"
        {{ token_separators('sentence_texts.sentence_text') }}[phrase_longest.token_position]
            as separator_before,
        {{ token_separators('sentence_texts.sentence_text') }}[phrase_longest.token_end + 1]
            as separator_after

    from phrase_longest
    inner join sentence_texts
        on
            phrase_longest.article_id = sentence_texts.article_id
            and phrase_longest.sentence_index = sentence_texts.sentence_index
    where phrase_longest.alias_kind = 'surname'

),

surname_classified as (

    select
        *,
        -- A capitalized word joined to the surname by a space or hyphen makes a full name of
        -- somebody the taxonomy does not know ("Lee Soo-jin", "Emily Lee"); titles do not.
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

named_in_full as (

    select
        direct_mentions.article_id,
        direct_mentions.sentence_index,
        direct_mentions.token_position,
        direct_mentions.entity_id,
        surname_keys.surname_key

    from direct_mentions
    inner join surname_keys
        on direct_mentions.entity_id = surname_keys.entity_id

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

surname_resolved as (

    select
        bare.article_id,
        bare.sentence_index,
        bare.token_position,
        bare.token_count,
        named_in_full.entity_id,
        bare.matched_text,
        bare.source_loaded_at

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

surname_mentions as (

    select
        surname_resolved.article_id,
        surname_resolved.sentence_index,
        surname_resolved.token_position,
        surname_resolved.token_count,
        surname_resolved.entity_id,
        'person' as entity_type,
        surname_resolved.matched_text as alias,
        'surname' as alias_kind,
        'surname' as match_type,
        surname_resolved.matched_text,
        surname_resolved.source_loaded_at

    from surname_resolved
    where surname_resolved.entity_id is not null

),

final as (

    select
        *,
        {{ entity_taxonomy_version() }} as taxonomy_version

    from (
        select * from direct_mentions
        union all
        select * from surname_mentions
    ) as mentions

)

select * from final
