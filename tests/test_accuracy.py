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
    # Calibration sets (tests/calibrate.py fits the thresholds on these two).
    ("heldout.yaml", "en", 0.89),
    ("heldout.yaml", "ru", 0.85),
    ("heldout.yaml", "kk", 0.90),
    ("heldout.yaml", "decline", 0.90),
    ("heldout.yaml", "smalltalk", 0.85),
    ("heldout2.yaml", "en", 0.87),
    ("heldout2.yaml", "ru", 0.79),
    ("heldout2.yaml", "kk", 0.83),
    ("heldout2.yaml", "decline", 0.90),
    # Report-only set, never used for tuning: the honest figure.
    ("heldout3.yaml", "en", 0.75),
    ("heldout3.yaml", "ru", 0.77),
    ("heldout3.yaml", "kk", 0.82),
    ("heldout3.yaml", "decline", 0.86),
    ("heldout3.yaml", "smalltalk", 0.90),
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
