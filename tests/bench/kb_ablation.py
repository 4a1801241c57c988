"""Top-1 of the index on the report-only held-out sets, per language, with IndexParams changed.

    python tests/bench/kb_ablation.py                    # the shipped settings
    python tests/bench/kb_ablation.py char_weight=0.0    # without character n-grams

Used to decide whether a normalisation (n-grams, stemming...) earns its place: it ranks each
in-scope held-out question and counts how often the expected intent comes first.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.config import default_intents_dir, default_seeds_dir  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.evaluation import expected_kind, load_labelled  # noqa: E402
from bot.index import IndexParams  # noqa: E402
from bot.knowledge import load  # noqa: E402


def main(argv: list[str]) -> None:
    defaults = IndexParams()
    changes = dict(arg.split("=", 1) for arg in argv)
    params = IndexParams(**{k: type(getattr(defaults, k))(v) for k, v in changes.items()})
    knowledge = load(default_intents_dir(), default_seeds_dir())
    engine = Engine(knowledge, params=params)
    for name in ("heldout3.yaml", "heldout5.yaml"):  # the report-only sets
        right = {"en": [0, 0], "ru": [0, 0], "kk": [0, 0]}
        for item in load_labelled(ROOT / "tests" / "data" / name):
            if expected_kind(item, knowledge) != "answer":
                continue
            matches = engine.rank(item.text)
            right[item.lang][0] += bool(matches) and matches[0].intent in item.expect
            right[item.lang][1] += 1
        figures = ", ".join(f"{lang} {100 * a / b:.1f} %" for lang, (a, b) in right.items())
        print(f"{name}: top-1 {figures}  ({changes or 'shipped settings'})")


if __name__ == "__main__":
    main(sys.argv[1:])
