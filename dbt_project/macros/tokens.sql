{#- How text is split for matching, the same way for sentences, aliases and issue terms:
    maximal runs of letters and digits; everything else separates. "U.S.-Japan" -> U, S, Japan. -#}
{% macro tokenize(expression) -%}
    regexp_extract_all({{ expression }}, '[\pL\pN]+')
{%- endmacro %}

{% macro lower_tokens(expression) -%}
    list_transform({{ expression }}, lambda token: lower(token))
{%- endmacro %}

{#- The separators around tokens: element i + 1 is the text between token i and token i + 1. -#}
{% macro token_separators(expression) -%}
    regexp_split_to_array({{ expression }}, '[\pL\pN]+')
{%- endmacro %}

{#- Columns describing a phrase (alias or issue term) for matching: its tokens (a leading
    "the" dropped), lower-cased tokens, token count and first token. -#}
{% macro phrase_token_columns(expression) -%}
    case
        when len({{ tokenize(expression) }}) > 1
            and lower({{ tokenize(expression) }}[1]) = 'the'
            then {{ tokenize(expression) }}[2:]
        else {{ tokenize(expression) }}
    end
{%- endmacro %}
