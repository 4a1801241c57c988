"""Behaviour of the matching index (bot/index.py), on a small hand-written knowledge base.

Each test states one property the engine relies on; none depends on the curated intents, which
change as the knowledge base grows.
"""

from __future__ import annotations

import dataclasses

import pytest

from bot.index import DEFAULT_PARAMS, Index, IndexParams, Match
from bot.text import Synonyms

EXAMPLES: list[tuple[str, str]] = [
    ("who-proposed", "Who proposed the centre?"),
    ("who-proposed", "Whose initiative is the SDG centre?"),
    ("who-proposed", "Which leader put forward the idea of the centre?"),
    ("who-proposed", "Кто предложил создать центр?"),
    ("who-proposed", "Чья это инициатива?"),
    ("who-proposed", "Орталықты кім ұсынды?"),
    ("location", "Where will the centre be located?"),
    ("location", "In which city is the SDG centre?"),
    ("location", "Where is the office of the centre?"),
    ("location", "Где будет находиться центр?"),
    ("location", "В каком городе расположен центр?"),
    ("location", "Орталық қай қалада орналасады?"),
    ("resolution", "When was the resolution adopted?"),
    ("resolution", "On what date did the General Assembly pass the resolution?"),
    ("resolution", "How many countries co-sponsored the resolution?"),
    ("resolution", "Когда была принята резолюция?"),
    ("resolution", "Сколько стран поддержали резолюцию?"),
    ("resolution", "Қарар қашан қабылданды?"),
    ("card-freeze", "Freeze my card"),
    ("card-freeze", "Please block my card"),
    ("card-freeze", "Lock my debit card right now"),
    ("card-declined", "Why was my card declined?"),
    ("card-declined", "My card got declined at the store"),
    ("card-declined", "The shop refused my card payment"),
    ("greeting", "Hello"),
    ("greeting", "Hi there"),
    ("greeting", "Привет"),
    ("greeting", "Сәлем"),
]
EXAMPLES_BY_TEXT = {text: intent for intent, text in EXAMPLES}


@pytest.fixture(scope="module")
def index() -> Index:
    return Index(EXAMPLES)


def top(index: Index, question: str) -> Match:
    matches = index.rank(question, 5)
    assert matches, f"nothing matched {question!r}"
    return matches[0]


# --- what is matched ---------------------------------------------------------------------------


@pytest.mark.parametrize(("question", "intent"), [(text, intent) for intent, text in EXAMPLES])
def test_every_example_question_finds_its_own_intent(index: Index, question: str, intent: str):
    assert top(index, question).intent == intent


def test_an_example_asked_verbatim_scores_high_and_points_at_itself(index: Index):
    best = top(index, "When was the resolution adopted?")
    assert best.score > 0.6
    assert index.example_texts[best.example] == "When was the resolution adopted?"


def test_the_closest_example_is_the_one_reported(index: Index):
    best = top(index, "how many countries sponsored it")
    assert best.intent == "resolution"
    assert index.example_texts[best.example] == "How many countries co-sponsored the resolution?"


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("who propsoed the centre", "who-proposed"),  # swapped letters
        ("wher will the centre be locatd", "location"),  # dropped letters
        ("when was the resolutoin adoptd", "resolution"),
        ("когда была принята рнзолюция", "resolution"),
    ],
)
def test_typos_still_find_the_intent(index: Index, question: str, intent: str):
    assert top(index, question).intent == intent


def test_a_misspelt_word_is_replaced_by_the_known_word_it_resembles(index: Index):
    features = index.query_features("resolutoin")
    assert features["w:resolution"] == 1
    assert "w:resolutoin" not in features


def test_a_typo_gets_the_same_correction_as_from_comparing_it_with_every_known_word():
    # Corrections look only at known words sharing a character trigram with the typo; that must
    # never miss the word a comparison with the whole vocabulary would pick.
    import random

    from rapidfuzz import fuzz, process

    from bot.index import _Spellings

    rng = random.Random(7)
    words = sorted({w for _, text in EXAMPLES for w in text.lower().strip("?").split()})
    words += ["resolution", "resolutions", "revolution", "solution", "absolution"]
    words = sorted(set(words))
    spellings = _Spellings(words)
    typos = []
    for word in words * 5:
        at = rng.randrange(len(word))
        letter = rng.choice("abcdeiklmnorstuаеиопрст")
        typos.append(rng.choice([word[:at] + letter + word[at + 1 :], word[:at] + word[at + 1 :]]))
    for typo in typos:
        ratios = process.cdist([typo], words, scorer=fuzz.ratio, score_cutoff=82)[0]
        best = int(ratios.argmax())
        expected = words[best] if ratios[best] >= 82 else None
        # A swap of two neighbouring letters is tried first (tested below).
        assert spellings.closest(typo, 82) == (spellings._swapped(typo) or expected), typo


def test_two_swapped_letters_are_corrected_even_where_ratio_is_too_low():
    from bot.index import _Spellings

    spellings = _Spellings(sorted(["talk", "where", "were", "centre", "tokayev"]))
    assert spellings.closest("tlak", 82) == "talk"  # ratio 75: a swap counts as two edits
    assert spellings.closest("wehre", 82) == "where"  # not "were", one deletion away
    assert spellings.closest("cnetre", 82) == "centre"
    assert spellings.closest("tklk", 82) is None  # not a swap of anything known


def test_of_equally_close_words_a_typo_becomes_the_one_more_examples_use():
    from bot.index import _Spellings

    # "centr" is one letter from both spellings; the knowledge base's own is the likelier.
    words = ["center", "centre"]
    assert _Spellings(words, {"centre": 40, "center": 3}).closest("centr", 82) == "centre"
    assert _Spellings(words, {"centre": 3, "center": 40}).closest("centr", 82) == "center"


def test_short_unknown_words_are_not_corrected(index: Index):
    # "cit" is close to "city" but too short to guess safely (typo_min_length).
    assert "w:cit" in index.query_features("cit")


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("кем был предложен центр", "who-proposed"),  # other forms of "предложить"
        ("в каком городе будет расположение центра", "location"),
        ("когда резолюцию приняли", "resolution"),
        ("сколько стран поддержало эту резолюцию", "resolution"),
    ],
)
def test_inflected_russian_forms_match_through_character_ngrams(
    index: Index, question: str, intent: str
):
    assert top(index, question).intent == intent


def test_word_order_barely_matters(index: Index):
    straight = top(index, "who proposed the centre")
    shuffled = top(index, "the centre who proposed")
    assert shuffled.intent == straight.intent == "who-proposed"
    # The same words score the same but for the lost word pairs: a little lower, not much.
    assert straight.score * 0.75 < shuffled.score < straight.score


def test_the_classifier_tells_apart_intents_that_share_words(index: Index):
    # Both card intents say "my card"; the verb decides.
    assert top(index, "please freeze my card").intent == "card-freeze"
    assert top(index, "my card was refused, why?").intent == "card-declined"


def test_kazakh_question_matches(index: Index):
    assert top(index, "Орталық қай қалада?").intent == "location"


# --- what scores low ---------------------------------------------------------------------------


def test_unknown_words_lower_the_score(index: Index):
    plain = top(index, "who proposed the centre")
    padded = top(index, "who proposed the centre zorbly quuxing frobnicate")
    assert padded.intent == "who-proposed"
    assert padded.score < plain.score * 0.85


def test_an_off_topic_question_scores_far_below_an_on_topic_one(index: Index):
    on_topic = top(index, "where is the centre located")
    off_topic = index.rank("what is the weather in Paris tomorrow", 1)
    assert off_topic == [] or off_topic[0].score < on_topic.score / 2
    assert not off_topic or off_topic[0].score < 0.35


def test_nothing_matches_a_question_of_only_unknown_words(index: Index):
    assert index.rank("zzzzzz qqqqqq", 5) == []


def test_empty_or_punctuation_only_question_matches_nothing(index: Index):
    assert index.rank("", 5) == []
    assert index.rank("?!...", 5) == []


# --- the shape of the answer -------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    ["who proposed", "centre", "card", "привет", "when where who", "a", "the the the the"],
)
def test_scores_are_in_unit_interval_best_first_one_per_intent(index: Index, question: str):
    matches = index.rank(question, 10)
    scores = [m.score for m in matches]
    assert all(0.0 < s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert len({m.intent for m in matches}) == len(matches)
    assert all(0 <= m.example < len(index) for m in matches)
    assert all(EXAMPLES_BY_TEXT[index.example_texts[m.example]] == m.intent for m in matches)


def test_limit_caps_the_number_of_matches(index: Index):
    assert len(index.rank("the centre", 2)) == 2
    assert len(index.rank("the centre", 100)) <= len(index.intents)
    assert index.rank("the centre", 0) == []


def test_the_best_match_does_not_depend_on_the_limit(index: Index):
    assert index.rank("where is the office", 1)[0] == index.rank("where is the office", 10)[0]


def test_empty_index_matches_nothing():
    empty = Index([])
    assert len(empty) == 0
    assert empty.rank("who proposed the centre", 5) == []


def test_an_index_of_one_intent_still_scores_by_similarity():
    single = Index([("only", "who proposed the centre"), ("only", "whose idea was it")])
    close, far = single.rank("who proposed the centre then", 1), single.rank("whose centre", 1)
    assert close[0].intent == far[0].intent == "only"
    assert 0.7 < close[0].score < 1.0  # near its nearest example, less so the centroid
    assert far[0].score < close[0].score


def test_an_example_asked_word_for_word_is_its_intent_with_full_confidence():
    index = Index([("thanks", "ty"), ("thanks", "thank you very much"), ("bye", "bye bye")])
    assert index.rank("TY!", 2)[0] == Match("thanks", 1.0, index.example_texts.index("ty"))
    assert index.rank("ty bye", 1)[0].score < 1.0  # containing an example is not being one


def test_the_build_is_deterministic():
    first, second = Index(EXAMPLES), Index(EXAMPLES)
    for question in ("who proposed it", "card", "резолюция"):
        assert first.rank(question, 5) == second.rank(question, 5)


def test_example_order_does_not_change_the_scores():
    shuffled = Index(list(reversed(EXAMPLES)))
    original = Index(EXAMPLES)
    for question in ("who proposed it", "card", "резолюция"):
        a, b = original.rank(question, 5), shuffled.rank(question, 5)
        assert [m.intent for m in a] == [m.intent for m in b]
        assert [m.score for m in a] == pytest.approx([m.score for m in b], abs=1e-6)


# --- synonyms and parameters -------------------------------------------------------------------


def test_synonyms_let_a_variant_match_an_example_written_with_another():
    examples = [("what", "What are the SDGs?"), ("who", "Who runs the centre?")]
    plain = Index(examples)
    with_synonyms = Index(examples, Synonyms([("sdg", "sdgs", "цур")]))
    question = "что такое ЦУР"
    assert plain.rank(question, 1) == []  # no shared feature at all without the synonym
    assert top(with_synonyms, question).intent == "what"


def test_without_the_classifier_the_score_is_the_similarity():
    similarity_only = Index(
        EXAMPLES, params=dataclasses.replace(DEFAULT_PARAMS, confidence_share=0)
    )
    near = top(similarity_only, "Who proposed the centre then?")
    assert near.intent == "who-proposed"
    # The cosine with its nearest example ("Who proposed the centre?"), blended with the
    # centroid cosine (lower: the intent has other examples).
    assert DEFAULT_PARAMS.example_share < near.score < 1.0


def test_a_knowledge_base_too_big_for_the_classifier_falls_back_to_similarity():
    small_budget = IndexParams(max_weights=10)
    fallback = Index(EXAMPLES, params=small_budget)
    similarity_only = Index(EXAMPLES, params=IndexParams(confidence_share=0))
    for question in ("who proposed it", "card declined", "где центр"):
        a = [(m.intent, round(m.score, 9)) for m in fallback.rank(question, 5)]
        b = [(m.intent, round(m.score, 9)) for m in similarity_only.rank(question, 5)]
        assert a == b


def test_the_classifier_improves_on_similarity_alone_for_shared_vocabulary():
    # Two intents whose examples share most words: only "freeze"/"declined" separate them,
    # while "card" appears everywhere. Similarity alone is split; the classifier is not.
    with_classifier = Index(EXAMPLES)
    without = Index(EXAMPLES, params=IndexParams(confidence_share=0))
    question = "lock the card"
    best, runner_up = with_classifier.rank(question, 2)
    plain_best, plain_runner_up = without.rank(question, 2)
    assert best.intent == plain_best.intent == "card-freeze"
    assert best.score - runner_up.score > plain_best.score - plain_runner_up.score
