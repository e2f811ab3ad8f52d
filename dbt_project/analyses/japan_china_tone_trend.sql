-- Is the tone of Japan–China sentences warming? Weekly mean tone of sentences naming both,
-- with a 4-week moving average.
with

weekly as (

    select
        date_trunc('week', published_date) as week,
        sum(sentence_count) as sentences,
        sum(tone_sum) / sum(sentence_count) as mean_tone
    from marts.agg_dyad_daily
    where country_a_id = 'china' and country_b_id = 'japan'
    group by all

)

select
    week,
    sentences,
    round(mean_tone, 3) as mean_tone,
    round(
        avg(mean_tone) over (order by week rows between 3 preceding and current row), 3
    ) as moving_average_4_weeks

from weekly
order by week
