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
    # Development sets: tests/calibrate.py fits the thresholds on these three.
    ("heldout.yaml", "en", 0.96),
    ("heldout.yaml", "ru", 0.92),
    ("heldout.yaml", "kk", 0.98),
    ("heldout.yaml", "decline", 0.95),
    ("heldout.yaml", "smalltalk", 0.90),
    ("heldout2.yaml", "en", 0.95),
    ("heldout2.yaml", "ru", 0.91),
    ("heldout2.yaml", "kk", 0.87),
    ("heldout2.yaml", "decline", 0.92),
    ("heldout4.yaml", "en", 0.90),
    ("heldout4.yaml", "ru", 0.95),
    ("heldout4.yaml", "kk", 0.97),
    ("heldout4.yaml", "decline", 0.98),
    # Report-only sets, never used for tuning; heldout7 and heldout8 were written last and each
    # measured once, with the engine as committed, before its floors were set.
    ("heldout3.yaml", "en", 0.92),
    ("heldout3.yaml", "ru", 0.94),
    ("heldout3.yaml", "kk", 0.96),
    ("heldout3.yaml", "decline", 0.97),
    ("heldout3.yaml", "smalltalk", 0.91),
    ("heldout5.yaml", "en", 0.92),
    ("heldout5.yaml", "ru", 0.98),
    ("heldout5.yaml", "kk", 0.94),
    ("heldout5.yaml", "decline", 0.95),
    ("heldout5.yaml", "smalltalk", 0.83),
    ("heldout6.yaml", "en", 0.87),
    ("heldout6.yaml", "ru", 0.94),
    ("heldout6.yaml", "kk", 0.89),
    ("heldout6.yaml", "decline", 1.00),
    ("heldout6.yaml", "smalltalk", 1.00),
    ("heldout7.yaml", "en", 0.96),
    ("heldout7.yaml", "ru", 0.96),
    ("heldout7.yaml", "kk", 0.97),
    ("heldout7.yaml", "decline", 1.00),
    ("heldout7.yaml", "smalltalk", 1.00),
    ("heldout8.yaml", "en", 0.88),
    ("heldout8.yaml", "ru", 0.85),
    ("heldout8.yaml", "kk", 0.93),
    ("heldout8.yaml", "decline", 0.96),
    ("heldout8.yaml", "smalltalk", 0.85),
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


def test_off_topic_questions_are_almost_never_answered_with_a_quote(summaries):
    # The target is none; these are the counts measured at the last calibration.
    limits = {"heldout.yaml": 2, "heldout2.yaml": 1, "heldout3.yaml": 2, "heldout4.yaml": 0}
    limits |= {"heldout5.yaml": 0, "heldout6.yaml": 0, "heldout7.yaml": 0, "heldout8.yaml": 0}
    for name, limit in limits.items():
        assert summaries[name].quoted_off_topic <= limit, name


def test_every_reply_is_in_the_language_of_the_question(summaries):
    for summary in summaries.values():
        right, total = summary.language_right
        assert right / total >= 0.98
