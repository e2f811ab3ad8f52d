{#- A fingerprint of the seeds a derived model depends on. Incremental models store it on every
    row; when an analyst edits a seed, the fingerprint changes, the stale rows are deleted
    (see delete_stale_taxonomy) and the whole history is matched again. -#}
{% macro entity_taxonomy_version() -%}
    (
        select md5(
            coalesce((
                select string_agg(
                    concat_ws('|', entity_id, alias, alias_kind, case_rule), chr(10)
                    order by entity_id, alias, alias_kind, case_rule
                )
                from {{ ref('entity_aliases') }}
            ), '')
            || coalesce((
                select string_agg(concat_ws('|', entity_id, entity_type), chr(10) order by entity_id)
                from {{ ref('entities') }}
            ), '')
            || coalesce((select string_agg(title, '|' order by title) from {{ ref('person_titles') }}), '')
            || coalesce((select string_agg(word, '|' order by word) from {{ ref('place_prepositions') }}), '')
        )
    )
{%- endmacro %}

{% macro issue_taxonomy_version() -%}
    (
        select md5(
            {{ entity_taxonomy_version() }}
            || coalesce((
                select string_agg(
                    concat_ws('|', issue_id, term, case_rule, requires_entity_id, requires_scope),
                    chr(10)
                    order by issue_id, term, case_rule, requires_entity_id, requires_scope
                )
                from {{ ref('issue_terms') }}
            ), '')
        )
    )
{%- endmacro %}

{#- Pre-hook for incremental models keyed on a taxonomy fingerprint. -#}
{% macro delete_stale_taxonomy(version_macro) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where taxonomy_version <> {{ context[version_macro]() }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
