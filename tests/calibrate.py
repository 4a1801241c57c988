"""Calibrate the engine's thresholds on the labelled held-out set, and show how well they transfer.

    python tests/calibrate.py [FILE ...]   (default: heldout.yaml, heldout2.yaml, heldout4.yaml)
    python tests/calibrate.py --unsure [FILE ...]   (only the `unsure` threshold, others as shipped)

Each question is ranked once; then every threshold combination on a grid is replayed through
`Engine.decide`, and the one with the best utility wins. Utility per question: in scope, +1 for the
right answer, +0.5 for a "did you mean" that offers it, -1 for a wrong answer; off topic, +1 for a
decline, -0.5 for a "did you mean" (it suggests the documents cover the question), -2 for an answer
(a quote where the documents say nothing is the worst outcome); the in-scope and off-topic sides
are averaged separately and weigh the same (see `utility`). To show how much the choice overfits,
the script also calibrates on one half and scores the other half.
Copy the printed `Thresholds(...)` into bot/engine.py's CALIBRATED.
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import default_intents_dir, default_seeds_dir
from bot.engine import CALIBRATED, Engine, Thresholds
from bot.evaluation import expected_kind, load_labelled
from bot.knowledge import load


def coarse_grid(ranked) -> dict[str, np.ndarray]:
    """Candidate thresholds at quantiles of the observed scores, so the grid fits any scale."""
    tops = np.array([m[0].score if m else 0.0 for m, _ in ranked])
    gaps = np.array([m[0].score - m[1].score if len(m) > 1 else 0.0 for m, _ in ranked])
    seconds = np.array([m[1].score if len(m) > 1 else 0.0 for m, _ in ranked])
    levels = np.linspace(0.0, 1.0, 26)
    return {
        "answer": np.unique(np.quantile(tops, levels)),
        "margin": np.unique(np.quantile(gaps, np.linspace(0.0, 0.6, 7))),
        "clarify": np.unique(np.quantile(tops, levels)),
        "suggest": np.unique(np.quantile(seconds, np.linspace(0.0, 1.0, 8))),
    }


def fine_grid(center: Thresholds, step: float) -> dict[str, np.ndarray]:
    return {
        name: np.clip(value + step * np.arange(-3, 4), 0.0, 1.0)
        for name, value in (
            ("answer", center.answer),
            ("margin", center.margin),
            ("clarify", center.clarify),
            ("suggest", center.suggest),
        )
    }


def utility(engine: Engine, ranked, items, thresholds: Thresholds) -> float:
    """Mean utility of the in-scope questions plus that of the off-topic ones, times half the
    number of questions: each side counts the same however many questions it has (as the CLINC150
    protocol's (in-scope accuracy + OOS recall) / 2), so the larger in-scope side cannot buy its
    points with declines missed."""
    engine.thresholds = thresholds
    sides: dict[bool, list[float]] = {True: [], False: []}
    for (matches, lang), item in zip(ranked, items, strict=True):
        reply = engine.decide(matches, lang)
        kind = expected_kind(item, engine.knowledge)
        got = reply.intent.id if reply.intent else None
        if kind == "decline":
            value = {"decline": 1.0, "clarify": -0.5, "answer": -2.0}.get(reply.kind, 0.0)
        elif reply.kind in ("answer", "smalltalk"):
            value = 1.0 if got in item.expect else -1.0
        elif reply.kind == "clarify":
            value = 0.5 if any(s.id in item.expect for s in reply.suggestions) else 0.0
        else:
            value = 0.0
        sides[kind == "decline"].append(value)
    means = [sum(values) / len(values) for values in sides.values() if values]
    return sum(means) / len(means) * len(items)


def calibrate(engine: Engine, ranked, items) -> tuple[Thresholds, float]:
    coarse, _ = search(engine, ranked, items, coarse_grid(ranked))
    step = max(0.002, coarse.answer / 20)
    return search(engine, ranked, items, fine_grid(coarse, step))


def search(engine: Engine, ranked, items, grid) -> tuple[Thresholds, float]:
    best, best_score = None, -1e9
    for answer, margin, clarify, suggest in itertools.product(*grid.values()):
        if clarify > answer or suggest > clarify + 1e-9:
            continue
        thresholds = Thresholds(
            round(float(answer), 4), round(float(margin), 4), round(float(clarify), 4),
            round(float(suggest), 4),
        )  # fmt: skip
        score = utility(engine, ranked, items, thresholds)
        if score > best_score:
            best, best_score = thresholds, score
    assert best is not None
    return best, best_score


def sweep_unsure(engine: Engine, ranked, items) -> None:
    """The utility of each `unsure` value with the other thresholds as shipped: how close "the
    documents don't say" may come to the best fact before a "did you mean" becomes a decline."""
    for unsure in np.round(np.linspace(0.0, CALIBRATED.margin, 7), 4):
        thresholds = dataclasses.replace(CALIBRATED, unsure=float(unsure))
        print(f"  unsure={unsure:.4f}: utility {utility(engine, ranked, items, thresholds):.2f}")


def main() -> None:
    data = Path(__file__).parent / "data"
    default = [data / name for name in ("heldout.yaml", "heldout2.yaml", "heldout4.yaml")]
    args = [a for a in sys.argv[1:] if a != "--unsure"]
    paths = [Path(a) for a in args] or default
    engine = Engine(load(default_intents_dir(), default_seeds_dir()))
    items = [item for path in paths for item in load_labelled(path)]
    ranked = []
    for item in items:
        from bot.text import detect_language

        ranked.append((engine.rank(item.text), detect_language(item.text)))
    if "--unsure" in sys.argv:
        sweep_unsure(engine, ranked, items)
        return
    best, score = calibrate(engine, ranked, items)
    print(f"{len(items)} questions; best utility {score:.1f} of {len(items)} with")
    print(f"  {best}")
    for name, half in (("even", 0), ("odd", 1)):
        fit_items, fit_ranked = items[half::2], ranked[half::2]
        other_items, other_ranked = items[1 - half :: 2], ranked[1 - half :: 2]
        fitted, fit_score = calibrate(engine, fit_ranked, fit_items)
        held = utility(engine, other_ranked, other_items, fitted)
        print(
            f"  fitted on the {name} half: utility {fit_score:.1f}/{len(fit_items)} there, "
            f"{held:.1f}/{len(other_items)} on the other half ({fitted})"
        )


if __name__ == "__main__":
    main()
