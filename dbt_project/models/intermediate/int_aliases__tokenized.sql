-- Entity aliases in the form the matcher uses (see macros/tokens.sql).
with

aliases as (

    select * from {{ ref('entity_aliases') }}

),

entities as (

    select * from {{ ref('entities') }}

),

tokenized as (

    select
        aliases.entity_id || ':' || aliases.alias || ':' || aliases.alias_kind as phrase_key,
        aliases.entity_id,
        entities.entity_type,
        aliases.alias,
        aliases.alias_kind,
        coalesce(aliases.case_rule, 'capitalized') as case_rule,
        {{ phrase_token_columns('aliases.alias') }} as phrase_tokens

    from aliases
    inner join entities
        on aliases.entity_id = entities.entity_id

),

final as (

    select
        *,
        {{ lower_tokens('phrase_tokens') }} as phrase_tokens_lower,
        len(phrase_tokens) as token_count,
        lower(phrase_tokens[1]) as first_token

    from tokenized
    where len(phrase_tokens) > 0

)

select * from final
