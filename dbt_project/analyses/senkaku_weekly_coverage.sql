-- How often was the East China Sea / Senkaku dispute covered each week, by which outlets,
-- in what tone? (Counts include sub-issues; tone is that of the sentences about the issue, in
-- the languages whose tone is read.)
select
    cast(date_trunc('week', published_date) as date) as week_start,
    outlet_id,
    sum(sentence_count) as sentences,
    sum(article_count) as articles,
    round(sum(tone_sum) / sum(sentence_count) filter (where tone_sum is not null), 3) as mean_tone

from marts.agg_issue_daily
where issue_id = 'east-china-sea-senkaku'
group by all
order by week_start, outlet_id
