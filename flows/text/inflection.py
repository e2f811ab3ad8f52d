"""Inflection: every case form of a name, demonym or term written once in its dictionary form,
for languages whose words inflect (Russian: Японии, Японией, с Китаем, Южной Кореи).

dbt calls this at build time on the seeds (int_phrases__inflected), so an analyst writes an
alias once, in the nominative, and it matches in every case, in the stored history too.
The morphology is pymorphy3's, with the Russian dictionaries it ships in its package.
"""

from __future__ import annotations

from functools import cache
from typing import Any

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
# Parts of speech that decline.
DECLINING = frozenset({"NOUN", "ADJF", "PRTF", "NUMR"})


@cache
def _analyzer(language: str) -> Any:
    if language != "ru":
        raise ValueError(f"no morphology for language {language!r}")
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


def _parse(word: str, language: str, person: bool, before_a_noun: bool = False) -> Any | None:
    """The reading of ``word`` as a name (or, for a demonym or a term, as a word) in the
    nominative: the first parse that declines, preferring proper names and places, and,
    for a word another word follows, an adjective (военные учения: military exercises,
    not "the military" and then a noun that stays put)."""
    parses = [
        p for p in _analyzer(language).parse(word) if p.tag.POS in DECLINING and "nomn" in p.tag
    ]
    if not parses:
        return None
    wanted = ("Name", "Surn", "Patr") if person else ("Geox", "Orgn")
    for parse in parses:
        if any(grammeme in parse.tag for grammeme in wanted):
            return parse
    if before_a_noun:
        for parse in parses:
            if parse.tag.POS in ("ADJF", "PRTF"):
                return parse
    return parses[0]


def _cased(form: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return form.upper()
    return form[:1].upper() + form[1:] if like[:1].isupper() else form


def inflected_forms(text: str, language: str, kind: str) -> list[str]:
    """Every case form of ``text`` (the nominative included), in a stable order.

    ``kind``: ``person`` (every word of a name declines: Владимира Путина),
    ``person_family_first`` (a Chinese, Korean or Vietnamese name, family name first: only
    its last syllable declines, and only if it ends in a consonant, as a masculine noun: Ким
    Чен Ына, Си Цзиньпином; Чхве Сон Хи and Ван И never change), ``demonym`` (a
    single adjective in every gender, number and case: японского, японские) or anything
    else (a name or term: its leading adjectives and its first noun decline, the words after
    stay as they are: Республики Корея, Соединённых Штатов Америки, Южной Кореи)."""
    words = text.split()
    if not words:
        return []
    if kind == "person_family_first":
        return _with_plain_e(
            [" ".join([*words[:-1], form]) for form in _last_name_forms(words[-1])]
        )
    if kind == "demonym" and len(words) == 1:
        parse = _parse(words[0], language, person=False)
        if parse is None:
            return _with_plain_e([text])
        forms = [_cased(form.word, words[0]) for form in parse.lexeme]
        return _with_plain_e(forms)
    person = kind == "person"
    parses: list[Any] = [
        _parse(word, language, person, before_a_noun=not person and index < len(words) - 1)
        for index, word in enumerate(words)
    ]
    declining: list[int] = []
    for index, parse in enumerate(parses):
        if parse is None or "Fixd" in parse.tag:
            if person:
                continue
            break
        declining.append(index)
        if not person and parse.tag.POS == "NOUN":
            break  # the head noun: what follows it stays
    # an adjective's accusative agrees with its noun's animacy (Курильские острова, not
    # Курильских острова)
    nouns = [parses[i] for i in declining if parses[i].tag.POS == "NOUN"]
    animacy = (nouns[0].tag.animacy or "inan") if nouns else "inan"
    forms = [text]
    for case in CASES:
        inflected = list(words)
        for index in declining:
            parse = parses[index]
            number = "plur" if "plur" in parse.tag else "sing"
            grammemes = {case, number}
            if (
                parse.tag.POS != "NOUN"
                and case == "accs"
                and (number == "plur" or parse.tag.gender == "masc")
            ):
                grammemes.add(animacy)
            form = parse.inflect(grammemes)
            if form is None:
                break
            inflected[index] = _cased(form.word, words[index])
        else:
            forms.append(" ".join(inflected))
    return _with_plain_e(forms)


def _last_name_forms(word: str) -> list[str]:
    """A transliterated syllable in every case, as Russian declines it: a hard consonant takes
    the masculine endings (Ын -> Ына, Ыну, Ыном, Ыне), й and ь the soft ones (Хуэй -> Хуэя);
    a vowel ending never changes. (A woman's name in a consonant gets forms no text uses.)"""
    last = word[-1:].lower()
    if last in "аеёиоуыэюя" or not last.isalpha():
        return [word]
    if last in "йь":
        stem, endings = word[:-1], ("я", "ю", "ем", "е")
    else:
        soft = last in "жшчщц"
        stem, endings = word, ("а", "у", "ем" if soft else "ом", "е")
    return [word, *(stem + ending for ending in endings)]


def _with_plain_e(forms: list[str]) -> list[str]:
    """Each form, and, where it has ё, the same with е, as most Russian news writes it."""
    spelled = [variant for form in forms for variant in (form, form.replace("ё", "е"))]
    return sorted(set(spelled), key=spelled.index)
