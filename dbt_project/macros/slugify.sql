{#- The slug of a display name: lower-case ASCII words joined by '-' ("Voice of America" ->
    voice-of-america). Matches how outlet_id values in seeds/outlets.csv are written. -#}
{% macro slugify(expression) -%}
    trim(regexp_replace(lower(strip_accents({{ expression }})), '[^a-z0-9]+', '-', 'g'), '-')
{%- endmacro %}

{#- An outlet's id: the slug of its name; a name with no Latin letter or digit (みなと放送,
    Восток-Пресс) has no slug, so the feed's host stands in, without "www." (www.nhk.or.jp ->
    nhk-or-jp). Without it every such outlet would share the id ''. -#}
{% macro outlet_slug(name, url) -%}
    coalesce(
        nullif({{ slugify(name) }}, ''),
        {{ slugify("regexp_replace(regexp_extract(" ~ url ~ ", '^[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^@/]*@)?([^/:?#]+)', 1), '^www\.', '')") }}
    )
{%- endmacro %}
