{{ config(tags=['taxonomy']) }}

with

entities as (

    select * from {{ ref('entities') }}

),

aliases as (

    select * from {{ ref('entity_aliases') }}

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

final as (

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
        coalesce(alias_lists.alias_count, 0) as alias_count

    from entities
    left join alias_lists
        on entities.entity_id = alias_lists.entity_id

)

select * from final
