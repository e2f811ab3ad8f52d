{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed() }}",
    )
}}

-- One row per entity mention occurrence: an alias of a country, organization or place matched
-- in a sentence (int_phrases__matched), or a person: in the language the people rules read
-- (flows/text/people.py: English), int_persons__mentioned (curated or discovered, by full name
-- or surname); in the other languages, a curated person's alias matched like any other, a
-- surname only after the full name in the same article (or where the seeds let it stand
-- alone), never a one-character surname where words have no spaces, never a surname that
-- is someone else's (Ông Lee Sang-woo, and the "ông Lee" after him). A country or place word
-- inside a person's name is the person ("Michael Jordan", "Chad Hull"), not the country.
with

phrase_matches as (

    select * from {{ ref('int_phrases__matched') }}
    where phrase_kind = 'alias' and entity_type <> 'person' and {{ is_new() }}

),

-- curated persons in the languages the people rules do not read
person_aliases as (

    select * from {{ ref('int_phrases__matched') }}
    where
        phrase_kind = 'alias'
        and entity_type = 'person'
        and language <> '{{ var("person_rules_language") }}'
        and {{ is_new() }}

),

person_full_names as (

    select
        article_id,
        entity_id,
        min(sentence_index * 100000 + token_position) as first_at

    from person_aliases
    where alias_kind <> 'surname'
    group by article_id, entity_id

),

-- where words have spaces, a surname right before another capitalized word is someone
-- else's name (Ông Lee Sang-woo, not Lee Jae-myung): not a mention, and from there on the
-- bare surname is that person's, until the curated person's full name comes again
other_names as (

    select
        article_id,
        phrase_text,
        sentence_index * 100000 + token_position as named_at

    from person_aliases as surnames
    where
        alias_kind = 'surname'
        -- not a surname inside a curated full name ("Lee" of "Lee Jae-myung")
        and not exists (
            select 1 from person_aliases as full_names
            where
                full_names.alias_kind <> 'surname'
                and full_names.article_id = surnames.article_id
                and full_names.sentence_index = surnames.sentence_index
                and full_names.token_position <= surnames.token_position
                and surnames.token_position < full_names.token_position + full_names.token_count
        )
        and language not in ({{ "'" ~ var('unspaced_languages') | join("', '") ~ "'" }})
        and separator_after in (' ', '-')
        and regexp_matches(next_token, '^\p{Lu}')

),

person_full_name_positions as (

    select
        article_id,
        entity_id,
        sentence_index * 100000 + token_position as named_at

    from person_aliases
    where alias_kind <> 'surname'

),

surname_owners as (

    select
        person_aliases.article_id,
        person_aliases.sentence_index,
        person_aliases.token_position,
        person_aliases.entity_id,
        (
            select max(other_names.named_at) from other_names
            where
                other_names.article_id = person_aliases.article_id
                and other_names.phrase_text = person_aliases.phrase_text
                and other_names.named_at
                <= person_aliases.sentence_index * 100000 + person_aliases.token_position
        ) as other_named_at,
        (
            select max(person_full_name_positions.named_at) from person_full_name_positions
            where
                person_full_name_positions.article_id = person_aliases.article_id
                and person_full_name_positions.entity_id = person_aliases.entity_id
                and person_full_name_positions.named_at
                < person_aliases.sentence_index * 100000 + person_aliases.token_position
        ) as curated_named_at

    from person_aliases
    where person_aliases.alias_kind = 'surname'

),

matched_persons as (

    select
        person_aliases.article_id,
        person_aliases.sentence_index,
        person_aliases.token_position,
        person_aliases.token_count,
        person_aliases.entity_id,
        'person' as entity_type,
        person_aliases.phrase_text as alias,
        person_aliases.alias_kind,
        case when person_aliases.alias_kind = 'surname' then 'surname' else 'alias' end
            as match_type,
        array_to_string(person_aliases.matched_tokens, ' ') as matched_text,
        cast(null as varchar) as stated_role,
        person_aliases.loaded_at

    from person_aliases
    left join person_full_names
        on
            person_aliases.article_id = person_full_names.article_id
            and person_aliases.entity_id = person_full_names.entity_id
    left join surname_owners
        on
            person_aliases.article_id = surname_owners.article_id
            and person_aliases.sentence_index = surname_owners.sentence_index
            and person_aliases.token_position = surname_owners.token_position
            and person_aliases.entity_id = surname_owners.entity_id
    where
        person_aliases.alias_kind <> 'surname'
        or (
            (
                surname_owners.other_named_at is null
                or surname_owners.curated_named_at > surname_owners.other_named_at
            )
            and not (
                person_aliases.language in ({{ "'" ~ var('unspaced_languages') | join("', '") ~ "'" }})
                and person_aliases.token_count = 1
            )
            and (
                person_aliases.stands_alone
                or person_full_names.first_at
                < person_aliases.sentence_index * 100000 + person_aliases.token_position
            )
        )
    -- two aliases that tokenize alike (a form written twice) are one mention
    qualify row_number() over (
        partition by
            person_aliases.article_id,
            person_aliases.sentence_index,
            person_aliases.token_position,
            person_aliases.entity_id
        order by person_aliases.alias_kind = 'surname', person_aliases.phrase_text
    ) = 1

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
        union all
        select * from matched_persons
    ) as mentions

)

select * from final
