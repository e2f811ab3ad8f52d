{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed() }}",
    )
}}

-- Incremental by article (macros/incremental.sql): the changed articles' mentions are summarised
-- again; an article re-extracted with no mention left loses its old rows.
with

mentions as (

    select * from {{ ref('int_issue_mentions__matched') }}
    where {{ is_new() }}

),

-- every tagged sentence, in every language; tone where the tone model reads the language
sentence_tone as (

    select * from {{ ref('int_sentences__contexted') }}
    where {{ is_new() }}

),

issues as (

    select * from {{ ref('dim_issues') }}

),

per_sentence as (

    select
        article_id,
        sentence_index,
        issue_id,
        count(*) as term_count,
        list_sort(list_distinct(list(term))) as matched_terms,
        max(loaded_at) as loaded_at

    from mentions
    group by article_id, sentence_index, issue_id

),

final as (

    select
        md5(
            per_sentence.article_id || ':' || per_sentence.sentence_index
            || ':' || per_sentence.issue_id
        ) as issue_mention_id,
        sentence_tone.sentence_id,
        per_sentence.article_id,
        per_sentence.sentence_index,
        per_sentence.issue_id,
        issues.root_issue_id,
        sentence_tone.outlet_id,
        sentence_tone.language,
        per_sentence.matched_terms,
        sentence_tone.sentence_text,
        per_sentence.term_count,
        sentence_tone.tone,
        sentence_tone.published_at,
        sentence_tone.published_date,
        per_sentence.loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from per_sentence
    inner join sentence_tone
        on
            per_sentence.article_id = sentence_tone.article_id
            and per_sentence.sentence_index = sentence_tone.sentence_index
    inner join issues
        on per_sentence.issue_id = issues.issue_id

)

select * from final
