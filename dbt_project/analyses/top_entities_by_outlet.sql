-- The most-mentioned entities per outlet over the last 30 days, with entity-targeted tone.
select
    outlet_id,
    entity_id,
    sum(mention_count) as mentions,
    sum(article_count) as articles,
    round(sum(tone_sum) / sum(sentence_count), 3) as mean_tone

from marts.agg_entity_daily
where published_date >= current_date - interval 30 days
group by outlet_id, entity_id
qualify row_number() over (partition by outlet_id order by mentions desc) <= 10
order by outlet_id asc, mentions desc
