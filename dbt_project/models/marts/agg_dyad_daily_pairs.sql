{{ config(materialized='view') }}

-- agg_dyad_daily stores each pair once, alphabetically (country_a_id < country_b_id), so a
-- question asked the other way round (japan, china) would find nothing. This view holds every
-- row in both orders: ask for a pair either way round, or for one country's partners with
-- country_a_id alone. Each pair is here twice, so never sum over both orders (is_stored_order
-- picks one).
with

dyads as (

    select * from {{ ref('agg_dyad_daily') }}

),

both_orders as (

    select
        published_date,
        outlet_id,
        language,
        country_a_id,
        country_b_id,
        true as is_stored_order,
        sentence_count,
        article_count,
        tone_sum,
        mean_tone,
        positive_sentence_count,
        negative_sentence_count,
        loaded_at,
        taxonomy_version
    from dyads

    union all

    select
        published_date,
        outlet_id,
        language,
        country_b_id as country_a_id,
        country_a_id as country_b_id,
        false as is_stored_order,
        sentence_count,
        article_count,
        tone_sum,
        mean_tone,
        positive_sentence_count,
        negative_sentence_count,
        loaded_at,
        taxonomy_version
    from dyads

),

final as (

    select
        least(country_a_id, country_b_id) || '+' || greatest(country_a_id, country_b_id) as pair_id,
        published_date,
        outlet_id,
        language,
        country_a_id,
        country_b_id,
        is_stored_order,
        sentence_count,
        article_count,
        tone_sum,
        mean_tone,
        positive_sentence_count,
        negative_sentence_count,
        loaded_at,
        taxonomy_version

    from both_orders

)

select * from final
