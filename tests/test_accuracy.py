"""Accuracy on the held-out questions, the way `python -m bot eval` measures it.

The knowledge-base issue's targets (en ≥ 95 %, ru ≥ 92 %, kk ≥ 90 %, off-topic declined ≥ 95 %)
are not all met yet; these floors are the figures measured when the thresholds were last
calibrated (see README, "Knowledge base and accuracy"), minus a few points, so a change that makes
the bot worse fails here. Raise them as the bot improves; never lower them to make a change pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.evaluation import check_labels, evaluate, load_labelled, summarize

DATA = Path(__file__).parent / "data"

#: (file, language or outcome, floor)
FLOORS = [
    ("heldout.yaml", "en", 0.82),
    ("heldout.yaml", "ru", 0.86),
    ("heldout.yaml", "kk", 0.86),
    ("heldout.yaml", "decline", 0.92),
    ("heldout.yaml", "smalltalk", 0.88),
    ("heldout2.yaml", "en", 0.76),
    ("heldout2.yaml", "ru", 0.70),
    ("heldout2.yaml", "kk", 0.76),
    ("heldout2.yaml", "decline", 0.68),
]


@pytest.fixture(scope="module")
def summaries(engine: Engine):
    result = {}
    for name in {f for f, _, _ in FLOORS}:
        items = load_labelled(DATA / name)
        check_labels(items, engine.knowledge, name)
        result[name] = summarize(evaluate(engine, items))
    return result


@pytest.mark.parametrize(("file", "key", "floor"), FLOORS, ids=[f"{f}-{k}" for f, k, _ in FLOORS])
def test_held_out_accuracy_stays_above_its_measured_floor(summaries, file, key, floor):
    assert summaries[file].rate(key) >= floor


def test_the_calibration_set_never_quotes_a_document_for_an_off_topic_question_twice(summaries):
    assert summaries["heldout.yaml"].quoted_off_topic <= 2


def test_every_reply_is_in_the_language_of_the_question(summaries):
    for summary in summaries.values():
        right, total = summary.language_right
        assert right / total >= 0.98
