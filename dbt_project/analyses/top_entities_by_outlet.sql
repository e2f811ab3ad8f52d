-- The most-mentioned entities per outlet over the 30 days up to the newest article in the
-- warehouse (not up to today: an archive that stopped, or the demo's fixed dates, would show
-- nothing), with entity-targeted tone.
with

newest as (

    select max(published_date) as published_date
    from marts.agg_entity_daily

)

select
    agg_entity_daily.outlet_id,
    agg_entity_daily.entity_id,
    sum(agg_entity_daily.mention_count) as mentions,
    sum(agg_entity_daily.article_count) as articles,
    round(
        sum(agg_entity_daily.tone_sum)
        / sum(agg_entity_daily.sentence_count) filter (where agg_entity_daily.tone_sum is not null),
        3
    ) as mean_tone

from marts.agg_entity_daily
inner join newest
    on agg_entity_daily.published_date > newest.published_date - interval 30 days
group by agg_entity_daily.outlet_id, agg_entity_daily.entity_id
qualify row_number() over (partition by agg_entity_daily.outlet_id order by mentions desc) <= 10
order by agg_entity_daily.outlet_id asc, mentions desc
