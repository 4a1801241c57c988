"""Usage statistics and suggestions from the question log, for `python -m bot report` and the
admins' /stats, /unanswered and /feedback commands.

`build_report` turns a `Log` into a frozen `Report`: questions per day and language, outcome
shares, top intents, 👍/👎 per intent with the questions behind the 👎, and "unanswered": the
declined or clarified questions, near-identical wordings grouped, each group with the intent it
comes closest to, so an admin can add the wording there as an example question.

Grouping, and why not `fuzz.token_set_ratio` over all pairs: that scorer gives 100 to any
wording whose words are a subset of another's ("what is the centre" would swallow "what is the
budget of the centre"), it weighs "the" like "budget", and all pairs of 3,000 distinct wordings
took 3.4 s. Here a wording is a set of words weighted by how rare each word is in the log and
in the knowledge base (smoothed IDF); rare misspellings are first folded into a frequent close
word with rapidfuzz; then, most frequent wording first, each joins the group whose centroid it
is closest to (cosine ≥ `GROUP_SIMILARITY`) or starts a new one. Centroids are kept in an
inverted index, so the work grows with shared words, not with all pairs.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import html
import io
import json
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Final, Protocol

import numpy as np
import yaml
from rapidfuzz import fuzz, process

from bot.admintexts import admin_text
from bot.config import Config
from bot.engine import Engine
from bot.errors import ConfigError, KnowledgeError, StorageError
from bot.knowledge import MAX_MESSAGE_CHARS, load
from bot.store import (
    KINDS,
    Log,
    LoggedQuestion,
    LoggedVote,
    database_path,
    read_log,
    utcnow,
)
from bot.text import Lang, normalize, tokens

UNANSWERED_KINDS: Final = ("decline", "clarify")
#: Cosine between two wordings' weighted word sets above which they count as one question.
GROUP_SIMILARITY: Final = 0.7
#: A word seen at most this often may be a misspelling of a more frequent close word.
_RARE: Final = 2
_TYPO_CUTOFF: Final = 85.0
_TYPO_MIN_LENGTH: Final = 4
#: Pseudo-count in the word weights: below a few dozen questions, all words weigh about alike.
_SMOOTHING: Final = 10.0
_SINCE: Final = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_UNITS: Final = {"h": "hours", "d": "days", "w": "weeks"}


# --- values --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Count:
    name: str
    count: int
    share: float  # of all questions in the period, 0..1


@dataclass(frozen=True, slots=True)
class DayCount:
    day: dt.date
    language: str
    count: int


@dataclass(frozen=True, slots=True)
class IntentVotes:
    intent: str
    up: int
    down: int


@dataclass(frozen=True, slots=True)
class DownVote:
    """An answer voted down, with a question that led to it and how often."""

    intent: str
    question: str
    count: int


@dataclass(frozen=True, slots=True)
class Group:
    """Near-identical unanswered questions, most frequent wording first."""

    wording: str
    count: int
    language: str
    declined: int
    clarified: int
    #: Other wordings in the group, most frequent first (capped for display).
    wordings: tuple[str, ...] = ()
    #: The intent this question comes closest to (even below the answer threshold).
    suggested_intent: str | None = None
    suggested_score: float = 0.0


@dataclass(frozen=True, slots=True)
class Report:
    since: dt.datetime | None
    until: dt.datetime
    total: int
    languages: tuple[Count, ...] = ()
    per_day: tuple[DayCount, ...] = ()
    outcomes: tuple[Count, ...] = ()
    top_intents: tuple[Count, ...] = ()
    feedback: tuple[IntentVotes, ...] = ()
    voted_down: tuple[DownVote, ...] = ()
    unanswered_total: int = 0
    unanswered: tuple[Group, ...] = ()
    #: Why suggestions are missing, if they are (e.g. the knowledge base has problems).
    notes: tuple[str, ...] = ()


# --- the period ----------------------------------------------------------------------------------


def parse_since(value: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """'24h', '7d', '2w' → that long before `now`; 'all' → None. Raises ConfigError."""
    if value.strip().lower() == "all":
        return None
    match = _SINCE.match(value)
    amount = int(match.group(1)) if match else 0
    error = ConfigError(
        f"--since has value {value!r}: expected a period like 24h, 7d, 30d, 2w, or 'all'"
    )
    if not match or amount <= 0:
        raise error
    try:
        return (now or utcnow()) - dt.timedelta(**{_UNITS[match.group(2).lower()]: amount})
    except OverflowError:  # "99999999d" reaches before the year 1
        raise error from None


def describe_period(since: dt.datetime | None, until: dt.datetime, lang: Lang = "en") -> str:
    if since is None:
        return admin_text("all_time", lang)
    return f"{since:%Y-%m-%d %H:%M} – {until:%Y-%m-%d %H:%M} UTC"


# --- computing -----------------------------------------------------------------------------------


def build_report(
    log: Log,
    engine: Engine | None = None,
    *,
    since: dt.datetime | None = None,
    now: dt.datetime | None = None,
    top: int = 10,
    groups: int = 20,
) -> Report:
    """Every statistic at once; `engine` (optional) supplies the suggested intents."""
    questions = [q for q in log.questions if since is None or q.time >= since]
    votes = [v for v in log.votes if since is None or v.time >= since]
    total = len(questions)
    unanswered = [q for q in questions if q.kind in UNANSWERED_KINDS]
    # Answered questions and the knowledge base teach which words are everyday words.
    background = [q.text for q in questions if q.kind not in UNANSWERED_KINDS]
    if engine is not None:
        background.extend(engine.index.example_texts)
    grouped = group_questions(unanswered, background=background)[:groups]
    return Report(
        since=since,
        until=now or utcnow(),
        total=total,
        languages=_counts(Counter(q.language for q in questions), total),
        per_day=_per_day(questions),
        outcomes=_counts(Counter({kind: 0 for kind in KINDS} | _kinds(questions)), total),
        top_intents=_counts(
            Counter(q.intent for q in questions if q.intent and q.kind not in UNANSWERED_KINDS),
            total,
            limit=top,
        ),
        feedback=_feedback(votes),
        voted_down=_voted_down(votes, limit=2 * top),
        unanswered_total=len(unanswered),
        unanswered=tuple(_suggest(group, engine) for group in grouped),
    )


def _counts(counter: Mapping[str, int], total: int, limit: int | None = None) -> tuple[Count, ...]:
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return tuple(Count(name, n, n / total if total else 0.0) for name, n in ranked)


def _per_day(questions: Sequence[LoggedQuestion]) -> tuple[DayCount, ...]:
    counter = Counter((q.time.date(), q.language) for q in questions)
    return tuple(DayCount(day, lang, n) for (day, lang), n in sorted(counter.items()))


def _feedback(votes: Iterable[LoggedVote]) -> tuple[IntentVotes, ...]:
    ups: Counter[str] = Counter()
    downs: Counter[str] = Counter()
    for vote in votes:
        (ups if vote.up else downs)[vote.intent] += 1
    intents = ups.keys() | downs.keys()
    ranked = sorted(intents, key=lambda i: (-downs[i], -(ups[i] + downs[i]), i))
    return tuple(IntentVotes(i, ups[i], downs[i]) for i in ranked)


def _kinds(questions: Iterable[LoggedQuestion]) -> Counter[str]:
    return Counter(q.kind for q in questions)


def _voted_down(votes: Iterable[LoggedVote], limit: int) -> tuple[DownVote, ...]:
    pairs = Counter((v.intent, v.question or "(question not known)") for v in votes if not v.up)
    return tuple(DownVote(intent, asked, n) for (intent, asked), n in pairs.most_common(limit))


def _suggest(group: Group, engine: Engine | None) -> Group:
    if engine is None:
        return group
    matches = engine.index.rank(group.wording, limit=1)
    if not matches:
        return group
    return replace(
        group, suggested_intent=matches[0].intent, suggested_score=round(matches[0].score, 3)
    )


# --- grouping near-identical questions -----------------------------------------------------------


@dataclass(slots=True)
class _Wording:
    """All logged questions with the same words (after normalising)."""

    words: tuple[str, ...]
    texts: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return self.texts.total()


def group_questions(
    questions: Iterable[LoggedQuestion], *, background: Iterable[str] = ()
) -> list[Group]:
    """Near-identical questions grouped, biggest group first.

    `background` (other logged questions, the knowledge base's example questions) only
    teaches which words are common, so they weigh less; it matters most while the log is small.
    """
    wordings = _wordings(questions)
    if not wordings:
        return []
    ordered = sorted(wordings.values(), key=lambda w: (-w.count, len(w.words), w.words))
    counts = [w.count for w in ordered]
    folded = _fold_typos([w.words for w in ordered], counts)
    documents = [tuple(dict.fromkeys(folded.get(t, t) for t in w.words)) for w in ordered]
    weights = _idf(documents, counts, background)
    members: list[list[_Wording]] = []
    centroids = _Centroids()
    for wording, words in zip(ordered, documents, strict=True):
        vector = _unit_vector(words, weights)
        group = centroids.closest(vector, GROUP_SIMILARITY)
        if group is None:
            group = len(members)
            members.append([])
        members[group].append(wording)
        # Weighted by how often it was asked: the centroid leans to the common wordings.
        centroids.add(group, vector, wording.count)
    groups = [_group(parts) for parts in members]
    return sorted(groups, key=lambda g: -g.count)  # stable: ties keep first-seen order


def _words(text: str) -> tuple[str, ...]:
    # One-letter tokens are mostly split contractions ("what's" → "what s"): noise here.
    words = [word for word in tokens(normalize(text)) if len(word) > 1]
    return tuple(dict.fromkeys(words)) or tuple(tokens(normalize(text)))


def _wordings(questions: Iterable[LoggedQuestion]) -> dict[tuple[str, ...], _Wording]:
    wordings: dict[tuple[str, ...], _Wording] = {}
    keys: dict[str, tuple[str, ...]] = {}  # the same text is asked again and again: cache
    for question in questions:
        text = " ".join(question.text.split())
        words = keys.get(text)
        if words is None:
            words = keys[text] = tuple(sorted(_words(text)))
        if not words:
            continue
        wording = wordings.get(words)
        if wording is None:
            wording = wordings[words] = _Wording(words)
        wording.texts[text] += 1
        wording.languages[question.language] += 1
        wording.kinds[question.kind] += 1
    return wordings


def _fold_typos(documents: Sequence[tuple[str, ...]], counts: Sequence[int]) -> dict[str, str]:
    """Rare word → a frequent word it is a likely misspelling of ("budjet" → "budget")."""
    frequency = _frequency(documents, counts)
    common = [w for w, n in frequency.most_common() if n > _RARE and len(w) >= _TYPO_MIN_LENGTH]
    rare = [
        w
        for w, n in frequency.items()
        if n <= _RARE and len(w) >= _TYPO_MIN_LENGTH and w.isalpha()  # numbers aren't typos
    ]
    if not common or not rare:
        return {}
    # All pairs at once in C on every core; `common` is most frequent first, so a tie folds
    # into the more frequent word.
    scores = process.cdist(
        rare, common, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF, dtype=np.uint8, workers=-1
    )
    best = scores.argmax(axis=1)
    return {
        word: common[column]
        for word, column, row in zip(rare, best, scores, strict=True)
        if row[column] > 0
    }


def _frequency(documents: Sequence[tuple[str, ...]], counts: Sequence[int]) -> Counter[str]:
    """How many logged questions use each word."""
    frequency: Counter[str] = Counter()
    for words, count in zip(documents, counts, strict=True):
        for word in words:
            frequency[word] += count
    return frequency


def _idf(
    documents: Sequence[tuple[str, ...]], counts: Sequence[int], background: Iterable[str]
) -> dict[str, float]:
    """Inverse document frequency of each word, smoothed so that a small log weighs words
    almost equally (a rare word in 5 questions proves little) and a large one does not."""
    frequency = _frequency(documents, counts)
    texts = Counter(background)
    frequency.update(_frequency([_words(text) for text in texts], list(texts.values())))
    n = sum(counts) + texts.total()
    return {
        word: math.log((n + _SMOOTHING) / (df + _SMOOTHING)) + 1.0
        for word, df in frequency.items()
    }


def _unit_vector(words: Sequence[str], weights: Mapping[str, float]) -> dict[str, float]:
    vector = {word: weights.get(word, 1.0) for word in words}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {word: v / norm for word, v in vector.items()}


class _Centroids:
    """Each group's summed word vector, stored by word (an inverted index), so a wording is
    compared only with groups that share a word with it, and numpy does the multiply-adds."""

    def __init__(self) -> None:
        self._groups: dict[str, np.ndarray] = {}  # word → groups that have it
        self._weights: dict[str, np.ndarray] = {}  # word → its summed weight in each
        self._used: dict[str, int] = {}
        self._slot: dict[tuple[int, str], int] = {}
        self._norm2 = np.zeros(16)  # squared length of each group's centroid
        self._size = 0

    def add(self, group: int, vector: Mapping[str, float], times: int) -> None:
        if group == self._size:
            self._size += 1
            if self._size > len(self._norm2):
                self._norm2 = np.concatenate([self._norm2, np.zeros(len(self._norm2))])
        for word, weight in vector.items():
            slot = self._slot.get((group, word))
            if slot is None:
                slot = self._slot[group, word] = self._append(word, group)
            old = self._weights[word][slot]
            new = old + weight * times
            self._weights[word][slot] = new
            self._norm2[group] += new * new - old * old

    def _append(self, word: str, group: int) -> int:
        used = self._used.get(word, 0)
        if used == len(self._groups.get(word, ())):  # full: double the room
            room = 2 * used + 4
            self._groups[word] = np.resize(self._groups.get(word, np.empty(0, np.int32)), room)
            self._weights[word] = np.resize(self._weights.get(word, np.empty(0)), room)
        self._groups[word][used] = group
        self._weights[word][used] = 0.0
        self._used[word] = used + 1
        return used

    def closest(self, vector: Mapping[str, float], threshold: float) -> int | None:
        """The group whose centroid is most like the (unit) vector, if cosine ≥ threshold."""
        dots: np.ndarray | None = None
        for word, weight in vector.items():
            used = self._used.get(word)
            if not used:
                continue
            if dots is None:
                dots = np.zeros(self._size)
            # A group holds each word once, so these indices are distinct: `+=` adds right.
            dots[self._groups[word][:used]] += self._weights[word][:used] * weight
        if dots is None:
            return None
        cosines = dots / np.sqrt(np.maximum(self._norm2[: self._size], 1e-12))
        best = int(np.argmax(cosines))
        return best if cosines[best] >= threshold - 1e-9 else None


def _group(parts: Sequence[_Wording]) -> Group:
    languages: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for part in parts:
        languages.update(part.languages)
        kinds.update(part.kinds)
    # Each part's most frequent text stands for it: variants in case or punctuation alone
    # would only crowd the list. The leader's names the group.
    ranked = sorted(parts, key=lambda part: -part.count)  # stable: the leader stays first
    wording = parts[0].texts.most_common(1)[0][0]
    others = [part.texts.most_common(1)[0][0] for part in ranked if part is not parts[0]]
    return Group(
        wording=wording,
        count=sum(part.count for part in parts),
        language=languages.most_common(1)[0][0],
        declined=kinds["decline"],
        clarified=kinds["clarify"],
        wordings=tuple(others[:10]),
    )


# --- formatting ----------------------------------------------------------------------------------


def yaml_item(text: str) -> str:
    """The wording as a YAML list item, quoted only where YAML needs it."""
    return yaml.safe_dump([text], allow_unicode=True, width=1000).strip()


def format_text(report: Report) -> str:
    """Readable sections for the terminal."""
    lines = [
        f"Questions: {report.total} ({describe_period(report.since, report.until)})",
        "",
        "Languages: " + _shares(report.languages),
        "Outcomes:  " + _shares(report.outcomes),
        "",
        *_day_table(report),
        "",
        "Top intents:",
        *(f"  {c.count:6}  {c.name}" for c in report.top_intents),
        *(["  (none)"] if not report.top_intents else []),
        "",
        "Feedback (👍 / 👎 per intent):",
        *(f"  {v.up:4} / {v.down:<4}  {v.intent}" for v in report.feedback),
        *(["  (no votes)"] if not report.feedback else []),
    ]
    if report.voted_down:
        lines += ["", "Voted down, with the question that led to the answer:"]
        lines += [f"  {d.count:4}×  {d.intent}  ← {d.question!r}" for d in report.voted_down]
    lines += ["", f"Unanswered (declined or clarified): {report.unanswered_total} questions"]
    lines += [line for group in report.unanswered for line in _group_lines(group)]
    lines += [f"Note: {note}" for note in report.notes]
    return "\n".join(lines)


def _shares(counts: Sequence[Count], lang: Lang = "en") -> str:
    return ", ".join(f"{c.name} {c.count} ({c.share:.0%})" for c in counts) or admin_text(
        "none", lang
    )


def _day_table(report: Report) -> list[str]:
    languages = [c.name for c in report.languages]
    days: dict[dt.date, Counter[str]] = defaultdict(Counter)
    for row in report.per_day:
        days[row.day][row.language] += row.count
    header = "  ".join(f"{lang:>5}" for lang in languages)
    lines = ["Questions per day (UTC):", f"  {'day':10}  {'total':>5}  {header}"]
    for day, counts in sorted(days.items()):
        cells = "  ".join(f"{counts[lang]:5}" for lang in languages)
        lines.append(f"  {day.isoformat():10}  {counts.total():5}  {cells}")
    return lines


def _group_lines(group: Group) -> list[str]:
    lines = [
        f"  {group.count:4}×  {group.wording!r}  [{group.language}; "
        f"{group.declined} declined, {group.clarified} clarified]"
    ]
    if group.wordings:
        lines.append("         also: " + "; ".join(repr(w) for w in group.wordings[:5]))
    if group.suggested_intent:
        lines.append(
            f"         closest intent: {group.suggested_intent} "
            f"(score {group.suggested_score:.2f}); add under questions: {group.language}:"
        )
        lines.append(f"           {yaml_item(group.wording)}")
    return lines


CSV_COLUMNS: Final = (
    "section",
    "key",
    "language",
    "count",
    "share",
    "up",
    "down",
    "text",
    "suggested_intent",
    "suggested_score",
    "other_wordings",
)


def format_csv(report: Report) -> str:
    """One table; the `section` column says which part of the report a row belongs to."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    rows: list[dict[str, object]] = [
        {"section": "languages", "key": c.name, "count": c.count, "share": f"{c.share:.4f}"}
        for c in report.languages
    ]
    rows += [
        {"section": "per_day", "key": d.day.isoformat(), "language": d.language, "count": d.count}
        for d in report.per_day
    ]
    rows += [
        {"section": "outcomes", "key": c.name, "count": c.count, "share": f"{c.share:.4f}"}
        for c in report.outcomes
    ]
    rows += [
        {"section": "top_intents", "key": c.name, "count": c.count, "share": f"{c.share:.4f}"}
        for c in report.top_intents
    ]
    rows += [
        {"section": "feedback", "key": v.intent, "up": v.up, "down": v.down}
        for v in report.feedback
    ]
    rows += [
        {"section": "voted_down", "key": d.intent, "count": d.count, "text": d.question}
        for d in report.voted_down
    ]
    rows += [
        {
            "section": "unanswered",
            "key": rank,
            "language": g.language,
            "count": g.count,
            "text": g.wording,
            "suggested_intent": g.suggested_intent or "",
            "suggested_score": f"{g.suggested_score:.3f}" if g.suggested_intent else "",
            "other_wordings": " | ".join(g.wordings),
        }
        for rank, g in enumerate(report.unanswered, start=1)
    ]
    writer.writerows(rows)
    return out.getvalue()


def format_json(report: Report) -> str:
    return json.dumps(asdict(report), ensure_ascii=False, indent=2, default=_json_value)


def _json_value(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# --- the command ---------------------------------------------------------------------------------


def report_command(args: argparse.Namespace, config: Config) -> int:
    """`python -m bot report [--since 7d] [--format text|csv|json]`."""
    now = utcnow()
    since = parse_since(args.since, now)
    log = read_log(config.data_dir, since)
    if not database_path(config.data_dir).exists():
        print(
            f"No questions logged yet ({database_path(config.data_dir)} does not exist).",
            file=sys.stderr if args.format != "text" else sys.stdout,
        )
        if args.format == "text":
            return 0
    engine, notes = _engine_for_suggestions(config, log)
    report = build_report(log, engine, since=since, now=now)
    if notes:
        report = replace(report, notes=notes)
    if args.format == "json":
        print(format_json(report))
    elif args.format == "csv":
        print(format_csv(report), end="")
    elif not report.total and not report.feedback:
        print(f"No questions logged in this period ({describe_period(since, now)}).")
    else:
        print(format_text(report))
    return 0


def _engine_for_suggestions(config: Config, log: Log) -> tuple[Engine | None, tuple[str, ...]]:
    """An engine for the suggested intents, loaded only when there is something to suggest."""
    if not any(q.kind in UNANSWERED_KINDS for q in log.questions):
        return None, ()
    try:
        return Engine(load(config.intents_dir, config.seeds_dir)), ()
    except KnowledgeError as error:
        return None, (
            f"no suggested intents: the knowledge base has {len(error.problems)} problem(s); "
            "run `python -m bot check`",
        )


# --- texts for the Telegram admin commands -------------------------------------------------------
# In the admin's language (bot.admintexts), HTML-safe (every logged text escaped, no tags), each
# within one Telegram message.
# They read the database: call them in a thread (asyncio.to_thread) from the handlers.


class LogSource(Protocol):
    """What the admin texts need from the store (`bot.store.Store` has it)."""

    def log(self, since: dt.datetime | None = None) -> Log: ...


def stats_text(
    store: LogSource, period: str = "7d", *, lang: Lang = "en", now: dt.datetime | None = None
) -> str:
    """/stats: totals, languages, outcomes, top intents, questions per day."""
    loaded = _load(store, period, now, "stats", "7d", lang)
    if isinstance(loaded, str):
        return loaded
    report = build_report(loaded[0], since=loaded[1], now=loaded[2], top=5)
    when = describe_period(report.since, report.until, lang)
    if not report.total:
        return admin_text("no_questions", lang, period=when)
    days: Counter[dt.date] = Counter()
    for row in report.per_day:
        days[row.day] += row.count
    lines = [
        admin_text("questions", lang, total=report.total, period=when),
        admin_text("languages", lang, shares=_shares(report.languages, lang)),
        admin_text("outcomes", lang, shares=_shares(report.outcomes, lang)),
        admin_text("top_intents", lang),
        *(f"  {c.count} — {c.name}" for c in report.top_intents),
        admin_text("per_day", lang),
        *(f"  {day.isoformat()}: {n}" for day, n in sorted(days.items())[-14:]),
    ]
    return _fit(lines, lang)


def unanswered_text(
    store: LogSource,
    engine: Engine | None,
    period: str = "7d",
    *,
    lang: Lang = "en",
    now: dt.datetime | None = None,
) -> str:
    """/unanswered: the most frequent declined or clarified questions, with suggestions."""
    loaded = _load(store, period, now, "unanswered", "7d", lang)
    if isinstance(loaded, str):
        return loaded
    report = build_report(loaded[0], engine, since=loaded[1], now=loaded[2], groups=10)
    if not report.unanswered:
        when = describe_period(report.since, report.until, lang)
        return admin_text("no_unanswered", lang, period=when)
    lines = [admin_text("unanswered", lang, total=report.unanswered_total)]
    for group in report.unanswered:
        lines.append(f"{group.count}× {group.wording} [{group.language}]")
        if group.suggested_intent:
            lines.append(
                admin_text(
                    "closest",
                    lang,
                    intent=group.suggested_intent,
                    score=f"{group.suggested_score:.2f}",
                    language=group.language,
                    item=yaml_item(group.wording),
                )
            )
    return _fit(lines, lang)


def feedback_text(
    store: LogSource, period: str = "30d", *, lang: Lang = "en", now: dt.datetime | None = None
) -> str:
    """/feedback: 👍/👎 per intent, and the questions behind the answers voted down."""
    loaded = _load(store, period, now, "feedback", "30d", lang)
    if isinstance(loaded, str):
        return loaded
    report = build_report(loaded[0], since=loaded[1], now=loaded[2])
    if not report.feedback:
        return admin_text(
            "no_votes", lang, period=describe_period(report.since, report.until, lang)
        )
    lines = [admin_text("feedback", lang)]
    lines += [f"  {v.up} / {v.down} — {v.intent}" for v in report.feedback]
    if report.voted_down:
        lines.append(admin_text("voted_down", lang))
        lines += [f"  {d.count}× {d.intent} ← {d.question}" for d in report.voted_down]
    return _fit(lines, lang)


def _load(
    store: LogSource,
    period: str,
    now: dt.datetime | None,
    command: str,
    default: str,
    lang: Lang,
) -> tuple[Log, dt.datetime | None, dt.datetime] | str:
    """The log for the period, or the text to send instead (bad period, unreadable log)."""
    now = now or utcnow()
    try:
        since = parse_since(period or default, now)
    except ConfigError:
        return html.escape(
            admin_text("usage", lang, command=command, default=default), quote=False
        )
    try:
        return store.log(since), since, now
    except StorageError:
        return html.escape(admin_text("log_unreadable", lang), quote=False)


def _fit(lines: Sequence[str], lang: Lang) -> str:
    """Escape, then keep as many lines as fit in one Telegram message."""
    kept: list[str] = []
    budget = MAX_MESSAGE_CHARS - 40
    for line in lines:
        escaped = html.escape(line, quote=False)
        if len(escaped) + 1 > budget:
            kept.append(admin_text("more_lines", lang, count=len(lines) - len(kept)))
            break
        kept.append(escaped)
        budget -= len(escaped) + 1
    return "\n".join(kept)
