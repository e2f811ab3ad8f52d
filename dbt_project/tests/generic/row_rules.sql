{#- Every rule a single row must keep, checked in one pass over the table: columns that must
    not be null, columns whose values come from a list, and numeric columns within bounds
    (nulls pass the last two). Returns each broken rule with how many rows break it. -#}
{% test row_rules(model, not_null=[], accepted_values={}, ranges={}) %}

    with

    checked as (

        select case {{ row_rule_cases(not_null, accepted_values, ranges) }} end as problem
        from {{ model }}

    )

    select
        problem,
        count(*) as failing_rows
    from checked
    where problem is not null
    group by problem

{% endtest %}
