{{ config(tags=['taxonomy']) }}

-- One row: the fingerprint of the rules every derived row is made with. It covers the whole
-- content of each seed in var('taxonomy_seeds') and the tone model; incremental models store
-- it as taxonomy_version, and a row with another fingerprint is derived again; so does a change
-- of the languages whose persons are discovered (var discovery_languages) or of the versions of
-- the rules the Python models run (var derivation_rules: people, quotations).
with

seed_contents as (

    {% for seed in var('taxonomy_seeds') %}
        select
            '{{ seed }}' as seed_name,
            coalesce(
                string_agg(cast(seed_rows as varchar), chr(10) order by cast(seed_rows as varchar)),
                ''
            ) as content
        from {{ ref(seed) }} as seed_rows  -- noqa: AL05
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        md5(
            string_agg(seed_name || chr(10) || content, chr(10) order by seed_name)
            || chr(10) || '{{ var("tone_model") }}'
            || chr(10) || '{{ var("discovery_languages") | join(",") }}'
            || chr(10) || '{{ var("derivation_rules") }}'
        ) as taxonomy_version

    from seed_contents

)

select * from final
