{{ config(materialized='view', tags=['taxonomy']) }}

-- One row per language whose aliases and terms are matched in every inflected form (var
-- inflected_languages): how the Python model int_phrases__inflected reads the var.
select unnest([{{ "'" ~ var('inflected_languages') | join("', '") ~ "'" }}]) as language
