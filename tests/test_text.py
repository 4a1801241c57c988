"""Normalisation and language detection, as tables."""

from __future__ import annotations

import pytest

from bot.text import Synonyms, detect_language, normalize, normalize_quote, to_cyrillic


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("Who proposed the centre?", None, "en"),
        ("Кто предложил создать центр?", None, "ru"),
        ("Орталықты кім ұсынды?", None, "kk"),
        ("орталык туралы айтып бер", None, "kk"),  # typed without Kazakh letters
        ("Кто предложил?", "kk", "kk"),  # the script can't tell; the hint decides
        ("UNRCCA", "ru", "ru"),  # a bare abbreviation from a Russian user
        ("What is UNRCCA and who heads it?", "ru", "en"),
        ("2019?", "kk-KZ", "kk"),
        ("kto predlozhil sozdat centr?", None, "ru"),  # Russian typed in Latin letters
        ("ortalyq qayda ornalasady", None, "kk"),  # Kazakh typed in Latin letters
        ("Who is Kim Jong Un?", None, "en"),  # an English name is not a Kazakh marker
        ("ortalyqty kim usyndy", None, "kk"),  # word beginnings: ortalyq-, usyn-
        ("Iraq and Qatar news", None, "en"),  # one or two q-words of English are not Kazakh
        ("Is the centre in Central Asia?", None, "en"),
        ("Imnadze kim bolady", None, "kk"),  # common Kazakh words typed in Latin letters
        ("s kem vstretilsya ministr", None, "ru"),
        ("токаев неге бул ойды айтты", None, "kk"),  # Kazakh in Russian letters only
        ("Kim Kardashian", None, "en"),  # "kim" asks "who" only at the end
        ("nurtleu kim?", None, "kk"),
        ("Who is Kim?", None, "en"),
        ("🙂", None, "en"),
        ("Где Тоқаев впервые озвучил идею центра?", None, "ru"),  # a name spelled the Kazakh way
        ("Тоқаев идеяны қай жерде айтты?", None, "kk"),
        ("Қазақстан туралы айтшы", None, "kk"),
        ("Nurtileu men Imnadze ne talqylady?", None, "kk"),
        ("Жарайды, сау бол!", None, "kk"),
        # Words, not letters, when scripts mix: English terms in Russian or Kazakh grammar, a
        # Kazakh-spelled name in English.
        ("Кто подписал resolution в General Assembly?", None, "ru"),
        ("Что значит middle powers и global governance здесь?", None, "ru"),
        ("Орталықтың partners кімдер?", None, "kk"),
        ("Where did Тоқаев say this?", None, "en"),
        ("Когда открыли UN Plaza?", None, "ru"),
    ],
)
def test_language_is_detected_from_script_letters_and_hint(text, hint, expected):
    assert detect_language(text, hint) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Who PROPOSED the «Centre»?! ", "who proposed the centre"),
        ("Ещё   раз — ёлка", "еще раз елка"),
        ("ＵＮ　Plaza", "un plaza"),  # full-width letters (NFKC)
        ("Қазақстан", "казакстан"),  # Kazakh letters fold to what a Russian keyboard types
    ],
)
def test_matching_normalisation_folds_case_punctuation_and_variants(raw, expected):
    assert normalize(raw) == expected


def test_quote_normalisation_keeps_words_and_case():
    assert normalize_quote("the  “UN Plaza” – the\nbuilding") == 'the "UN Plaza" - the building'
    assert normalize_quote("The Centre") != normalize_quote("the centre")


def test_synonyms_map_every_spelling_to_one_term():
    synonyms = Synonyms([["sdg", "ЦУР", "ТДМ", "sustainable development goals"], ["un", "ООН"]])
    assert synonyms.apply(normalize("Центр ООН по ЦУР")) == "центр un по sdg"
    assert synonyms.apply(normalize("Sustainable Development Goals")) == "sdg"
    assert synonyms.apply(normalize("unusual")) == "unusual"  # whole words only


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("kto predlozhil sozdat centr", "кто предложил создат центр"),
        ("shchedryy", "щедрыы"),  # the longest letter group wins
        ("ortalyq qayda", "орталык кайда"),
        (
            "kakoy kakaya",
            "какой какая",
        ),  # y after a vowel: й, unless a vowel follows  # Kazakh letters come out folded, as normalize does
    ],
)
def test_latin_typed_russian_and_kazakh_are_spelled_in_cyrillic(latin, cyrillic):
    assert to_cyrillic(latin) == cyrillic
