{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed(version_column=none) }}",
    )
}}

-- One row per sentence of an article, with its tokens for matching. The workers store them
-- (flows/text/tokens.py: the rule of macros/tokens.sql, segmented where words have no
-- spaces); a sentence stored without them (written by hand, or before the workers did this)
-- is tokenized here by the same rule. Raw sentences are deduplicated here, once, for the
-- changed articles only: a batch loaded twice keeps the latest copy of each sentence.
with

changed_articles as (

    select * from {{ ref('int_articles__versioned') }}
    where {{ is_new() }}

),

sentences as (

    select * from {{ ref('stg_newswatch__sentences') }}

),

latest_copies as (

    select
        sentences.*,
        changed_articles.detected_language as language,
        changed_articles.is_tagged,
        changed_articles.loaded_at as article_loaded_at

    from sentences
    inner join changed_articles
        on sentences.article_id = changed_articles.article_id
    qualify row_number() over (
        partition by sentences.article_id, sentences.sentence_index
        order by sentences.loaded_at desc
    ) = 1

),

final as (

    select
        sentence_id,
        article_id,
        sentence_index,
        sentence_part,
        sentence_text,
        char_start,
        char_end,
        word_count,
        language,
        is_tagged,
        coalesce(tokens, {{ tokenize('sentence_text') }}) as tokens,
        coalesce(separators, {{ token_separators('sentence_text') }}) as separators,
        paragraph_index,
        name_runs,
        -- where words have no spaces: the word each token is in (null elsewhere: each token is
        -- a word); null, too, for a sentence tokenized here rather than by the workers
        case when tokens is null then null else segments end as segments,
        analyser,
        article_loaded_at as loaded_at

    from latest_copies

)

select * from final
