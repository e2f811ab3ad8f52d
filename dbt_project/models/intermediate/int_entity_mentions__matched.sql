{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed() }}",
    )
}}

-- One row per entity mention occurrence: an alias of a country, organization or place matched
-- in a sentence (int_phrases__matched), or a person (int_persons__mentioned: curated or
-- discovered, by full name or surname). A country or place word inside a person's name is the
-- person ("Michael Jordan", "Chad Hull"), not the country.
with

phrase_matches as (

    select * from {{ ref('int_phrases__matched') }}
    where phrase_kind = 'alias' and entity_type <> 'person' and {{ is_new() }}

),

persons as (

    select * from {{ ref('int_persons__mentioned') }}
    where {{ is_new() }}

),

alias_mentions as (

    select
        article_id,
        sentence_index,
        token_position,
        token_count,
        entity_id,
        entity_type,
        phrase_text as alias,
        alias_kind,
        'alias' as match_type,
        array_to_string(matched_tokens, ' ') as matched_text,
        cast(null as varchar) as stated_role,
        loaded_at

    from phrase_matches
    -- two aliases that tokenize alike ("Kim Jong Un", "Kim Jong-un") are one mention
    qualify row_number() over (
        partition by article_id, sentence_index, token_position, entity_id
        order by alias_kind = 'name' desc, phrase_text
    ) = 1

),

outside_names as (

    select alias_mentions.*

    from alias_mentions
    anti join persons
        on
            alias_mentions.article_id = persons.article_id
            and alias_mentions.sentence_index = persons.sentence_index
            and alias_mentions.token_position < persons.token_position + persons.token_count
            and persons.token_position < alias_mentions.token_position + alias_mentions.token_count

),

person_mentions as (

    select
        article_id,
        sentence_index,
        token_position,
        token_count,
        entity_id,
        'person' as entity_type,
        name as alias,
        match_type as alias_kind,
        case
            when match_type <> 'name' then match_type
            when is_curated then 'alias'
            else 'discovered'
        end as match_type,
        array_to_string({{ tokenize('name') }}, ' ') as matched_text,
        stated_role,
        loaded_at

    from persons

),

final as (

    select
        *,
        {{ taxonomy_version() }} as taxonomy_version

    from (
        select * from outside_names
        union all
        select * from person_mentions
    ) as mentions

)

select * from final
