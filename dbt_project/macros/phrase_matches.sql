{#-
    Every place where a phrase occurs in a sentence, honouring case rules; then the longest
    match wins where matches overlap.

    sentences: relation/CTE with article_id, sentence_index, tokens, tokens_lower, loaded_at
    phrases:   relation/CTE with phrase_key, phrase_tokens, phrase_tokens_lower, token_count,
               first_token, case_rule (plus any columns the caller wants carried along)
    keep_when: optional SQL condition on a candidate (columns: matched_tokens, previous_token,
               next_token, plus the phrase's columns) evaluated before overlaps are resolved

    Cost grows with the number of tokens, not tokens x phrases: each token is hash-joined to
    the phrases that start with it, and only those candidates are compared in full.
-#}
{% macro phrase_matches(sentences, phrases, keep_when='true') %}

    phrase_tokens as (

        select
            article_id,
            sentence_index,
            unnest(tokens_lower) as token_lower,
            generate_subscripts(tokens_lower, 1) as token_position

        from {{ sentences }}

    ),

    phrase_candidates as (

        select
            phrase_tokens.article_id,
            phrase_tokens.sentence_index,
            phrase_tokens.token_position,
            phrase_tokens.token_position + {{ phrases }}.token_count - 1 as token_end,
            {{ phrases }}.*

        from phrase_tokens
        inner join {{ phrases }}
            on phrase_tokens.token_lower = {{ phrases }}.first_token

    ),

    phrase_verified as (

        select
            phrase_candidates.*,
            list_slice(
                {{ sentences }}.tokens,
                phrase_candidates.token_position,
                phrase_candidates.token_end
            ) as matched_tokens,
            {{ sentences }}.tokens[phrase_candidates.token_position - 1] as previous_token,
            {{ sentences }}.tokens[phrase_candidates.token_end + 1] as next_token,
            {{ sentences }}.loaded_at as source_loaded_at

        from phrase_candidates
        inner join {{ sentences }}
            on phrase_candidates.article_id = {{ sentences }}.article_id
            and phrase_candidates.sentence_index = {{ sentences }}.sentence_index
        where list_slice(
            {{ sentences }}.tokens_lower,
            phrase_candidates.token_position,
            phrase_candidates.token_end
        ) = phrase_candidates.phrase_tokens_lower

    ),

    phrase_case_checked as (

        select *

        from phrase_verified
        where
            case case_rule
                when 'exact' then matched_tokens = phrase_tokens
                when 'any' then true
                else regexp_matches(matched_tokens[1], '^[\p{Lu}\p{N}]')
            end
            and ({{ keep_when }})

    ),

    phrase_dominated as (

        select distinct
            shorter.article_id,
            shorter.sentence_index,
            shorter.token_position,
            shorter.phrase_key

        from phrase_case_checked as shorter
        inner join phrase_case_checked as longer
            on shorter.article_id = longer.article_id
            and shorter.sentence_index = longer.sentence_index
            and longer.token_position <= shorter.token_end
            and longer.token_end >= shorter.token_position
            and (
                longer.token_count > shorter.token_count
                or (
                    longer.token_count = shorter.token_count
                    and longer.token_position < shorter.token_position
                )
            )

    ),

    phrase_longest as (

        select phrase_case_checked.*

        from phrase_case_checked
        anti join phrase_dominated
            on phrase_case_checked.article_id = phrase_dominated.article_id
            and phrase_case_checked.sentence_index = phrase_dominated.sentence_index
            and phrase_case_checked.token_position = phrase_dominated.token_position
            and phrase_case_checked.phrase_key = phrase_dominated.phrase_key

    )

{% endmacro %}
