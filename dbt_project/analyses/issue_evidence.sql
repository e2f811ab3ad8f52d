-- The evidence behind an issue count: the sentences and terms that matched, newest first.
select
    fct_issue_mentions.published_date,
    dim_articles.title,
    fct_issue_mentions.matched_terms,
    round(fct_issue_mentions.tone, 3) as tone,
    fct_issue_mentions.sentence_text

from marts.fct_issue_mentions
inner join marts.dim_articles
    on fct_issue_mentions.article_id = dim_articles.article_id
where fct_issue_mentions.issue_id = 'fukushima-wastewater'
order by fct_issue_mentions.published_date desc
limit 50
