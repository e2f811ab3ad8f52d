{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed() }}",
    )
}}

-- Incremental by article (macros/incremental.sql). A credit stands where news copy puts one:
-- a dateline in the first lines of the text, a byline there or in the page's author, a
-- sign-off or credit line in its first or last lines; each form of seeds/wire_credit_forms.csv
-- is tried on the lines of an article in its language (or of an article whose language is
-- unknown). The agency named first, in reading order, is the article's. Every changed article
-- gets its row, null where nothing credits an agency: the model's watermark is the newest stamp
-- it holds, and with rows for credited articles only, every article after the last credited
-- one was read again at every build (all 10,000 of a warehouse with no wire copy: 1 s an hour).
with

changed_articles as (

    select * from {{ ref('int_articles__versioned') }}
    where {{ is_new() }}

),

articles as (

    select * from {{ ref('stg_newswatch__articles') }}

),

forms as (

    select * from {{ ref('wire_credit_forms') }}

),

-- Each changed article's text as its non-empty lines, and its author. The texts are read by
-- a semi-join on the changed articles' ids: joined outright to them, DuckDB could build its
-- hash table on the texts (every article's at a full build) and run out of its cap.
texts as (

    select
        article_id,
        list_filter(
            list_transform(string_split(text, chr(10)), lambda line: trim(line)),
            lambda line: line != ''
        ) as text_lines,
        nullif(trim(author), '') as author

    from articles
    where article_id in (select changed_articles.article_id from changed_articles)

),

-- The first three and the last six lines, cut from each text's list before any unnesting
-- (a row for every line of 100,000 articles outgrew a 256 MB cap), and where the lines begin
-- in the text: the last ones start after the first three.
edges as (

    select
        article_id,
        author,
        list_concat(
            list_slice(text_lines, 1, 3),
            list_slice(text_lines, greatest(len(text_lines) - 5, 4), len(text_lines))
        ) as edge_texts,
        least(len(text_lines), 3) as opening_count,
        greatest(len(text_lines) - 5, 4) as closing_start

    from texts

),

-- Each edge line with its number, counted among the text's non-empty lines.
numbered_lines as (

    select
        article_id,
        unnest(edge_texts) as line_text,
        generate_subscripts(edge_texts, 1) as edge_position,
        opening_count,
        closing_start

    from edges

),

-- The edge lines, and the author as a byline (line 0), with the article's language and stamp.
edge_lines as (

    select
        changed_articles.article_id,
        changed_articles.detected_language,
        changed_articles.loaded_at,
        lines.line_number,
        lines.line_number <= 3 as is_opening,
        lines.line_text

    from (
        select
            article_id,
            line_text,
            case
                when edge_position <= opening_count then edge_position
                else closing_start + edge_position - opening_count - 1
            end as line_number

        from numbered_lines

        union all

        select
            article_id,
            'By ' || author as line_text,
            0 as line_number

        from edges
        where author is not null
    ) as lines
    inner join changed_articles
        on lines.article_id = changed_articles.article_id

),

-- Each form as a regular expression matched against a whole line (the text is escaped).
patterns as (

    select
        agency_id,
        language,
        credit_form,
        credit_text,
        case credit_form
            when 'dateline'
                then
                    '^(?:[^\s()][^()]{0,60}\s)?\(' || escaped_text
                    || '\)\s*\.?\s*(?:-{1,2}|–|—).*'
            when 'byline'
                then
                    '^By\s+(?:[^,]{1,60},\s*|(?:[A-Z][A-Za-z.''-]*\s+){1,4})?(?:The\s+)?'
                    || escaped_text || '(?:\s+Staff)?\.?'
            when 'signoff'
                then
                    '^(?:.*[.!?"”’]\s+)?(?:-{1,2}|–|—)\s*' || escaped_text
                    || '(?:\s*[,/&]\s*[A-Za-z .]{1,30})?\.?'
            else pattern
        end as line_pattern

    from (
        select
            *,
            regexp_replace(credit_text, '([.^$*+?()\[\]{}|\\-])', '\\\1', 'g') as escaped_text
        from forms
    ) as escaped_forms

),

-- The lines that name an agency, beside the forms that name it. Materialized: the regular
-- expressions below differ per form, so DuckDB compiles one per row it tests, and without the
-- fence it tests every line against every form (16.6 s of a 21 s demo build; 0.07 s with it).
candidates as materialized (

    select
        edge_lines.article_id,
        edge_lines.loaded_at,
        edge_lines.line_number,
        edge_lines.line_text,
        patterns.credit_text,
        patterns.agency_id,
        patterns.credit_form,
        patterns.line_pattern

    from edge_lines
    inner join patterns
        on
            (
                edge_lines.detected_language = patterns.language
                or coalesce(edge_lines.detected_language, 'und') = 'und'
            )
            and contains(edge_lines.line_text, patterns.credit_text)
            and (patterns.credit_form != 'dateline' or edge_lines.is_opening)

),

matches as (

    select
        article_id,
        loaded_at,
        line_number,
        strpos(line_text, credit_text) as credit_position,
        agency_id,
        credit_form,
        left(line_text, 200) as credit_line

    from candidates
    where
        regexp_full_match(
            case
                when credit_form = 'dateline' then left(line_text, 120)
                else line_text
            end,
            line_pattern
        )

),

first_credits as (

    select
        article_id,
        agency_id,
        credit_form,
        credit_line

    from matches
    qualify row_number() over (
        partition by article_id
        order by line_number asc, credit_position asc, agency_id asc
    ) = 1

),

final as (

    select
        changed_articles.article_id,
        first_credits.agency_id as wire_source,
        first_credits.credit_form,
        first_credits.credit_line,
        changed_articles.loaded_at,
        {{ taxonomy_version() }} as taxonomy_version

    from changed_articles
    left join first_credits
        on changed_articles.article_id = first_credits.article_id

)

select * from final
