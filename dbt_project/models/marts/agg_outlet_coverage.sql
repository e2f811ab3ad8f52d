-- Outlets compared: one row per day × outlet × language × copy (own or wire) × subject, with
-- the outlet's own totals for that day as the subject 'all'. The counts add up over days (but
-- story_count: a story carried on two days counts on each), so a period's share is
-- sum(article_count) / sum(the 'all' row's article_count), never a mean of daily shares.
-- Incremental by day, as agg_entity_daily (macros/incremental.sql, macros/stories.sql): the
-- days of changed articles, before and after the change, and the days of articles moved to
-- another story are counted again from the facts of those days; the other days' rows stay.
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook=["{{ delete_restoried_days() }}", "{{ delete_changed('published_date') }}"],
    )
}}

with

articles as (

    select * from {{ ref('dim_articles') }}
    where has_text and {{ is_restoried_day() }}

),

entity_mentions as (

    select * from {{ ref('fct_entity_mentions') }}
    where {{ is_restoried_day() }}

),

issue_mentions as (

    select * from {{ ref('fct_issue_mentions') }}
    where {{ is_restoried_day() }}

),

ancestors as (

    select * from {{ ref('int_issues__ancestors') }}

),

quotes as (

    select * from {{ ref('fct_quotes') }}
    where {{ is_restoried_day() }}

),

entities as (

    select * from {{ ref('dim_entities') }}

),

term_occurrences as (

    select * from {{ ref('int_issue_mentions__matched') }}
    where article_id in (select articles.article_id from articles)

),

-- A term with a frame names one side's words (seeds/README.md, Framing). A term listed for
-- several languages counts once, with its frame; one the seeds frame two ways counts for none.
framed_terms as (

    select
        issue_id,
        term,
        any_value(framing) as framing

    from {{ ref('issue_terms') }}
    where framing is not null
    group by issue_id, term
    having count(distinct framing) = 1

),

-- Wire copy credits a news agency in its text (wire_source); the rest is the outlet's own.
covered_articles as (

    select
        article_id,
        outlet_id,
        published_date,
        coalesce(detected_language, 'und') as language,
        case when wire_source is null then 'own' else 'wire' end as copy_kind,
        story_id

    from articles
    -- a page with no usable date has no day to compare on
    where published_date is not null

),

-- An issue's sentences count for every issue above it too, as in agg_issue_daily.
subject_sentences as (

    select
        'entity' as subject_type,
        entity_id as subject_id,
        article_id,
        sentence_id,
        tone

    from entity_mentions

    union all

    select distinct
        'issue' as subject_type,
        ancestors.ancestor_issue_id as subject_id,
        issue_mentions.article_id,
        issue_mentions.sentence_id,
        issue_mentions.tone

    from issue_mentions
    inner join ancestors
        on issue_mentions.issue_id = ancestors.issue_id

),

-- Tone is the tone of the sentences naming the subject (targeted), not of the whole article.
subject_articles as (

    select
        subject_type,
        subject_id,
        article_id,
        count(*) as sentence_count,
        sum(tone) as tone_sum,
        count(tone) as toned_sentence_count

    from subject_sentences
    group by subject_type, subject_id, article_id

    union all

    select
        'all' as subject_type,
        'all' as subject_id,
        article_id,
        0 as sentence_count,
        null as tone_sum,
        0 as toned_sentence_count

    from covered_articles

),

-- Who an article quotes: each speaker named, with the country the seeds give it (a foreign
-- ministry and its spokesperson both count for their country); unknown speakers count only in
-- quote_count.
article_speakers as (

    select
        quotes.article_id,
        quotes.speaker_entity_id,
        any_value(coalesce(entities.name, quotes.speaker_name)) as speaker_name,
        any_value(entities.country_code) as country_code,
        count(*) as quote_count

    from quotes
    left join entities
        on quotes.speaker_entity_id = entities.entity_id
    where quotes.speaker_entity_id is not null
    group by quotes.article_id, quotes.speaker_entity_id

),

article_quotes as (

    select
        article_id,
        count(*) as quote_count,
        count(speaker_entity_id) as attributed_quote_count

    from quotes
    group by article_id

),

article_framings as (

    select
        term_occurrences.article_id,
        framed_terms.framing,
        count(*) as term_count

    from term_occurrences
    inner join framed_terms
        on
            term_occurrences.issue_id = framed_terms.issue_id
            and term_occurrences.term = framed_terms.term
    group by term_occurrences.article_id, framed_terms.framing

),

rows_articles as (

    select
        covered_articles.published_date,
        covered_articles.outlet_id,
        covered_articles.language,
        covered_articles.copy_kind,
        subject_articles.subject_type,
        subject_articles.subject_id,
        covered_articles.article_id,
        covered_articles.story_id,
        subject_articles.sentence_count,
        subject_articles.tone_sum,
        subject_articles.toned_sentence_count

    from subject_articles
    inner join covered_articles
        on subject_articles.article_id = covered_articles.article_id

),

counted as (

    select
        rows_articles.published_date,
        rows_articles.outlet_id,
        rows_articles.language,
        rows_articles.copy_kind,
        rows_articles.subject_type,
        rows_articles.subject_id,
        count(*) as article_count,
        count(distinct rows_articles.story_id) as story_count,
        sum(rows_articles.sentence_count) as sentence_count,
        sum(rows_articles.tone_sum) as tone_sum,
        sum(rows_articles.toned_sentence_count) as toned_sentence_count,
        coalesce(sum(article_quotes.quote_count), 0) as quote_count,
        coalesce(sum(article_quotes.attributed_quote_count), 0) as attributed_quote_count

    from rows_articles
    left join article_quotes
        on rows_articles.article_id = article_quotes.article_id
    group by all

),

speakers as (

    select
        rows_articles.published_date,
        rows_articles.outlet_id,
        rows_articles.language,
        rows_articles.copy_kind,
        rows_articles.subject_type,
        rows_articles.subject_id,
        -- most quoted first: sorted after the aggregate on a leading key, not with an ORDER
        -- BY inside it, which buffers every group's rows apart and ran out of the run's
        -- 512 MB on a million articles (687k groups)
        list_transform(
            list_sort(
                list(
                    {
                        'order_key': -quote_count,
                        'speaker_entity_id': speaker_entity_id,
                        'speaker_name': speaker_name,
                        'country_code': country_code,
                        'quote_count': quote_count
                    }
                )
            ),
            lambda speaker: {
                'speaker_entity_id': speaker.speaker_entity_id,
                'speaker_name': speaker.speaker_name,
                'country_code': speaker.country_code,
                'quote_count': speaker.quote_count
            }
        ) as quoted_speakers

    from (
        select
            rows_articles.published_date,
            rows_articles.outlet_id,
            rows_articles.language,
            rows_articles.copy_kind,
            rows_articles.subject_type,
            rows_articles.subject_id,
            article_speakers.speaker_entity_id,
            any_value(article_speakers.speaker_name) as speaker_name,
            any_value(article_speakers.country_code) as country_code,
            cast(sum(article_speakers.quote_count) as bigint) as quote_count

        from rows_articles
        inner join article_speakers
            on rows_articles.article_id = article_speakers.article_id
        group by all
    ) as rows_articles
    group by all

),

framings as (

    select
        rows_articles.published_date,
        rows_articles.outlet_id,
        rows_articles.language,
        rows_articles.copy_kind,
        rows_articles.subject_type,
        rows_articles.subject_id,
        list_transform(
            list_sort(
                list(
                    {
                        'order_key': -term_count,
                        'framing': framing,
                        'term_count': term_count,
                        'article_count': article_count
                    }
                )
            ),
            lambda framed: {
                'framing': framed.framing,
                'term_count': framed.term_count,
                'article_count': framed.article_count
            }
        ) as framings

    from (
        select
            rows_articles.published_date,
            rows_articles.outlet_id,
            rows_articles.language,
            rows_articles.copy_kind,
            rows_articles.subject_type,
            rows_articles.subject_id,
            article_framings.framing,
            cast(sum(article_framings.term_count) as bigint) as term_count,
            count(*) as article_count

        from rows_articles
        inner join article_framings
            on rows_articles.article_id = article_framings.article_id
        group by all
    ) as rows_articles
    group by all

),

outlet_totals as (

    select
        published_date,
        outlet_id,
        language,
        copy_kind,
        article_count as outlet_article_count

    from counted
    where subject_type = 'all'

),

final as (

    select
        counted.published_date,
        counted.outlet_id,
        counted.language,
        counted.copy_kind,
        counted.subject_type,
        counted.subject_id,
        counted.article_count,
        outlet_totals.outlet_article_count,
        counted.article_count / outlet_totals.outlet_article_count as article_share,
        counted.story_count,
        cast(counted.sentence_count as bigint) as sentence_count,
        cast(counted.tone_sum as double) as tone_sum,
        cast(counted.toned_sentence_count as bigint) as toned_sentence_count,
        counted.tone_sum / nullif(counted.toned_sentence_count, 0) as mean_tone,
        cast(counted.quote_count as bigint) as quote_count,
        cast(counted.attributed_quote_count as bigint) as attributed_quote_count,
        coalesce(speakers.quoted_speakers, []) as quoted_speakers,
        coalesce(framings.framings, []) as framings,
        {{ restoried_stamp() }} as loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from counted
    inner join outlet_totals
        using (published_date, outlet_id, language, copy_kind)
    left join speakers
        using (published_date, outlet_id, language, copy_kind, subject_type, subject_id)
    left join framings
        using (published_date, outlet_id, language, copy_kind, subject_type, subject_id)

)

select * from final
