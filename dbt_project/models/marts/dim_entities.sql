-- Curated entities from the seeds, and every person the seeds do not know but an article
-- named (int_persons__mentioned), each with how often and since when the news names them.
-- A dimension reads no fact: the counts sum int_entity_mentions__counted, which counts the
-- mentions as fct_entity_mentions does.
with

entities as (

    select * from {{ ref('entities') }}

),

aliases as (

    select * from {{ ref('entity_aliases') }}

),

persons as (

    select * from {{ ref('int_persons__mentioned') }}

),

article_mentions as (

    select * from {{ ref('int_entity_mentions__counted') }}

),

alias_lists as (

    select
        entity_id,
        list(alias order by alias) filter (where alias_kind <> 'surname') as aliases,
        any_value(alias) filter (where alias_kind = 'surname') as surname,
        count(*) as alias_count

    from aliases
    group by entity_id

),

curated as (

    select
        entities.entity_id,
        entities.name,
        entities.entity_type,
        entities.country_code,
        entities.wikidata_id,
        entities.role,
        entities.description,
        coalesce(alias_lists.aliases, []) as aliases,
        alias_lists.surname,
        coalesce(alias_lists.alias_count, 0) as alias_count,
        true as is_curated,
        cast([] as varchar[]) as former_ids

    from entities
    left join alias_lists
        on entities.entity_id = alias_lists.entity_id

),

-- A discovered person's name is the full name articles give most often. Its former ids: the
-- slugs of the full names as written, which the rules before people-10 issued as ids ("Michael
-- R. Bloomberg" was michael-r-bloomberg; with middle initials left out, michael-bloomberg).
discovered as (

    select
        entity_id,
        mode(full_name) as name,
        'person' as entity_type,
        cast(null as varchar) as country_code,
        cast(null as varchar) as wikidata_id,
        cast(null as varchar) as role,
        cast(null as varchar) as description,
        list_sort(list_distinct(list(full_name))) as aliases,
        cast(null as varchar) as surname,
        0 as alias_count,
        false as is_curated,
        coalesce(
            list_sort(list_distinct(
                list({{ slugify('full_name') }})
                filter (where {{ slugify('full_name') }} <> entity_id)
            )),
            cast([] as varchar[])
        ) as former_ids

    from persons
    where not is_curated
    group by entity_id

),

-- hugeint: the type these two columns have had since they summed the daily rollup
counts as (

    select
        entity_id,
        sum(mention_count) as mention_count,
        cast(count(*) as hugeint) as article_count,
        min(published_date) as first_mentioned_date,
        max(published_date) as last_mentioned_date,
        min(first_seen_at) as first_seen_at

    from article_mentions
    group by entity_id

),

final as (

    select
        all_entities.* exclude (former_ids),
        coalesce(counts.mention_count, 0) as mention_count,
        coalesce(counts.article_count, 0) as article_count,
        counts.first_mentioned_date,
        counts.last_mentioned_date,
        counts.first_seen_at,
        all_entities.former_ids

    from (
        select * from curated
        union all by name
        select * from discovered
        where entity_id not in (select entity_id from curated)
    ) as all_entities
    left join counts
        on all_entities.entity_id = counts.entity_id

)

select * from final
