"""Direct quotations, and who said them, in the variants other than English: Chinese (Simplified
and Traditional), Japanese, Korean, Spanish, French, Russian, Vietnamese and Indonesian.

A quotation is the text between an opening mark and its closing one, outermost pairs only
(inner marks quote within the quotation): “ ”, « », „ “, 「 」, 『 』 and straight double
quotes, closed within its paragraph. Only curated speakers are named: the persons,
organizations and countries the seeds' aliases find in the article (``Speaker`` spans), never
a name the rules would have to guess (person discovery is English only: docs/quality.md says
why). The cues are the seeds' ``quote_cues`` for the article's language: attribution verbs
(表示, 述べた, 말했다, dijo, a déclaré, заявил, cho biết, kata) and subject pronouns (他, 彼は,
그는, il, он, ông, dia).

Who said it, in this order, the first rule that applies:

1. *After*: right after the closing mark (within a few characters: a comma, a dash, 」と, ”라고)
   a verb, and a speaker in the rest of the clause ("», a déclaré M. Barrot", "”石毅说",
   "», — заявил Лавров"); or a pronoun there ("», a-t-il ajouté", "”, ông Lee nói" has a name).
2. *Before*: the sentence, before the opening mark, holds a verb (before the mark or after the
   closing one: 木原官房長官は会見で「…」と述べた) and a speaker: the first one named in it, the
   clause's subject in these languages' news writing. Two or more before the mark in Japanese
   and Korean: the one marked as topic or subject (は, が, 은, 는, 이, 가); otherwise unknown.
3. *Continued*: a quotation with no speaker of its own in a sentence with a verb and no one
   named (the subject dropped, as Chinese, Japanese and Korean do: そのうえで「…」と強調した;
   or a pronoun) is the last named speaker's, if that one spoke in this paragraph or the one
   before.

A quotation with no verb in its sentence and no speaker is kept only when it is long enough to
be someone's words (eight characters in the scripts without spaces, four words elsewhere); a
short one set in a sentence is a term or a title (“实体清单”, 「中間線」, «зелёный коридор»), and
so is one followed directly by a letter of the same word in Chinese or Japanese (“台独”分裂势力).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from flows.text.quotes import Passage, Quote, _Paragraph, _paragraphs

MULTILINGUAL_QUOTES_VERSION = "quotes-ml-1"

# Opening mark -> its closing mark.
PAIRS = {"“": "”", "«": "»", "„": "“", "「": "」", "『": "』", '"': '"'}
UNSPACED_LANGUAGES = frozenset({"zh", "zh-Hant", "ja", "ko"})
# Particles after a Japanese or Korean name marking it as the clause's topic or subject.
TOPIC_MARKERS = {
    "ja": ("は", "が", "も"),
    "ko": ("은", "는", "이", "가", "도"),
}
# How far after the closing mark the verb of an "after" attribution may start.
AFTER_REACH = {"default": 12, "ja": 6, "ko": 8}
# A speaker named in an "after" attribution stands within this many characters of the verb;
# a person named before the quotation, within this many of its verb (or of the mark).
SPEAKER_REACH = 40
PERSON_REACH = 40
# Capitalized words that open a name the seeds do not hold (two or more in a row).
CAPITALIZED = re.compile(r"(?<![\w’'-])[^\W\d_a-zа-яёđ][\w’'-]*")


@dataclass(frozen=True)
class Speaker:
    """A curated entity the aliases found in a sentence (a person, organization or country)."""

    sentence_index: int
    char_start: int
    char_end: int
    entity_id: str
    entity_type: str


@dataclass(frozen=True)
class Cues:
    """A language's rows of the seed quote_cues."""

    verbs: tuple[str, ...]
    pronouns: tuple[str, ...]
    so_called: tuple[str, ...] = ()
    honorifics: tuple[str, ...] = ()  # M., Sr., Pak: a capitalized word that is no name


@dataclass
class _Span:
    paragraph: int
    start: int  # offsets in the paragraph's text
    end: int
    text: str
    first_sentence: int
    last_sentence: int


def _bounds(paragraph: _Paragraph, index: int) -> tuple[int, int]:
    """Where sentence ``index`` starts and ends in its paragraph's text."""
    for i, start, end in paragraph.sentences:
        if i == index:
            return start, end
    return 0, len(paragraph.text)


def _spans(paragraphs: Sequence[_Paragraph]) -> list[_Span]:
    """Outermost pairs of marks closed within their paragraph."""
    found = []
    for number, paragraph in enumerate(paragraphs):
        text = paragraph.text
        stack: list[str] = []
        opened = 0
        for offset, char in enumerate(text):
            if stack and char == stack[-1]:
                stack.pop()
                if not stack:
                    inner = text[opened + 1 : offset].strip()
                    if inner:
                        found.append(
                            _Span(
                                number,
                                opened,
                                offset + 1,
                                inner,
                                paragraph.sentence_at(opened),
                                paragraph.sentence_at(offset),
                            )
                        )
            elif (char in PAIRS and char != '"') or (char == '"' and not stack):
                if not stack:
                    opened = offset
                stack.append(PAIRS[char])
    return found


def _cue_at(text: str, cues: Sequence[str], unspaced: bool) -> re.Match[str] | None:
    if not cues:
        return None
    alternatives = "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True))
    if unspaced:
        return re.search(f"(?:{alternatives})", text)
    return re.search(rf"(?<![\w])(?:{alternatives})(?![\w])", text, flags=re.IGNORECASE)


def _words(text: str, unspaced: bool) -> int:
    if unspaced:
        return sum(1 for c in text if unicodedata.category(c).startswith("L"))
    return len(text.split())


def find_quotes_multilingual(
    passages: Sequence[Passage],
    speakers: Sequence[Speaker],
    cues: Cues,
    language: str,
) -> list[Quote]:
    """Every direct quotation of one article in ``language``, with its curated speaker where
    the text says who it is."""
    paragraphs = _paragraphs(passages)
    spans = _spans(paragraphs)
    unspaced = language in UNSPACED_LANGUAGES
    reach = AFTER_REACH.get(language, AFTER_REACH["default"])

    def inside_a_quotation(paragraph: int, offset: int) -> bool:
        return any(s.paragraph == paragraph and s.start <= offset < s.end for s in spans)

    # each speaker placed in its paragraph's text, outside quoted words
    placed: list[_Placed] = []
    for number, paragraph in enumerate(paragraphs):
        for index, start, _ in paragraph.sentences:
            for named in speakers:
                begin = start + named.char_start
                if named.sentence_index == index and not inside_a_quotation(number, begin):
                    end = start + named.char_end
                    placed.append(_Placed(number, begin, end, named, paragraph.text[begin:end]))
    placed.sort(key=lambda p: (p.paragraph, p.start))

    quotes: list[Quote] = []
    last: tuple[str, int, str] | None = None  # speaker id, its paragraph, name as written
    said_in_sentence: dict[tuple[int, int], tuple[str, str]] = {}
    for span in spans:
        paragraph = paragraphs[span.paragraph]
        text = paragraph.text
        sentence_start, _ = _bounds(paragraph, span.first_sentence)
        _, sentence_end = _bounds(paragraph, span.last_sentence)
        # the clause around the quotation: from the sentence's start (or the end of a
        # quotation before it in the sentence) to its end (or the next quotation)
        others = [s for s in spans if s.paragraph == span.paragraph and s is not span]
        clause_start = max(
            [sentence_start] + [s.end for s in others if sentence_start <= s.end <= span.start]
        )
        clause_end = min(
            [sentence_end] + [s.start for s in others if span.end <= s.start <= sentence_end]
        )
        after = text[span.end : clause_end]
        before_in_sentence = text[sentence_start : span.start]
        rest_of_sentence = text[span.end : sentence_end]
        verb_after = _cue_at(after, cues.verbs, unspaced)
        verb = _cue_at(before_in_sentence, cues.verbs, unspaced) or _cue_at(
            rest_of_sentence, cues.verbs, unspaced
        )
        in_sentence = [
            p
            for p in placed
            if p.paragraph == span.paragraph and sentence_start <= p.start < sentence_end
        ]
        trusted = [p for p in in_sentence if _trusted(p, placed, unspaced)]
        after_named = [p for p in trusted if span.end <= p.start < clause_end]
        before_named = [p for p in trusted if clause_start <= p.start < span.start] or [
            p for p in trusted if p.start < span.start
        ]
        stranger = not unspaced and _stranger_before(paragraph, span.start, placed, cues.honorifics)
        so_called = _cue_at(
            text[max(sentence_start, span.start - 6) : span.start], cues.so_called, unspaced
        )

        speaker: tuple[str, str] | None = None
        how = "none"
        said_with: str | None = None
        # 0. a title: a speaker right before the marks ("IAEA「…」", "Kihara: «…»")
        if span.first_sentence == 0 and before_named:
            closest = before_named[-1]
            if re.fullmatch(r"\s*[:：]?\s*", text[closest.end : span.start]):
                speaker, how = _named(closest, text), "before"
        # 1. after: a verb right after the closing mark, the speaker next to it
        if speaker is None and verb_after is not None and verb_after.start() <= reach:
            if language not in TOPIC_MARKERS:  # Japanese and Korean name the speaker first
                verb_end = span.end + verb_after.end()
                near = [  # only a person speaks after the quotation, and right there
                    p
                    for p in after_named
                    if p.speaker.entity_type == "person"
                    and (
                        p.start - span.end <= 3
                        if unspaced
                        else 0 <= p.start - verb_end <= SPEAKER_REACH
                        or 0 <= span.end + verb_after.start() - p.end <= 3
                    )
                ]
                chosen = _first_person(near)
                if (
                    chosen is not None
                    and not unspaced
                    and _unknown_name(
                        text,
                        min(verb_end, span.end),
                        max(chosen.start, span.end),
                        in_sentence,
                        cues.honorifics,
                    )
                ):
                    chosen = None  # someone the seeds do not know is named first
                if chosen is not None:
                    speaker, how, said_with = _named(chosen, text), "after", verb_after.group(0)
            window = after[: verb_after.end() + 12]
            pronoun = _cue_at(window, cues.pronouns, unspaced) and not after_named
            if (
                speaker is None
                and pronoun
                and not stranger
                and last is not None
                and last[1] >= span.paragraph - 1
            ):
                speaker, how, said_with = (last[0], last[2]), "after", verb_after.group(0)
        # 2. before: the subject named in the sentence before the marks, a verb in it
        if speaker is None and verb is not None and before_named:
            target = span.start
            if verb.start() + sentence_start < span.start and verb is not verb_after:
                target = sentence_start + verb.start()
            eligible = [
                p
                for p in before_named
                if (p.speaker.entity_type == "person" and target - p.end <= PERSON_REACH)
                or (
                    p.speaker.entity_type == "organization"
                    and _body(p, text, unspaced)
                    and _adjacent(text[p.end : target], unspaced)
                )
            ]
            chosen = _subject(eligible, text, language) if eligible else None
            if chosen is not None and _someone_else_is_topic(
                text, clause_start, span.start, chosen, language
            ):
                chosen = None  # the clause's subject is someone the seeds do not name
            if (
                chosen is not None
                and not unspaced
                and _unknown_name(text, chosen.end, target, in_sentence, cues.honorifics)
            ):
                chosen = None  # someone the seeds do not know stands between
            if chosen is not None:
                speaker, how, said_with = _named(chosen, text), "before", verb.group(0)
        # 3. continued: no one named, a verb, the last speaker goes on
        if (
            speaker is None
            and verb is not None
            and not before_named
            and not after_named
            and not stranger
            and (
                unspaced
                or not _unknown_name(text, span.end, sentence_end, in_sentence, cues.honorifics)
            )
            and (
                (span.paragraph, span.first_sentence) in said_in_sentence
                or _cue_at(before_in_sentence + " " + rest_of_sentence, cues.pronouns, unspaced)
                or len(before_in_sentence.strip()) <= (6 if unspaced else 12)
            )
        ):
            key = (span.paragraph, span.first_sentence)
            if key in said_in_sentence:
                speaker = said_in_sentence[key]
            elif last is not None and last[1] >= span.paragraph - 1:
                speaker = (last[0], last[2])
            if speaker is not None:
                how, said_with = "continued", verb.group(0)

        opens = not text[sentence_start : span.start].strip(" ,，、:：—–-")
        ends = span.text.endswith(("。", ".", "!", "?", "！", "？", "…"))
        long = _words(span.text, unspaced) >= (20 if unspaced else 8)
        if speaker is None and verb is None and not opens and not ends and not long:
            continue  # words set in a writer's sentence, nobody's: a title, a term, a name
        compound = _is_compound(text, span, language) and how != "after"
        if (
            so_called is not None
            or (compound and _words(span.text, unspaced) <= 12)
            or (speaker is None and _is_term(span.text, unspaced, verb is not None))
        ):
            continue  # a term, a title, a slogan: not someone's words
        if speaker is not None:
            last = (speaker[0], span.paragraph, speaker[1])
            said_in_sentence[(span.paragraph, span.first_sentence)] = speaker
        quotes.append(
            Quote(
                first_sentence_index=span.first_sentence,
                sentence_count=span.last_sentence - span.first_sentence + 1,
                quote_text=span.text,
                is_fragment=not opens and not ends,
                speaker_entity_id=speaker[0] if speaker else None,
                speaker_name=speaker[1] if speaker else None,
                speaker_description=None,
                attribution_verb=said_with,
                attribution=how,
            )
        )
    return quotes


@dataclass(frozen=True)
class _Placed:
    paragraph: int
    start: int  # in the paragraph's text
    end: int
    speaker: Speaker
    written: str = ""


def _named(placed: _Placed, text: str) -> tuple[str, str]:
    return placed.speaker.entity_id, text[placed.start : placed.end]


def _stranger_before(
    paragraph: _Paragraph, end: int, known: Sequence[_Placed], honorifics: Sequence[str]
) -> bool:
    """A capitalized word inside a sentence (not its first word) that no seed alias covers,
    in the paragraph before ``end``: someone the seeds do not know was named since, so "he
    said" may be them ("Menurut Anwar, … “…,” katanya")."""
    for _, start, stop in paragraph.sentences:
        if start >= end:
            break
        stop = min(stop, end)
        first = re.match(r"\W*\w+", paragraph.text[start:stop])
        begin = start + (first.end() if first else 0)
        if begin < stop and _unknown_name(paragraph.text, begin, stop, known, honorifics):
            return True
    return False


def _trusted(placed: _Placed, known: Sequence[_Placed], unspaced: bool) -> bool:
    """A person named by one word alone (Lee, Kim) is trusted as a speaker only when the
    article named the same person in full before: a bare surname the seeds share among
    several people, or with someone they do not know, is not enough."""
    if unspaced or placed.speaker.entity_type != "person" or " " in placed.written:
        return True
    return any(
        k.speaker.entity_id == placed.speaker.entity_id
        and (k.paragraph, k.start) < (placed.paragraph, placed.start)
        and k.end - k.start > placed.end - placed.start
        for k in known
    )


def _body(placed: _Placed, text: str, unspaced: bool) -> bool:
    """A country or organization named as a noun (Chine, Pékin, 北京, 日方), not a demonym set
    lower-case as an adjective (français, chino, японский): only a noun speaks."""
    first = text[placed.start : placed.start + 1]
    return unspaced or not first.islower()


def _someone_else_is_topic(text: str, start: int, end: int, chosen: _Placed, language: str) -> bool:
    """In Japanese and Korean, a topic or subject particle after words other than the chosen
    speaker's name (and its title) marks another subject: 政府関係者は, 군 관계자는."""
    if language not in TOPIC_MARKERS:
        return False
    particle = "|".join(TOPIC_MARKERS[language])
    for match in re.finditer(rf"(?:{particle})(?=[\s、,])", text[start:end]):
        at = start + match.start()
        if not (chosen.end <= at <= chosen.end + 8):
            return True
    return False


def _adjacent(gap: str, unspaced: bool) -> bool:
    """A body (a country standing for its government, a ministry) speaks only when it stands
    right by the verb or the marks: "Washington condenó", "北京表示", 日 “…”."""
    gap = gap.strip(" ,，、:：—–-\u00a0")
    return len(gap) <= 2 if unspaced else len(gap.split()) <= 1


def _unknown_name(
    text: str, start: int, end: int, known: Sequence[_Placed], honorifics: Sequence[str] = ()
) -> bool:
    """A capitalized word no seed alias covers in text[start:end] (the attribution between
    the verb and the speaker): someone the seeds do not know may be the one speaking, and a
    known name nearby is then not trusted. (Only where words are spaced and capitalized.)"""
    masked = list(text[start:end])
    for placed in known:
        for offset in range(max(placed.start, start), min(placed.end, end)):
            masked[offset - start] = "x"
    return any(
        match.group(0) not in honorifics and f"{match.group(0)}." not in honorifics
        for match in CAPITALIZED.finditer("".join(masked))
    )


def _first_person(candidates: Sequence[_Placed]) -> _Placed | None:
    """A person if one is named, else the first body (a ministry, a government)."""
    persons = [c for c in candidates if c.speaker.entity_type == "person"]
    pool = persons or list(candidates)
    return pool[0] if pool else None


def _subject(candidates: Sequence[_Placed], text: str, language: str) -> _Placed | None:
    """Of those named before the quotation, the clause's subject: the first person named (a
    body when no person is: 外交部, the government); in Japanese and Korean, where two or more
    are named, the one a topic or subject particle follows (a title may stand between: 林剣
    報道官は, 라브로프 장관은), else none."""
    persons = [c for c in candidates if c.speaker.entity_type == "person"]
    pool = persons or list(candidates)
    if len({c.speaker.entity_id for c in pool}) == 1 or language not in TOPIC_MARKERS:
        return pool[0]
    particle = "|".join(TOPIC_MARKERS[language])
    marked = [
        c
        for c in pool
        if re.match(
            rf"[^\s、。，,「」“”]{{0,6}}?\s?[^\s、。，,「」“”]{{0,4}}?(?:{particle})[\s、,]",
            text[c.end :],
        )
    ]
    return marked[0] if len({c.speaker.entity_id for c in marked}) == 1 else None


def _is_compound(text: str, span: _Span, language: str) -> bool:
    """Marks inside a word: a Chinese or Japanese letter right after the closing mark
    (“台独”分裂势力, 「中間線」付近) makes the quoted words part of a name or a term."""
    following = text[span.end : span.end + 1]
    return (
        language in ("zh", "zh-Hant", "ja")
        and bool(following)
        and "\u4e00" <= following <= "\u9fff"
    )


def _is_term(inner: str, unspaced: bool, has_verb: bool) -> bool:
    """Words in marks that look like a term, a title or a slogan rather than someone's words:
    short, or (in Chinese and Japanese) part of a longer word."""
    if unspaced:
        return _words(inner, True) < (4 if has_verb else 8)
    return _words(inner, False) < (2 if has_verb else 4)
