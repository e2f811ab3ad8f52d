"""One row per inflected form of a seed alias or issue term in a language whose words inflect
(var inflected_languages: Russian): every case of a name written once in the nominative
(Япония -> Японии, Японией; Южная Корея -> Южной Кореи), every form of a demonym adjective
(японский -> японского, японские), every case of a person's name (Владимира Путина). The
forms come from flows/text/inflection.py (pymorphy3 and the dictionaries it ships); the
matcher reads them beside the seeds' own rows (int_phrases__tokenized), so an alias written
once matches in every case, over the whole history, with no text read again."""

import pyarrow as pa

from flows.text.inflection import inflected_forms

# Where a person's name is written family name first (Chinese, Korean, Vietnamese names):
# Russian declines only its last syllable (Ким Чен Ына, Си Цзиньпина).
FAMILY_FIRST = frozenset({"CN", "TW", "HK", "MO", "KP", "KR", "VN"})

SCHEMA = pa.schema(
    [
        ("phrase_kind", pa.string()),
        ("entity_id", pa.string()),
        ("issue_id", pa.string()),
        ("written", pa.string()),
        ("form", pa.string()),
        ("alias_kind", pa.string()),
        ("case_rule", pa.string()),
        ("language", pa.string()),
        ("requires_entity_id", pa.string()),
        ("requires_scope", pa.string()),
    ]
)


def model(dbt, session):
    dbt.config(materialized="table", tags=["taxonomy"])
    # var inflected_languages, as the view int_languages__inflected renders it
    languages = [
        row[0]
        for row in session.sql(
            f"select language from ({dbt.ref('int_languages__inflected').sql_query()})"
        ).fetchall()
    ]
    rows = {name: [] for name in SCHEMA.names}

    def add(*values):
        for name, value in zip(SCHEMA.names, values, strict=True):
            rows[name].append(value)

    if languages:
        wanted = ", ".join(f"'{language}'" for language in languages)
        aliases = session.sql(
            f"""
            select aliases.entity_id, aliases.alias, aliases.alias_kind, aliases.case_rule,
                aliases.language, entities.entity_type, entities.country_code
            from ({dbt.ref("entity_aliases").sql_query()}) as aliases
            inner join ({dbt.ref("entities").sql_query()}) as entities
                on aliases.entity_id = entities.entity_id
            where aliases.language in ({wanted})
            order by all
            """
        ).fetchall()
        for entity_id, alias, kind, case_rule, language, entity_type, country in aliases:
            shape = kind
            if entity_type == "person":
                shape = "person_family_first" if country in FAMILY_FIRST else "person"
            for form in inflected_forms(alias, language, shape):
                if form != alias:
                    add(
                        "alias", entity_id, None, alias, form, kind, case_rule, language, None, None
                    )
        terms = session.sql(
            f"""
            select issue_id, term, case_rule, language, requires_entity_id, requires_scope
            from ({dbt.ref("issue_terms").sql_query()})
            where language in ({wanted})
            order by all
            """
        ).fetchall()
        for issue_id, term, case_rule, language, requires, scope in terms:
            for form in inflected_forms(term, language, "term"):
                if form != term:
                    add(
                        "issue_term",
                        None,
                        issue_id,
                        term,
                        form,
                        None,
                        case_rule,
                        language,
                        requires,
                        scope,
                    )
    return pa.table(rows, schema=SCHEMA)
