{#- The CASE branches of the row_rules test (tests/generic/row_rules.sql): one per rule, each
    naming the rule a row breaks. -#}
{% macro row_rule_cases(not_null, accepted_values, ranges) -%}
    {%- for column in not_null %}
        when {{ column }} is null then '{{ column }} is null'
    {%- endfor %}
    {%- for column, values in accepted_values.items() %}
        when {{ column }} not in ('{{ values | join("', '") }}')
            then '{{ column }} = ' || {{ column }}
    {%- endfor %}
    {%- for column, bounds in ranges.items() %}
        when {{ column }} < {{ bounds[0] }} or {{ column }} > {{ bounds[1] }}
            then '{{ column }} outside [{{ bounds[0] }}, {{ bounds[1] }}]'
    {%- endfor %}
{%- endmacro %}
