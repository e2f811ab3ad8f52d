-- Every spike has its baseline and is explained by exactly the articles it counts; no other day
-- lists driving articles. Fails on each row that breaks this.
select
    subject_day_id,
    is_spike,
    baseline_days,
    article_count,
    driving_article_ids

from {{ ref('fct_attention_spikes') }}
where
    (
        is_spike
        and (
            baseline_days < {{ var('spike_min_baseline_days', 14) }}
            or driving_article_ids is null
            or len(list_distinct(driving_article_ids)) != article_count
        )
    )
    or (not is_spike and driving_article_ids is not null)
