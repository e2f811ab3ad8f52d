{#- Thresholds are project vars with these defaults (override with --vars); the yml explains
    each one. -#}
{%- set window_days = var('spike_baseline_window_days', 28) -%}
{%- set min_baseline_days = var('spike_min_baseline_days', 14) -%}
{%- set min_articles = var('spike_min_articles', 3) -%}
{%- set min_score = var('spike_min_score', 3) -%}
{%- set min_ratio = var('spike_min_share_ratio', 2) -%}

-- Scored on shares of the day's articles, so more articles overall (a feed added, a busy news
-- day) is no spike; only a subject taking a larger part of the coverage is.
with

articles as (

    select * from {{ ref('dim_articles') }}

),

entity_daily as (

    select * from {{ ref('agg_entity_daily') }}

),

issue_daily as (

    select * from {{ ref('agg_issue_daily') }}

),

entity_mentions as (

    select * from {{ ref('fct_entity_mentions') }}

),

issue_mentions as (

    select * from {{ ref('fct_issue_mentions') }}

),

issues as (

    select * from {{ ref('dim_issues') }}

),

subject_stories as (

    select * from {{ ref('int_stories__subject_daily') }}

),

-- Only articles with text can mention anything: they are the denominator.
day_totals as (

    select
        published_date,
        count(*) as day_article_count,
        count(distinct story_id) as day_story_count

    from articles
    where has_text and published_date is not null  -- an undated backfilled article: no day
    group by published_date

),

day_baselines as (

    select
        published_date,
        day_article_count,
        count(*) over trailing_window as baseline_days,
        cast(coalesce(sum(day_article_count) over trailing_window, 0) as bigint)
            as baseline_total_article_count

    from day_totals
    window trailing_window as (
        order by published_date
        range between interval {{ window_days }} day preceding and interval 1 day preceding
    )

),

-- An article has one outlet, so summing the per-outlet counts counts each article once.
subject_days as (

    select
        'entity' as subject_type,
        entity_id as subject_id,
        published_date,
        cast(sum(article_count) as bigint) as article_count

    from entity_daily
    group by entity_id, published_date

    union all

    select
        'issue' as subject_type,
        issue_id as subject_id,
        published_date,
        cast(sum(article_count) as bigint) as article_count

    from issue_daily
    group by issue_id, published_date

),

-- Days without a row for the subject add nothing: its share was zero then.
subject_baselines as (

    select
        subject_type,
        subject_id,
        published_date,
        article_count,
        cast(coalesce(sum(article_count) over trailing_window, 0) as bigint)
            as baseline_article_count

    from subject_days
    window trailing_window as (
        partition by subject_type, subject_id
        order by published_date
        range between interval {{ window_days }} day preceding and interval 1 day preceding
    )

),

shares as (

    select
        subject_baselines.subject_type,
        subject_baselines.subject_id,
        subject_baselines.published_date,
        subject_baselines.article_count,
        day_baselines.day_article_count,
        subject_baselines.article_count / day_baselines.day_article_count as day_share,
        day_baselines.baseline_days,
        subject_baselines.baseline_article_count,
        day_baselines.baseline_total_article_count,
        subject_baselines.baseline_article_count
        / nullif(day_baselines.baseline_total_article_count, 0) as baseline_share,
        -- One pseudo-article each way, so a subject never seen before has a small expected
        -- share rather than zero, and the score stays finite.
        (subject_baselines.baseline_article_count + 1)
        / (day_baselines.baseline_total_article_count + 2) as smoothed_share

    from subject_baselines
    inner join day_baselines
        on subject_baselines.published_date = day_baselines.published_date

),

-- Poisson rate: how many of the day's articles would mention the subject at its baseline share.
rates as (

    select
        *,
        day_article_count * baseline_share as expected_article_count,
        day_article_count * smoothed_share as poisson_rate

    from shares

),

-- score = -log10 P(at least article_count | Poisson(poisson_rate)): 3 is a one-in-a-thousand
-- day. The upper tail is bounded by the geometric series of its terms,
-- t_k * (k + 1) / (k + 1 - rate): within a few hundredths of the exact score where it matters,
-- never in a spike's favour, and one exp per row. At or below the expected count: 0.
scored as (

    select
        *,
        case
            when baseline_days < {{ min_baseline_days }} then null
            when article_count <= poisson_rate then 0.0
            else round(
                greatest(
                    0.0,
                    -log10(least(1.0, greatest(
                        1e-300,
                        exp(
                            -poisson_rate
                            + article_count * ln(poisson_rate)
                            - lgamma(article_count + 1)
                        )
                        * (article_count + 1) / (article_count + 1 - poisson_rate)
                    )))
                ),
                3
            )
        end as score

    from rates

),

flagged as (

    select
        *,
        coalesce(
            score >= {{ min_score }}
            and article_count >= {{ min_articles }}
            and day_share >= {{ min_ratio }} * baseline_share,
            false
        ) as is_spike

    from scored

),

spikes as (

    select
        subject_type,
        subject_id,
        published_date

    from flagged
    where is_spike

),

entity_drivers as (

    select
        spikes.subject_type,
        spikes.subject_id,
        spikes.published_date,
        entity_mentions.article_id,
        count(*) as sentence_count

    from spikes
    inner join entity_mentions
        on
            spikes.subject_id = entity_mentions.entity_id
            and spikes.published_date = entity_mentions.published_date
    where spikes.subject_type = 'entity'
    group by all

),

-- An issue's articles include those of its sub-issues, as in agg_issue_daily.
issue_drivers as (

    select
        spikes.subject_type,
        spikes.subject_id,
        spikes.published_date,
        issue_mentions.article_id,
        count(distinct issue_mentions.sentence_id) as sentence_count

    from spikes
    inner join issues
        on list_contains(string_split(issues.path, ' > '), spikes.subject_id)
    inner join issue_mentions
        on
            issues.issue_id = issue_mentions.issue_id
            and spikes.published_date = issue_mentions.published_date
    where spikes.subject_type = 'issue'
    group by all

),

drivers as (

    select
        subject_type,
        subject_id,
        published_date,
        -- Most sentences first: the articles most about the subject lead.
        list(article_id order by sentence_count desc, article_id asc) as driving_article_ids

    from (
        select * from entity_drivers
        union all
        select * from issue_drivers
    ) as driver_articles
    group by subject_type, subject_id, published_date

),

final as (

    select
        flagged.subject_type || ':' || flagged.subject_id || ':'
        || strftime(flagged.published_date, '%Y-%m-%d') as subject_day_id,
        flagged.subject_type,
        flagged.subject_id,
        flagged.published_date,
        flagged.article_count,
        flagged.day_article_count,
        flagged.day_share,
        flagged.baseline_days,
        flagged.baseline_article_count,
        flagged.baseline_total_article_count,
        flagged.baseline_share,
        flagged.expected_article_count,
        flagged.score,
        flagged.is_spike,
        drivers.driving_article_ids,
        -- attention by story: copies of one story count once
        coalesce(subject_stories.story_count, flagged.article_count) as story_count,
        day_totals.day_story_count,
        coalesce(subject_stories.story_count, flagged.article_count)
        / day_totals.day_story_count as story_day_share,
        coalesce(subject_stories.largest_story_article_count, 1) as largest_story_article_count,
        flagged.article_count > 1
        and coalesce(subject_stories.story_count, flagged.article_count) = 1 as is_one_story

    from flagged
    left join drivers
        on
            flagged.subject_type = drivers.subject_type
            and flagged.subject_id = drivers.subject_id
            and flagged.published_date = drivers.published_date
    left join subject_stories
        on
            flagged.subject_type = subject_stories.subject_type
            and flagged.subject_id = subject_stories.subject_id
            and flagged.published_date = subject_stories.published_date
    inner join day_totals
        on flagged.published_date = day_totals.published_date

)

select * from final
