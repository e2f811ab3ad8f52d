{{ config(materialized='view', tags=['taxonomy']) }}

-- One row per language whose persons are discovered by news writing's cues (var
-- discovery_languages): how the Python model int_persons__mentioned reads the var.
select unnest([{{ "'" ~ var('discovery_languages') | join("', '") ~ "'" }}]) as language
