{#- var('coordinating_words') (dbt_project.yml, checked by tests/test_dbt_project.py): per
    language, the words that join two demonyms ("Japanese and Chinese ships"). sqlfluff's
    stand-in for var() is a string: it lints the list as empty. -#}
{%- set coordinating_words = var('coordinating_words') -%}
{%- if coordinating_words is string -%}
    {%- set coordinating_words = {} -%}
{%- endif %}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook=["{{ delete_changed() }}", "{{ model_memory_limit() }}"],
        post_hook="{{ restore_memory_limit() }}",
    )
}}

-- One row per phrase occurrence that survives matching: every place where an alias or an
-- issue term occurs in a sentence, honouring its case rule, where overlapping occurrences of
-- the same kind leave only the longest. Read the steps top to bottom; each is a CTE you can
-- select on its own to see why a mention was found or missed.
-- Only articles in a language the seeds are written in are read (is_tagged), and a phrase is
-- looked for only in sentences of its own language: English aliases matched in a German page
-- would find only the names spelled alike, coverage that looks like data but is chance.
with

sentences as not materialized (

    select * from {{ ref('int_sentences__tokenized') }}
    where {{ is_new() }} and is_tagged

),

phrases as (

    select * from {{ ref('int_phrases__tokenized') }}

),

capital_cues as (

    select * from {{ ref('capital_cues') }}

),

name_words as (

    select * from {{ ref('name_words') }}

),

not_country_words as (

    select * from {{ ref('not_country_words') }}

),

language_cues as (

    select * from {{ ref('language_cues') }}

),

-- 1. Every token of every sentence, lower-cased, with its position (1-based), beside its
--    sentence's lists: step 3 reads the words around a match from them as the tokens stream
--    past. (Joined again to the sentences by id there, DuckDB built that join's hash table
--    on every sentence's lists: at 100,000 articles the model spilled 16-22 GB to disk under
--    a 384 MB cap, 12.5 GB without the join, and took twice as long.)
sentence_tokens as (

    select
        sentence_id,
        article_id,
        sentence_index,
        language,
        tokens,
        separators,
        segments,
        loaded_at,
        token_position,
        lower(token) as token_lower

    from (
        select
            sentence_id,
            article_id,
            sentence_index,
            language,
            tokens,
            separators,
            segments,
            loaded_at,
            unnest(generate_series(1, len(tokens))) as token_position,
            unnest(tokens) as token

        from sentences
    ) as positions

),

-- 1b. Where words have no spaces (var unspaced_languages: Chinese, Japanese, Korean), each
--     character is a token and the workers' segmenter says which word it is in. A phrase
--     must begin a word there (日本 in 日本人, never 中 in 中心 nor 日本 inside a word), and a
--     one-character form of a country (alias_kind compound_form: 中 of 中日, 日 of 日米, 한 of
--     한미) counts only inside a run of two or more such forms that begins a word.
word_tokens as (

    select
        sentence_id,
        language,
        token_position,
        token_lower,
        segment,
        segment is null
        or token_position = 1
        or segment <> lag(segment) over (
            partition by sentence_id order by token_position
        ) as opens_word

    from (
        select
            sentence_id,
            language,
            unnest(generate_series(1, len(tokens))) as token_position,
            lower(unnest(tokens)) as token_lower,
            unnest(segments) as segment

        from sentences
        where
            language in ({{ "'" ~ var('unspaced_languages') | join("', '") ~ "'" }})
            and segments is not null
    ) as positions

),

compound_forms as (

    select distinct
        language,
        first_token

    from phrases
    where alias_kind = 'compound_form'

),

word_forms as (

    select
        word_tokens.*,
        -- a form right after a number is a date's, not a country's (11日朝: the 11th, in the
        -- morning; 27일 한미: the 27th, then Korea and the US)
        compound_forms.first_token is not null
        and not regexp_matches(
            coalesce(
                lag(word_tokens.token_lower) over (
                    partition by word_tokens.sentence_id order by word_tokens.token_position
                ),
                ''
            ),
            '^[0-9０-９]'
        ) as is_form

    from word_tokens
    left join compound_forms
        on
            word_tokens.token_lower = compound_forms.first_token
            and word_tokens.language = compound_forms.language

),

-- words made only of forms (中美 as one word, or 中 and 美 alone)
form_words as (

    select
        sentence_id,
        segment,
        bool_and(is_form) as is_all_forms

    from word_forms
    group by sentence_id, segment

),

-- consecutive forms, whichever way the segmenter cut them
form_runs as (

    select
        word_forms.sentence_id,
        word_forms.token_position,
        word_forms.token_lower,
        word_forms.opens_word,
        word_forms.segment,
        form_words.is_all_forms,
        word_forms.token_position - row_number() over (
            partition by word_forms.sentence_id
            order by word_forms.token_position
        ) as run_key

    from word_forms
    inner join form_words
        on
            word_forms.sentence_id = form_words.sentence_id
            and word_forms.segment = form_words.segment
    where word_forms.is_form

),

run_members as (

    select
        *,
        count(*) over run as run_length,
        first_value(opens_word) over (run order by token_position) as run_opens_word,
        first_value(segment) over (run order by token_position) as run_segment,
        coalesce(
            token_lower = lag(token_lower) over (run order by token_position), false
        ) as repeats_previous

    from form_runs
    window run as (partition by sentence_id, run_key)

),

-- a run two forms long or more, opening a word, whose later forms are in
-- the first one's word or in words of forms only (not 中 of 米中間, the US midterm), and
-- no form twice in a row: 日日 is "every day" and 일일 "a matter", never Japan and Japan
compound_positions as (

    select
        sentence_id,
        token_position

    from run_members
    qualify
        run_length >= 2
        and run_opens_word
        and bool_and(segment = run_segment or is_all_forms)
            over (
                partition by sentence_id, run_key
            )
        and bool_and(not repeats_previous) over (partition by sentence_id, run_key)

),

word_starts as (

    select
        sentence_id,
        token_position

    from word_tokens
    where opens_word

),

-- 2. Positions where some phrase starts with that word, paired with each such phrase.
candidates as (

    select
        sentence_tokens.article_id,
        sentence_tokens.sentence_index,
        sentence_tokens.sentence_id,
        sentence_tokens.token_position,
        sentence_tokens.tokens,
        sentence_tokens.separators,
        sentence_tokens.segments,
        sentence_tokens.loaded_at,
        phrases.*

    from sentence_tokens
    inner join phrases
        on
            sentence_tokens.token_lower = phrases.first_token
            and sentence_tokens.language = phrases.language

),

-- 3. The candidates whose following words are the whole phrase.
occurrences as (

    select
        candidates.article_id,
        candidates.sentence_index,
        candidates.* exclude (
            article_id, sentence_index, tokens, separators, segments, loaded_at
        ),
        candidates.segments,
        candidates.token_position + candidates.token_count - 1 as token_end,
        candidates.tokens[
            candidates.token_position:candidates.token_position + candidates.token_count - 1
        ] as matched_tokens,
        candidates.tokens[candidates.token_position - 1] as previous_token,
        candidates.tokens[candidates.token_position + candidates.token_count] as next_token,
        candidates.tokens[candidates.token_position - 2] as second_previous_token,
        lower(candidates.tokens[candidates.token_position - 2]) as second_previous_word,
        lower(candidates.tokens[candidates.token_position + candidates.token_count + 1])
            as second_next_word,
        lower(candidates.tokens[candidates.token_position + candidates.token_count + 2])
            as third_next_word,
        -- the text between tokens: before the match, inside it, after it
        coalesce(candidates.separators[candidates.token_position], '') as separator_before,
        candidates.separators[
            candidates.token_position + 1:candidates.token_position + candidates.token_count - 1
        ] as inner_separators,
        coalesce(candidates.separators[candidates.token_position + candidates.token_count], '')
            as separator_after,
        -- where words have no spaces, the characters right after the match
        array_to_string(
            candidates.tokens[
                candidates.token_position + candidates.token_count:
                candidates.token_position + candidates.token_count + 5
            ],
            ''
        ) as following_text,
        candidates.token_position + candidates.token_count > len(candidates.tokens)
            as ends_sentence,
        candidates.loaded_at

    from candidates
    where
        {{ lower_tokens(
            'candidates.tokens[candidates.token_position:candidates.token_position + candidates.token_count - 1]'
        ) }} = candidates.phrase_tokens_lower

),

-- 4. Case rules: `exact` as written, `any` in any case, `capitalized` (the default for
--    aliases) when the first word starts with a capital or a digit ("turkey" is food). A
--    script without letter case has nothing to check. Where words have no spaces, the word
--    rules of step 1b.
case_checked as (

    select occurrences.*

    from occurrences
    left join word_starts
        on
            occurrences.sentence_id = word_starts.sentence_id
            and occurrences.token_position = word_starts.token_position
    left join compound_positions
        on
            occurrences.sentence_id = compound_positions.sentence_id
            and occurrences.token_position = compound_positions.token_position
    left join word_starts as next_word_starts
        on
            occurrences.sentence_id = next_word_starts.sentence_id
            and occurrences.token_end + 1 = next_word_starts.token_position
    where
        case
            when occurrences.case_rule = 'exact' then matched_tokens = phrase_tokens
            when occurrences.case_rule = 'any' then true
            when occurrences.language in ({{ "'" ~ var('unspaced_languages') | join("', '") ~ "'" }})
                then true
            else regexp_matches(matched_tokens[1], '^[\p{Lu}\p{N}]')
        end
        and (
            coalesce(occurrences.alias_kind, '') <> 'compound_form'
            or compound_positions.sentence_id is not null
        )
        and (
            occurrences.language not in ({{ "'" ~ var('unspaced_languages') | join("', '") ~ "'" }})
            or occurrences.segments is null
            or word_starts.sentence_id is not null
            or occurrences.alias_kind = 'compound_form'  -- its run opens a word (above)
            -- a person's name of three characters or more: segmenters cut transliterated
            -- names anywhere (长赫格塞思, 别洛乌|索夫), and so long a name is no other word's
            or (occurrences.entity_type = 'person' and occurrences.token_count >= 3)
        )
        -- a name in katakana ends where its word ends: タイ is not the start of タイムズ
        and (
            occurrences.language <> 'ja'
            or occurrences.segments is null
            or not regexp_full_match(occurrences.phrase_text, '[\p{Katakana}ー・]+')
            or occurrences.ends_sentence
            or next_word_starts.sentence_id is not null
        )

),

-- 5. What the words around an alias say it is (each list is a seed analysts edit):
--    - a name of something else when a capitalized word of seeds/name_words stands right
--      after or before it, or "<name word> of" before it: "Washington Post", "Native
--      American", "Hong Kong Stock Exchange", "Diplomatic Academy of Vietnam";
--    - a currency, a cuisine, a language or a place when a word of seeds/not_country_words
--      follows: "Japanese yen", "American buttercream", "Tibet plateau";
--    - a language when a demonym follows a word of seeds/language_cues and no noun follows it:
--      "learning Japanese", "speaks both Spanish and Portuguese";
--    - a currency sign right after it: "US$1 billion";
--    - not the alias when punctuation other than its own splits its words ("G., 7" is not G7)
--      or single letters are spaced instead of dotted ("U S A" in a citation).
context as (

    select
        *,
        entity_type in ('country', 'place') or alias_kind in ('capital', 'demonym')
            as is_place_word,
        lower(previous_token) as previous_word,
        lower(next_token) as next_word

    from case_checked

),

readings as (

    select
        *,
        (
            separator_after = ' '
            and regexp_matches(next_token, '^\p{Lu}')
            and next_word in (
                select word from name_words
                where side = 'after' and name_words.language = context.language
            )
        )
        or (
            separator_before = ' '
            and regexp_matches(previous_token, '^\p{Lu}')
            and previous_word in (
                select word from name_words
                where side = 'before' and name_words.language = context.language
            )
        )
        or (
            -- "the Diplomatic Academy of Vietnam", not "the town of Masinloc"; "Universidad de
            -- Pekín", "Banque de France"
            previous_word in ('of', 'de', 'del', 'du', 'des', 'd')
            and regexp_matches(second_previous_token, '^\p{Lu}')
            and second_previous_word in (
                select word from name_words
                where side = 'after' and name_words.language = context.language
            )
        )
        or (
            -- where words have no spaces: 日本 + 航空, 中国 + 地方, 대한 + 항공
            language in ({{ "'" ~ var('unspaced_languages') | join("', '") ~ "'" }})
            and exists (
                select 1 from name_words
                where
                    name_words.side = 'after'
                    and name_words.language = context.language
                    and starts_with(context.following_text, name_words.word)
            )
        ) as is_inside_another_name,
        separator_after in (' ', '-')
        and next_word in (
            select word from not_country_words
            where side = 'after' and not_country_words.language = context.language
        )
        or (
            separator_before in (' ', '-')
            and previous_word in (
                select word from not_country_words
                where side = 'before' and not_country_words.language = context.language
            )
        ) as is_followed_by_a_thing,
        alias_kind = 'demonym'
        and previous_word in (
            select word from language_cues
            where language_cues.language = context.language
        )
        and (next_token is null or next_word in ('and', 'or') or separator_after <> ' ')
            as is_a_language,
        starts_with(separator_after, '$') as is_a_currency_sign,
        token_count > 1
        and language not in ({{ "'" ~ var('unspaced_languages') | join("', '") ~ "'" }})
        and (
            list_bool_or(list_transform(inner_separators, lambda sep: regexp_matches(sep, '[,;:()/\[\]"“”]')))
            or (
                list_bool_and(list_transform(phrase_tokens, lambda token: len(token) = 1))
                and not list_bool_and(list_transform(inner_separators, lambda sep: sep = '.'))
            )
        ) as is_split_by_punctuation

    from context

),

-- 5b. Two demonyms joined by "and" or "or" (var coordinating_words) share their noun: in
--     "Italian and Georgian cuisine" both are cuisines, as "Georgian cuisine" alone is.
coordinated_readings as (

    select
        readings.* replace (
            readings.is_followed_by_a_thing
            or (
                readings.alias_kind = 'demonym'
                and readings.separator_after = ' '
                and exists (
                    select 1
                    from readings as partner
                    where
                        partner.sentence_id = readings.sentence_id
                        and partner.alias_kind = 'demonym'
                        and partner.is_followed_by_a_thing
                        and partner.token_position = readings.token_end + 2
                        and readings.language || ':' || readings.next_word in (
                            '' {#- never a language:word; keeps the list whole if it is empty #}
                            {%- for language, words in coordinating_words.items() %}
                            {%- for word in words %},
                            '{{ language }}:{{ word }}'
                            {%- endfor %}
                            {%- endfor %}
                        )
                )
            ) as is_followed_by_a_thing
        )

    from readings

),

-- 6. A capital stands for its government only where the sentence says so: a reporting or
--    action verb after it ("Beijing said", "Tokyo has urged", "Washington's demands") or a
--    government context before it ("officials in Washington", "envoy to Kyiv"), from
--    seeds/capital_cues. As a place ("flights to Paris", "Washington-based", a dateline) or
--    inside a name it is nobody's government.
capital_readings as (

    select
        *,
        coalesce(alias_kind, '') <> 'capital'
        -- the possessive: "Washington's demands", "to Beijing's chagrin"; not the city's own
        -- places and people: "Berlin's mayor", "Stockholm's Södermalm district"
        or (
            next_word = 's'
            and separator_after in (chr(39), '’')
            and coalesce(second_next_word, '') not in (
                select cue from capital_cues
                where position = 'place_after' and language = 'en'
            )
            and coalesce(third_next_word, '') not in (
                select cue from capital_cues
                where position = 'place_after' and language = 'en'
            )
        )
        or previous_word in (
            select cue from capital_cues
            where position = 'before' and language = 'en'
        )
        or second_previous_word || ' ' || previous_word
        in (
            select cue from capital_cues
            where position = 'before' and language = 'en'
        )
        or (
            -- "the embassy in Beijing said": after a place word the verb is someone else's
            coalesce(previous_word, '') not in (
                select cue from capital_cues
                where position = 'place' and language = 'en'
            )
            and separator_after = ' '
            and (
                next_word in (
                    select cue from capital_cues
                    where position = 'after' and language = 'en'
                )
                -- a verb in the past: "Washington invaded", "Beijing attempted"
                or regexp_matches(next_word, '^[a-z]+ed$')
                or (
                    -- "Beijing has calculated", "Washington had concluded", "Seoul will respond"
                    next_word in (
                        select cue from capital_cues
                        where position = 'auxiliary' and language = 'en'
                    )
                    and (
                        second_next_word in (
                            select cue from capital_cues
                            where position = 'after' and language = 'en'
                        )
                        or regexp_matches(second_next_word, '^[a-z]+(ed|ing)$')
                    )
                )
            )
        ) as is_government

    from coordinated_readings

),

-- 6b. In the other tagged languages the rule is the reverse (seeds/capital_cues says why): a
--     capital stands for its government unless a place word stands right before it (en
--     Pekín, à Pékin, в Пекине, 在北京), a particle right after it (東京で, 서울에서), or it
--     opens a dateline: a comma, dash, bracket or date right after it at a sentence's start,
--     or a digit right after it (华夏通讯社北京10月3日电).
other_languages_capitals as (

    select
        capital_readings.* exclude (is_government),
        case
            when capital_readings.language = 'en' then capital_readings.is_government
            when coalesce(capital_readings.alias_kind, '') <> 'capital' then true
            else not (
                coalesce(capital_readings.previous_word, '') in (
                    select cue from capital_cues
                    where
                        position = 'place_before'
                        and language = capital_readings.language
                )
                or coalesce(capital_readings.next_word, '') in (
                    select cue from capital_cues
                    where
                        position = 'place_after'
                        and language = capital_readings.language
                )
                or (
                    capital_readings.token_position = 1
                    and regexp_matches(capital_readings.separator_after, '^\s*[,(\-–—（【＝]')
                )
                or regexp_matches(coalesce(capital_readings.next_token, ''), '^[0-9０-９]')
            )
        end as is_government

    from capital_readings

),

-- "Officials in Washington and London said": a capital joined by "and" or "or" to one that
-- stands for its government stands for its own.
coordinated as (

    select
        other_languages_capitals.* exclude (is_government),
        other_languages_capitals.is_government
        or (
            other_languages_capitals.language = 'en'
            and other_languages_capitals.alias_kind = 'capital'
            and (
                other_languages_capitals.previous_word in ('and', 'or')
                or other_languages_capitals.next_word in ('and', 'or')
            )
            and exists (
                select 1
                from capital_readings as partner
                where
                    partner.article_id = other_languages_capitals.article_id
                    and partner.sentence_index = other_languages_capitals.sentence_index
                    and partner.alias_kind = 'capital'
                    and partner.is_government
                    and abs(partner.token_position - other_languages_capitals.token_position) = 2
            )
        ) as is_government

    from other_languages_capitals

),

in_context as (

    select * exclude (is_place_word, previous_word, next_word)
    from coordinated
    -- a missing word around the alias (the start or end of a sentence) rules nothing out
    where
        not coalesce(is_place_word and is_inside_another_name, false)
        and not coalesce(is_place_word and is_followed_by_a_thing, false)
        and not coalesce(is_a_language, false)
        and not coalesce(is_a_currency_sign, false)
        and not coalesce(is_split_by_punctuation, false)
        and coalesce(is_government, false)

),

-- 7. Occurrences overlapped by a longer one of the same kind ("China" inside "East China
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

-- 8. What is left: the longest occurrences.
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
        stands_alone,
        language,
        issue_id,
        requires_entity_id,
        requires_scope,
        phrase_tokens_lower,
        matched_tokens,
        previous_token,
        next_token,
        separator_after,
        loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from longest

)

select * from final
