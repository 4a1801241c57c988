"""Research bench for bot/index.py on CLINC150 (not run by pytest).

Builds the matching index from CLINC150 `train`, ranks `val` + `oos_val` (for tuning) or
`test` + `oos_test` (for reporting), and prints top-1 accuracy, AUROC of the top score
(in-scope vs out-of-scope), in-scope accuracy / OOS recall at the threshold that maximises their
mean on val + oos_val, latency p50/p99 per question, build time and resident memory. The reference,
TF-IDF (word 1-2-grams + char_wb 3-5-grams) + logistic regression from scikit-learn, runs through
the same harness with `--method lr`.

    python tests/bench/research_index.py                         # Index, defaults, val + test
    python tests/bench/research_index.py example_share=0.3       # override IndexParams fields
    python tests/bench/research_index.py --method lr             # the scikit-learn reference
    python tests/bench/research_index.py --kb                    # curated KB: build and p99
    python tests/bench/research_index.py --heldout               # curated KB: held-out set
    python tests/bench/research_index.py --index-module old.py   # another Index implementation
    python tests/bench/research_index.py --splits val --cv 5     # + 5-fold CV on train (top-1)

Each run is a separate process so its RSS is its own. Never tune on `test`.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import bot.index  # noqa: E402
from bot.index import IndexParams  # noqa: E402

DATA = Path("/work/shared/benchmarks/clinc150/data_full.json")
Ranker = Callable[[str], tuple[str | None, float]]


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def parse_params(pairs: Sequence[str], cls: type = IndexParams) -> IndexParams:
    defaults = cls()
    values = {}
    for pair in pairs:
        key, value = pair.split("=", 1)
        kind = type(getattr(defaults, key))
        values[key] = (value.lower() in {"1", "true", "yes"}) if kind is bool else kind(value)
    return dataclasses.replace(defaults, **values)


def load_module(path: str | None):  # -> a module
    """bot.index, or another implementation of the same API from a file (e.g. an old version)."""
    if path is None:
        return bot.index
    import importlib.util

    spec = importlib.util.spec_from_file_location("index_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def index_ranker(
    train: Sequence[tuple[str, str]], params: IndexParams, module=bot.index
) -> Ranker:
    index = module.Index(((intent, text) for text, intent in train), params=params)

    def rank(text: str) -> tuple[str | None, float]:
        matches = index.rank(text, 1)
        return (matches[0].intent, matches[0].score) if matches else (None, 0.0)

    return rank


def lr_ranker(train: Sequence[tuple[str, str]], c: float) -> Ranker:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion

    texts = [text for text, _ in train]
    labels = [intent for _, intent in train]
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)),
        ]
    )
    x = features.fit_transform(texts)
    model = LogisticRegression(C=c, max_iter=2000).fit(x, labels)
    classes = model.classes_

    def rank(text: str) -> tuple[str | None, float]:
        p = model.predict_proba(features.transform([text]))[0]
        best = int(np.argmax(p))
        return str(classes[best]), float(p[best])

    return rank


def run(rank: Ranker, items: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray, list]:
    correct, scores, latency = [], [], []
    for text, label in items:
        start = time.perf_counter()
        intent, score = rank(text)
        latency.append(time.perf_counter() - start)
        correct.append(intent == label)
        scores.append(score)
    return np.array(correct), np.array(scores), latency


def auroc(positive: np.ndarray, negative: np.ndarray) -> float:
    """P(in-scope top score > out-of-scope top score), ties counted half (Mann-Whitney)."""
    both = np.concatenate([positive, negative])
    order = both.argsort(kind="mergesort")
    ranks = np.empty(len(both))
    ranks[order] = np.arange(1, len(both) + 1)
    for value in np.unique(both[np.r_[False, np.diff(both[order]) == 0]]) if len(both) else []:
        tied = both == value
        ranks[tied] = ranks[tied].mean()
    n_pos, n_neg = len(positive), len(negative)
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def best_threshold(correct: np.ndarray, pos: np.ndarray, neg: np.ndarray) -> float:
    """The threshold maximising (in-scope accuracy + OOS recall) / 2."""
    candidates = np.unique(np.concatenate([pos, neg, [0.0, 1.0 + 1e-9]]))
    best, best_value = 0.0, -1.0
    for t in candidates:
        value = ((correct & (pos >= t)).mean() + (neg < t).mean()) / 2
        if value > best_value:
            best, best_value = float(t), value
    return best


def evaluate(rank: Ranker, data: dict, splits: Sequence[str]) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    val_correct, val_pos, val_lat_in = run(rank, data["val"])
    _, val_neg, val_lat_out = run(rank, data["oos_val"])
    threshold = best_threshold(val_correct, val_pos, val_neg)
    for split in splits:
        if split == "val":
            correct, pos, neg = val_correct, val_pos, val_neg
            latency = np.array(val_lat_in + val_lat_out) * 1000
        else:
            correct, pos, lat_in = run(rank, data[split])
            _, neg, lat_out = run(rank, data["oos_" + split])
            latency = np.array(lat_in + lat_out) * 1000
        results[split] = {
            "top1": float(correct.mean()),
            "auroc": auroc(pos, neg),
            "in_acc": float((correct & (pos >= threshold)).mean()),
            "oos_recall": float((neg < threshold).mean()),
            "threshold": threshold,
            "p50": float(np.percentile(latency, 50)),
            "p99": float(np.percentile(latency, 99)),
        }
    return results


def curated_kb(params: IndexParams, repeats: int, module=bot.index) -> None:
    """Build time and latency of the real engine on the curated knowledge base.

    Questions: the held-out set (tests/data/heldout.yaml), every example question as written and
    with a typo, and a few off-topic ones. The first pass runs on a fresh engine (cold caches:
    typo corrections), the next `repeats` passes are warm; p99 is reported for both.
    """
    from bot import engine as engine_module
    from bot.config import default_intents_dir, default_seeds_dir
    from bot.evaluation import load_labelled
    from bot.knowledge import load

    engine_module.Index = module.Index  # type: ignore[attr-defined]
    kb = load(default_intents_dir(), default_seeds_dir())
    builds = []
    for _ in range(7):
        start = time.perf_counter()
        engine = engine_module.Engine(kb, params=params)
        builds.append(time.perf_counter() - start)
    heldout = [item.text for item in load_labelled(ROOT / "tests/data/heldout.yaml")]
    questions = [q for i in kb.intents.values() for qs in i.questions.values() for q in qs]
    probes = [*heldout, *questions, "what is the weather in Paris", "Кто предложил создать центр?"]
    probes += [q.replace("e", "r", 1).replace("е", "р", 1) for q in questions]  # a typo in each
    for name in ("index.rank", "engine.rank"):
        engine = engine_module.Engine(kb, params=params)  # fresh caches
        call = engine.index.rank if name == "index.rank" else engine.rank
        passes = []
        for _ in range(1 + repeats):
            latency = []
            for q in probes:
                start = time.perf_counter()
                call(q, 5)
                latency.append(time.perf_counter() - start)
            passes.append(np.array(latency) * 1000)
        cold, warm = passes[0], np.concatenate(passes[1:])
        print(
            f"curated KB {name}: {len(kb.intents)} intents, {len(engine.index)} examples, "
            f"{len(probes)} questions; build median {np.median(builds) * 1000:.0f} ms "
            f"(max {max(builds) * 1000:.0f}); cold p50 {np.percentile(cold, 50):.2f} "
            f"p99 {np.percentile(cold, 99):.2f} ms; warm p50 {np.percentile(warm, 50):.2f} "
            f"p99 {np.percentile(warm, 99):.2f} ms"
        )


def heldout(params: IndexParams, module=bot.index) -> None:
    """The engine on tests/data/heldout.yaml: accuracy, AUROC, calibrated utility."""
    sys.path.insert(0, str(ROOT / "tests"))
    from calibrate import calibrate, utility

    from bot import engine as engine_module
    from bot.config import default_intents_dir, default_seeds_dir
    from bot.evaluation import expected_kind, load_labelled
    from bot.knowledge import load
    from bot.text import detect_language

    engine_module.Index = module.Index  # type: ignore[attr-defined]
    kb = load(default_intents_dir(), default_seeds_dir())
    engine = engine_module.Engine(kb, params=params)
    items = load_labelled(ROOT / "tests/data/heldout.yaml")
    ranked = [(engine.rank(item.text), detect_language(item.text)) for item in items]
    kinds = [expected_kind(item, kb) for item in items]
    top = [(m[0].intent, m[0].score) if m else (None, 0.0) for m, _ in ranked]
    inside = [i for i, k in enumerate(kinds) if k != "decline"]
    # Off-topic questions only: near misses may rightly match a "gap" intent (a known question
    # the documents don't answer), which the engine declines by name.
    outside = [i for i, item in enumerate(items) if item.category == "offtopic"]
    right = np.mean([top[i][0] in items[i].expect for i in inside])
    area = auroc(np.array([top[i][1] for i in inside]), np.array([top[i][1] for i in outside]))
    current = utility(engine, ranked, items, engine_module.CALIBRATED)
    best, best_utility = calibrate(engine, ranked, items)
    halves = []
    for half in (0, 1):
        fitted, _ = calibrate(engine, ranked[half::2], items[half::2])
        halves.append(utility(engine, ranked[1 - half :: 2], items[1 - half :: 2], fitted))
    print(
        f"held-out: {len(inside)} in scope, {len(outside)} off-topic; top-1 {right:.3f} "
        f"AUROC {area:.3f}; utility with CALIBRATED {current:.1f}, recalibrated "
        f"{best_utility:.1f} ({best}); split-half transfer {halves[0]:.1f} + {halves[1]:.1f} "
        f"= {sum(halves):.1f} of {len(items)}"
    )


def synthetic_kb(
    data: dict, params: IndexParams, intents: int, per_intent: int, module=bot.index
) -> None:
    """A CLINC slice the size of a large curated KB: build time and latency."""
    chosen = sorted({label for _, label in data["train"]})[:intents]
    seen: dict[str, int] = {}
    train = []
    for text, label in data["train"]:
        if label in chosen and seen.get(label, 0) < per_intent:
            seen[label] = seen.get(label, 0) + 1
            train.append((text, label))
    start = time.perf_counter()
    rank = index_ranker(train, params, module)
    build = time.perf_counter() - start
    probes = [(t, label) for t, label in data["test"] if label in chosen] + data["oos_test"][:300]
    _, _, latency = run(rank, probes)
    lat = np.array(latency) * 1000
    print(
        f"CLINC slice {intents}x{per_intent}: build {build * 1000:.0f} ms; rank p50 "
        f"{np.percentile(lat, 50):.2f} ms p99 {np.percentile(lat, 99):.2f} ms"
    )


def cross_validate(
    data: dict, folds: int, build: Callable[[Sequence[tuple[str, str]]], Ranker]
) -> None:
    """Top-1 over `folds` folds of `train` (each example held out once; every intent split
    evenly), and AUROC of the held-out top scores against `oos_val`: a less noisy comparison of
    variants than `val` alone (15,000 questions instead of 3,000), still without `test`."""
    rng = np.random.default_rng(0)
    by_intent: dict[str, list[int]] = {}
    for i, (_, intent) in enumerate(data["train"]):
        by_intent.setdefault(intent, []).append(i)
    fold_of = np.empty(len(data["train"]), dtype=np.int64)
    for members in by_intent.values():
        fold_of[rng.permutation(members)] = np.arange(len(members)) % folds
    tops, areas = [], []
    for fold in range(folds):
        train = [pair for pair, f in zip(data["train"], fold_of, strict=True) if f != fold]
        held = [pair for pair, f in zip(data["train"], fold_of, strict=True) if f == fold]
        rank = build(train)
        correct, pos, _ = run(rank, held)
        _, neg, _ = run(rank, data["oos_val"])
        tops.append(correct.mean())
        areas.append(auroc(pos, neg))
    print(
        f"  {folds}-fold CV on train: top1 {np.mean(tops):.4f} "
        f"({' '.join(f'{t:.4f}' for t in tops)}) auroc vs oos_val {np.mean(areas):.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("params", nargs="*", help="IndexParams overrides, name=value")
    parser.add_argument("--method", choices=["index", "lr"], default="index")
    parser.add_argument("--c", type=float, default=10.0, help="C of the LR reference")
    parser.add_argument("--splits", default="val,test")
    parser.add_argument("--kb", action="store_true", help="curated KB timing only")
    parser.add_argument("--heldout", action="store_true", help="curated KB held-out set only")
    parser.add_argument("--index-module", help="a file with another Index implementation")
    parser.add_argument("--json", help="append the result as a JSON line to this file")
    parser.add_argument("--cv", type=int, default=0, help="also k-fold cross-validate on train")
    args = parser.parse_args()
    module = load_module(args.index_module)
    params = parse_params(args.params, module.IndexParams)
    data = json.loads(DATA.read_text(encoding="utf-8"))
    if args.heldout:
        heldout(params, module)
        return
    if args.kb:
        curated_kb(params, repeats=20, module=module)
        synthetic_kb(data, params, intents=50, per_intent=30, module=module)
        return
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    if args.method == "lr":
        rank = lr_ranker(data["train"], args.c)
        label = f"TF-IDF+LR C={args.c}"
    else:
        rank = index_ranker(data["train"], params, module)
        changed = {
            f.name: getattr(params, f.name)
            for f in dataclasses.fields(params)
            if getattr(params, f.name) != f.default
        }
        label = (
            ("Old " if args.index_module else "")
            + "Index "
            + (" ".join(f"{k}={v}" for k, v in changed.items()) or "defaults")
        )
    build = time.perf_counter() - start
    memory = rss_mb()
    results = evaluate(rank, data, args.splits.split(","))
    for split, r in results.items():
        line = (
            f"{label:50s} {split:4s} top1 {r['top1']:.4f} auroc {r['auroc']:.4f} "
            f"in_acc {r['in_acc']:.4f} oos_rec {r['oos_recall']:.4f} t {r['threshold']:.3f}"
            f" p50 {r['p50']:.2f} p99 {r['p99']:.2f} ms"
        )
        print(line + f" build {build:.1f}s rss {memory:.0f}MB (+{memory - before:.0f})")
    if args.json:
        with open(args.json, "a") as out:
            print(json.dumps({"label": label, "build": build, "rss": memory} | results), file=out)
    if args.cv:
        if args.method == "lr":
            cross_validate(data, args.cv, lambda train: lr_ranker(train, args.c))
        else:
            cross_validate(data, args.cv, lambda train: index_ranker(train, params, module))


if __name__ == "__main__":
    main()
