{{ config(tags=['taxonomy']) }}

-- One row per phrase the matcher looks for: every entity alias and every issue term, in the
-- form it is matched (macros/tokens.sql). An alias names an entity; a term signals an issue.
with

aliases as (

    select * from {{ ref('entity_aliases') }}

),

entities as (

    select * from {{ ref('entities') }}

),

terms as (

    select * from {{ ref('issue_terms') }}

),

alias_phrases as (

    select
        'alias' as phrase_kind,
        aliases.entity_id || ':' || aliases.alias || ':' || aliases.alias_kind as phrase_key,
        aliases.alias as phrase_text,
        aliases.entity_id,
        entities.entity_type,
        aliases.alias_kind,
        cast(null as varchar) as issue_id,
        cast(null as varchar) as requires_entity_id,
        cast(null as varchar) as requires_scope,
        coalesce(aliases.case_rule, 'capitalized') as case_rule,
        coalesce(aliases.language, 'en') as language,
        {{ phrase_token_columns('aliases.alias') }} as phrase_tokens

    from aliases
    inner join entities
        on aliases.entity_id = entities.entity_id

),

term_phrases as (

    select
        'issue_term' as phrase_kind,
        terms.issue_id || ':' || terms.term as phrase_key,
        terms.term as phrase_text,
        cast(null as varchar) as entity_id,
        cast(null as varchar) as entity_type,
        cast(null as varchar) as alias_kind,
        terms.issue_id,
        terms.requires_entity_id,
        case
            when terms.requires_entity_id is not null
                then coalesce(terms.requires_scope, 'sentence')
        end as requires_scope,
        coalesce(terms.case_rule, 'any') as case_rule,
        coalesce(terms.language, 'en') as language,
        {{ phrase_token_columns('terms.term') }} as phrase_tokens

    from terms

),

phrases as (

    select * from alias_phrases
    union all
    select * from term_phrases

),

final as (

    select
        *,
        {{ lower_tokens('phrase_tokens') }} as phrase_tokens_lower,
        len(phrase_tokens) as token_count,
        lower(phrase_tokens[1]) as first_token

    from phrases
    where len(phrase_tokens) > 0

)

select * from final
