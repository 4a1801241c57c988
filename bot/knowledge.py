"""The knowledge base: source documents, curated intents and UI texts, loaded and validated.

`load()` reads `seeds/sources.yaml` with the documents beside it, and `intents/*.yaml` with
`intents/_bot.yaml`, and returns an immutable `Knowledge` or raises `KnowledgeError` with every
problem found, each as `file:line: message`. Quotes are verified word for word against the seeds.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

import yaml
from rapidfuzz import fuzz

from bot.errors import KnowledgeError, Problem
from bot.text import LANGS, Lang, Synonyms, normalize, normalize_quote
from bot.yamlnodes import Reader, did_you_mean, line_of

#: fact: answered with quotes; smalltalk: greetings and such, no quotes; gap: a question people
#: ask that the documents don't answer, declined with a specific "the documents don't say".
#: The id of the intent of everyday questions the documents have nothing to do with (weather,
#: visas...): a gap like the others, except that one context sentence of a long message cannot
#: make the whole message off-topic (see `Engine.rank`).
OFF_TOPIC: Final = "offtopic"
Kind = Literal["fact", "smalltalk", "gap"]
KINDS: Final[tuple[Kind, ...]] = ("fact", "smalltalk", "gap")
UI_FILE: Final = "_bot.yaml"
SOURCES_FILE: Final = "sources.yaml"
ID_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
#: Telegram's limit for one message (telegram.constants.MessageLimit.MAX_TEXT_LENGTH).
MAX_MESSAGE_CHARS: Final = 4096
#: Room kept for the source line, notes and HTML tags around an answer and its quotes.
REPLY_OVERHEAD_CHARS: Final = 400
#: "One or two sentences": longer answers stop reading well on a phone.
MAX_ANSWER_CHARS: Final = 700

#: Every UI text the code asks for; `_bot.yaml` must give each in every language, and no others.
MESSAGE_KEYS: Final[tuple[str, ...]] = (
    "decline",  # the documents don't say
    "did_you_mean",  # header above 2–3 candidate questions
    "quote_language_note",  # before an English quote in a ru/kk reply ({language})
    "source_line",  # {title}, {publisher}, {date}
    "no_date",  # stands in for {date} when the document gives none
    "follow_ups",  # header above follow-up questions
    "also_asked",  # header above the other questions one message asked
    "welcome",  # /start
    "help",  # /help
    "about",  # /about
    "topics",  # /topics header
    "topic_questions",  # header above one topic's questions ({topic})
    "sources",  # /sources header
    "document_part",  # header of a document sent in parts ({title}, {part}, {parts})
    "language_prompt",  # /language
    "language_set",  # after a language choice
    "feedback_thanks",  # after 👍/👎
    "stale_button",  # a button whose data is unknown or out of date
    "unsupported_media",  # stickers, photos, voice, files, locations
    "too_long",  # a message over the length limit ({limit})
    "empty_question",  # nothing left after cleaning
    "ask_usage",  # /ask with no question
    "slow_down",  # flood guard
    "error",  # something failed on our side
    "unknown_command",
    "inline_hint",  # inline mode with an empty query
    # Telegram's command menu (setMyCommands) and profile (setMyShortDescription, ≤ 120 chars)
    "command_start",
    "command_help",
    "command_topics",
    "command_sources",
    "command_language",
    "command_about",
    "command_ask",
    "short_description",
)


@dataclass(frozen=True, slots=True)
class Source:
    """One document in seeds/, with the metadata from seeds/sources.yaml."""

    id: str
    file: str
    title: str
    publisher: str
    date: dt.date | None  # None where the document gives no date; never invented
    language: Lang
    text: str = field(repr=False)
    title_is_descriptive: bool = False


@dataclass(frozen=True, slots=True)
class Quote:
    source: str  # Source.id
    text: str  # verbatim; verified at load time
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True, eq=False)  # holds mappings: compared by identity
class Intent:
    id: str
    kind: Kind
    topic: str | None
    questions: Mapping[Lang, tuple[str, ...]]
    answer: Mapping[Lang, str]
    quotes: tuple[Quote, ...] = ()
    follow_ups: tuple[str, ...] = ()
    file: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)
    #: Where each example question and follow-up id was written, for `file:line` problems.
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True, eq=False)
class Knowledge:
    intents: Mapping[str, Intent]
    sources: Mapping[str, Source]
    messages: Mapping[str, Mapping[Lang, str]]
    topics: Mapping[str, Mapping[Lang, str]]
    synonyms: tuple[tuple[str, ...], ...] = ()
    #: The people and places people ask about, each as its spellings: one spelling (its synonym
    #: group gives the others) or a list of them (for a name no example needs as a synonym): a
    #: fact that never names one does not answer a question about it.
    names: tuple[tuple[str, ...], ...] = ()

    def message(self, key: str, lang: Lang) -> str:
        return self.messages[key][lang]

    def summary(self) -> str:
        """The one line `check` prints on success."""
        counts = {
            lang: sum(len(i.questions.get(lang, ())) for i in self.intents.values())
            for lang in LANGS
        }
        quotes = sum(len(i.quotes) for i in self.intents.values())
        per_lang = ", ".join(f"{lang} {n}" for lang, n in counts.items())
        return (
            f"OK: {len(self.intents)} intents; example questions {per_lang}; "
            f"{quotes} quotes from {len(self.sources)} sources"
        )


def fingerprint(*folders: Path) -> str:
    """Changes whenever a file in the folders is added, removed or edited (for live reload)."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.glob("*")) if folder.is_dir() else ():
            try:
                stat = path.stat()
            except OSError:
                continue
            digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def load(intents_dir: Path, seeds_dir: Path, *, cross_check: bool = True) -> Knowledge:
    """Load and validate everything; raise KnowledgeError with every problem found.
    `cross_check=False` skips the checks between intents (a question under two of them, a
    follow-up that is not an intent): for a process that only trains the index of what the bot
    itself loads and checks (~0.1 s less)."""
    problems: list[Problem] = []
    sources = _load_sources(seeds_dir, problems)
    ui = _load_ui(intents_dir, problems)
    intents: dict[str, Intent] = {}
    files = sorted(p for p in intents_dir.glob("*.yaml") if p.name != UI_FILE)
    if not intents_dir.is_dir():
        problems.append(Problem(str(intents_dir), 0, "the intents folder does not exist"))
    elif not files:
        problems.append(Problem(str(intents_dir), 0, "no intent files (*.yaml) in this folder"))
    unreadable: list[str] = []  # files whose YAML could not be parsed: their ids are unknown
    for path in files:
        read = _load_intent_file(path, sources, ui.topics if ui else None, problems)
        if read is None:
            unreadable.append(path.name)
        for intent in read or ():
            if intent.id in intents:
                first = intents[intent.id]
                problems.append(
                    Problem(
                        intent.file,
                        intent.line,
                        f"intent id '{intent.id}' is already used at {first.file}:{first.line}",
                    )
                )
            else:
                intents[intent.id] = intent
    synonyms = ui.synonyms if ui else ()
    if cross_check:
        problems.extend(_cross_checks(intents, sources, unreadable, synonyms))
    if problems or ui is None:
        raise KnowledgeError(problems)
    return Knowledge(
        intents=intents,
        sources=sources,
        messages=ui.messages,
        topics=ui.topics,
        synonyms=ui.synonyms,
        names=ui.names,
    )


# --- seeds ---------------------------------------------------------------------------------------


def _load_sources(seeds_dir: Path, problems: list[Problem]) -> dict[str, Source]:
    path = seeds_dir / SOURCES_FILE
    reader = Reader(str(path))
    sources: dict[str, Source] = {}
    root = reader.compose(path) if path.exists() else None
    if not path.exists():
        reader.report(0, "missing: it describes each seed document (id, file, title, ...)")
    fields = reader.mapping(root, "the sources file", ("version", "sources")) if root else None
    if fields is not None and root is not None:
        reader.version(fields, root)
        items = reader.sequence(fields["sources"][1], "sources") if "sources" in fields else None
        for node in items or ():
            source = _read_source(reader, node, seeds_dir)
            if source is None:
                continue
            if source.id in sources:
                reader.report(node, f"source id '{source.id}' is used twice")
            sources[source.id] = source
        described = {s.file for s in sources.values()}
        for orphan in sorted(p.name for p in seeds_dir.glob("*.txt") if p.name not in described):
            reader.report(root, f"seed document '{orphan}' has no entry in this file")
    problems.extend(reader.problems)
    return sources


_SOURCE_KEYS: Final = (
    "id",
    "file",
    "title",
    "publisher",
    "date",
    "language",
    "title_is_descriptive",
)


def _read_source(reader: Reader, node: yaml.Node, seeds_dir: Path) -> Source | None:
    fields = reader.mapping(node, "a source", _SOURCE_KEYS)
    if fields is None:
        return None
    values: dict[str, str | None] = {}
    for key in ("id", "file", "title", "publisher", "language"):
        if key not in fields:
            reader.report(node, f"source is missing '{key}'")
            values[key] = None
        else:
            values[key] = reader.text(fields[key][1], f"source {key}")
    date = _read_date(reader, fields["date"][1]) if "date" in fields else None
    if "date" not in fields:
        reader.report(node, "source is missing 'date' (write null where the text gives none)")
    descriptive = "title_is_descriptive" in fields and fields["title_is_descriptive"][1].value in (
        "true",
        "yes",
    )
    language = values["language"]
    if language is not None and language not in LANGS:
        reader.report(
            fields["language"][1], f"language '{language}' is not one of {', '.join(LANGS)}"
        )
        return None
    text = None
    if values["file"]:
        try:
            text = (seeds_dir / values["file"]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reader.report(
                fields["file"][1], f"cannot read seed document '{values['file']}': {error}"
            )
    if None in values.values() or text is None:
        return None
    return Source(
        id=values["id"] or "",
        file=values["file"] or "",
        title=values["title"] or "",
        publisher=values["publisher"] or "",
        date=date,
        language=language,  # type: ignore[arg-type]
        text=text,
        title_is_descriptive=descriptive,
    )


def _read_date(reader: Reader, node: yaml.Node) -> dt.date | None:
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
        return None
    if isinstance(node, yaml.ScalarNode):
        try:
            return dt.date.fromisoformat(str(node.value))
        except ValueError:
            pass
    reader.report(node, 'date should be "YYYY-MM-DD" or null')
    return None


# --- UI texts ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _UI:
    messages: Mapping[str, Mapping[Lang, str]]
    topics: Mapping[str, Mapping[Lang, str]]
    synonyms: tuple[tuple[str, ...], ...]
    names: tuple[tuple[str, ...], ...] = ()


def _load_ui(intents_dir: Path, problems: list[Problem]) -> _UI | None:
    path = intents_dir / UI_FILE
    reader = Reader(str(path))
    if not path.exists():
        problems.append(Problem(str(path), 0, "missing: it holds the bot's messages and topics"))
        return None
    root = reader.compose(path)
    fields = (
        reader.mapping(root, "the UI file", ("version", "messages", "topics", "synonyms", "names"))
        if root is not None
        else None
    )
    if root is None or fields is None:
        problems.extend(reader.problems)
        return None
    reader.version(fields, root)
    messages = _per_lang_table(reader, fields, "messages", root, required=MESSAGE_KEYS)
    topics = _per_lang_table(reader, fields, "topics", root, required=None)
    synonyms: list[tuple[str, ...]] = []
    if "synonyms" in fields:
        for group in reader.sequence(fields["synonyms"][1], "synonyms") or ():
            words = tuple(value for _, value in reader.texts(group, "a synonym group"))
            if len(words) < 2:
                reader.report(group, "a synonym group needs at least two spellings")
            synonyms.append(words)
    names = _names(reader, fields["names"][1]) if "names" in fields else ()
    problems.extend(reader.problems)
    return _UI(messages, topics, tuple(synonyms), names)


def _names(reader: Reader, node: yaml.Node) -> tuple[tuple[str, ...], ...]:
    """`names:` items: a spelling (its synonym group gives the rest) or a list of spellings.
    A list keeps the spellings out of the matching index, whose training a new synonym group
    would change: a name the documents never give ("Nazarbayev") needs no synonyms to match."""
    names: list[tuple[str, ...]] = []
    for item in reader.sequence(node, "names") or ():
        if isinstance(item, yaml.SequenceNode):
            spellings = tuple(value for _, value in reader.texts(item, "a name's spellings"))
        else:
            value = reader.text(item, "an item of names")
            spellings = (value,) if value is not None else ()
        if spellings:
            names.append(spellings)
    return tuple(names)


def _per_lang_table(
    reader: Reader,
    fields: dict[str, tuple[yaml.Node, yaml.Node]],
    name: str,
    root: yaml.Node,
    required: tuple[str, ...] | None,
) -> dict[str, Mapping[Lang, str]]:
    table: dict[str, Mapping[Lang, str]] = {}
    if name not in fields:
        reader.report(root, f"missing '{name}:'")
        return table
    entries = reader.mapping(fields[name][1], name, required) or {}
    for key, (_key_node, value_node) in entries.items():
        texts = _per_lang(reader, value_node, f"{name[:-1]} '{key}'", allow_empty=True)
        table[key] = texts
    for key in required or ():
        if key not in entries:
            reader.report(fields[name][0], f"{name} has no '{key}' text")
    return table


def _per_lang(
    reader: Reader, node: yaml.Node, what: str, allow_empty: bool = False
) -> dict[Lang, str]:
    """{en, ru, kk} texts; a missing language is a problem."""
    texts: dict[Lang, str] = {}
    fields = reader.mapping(node, what, LANGS)
    if fields is None:
        return texts
    for lang in LANGS:
        if lang not in fields:
            reader.report(node, f"{what} has no '{lang}' text")
            continue
        value_node = fields[lang][1]
        if allow_empty and isinstance(value_node, yaml.ScalarNode) and value_node.value == "":
            texts[lang] = ""
            continue
        value = reader.text(value_node, f"the '{lang}' text of {what}")
        if value is not None:
            texts[lang] = value
    return texts


# --- intents -------------------------------------------------------------------------------------

_INTENT_KEYS: Final = ("id", "kind", "topic", "questions", "answer", "quotes", "follow_ups")


def _load_intent_file(
    path: Path,
    sources: Mapping[str, Source],
    topics: Mapping[str, Mapping[Lang, str]] | None,
    problems: list[Problem],
) -> list[Intent] | None:
    """The file's intents; None when it is not readable YAML at all."""
    reader = Reader(str(path))
    root = reader.compose(path)
    if root is None and reader.problems:
        problems.extend(reader.problems)
        return None
    intents: list[Intent] = []
    fields = reader.mapping(root, "an intents file", ("version", "intents")) if root else None
    if root is not None and fields is not None:
        reader.version(fields, root)
        if "intents" not in fields:
            reader.report(root, "missing 'intents:' (the list of intents)")
        items = reader.sequence(fields["intents"][1], "intents") if "intents" in fields else None
        for node in items or ():
            intent = _read_intent(reader, node, sources, topics)
            if intent is not None:
                intents.append(intent)
    problems.extend(reader.problems)
    return intents


def _read_intent(
    reader: Reader,
    node: yaml.Node,
    sources: Mapping[str, Source],
    topics: Mapping[str, Mapping[Lang, str]] | None,
) -> Intent | None:
    fields = reader.mapping(node, "an intent", _INTENT_KEYS)
    if fields is None:
        return None
    intent_id = reader.text(fields["id"][1], "the intent id") if "id" in fields else None
    if "id" not in fields:
        reader.report(node, "intent is missing 'id'")
    elif intent_id is not None and not ID_PATTERN.match(intent_id):
        reader.report(
            fields["id"][1],
            f"intent id '{intent_id}' should be 1-40 lower-case letters, digits and dashes",
        )
        intent_id = None
    name = f"intent '{intent_id}'" if intent_id else "this intent"
    kind = _read_kind(reader, fields)
    topic = _read_topic(reader, fields, topics)
    lines: dict[str, int] = {}
    questions = _read_questions(reader, node, fields, name, lines)
    answer = _read_answer(reader, node, fields, name)
    quotes = _read_quotes(reader, node, fields, name, kind, sources)
    follow_ups = _read_follow_ups(reader, fields, name, lines)
    _check_reply_length(reader, node, name, answer, quotes, sources)
    if intent_id is None or kind is None:
        return None
    return Intent(
        id=intent_id,
        kind=kind,
        topic=topic,
        questions=questions,
        answer=answer,
        quotes=quotes,
        follow_ups=follow_ups,
        file=reader.file,
        line=line_of(node),
        lines=lines,
    )


def _read_kind(reader: Reader, fields: dict[str, tuple[yaml.Node, yaml.Node]]) -> Kind | None:
    if "kind" not in fields:
        return "fact"
    kind = reader.text(fields["kind"][1], "kind")
    if kind not in KINDS:
        if kind is not None:
            reader.report(fields["kind"][1], f"kind '{kind}' is not one of {', '.join(KINDS)}")
        return None
    return kind


def _read_topic(
    reader: Reader,
    fields: dict[str, tuple[yaml.Node, yaml.Node]],
    topics: Mapping[str, Mapping[Lang, str]] | None,
) -> str | None:
    if "topic" not in fields:
        return None
    topic = reader.text(fields["topic"][1], "topic")
    if topic is not None and topics is not None and topic not in topics:
        hint = did_you_mean(topic, topics)
        reader.report(fields["topic"][1], f"topic '{topic}' is not in {UI_FILE} topics{hint}")
    return topic


def _read_questions(
    reader: Reader,
    node: yaml.Node,
    fields: dict[str, tuple[yaml.Node, yaml.Node]],
    name: str,
    lines: dict[str, int],
) -> dict[Lang, tuple[str, ...]]:
    questions: dict[Lang, tuple[str, ...]] = {}
    if "questions" not in fields:
        reader.report(node, f"{name} is missing 'questions'")
        return questions
    per_lang = reader.mapping(fields["questions"][1], f"the questions of {name}", LANGS)
    for lang in LANGS:
        if per_lang is None:
            break
        if lang not in per_lang:
            reader.report(fields["questions"][1], f"{name} has no '{lang}' questions")
            continue
        items = list(reader.texts(per_lang[lang][1], f"the '{lang}' questions of {name}"))
        for item, text in items:
            lines.setdefault("q:" + normalize(text), line_of(item))
        questions[lang] = tuple(text for _, text in items)
    return questions


def _read_answer(
    reader: Reader, node: yaml.Node, fields: dict[str, tuple[yaml.Node, yaml.Node]], name: str
) -> dict[Lang, str]:
    if "answer" not in fields:
        reader.report(node, f"{name} is missing 'answer'")
        return {}
    answer = _per_lang(reader, fields["answer"][1], f"the answer of {name}")
    for lang, text in answer.items():
        if len(text) > MAX_ANSWER_CHARS:
            reader.report(
                fields["answer"][1],
                f"the '{lang}' answer of {name} is {len(text)} characters; keep it under "
                f"{MAX_ANSWER_CHARS} (one or two sentences)",
            )
    return answer


def _read_quotes(
    reader: Reader,
    node: yaml.Node,
    fields: dict[str, tuple[yaml.Node, yaml.Node]],
    name: str,
    kind: Kind | None,
    sources: Mapping[str, Source],
) -> tuple[Quote, ...]:
    if "quotes" not in fields:
        if kind == "fact":
            reader.report(node, f"{name} needs at least one quote (or kind: smalltalk or gap)")
        return ()
    if kind in ("smalltalk", "gap"):
        reader.report(fields["quotes"][0], f"{kind} {name} must not have quotes")
        return ()
    quotes: list[Quote] = []
    for item in reader.sequence(fields["quotes"][1], f"the quotes of {name}") or ():
        quote = _read_quote(reader, item, sources)
        if quote is not None:
            quotes.append(quote)
    if not quotes and kind == "fact" and not reader.problems:
        reader.report(fields["quotes"][1], f"{name} needs at least one quote")
    return tuple(quotes)


def _read_quote(reader: Reader, node: yaml.Node, sources: Mapping[str, Source]) -> Quote | None:
    fields = reader.mapping(node, "a quote", ("source", "text"))
    if fields is None:
        return None
    for key in ("source", "text"):
        if key not in fields:
            reader.report(node, f"quote is missing '{key}'")
    if "source" not in fields or "text" not in fields:
        return None
    source_id = reader.text(fields["source"][1], "the quote's source")
    text = reader.text(fields["text"][1], "the quote's text")
    if source_id is None or text is None:
        return None
    source = sources.get(source_id)
    if source is None:
        hint = did_you_mean(source_id, sources)
        reader.report(
            fields["source"][1], f"source '{source_id}' is not in seeds/{SOURCES_FILE}{hint}"
        )
        return None
    if normalize_quote(text) not in _normalized_document(source.text):
        reader.report(
            fields["text"][1],
            f"quote not found word for word in {source.file}; closest passage: "
            f'"{closest_passage(text, source.text)}"',
        )
        return None
    return Quote(source=source_id, text=text, line=line_of(fields["text"][1]))


@functools.lru_cache(maxsize=8)
def _normalized_document(text: str) -> str:
    """A seed document folded for quote checks, once per document rather than once per quote."""
    return normalize_quote(text)


def closest_passage(quote: str, document: str) -> str:
    """The stretch of `document` most like `quote`, so an admin sees the typo."""
    wanted, haystack = normalize_quote(quote), _normalized_document(document)
    alignment = fuzz.partial_ratio_alignment(wanted, haystack)
    if alignment is None:
        return ""
    start, end = alignment.dest_start, alignment.dest_end
    # Widen to whole words: the alignment may cut a word the admin needs to see.
    while start > 0 and not haystack[start - 1].isspace():
        start -= 1
    while end < len(haystack) and not haystack[end].isspace():
        end += 1
    return haystack[start:end]


def _read_follow_ups(
    reader: Reader,
    fields: dict[str, tuple[yaml.Node, yaml.Node]],
    name: str,
    lines: dict[str, int],
) -> tuple[str, ...]:
    if "follow_ups" not in fields:
        return ()
    items = list(reader.texts(fields["follow_ups"][1], f"the follow-ups of {name}"))
    for item, value in items:
        lines.setdefault("f:" + value, line_of(item))
    return tuple(value for _, value in items)


def _check_reply_length(
    reader: Reader,
    node: yaml.Node,
    name: str,
    answer: Mapping[Lang, str],
    quotes: tuple[Quote, ...],
    sources: Mapping[str, Source],
) -> None:
    quoted = sum(
        len(q.text) + len(sources[q.source].title) + len(sources[q.source].publisher)
        for q in quotes
        if q.source in sources
    )
    for lang, text in answer.items():
        total = len(text) + quoted + REPLY_OVERHEAD_CHARS
        if total > MAX_MESSAGE_CHARS:
            reader.report(
                node,
                f"the '{lang}' reply of {name} would be about {total} characters; "
                f"Telegram allows {MAX_MESSAGE_CHARS}",
            )


# --- checks across intents -----------------------------------------------------------------------


def _cross_checks(
    intents: Mapping[str, Intent],
    sources: Mapping[str, Source],
    unreadable: Sequence[str] = (),
    synonyms: Sequence[Sequence[str]] = (),
) -> list[Problem]:
    problems: list[Problem] = []
    # Questions are compared as the engine matches them, synonyms applied: "How many SDGs?"
    # and "How many Sustainable Development Goals?" are one question to it.
    matched = Synonyms(synonyms)
    seen: dict[str, tuple[Intent, str]] = {}
    for intent in intents.values():
        for lang, questions in intent.questions.items():
            for question in questions:
                key = " ".join(matched.words(normalize(question)))
                if key in seen and seen[key][0] is not intent:
                    other, first = seen[key]
                    line = other.lines.get("q:" + normalize(first), other.line)
                    problems.append(
                        Problem(
                            intent.file,
                            intent.lines.get("q:" + normalize(question), intent.line),
                            f"question \"{question}\" ({lang}) of '{intent.id}' is also under "
                            f"'{other.id}' at {other.file}:{line}"
                            + (
                                "" if normalize(first) == normalize(question) else f' as "{first}"'
                            ),
                        )
                    )
                seen.setdefault(key, (intent, question))
        for follow_up in intent.follow_ups:
            if follow_up not in intents:
                hint = did_you_mean(follow_up, intents)
                if unreadable:  # the intent may well exist in a file that failed to parse
                    hint += f" (or it is in {', '.join(unreadable)}, which could not be read)"
                problems.append(
                    Problem(
                        intent.file,
                        intent.lines.get("f:" + follow_up, intent.line),
                        f"follow-up '{follow_up}' of '{intent.id}' is not an intent{hint}",
                    )
                )
            elif follow_up == intent.id:
                problems.append(
                    Problem(intent.file, intent.line, f"'{intent.id}' lists itself as a follow-up")
                )
    return problems
