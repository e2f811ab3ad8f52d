"""Static checks of the dbt project that no build would catch."""

from __future__ import annotations

import re

import yaml

from flows.core.settings import REPO_ROOT

PROJECT = REPO_ROOT / "dbt_project"
# Seeds that describe, but do not change, what is derived from the text.
NOT_READ_BY_THE_MATCHER = {"outlets"}


def test_every_seed_the_matcher_reads_is_in_the_taxonomy_fingerprint():
    """Editing a seed must re-derive the history; only seeds in var('taxonomy_seeds') do."""
    listed = set(
        yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["vars"]["taxonomy_seeds"]
    )
    seeds = {path.stem for path in (PROJECT / "seeds").glob("*.csv")}
    assert seeds - NOT_READ_BY_THE_MATCHER == listed


# Incremental models that replace their rows (delete+insert on a key) because they read their
# own previous rows: the stamps themselves, and the stories (which read the stories before).
REPLACING_MODELS = {"int_articles__versioned", "int_stories__clustered"}


def test_every_incremental_model_follows_the_contract():
    """Incremental models delete what they redo in a pre-hook and select changed inputs (or,
    keyed by story, the stories whose articles changed: macros/stories.sql)."""
    for path in sorted((PROJECT / "models").rglob("*.sql")):
        sql = path.read_text()
        if "materialized='incremental'" not in sql or path.stem in REPLACING_MODELS:
            continue
        assert "delete_changed(" in sql or "delete_restoried('story_id')" in sql, path.name
        assert any(
            selection in sql
            for selection in ("is_new()", "is_changed_day()", "is_restoried_day()", "restoried_")
        ), path.name


def _macro_pattern() -> str:
    macro = (PROJECT / "macros" / "tokens.sql").read_text()
    (body,) = re.findall(r"macro token_pattern\(\) -%\}\s*(.*?)\s*\{%- endmacro", macro, re.S)
    return body


def test_the_token_rule_is_the_same_in_python_and_in_dbt():
    """The workers (flows/text/tokens.py) and dbt (macros/tokens.sql) split text into the
    same tokens. Checked on every Unicode code point Python's database knows, as the class it
    falls in (a character of a script without spaces: a token alone; a letter or digit: part
    of a run; anything else: a separator), and on texts mixing scripts. (DuckDB's RE2 knows a
    newer Unicode: the letters added since are unassigned to Python; no news text here uses
    them.)"""
    import unicodedata

    import duckdb
    import regex

    from flows.text.tokens import TOKEN, UNSPACED

    pattern = _macro_pattern()
    alone, run = pattern.split("|", 1)
    known = [
        code
        for code in range(1, 0x110000)
        if not 0xD800 <= code <= 0xDFFF and unicodedata.category(chr(code)) != "Cn"
    ]
    con = duckdb.connect()
    con.execute("create table known as select unnest(?) as code", [known])
    in_dbt = dict(
        con.execute(
            f"select code, case when regexp_full_match(chr(code::int), '{alone}') then 2 "
            f"when regexp_full_match(chr(code::int), '{run.removeprefix('(?:').removesuffix(')+')}') "
            "then 1 else 0 end from known"
        ).fetchall()
    )
    single = regex.compile(f"[{UNSPACED}]")
    in_python = {
        code: 2 if single.fullmatch(chr(code)) else 1 if TOKEN.fullmatch(chr(code)) else 0
        for code in known
    }
    assert sum(1 for c in in_python.values() if c) > 100_000  # letters and digits of every script
    assert sum(1 for c in in_python.values() if c == 2) > 90_000  # Han, kana, Hangul
    assert in_python == in_dbt, [c for c in known if in_python[c] != in_dbt[c]][:20]
    for text in (
        "中日关系持续紧张，G7峰会在日本举行。",
        "Japan's U.S.-China ties; Японии 2026",
        "コーヒーを飲む日々と한미 정상회담",
        "Tập Cận Bình, São Paulo, O'Brien-Smith",
    ):
        tokens = con.execute("select regexp_extract_all(?, ?)", [text, pattern]).fetchone()[0]
        assert tokens == TOKEN.findall(text), text


MARTS = PROJECT / "models" / "marts"
# The marts the architecture's "Public contracts" name: analysts, scripts and the analyst
# report query them. Every mart (these and the few beside them, which the CLI and the docs
# point analysts to) declares its columns and their types, and dbt enforces them.
NAMED_PUBLIC = {
    "dim_articles",
    "dim_outlets",
    "dim_entities",
    "dim_issues",
    "fct_entity_mentions",
    "fct_issue_mentions",
    "fct_sentence_tone",
    "fct_article_tone",
    "fct_quotes",
    "fct_attention_spikes",
    "agg_entity_daily",
    "agg_issue_daily",
    "agg_dyad_daily",
    "agg_quotes_daily",
    "dim_stories",
}


def _properties(folder, key: str = "models") -> dict[str, dict]:
    """``{name: properties}`` from every .yml in ``folder``, each with the file it is in."""
    found = {}
    for path in sorted(folder.glob("*.yml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")).get(key) or []:
            assert entry["name"] not in found, f"{entry['name']} described twice"
            found[entry["name"]] = {**entry, "file": path.name}
    return found


def test_every_mart_has_its_own_yml_that_states_the_grain_and_describes_every_column():
    marts = _properties(MARTS)
    assert set(marts) == {path.stem for path in MARTS.glob("*.sql")}
    for name, mart in marts.items():
        assert mart["file"] == f"{name}.yml", name
        assert mart["description"].startswith("One row per"), name
        undescribed = [c["name"] for c in mart["columns"] if not c.get("description")]
        assert undescribed == [], (name, undescribed)
    for name, test in _properties(MARTS, "unit_tests").items():
        assert test["file"] == f"{test['model']}.yml", name  # a unit test beside its model


def test_every_mart_is_public_and_enforces_a_contract_with_every_columns_type():
    marts = _properties(MARTS)
    assert set(marts) >= NAMED_PUBLIC
    for name, mart in marts.items():
        assert mart.get("config", {}).get("access") == "public", name
        assert mart["config"].get("contract") == {"enforced": True}, name
        untyped = [c["name"] for c in mart["columns"] if not c.get("data_type")]
        assert untyped == [], (name, untyped)
    # dbt enforces a contract on an incremental model only with one of these
    marts_config = yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["models"]
    assert marts_config["newswatch"]["marts"]["+on_schema_change"] in ("fail", "append_new_columns")


def test_no_dimension_reads_a_fact_or_a_rollup():
    """Dimensions are built from seeds, staging and intermediate models; facts join them."""
    import re

    for path in sorted(MARTS.glob("dim_*.sql")):
        refs = re.findall(r"ref\(\s*'(\w+)'\s*\)", path.read_text())
        assert refs, path.name
        assert [r for r in refs if r.startswith(("fct_", "agg_"))] == [], path.name


def test_the_analyst_reports_exposure_names_every_mart_the_report_reads():
    import re

    (exposure,) = _properties(MARTS, "exposures").values()
    declared = {re.fullmatch(r"ref\('(\w+)'\)", d).group(1) for d in exposure["depends_on"]}
    readers = REPO_ROOT / "flows" / "readers"
    code = "\n".join(
        path.read_text(encoding="utf-8")
        for pattern in ("analyst_report.py", "analyst_report/**/*.py")
        for path in readers.glob(pattern)
    )
    read = set(re.findall(r"\bmarts\.([a-z_]+)", code))
    assert read, "no query of the report found"
    assert read == declared


def test_coordinating_words_map_each_language_to_its_words():
    """int_phrases__matched reads var('coordinating_words') as language -> words (a string
    there would lint, and build, as no words at all)."""
    words = yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["vars"]["coordinating_words"]
    assert isinstance(words, dict) and "en" in words
    for language, listed in words.items():
        assert isinstance(listed, list) and listed, language
        assert all(isinstance(w, str) and w.strip() == w and w for w in listed), language


def test_nothing_in_the_project_reads_the_database_path_while_parsing():
    """newswatch lets dbt reuse a parse made for a database at another path
    (flows/transform/dbt_runner.py): that holds only while no model, macro or setting reads
    the path (or the profile's connection details) when dbt renders it."""
    reads_the_path = re.compile(r"target\s*\.\s*path|target\[['\"]path|credentials|profile_name")
    for path in sorted(PROJECT.rglob("*")):
        parts = path.relative_to(PROJECT).parts
        if path.suffix not in (".sql", ".yml", ".py") or parts[0] in ("target", "logs"):
            continue
        assert not reads_the_path.search(path.read_text(encoding="utf-8")), path


def test_models_with_memory_of_their_own_give_duckdb_memory_back_after():
    """A Python model reading every changed sentence, and the phrase matcher, run under the
    smaller cap on one thread (macros/memory.sql) and restore the build's cap after: a model
    left under 256 MB would leave every later model of the build there."""
    properties = _properties(PROJECT / "models" / "intermediate")
    streaming = [
        path.stem
        for path in (PROJECT / "models").rglob("*.py")
        if 'dbt.ref("int_sentences__tokenized")' in path.read_text()
    ]
    assert set(streaming) == {"int_persons__mentioned", "int_quotes__attributed"}
    for name in streaming:
        config = properties[name]["config"]
        assert "{{ model_memory_limit() }}" in config["pre_hook"], name
        assert config["post_hook"] == "{{ restore_memory_limit() }}", name
    matcher = (PROJECT / "models" / "intermediate" / "int_phrases__matched.sql").read_text()
    config_block = matcher[matcher.index("config(") : matcher.index("\n}}")]
    assert '"{{ model_memory_limit() }}"' in config_block.split("pre_hook=")[1].split("\n")[0]
    assert 'post_hook="{{ restore_memory_limit() }}"' in config_block
    # not a hook for every model: on one thread a Python table model with any pre-hook
    # could not find its staging table (int_phrases__inflected, a full build at 100k)
    project = yaml.safe_load((PROJECT / "dbt_project.yml").read_text())
    assert "+pre-hook" not in project["models"]["newswatch"]
    macros = (PROJECT / "macros" / "memory.sql").read_text()
    assert "target.threads == 1" in macros
    assert 'env_var("NEWSWATCH_DUCKDB_MEMORY_LIMIT"' in macros.split("restore_memory_limit")[1]
