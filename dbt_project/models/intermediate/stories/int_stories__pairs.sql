{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook=[
            "{{ delete_pairs_of_changed_articles() }}",
            "{{ delete_changed(version_column='story_rules', version=story_rules()) }}",
        ],
    )
}}

-- Incremental by article (macros/incremental.sql): the pairs of a changed article are found
-- again, against the whole history, through the bands (int_stories__bands) and not by
-- comparing it with every article: the cost grows with the new articles and their copies.
-- Each pair is stored both ways; every changed article also pairs with itself, so that the
-- watermark moves on when a run finds no copies.
with

changed_articles as (

    select * from {{ ref('int_articles__versioned') }}
    where {{ is_new() }}

),

bands as (

    select * from {{ ref('int_stories__bands') }}

),

articles as (

    select * from {{ ref('stg_newswatch__articles') }}

),

signatures as (

    select * from {{ ref('stg_newswatch__article_signatures') }}

),

changed_bands as (

    select * from bands
    where {{ is_new() }}

),

-- Articles that agree with a changed article on all the values of at least one band.
candidates as (

    select distinct
        changed_bands.article_id,
        bands.article_id as other_article_id

    from changed_bands
    inner join bands
        on changed_bands.band_key = bands.band_key
    where changed_bands.article_id != bands.article_id

),

candidate_signatures as (

    select
        signatures.article_id,
        signatures.shingle_count,
        signatures.minhashes

    from signatures
    where
        signatures.article_id in (select candidates.article_id from candidates)
        or signatures.article_id in (select candidates.other_article_id from candidates)
    qualify row_number() over (
        partition by signatures.article_id order by signatures.loaded_at desc
    ) = 1

),

-- The share of the signature's values two articles agree on estimates the Jaccard
-- similarity of their shingles; with their shingle counts, the share of the shorter text's
-- shingles the other holds (a copy trimmed to a third of the original still holds ~1).
measured as (

    select
        candidates.article_id,
        candidates.other_article_id,
        len(
            list_filter(
                list_zip(own.minhashes, other.minhashes), lambda pair: pair[1] = pair[2]
            )
        ) / len(own.minhashes) as jaccard,
        own.shingle_count,
        other.shingle_count as other_shingle_count

    from candidates
    inner join candidate_signatures as own
        on candidates.article_id = own.article_id
    inner join candidate_signatures as other
        on candidates.other_article_id = other.article_id

),

text_pairs as (

    select
        article_id,
        other_article_id,
        'text' as evidence,
        jaccard,
        least(
            1.0,
            jaccard * (shingle_count + other_shingle_count)
            / (1 + jaccard) / least(shingle_count, other_shingle_count)
        ) as containment

    from measured

),

copies as (

    select * from text_pairs
    where
        containment >= {{ var('story_min_containment') }}
        and jaccard >= {{ var('story_min_jaccard') }}

),

-- A page that names another article's URL as its canonical one (a syndication partner's
-- page, a translation) is that article's story, whatever its text.
changed_pages as (

    select
        articles.article_id,
        articles.canonical_url,
        articles.page_canonical_url

    from articles
    inner join changed_articles
        on articles.article_id = changed_articles.article_id

),

canonical_pairs as (

    select
        changed_pages.article_id,
        targets.article_id as other_article_id

    from changed_pages
    inner join articles as targets
        on changed_pages.page_canonical_url = targets.canonical_url
    where changed_pages.article_id != targets.article_id

    union

    select
        changed_pages.article_id,
        sources.article_id as other_article_id

    from changed_pages
    inner join articles as sources
        on changed_pages.canonical_url = sources.page_canonical_url
    where changed_pages.article_id != sources.article_id

),

found as (

    select
        article_id,
        other_article_id,
        evidence,
        jaccard,
        containment

    from copies

    union all

    select
        article_id,
        other_article_id,
        'canonical' as evidence,
        null as jaccard,
        null as containment

    from canonical_pairs

),

-- Both ways, stamped with the changed article that found it (the newer, when both changed).
both_ways as (

    select
        found.article_id,
        found.other_article_id,
        found.evidence,
        found.jaccard,
        found.containment,
        changed_articles.loaded_at

    from found
    inner join changed_articles
        on found.article_id = changed_articles.article_id

    union all

    select
        found.other_article_id as article_id,
        found.article_id as other_article_id,
        found.evidence,
        found.jaccard,
        found.containment,
        changed_articles.loaded_at

    from found
    inner join changed_articles
        on found.article_id = changed_articles.article_id

    union all

    select
        article_id,
        article_id as other_article_id,
        'self' as evidence,
        1.0 as jaccard,
        1.0 as containment,
        loaded_at

    from changed_articles

),

-- A pair found from both sides (both articles changed), or by text and by canonical link,
-- is one row: text evidence first, as it carries the measures.
final as (

    select
        article_id,
        other_article_id,
        max(evidence) as evidence,
        max(jaccard) as jaccard,
        max(containment) as containment,
        max(loaded_at) as loaded_at,
        {{ story_rules() }} as story_rules

    from both_ways
    group by article_id, other_article_id

)

select * from final
