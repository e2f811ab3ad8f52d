{{
    config(
        materialized='incremental',
        unique_key='article_id',
        incremental_strategy='delete+insert',
    )
}}

-- One row per article: its story. A story is a connected group of articles linked by pairs
-- (int_stories__pairs); its id is the article_id of its first article (first seen, then
-- article_id), so when two stories merge the older id survives, and the other, being an
-- article's id, still resolves: that article's row gives the story it is in now.
--
-- Incremental without recomputing the history: only the stories a changed article was in
-- or now touches are grouped again (their members are all the articles whose story can
-- change), by propagating the oldest member's seniority along the pairs (a recursive CTE
-- keyed by article: as many rounds as the widest story is long). Rows are replaced
-- (delete+insert) rather than deleted first, because the previous stories are read here.
-- An article moved to another story by a merge or a split is stamped with the build's time,
-- later than every stamp before it, so the models downstream describe it again
-- (macros/stories.sql, restoried_articles).
-- The linter cannot parse DuckDB's `using key` recursive CTEs (below), hence the PRS
-- exemption; without them, grouping would need every (article, member) pair of a story.
with recursive  -- noqa: PRS

versions as (

    select * from {{ ref('int_articles__versioned') }}

),

articles as (

    select * from {{ ref('stg_newswatch__articles') }}

),

pairs as (

    select * from {{ ref('int_stories__pairs') }}
    where article_id != other_article_id

),

{% if is_incremental() %}

    previous as (

        select * from {{ this }}

    ),

    -- Rules changed (var story_*): every story is grouped again.
    rules_changed as (

        select count(*) > 0 as has_changed
        from previous
        where story_rules is distinct from {{ story_rules() }}

    ),

    changed_articles as (

        select
            article_id,
            loaded_at

        from versions
        where {{ loaded_since_watermark() }} or (select has_changed from rules_changed)

    ),

    touched_stories as (

        select previous.story_id
        from previous
        inner join changed_articles
            on previous.article_id = changed_articles.article_id

        union

        select previous.story_id
        from pairs
        inner join changed_articles
            on pairs.article_id = changed_articles.article_id
        inner join previous
            on pairs.other_article_id = previous.article_id

    ),

    affected as (

        select previous.article_id
        from previous
        inner join touched_stories
            on previous.story_id = touched_stories.story_id

        union

        select article_id
        from changed_articles

    ),

{% else %}

    changed_articles as (

        select
            article_id,
            loaded_at

        from versions

    ),

    affected as (

        select article_id
        from changed_articles

    ),

{% endif %}

members as (

    select
        affected.article_id,
        row_number() over (
            order by articles.first_seen_at asc, affected.article_id asc
        ) as seniority

    from affected
    inner join articles
        on affected.article_id = articles.article_id

),

member_pairs as (

    select
        pairs.article_id,
        pairs.other_article_id

    from pairs
    inner join members
        on pairs.article_id = members.article_id
    inner join members as others
        on pairs.other_article_id = others.article_id

),

-- Each article takes the lowest seniority among its neighbours until none is lower: then
-- every member of a connected group holds the seniority of the group's first article.
oldest_members (article_id, seniority) using key (article_id) as (

    select
        article_id,
        seniority

    from members

    union

    select
        member_pairs.other_article_id as article_id,
        min(oldest_members.seniority) as seniority

    from oldest_members
    inner join member_pairs
        on oldest_members.article_id = member_pairs.article_id
    inner join recurring.oldest_members as known
        on member_pairs.other_article_id = known.article_id
    where oldest_members.seniority < known.seniority
    group by member_pairs.other_article_id

),

grouped as (

    select
        oldest_members.article_id,
        founders.article_id as story_id

    from oldest_members
    inner join members as founders
        on oldest_members.seniority = founders.seniority

),

final as (

    select
        grouped.article_id,
        grouped.story_id,
        {% if is_incremental() %}
            previous.story_id as previous_story_id,
            case
                when previous.story_id != grouped.story_id then now()
                when changed_articles.article_id is not null then changed_articles.loaded_at
                else previous.loaded_at
            end as loaded_at,
        {% else %}
            cast(null as varchar) as previous_story_id,
            changed_articles.loaded_at,
        {% endif %}
        {{ story_rules() }} as story_rules

    from grouped
    left join changed_articles
        on grouped.article_id = changed_articles.article_id
    {% if is_incremental() %}
        left join previous
            on grouped.article_id = previous.article_id
        -- unchanged articles that stay in their story keep their row
        where
            changed_articles.article_id is not null
            or grouped.story_id is distinct from previous.story_id
    {% endif %}

)

select * from final
