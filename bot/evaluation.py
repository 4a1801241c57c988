"""Measuring the knowledge base: accuracy on a labelled question set (`eval`) and which seed
sentences the intents quote (`coverage`). Pure computations plus the two CLI commands."""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.cli import load_engine
from bot.config import Config
from bot.engine import Engine, Question, Reply
from bot.errors import KnowledgeError, Problem
from bot.knowledge import Knowledge, Source, load
from bot.text import LANGS, Lang, normalize_quote
from bot.yamlnodes import Reader

DECLINE: Final = "decline"
#: The knowledge-base issue's targets: right answers per language, and off-topic declined.
TARGETS: Final[Mapping[str, float]] = {"en": 0.95, "ru": 0.92, "kk": 0.90, "decline": 0.95}


@dataclass(frozen=True, slots=True)
class Labelled:
    """One held-out question and what the bot should do with it."""

    text: str
    lang: Lang
    #: Acceptable intent ids, or ("decline",) for questions the documents don't answer.
    expect: tuple[str, ...]
    category: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class Outcome:
    item: Labelled
    reply: Reply
    expected_kind: str  # answer | smalltalk | decline

    @property
    def got(self) -> str:
        return self.reply.intent.id if self.reply.intent else self.reply.kind

    @property
    def right(self) -> bool:
        if self.expected_kind == "decline":
            return self.reply.kind == "decline"
        if self.reply.kind == "decline":
            # A known gap listed beside a fact is a right decline; so is any decline where the
            # label allows one (a wrong premise the documents refute: the refuting fact or
            # "they don't say" are both honest).
            return self.got in self.item.expect or DECLINE in self.item.expect
        return self.reply.kind in ("answer", "smalltalk") and self.got in self.item.expect


def load_labelled(path: Path) -> list[Labelled]:
    """Read a labelled question file; raise KnowledgeError naming file:line on mistakes."""
    reader = Reader(str(path))
    root = reader.compose(path)
    items: list[Labelled] = []
    fields = (
        reader.mapping(root, "a labelled questions file", ("version", "questions"))
        if root
        else None
    )
    if fields is not None and "questions" in fields:
        for node in reader.sequence(fields["questions"][1], "questions") or ():
            item = _read_labelled(reader, node)
            if item is not None:
                items.append(item)
    if reader.problems:
        raise KnowledgeError(reader.problems)
    return items


def _read_labelled(reader: Reader, node) -> Labelled | None:
    fields = reader.mapping(node, "a labelled question", ("text", "lang", "expect", "category"))
    if fields is None or not {"text", "lang", "expect"} <= fields.keys():
        reader.report(node, "a labelled question needs text, lang and expect")
        return None
    text = reader.text(fields["text"][1], "text")
    lang = reader.text(fields["lang"][1], "lang")
    expect_node = fields["expect"][1]
    if hasattr(expect_node, "value") and isinstance(expect_node.value, list):
        expect = tuple(value for _, value in reader.texts(expect_node, "expect"))
    else:
        single = reader.text(expect_node, "expect")
        expect = (single,) if single else ()
    category = reader.text(fields["category"][1], "category") if "category" in fields else ""
    if lang not in LANGS:
        reader.report(fields["lang"][1], f"lang should be one of {', '.join(LANGS)}")
        return None
    if not text or not expect:
        return None
    return Labelled(text, lang, expect, category or "", node.start_mark.line + 1)


def check_labels(items: Sequence[Labelled], knowledge: Knowledge, file: str) -> None:
    """Every expected intent must exist, and no held-out question may be an example question."""
    examples = {
        normalize_quote(q).casefold()
        for intent in knowledge.intents.values()
        for questions in intent.questions.values()
        for q in questions
    }
    problems = []
    for item in items:
        for expected in item.expect:
            if expected != DECLINE and expected not in knowledge.intents:
                problems.append(Problem(file, item.line, f"expect '{expected}' is not an intent"))
        if normalize_quote(item.text).casefold() in examples:
            problems.append(
                Problem(file, item.line, f'"{item.text}" is an example question, not held out')
            )
    if problems:
        raise KnowledgeError(problems)


def expected_kind(item: Labelled, knowledge: Knowledge) -> str:
    # A known gap is the documents' own "they don't say": a decline, whichever gap replies.
    if all(e == DECLINE or knowledge.intents[e].kind == "gap" for e in item.expect):
        return "decline"
    first = knowledge.intents[item.expect[0]]
    return "smalltalk" if first.kind == "smalltalk" else "answer"


def evaluate(engine: Engine, items: Sequence[Labelled]) -> list[Outcome]:
    return [
        Outcome(item, engine.ask(Question(item.text)), expected_kind(item, engine.knowledge))
        for item in items
    ]


@dataclass(frozen=True, slots=True)
class Summary:
    """The figures `eval` prints and the accuracy test checks."""

    #: Right answers among in-scope (fact) questions, per language.
    by_language: Mapping[str, tuple[int, int]]
    #: Per expected outcome: (right, total).
    by_outcome: Mapping[str, tuple[int, int]]
    #: Off-topic questions that got an answer with a quote (must be none).
    quoted_off_topic: int
    confusions: Sequence[tuple[str, str, int]]
    language_right: tuple[int, int]

    def rate(self, key: str) -> float:
        right, total = self.by_language.get(key) or self.by_outcome.get(key) or (0, 0)
        return right / total if total else 0.0

    def meets_targets(self) -> bool:
        return all(self.rate(key) >= target for key, target in TARGETS.items()) and (
            self.quoted_off_topic == 0
        )


def summarize(outcomes: Sequence[Outcome]) -> Summary:
    by_language: dict[str, list[int]] = {lang: [0, 0] for lang in LANGS}
    by_outcome: dict[str, list[int]] = {k: [0, 0] for k in ("answer", "smalltalk", "decline")}
    confusions: Counter[tuple[str, str]] = Counter()
    quoted = language_right = 0
    for outcome in outcomes:
        kind = outcome.expected_kind
        by_outcome[kind][0] += outcome.right
        by_outcome[kind][1] += 1
        if kind == "answer":
            by_language[outcome.item.lang][0] += outcome.right
            by_language[outcome.item.lang][1] += 1
        if kind == "decline" and outcome.reply.kind == "answer":
            quoted += 1
        if not outcome.right:
            confusions[(outcome.item.expect[0], outcome.got)] += 1
        language_right += outcome.reply.language == outcome.item.lang
    return Summary(
        by_language={k: (v[0], v[1]) for k, v in by_language.items()},
        by_outcome={k: (v[0], v[1]) for k, v in by_outcome.items()},
        quoted_off_topic=quoted,
        confusions=[(a, b, n) for (a, b), n in confusions.most_common()],
        language_right=(language_right, len(outcomes)),
    )


def format_report(summary: Summary, outcomes: Sequence[Outcome]) -> str:
    def pct(pair: tuple[int, int]) -> str:
        right, total = pair
        return f"{right}/{total} = {100 * right / total:.1f} %" if total else "n/a"

    def mark(key: str) -> str:
        return "✓" if summary.rate(key) >= TARGETS[key] else "✗"

    lines = ["Right answers to in-scope questions, per language:"]
    for lang in LANGS:
        target = f"(target ≥ {100 * TARGETS[lang]:.0f} %) {mark(lang)}"
        lines.append(f"  {lang}: {pct(summary.by_language[lang])}  {target}")
    lines.append("Per expected outcome (right / total):")
    for kind, pair in summary.by_outcome.items():
        extra = f"  (target ≥ 95 %) {mark('decline')}" if kind == "decline" else ""
        lines.append(f"  {kind}: {pct(pair)}{extra}")
    got = Counter(o.reply.kind for o in outcomes)
    lines.append("Replies given: " + ", ".join(f"{k} {n}" for k, n in sorted(got.items())))
    lines.append(f"Off-topic questions answered with a quote: {summary.quoted_off_topic}")
    lines.append(f"Reply language as asked: {pct(summary.language_right)}")
    if summary.confusions:
        lines.append("Confusion pairs (expected -> got, count):")
        lines += [f"  {a} -> {b}: {n}" for a, b, n in summary.confusions[:20]]
    failed = [o for o in outcomes if not o.right]
    if failed:
        lines.append(f"Failed questions ({len(failed)}):")
        lines += [
            f"  [{o.item.lang}] {o.item.text!r}: expected {'/'.join(o.item.expect)}, "
            f"got {o.reply.kind} {o.got} ({o.reply.score:.2f})"
            for o in failed
        ]
    return "\n".join(lines)


def eval_command(args: argparse.Namespace, config: Config) -> int:
    knowledge = load(config.intents_dir, config.seeds_dir)
    items = load_labelled(Path(args.file))
    check_labels(items, knowledge, args.file)
    outcomes = evaluate(load_engine(config, knowledge), items)
    print(format_report(summarize(outcomes), outcomes))
    return 0


# --- coverage ------------------------------------------------------------------------------------

_SENTENCE_END: Final = re.compile(r"(?<=[.!?»\"])\s+(?=[A-Z0-9«\"“])")
_DATELINE: Final = re.compile(r"^date \d{4}-\d{2}-\d{2}\s*")


@dataclass(frozen=True, slots=True)
class Sentence:
    source: Source
    text: str
    quoted_by: tuple[str, ...]
    informative: bool


def sentences(source: Source) -> list[str]:
    """The document's sentences: split at line breaks and sentence ends, dateline removed."""
    result: list[str] = []
    for paragraph in source.text.splitlines():
        paragraph = _DATELINE.sub("", normalize_quote(paragraph))
        result += [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]
    return result


def coverage(knowledge: Knowledge) -> list[Sentence]:
    """Every seed sentence with the intents whose quotes overlap it."""
    report = []
    for source in knowledge.sources.values():
        quotes = [
            (intent.id, normalize_quote(quote.text))
            for intent in knowledge.intents.values()
            for quote in intent.quotes
            if quote.source == source.id
        ]
        for sentence in sentences(source):
            quoted_by = tuple(
                dict.fromkeys(i for i, quote in quotes if _overlaps(quote, sentence))
            )
            informative = len(sentence.split()) >= 4 and not sentence.isupper()
            report.append(Sentence(source, sentence, quoted_by, informative))
    return report


def _overlaps(quote: str, sentence: str) -> bool:
    """A quote covers a sentence when one holds the other, or a quote fragment is substantial."""
    if sentence in quote:
        return True
    return quote in sentence and len(quote) >= 0.3 * len(sentence)


def coverage_command(args: argparse.Namespace, config: Config) -> int:
    knowledge = load(config.intents_dir, config.seeds_dir)
    report = coverage(knowledge)
    current = None
    for sentence in report:
        if sentence.source.file != current:
            current = sentence.source.file
            print(f"\n== {current} ({sentence.source.title})")
        if sentence.quoted_by:
            status = "covered by " + ", ".join(sentence.quoted_by)
        else:
            status = "NOT COVERED" if sentence.informative else "not covered (not informative)"
        print(f"- {sentence.text}\n    -> {status}")
    uncovered = [s for s in report if not s.quoted_by and s.informative]
    if uncovered:
        print("\nUncovered informative sentences:")
        for sentence in uncovered:
            print(f"  {sentence.source.file}: {sentence.text}")
    covered = sum(1 for s in report if s.quoted_by)
    print(f"\n{covered} of {len(report)} sentences covered")
    return 0
