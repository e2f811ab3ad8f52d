with

source as (

    select * from {{ source('newswatch', 'runs') }}

),

renamed as (

    select
        run_id,
        flow_run_id,
        status,
        feeds_file,
        summary,
        started_at,
        finished_at,
        date_diff('millisecond', started_at, finished_at) / 1000.0 as duration_seconds

    from source

)

select * from renamed
