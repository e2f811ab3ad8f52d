"""The real-text audit's logic: finding a label's words again, counting every occurrence once,
classifying what is wrong, and the labels file itself (tests/gold/real_pages.yaml)."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import feedparser
import httpx
import pytest

from flows.demo_site.site import DemoServer
from tools.audit import (
    DUPLICATE,
    LABELS_FILE,
    NOT_AN_ALIAS,
    NOT_EXTRACTED,
    NOT_MATCHED,
    OUTSIDE,
    UNLABELLED,
    CheckedText,
    Label,
    LabelError,
    MentionRow,
    PageFacts,
    PageLabels,
    Sentence,
    Trap,
    benchmark_site,
    context_match,
    feed_xml,
    load_labels,
    load_taxonomy,
    page_id_of,
    page_title,
    score_page,
    words,
)
from tools.quality import marked_sections, replace_section, wilson
from tools.real_pages import RealPage

PAGE = "ab" * 32


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def match(context: str, text: str, sentence: str) -> float:
    return context_match(words(context), words(text), words(sentence))


@pytest.mark.parametrize(
    ("context", "text", "sentence", "found"),
    [
        # the same words, whatever the quotes and punctuation
        (
            "said the Japanese foreign ministry in",
            "Japanese",
            "It was, said the “Japanese” foreign ministry in Tokyo.",
            True,
        ),
        # a word lost in extraction (a link's text) costs one word, not the match
        (
            "died during protests in Bolivia against the self-declared",
            "Bolivia",
            "Three people died during protests in Bolivia against the government",
            True,
        ),
        # the sentence splitter cut the context: what remains must match
        (
            "Wednesday.The stabbing occurred in Berlin",
            "Berlin",
            "The stabbing occurred in Berlin, where he worked.",
            True,
        ),
        # one claim is not the other, although most words agree
        (
            "Russian and Syrian defense ministry’s claim is “absolutely not true",
            "Russian",
            "that the Russian and Syrian defense ministry’s claim “is patently false,” and that the United States",
            False,
        ),
        # the label's text must be there
        (
            "the mood in Beijing was pessimistic",
            "Beijing",
            "the mood in Shanghai was pessimistic",
            False,
        ),
        # too little left of a context cut at a sentence boundary
        (
            "Sweden drops Assange rape investigation",
            "Sweden",
            "Julian Assange was arrested in Sweden",
            False,
        ),
    ],
)
def test_a_context_is_found_again_despite_small_differences(context, text, sentence, found):
    assert (match(context, text, sentence) > 0) is found


def test_a_whole_match_ranks_above_a_partial_one():
    context = "Sweden drops Assange rape investigation"
    whole = match(context, "Sweden", "Sweden drops Assange rape investigation")
    partial = match(context, "Sweden", "Julian Assange: Sweden drops rape investigation")
    assert whole == 1.0 and 0 < partial < whole


def test_wilson_interval_matches_the_textbook_values():
    low, high = wilson(5, 10)
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)
    low, high = wilson(10, 10)
    assert high == 1.0 and round(low, 4) == 0.7225
    assert wilson(0, 0) == (0.0, 1.0)


def label(entity_id: str, text: str, context: str, number: int = 0, **extra) -> Label:
    return Label(PAGE, number, entity_id, text, context, **extra)


def page_labels(*mentions: Label, traps: tuple[Trap, ...] = ()) -> PageLabels:
    return PageLabels(PAGE, "", mentions, traps)


def facts(sentences: list[str], rows: list[tuple[int, str, int, tuple[str, ...]]]) -> PageFacts:
    page = PageFacts(PAGE, "ok")
    page.sentences = {i: Sentence(i, text) for i, text in enumerate(sentences)}
    page.rows = [MentionRow(i, e, "country", n, texts) for i, e, n, texts in rows]
    return page


def test_each_occurrence_counts_once_and_every_label_is_accounted_for(taxonomy):
    sentences = [
        "Russia and Syria: U.S.-backed Syrian Forces Blocking Refugee Return",
        "Jordan closed its borders with Syria and blocked the crossing.",
        "It was quiet in Damascus on Tuesday.",
    ]
    labels = page_labels(
        label("syria", "Syria", "Russia and Syria: U.S.-backed Syrian Forces", 0),
        label("syria", "Syrian", "U.S.-backed Syrian Forces Blocking Refugee Return", 1),
        label("russia", "Russia", "Russia and Syria: U.S.-backed Syrian Forces", 2),
        label("jordan", "Jordan", "Jordan closed its borders with Syria", 3),
        label("syria", "Syria", "Jordan closed its borders with Syria", 4),
        label("iraq", "Iraq", "weapons trafficking between Iraq and Syria", 5),
        traps=(Trap(PAGE, "Damascus", "It was quiet in Damascus", "syria", "capital-as-place"),),
    )
    page = facts(
        sentences,
        [
            (0, "syria", 2, ("Syria", "Syrian")),
            (0, "russia", 1, ("Russia",)),
            (0, "united-states", 1, ("U S",)),  # the label for it is missing: one error
            (1, "jordan", 1, ("Jordan",)),
            (1, "syria", 1, ("Syria",)),
            (2, "syria", 1, ("Damascus",)),
        ],
    )
    checked = CheckedText(sentences[0], " ".join(sentences[1:]))
    found, optional_found, optional_missed, misses, wrong, hits = score_page(
        labels, page, checked, taxonomy
    )
    assert len(found) == 5
    assert [(m.label.entity_id, m.cause) for m in misses] == [("iraq", NOT_EXTRACTED)]
    assert sorted((w.entity_id, w.cause, w.count) for w in wrong) == [
        ("syria", "capital-as-place", 1),
        ("united-states", UNLABELLED, 1),
    ]
    assert [t.text for t in hits] == ["Damascus"]
    assert (optional_found, optional_missed) == (0, 0)


def test_an_occurrence_goes_to_the_label_written_like_it(taxonomy):
    """ "Ecuadoran" is not an alias; the row comes from "Quito": that label is found, the
    other missed, even though both compete for the same row."""
    sentence = "He was hauled out of the Ecuadoran Embassy after Quito stripped him of his status."
    labels = page_labels(
        label("ecuador", "Ecuadoran", "hauled out of the Ecuadoran Embassy", 0),
        label("ecuador", "Quito", "after Quito stripped him of his status", 1),
    )
    page = facts([sentence], [(0, "ecuador", 1, ("Quito",))])
    found, _, _, misses, wrong, _ = score_page(labels, page, CheckedText(None, sentence), taxonomy)
    assert [lab.text for lab, _ in found] == ["Quito"]
    assert [(m.label.text, m.cause, m.kind) for m in misses] == [
        ("Ecuadoran", NOT_MATCHED, NOT_AN_ALIAS)
    ]
    assert wrong == []


def test_optional_labels_are_neither_credit_nor_error(taxonomy):
    sentences = ["Mr. Trump said the talks went well.", "President Trump left for Ohio."]
    labels = page_labels(
        label("donald-trump", "Trump", "Mr. Trump said the talks went well", 0, optional=True),
        label("donald-trump", "Trump", "President Trump left for Ohio", 1, optional=True),
    )
    page = facts(sentences, [(0, "donald-trump", 1, ("Trump",))])
    found, optional_found, optional_missed, misses, wrong, _ = score_page(
        labels, page, CheckedText(None, " ".join(sentences)), taxonomy
    )
    assert (found, misses, wrong) == ([], [], [])
    assert (optional_found, optional_missed) == (1, 1)


def test_wrong_mentions_in_boilerplate_and_repeated_headlines_are_told_apart(taxonomy):
    sentences = [
        "What to make of the US-China trade war",
        "What to make of the US-China trade war",
        "Markets in Asia were mixed.",
        "READ MORE: China plague outbreak confirmed",
    ]
    labels = page_labels(
        label("united-states", "US", "What to make of the US-China trade war", 0),
        label("china", "China", "What to make of the US-China trade war", 1),
    )
    page = facts(
        sentences,
        [
            (0, "united-states", 1, ("US",)),
            (0, "china", 1, ("China",)),
            (1, "united-states", 1, ("US",)),
            (1, "china", 1, ("China",)),
            (3, "china", 1, ("China",)),
        ],
    )
    checked = CheckedText(sentences[0], "Markets in Asia were mixed.")
    found, _, _, misses, wrong, _ = score_page(labels, page, checked, taxonomy)
    assert len(found) == 2 and misses == []
    assert sorted((w.sentence.index, w.entity_id, w.cause) for w in wrong) == [
        (1, "china", DUPLICATE),
        (1, "united-states", DUPLICATE),
        (3, "china", OUTSIDE),
    ]


def test_alias_kinds_come_from_the_seeds(taxonomy):
    assert taxonomy.kind("china", "Beijing") == "capital"
    assert taxonomy.kind("united-states", "U.S.") == "abbreviation"
    assert taxonomy.kind("japan", "Japanese") == "demonym"
    assert taxonomy.kind("india", "Indians") == NOT_AN_ALIAS
    assert taxonomy.entity_types["xinhua"] == "organization"


def write_labels(tmp_path: Path, page: dict) -> Path:
    path = tmp_path / "labels.yaml"
    path.write_text(json.dumps({"pages": {PAGE: page}}), encoding="utf-8")  # JSON is YAML
    return path


@pytest.mark.parametrize(
    ("page", "message"),
    [
        (
            {"mentions": [{"entity_id": "china", "text": "Beijing", "context": "said China on"}]},
            "not inside its context",
        ),
        (
            {
                "mentions": [
                    {"entity_id": "atlantis", "text": "Atlantis", "context": "sank Atlantis at"}
                ]
            },
            "not an entity",
        ),
        ({"mentions": [{"entity_id": "china", "context": "said China on"}]}, "missing text"),
        (
            {
                "not_mentions": [
                    {
                        "text": "Paris",
                        "context": "in Paris today",
                        "would_be": "france",
                        "why": "pretty",
                    }
                ]
            },
            "why must be one of",
        ),
    ],
)
def test_a_malformed_label_is_refused_with_its_place(tmp_path, taxonomy, page, message):
    path = write_labels(tmp_path, page)
    with pytest.raises(LabelError, match=message) as error:
        load_labels(path, set(taxonomy.entity_types))
    assert PAGE[:12] in str(error.value)


def test_the_committed_labels_are_well_formed(taxonomy):
    labels = load_labels(LABELS_FILE, set(taxonomy.entity_types))
    assert len(labels.pages) >= 40
    assert len(labels.non_english) >= 18
    assert len(labels.required) >= 900
    assert all(p.mentions or p.traps for p in labels.pages.values())


def count(haystack: tuple[str, ...], needle: tuple[str, ...]) -> int:
    size = len(needle)
    return sum(haystack[i : i + size] == needle for i in range(len(haystack) - size + 1))


def test_every_label_is_on_its_page(benchmark_corpus, taxonomy):
    """Each context is words of its page's title or checked body, and no context carries more
    labels of one text than the page has occurrences of it."""
    labels = load_labels(LABELS_FILE, set(taxonomy.entity_types))
    truth = json.loads((benchmark_corpus / "ground-truth.json").read_text(encoding="utf-8"))
    assert set(labels.non_english) <= set(truth)
    problems = []
    for page_id, page in labels.pages.items():
        html = gzip.decompress((benchmark_corpus / "html" / f"{page_id}.html.gz").read_bytes())
        lines = [words(page_title(html) or "")]
        lines += [words(line) for line in truth[page_id]["articleBody"].split("\n")]
        uses = Counter((item.text_words, item.context_words) for item in page.mentions)
        uses.update((item.text_words, item.context_words) for item in page.traps)
        for (text, context), times in uses.items():
            present = sum(count(line, context) for line in lines)
            if not present or times > present * count(context, text):
                problems.append((page_id[:12], " ".join(context), present, times))
    assert problems == []


def test_pages_are_served_as_html_without_a_charset_through_one_feed():
    html = "<html><head><title>Ça va</title></head><body><p>Déjà vu.</p></body></html>"
    page = RealPage(PAGE, "https://example.org/", html.encode("utf-8"), "Déjà vu.")
    with DemoServer(benchmark_site([page])) as server:
        (host,) = server.site.hosts
        with httpx.Client(transport=httpx.HTTPTransport(), timeout=5) as client:
            base = f"http://127.0.0.1:{server.port}"
            response = client.get(f"{base}/pages/{PAGE}.html", headers={"Host": host})
            feed = client.get(f"{base}/feed.xml", headers={"Host": host})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html"
    assert response.content == page.html
    entries = feedparser.parse(feed.content).entries
    assert [page_id_of(e.link) for e in entries] == [PAGE]
    assert not entries[0].get("summary")  # nothing may stand in for the page's own text
    assert feed_xml([]).count(b"<item>") == 0


def test_a_section_is_replaced_and_the_rest_of_the_document_kept():
    document = "# Quality on the gold set\n\nFigures.\n"
    once = replace_section(document, "real-pages", "# Real pages\n\nP 0.9\n")
    assert once.startswith(document.rstrip())
    assert "<!-- real-pages:begin -->\n# Real pages\n\nP 0.9\n<!-- real-pages:end -->" in once
    other = replace_section(once, "language-benchmark", "## Languages\n")
    twice = replace_section(other, "real-pages", "# Real pages\n\nP 0.95\n")
    assert "P 0.9\n" not in twice and "P 0.95" in twice
    assert twice.count("real-pages:begin") == 1 and "## Languages" in twice
    assert [s.splitlines()[1] for s in marked_sections(twice)] == ["# Real pages", "## Languages"]
