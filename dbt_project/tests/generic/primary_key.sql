{#- A key: fails on every value that is null or occurs more than once (unique + not_null in
    one pass over the table). -#}
{% test primary_key(model, column_name) %}

select {{ column_name }}, count(*) as occurrences
from {{ model }}
group by {{ column_name }}
having {{ column_name }} is null or count(*) > 1

{% endtest %}
