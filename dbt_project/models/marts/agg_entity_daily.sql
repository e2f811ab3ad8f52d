with

mentions as (

    select * from {{ ref('fct_entity_mentions') }}

),

final as (

    select
        published_date,
        outlet_id,
        entity_id,
        any_value(entity_type) as entity_type,
        sum(mention_count) as mention_count,
        count(*) as sentence_count,
        count(distinct article_id) as article_count,
        sum(tone) as tone_sum,
        avg(tone) as mean_tone,
        count(*) filter (where tone >= 0.05) as positive_sentence_count,
        count(*) filter (where tone <= -0.05) as negative_sentence_count

    from mentions
    group by published_date, outlet_id, entity_id

)

select * from final
