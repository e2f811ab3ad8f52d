-- Issue terms in the form the matcher uses (see macros/tokens.sql).
with

terms as (

    select * from {{ ref('issue_terms') }}

),

tokenized as (

    select
        issue_id || ':' || term as phrase_key,
        issue_id,
        term,
        coalesce(case_rule, 'any') as case_rule,
        requires_entity_id,
        case when requires_entity_id is not null then coalesce(requires_scope, 'sentence') end
            as requires_scope,
        {{ phrase_token_columns('term') }} as phrase_tokens

    from terms

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
