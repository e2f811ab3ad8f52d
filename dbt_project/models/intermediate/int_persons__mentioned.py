"""One row per mention of a person: curated or discovered, by full name, by surname after the
full name, or by a curated surname that stands alone. The rules are flows/text/people.py (news
writing's cues: English's, and in the other languages of var discovery_languages their own
cues from the seed person_cues); this model feeds them the changed articles' sentences and
the seeds, and streams the mentions back (incremental by article: macros/incremental.sql).
Outside English it keeps discovered persons only: curated ones are found there by their
aliases (int_entity_mentions__matched)."""

import pyarrow as pa

from flows.text.people import (
    PEOPLE_RULES_VERSION,
    RULES_LANGUAGE,
    Sentence,
    cue_seeds,
    find_people,
    language_lexicon,
)

BATCH_ROWS = 50_000

SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("sentence_index", pa.int32()),
        ("token_position", pa.int32()),
        ("token_count", pa.int32()),
        ("char_start", pa.int32()),
        ("char_end", pa.int32()),
        ("entity_id", pa.string()),
        ("is_curated", pa.bool_()),
        ("name", pa.string()),
        ("full_name", pa.string()),
        ("stated_role", pa.string()),
        ("match_type", pa.string()),
        ("cue", pa.string()),
        ("gender", pa.string()),
        ("rules_version", pa.string()),
        ("loaded_at", pa.timestamp("us", tz="UTC")),
        ("taxonomy_version", pa.string()),
    ]
)


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    session.complete()  # the pre-hook's result, left open by dbt, would block writing the rows
    # The input is read on a connection of its own, so it streams while dbt's connection
    # writes the rows.
    con = session.cursor()

    def read(relation, columns="*"):
        return con.sql(f"select {columns} from ({relation.sql_query()})").fetchall()

    dbt.ref("int_articles__versioned")  # the stamps the pre-hook reads
    fingerprint = read(dbt.ref("int_taxonomy__fingerprint"))[0][0]
    entities = dbt.ref("entities")
    aliases = dbt.ref("entity_aliases")
    # the cue seeds' English rows are the English rules' own; another language's rows join
    # that language's cues (people.cue_seeds)
    seeds = cue_seeds(
        read(dbt.ref("person_titles"), "title, language"),
        read(dbt.ref("attribution_verbs"), "verb, language"),
        read(dbt.ref("not_person_words"), "word, kind, language"),
        read(dbt.ref("person_cues"), "language, kind, cue"),
        read(dbt.ref("quote_cues"), "language, cue, kind"),
    )
    family_names = [row[0] for row in read(dbt.ref("family_name_first"), "name")]
    types = dict(read(entities, "entity_id, entity_type"))
    alias_rows = read(aliases, "entity_id, alias, alias_kind, stands_alone, language")
    # (a ref inside a generator expression is not seen by dbt's parser: named first)
    discovered_relation = dbt.ref("int_languages__discovered")
    discovered = sorted(row[0] for row in read(discovered_relation))
    languages = [RULES_LANGUAGE] + [code for code in discovered if code != RULES_LANGUAGE]

    alias_rows = [
        (entity_id, types.get(entity_id), alias, kind, bool(alone), code)
        for entity_id, alias, kind, alone, code in alias_rows
    ]
    lexicons = {
        language: language_lexicon(
            language,
            alias_rows,
            seeds.titles,
            seeds.verbs,
            seeds.not_person_words,
            family_names,
            seeds.person_cues,
            seeds.quote_verbs,
        )
        for language in languages
    }
    sentences = dbt.ref("int_sentences__tokenized")
    watermark = "'-infinity'::timestamptz"
    if dbt.is_incremental:
        # on dbt's own connection: it sees what the pre-hook deleted in this transaction
        newest = session.sql(f"select max(loaded_at) from {dbt.this}").fetchall()[0][0]
        if newest is not None:
            watermark = f"'{newest.isoformat()}'::timestamptz"
    reader = con.sql(
        f"select article_id, sentence_index, sentence_text, loaded_at, name_runs, language "
        f"from ({sentences.sql_query()}) "
        f"where loaded_at > {watermark} and language in ({', '.join(repr(c) for c in languages)}) "
        "order by article_id, sentence_index"
    ).to_arrow_reader(BATCH_ROWS)

    def mentions():
        pending_id, pending_stamp, pending, pending_language = None, None, [], RULES_LANGUAGE
        out = {name: [] for name in SCHEMA.names}

        def flush_article():
            english = pending_language == RULES_LANGUAGE
            for mention in find_people(pending, lexicons[pending_language]):
                if mention.is_curated and not english:
                    continue  # found by its aliases there (int_entity_mentions__matched)
                out["article_id"].append(pending_id)
                out["sentence_index"].append(mention.sentence_index)
                out["token_position"].append(mention.token_position)
                out["token_count"].append(mention.token_count)
                out["char_start"].append(mention.char_start)
                out["char_end"].append(mention.char_end)
                out["entity_id"].append(mention.entity_id)
                out["is_curated"].append(mention.is_curated)
                out["name"].append(mention.name)
                out["full_name"].append(mention.full_name)
                out["stated_role"].append(mention.stated_role)
                out["match_type"].append(mention.match_type)
                out["cue"].append(mention.cue)
                out["gender"].append(mention.gender)
                out["rules_version"].append(PEOPLE_RULES_VERSION)
                out["loaded_at"].append(pending_stamp)
                out["taxonomy_version"].append(fingerprint)

        for batch in reader:
            columns = batch.to_pydict()
            for article_id, index, text, stamp, runs, language in zip(
                columns["article_id"],
                columns["sentence_index"],
                columns["sentence_text"],
                columns["loaded_at"],
                columns["name_runs"],
                columns["language"],
                strict=True,
            ):
                if article_id != pending_id:
                    if pending:
                        flush_article()
                    pending_id, pending_stamp, pending = article_id, stamp, []
                    pending_language = language
                # runs the workers found (None for a sentence stored without them: found here)
                found = None if runs is None else tuple(tuple(run) for run in runs)
                pending.append(Sentence(index, text, found))
            if len(out["article_id"]) >= BATCH_ROWS:
                yield pa.RecordBatch.from_pydict(out, schema=SCHEMA)
                out = {name: [] for name in SCHEMA.names}
        if pending:
            flush_article()
        if out["article_id"]:
            yield pa.RecordBatch.from_pydict(out, schema=SCHEMA)

    # A relation on dbt's own connection: dbt-duckdb writes an incremental model's new rows to a
    # temporary table there, which another cursor could not see.
    return session.from_arrow(pa.RecordBatchReader.from_batches(SCHEMA, mentions()))
