{{ config(tags=['taxonomy']) }}

-- Every issue paired with itself and each of its ancestors, so counts roll up the tree.
with recursive

issues as (

    select * from {{ ref('issues') }}

),

ancestry (issue_id, ancestor_issue_id, distance, path) as (

    select
        issue_id,
        issue_id,  -- noqa: AL08
        0,
        [issue_id]

    from issues

    union all

    select
        ancestry.issue_id,
        issues.parent_issue_id,
        ancestry.distance + 1,
        list_prepend(issues.parent_issue_id, ancestry.path)

    from ancestry
    inner join issues
        on ancestry.ancestor_issue_id = issues.issue_id
    where
        issues.parent_issue_id is not null
        and ancestry.distance < 20  -- a cycle in the seed cannot loop forever

),

final as (

    select
        issue_id,
        ancestor_issue_id,
        distance

    from ancestry

)

select * from final
