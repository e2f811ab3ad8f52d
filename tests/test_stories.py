"""Stories in the workers: shingles and MinHash signatures (flows/text/stories.py), made with
the rest of a page's analysis and stored with it (raw.article_signatures); and the gold set's
loader (tools/stories_quality.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows import warehouse
from flows.core.records import LoggedFetch, PageOutcome, StoredText
from flows.core.statuses import FetchStatus, PageStatus
from flows.ingest.jobs import PageJob, analyse_stored_texts, run_page_job
from flows.text import stories
from flows.text.analysis import analyse_stand_in
from flows.text.stories import SKETCH_VERSION, sign, similarity, words
from tools.stories_quality import apply_edits, load_pairs, load_texts, paragraphs

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
GOLD = load_texts(None)  # the set's own texts and the demo articles (no shared corpus needed)
WIRE = GOLD["demo:harbor-wire--scarborough-water-cannon"].body


def test_typography_case_and_spacing_do_not_change_a_signature():
    plain = 'He said "no" -- twice.\nThen   he left.'
    styled = "HE SAID “no” — twice.  Then he left."
    assert sign(plain) == sign(styled)
    assert sign(plain) != sign("He said yes, twice. Then he left.")


def test_a_signature_is_fixed_by_its_rules():
    """Stored signatures are compared with new ones for years: the same text gives the same
    values in any process, on any machine (change the rules, and SKETCH_VERSION with them)."""
    signature = sign(WIRE)
    assert signature is not None
    assert signature.sketch == SKETCH_VERSION
    assert len(signature.minhashes) == stories.PERMUTATIONS
    assert all(0 <= value < 2**32 for value in signature.minhashes)
    assert signature.shingle_count == len(set(stories.shingle_hashes(WIRE).tolist()))
    assert signature.minhashes[:3] == (114924, 12839624, 2752206)


@pytest.mark.parametrize(
    ("text", "in_characters"),
    [
        ("中日关系持续紧张，两国外长今天在北京会谈。", True),
        ("韓国の李在明大統領は13日、高市早苗首相と会談した。", True),
        ("한국과 일본 정상이 13일 청소년 교류 확대에 합의했다.", True),
        ("Japan and China held talks in Beijing (北京) on Monday.", False),
        ("Москва и Пекин подписали соглашение.", False),
    ],
)
def test_words_without_spaces_are_read_in_characters(text: str, in_characters: bool):
    assert words(text)[1] is in_characters


def test_copies_are_alike_and_independent_articles_are_not():
    copy = sign(GOLD["text:d-scarborough-copy"].body)
    local = sign(GOLD["text:d-scarborough-local"].body)  # new paragraphs on top
    independent = sign(GOLD["text:w-scarborough-indep"].body)  # same event, own words
    wire = sign(WIRE)
    assert None not in (copy, local, independent, wire)
    assert similarity(wire, copy)[0] > 0.9  # type: ignore[arg-type]
    jaccard, containment = similarity(wire, local)  # type: ignore[arg-type]
    assert containment > 0.8 and jaccard < containment
    assert similarity(wire, independent)[1] < 0.25  # type: ignore[arg-type]


def test_chinese_copies_are_found_by_their_characters():
    original = sign(GOLD["text:zh-apec-orig"].body)
    edited = sign(GOLD["text:zh-apec-edit"].body)
    independent = sign(GOLD["text:zh-apec-indep"].body)  # the same summit, its own words
    assert original is not None and edited is not None and independent is not None
    assert similarity(original, edited)[1] > 0.6
    assert similarity(original, independent)[1] < 0.3


def test_no_words_no_signature():
    assert sign(None) is None
    assert sign("") is None
    assert sign(" — … ") is None
    one = sign("Brief.")
    assert one is not None and one.shingle_count == 1


def _fetch(article_id: str) -> LoggedFetch:
    return LoggedFetch(
        f"f-{article_id}", f"http://site.test/{article_id}", f"http://site.test/{article_id}",
        NOW, FetchStatus.OK, 200, "text/html", 10, None, 5, None,
    )  # fmt: skip


def test_the_workers_sign_pages_stand_ins_and_stored_texts(tmp_path: Path):
    html = (
        "<html><head><title>Water cannon</title></head><body><article><h1>Water cannon</h1>"
        + "".join(f"<p>{p}</p>" for p in WIRE.split("\n"))
        + "</article></body></html>"
    ).encode()
    page = run_page_job(PageJob("a1", "http://site.test/a1", html, "text/html"))
    assert page.extraction.status is PageStatus.OK
    assert page.signature is not None and similarity(page.signature, sign(WIRE))[1] > 0.9  # type: ignore[arg-type]
    summary = "Chinese coast guard ships fired water cannon at a Philippine vessel near Scarborough Shoal on Monday."
    assert analyse_stand_in("a2", "T", summary).signature == sign(summary)
    (stored,) = analyse_stored_texts([StoredText("a3", "T", WIRE)])
    assert stored.signature == sign(WIRE)

    with warehouse.open_warehouse(tmp_path / "w.duckdb") as con:
        for article_id in ("a1", "a2"):
            con.execute(
                "insert into raw.articles (article_id, canonical_url, url, status, fetch_attempts, "
                "first_seen_at, loaded_at, run_id) values (?, ?, ?, 'pending', 0, ?, ?, 'r')",
                [
                    article_id,
                    f"http://site.test/{article_id}",
                    f"http://site.test/{article_id}",
                    NOW,
                    NOW,
                ],
            )
        warehouse.load_page_outcomes(
            con,
            "r1",
            [
                PageOutcome("a1", _fetch("a1"), "ok", None, page, "page"),
                PageOutcome(
                    "a2",
                    _fetch("a2"),
                    "http_error",
                    None,
                    analyse_stand_in("a2", "T", summary),
                    "feed_summary",
                ),
            ],
        )
        rows = con.execute(
            "select article_id, sketch, shingle_count, len(minhashes) from raw.article_signatures order by 1"
        ).fetchall()
        assert [r[0] for r in rows] == ["a1", "a2"]
        assert {r[1] for r in rows} == {SKETCH_VERSION} and {r[3] for r in rows} == {128}
        # analysed again from the stored text (an analyser upgrade): the row is replaced
        warehouse.store_analyses(con, analyse_stored_texts([StoredText("a2", "T", WIRE)]))
        again = con.execute(
            "select shingle_count from raw.article_signatures where article_id = 'a2'"
        ).fetchall()
        assert again == [(sign(WIRE).shingle_count,)]  # type: ignore[union-attr]


def test_real_page_texts_are_rebuilt_by_their_edit_scripts():
    """The README's edit operations, each with its guard."""
    source = paragraphs("First one. Second sentence here.\n\nKept.\n  Dropped para.\nLast.")
    assert source == ["First one. Second sentence here.", "Kept.", "Dropped para.", "Last."]
    edited = apply_edits(
        source,
        [
            {"op": "drop", "para": 2, "starts": "Dropped"},
            {"op": "insert", "at": 0, "text": "A new intro."},
            {"op": "replace_sentence", "containing": "Second", "with": "Another one."},
            {"op": "replace_all", "old": "one", "new": "ONE"},
            {"op": "move", "para": 3, "starts": "Last", "to": 1},
        ],
    )
    assert edited == ["A new intro.", "Last.", "First ONE. Another ONE.", "Kept."]
    with pytest.raises(ValueError):
        apply_edits(source, [{"op": "drop", "para": 0, "starts": "Kept"}])


def test_every_pair_of_the_gold_set_names_texts_that_can_be_built():
    pairs = load_pairs()
    assert len(pairs) == 309
    missing = {ref for p in pairs for ref in (p.a, p.b) if ref not in GOLD}
    assert missing <= {ref for ref in missing if ref.startswith(("real:", "text:r-"))}
    assert all(GOLD[ref].body for p in pairs for ref in (p.a, p.b) if ref in GOLD)
