"""One row per direct quotation in an article, with its speaker where the text says who it is.
The rules are flows/text/quotes.py (English news writing's cues) for articles in English, and
flows/text/quotes_multilingual.py (the cues of the seed quote_cues) for articles in the other
languages that seed has cues for. This model gives them the changed articles' sentences in
their paragraphs, the people (int_persons__mentioned, English) and the curated persons,
organizations and countries (int_phrases__matched) found there, and scores each English
quotation's tone with the project's tone model (an English lexicon: other languages' quotes
have none). Incremental by article (macros/incremental.sql)."""

import pyarrow as pa

from flows.core.records import Quotation
from flows.text.people import RULES_LANGUAGE, PersonMention
from flows.text.quotes import QUOTES_RULES_VERSION, NamedSpan, Passage, find_quotes
from flows.text.quotes_multilingual import (
    MULTILINGUAL_QUOTES_VERSION,
    Cues,
    Speaker,
    find_quotes_multilingual,
)
from flows.text.tokens import TOKEN
from flows.text.tone import score

CHUNK_ARTICLES = 2_000

SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("quote_index", pa.int32()),
        ("first_sentence_index", pa.int32()),
        ("sentence_count", pa.int32()),
        ("quote_text", pa.string()),
        ("is_fragment", pa.bool_()),
        ("speaker_entity_id", pa.string()),
        ("speaker_name", pa.string()),
        ("speaker_description", pa.string()),
        ("attribution_verb", pa.string()),
        ("attribution", pa.string()),
        ("tone", pa.float64()),
        ("rules_version", pa.string()),
        ("loaded_at", pa.timestamp("us", tz="UTC")),
        ("taxonomy_version", pa.string()),
    ]
)


def _token_spans(text):
    return [(m.start(), m.end()) for m in TOKEN.finditer(text)]


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    session.complete()  # the pre-hook's result, left open by dbt, would block writing the rows
    con = session.cursor()  # reads while dbt's connection writes the rows

    def sql_of(relation):
        return f"({relation.sql_query()})"

    dbt.ref("int_articles__versioned")  # the stamps the pre-hook reads
    fingerprint_relation = dbt.ref("int_taxonomy__fingerprint")
    verbs_relation = dbt.ref("attribution_verbs")
    titles_relation = dbt.ref("person_titles")
    fingerprint = con.sql(f"select * from {sql_of(fingerprint_relation)}").fetchall()[0][0]
    english = f"where language = '{RULES_LANGUAGE}'"
    verbs = frozenset(
        row[0] for row in con.sql(f"select verb from {sql_of(verbs_relation)} {english}").fetchall()
    )
    # the words of titles and roles: "the singer said" describes a person named before
    roles = frozenset(
        word
        for row in con.sql(f"select title from {sql_of(titles_relation)} {english}").fetchall()
        for word in row[0].lower().split()
    )
    # another language's attribution verbs join its quote_cues
    cue_rows = con.sql(
        f"""
        select language, cue, kind from {sql_of(dbt.ref("quote_cues"))}
        union
        select language, verb, 'verb' from {sql_of(verbs_relation)}
        where language <> '{RULES_LANGUAGE}'
        order by all
        """
    ).fetchall()
    cues = {}
    for language in sorted({row[0] for row in cue_rows} - {RULES_LANGUAGE}):
        of = [row for row in cue_rows if row[0] == language]
        cues[language] = Cues(
            verbs=tuple(cue for _, cue, kind in of if kind == "verb"),
            pronouns=tuple(cue for _, cue, kind in of if kind == "pronoun"),
            so_called=tuple(cue for _, cue, kind in of if kind == "so_called"),
            honorifics=tuple(cue for _, cue, kind in of if kind == "honorific"),
        )
    cue_languages = ", ".join(f"'{language}'" for language in cues) or "''"
    sentences = dbt.ref("int_sentences__tokenized")
    articles = dbt.ref("stg_newswatch__articles")
    stored_quotations = dbt.ref("stg_newswatch__quotations")
    persons = dbt.ref("int_persons__mentioned")
    phrases = dbt.ref("int_phrases__matched")
    watermark = "'-infinity'::timestamptz"
    if dbt.is_incremental:
        # on dbt's own connection: it sees what the pre-hook deleted in this transaction
        newest = session.sql(f"select max(loaded_at) from {dbt.this}").fetchall()[0][0]
        if newest is not None:
            watermark = f"'{newest.isoformat()}'::timestamptz"

    # Only articles with a quotation have quotes to find: those the workers found quotations
    # in, and, of articles stored without the workers' analysis, those with a quotation mark.
    # They are read a chunk of articles at a time, so memory stays flat however many changed.
    quoted = [
        row[0]
        for row in con.sql(
            f"""
            with changed as (
                select article_id, analyser, sentence_text, language from {sql_of(sentences)}
                where loaded_at > {watermark}
                    and (language = '{RULES_LANGUAGE}' or language in ({cue_languages}))
            )
            select article_id from changed
            where analyser is not null and language = '{RULES_LANGUAGE}'
                and article_id in (select article_id from {sql_of(stored_quotations)})
            union
            select article_id from changed
            where (analyser is null or language <> '{RULES_LANGUAGE}')
                and regexp_matches(sentence_text, '["“”«»„「」『』]')
            order by article_id
            """
        ).fetchall()
    ]

    def chunk_rows(ids):
        con.execute(
            "create or replace temp table chunk as select unnest($ids) as article_id", {"ids": ids}
        )
        sentences_of = {}
        language_of = {}
        for article_id, index, text, paragraph, stamp, language in con.sql(
            f"""
            select sentences.article_id, sentences.sentence_index, sentences.sentence_text,
                case
                    when sentences.paragraph_index is not null then sentences.paragraph_index
                    when sentences.sentence_index = 0 then -1
                    else length(articles.text[1:sentences.char_start])
                        - length(replace(articles.text[1:sentences.char_start], chr(10), ''))
                end as paragraph,
                sentences.loaded_at,
                sentences.language
            from {sql_of(sentences)} as sentences
            inner join chunk on sentences.article_id = chunk.article_id
            -- the chunk's texts only: joined whole, DuckDB built its hash table on every
            -- article's text (beyond the 256 MB cap at 30,000 articles)
            left join (
                select article_id, text from {sql_of(articles)}
                where article_id in (select article_id from chunk)
            ) as articles on sentences.article_id = articles.article_id
            order by sentences.article_id, sentences.sentence_index
            """
        ).fetchall():
            sentences_of.setdefault(article_id, []).append((index, text, paragraph or 0, stamp))
            language_of.setdefault(article_id, language)
        people = {}
        for row in con.sql(
            f"select article_id, sentence_index, char_start, char_end, entity_id, name, "
            f"stated_role, gender from {sql_of(persons)} "
            "where article_id in (select article_id from chunk) "
            "order by article_id, sentence_index, char_start"
        ).fetchall():
            article_id, index, start, end, entity_id, name, role, gender = row
            people.setdefault(article_id, []).append(
                PersonMention(
                    index, 0, 0, start, end, entity_id, False, name, name, role, "", "", gender
                )
            )
        bodies = {}
        for row in con.sql(
            f"select article_id, sentence_index, token_position, token_count, entity_id, "
            f"entity_type from {sql_of(phrases)} "
            "where phrase_kind = 'alias' and entity_type in ('organization', 'country', 'person') "
            "and article_id in (select article_id from chunk) "
            "order by article_id, sentence_index, token_position, entity_id"
        ).fetchall():
            bodies.setdefault(row[0], []).append(row[1:])
        found = {}
        for row in con.sql(
            f"""
            select article_id, paragraph_index, char_start, char_end, first_sentence_index,
                last_sentence_index, is_closed, quote_text
            from {sql_of(stored_quotations)}
            where article_id in (select article_id from chunk)
            qualify row_number() over (
                partition by article_id, quote_index order by loaded_at desc
            ) = 1
            order by article_id, quote_index
            """
        ).fetchall():
            found.setdefault(row[0], []).append(Quotation(*row[1:]))
        rows = {name: [] for name in SCHEMA.names}
        for article_id, parts in sentences_of.items():
            passages = [Passage(index, text, paragraph) for index, text, paragraph, _ in parts]
            texts = {index: text for index, text, _, _ in parts}
            named = []  # (sentence, start, end, entity id, type) of every curated alias found
            for index, position, count, entity_id, entity_type in bodies.get(article_id, []):
                spans = _token_spans(texts.get(index, ""))
                if position + count - 2 < len(spans):
                    named.append(
                        (
                            index,
                            spans[position - 1][0],
                            spans[position + count - 2][1],
                            entity_id,
                            entity_type,
                        )
                    )
            language = language_of.get(article_id)
            if language == RULES_LANGUAGE:
                quotes = find_quotes(
                    passages,
                    people.get(article_id, []),
                    [NamedSpan(*n[:4]) for n in named if n[4] != "person"],
                    verbs,
                    # None for an article stored without the workers' analysis: found here
                    found.get(article_id) if article_id in found else None,
                    roles,
                )
                rules_version = QUOTES_RULES_VERSION
            elif language in cues:
                # discovered persons speak too where a language discovers them (their mentions
                # there are discovered ones only: int_persons__mentioned)
                discovered = [
                    (m.sentence_index, m.char_start, m.char_end, m.entity_id, "person")
                    for m in people.get(article_id, [])
                ]
                quotes = find_quotes_multilingual(
                    passages,
                    [Speaker(*n) for n in sorted([*named, *discovered])],
                    cues[language],
                    language,
                )
                rules_version = MULTILINGUAL_QUOTES_VERSION
            else:
                continue
            for number, quote in enumerate(quotes):
                rows["article_id"].append(article_id)
                rows["quote_index"].append(number)
                rows["first_sentence_index"].append(quote.first_sentence_index)
                rows["sentence_count"].append(quote.sentence_count)
                rows["quote_text"].append(quote.quote_text)
                rows["is_fragment"].append(quote.is_fragment)
                rows["speaker_entity_id"].append(quote.speaker_entity_id)
                rows["speaker_name"].append(quote.speaker_name)
                rows["speaker_description"].append(quote.speaker_description)
                rows["attribution_verb"].append(quote.attribution_verb)
                rows["attribution"].append(quote.attribution)
                # the tone model is an English lexicon: never another language's score
                tone = score(quote.quote_text).tone if language == RULES_LANGUAGE else None
                rows["tone"].append(tone)
                rows["rules_version"].append(rules_version)
                rows["loaded_at"].append(parts[0][3])
                rows["taxonomy_version"].append(fingerprint)
        return pa.RecordBatch.from_pydict(rows, schema=SCHEMA)

    def batches():
        for first in range(0, len(quoted), CHUNK_ARTICLES):
            yield chunk_rows(quoted[first : first + CHUNK_ARTICLES])

    # A relation on dbt's own connection: dbt-duckdb writes an incremental model's new rows to a
    # temporary table there, which another cursor could not see.
    return session.from_arrow(pa.RecordBatchReader.from_batches(SCHEMA, batches()))
