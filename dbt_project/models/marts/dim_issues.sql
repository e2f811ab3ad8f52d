{{ config(tags=['taxonomy']) }}

with

issues as (

    select * from {{ ref('issues') }}

),

ancestors as (

    select * from {{ ref('int_issues__ancestors') }}

),

terms as (

    select * from {{ ref('issue_terms') }}

),

lineage as (

    select
        issue_id,
        max(distance) as depth,
        arg_max(ancestor_issue_id, distance) as root_issue_id,
        list(ancestor_issue_id order by distance desc) as path_ids

    from ancestors
    group by issue_id

),

term_counts as (

    select
        issue_id,
        count(*) as term_count

    from terms
    group by issue_id

),

child_counts as (

    select
        parent_issue_id as issue_id,
        count(*) as child_count

    from issues
    where parent_issue_id is not null
    group by parent_issue_id

),

final as (

    select
        issues.issue_id,
        issues.name,
        issues.parent_issue_id,
        lineage.root_issue_id,
        issues.description,
        lineage.depth,
        array_to_string(lineage.path_ids, ' > ') as path,
        coalesce(child_counts.child_count, 0) = 0 as is_leaf,
        coalesce(child_counts.child_count, 0) as child_count,
        coalesce(term_counts.term_count, 0) as term_count

    from issues
    inner join lineage
        on issues.issue_id = lineage.issue_id
    left join term_counts
        on issues.issue_id = term_counts.issue_id
    left join child_counts
        on issues.issue_id = child_counts.issue_id

)

select * from final
