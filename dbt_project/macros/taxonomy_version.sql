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
            -- the hierarchy too: facts carry each issue's root, rollups count sub-issues upwards
            || coalesce((
                select string_agg(concat_ws('|', issue_id, parent_issue_id), chr(10) order by issue_id)
                from {{ ref('issues') }}
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

{#- Pre-hook for incremental models keyed by article: delete the rows of every article whose
    input rows changed since this model last ran, so the model can append them afresh (an
    article re-extracted with fewer mentions loses the old ones). -#}
{% macro delete_changed_articles(changes, changes_loaded_at, loaded_at='source_loaded_at') -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where article_id in (
            select article_id from {{ changes }}
            where {{ changes_loaded_at }} > (
                select coalesce(max({{ loaded_at }}), '-infinity'::timestamptz) from {{ this }}
            )
        )
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook for marts built from a taxonomy-versioned model: rows derived with another
    version than the source now holds are stale (a seed was edited). -#}
{% macro delete_versions_not_in(source) -%}
    {%- if is_incremental() and not has_columns(this, ['taxonomy_version']) -%}
        delete from {{ this }}
    {%- elif is_incremental() -%}
        delete from {{ this }}
        where taxonomy_version not in (select distinct taxonomy_version from {{ source }})
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
