{#-
    The incremental contract, the same for every incremental model (docs/incremental.md):

    - int_articles__versioned gives every article a stamp, `loaded_at`: the newest load time
      of any raw row about it (its page, its feed listings, its sentences, their tone).
    - Every other incremental model stores that stamp on its rows, as `loaded_at`. Its
      watermark is the newest stamp it holds; an article whose stamp is newer has changed.
    - Before the model runs, `delete_changed` deletes the rows to redo: rows derived with
      other rules (a version column that differs), then the rows of changed articles (or,
      for daily rollups, of the days those articles are on now or were on before).
    - The model then derives exactly those articles (or days) again, selecting its inputs
      with `is_new` (inputs that carry the stamp) or `in (changed_articles())`.
-#}

{#- The newest stamp this model holds; -infinity when it holds none. A model whose pre-hook
    deletes rows (delete_changed) reads it as it was before that delete: deleting the rows of
    the latest build would otherwise lower it, and the model would then derive again, and
    append, articles and days whose rows it still holds. -#}
{% macro watermark() -%}
    coalesce(getvariable('{{ watermark_variable() }}'), {{ held_watermark() }})
{%- endmacro %}

{% macro held_watermark() -%}
    (select coalesce(max(loaded_at), '-infinity'::timestamptz) from {{ this }})
{%- endmacro %}

{#- A DuckDB variable lives on dbt's connection, where the pre-hook and the model both run. -#}
{% macro watermark_variable() -%}
    watermark__{{ this.schema }}__{{ this.identifier }}
{%- endmacro %}

{#- True for an input row loaded after this model's watermark (always true in a full build).
    int_articles__versioned applies it to raw rows; every other model to stamped rows, through
    is_new. -#}
{% macro loaded_since_watermark(column='loaded_at') -%}
    {%- if is_incremental() -%}
        {{ column }} > {{ watermark() }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- True for an input row stamped after this model's watermark: the rows of changed articles. -#}
{% macro is_new(column='loaded_at') -%}
    {#- The changes come from int_articles__versioned (the pre-hooks read it too), which dbt must
        know when it parses the model. -#}
    {%- do ref('int_articles__versioned') -%}
    {{ loaded_since_watermark(column) }}
{%- endmacro %}

{#- Articles whose raw rows changed since this model's watermark. -#}
{% macro changed_articles() -%}
    select article_id from {{ ref('int_articles__versioned') }} where {{ is_new() }}
{%- endmacro %}

{#- True for a row of a changed article (always true in a full build). -#}
{% macro is_changed_article(column='article_id') -%}
    {%- if is_incremental() -%}
        {{ column }} in ({{ changed_articles() }})
    {%- else -%}
        {{ is_new() }}
    {%- endif -%}
{%- endmacro %}

{#- Days whose counts may have changed: the day each changed article is on now, and the day
    it was on before (an article whose date moved). When an article changed twice since this
    model last ran (a build failed in between), the day it was counted on is not known: then
    every day is. -#}
{% macro changed_days() -%}
    select published_date from {{ ref('int_articles__versioned') }} where {{ is_new() }}
    union
    select previous_published_date from {{ ref('int_articles__versioned') }}
    where {{ is_new() }} and previous_published_date is not null
    union
    select published_date from {{ ref('int_articles__versioned') }}
    where exists (
        select 1 from {{ ref('int_articles__versioned') }}
        where {{ is_new() }} and {{ is_new('previous_loaded_at') }}
    )
{%- endmacro %}

{#- True for a row on a changed day (always true in a full build). -#}
{% macro is_changed_day(column='published_date') -%}
    {%- if is_incremental() -%}
        {{ column }} in ({{ changed_days() }})
    {%- else -%}
        {{ is_new() }}
    {%- endif -%}
{%- endmacro %}

{#- The stamp a daily rollup writes on the rows it recounts: the newest stamp among the
    articles that made it recount them. -#}
{% macro changed_stamp() -%}
    (select max(loaded_at) from {{ ref('int_articles__versioned') }} where {{ is_new() }})
{%- endmacro %}

{#- Fingerprint of the rules: every taxonomy seed and the tone model
    (int_taxonomy__fingerprint). -#}
{% macro taxonomy_version() -%}
    (select taxonomy_version from {{ ref('int_taxonomy__fingerprint') }})
{%- endmacro %}

{#- Pre-hook: delete the rows this run must derive again.
    key:     'article_id' (the rows of changed articles) or 'published_date' (their days).
    version: the version column the rows were derived with and its current value; rows of
             another version are deleted first, which leaves the watermark at -infinity
             when every row goes, and so re-derives the whole history.
    The watermark is then fixed (watermark()) before the rows to redo are deleted. -#}
{% macro delete_changed(key='article_id', version_column='taxonomy_version', version=none) -%}
    {%- if is_incremental() -%}
        {%- if version_column -%}
            delete from {{ this }}
            where {{ version_column }} is distinct from {{ version or taxonomy_version() }};
        {% endif -%}
        set variable {{ watermark_variable() }} = {{ held_watermark() }};
        delete from {{ this }}
        where {{ key }} in (
            {{ changed_articles() if key == 'article_id' else changed_days() }}
        )
    {%- endif -%}
    {#- Nothing on a first build: a `select 1` there left a result open on dbt's connection,
        and the Python models (int_persons__mentioned) failed to register their rows on it. -#}
{%- endmacro %}
