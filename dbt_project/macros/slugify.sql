{#- The slug of a display name: lower-case ASCII words joined by '-' ("Voice of America" ->
    voice-of-america). Matches how outlet_id values in seeds/outlets.csv are written. -#}
{% macro slugify(expression) -%}
    trim(regexp_replace(lower(strip_accents({{ expression }})), '[^a-z0-9]+', '-', 'g'), '-')
{%- endmacro %}

{#- An outlet's id: the slug of its name; a name with no Latin letter or digit (みなと放送,
    Восток-Пресс) has no slug, so it gets 'outlet-' and the first 10 hex digits of the MD5 of
    the name as written (trimmed, lower-case): one id per name, whatever hosts its feeds are on.
    Add the outlet to seeds/outlets.csv to give it a readable id. -#}
{% macro outlet_slug(name) -%}
    coalesce(
        nullif({{ slugify(name) }}, ''),
        'outlet-' || left(md5(lower(trim({{ name }}))), 10)
    )
{%- endmacro %}

{#- The outlets seed's rows a name picks unambiguously: a feed's outlet name, or a backfilled
    page's, that a seed row names (case aside) takes that row's id; a name two seed rows share
    names neither. Both staging models that turn outlet names into ids read it. -#}
{% macro unambiguous_outlets() -%}
    select * from {{ ref('outlets') }}
    qualify count(*) over (partition by lower(trim(name))) = 1
{%- endmacro %}
