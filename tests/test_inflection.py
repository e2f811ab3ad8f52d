"""Russian case forms of the seeds' names, demonyms and terms (flows/text/inflection.py):
the forms the matcher reads beside each alias written once in the nominative."""

import pytest

from flows.text.inflection import inflected_forms


def test_a_country_name_takes_every_case():
    forms = inflected_forms("Япония", "ru", "name")
    assert {"Япония", "Японии", "Японию", "Японией"} <= set(forms)


def test_only_a_names_leading_adjectives_and_head_noun_decline():
    forms = inflected_forms("Республика Корея", "ru", "name")
    assert "Республики Корея" in forms
    assert "Республики Кореи" not in forms
    assert "Южной Кореи" in inflected_forms("Южная Корея", "ru", "name")


def test_a_demonym_takes_every_gender_number_and_case():
    forms = set(inflected_forms("японский", "ru", "demonym"))
    assert {"японского", "японская", "японские", "японским"} <= forms


def test_every_word_of_a_western_name_declines():
    assert "Владимира Путина" in inflected_forms("Владимир Путин", "ru", "person")


@pytest.mark.parametrize(
    ("name", "expected", "never"),
    [
        ("Ким Чен Ын", {"Ким Чен Ына", "Ким Чен Ыном"}, {"Кима Чена Ын", "Кима Чен Ын"}),
        ("Си Цзиньпин", {"Си Цзиньпина", "Си Цзиньпину"}, set()),
        ("Чхве Сон Хи", {"Чхве Сон Хи"}, {"Чхве Сна Хи"}),
        ("Ван И", {"Ван И"}, {"Вана И"}),
    ],
)
def test_a_family_first_name_declines_only_in_its_last_consonant(name, expected, never):
    forms = set(inflected_forms(name, "ru", "person_family_first"))
    assert expected <= forms
    assert not (never & forms)


def test_a_form_with_yo_is_also_written_with_ye():
    forms = inflected_forms("Ли Чжэ Мён", "ru", "person_family_first")
    assert "Ли Чжэ Мёна" in forms
    assert "Ли Чжэ Мена" in forms


def test_a_language_without_morphology_is_refused():
    with pytest.raises(ValueError, match="no morphology"):
        inflected_forms("Japón", "es", "name")


def test_a_plural_adjective_before_a_noun_declines_as_an_adjective():
    # "военные" is also a noun ("the military"); before "учения" it is the adjective
    forms = set(inflected_forms("военные учения", "ru", "term"))
    assert {"военных учений", "военными учениями"} <= forms
    assert "военных учения" not in forms
