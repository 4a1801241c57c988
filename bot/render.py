"""Turns an engine `Reply` into what a user reads: Telegram HTML, plain text, or a JSON object.

All escaping lives here: every string that comes from a user or from YAML goes through
`html.escape` before it reaches Telegram. Buttons are neutral values; the Telegram shell encodes
them as callback data.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from bot.engine import Reply
from bot.knowledge import MAX_MESSAGE_CHARS, Intent, Knowledge, Quote, Source
from bot.text import Lang

ButtonAction = Literal["ask", "vote_up", "vote_down", "topic", "source", "lang"]

_MONTHS: Final[Mapping[Lang, tuple[str, ...]]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря"),
    "kk": ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз",
           "қыркүйек", "қазан", "қараша", "желтоқсан"),
}  # fmt: skip
_LANGUAGE_NAMES: Final[Mapping[str, str]] = {"en": "English", "ru": "Русский", "kk": "Қазақша"}


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: ButtonAction
    value: str


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message ready to send: HTML text and rows of buttons."""

    html: str
    buttons: tuple[tuple[Button, ...], ...] = ()


def format_date(date: dt.date | None, lang: Lang, knowledge: Knowledge) -> str:
    if date is None:
        return knowledge.message("no_date", lang)
    month = _MONTHS[lang][date.month - 1]
    if lang == "kk":
        return f"{date.year} жылғы {date.day} {month}"
    if lang == "en":
        return f"{date.day} {month} {date.year}"
    return f"{date.day} {month} {date.year} г."


def fill(template: str, **values: object) -> str:
    """`str.format` that leaves an unknown {placeholder} as written instead of failing."""

    class _Keep(dict[str, object]):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    return template.format_map(_Keep(values))


def question_label(intent: Intent, lang: Lang) -> str:
    """The question a button shows for an intent: its first example in the user's language."""
    questions = intent.questions.get(lang) or next(iter(intent.questions.values()), ())
    return questions[0] if questions else intent.id


def source_title(source: Source) -> str:
    """The document's headline, or its description in [brackets] when it has no headline
    (the usual way a citation marks a title the cataloguer supplied)."""
    return f"[{source.title}]" if source.title_is_descriptive else source.title


def source_line(source: Source, lang: Lang, knowledge: Knowledge) -> str:
    return fill(
        knowledge.message("source_line", lang),
        title=source_title(source),
        publisher=source.publisher,
        date=format_date(source.date, lang, knowledge),
    )


# --- plain text (terminal) -----------------------------------------------------------------------


def to_text(reply: Reply, knowledge: Knowledge) -> str:
    """The reply as a user reads it, without markup (terminal chat, `ask`)."""
    lang = reply.language
    if reply.kind == "decline":
        related = _bullets("follow_ups", reply.suggestions, lang, knowledge)
        return "\n\n".join([_decline_text(reply, knowledge), related]).strip()
    if reply.kind == "clarify":
        options = [f"  {n}. {question_label(i, lang)}" for n, i in enumerate(reply.suggestions, 1)]
        return "\n".join([knowledge.message("did_you_mean", lang), *options])
    assert reply.intent is not None  # noqa: S101 - answer and smalltalk always carry one
    parts = [reply.intent.answer[lang]]
    for note, quote, source in _quotes(reply, knowledge):
        block = [note] if note else []
        block += [f"  « {quote.text} »", f"  — {source_line(source, lang, knowledge)}"]
        parts.append("\n".join(block))
    parts.append(_bullets("also_asked", reply.also, lang, knowledge))
    parts.append(_bullets("follow_ups", _follow_ups(reply, knowledge), lang, knowledge))
    return "\n\n".join(part for part in parts if part)


def _bullets(title: str, intents: Sequence[Intent], lang: Lang, knowledge: Knowledge) -> str:
    """A titled list of questions for the terminal ("You might also ask:"), or "" for none."""
    if not intents:
        return ""
    lines = [f"  • {question_label(i, lang)}" for i in intents]
    return "\n".join([knowledge.message(title, lang), *lines])


# --- Telegram HTML -------------------------------------------------------------------------------


def to_html(reply: Reply, knowledge: Knowledge, feedback: bool = True) -> Rendered:
    """The reply as Telegram HTML with its buttons: follow-ups, candidates, 👍/👎."""
    lang = reply.language
    if reply.kind == "decline":  # with the close facts a known gap keeps, as buttons
        text = html.escape(_decline_text(reply, knowledge))
        if reply.suggestions:
            text += f"\n\n<i>{html.escape(knowledge.message('follow_ups', lang))}</i>"
        related = tuple((_ask_button(i, lang),) for i in reply.suggestions)
        return Rendered(text, related)
    if reply.kind == "clarify":
        choices = tuple((_ask_button(i, lang),) for i in reply.suggestions)
        return Rendered(html.escape(knowledge.message("did_you_mean", lang)), choices)
    assert reply.intent is not None  # noqa: S101 - answer and smalltalk always carry one
    parts = [html.escape(reply.intent.answer[lang])]
    for note, quote, source in _quotes(reply, knowledge):
        block = f"<i>{html.escape(note)}</i>\n" if note else ""
        block += f"<blockquote>{html.escape(quote.text)}</blockquote>\n"
        block += f"— <i>{html.escape(source_line(source, lang, knowledge))}</i>"
        parts.append(block)
    if reply.also:  # the other questions of the same message: listed, and first among buttons
        lines = [f"• {html.escape(question_label(i, lang))}" for i in reply.also]
        parts.append(
            "\n".join([f"<i>{html.escape(knowledge.message('also_asked', lang))}</i>", *lines])
        )
    rows: list[tuple[Button, ...]] = [
        (_ask_button(i, lang),) for i in (*reply.also, *_follow_ups(reply, knowledge))
    ]
    if feedback and reply.kind == "answer":
        rows.append(
            (
                Button("👍", "vote_up", reply.intent.id),
                Button("👎", "vote_down", reply.intent.id),
            )
        )
    return Rendered("\n\n".join(parts), tuple(rows))


def _decline_text(reply: Reply, knowledge: Knowledge) -> str:
    """A known gap says what exactly the documents don't cover; anything else, the general text."""
    if reply.intent is not None:
        return reply.intent.answer[reply.language]
    return knowledge.message("decline", reply.language)


def _ask_button(intent: Intent, lang: Lang) -> Button:
    return Button(question_label(intent, lang), "ask", intent.id)


def _quotes(reply: Reply, knowledge: Knowledge) -> list[tuple[str, Quote, Source]]:
    """Each quote with its source, and a note when the quote's language isn't the reply's."""
    assert reply.intent is not None  # noqa: S101
    result = []
    for quote in reply.intent.quotes:
        source = knowledge.sources[quote.source]
        note = ""
        if source.language != reply.language:
            note = fill(
                knowledge.message("quote_language_note", reply.language),
                language=_LANGUAGE_NAMES[source.language],
            )
        result.append((note, quote, source))
    return result


def _follow_ups(reply: Reply, knowledge: Knowledge) -> list[Intent]:
    """The answered intent's follow-ups that still exist, minus those offered as `also`."""
    assert reply.intent is not None  # noqa: S101
    offered = {i.id for i in reply.also}
    return [
        knowledge.intents[i]
        for i in reply.intent.follow_ups
        if i in knowledge.intents and i not in offered
    ]


# --- JSON (`ask --json`) -------------------------------------------------------------------------


def to_json(reply: Reply, knowledge: Knowledge) -> dict[str, Any]:
    """The documented `ask --json` object."""
    quotes = []
    if reply.intent is not None and reply.kind == "answer":
        for quote in reply.intent.quotes:
            source = knowledge.sources[quote.source]
            quotes.append(
                {
                    "text": quote.text,
                    "source": source.file,
                    "title": source.title,
                    "publisher": source.publisher,
                    "date": source.date.isoformat() if source.date else None,
                }
            )
    return {
        "kind": reply.kind,
        "intent": reply.intent.id if reply.intent else None,
        "score": round(reply.score, 4),
        "language": reply.language,
        "text": to_text(reply, knowledge),
        "quotes": quotes,
        "suggestions": [
            {"intent": i.id, "question": question_label(i, reply.language)}
            for i in reply.suggestions
        ],
        "also": [
            {"intent": i.id, "question": question_label(i, reply.language)} for i in reply.also
        ],
    }


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split long plain text at paragraph, then line, then word boundaries to fit `limit`."""
    chunks: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = max(
            rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit), rest.rfind(" ", 0, limit)
        )
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks
