"""How the engine's matching index scales: build time, memory and latency per question at 1×,
10× and 100× the curated knowledge base, and at CLINC150's size (15,000 examples).

The bigger knowledge bases are synthetic but grow like real ones: every curated intent is copied
under new ids, and each copy's example questions are perturbed (words re-ordered, some words
changed into new spellings, a topic word of the copy's own added), so the vocabulary, the
character n-grams and the postings grow with the copies instead of repeating the same features.

Every size runs in a fresh process (clean RSS) and answers the same fixed set of questions: the
curated examples with a typo and with a word left out, and off-topic questions in English and
Russian. None is an example word for word: the index answers those from a dictionary without
ranking, which would time nothing. Latency is one `Index.rank(text, 5)` call, timed alone.

Run alone: `python tests/bench/bench_scaling.py [--quick]`.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from pathlib import Path
from typing import Any

import common
from common import Report, ms, num, table

SCRIPT = Path(__file__).resolve()
FACTORS = (1, 10, 100)
OFF_TOPIC_RU = (
    "какая завтра погода в астане",
    "как заказать пиццу домой",
    "сколько стоит билет до москвы",
    "посоветуй хороший фильм на вечер",
    "как поменять пароль от почты",
    "где купить зимнюю резину",
    "какой курс доллара сегодня",
    "как приготовить плов",
)
_ALPHABETS = {
    "latin": "abcdefghijklmnopqrstuvwxyz",
    "cyrillic": "абвгдежзийклмнопрстуфхцчшщыэюя",
}
_SUFFIXES = {
    "latin": ("s", "ing", "ed", "er", "al", "ly"),
    "cyrillic": ("ы", "ов", "ами", "ах", "ный", "лар", "дың", "ға", "мен"),
}


def _script(word: str) -> str:
    return "cyrillic" if any("\u0400" <= ch <= "\u04ff" for ch in word) else "latin"


def _pseudo_word(rng: random.Random, script: str) -> str:
    letters = _ALPHABETS[script]
    return "".join(rng.choice(letters) for _ in range(rng.randint(5, 9)))


def _perturb_word(word: str, rng: random.Random) -> str:
    script = _script(word)
    if len(word) > 3 and rng.random() < 0.5:
        at = rng.randrange(1, len(word) - 1)
        return word[:at] + rng.choice(_ALPHABETS[script]) + word[at + 1 :]
    return word + rng.choice(_SUFFIXES[script])


def synthetic_examples(
    examples: list[tuple[str, str]], factor: int, seed: int = 0
) -> list[tuple[str, str]]:
    """The curated examples plus `factor - 1` perturbed copies of every intent, under new ids."""
    rng = random.Random(seed)
    out = list(examples)
    for copy in range(1, factor):
        topic = {script: _pseudo_word(rng, script) for script in _ALPHABETS}
        for intent, text in examples:
            words = text.split()
            if len(words) > 1 and rng.random() < 0.6:
                i = rng.randrange(len(words) - 1)
                words[i], words[i + 1] = words[i + 1], words[i]
            words = [_perturb_word(w, rng) if rng.random() < 0.35 else w for w in words]
            words.insert(rng.randrange(len(words) + 1), topic[_script(text)])
            out.append((f"{intent}~{copy}", " ".join(words)))
    return out


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 6:
        return text
    at = rng.randrange(1, len(text) - 2)
    return text[:at] + text[at + 1] + text[at] + text[at + 2 :]


def curated() -> tuple[list[tuple[str, str]], list[list[str]]]:
    from bot.config import default_intents_dir, default_seeds_dir
    from bot.knowledge import load

    knowledge = load(default_intents_dir(), default_seeds_dir())
    examples = [
        (intent.id, question)
        for intent in knowledge.intents.values()
        for questions in intent.questions.values()
        for question in questions
    ]
    return examples, [list(group) for group in knowledge.synonyms]


def _shortened(text: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) < 3:
        return text + " please"
    del words[rng.randrange(len(words))]
    return " ".join(words)


def query_set(examples: list[tuple[str, str]], n: int) -> list[str]:
    """The same questions for every size: curated (with a typo, a word less) and off-topic."""
    rng = random.Random("queries")
    clinc = [text for text, _ in common.load_clinc()["test"]]
    own = [text for _, text in examples]
    typos = [_typo(text, rng) for text in own]
    shortened = [_shortened(text, rng) for text in own]
    pool = shortened + typos
    chosen = [pool[i % len(pool)] for i in range(n // 2)]
    chosen += list(OFF_TOPIC_RU) + rng.sample(clinc, n - len(chosen) - len(OFF_TOPIC_RU))
    rng.shuffle(chosen)
    return chosen


def measure(size: str, n_queries: int) -> dict[str, Any]:
    """Child process: build one index and time the query set against it."""
    from bot.index import Index
    from bot.text import Synonyms

    examples, synonyms = curated()
    queries = query_set(examples, n_queries)
    if size == "clinc":
        built_from = [(intent, text) for text, intent in common.load_clinc()["train"]]
        synonyms = []
    else:
        built_from = synthetic_examples(examples, int(size))
    gc.collect()
    rss_before = common.rss_bytes()
    start = time.perf_counter()
    index = Index(built_from, Synonyms(synonyms))
    build_seconds = time.perf_counter() - start
    gc.collect()
    rss_after = common.rss_bytes()
    timings = common.timed_calls(lambda text: index.rank(text, 5), queries, warmup=30)
    return {
        "size": size,
        "examples": len(index),
        "intents": len(index.intents),
        "features": len(index._vocabulary),
        "build_seconds": build_seconds,
        "rss_index_bytes": rss_after - rss_before,
        "rss_total_bytes": common.rss_bytes(),
        "latency": common.percentiles(timings.seconds),
        "cpu": common.percentiles(timings.cpu_seconds),
    }


def run(quick: bool = False) -> Report:
    report = Report("Engine index scaling")
    n_queries = 300 if quick else 500
    # 100 × the curated knowledge base takes minutes to build: full runs only
    sizes = [str(f) for f in (FACTORS[:2] if quick else FACTORS)] + ["clinc"]
    results = []
    for size in sizes:
        results.append(common.run_child(SCRIPT, ["--child", size, "--n", str(n_queries)]))
        print(f"  scaling: {size} done", file=sys.stderr)
    report.data = {"quick": quick, "sizes": results}
    base = results[0]
    rows = []
    for r in results:
        label = "CLINC150 train" if r["size"] == "clinc" else f"curated × {r['size']}"
        rows.append(
            [
                label,
                f"{r['examples']:,}",
                f"{r['intents']:,}",
                f"{r['features']:,}",
                num(r["build_seconds"], 2, " s"),
                num(r["rss_index_bytes"] / common.MB, 1, " MiB"),
                ms(r["latency"]["p50"], 3),
                ms(r["latency"]["p99"], 3),
                ms(r["cpu"]["p99"], 3),
                f"× {r['examples'] / base['examples']:,.0f}",
                f"× {r['latency']['p50'] / base['latency']['p50']:,.1f}",
            ]
        )
    report.add(
        f"Same {n_queries:,} questions at every size (curated examples with a typo or a word "
        f"less, off-topic English and Russian); `Index.rank(text, 5)` timed per call; one fresh "
        f"process per size.\n"
    )
    report.add(
        table(
            [
                "Knowledge base",
                "Examples",
                "Intents",
                "Features",
                "Build",
                "RSS of index",
                "p50",
                "p99",
                "p99 CPU",
                "Examples vs 1×",
                "p50 vs 1×",
            ],
            rows,
        )
    )
    counts = [r["examples"] for r in results]
    p50 = [r["latency"]["p50"] for r in results]
    p99 = [r["latency"]["p99"] for r in results]
    slope50, slope99 = common.slope(counts, p50), common.slope(counts, p99)
    ordered = sorted(zip(counts, p50, strict=True))[-2:]
    top = common.slope([c for c, _ in ordered], [p for _, p in ordered])
    report.data.update({"slope_p50": slope50, "slope_p99": slope99, "slope_p50_top": top})
    report.add(
        f"Growth of latency with the number of examples (log–log slope; 1 = linear): "
        f"p50 {slope50:.2f}, p99 {slope99:.2f} over all sizes; p50 {top:.2f} between the two "
        f"largest."
    )
    report.target(
        "Sub-linear scaling (log–log slope of p50 and p99 < 1)",
        max(slope50, slope99) < 1,
        f"p50 {slope50:.2f}, p99 {slope99:.2f}",
    )
    return report


def main() -> int:
    parser = common.script_parser(__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=1000, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        common.emit(measure(args.child, args.n))
        return 0
    report = common.run_timed(run, args.quick)
    return common.finish(report, args)


if __name__ == "__main__":
    sys.exit(main())
