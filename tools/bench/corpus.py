"""Deterministic synthetic news corpus for the benchmark.

N article pages of realistic weight and shape (30–150 KB: a head with scripts, styles and
JSON-LD, a big navigation, a breaking-news bar, share widgets, a figure, 500–1,500 words of
news prose naming countries, leaders, places and issues from the seeds, related links, a
footer), listed by F feeds spread over several hosts. Same seed, same bytes.

Planted copies: a known share of the articles (``COPY_RATE``) are copies of an earlier "wire"
article (every ``WIRE_EVERY``-th), verbatim, edited (new headline, paragraphs dropped) or with
a local intro, on other hosts; ``planted_story`` says which story each article belongs to, so
the benchmark can compare the stories found with the stories planted. Their prose is
``varied``: template sentences with words inserted at random, so that two articles that are
not copies share few runs of five words, as real articles do (the plain templates share a
quarter of them, which no real news does).
"""

from __future__ import annotations

import csv
import html
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from flows.core.settings import REPO_ROOT

SEEDS = REPO_ROOT / "dbt_project" / "seeds"
HOSTS = 4
SECTIONS = ("world", "asia", "politics", "business", "defense", "diplomacy")
END = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Vocabulary:
    countries: tuple[str, ...]
    people: tuple[tuple[str, str], ...]  # (name, role)
    places: tuple[str, ...]
    organizations: tuple[str, ...]
    capitals: tuple[str, ...]
    demonyms: tuple[str, ...]
    issue_terms: tuple[str, ...]


def load_vocabulary(seeds: Path = SEEDS) -> Vocabulary:
    """Names and phrases from the taxonomy, so the matcher has real work to do."""
    with (seeds / "entities.csv").open(encoding="utf-8") as handle:
        entities = list(csv.DictReader(handle))
    with (seeds / "entity_aliases.csv").open(encoding="utf-8") as handle:
        aliases = list(csv.DictReader(handle))
    with (seeds / "issue_terms.csv").open(encoding="utf-8") as handle:
        terms = [r["term"] for r in csv.DictReader(handle) if not r["requires_entity_id"]]
    major = {"CN", "JP", "US", "KR", "KP", "TW", "PH", "VN", "ID", "MY", "SG", "TH", "AU", "IN"}
    countries = [e["name"] for e in entities if e["entity_type"] == "country"]
    favoured = [
        e["name"] for e in entities if e["entity_type"] == "country" and e["country_code"] in major
    ]
    return Vocabulary(
        countries=tuple(favoured * 8 + countries),  # the region's countries come up most
        people=tuple(
            (e["name"], e["role"]) for e in entities if e["entity_type"] == "person" and e["role"]
        ),
        places=tuple(e["name"] for e in entities if e["entity_type"] == "place"),
        organizations=tuple(e["name"] for e in entities if e["entity_type"] == "organization"),
        capitals=tuple(a["alias"] for a in aliases if a["alias_kind"] == "capital"),
        demonyms=tuple(a["alias"] for a in aliases if a["alias_kind"] == "demonym"),
        issue_terms=tuple(terms),
    )


TEMPLATES = (
    "{country}'s foreign ministry said on {day} that it would continue talks with {country2} on {term}.",
    "{role} {person} told reporters in {capital} that {term} remained a priority for the government.",
    "Officials in {capital} described the meeting as constructive but said differences over {term} remained.",
    "The {org} called for restraint, warning that tension over {term} risked a wider crisis in the region.",
    "{demonym} coast guard vessels were seen near the {place} for the third time this month, officials said.",
    "Analysts said the dispute over the {place} was unlikely to be resolved soon.",
    "{person} is expected to raise {term} when he meets his counterpart from {country} next week.",
    '"We welcome the agreement and hope it brings lasting stability," {person} said in a statement.',
    "Critics in {country} condemned the decision, calling it a dangerous step that could harm relations.",
    "Trade between {country} and {country2} rose about {number} percent last year, according to customs data.",
    "The two governments signed a memorandum on {term} during the visit, officials said.",
    "{demonym} officials said they were monitoring the situation closely and would respond if necessary.",
    "A spokesperson for the {org} said the organization was ready to help both sides.",
    "The latest incident near the {place} drew protests from {country2}, which summoned the ambassador.",
    "Markets in {capital} rose after the announcement, with exporters leading the gains.",
    "Observers noted that {term} had dominated the agenda of the summit.",
    "Residents said they were worried about the impact on fishing and tourism.",
    "The ministry did not give further details.",
    "The statement did not name any country, but it was widely seen as aimed at {country}.",
    "Experts said the move reflected growing concern about {term} across the region.",
    "Both sides agreed to meet again before the end of the year.",
    "The talks, the first in nearly a year, lasted more than three hours.",
    "{person} praised the strong partnership and said cooperation would deepen.",
    "The government has faced criticism at home over its handling of {term}.",
    "In a separate development, the {org} released a report on {term} on {day}.",
    "Shipping companies said they were rerouting some vessels away from the {place}.",
    "The announcement came days after {country} held military exercises near the {place}.",
    "Tourism officials in {capital} reported a strong rebound in visitors from {country2}.",
    "Students and scholars from {country} will take part in the new exchange program, organizers said.",
    "The embassy in {capital} said it had received no formal notice of the change.",
)
# Words inserted at random into varied prose (see the module's docstring).
QUALIFIERS = tuple(
    """again also largely notably reportedly quietly formally partly broadly jointly firmly
    publicly privately sharply slowly quickly directly recently early later still even only
    mainly mostly nearly openly clearly briefly fully rarely widely closely deeply heavily
    highly lightly loosely newly plainly rapidly readily really simply strongly surely
    swiftly truly usually vastly warmly wisely abroad ahead alone apart aside away back
    together today tonight yesterday overnight meanwhile however indeed perhaps instead
    otherwise therefore moreover likewise nonetheless already almost always never often
    sometimes soon then there here now once twice daily weekly monthly yearly carefully
    cautiously firmly frankly gently gradually happily hardly honestly kindly loudly
    patiently politely proudly rightly roughly safely seriously smoothly softly steadily
    strictly suddenly tightly unusually visibly wholly willingly""".split()
)
VARIED_SHARE = 0.5  # of the words followed by an inserted one
COPY_RATE = 0.05  # share of the articles that are planted copies
WIRE_EVERY = 50  # every 50th article is a wire story that copies may take
COPY_WINDOW = 500  # a copy takes a wire story among the articles just before it

FILLER = (
    "The ministry did not give further details.",
    "Officials declined to comment on the timing.",
    "The figures could not be independently verified.",
    "The meeting ended without a joint statement.",
    "Further talks are expected in the coming weeks.",
)


@dataclass(frozen=True)
class BenchArticle:
    index: int
    host: str
    path: str
    title: str
    author: str
    section: str
    published: datetime
    paragraphs: tuple[str, ...]

    @property
    def url(self) -> str:
        return f"http://{self.host}{self.path}"


def host_name(number: int) -> str:
    return f"news{number}.bench.example"


def _vary(sentence: str, rng: random.Random) -> str:
    """The sentence with a word inserted after some of its words (never after its last)."""
    words = sentence.split(" ")
    out = []
    for n, word in enumerate(words):
        out.append(word)
        if n < len(words) - 1 and not word.endswith((".", ",")) and rng.random() < VARIED_SHARE:
            out.append(rng.choice(QUALIFIERS))
    return " ".join(out)


def make_article(
    index: int,
    vocabulary: Vocabulary,
    seed: int = 2026,
    recent: bool = False,
    varied: bool = False,
) -> BenchArticle:
    """One article, dated within the 90 days before END (``recent``: the day after END, as
    the news an hourly run brings); ``varied``: its prose with words inserted at random."""
    rng = random.Random(seed * 1_000_003 + index)
    variation = random.Random(seed * 1_000_033 + index)
    section = rng.choice(SECTIONS)
    published = END - timedelta(minutes=rng.randrange(0, 90 * 24 * 60))
    if recent:
        published = END + timedelta(minutes=rng.randrange(0, 24 * 60))
    host = host_name(index % HOSTS)
    words_wanted = rng.randint(500, 1500)
    sentences: list[str] = []
    words = 0
    while words < words_wanted:
        template = rng.choice(TEMPLATES) if rng.random() < 0.85 else rng.choice(FILLER)
        person, role = rng.choice(vocabulary.people)
        sentence = template.format(
            country=rng.choice(vocabulary.countries),
            country2=rng.choice(vocabulary.countries),
            person=person,
            role=role.split(" of ")[0],
            capital=rng.choice(vocabulary.capitals),
            demonym=rng.choice(vocabulary.demonyms),
            place=rng.choice(vocabulary.places),
            org=rng.choice(vocabulary.organizations),
            term=rng.choice(vocabulary.issue_terms),
            day=rng.choice(WEEKDAYS),
            number=rng.randint(2, 40),
        )
        sentence = sentence[0].upper() + sentence[1:]
        if varied:
            sentence = _vary(sentence, variation)
        sentences.append(sentence)
        words += len(sentence.split())
    paragraphs = []
    while sentences:
        take = rng.randint(2, 4)
        paragraphs.append(" ".join(sentences[:take]))
        sentences = sentences[take:]
    country = rng.choice(vocabulary.countries)
    title = f"{country} and {rng.choice(vocabulary.countries)} spar over {rng.choice(vocabulary.issue_terms)}"
    path = f"/{section}/{published:%Y/%m/%d}/article-{index}.html"
    author = f"{rng.choice(('Mika', 'Paolo', 'Dana', 'Lin', 'Sam', 'Ravi'))} {rng.choice(('Hart', 'Reyes', 'Cho', 'Nguyen', 'Okafor', 'Silva'))}"
    return BenchArticle(index, host, path, title, author, section, published, tuple(paragraphs))


@dataclass(frozen=True)
class Plant:
    source: int  # the article copied (a wire story)
    kind: str  # copy | edited | local-intro


def planted(index: int, seed: int = 2026, copy_rate: float = COPY_RATE) -> Plant | None:
    """Whether article ``index`` is a planted copy, and of what (decided by the index alone,
    so a corpus grown later keeps its history's copies)."""
    if index < WIRE_EVERY or copy_rate <= 0:
        return None
    rng = random.Random(seed * 7_919 + index)
    if rng.random() >= copy_rate:
        return None
    back = rng.randrange(0, min(COPY_WINDOW, index))
    source = (index - 1 - back) // WIRE_EVERY * WIRE_EVERY
    kind = rng.choices(("copy", "edited", "local-intro"), weights=(4, 4, 2))[0]
    return Plant(source, kind)


def planted_story(index: int, seed: int = 2026, copy_rate: float = COPY_RATE) -> int:
    """The story an article was planted in: the index of its first article."""
    plant = planted(index, seed, copy_rate)
    return index if plant is None else planted_story(plant.source, seed, copy_rate)


def make_story_article(
    index: int,
    vocabulary: Vocabulary,
    seed: int = 2026,
    first: int = 0,
    copy_rate: float = COPY_RATE,
) -> BenchArticle:
    """Article ``index`` of a corpus with planted copies: its own varied prose, or (a planted
    copy) the text of the wire story it copies, verbatim, edited or with a local intro, at its
    own URL, date and host. Articles from ``first`` on are new news (as ``build_corpus``)."""
    own = make_article(index, vocabulary, seed, recent=0 < first <= index, varied=True)
    plant = planted(index, seed, copy_rate)
    if plant is None:
        return own
    # the source as the corpus holds it (a new article's text is drawn after its new date)
    source = make_story_article(plant.source, vocabulary, seed, first, copy_rate)
    rng = random.Random(seed * 104_729 + index)
    title, paragraphs = source.title, list(source.paragraphs)
    if plant.kind in ("edited", "local-intro"):
        title = own.title  # a new headline
        for _ in range(min(2, len(paragraphs) - 3)):
            del paragraphs[rng.randrange(1, len(paragraphs))]
    if plant.kind == "local-intro":
        paragraphs.insert(0, own.paragraphs[0])
    return BenchArticle(
        index, own.host, own.path, title, own.author, own.section, own.published, tuple(paragraphs)
    )


def _junk(rng: random.Random, size: int) -> str:
    """Minified-looking script text of about ``size`` bytes."""
    parts = []
    total = 0
    while total < size:
        name = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6))
        piece = f"var {name}=function(e,t){{return e&&t?{rng.randint(0, 99999)}:'{name}'}};"
        parts.append(piece)
        total += len(piece)
    return "".join(parts)


def render_page(article: BenchArticle, related: list[BenchArticle], seed: int = 2026) -> bytes:
    """A page as heavy and as cluttered as a real news page."""
    rng = random.Random(seed * 7 + article.index)
    e = html.escape
    nav_items = "".join(
        f'<li><a href="/{s}/{k}/">{s.title()} {k}</a></li>'
        for s in SECTIONS
        for k in (
            "latest",
            "analysis",
            "explainers",
            "video",
            "photos",
            "podcasts",
            "opinion",
            "live",
            "data",
            "archive",
        )[: rng.randint(5, 10)]
    )
    json_ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "datePublished": article.published.isoformat(),
            "author": {"@type": "Person", "name": article.author},
        }
    )
    body = "".join(
        f'<div class="paragraph-wrap" data-block="{i}"><div class="inner"><p class="text">{e(p)}</p></div></div>'
        + (_ad_slot(rng, i) if i % 4 == 3 else "")
        for i, p in enumerate(article.paragraphs)
    )
    teasers = "".join(_teaser(rng, r, e) for r in related * rng.randint(6, 14))
    mega_menu = "".join(
        f'<li class="menu-item"><a href="/{s}/">{s.title()}</a><div class="mega"><div class="col">'
        + "".join(
            f'<div class="card"><a href="/{s}/topic-{k}"><span class="icon">{SVG}</span><span class="label">'
            f'Topic {k}</span></a><p class="blurb">Coverage of topic {k} in {s}.</p></div>'
            for k in range(rng.randint(8, 20))
        )
        + "</div></div></li>"
        for s in SECTIONS
    )
    related_html = "".join(f'<li><a href="{r.path}">{e(r.title)}</a></li>' for r in related)
    footer = "".join(
        f'<li><a href="/page/{i}">Footer link {i}</a></li>' for i in range(rng.randint(40, 120))
    )
    share = "".join(
        f'<a class="share {n}" href="https://{n}.example/share?u={e(article.url)}">{n}</a>'
        for n in ("fb", "x", "li", "mail", "wa")
    )
    page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{e(article.title)} | Bench News {article.host[4]}</title>
<meta name="description" content="{e(article.paragraphs[0][:150])}">
<meta property="og:title" content="{e(article.title)}"><meta property="article:published_time" content="{article.published.isoformat()}">
<link rel="canonical" href="{e(article.url)}">
<style>{_junk(rng, rng.randint(1_000, 6_000)).replace("var", ".c")}</style>
<script type="application/ld+json">{json_ld}</script>
<script>{_junk(rng, rng.randint(2_000, 30_000))}</script>
</head><body>
<div class="cookie-banner"><p>We use cookies to improve your experience.</p><button>Accept</button><button>Settings</button></div>
<header><a class="logo" href="/">Bench News</a><nav><ul>{nav_items}</ul><ul class="mega-menu">{mega_menu}</ul></nav>
<div class="breaking"><span>Breaking</span>{related_html}</div></header>
<main><article><h1>{e(article.title)}</h1>
<p class="byline">By {e(article.author)} <time datetime="{article.published.isoformat()}">{article.published:%B %d, %Y}</time></p>
<div class="share">{share}</div>
<figure><img src="/img/{article.index}.jpg" alt=""><figcaption>Officials meet in the capital. Photo: Staff</figcaption></figure>
<div class="body">{body}</div>
<div class="share">{share}</div></article>
<aside class="related"><h2>Related</h2><ul>{related_html}</ul></aside>
<section class="more-stories"><h2>More stories</h2><div class="grid">{teasers}</div></section>
<div id="comments"><button onclick="loadComments()">Comments</button></div></main>
<footer><ul>{footer}</ul><p>© 2026 Bench News. Synthetic benchmark content.</p></footer>
<script>{_junk(rng, rng.randint(2_000, 20_000))}</script>
</body></html>"""
    return page.encode("utf-8")


SVG = (
    '<svg viewBox="0 0 24 24" width="16" height="16"><g><path d="M12 2L2 7l10 5 10-5-10-5z"/>'
    '<path d="M2 17l10 5 10-5"/><path d="M2 12l10 5 10-5"/></g></svg>'
)


def _ad_slot(rng: random.Random, i: int) -> str:
    return (
        f'<div class="ad-slot" id="ad-{i}" data-size="300x250" data-kw="{rng.randint(0, 9999)}">'
        '<div class="ad-label">Advertisement</div><div class="ad-frame"><iframe src="about:blank">'
        "</iframe></div></div>"
    )


def _teaser(rng: random.Random, article: BenchArticle, e: Callable[[str], str]) -> str:
    return (
        f'<div class="teaser" data-id="{article.index}"><a class="thumb" href="{article.path}">'
        f'<img src="/img/t{article.index}.jpg" alt="" loading="lazy"></a><div class="meta">'
        f'<span class="kicker">{article.section.title()}</span><h3><a href="{article.path}">'
        f"{e(article.title)}</a></h3><p>{e(article.paragraphs[0][: rng.randint(60, 160)])}</p>"
        f'<span class="time">{article.published:%b %d}</span>{SVG}</div></div>'
    )


def render_feed(feed: int, articles: list[BenchArticle]) -> bytes:
    e = html.escape
    items = "".join(
        f"<item><title>{e(a.title)}</title><link>{e(a.url)}</link><guid>bench-{a.index}</guid>"
        f"<pubDate>{format_datetime(a.published, usegmt=True)}</pubDate>"
        f"<description>{e(a.paragraphs[0][:200])}</description></item>"
        for a in articles
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Bench feed {feed}</title><link>http://{host_name(feed % HOSTS)}/</link>{items}"
        "</channel></rss>"
    ).encode()


@dataclass(frozen=True)
class Corpus:
    directory: Path
    articles: int
    feeds: int

    @property
    def pages(self) -> Path:
        return self.directory / "pages"

    @property
    def feed_files(self) -> Path:
        return self.directory / "feeds"

    @property
    def feeds_yaml(self) -> Path:
        return self.directory / "feeds.yaml"

    def page_file(self, index: int) -> Path:
        return self.pages / f"{index:07d}.html"


def feed_of(index: int, feeds: int) -> int:
    return index % feeds


def build_corpus(
    directory: Path,
    articles: int,
    feeds: int = 20,
    seed: int = 2026,
    first: int = 0,
    copy_rate: float = COPY_RATE,
) -> Corpus:
    """Write pages [first, articles) and all feeds (listing articles [0, articles)), with
    ``copy_rate`` of them planted copies (``planted``).

    Articles from ``first`` on are new news (dated the day after the others) when first > 0.
    """
    vocabulary = load_vocabulary()
    corpus = Corpus(directory, articles, feeds)
    corpus.pages.mkdir(parents=True, exist_ok=True)
    corpus.feed_files.mkdir(parents=True, exist_ok=True)
    made = [make_story_article(i, vocabulary, seed, first, copy_rate) for i in range(articles)]
    for article in made[first:]:
        related = [made[(article.index + k) % articles] for k in (1, 7, 13, 29)]
        corpus.page_file(article.index).write_bytes(render_page(article, related, seed))
    lines = ["feeds:"]
    for feed in range(feeds):
        listed = [a for a in made if feed_of(a.index, feeds) == feed]
        listed.sort(key=lambda a: a.published, reverse=True)
        (corpus.feed_files / f"{feed}.xml").write_bytes(render_feed(feed, listed))
        host = host_name(feed % HOSTS)
        lines += [
            f"  - name: bench-{feed}",
            f"    url: http://{host}/feeds/{feed}.xml",
            f"    outlet: Bench News {feed % HOSTS}",
            "    language: en",
        ]
    corpus.feeds_yaml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus
