"""The curated knowledge base: load and build time, memory, accuracy on the held-out questions
(tests/data/heldout.yaml) per language, per expected outcome and per category, and the latency of
one `Engine.ask` call.

Right and wrong follow `bot.evaluation` (what `python -m bot eval` prints): an in-scope question
is right when the reply answers with one of its expected intents; an off-topic one when it is
declined. Latency is timed per call after a warm-up, over several passes of the held-out set and
over every example question of the intents. Everything runs in a fresh process.

Run alone: `python tests/bench/bench_kb.py [--quick]`.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import common
from common import Report, ms, num, table

SCRIPT = Path(__file__).resolve()
HELDOUT = common.ROOT / "tests" / "data" / "heldout.yaml"
LANGS = ("en", "ru", "kk")


def _labelled(path: Path) -> list[dict[str, Any]]:
    """The held-out questions as dicts: text, lang, expect (tuple), category."""
    try:
        from bot.evaluation import load_labelled
    except ImportError:  # an older checkout: read the YAML directly
        import yaml

        with open(path, encoding="utf-8") as file:
            raw = yaml.safe_load(file)["questions"]
        return [
            {
                "text": q["text"],
                "lang": q["lang"],
                "expect": tuple(q["expect"]) if isinstance(q["expect"], list) else (q["expect"],),
                "category": q.get("category") or q.get("kind") or "",
            }
            for q in raw
        ]
    return [
        {"text": i.text, "lang": i.lang, "expect": i.expect, "category": i.category}
        for i in load_labelled(path)
    ]


def measure(passes: int) -> dict[str, Any]:
    """Child process: load, build, evaluate, time."""
    from bot.config import default_intents_dir, default_seeds_dir
    from bot.engine import Engine, Question
    from bot.knowledge import load

    gc.collect()
    rss_start = common.rss_bytes()
    start = time.perf_counter()
    knowledge = load(default_intents_dir(), default_seeds_dir())
    load_seconds = time.perf_counter() - start
    gc.collect()
    rss_loaded = common.rss_bytes()
    start = time.perf_counter()
    engine = Engine(knowledge)
    build_seconds = time.perf_counter() - start
    gc.collect()
    rss_built = common.rss_bytes()

    examples = [
        question
        for intent in knowledge.intents.values()
        for questions in intent.questions.values()
        for question in questions
    ]
    result: dict[str, Any] = {
        "intents": len(knowledge.intents),
        "examples": len(examples),
        "examples_by_lang": {
            lang: sum(len(i.questions.get(lang, ())) for i in knowledge.intents.values())
            for lang in LANGS
        },
        "load_seconds": load_seconds,
        "build_seconds": build_seconds,
        "rss_knowledge_bytes": rss_loaded - rss_start,
        "rss_engine_bytes": rss_built - rss_loaded,
        "rss_total_bytes": rss_built,
    }

    def ask(text: str) -> Any:
        return engine.ask(Question(text))

    timings = common.timed_calls(ask, examples, warmup=50)
    result["latency_examples"] = common.percentiles(timings.seconds)
    result["cpu_examples"] = common.percentiles(timings.cpu_seconds)

    if not HELDOUT.exists():
        result["heldout"] = None
        return result
    items = _labelled(HELDOUT)
    texts = [item["text"] for item in items]
    timings = common.timed_calls(ask, texts, warmup=30)
    replies = list(timings.results)
    for _ in range(passes - 1):
        timings.extend(common.timed_calls(ask, texts, warmup=0))
    result["latency_heldout"] = common.percentiles(timings.seconds)
    result["cpu_heldout"] = common.percentiles(timings.cpu_seconds)
    result["heldout"] = _score(items, replies, knowledge)
    return result


def _score(items: list[dict[str, Any]], replies: list[Any], knowledge: Any) -> dict[str, Any]:
    by_lang: dict[str, list[int]] = {lang: [0, 0] for lang in LANGS}
    by_outcome: dict[str, list[int]] = {k: [0, 0] for k in ("answer", "smalltalk", "decline")}
    by_category: dict[str, list[int]] = {}
    decline_by_lang: dict[str, list[int]] = {lang: [0, 0] for lang in LANGS}
    replies_given: Counter[str] = Counter()
    language_right = answered_off_topic = 0
    for item, reply in zip(items, replies, strict=True):
        expect = item["expect"]
        if expect == ("decline",):
            kind = "decline"
        else:
            first = knowledge.intents.get(expect[0])
            kind = "smalltalk" if first is not None and first.kind == "smalltalk" else "answer"
        got = reply.intent.id if reply.intent else reply.kind
        if kind == "decline":
            right = reply.kind == "decline"
            decline_by_lang[item["lang"]][0] += right
            decline_by_lang[item["lang"]][1] += 1
            answered_off_topic += reply.kind == "answer"
        else:
            right = reply.kind in ("answer", "smalltalk") and got in expect
        by_outcome[kind][0] += right
        by_outcome[kind][1] += 1
        if kind == "answer":
            by_lang[item["lang"]][0] += right
            by_lang[item["lang"]][1] += 1
        category = by_category.setdefault(item["category"] or "(none)", [0, 0])
        category[0] += right
        category[1] += 1
        replies_given[reply.kind] += 1
        language_right += reply.language == item["lang"]
    return {
        "questions": len(items),
        "right": sum(v[0] for v in by_outcome.values()),
        "by_language": by_lang,
        "by_outcome": by_outcome,
        "by_category": by_category,
        "decline_by_language": decline_by_lang,
        "replies_given": dict(replies_given),
        "answered_off_topic": answered_off_topic,
        "language_right": language_right,
    }


def _rate(pair: list[int]) -> str:
    right, total = pair
    return f"{right}/{total} = {100 * right / total:.1f} %" if total else "–"


def run(quick: bool = False) -> Report:
    report = Report("Curated knowledge base")
    r = common.run_child(SCRIPT, ["--child", "--passes", "2" if quick else "5"])
    report.data = r
    by_lang = ", ".join(f"{lang} {n:,}" for lang, n in r["examples_by_lang"].items())
    report.add(
        f"{r['intents']} intents, {r['examples']:,} example questions ({by_lang}). "
        f"Loading and validating the knowledge base {num(r['load_seconds'], 2, ' s')}, building "
        f"the engine's index {num(r['build_seconds'], 2, ' s')}; RSS: knowledge "
        f"{num(r['rss_knowledge_bytes'] / common.MB, 1, ' MiB')}, index "
        f"{num(r['rss_engine_bytes'] / common.MB, 1, ' MiB')}, whole process "
        f"{num(r['rss_total_bytes'] / common.MB, 0, ' MiB')}.\n"
    )
    latency_rows = []
    held = r.get("heldout")
    if held:
        lat = r["latency_heldout"]
        latency_rows.append(
            [f"held-out questions ({held['questions']} × passes)", f"{lat['n']:,}"]
            + [ms(lat[k], 3) for k in ("p50", "p90", "p99", "max")]
            + [ms(r["cpu_heldout"]["p99"], 3)]
        )
    lat = r["latency_examples"]
    latency_rows.append(
        ["the intents' own example questions", f"{lat['n']:,}"]
        + [ms(lat[k], 3) for k in ("p50", "p90", "p99", "max")]
        + [ms(r["cpu_examples"]["p99"], 3)]
    )
    report.add("Latency of one `Engine.ask` (language detection, matching, thresholds):\n")
    report.add(table(["Questions", "Calls", "p50", "p90", "p99", "max", "p99 CPU"], latency_rows))
    if held:
        report.add(
            f"Held-out questions (`tests/data/heldout.yaml`, {held['questions']} questions, "
            f"{held['right']} right = {100 * held['right'] / held['questions']:.1f} %):\n"
        )
        rows = [[f"in-scope, {lang}", _rate(pair)] for lang, pair in held["by_language"].items()]
        rows += [
            [f"expected {kind}", _rate(pair)]
            for kind, pair in held["by_outcome"].items()
            if pair[1]
        ]
        rows += [
            [f"expected decline, {lang}", _rate(pair)]
            for lang, pair in held["decline_by_language"].items()
            if pair[1]
        ]
        rows += [
            [f"category {name}", _rate(pair)] for name, pair in sorted(held["by_category"].items())
        ]
        rows.append(["off-topic answered with a quote", str(held["answered_off_topic"])])
        rows.append(
            [
                "reply language as asked",
                _rate([held["language_right"], held["questions"]]),
            ]
        )
        given = ", ".join(f"{k} {n}" for k, n in sorted(held["replies_given"].items()))
        rows.append(["replies given", given])
        report.add(table(["Held-out accuracy", "Right"], rows, align="lr"))
        p99 = r["latency_heldout"]["p99"]
        cpu = ms(r["cpu_heldout"]["p99"], 3)
        report.target(
            "Curated KB p99 < 2 ms (held-out questions)",
            p99 < 0.002,
            f"{ms(p99, 3)} (CPU time {cpu})",
        )
    else:
        report.add(
            f"_{HELDOUT.relative_to(common.ROOT)} not found: no accuracy figures; latency "
            f"measured over the intents' own example questions only._"
        )
    p99 = r["latency_examples"]["p99"]
    cpu = ms(r["cpu_examples"]["p99"], 3)
    report.target(
        "Curated KB p99 < 2 ms (example questions)", p99 < 0.002, f"{ms(p99, 3)} (CPU time {cpu})"
    )
    return report


def main() -> int:
    parser = common.script_parser(__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--passes", type=int, default=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        common.emit(measure(args.passes))
        return 0
    report = common.run_timed(run, args.quick)
    return common.finish(report, args)


if __name__ == "__main__":
    sys.exit(main())
