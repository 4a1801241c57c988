"""Normalisation and language detection, as tables."""

from __future__ import annotations

import pytest

from bot.text import Synonyms, detect_language, normalize, normalize_quote


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
        ("🙂", None, "en"),
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
