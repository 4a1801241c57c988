"""Accuracy on the held-out questions, the way `python -m bot eval` measures it.

The knowledge-base issue's targets (en ≥ 95 %, ru ≥ 92 %, kk ≥ 90 %, off-topic declined ≥ 95 %,
none answered with a quote) are not all met yet. The floors below are the figures measured on two
pools when the knowledge base or the engine last changed (see README, "Knowledge base and
accuracy"), a point lower: retraining alone (another random seed, one example more or less) moves a
pool by about a point, and a single 24–70-question set by several, so floors per set would fail on
noise and pass real regressions hidden in it. A change that makes the bot worse by more than that
fails here. Raise the floors as the bot improves; never lower them to make a change pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.evaluation import Summary, check_labels, evaluate, load_labelled, summarize

DATA = Path(__file__).parent / "data"

POOLS = {
    # Development sets: tests/calibrate.py fits the thresholds on these three.
    "development": ("heldout.yaml", "heldout2.yaml", "heldout4.yaml"),
    # Report-only sets, never used for tuning (heldout7 and heldout8 were each measured once,
    # with the engine as committed, before they were first counted).
    "report-only": (
        "heldout3.yaml",
        "heldout5.yaml",
        "heldout6.yaml",
        "heldout7.yaml",
        "heldout8.yaml",
    ),
}

#: (pool, language or outcome, floor). Measured 2026-11-23 after the example expansion, with the
#: training seed chosen on the development sets:
#: development en 96.1 / ru 93.0 / kk 97.7 / declined 96.3 / small talk 96.6 % (declined 97.0 %
#: once a year or session the documents never mention declines the answer, 97.6 % once "who was
#: minister before Nurtleu" does);
#: report-only en 93.2 / ru 95.6 / kk 95.7 / declined 98.1 / small talk 95.3 %.
FLOORS = [
    ("development", "en", 0.951),
    ("development", "ru", 0.920),
    ("development", "kk", 0.967),
    ("development", "decline", 0.970),
    ("development", "smalltalk", 0.93),
    ("report-only", "en", 0.922),
    ("report-only", "ru", 0.946),
    ("report-only", "kk", 0.947),
    ("report-only", "decline", 0.971),
    ("report-only", "smalltalk", 0.92),
]

#: Off-topic questions answered with a quote, per pool: the target is none; these are the
#: counts measured with the floors above.
QUOTED_LIMITS = {"development": 0, "report-only": 2}


@pytest.fixture(scope="module")
def summaries(engine: Engine) -> dict[str, Summary]:
    result = {}
    for pool, files in POOLS.items():
        outcomes = []
        for name in files:
            items = load_labelled(DATA / name)
            check_labels(items, engine.knowledge, name)
            outcomes.extend(evaluate(engine, items))
        result[pool] = summarize(outcomes)
    return result


@pytest.mark.parametrize(("pool", "key", "floor"), FLOORS, ids=[f"{p}-{k}" for p, k, _ in FLOORS])
def test_held_out_accuracy_stays_above_its_measured_floor(summaries, pool, key, floor):
    assert summaries[pool].rate(key) >= floor


def test_off_topic_questions_are_almost_never_answered_with_a_quote(summaries):
    for pool, limit in QUOTED_LIMITS.items():
        assert summaries[pool].quoted_off_topic <= limit, pool


def test_every_reply_is_in_the_language_of_the_question(summaries):
    for summary in summaries.values():
        right, total = summary.language_right
        assert right / total >= 0.98
