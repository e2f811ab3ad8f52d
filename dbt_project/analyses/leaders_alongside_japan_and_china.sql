-- Which leaders are mentioned in the same sentences as Japan or China, and in what tone?
with

country_sentences as (

    select distinct
        sentence_id,
        entity_id as country_id
    from marts.fct_entity_mentions
    where entity_id in ('japan', 'china')

),

people as (

    select
        fct_entity_mentions.sentence_id,
        fct_entity_mentions.entity_id as person_id,
        fct_entity_mentions.tone
    from marts.fct_entity_mentions
    where fct_entity_mentions.entity_type = 'person'

)

select
    dim_entities.name as person,
    dim_entities.role,
    country_sentences.country_id,
    count(*) as sentences,
    round(avg(people.tone), 3) as mean_tone

from people
inner join country_sentences
    on people.sentence_id = country_sentences.sentence_id
inner join marts.dim_entities
    on people.person_id = dim_entities.entity_id
group by all
order by sentences desc
limit 25
