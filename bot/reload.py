"""Live reload of the knowledge base: admins edit intents/ or seeds/, the running bot follows.

`Reloader.check()` is cheap when nothing changed (a fingerprint of file names, sizes and
mtimes). When something did, it loads and validates everything and builds a new `Engine`; the
switch is one attribute assignment, so a question being answered meanwhile sees either the old
engine or the new one, never a mix. A broken edit keeps the old engine and is reported once,
with `file:line` for every problem. No Telegram here: the caller runs `check` in a thread
(`asyncio.to_thread`) from a repeating job and sends `describe(result)` to the admins.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from bot.admintexts import admin_text
from bot.engine import Engine
from bot.errors import KnowledgeError, Problem
from bot.knowledge import Intent, Knowledge, fingerprint, load
from bot.text import Lang

logger = logging.getLogger(__name__)

#: Telegram's limit for one message; the problem list is cut to fit.
_MAX_CHARS: Final = 4096
_MAX_IDS: Final = 15


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """What one reload did: the changes it made, or the problems that stopped it."""

    ok: bool
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    #: Parts of the knowledge besides intents that changed: messages, topics, synonyms, sources.
    other: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    #: `Knowledge.summary()` of the set now in use (after a failure: the old one).
    summary: str = ""
    #: True when this success ends a failure reported earlier.
    recovered: bool = False

    @property
    def changes(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.other)


class Reloader:
    """Holds the engine in use and replaces it when intents/ or seeds/ change.

    Read `reloader.engine` for every question (or copy it into the services holder after a
    successful result): it is always a complete, validated engine.
    """

    def __init__(
        self,
        engine: Engine,
        intents_dir: Path,
        seeds_dir: Path,
        *,
        build: Callable[[Knowledge], Engine] = Engine,
    ) -> None:
        self.engine = engine
        self.intents_dir = Path(intents_dir)
        self.seeds_dir = Path(seeds_dir)
        self._build = build
        self._fingerprint = self._current_fingerprint()
        #: Problems of the last failure reported, so the same broken state is reported once.
        self._failure: tuple[Problem, ...] | None = None

    def _current_fingerprint(self) -> str:
        return fingerprint(self.intents_dir, self.seeds_dir)

    def check(self) -> ReloadResult | None:
        """Reload if the files changed; None when there is nothing new to tell the admins."""
        seen = self._current_fingerprint()
        if seen == self._fingerprint:
            return None
        # Remember the fingerprint taken *before* loading: an edit saved during the load
        # changes it again, and the next check loads once more.
        self._fingerprint = seen
        old = self.engine.knowledge
        try:
            knowledge = load(self.intents_dir, self.seeds_dir)
        except KnowledgeError as error:
            return self._failed(error.problems, old)
        self.engine = self._build(knowledge)  # the swap: one assignment
        recovered = self._failure is not None
        self._failure = None
        result = replace(_diff(old, knowledge), summary=knowledge.summary(), recovered=recovered)
        logger.info(
            "knowledge reloaded: %d added, %d removed, %d changed",
            len(result.added),
            len(result.removed),
            len(result.changed),
        )
        if not result.changes and not recovered:
            return None  # e.g. a comment or blank line edited: nothing an admin needs to hear
        return result

    def _failed(self, problems: tuple[Problem, ...], old: Knowledge) -> ReloadResult | None:
        logger.warning(
            "knowledge reload failed with %d problem(s); keeping the old set", len(problems)
        )
        if problems == self._failure:
            return None
        self._failure = problems
        return ReloadResult(ok=False, problems=problems, summary=old.summary())


def _diff(old: Knowledge, new: Knowledge) -> ReloadResult:
    """Intent ids added, removed and changed (in what a user sees), and other changed parts."""
    changed = (
        intent_id
        for intent_id in old.intents.keys() & new.intents.keys()
        if _content(old.intents[intent_id]) != _content(new.intents[intent_id])
    )
    other = (
        name
        for name, before, after in (
            ("messages", _plain(old.messages), _plain(new.messages)),
            ("topics", _plain(old.topics), _plain(new.topics)),
            ("synonyms", old.synonyms, new.synonyms),
            ("sources", _sources(old), _sources(new)),
        )
        if before != after
    )
    return ReloadResult(
        ok=True,
        added=tuple(sorted(new.intents.keys() - old.intents.keys())),
        removed=tuple(sorted(old.intents.keys() - new.intents.keys())),
        changed=tuple(sorted(changed)),
        other=tuple(other),
    )


def _content(intent: Intent) -> tuple[object, ...]:
    """What a user can see of an intent; its file and line are left out on purpose, so
    moving an intent or adding a line above it is not a change."""
    return (
        intent.kind,
        intent.topic,
        _plain(intent.questions),
        _plain(intent.answer),
        tuple((quote.source, quote.text) for quote in intent.quotes),
        intent.follow_ups,
    )


def _plain(table: Mapping[Any, object]) -> tuple[tuple[str, object], ...]:
    return tuple(
        sorted(
            (key, _plain(value) if isinstance(value, Mapping) else value)
            for key, value in table.items()
        )
    )


def _sources(knowledge: Knowledge) -> tuple[tuple[object, ...], ...]:
    return tuple(
        (s.id, s.file, s.title, s.publisher, s.date, s.language, s.text)
        for s in sorted(knowledge.sources.values(), key=lambda s: s.id)
    )


def describe(result: ReloadResult, lang: Lang = "en") -> str:
    """A short message for the admins, in `lang` (HTML-safe: texts escaped, no tags)."""
    if result.ok:
        lines = [admin_text("reloaded_fixed" if result.recovered else "reloaded", lang)]
        for key, ids in (
            ("added", result.added),
            ("changed", result.changed),
            ("removed", result.removed),
        ):
            if ids:
                lines.append(admin_text(key, lang, ids=_ids(ids, lang)))
        if result.other:
            lines.append(admin_text("also_changed", lang, names=", ".join(result.other)))
        lines.append(result.summary)
        return html.escape("\n".join(lines), quote=False)
    head = admin_text("not_reloaded", lang, count=len(result.problems))
    tail = admin_text("fix_files", lang)
    return html.escape(_fit(head, [str(p) for p in result.problems], tail, lang), quote=False)


def _ids(ids: tuple[str, ...], lang: Lang) -> str:
    shown = ", ".join(ids[:_MAX_IDS])
    rest = len(ids) - _MAX_IDS
    return shown + (admin_text("and_more", lang, count=rest) if rest > 0 else "")


def _fit(head: str, items: list[str], tail: str, lang: Lang) -> str:
    """Head, as many items as fit in one Telegram message, a count of the rest, and tail."""
    # Escaping can lengthen a line (< → &lt;), so the budget leaves room for it.
    budget = _MAX_CHARS - len(head) - len(tail) - 100
    shown: list[str] = []
    for item in items:
        cost = len(html.escape(item, quote=False)) + 1
        if cost > budget:
            break
        shown.append(item)
        budget -= cost
    rest = len(items) - len(shown)
    more = [admin_text("more_problems", lang, count=rest)] if rest else []
    return "\n".join([head, *shown, *more, tail])
