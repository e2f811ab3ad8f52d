with

mentions as (

    select * from {{ ref('int_entity_mentions__matched') }}

),

sentence_tone as (

    select * from {{ ref('fct_sentence_tone') }}

),

per_sentence as (

    select
        article_id,
        sentence_index,
        entity_id,
        any_value(entity_type) as entity_type,
        count(*) as mention_count,
        list(distinct matched_text order by matched_text) as matched_texts,
        list(distinct match_type order by match_type) as match_types,
        min(token_position) as first_token_position

    from mentions
    group by article_id, sentence_index, entity_id

),

final as (

    select
        md5(
            per_sentence.article_id || ':' || per_sentence.sentence_index
            || ':' || per_sentence.entity_id
        ) as entity_mention_id,
        sentence_tone.sentence_id,
        per_sentence.article_id,
        per_sentence.sentence_index,
        per_sentence.entity_id,
        per_sentence.entity_type,
        sentence_tone.outlet_id,
        sentence_tone.sentence_part,
        per_sentence.matched_texts,
        per_sentence.match_types,
        per_sentence.first_token_position,
        per_sentence.mention_count,
        sentence_tone.tone,
        sentence_tone.positive_share,
        sentence_tone.negative_share,
        sentence_tone.published_at,
        sentence_tone.published_date

    from per_sentence
    inner join sentence_tone
        on
            per_sentence.article_id = sentence_tone.article_id
            and per_sentence.sentence_index = sentence_tone.sentence_index

)

select * from final
