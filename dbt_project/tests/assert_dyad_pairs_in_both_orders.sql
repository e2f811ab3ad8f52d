-- agg_dyad_daily_pairs holds every row of agg_dyad_daily exactly twice, once in each order of
-- its pair, and nothing else: fails on each row one has that the other lacks.
with

stored as (

    select
        published_date,
        outlet_id,
        language,
        country_a_id,
        country_b_id,
        sentence_count
    from {{ ref('agg_dyad_daily') }}

),

pairs as (

    select
        published_date,
        outlet_id,
        language,
        country_a_id,
        country_b_id,
        sentence_count
    from {{ ref('agg_dyad_daily_pairs') }}

),

expected as (

    select * from stored
    union all
    select
        published_date,
        outlet_id,
        language,
        country_b_id as country_a_id,
        country_a_id as country_b_id,
        sentence_count
    from stored

),

missing as (

    select * from expected
    except all
    select * from pairs

),

extra as (

    select * from pairs
    except all
    select * from expected

),

final as (

    select
        'missing from agg_dyad_daily_pairs' as problem,
        missing.*
    from missing
    union all
    select
        'not in agg_dyad_daily' as problem,
        extra.*
    from extra

)

select * from final
