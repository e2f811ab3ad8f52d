{#-
    Stories: which articles are copies of one text (docs/stories.md). The rules are project
    vars (dbt_project.yml); models derived with them carry `story_rules`, so changing one
    re-derives every story, as a seed edit re-derives mentions (macros/incremental.sql).
-#}

{#- The clustering rules as one string: stored on every row derived with them. -#}
{% macro story_rules() -%}
    'bands={{ var("story_bands") }};rows={{ var("story_band_rows") }};'
    || 'containment={{ var("story_min_containment") }};jaccard={{ var("story_min_jaccard") }};'
    || 'shingles={{ var("story_min_shingles") }}'
{%- endmacro %}

{#- Pre-hook of a model keyed like delete+insert models are: rows derived with other rules
    go, which empties it and so re-derives the whole history. -#}
{% macro delete_other_story_rules() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where story_rules is distinct from {{ story_rules() }}
    {%- endif -%}
{%- endmacro %}

{#- Articles whose story changed since this model's watermark: changed articles, and those
    a merge or a split moved to another story (int_stories__clustered stamps them with the
    stamp of the change that moved them). Every article, in a full build. -#}
{% macro restoried_articles() -%}
    select article_id from {{ ref('int_stories__clustered') }}
    where {{ loaded_since_watermark() }}
{%- endmacro %}

{#- True for a row of an article whose story or raw rows changed (always true in a full
    build). -#}
{% macro is_restoried_article(column='article_id') -%}
    {%- if is_incremental() -%}
        ({{ column }} in ({{ changed_articles() }}) or {{ column }} in ({{ restoried_articles() }}))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Days whose story counts may have changed: the days of changed articles (before and after)
    and the days of articles moved to another story. -#}
{% macro restoried_days() -%}
    {{ changed_days() }}
    union
    select versions.published_date
    from {{ ref('int_articles__versioned') }} as versions
    inner join ({{ restoried_articles() }}) as restoried
        on versions.article_id = restoried.article_id
{%- endmacro %}

{#- True for a row on a day whose story counts may have changed (always true in a full
    build). -#}
{% macro is_restoried_day(column='published_date') -%}
    {%- if is_incremental() -%}
        {{ column }} in ({{ restoried_days() }})
    {%- else -%}
        {{ is_new() }}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of int_stories__pairs: the pairs whose other article changed go too (the
    contract's delete_changed removes those whose own article did). -#}
{% macro delete_pairs_of_changed_articles() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where other_article_id in ({{ changed_articles() }})
    {%- endif -%}
{%- endmacro %}

{#- The stories an article joined or left since this model's watermark (every story, in a
    full build). -#}
{% macro restoried_stories() -%}
    select distinct story_id from {{ ref('int_stories__clustered') }}
    where {{ loaded_since_watermark() }}
    {%- if is_incremental() %}
        union
        select previous_story_id from {{ ref('int_stories__clustered') }}
        where previous_story_id is not null and {{ loaded_since_watermark() }}
    {%- endif %}
{%- endmacro %}

{#- Pre-hook of a model keyed by story (key='story_id') or by article: the rows of the
    stories, or of the articles, whose story changed since its watermark. -#}
{% macro delete_restoried(key='article_id') -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ key }} in (
            {{ restoried_stories() if key == 'story_id' else restoried_articles() }}
        )
    {%- endif -%}
{%- endmacro %}

{#- The stamp a daily rollup writes on the days it recounts: the newest among the changed
    articles and the articles moved to another story that made it recount them. -#}
{% macro restoried_stamp() -%}
    greatest(
        {{ changed_stamp() }},
        (select max(loaded_at) from {{ ref('int_stories__clustered') }} where {{ loaded_since_watermark() }})
    )
{%- endmacro %}

{#- Pre-hook of a daily rollup that counts stories: the days of articles moved to another
    story go too (the contract's delete_changed removes the days of changed articles). -#}
{% macro delete_restoried_days() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where published_date in ({{ restoried_days() }})
    {%- endif -%}
{%- endmacro %}
