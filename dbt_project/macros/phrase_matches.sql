{#-
    Every place where a phrase occurs in a sentence, honouring case rules; then the longest
    match wins where matches overlap.

    sentences: relation/CTE with article_id, sentence_index, tokens, tokens_lower, loaded_at
    phrases:   relation/CTE with phrase_key, phrase_tokens, phrase_tokens_lower, token_count,
               first_token, case_rule (plus any columns the caller wants carried along)
    keep_when: optional SQL condition on a candidate (columns: matched_tokens, previous_token,
               next_token, plus the phrase's columns) evaluated before overlaps are resolved

    Cost grows with the number of tokens, not tokens x phrases, and memory stays flat: every
    token streams past a hash table of the (few thousand) phrases keyed by their first token,
    carrying the text that follows it; nothing is joined back to the sentences.
-#}
{% macro phrase_matches(sentences, phrases, keep_when='true', window=12) %}

    phrase_lookup as (

        select
            *,
            array_to_string(phrase_tokens_lower, ' ') as phrase_lower

        from {{ phrases }}

    ),

    phrase_windows as (

        select
            article_id,
            sentence_index,
            loaded_at as source_loaded_at,
            unnest(
                list_transform(
                    generate_series(1, len(tokens)),
                    lambda position: struct_pack(
                        token_position := position,
                        token_lower := tokens_lower[position],
                        window_lower := array_to_string(
                            tokens_lower[position:position + {{ window - 1 }}], ' '
                        ),
                        window_tokens := tokens[position:position + {{ window - 1 }}],
                        previous_token := tokens[position - 1]
                    )
                ),
                recursive := true
            )

        from {{ sentences }}

    ),

    phrase_verified as (

        select
            phrase_windows.article_id,
            phrase_windows.sentence_index,
            phrase_windows.source_loaded_at,
            phrase_windows.token_position,
            phrase_windows.token_position + phrase_lookup.token_count - 1 as token_end,
            phrase_windows.window_tokens[1:phrase_lookup.token_count] as matched_tokens,
            phrase_windows.previous_token,
            phrase_windows.window_tokens[phrase_lookup.token_count + 1] as next_token,
            phrase_lookup.*

        from phrase_windows
        inner join phrase_lookup
            on phrase_windows.token_lower = phrase_lookup.first_token
        where
            phrase_windows.window_lower = phrase_lookup.phrase_lower
            or starts_with(phrase_windows.window_lower, phrase_lookup.phrase_lower || ' ')

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
