{#- How text is split for matching, the same way for sentences, aliases and issue terms:
    maximal runs of letters and digits, except that each character of a script written without
    spaces (Chinese characters, kana, Hangul) is a token of its own; everything else separates.
    "U.S.-Japan" -> U, S, Japan; "中日关系" -> 中, 日, 关, 系. The workers store sentences' tokens
    by the same rule (flows/text/tokens.py; tests/test_dbt_project.py proves them equal). -#}
{% macro token_pattern() -%}
    [\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\x{30FC}\x{3005}]|(?:[^\P{L}\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\x{30FC}\x{3005}]|[^\P{N}\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\x{30FC}\x{3005}])+
{%- endmacro %}

{% macro tokenize(expression) -%}
    regexp_extract_all({{ expression }}, '{{ token_pattern() }}')
{%- endmacro %}

{% macro lower_tokens(expression) -%}
    list_transform({{ expression }}, lambda token: lower(token))
{%- endmacro %}

{#- The separators around tokens: element i + 1 is the text between token i and token i + 1. -#}
{% macro token_separators(expression) -%}
    regexp_split_to_array({{ expression }}, '{{ token_pattern() }}')
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
