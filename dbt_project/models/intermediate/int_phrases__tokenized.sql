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
        language,
        stands_alone

    from {{ ref('entity_aliases') }}

),

inflected as (

    select * from {{ ref('int_phrases__inflected') }}

),

-- a form two written rows share (Соединённые Штаты and Соединенные Штаты both give
-- Соединенных Штатов) or that is itself written is one phrase: the written row wins
aliases as (

    select
        entity_id,
        alias,
        alias_kind,
        case_rule,
        language,
        stands_alone

    from (
        select
            *,
            0 as derived
        from seed_aliases
        union all
        select
            inflected.entity_id,
            inflected.form as alias,
            inflected.alias_kind,
            inflected.case_rule,
            inflected.language,
            seed_aliases.stands_alone,
            1 as derived

        from inflected
        inner join seed_aliases
            on
                inflected.entity_id = seed_aliases.entity_id
                and inflected.written = seed_aliases.alias
                and inflected.alias_kind = seed_aliases.alias_kind
                and inflected.language = seed_aliases.language
        where inflected.phrase_kind = 'alias'
    ) as all_aliases
    qualify row_number() over (
        partition by entity_id, alias, alias_kind, language
        order by derived asc, stands_alone desc, case_rule asc
    ) = 1

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

    select
        issue_id,
        term,
        case_rule,
        requires_entity_id,
        requires_scope,
        language

    from (
        select
            *,
            0 as derived
        from seed_terms
        union all
        select
            issue_id,
            form as term,
            case_rule,
            requires_entity_id,
            requires_scope,
            language,
            1 as derived

        from inflected
        where phrase_kind = 'issue_term'
    ) as all_terms
    -- one form, one phrase: a form written as a term, or two terms' shared form; the one
    -- that needs no other entity wins (it matches wherever the other would)
    qualify row_number() over (
        partition by issue_id, term, language
        order by derived, requires_entity_id is not null, requires_entity_id, requires_scope
    ) = 1

),

alias_phrases as (

    select
        'alias' as phrase_kind,
        aliases.entity_id || ':' || aliases.alias || ':' || aliases.alias_kind || ':'
        || coalesce(aliases.language, 'en') as phrase_key,
        aliases.alias as phrase_text,
        aliases.entity_id,
        entities.entity_type,
        aliases.alias_kind,
        cast(null as varchar) as issue_id,
        cast(null as varchar) as requires_entity_id,
        cast(null as varchar) as requires_scope,
        coalesce(aliases.case_rule, 'capitalized') as case_rule,
        coalesce(aliases.language, 'en') as language,
        coalesce(aliases.stands_alone, false) as stands_alone,
        {{ phrase_token_columns('aliases.alias') }} as phrase_tokens

    from aliases
    inner join entities
        on aliases.entity_id = entities.entity_id

),

term_phrases as (

    select
        'issue_term' as phrase_kind,
        terms.issue_id || ':' || terms.term || ':' || coalesce(terms.language, 'en') as phrase_key,
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
        false as stands_alone,
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
