{#- The slug of a display name: lower-case ASCII words joined by '-' ("Voice of America" ->
    voice-of-america). Matches how outlet_id values in seeds/outlets.csv are written. -#}
{% macro slugify(expression) -%}
    trim(regexp_replace(lower(strip_accents({{ expression }})), '[^a-z0-9]+', '-', 'g'), '-')
{%- endmacro %}
