-- Is the tone of Japan–China sentences warming? Weekly mean tone of sentences naming both,
-- with a 4-week moving average (each sentence weighs the same, however busy its week). Tone is
-- read in English only: other languages' sentences count but have no tone.
with

weekly as (

    select
        cast(date_trunc('week', published_date) as date) as week_start,
        sum(sentence_count) as sentences,
        sum(sentence_count) filter (where tone_sum is not null) as toned_sentences,
        sum(tone_sum) as tone_sum
    from marts.agg_dyad_daily
    where country_a_id = 'china' and country_b_id = 'japan'
    group by all

)

select
    week_start,
    sentences,
    round(tone_sum / toned_sentences, 3) as mean_tone,
    round(
        sum(tone_sum) over last_4_weeks / sum(toned_sentences) over last_4_weeks, 3
    ) as moving_average_4_weeks

from weekly
window last_4_weeks as (order by week_start rows between 3 preceding and current row)
order by week_start
