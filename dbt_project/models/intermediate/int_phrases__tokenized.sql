{{ config(tags=['taxonomy']) }}

-- One row per phrase the matcher looks for: every entity alias and every issue term, in the
-- form it is matched (macros/tokens.sql), and every inflected form of those written once in
-- a language whose words inflect (int_phrases__inflected). An alias names an entity; a term
-- signals an issue.
with

seed_aliases as (

    select
        entity_id,
        alias,
        alias_kind,
        case_rule,
        language

    from {{ ref('entity_aliases') }}

),

inflected as (

    select * from {{ ref('int_phrases__inflected') }}

),

aliases as (

    select * from seed_aliases
    union all
    select
        entity_id,
        form as alias,
        alias_kind,
        case_rule,
        language

    from inflected
    where phrase_kind = 'alias'

),

entities as (

    select * from {{ ref('entities') }}

),

seed_terms as (

    select
        issue_id,
        term,
        case_rule,
        requires_entity_id,
        requires_scope,
        language

    from {{ ref('issue_terms') }}

),

terms as (

    select * from seed_terms
    union all
    select
        issue_id,
        form as term,
        case_rule,
        requires_entity_id,
        requires_scope,
        language

    from inflected
    where phrase_kind = 'issue_term'

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
