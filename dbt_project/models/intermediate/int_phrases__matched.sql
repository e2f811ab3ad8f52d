{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed() }}",
    )
}}

-- One row per phrase occurrence that survives matching: every place where an alias or an
-- issue term occurs in a sentence, honouring its case rule, where overlapping occurrences of
-- the same kind leave only the longest. Read the steps top to bottom; each is a CTE you can
-- select on its own to see why a mention was found or missed.
with

sentences as (

    select * from {{ ref('int_sentences__tokenized') }}
    where {{ is_new() }}

),

phrases as (

    select * from {{ ref('int_phrases__tokenized') }}

),

place_words as (

    select lower(word) as word from {{ ref('place_prepositions') }}

),

-- 1. Every token of every sentence, lower-cased, with its position (1-based).
sentence_tokens as (

    select
        sentence_id,
        token_position,
        lower(token) as token_lower

    from (
        select
            sentence_id,
            unnest(generate_series(1, len(tokens))) as token_position,
            unnest(tokens) as token

        from sentences
    ) as positions

),

-- 2. Positions where some phrase starts with that word, paired with each such phrase.
candidates as (

    select
        sentence_tokens.sentence_id,
        sentence_tokens.token_position,
        phrases.*

    from sentence_tokens
    inner join phrases
        on sentence_tokens.token_lower = phrases.first_token

),

-- 3. The candidates whose following words are the whole phrase.
occurrences as (

    select
        sentences.article_id,
        sentences.sentence_index,
        candidates.* exclude (sentence_id),
        candidates.token_position + candidates.token_count - 1 as token_end,
        sentences.tokens[
            candidates.token_position:candidates.token_position + candidates.token_count - 1
        ] as matched_tokens,
        sentences.tokens[candidates.token_position - 1] as previous_token,
        sentences.tokens[candidates.token_position + candidates.token_count] as next_token,
        sentences.loaded_at

    from candidates
    inner join sentences
        on candidates.sentence_id = sentences.sentence_id
    where
        {{ lower_tokens(
            'sentences.tokens[candidates.token_position:candidates.token_position + candidates.token_count - 1]'
        ) }} = candidates.phrase_tokens_lower

),

-- 4. Case rules: `exact` as written, `any` in any case, `capitalized` (the default for
--    aliases) when the first word starts with a capital or a digit ("turkey" is food).
case_checked as (

    select * from occurrences
    where
        case case_rule
            when 'exact' then matched_tokens = phrase_tokens
            when 'any' then true
            else regexp_matches(matched_tokens[1], '^[\p{Lu}\p{N}]')
        end

),

-- 5. A capital stands for its government ("Beijing said"), not when it is a place: an
--    all-capitals dateline ("MANILA —") or after a place word ("an embassy in Beijing").
in_context as (

    select * from case_checked
    where not (
        alias_kind is not distinct from 'capital'
        and (
            (len(matched_tokens[1]) > 2 and matched_tokens[1] = upper(matched_tokens[1]))
            or coalesce(lower(previous_token), '') in (select word from place_words)
        )
    )

),

-- 6. Occurrences overlapped by a longer one of the same kind ("China" inside "East China
--    Sea"), or by one as long that starts earlier.
dominated as (

    select distinct
        shorter.article_id,
        shorter.sentence_index,
        shorter.token_position,
        shorter.phrase_key,
        shorter.phrase_kind

    from in_context as shorter
    inner join in_context as longer
        on
            shorter.article_id = longer.article_id
            and shorter.sentence_index = longer.sentence_index
            and shorter.phrase_kind = longer.phrase_kind
            and shorter.token_end >= longer.token_position
            and shorter.token_position <= longer.token_end
            and (
                shorter.token_count < longer.token_count
                or (
                    shorter.token_count = longer.token_count
                    and shorter.token_position > longer.token_position
                )
            )

),

-- 7. What is left: the longest occurrences.
longest as (

    select in_context.*

    from in_context
    anti join dominated
        on
            in_context.article_id = dominated.article_id
            and in_context.sentence_index = dominated.sentence_index
            and in_context.token_position = dominated.token_position
            and in_context.phrase_key = dominated.phrase_key
            and in_context.phrase_kind = dominated.phrase_kind

),

final as (

    select
        article_id,
        sentence_index,
        token_position,
        token_end,
        token_count,
        phrase_kind,
        phrase_key,
        phrase_text,
        entity_id,
        entity_type,
        alias_kind,
        issue_id,
        requires_entity_id,
        requires_scope,
        phrase_tokens_lower,
        matched_tokens,
        previous_token,
        next_token,
        loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from longest

)

select * from final
