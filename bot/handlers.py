"""The Telegram callbacks: unpack an update, ask the core, send what it rendered.

Every handler is a method of `Handlers(services)`. Content decisions (what to answer, how it
reads, which buttons it has) live in `engine` and `render`; this module only translates between
Telegram updates and those values, and adds the things only a chat needs: the callback-data codec,
group addressing, the flood guard, retries when sending, and the error handler.

The admin commands (/stats, /unanswered, /feedback, /reload) answer only the users in
`config.admin_ids`, and only in private chats: to anyone else, and in groups, they do not exist
(the reply is exactly that of an unknown command), so nothing reveals that there is an admin side.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import html
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol, TypeVar

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Message,
    Update,
    User,
)
from telegram.constants import ChatType, InlineKeyboardButtonLimit, MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.admintexts import admin_text
from bot.config import Config
from bot.engine import Engine, Question, Reply
from bot.flood import FloodGuard, Verdict
from bot.indexcache import engine_builder
from bot.knowledge import Intent, Knowledge, Source
from bot.memory import release_free_memory
from bot.reload import Reloader, ReloadResult, describe
from bot.render import (
    Button,
    fill,
    question_label,
    source_line,
    source_title,
    split_message,
    to_html,
)
from bot.reports import feedback_text, stats_text, unanswered_text
from bot.text import LANGS, Lang, detect_language, normalize

if TYPE_CHECKING:
    import datetime as dt

    from bot.store import Log

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
T = TypeVar("T")

#: A question longer than this is not a question but a pasted text; the engine would only guess.
MAX_QUESTION_CHARS: Final = 1000
#: Example questions offered under the welcome message.
WELCOME_EXAMPLES: Final = 4
#: Waits between attempts when a send fails on the network or with a 5xx (PTB: NetworkError).
RETRY_DELAYS: Final[tuple[float, ...]] = (0.2, 0.5, 1.0)
#: Inline answers depend only on the knowledge and the user's language choice.
INLINE_CACHE_SECONDS: Final = 60
MAX_BUTTON_LABEL: Final = 60
#: Language names as their speakers write them (not English UI text).
LANGUAGE_NAMES: Final[Mapping[Lang, str]] = {"en": "English", "ru": "Русский", "kk": "Қазақша"}


class Storage(Protocol):
    """What the handlers need from `bot.store.Store` (tests pass an in-memory fake)."""

    def record_question(
        self,
        *,
        user_id: int,
        language: str,
        text: str,
        kind: str,
        intent: str | None,
        score: float,
        chat_type: str,
    ) -> None: ...

    def record_vote(self, *, user_id: int, intent: str, up: bool) -> None: ...

    def set_language(self, user_id: int, language: str) -> None: ...

    def language(self, user_id: int) -> str | None: ...

    def log(self, since: dt.datetime | None = None) -> Log:
        """Questions and votes from `since` on, for the admin texts (blocking: use a thread)."""
        ...

    def close(self) -> None: ...


@dataclass(slots=True)  # deliberately not frozen: a live reload swaps `engine`
class Services:
    """Everything the handlers use, handed over once instead of an untyped bot_data bag."""

    config: Config
    engine: Engine
    store: Storage


# --- callback data -------------------------------------------------------------------------------

#: `ask_here` is an `ask` that replaces the message it sits on (a did-you-mean list).
_CODES: Final[Mapping[str, str]] = {
    "ask": "a",
    "ask_here": "e",
    "vote_up": "v+",
    "vote_down": "v-",
    "topic": "t",
    "source": "s",
    "lang": "l",
}
_ACTIONS: Final[Mapping[str, str]] = {code: action for action, code in _CODES.items()}
MAX_CALLBACK_BYTES: Final = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
#: Values longer than this travel as a digest; ids are ≤ 40 characters, so this is a safety net.
_MAX_PLAIN_VALUE: Final = 48


@dataclass(frozen=True, slots=True)
class CallbackData:
    """A decoded button press: what to do, in which language, with which intent/topic/source."""

    action: str
    lang: Lang
    value: str


def encode_callback(action: str, lang: Lang, value: str = "") -> str:
    """`<code>:<lang>:<value>`, e.g. `a:ru:centre-who-proposed`; always ≤ 64 bytes."""
    if len(value.encode()) > _MAX_PLAIN_VALUE:
        value = _digest(value)
    data = f"{_CODES[action]}:{lang}:{value}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def decode_callback(data: object) -> CallbackData | None:
    """The press, or None for data this bot never made (forged, or from an old version)."""
    if not isinstance(data, str):
        return None
    parts = data.split(":", 2)
    if len(parts) != 3:
        return None
    code, lang, value = parts
    action = _ACTIONS.get(code)
    if action is None or lang not in LANGS:
        return None
    return CallbackData(action, lang, value)  # checked just above


def _digest(value: str) -> str:
    return "#" + hashlib.sha256(value.encode()).hexdigest()[:16]


def _resolve(value: str, keys: Sequence[str] | Mapping[str, object]) -> str | None:
    """The key a button value stands for, or None when it no longer exists (stale button)."""
    if value.startswith("#"):
        return next((key for key in keys if _digest(key) == value), None)
    return value if value in keys else None


# --- the handlers --------------------------------------------------------------------------------


class Handlers:
    """PTB callbacks bound to one `Services`; read `services.engine` afresh for every update."""

    def __init__(
        self,
        services: Services,
        *,
        clock: Callable[[], float] = time.monotonic,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        self.services = services
        self.flood = FloodGuard(services.config.flood_burst, services.config.flood_rate, clock)
        self._retry_delays = tuple(retry_delays)
        self._reloader: Reloader | None = None
        #: One check at a time: the repeating job and /reload share the reloader.
        self._reload_lock = asyncio.Lock()
        #: The last failed reload while it is unfixed, so /reload can repeat its problems.
        self._failure: ReloadResult | None = None

    # --- language ----------------------------------------------------------------------------

    def chosen_language(self, user: User | None) -> Lang | None:
        """The user's /language choice, if they made one."""
        if user is None:
            return None
        chosen = self.services.store.language(user.id)
        return chosen if chosen in LANGS else None

    def language(self, user: User | None, text: str = "") -> Lang:
        """The language to talk to this user in: their choice, else the text's, else Telegram's."""
        chosen = self.chosen_language(user)
        if chosen is not None:
            return chosen
        return detect_language(text, user.language_code if user else None)

    # --- flood guard (group -1) --------------------------------------------------------------

    async def guard(self, update: Update, context: Context) -> None:
        """Stop a user who floods the bot: one polite warning, then silence till they slow down."""
        user = update.effective_user
        if user is None or update.inline_query is not None:
            # Inline queries arrive per keystroke and send nothing to a chat: not a flood.
            return
        if not _expects_reply(update, context.bot):
            return
        verdict = self.flood.check(user.id)
        if verdict is Verdict.ALLOW:
            return
        logger.debug("flood guard: %s for user %s", verdict.value, user.id)
        lang = self.language(user)
        try:
            if update.callback_query is not None:
                warning = self._text("slow_down", lang) if verdict is Verdict.WARN else None
                await self._answer_query(update.callback_query, warning)
            elif verdict is Verdict.WARN and update.effective_message is not None:
                await self._reply(update.effective_message, self._html("slow_down", lang))
        except TelegramError:
            # The update must be stopped whatever happens to the warning.
            logger.warning("could not send the flood warning", exc_info=True)
        raise ApplicationHandlerStop

    # --- commands ----------------------------------------------------------------------------

    async def start_command(self, update: Update, context: Context) -> None:
        """/start: welcome and example questions; `/start <intent-id>` answers that intent."""
        message, user = update.effective_message, update.effective_user
        if message is None:
            return
        engine = self.services.engine
        lang = self.language(user)
        if context.args:
            reply = engine.answer_intent(context.args[0], lang)
            if reply is not None and reply.intent is not None:
                self._record(update, question_label(reply.intent, lang), reply)
                await self._send_reply(message, reply, engine.knowledge, _quote(update))
                return
        rows = tuple((Button(question_label(i, lang), "ask", i.id),) for i in _examples(engine))
        await self._reply(
            message, self._html("welcome", lang), self._markup(rows, lang), _quote(update)
        )

    async def help_command(self, update: Update, context: Context) -> None:
        """/help: how to ask, and the other commands."""
        await self._reply_text(update, "help")

    async def about_command(self, update: Update, context: Context) -> None:
        """/about: what this bot is and what it relies on."""
        await self._reply_text(update, "about")

    async def topics_command(self, update: Update, context: Context) -> None:
        """/topics: one button per topic; a topic's button lists its questions."""
        message = update.effective_message
        if message is None:
            return
        knowledge = self.services.engine.knowledge
        lang = self.language(update.effective_user)
        rows = tuple(
            (Button(titles[lang], "topic", key),)
            for key, titles in knowledge.topics.items()
            if _topic_intents(knowledge, key)
        )
        await self._reply(
            message, self._html("topics", lang), self._markup(rows, lang), _quote(update)
        )

    async def sources_command(self, update: Update, context: Context) -> None:
        """/sources: each document with title, publisher and date, and a button for its text."""
        message = update.effective_message
        if message is None:
            return
        knowledge = self.services.engine.knowledge
        lang = self.language(update.effective_user)
        lines = [self._html("sources", lang)]
        rows = []
        for number, source in enumerate(knowledge.sources.values(), 1):
            lines.append(f"{number}. {html.escape(source_line(source, lang, knowledge))}")
            rows.append(
                (Button(f"{number}. {_shorten(source_title(source))}", "source", source.id),)
            )
        await self._reply(
            message, "\n\n".join(lines), self._markup(tuple(rows), lang), _quote(update)
        )

    async def language_command(self, update: Update, context: Context) -> None:
        """/language: buttons to choose the reply language for good."""
        message = update.effective_message
        if message is None:
            return
        lang = self.language(update.effective_user)
        row = tuple(Button(name, "lang", code) for code, name in LANGUAGE_NAMES.items())
        await self._reply(
            message,
            self._html("language_prompt", lang),
            self._markup((row,), lang),
            _quote(update),
        )

    async def ask_command(self, update: Update, context: Context) -> None:
        """/ask <question>: the way to ask in a group without mentioning the bot."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        question = re.sub(r"^/\S*\s*", "", message.text, count=1)
        if not question.strip():
            lang = self.language(update.effective_user)
            await self._reply(message, self._html("ask_usage", lang), quote=_quote(update))
            return
        await self._answer(update, message, question)

    async def unknown_command(self, update: Update, context: Context) -> None:
        """Any other /command (private chats only: in groups it may be another bot's)."""
        await self._reply_text(update, "unknown_command")

    # --- admin commands ----------------------------------------------------------------------

    async def stats_command(self, update: Update, context: Context) -> None:
        """/stats [period] (admins): questions per day and language, outcomes, top intents."""
        await self._admin_report(update, context, stats_text, self.services.store)

    async def unanswered_command(self, update: Update, context: Context) -> None:
        """/unanswered [period] (admins): declined and unclear questions, grouped, each with the
        intent it comes closest to in the knowledge base in use."""
        services = self.services
        await self._admin_report(update, context, unanswered_text, services.store, services.engine)

    async def feedback_command(self, update: Update, context: Context) -> None:
        """/feedback [period] (admins): 👍/👎 per intent and the questions behind each 👎."""
        await self._admin_report(update, context, feedback_text, self.services.store)

    async def _admin_report(
        self, update: Update, context: Context, text_of: Callable[..., str], *sources: object
    ) -> None:
        """Send a report to an admin, in their language; it reads the question log, so it is
        computed in a thread."""
        if await self._stranger(update, context):
            return
        lang = self.language(update.effective_user)
        text = await asyncio.to_thread(text_of, *sources, *_period(context), lang=lang)
        await self._reply_admin(update, text)

    async def reload_command(self, update: Update, context: Context) -> None:
        """/reload (admins): check intents/ and seeds/ now; say what changed, or what is broken
        (`file:line` for each problem), or that nothing changed."""
        if await self._stranger(update, context):
            return
        result = await self.reload_knowledge()
        user = update.effective_user
        lang = self.language(user)
        if result is not None:
            text = describe(result, lang)
        elif self._failure is not None:
            text = describe(self._failure, lang)  # still broken: the problems stand
        else:
            summary = self.services.engine.knowledge.summary()
            text = html.escape(f"{admin_text('no_changes', lang)}\n{summary}", quote=False)
        await self._reply_admin(update, text)
        if result is not None:
            # The other admins would have heard it from the repeating check: tell them too.
            others = self.services.config.admin_ids - {user.id if user else 0}
            await self.tell_admins(context.bot, functools.partial(describe, result), others)

    # --- live reload -------------------------------------------------------------------------

    def watch_knowledge(self) -> Reloader:
        """The reloader over the configured intents/ and seeds/, created on first use from the
        engine in use (call it at start-up: edits are noticed from then on)."""
        if self._reloader is None:
            config = self.services.config
            self._reloader = Reloader(
                self.services.engine,
                config.intents_dir,
                config.seeds_dir,
                build=engine_builder(config.data_dir, config.prebuilt_index_dir),
            )
        return self._reloader

    async def reload_knowledge(self) -> ReloadResult | None:
        """Reload intents/ and seeds/ if they changed (in a thread); None if nothing to tell.

        The switch to a new engine is one assignment: a question being answered meanwhile sees
        the old engine or the new one, never a mix. A failed reload keeps the old engine.
        """
        async with self._reload_lock:
            reloader = self._reloader
            if reloader is None:
                reloader = await asyncio.to_thread(self.watch_knowledge)
            before = reloader.engine
            result = await asyncio.to_thread(reloader.check)
            if reloader.engine is not before:
                self.services.engine = reloader.engine
                del before  # the old index: freed, then its pages handed back
                await asyncio.to_thread(release_free_memory)
            if result is not None:
                self._failure = None if result.ok else result
        return result

    async def tell_admins(
        self, bot: Bot, text_in: Callable[[Lang], str], admins: frozenset[int] | None = None
    ) -> None:
        """Send an admin text to each admin's private chat, in the language they chose with
        /language (else English: nothing else tells it unasked); one unreachable admin
        (never started the bot, blocked it) does not stop the others."""
        for admin in sorted(self.services.config.admin_ids if admins is None else admins):
            chosen = self.services.store.language(admin)
            text = text_in(chosen if chosen in LANGS else "en")
            try:
                for part in admin_parts(text):
                    await self._send(functools.partial(bot.send_message, admin, part))
            except TelegramError as error:
                logger.warning("could not send an admin message: %s", type(error).__name__)

    def is_admin(self, update: Update) -> bool:
        """An admin in their private chat (in a group, stats would reach every member)."""
        user, chat = update.effective_user, update.effective_chat
        return (
            user is not None
            and user.id in self.services.config.admin_ids
            and chat is not None
            and chat.type == ChatType.PRIVATE
        )

    async def _stranger(self, update: Update, context: Context) -> bool:
        """True, after the unknown-command reply, for anyone who may not use admin commands."""
        if self.is_admin(update):
            return False
        chat = update.effective_chat
        if chat is not None and chat.type == ChatType.PRIVATE:
            await self.unknown_command(update, context)
        # In a group an unknown command gets no reply at all; neither does this one.
        return True

    async def _reply_admin(self, update: Update, text_html: str) -> None:
        message = update.effective_message
        if message is None:
            return
        for part in admin_parts(text_html):
            await self._reply(message, part)

    # --- messages ----------------------------------------------------------------------------

    async def on_private_text(self, update: Update, context: Context) -> None:
        """A question in a private chat (new or edited: an edit is answered again)."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        await self._answer(update, message, message.text)

    async def on_group_text(self, update: Update, context: Context) -> None:
        """A group message: answered only when it mentions the bot or replies to it."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        question = _addressed_text(message, context.bot)
        if question is None:
            return
        if not question.strip():
            lang = self.language(update.effective_user)
            await self._reply(message, self._html("ask_usage", lang), quote=True)
            return
        await self._answer(update, message, question)

    async def on_media(self, update: Update, context: Context) -> None:
        """Stickers, photos, voice, files, locations…: say politely that only text works."""
        message = update.effective_message
        if message is None:
            return
        lang = self.language(update.effective_user, message.caption or "")
        await self._reply(message, self._html("unsupported_media", lang), quote=_quote(update))

    async def _answer(self, update: Update, message: Message, text: str) -> None:
        """Ask the engine and reply with the rendered answer; the common path of every question."""
        if message.via_bot is not None and message.via_bot.id == message.get_bot().id:
            return  # our own inline answer, posted by the user: not a question
        user = update.effective_user
        lang = self.language(user, text)
        quote = _quote(update)
        if len(text) > MAX_QUESTION_CHARS:
            too_long = fill(self._text("too_long", lang), limit=MAX_QUESTION_CHARS)
            await self._reply(message, html.escape(too_long), quote=quote)
            return
        if not normalize(text):
            await self._reply(message, self._html("empty_question", lang), quote=quote)
            return
        engine = self.services.engine
        question = Question(
            text,
            lang_hint=user.language_code if user else None,
            forced_lang=self.chosen_language(user),
        )
        reply = engine.ask(question)
        self._record(update, text, reply)
        await self._send_reply(message, reply, engine.knowledge, quote)

    # --- buttons -----------------------------------------------------------------------------

    async def on_button(self, update: Update, context: Context) -> None:
        """A button press. The query is answered in every branch: until then the user's client
        shows a spinner on the button, and an unanswered query looks like a dead bot."""
        query = update.callback_query
        if query is None:
            return
        engine = self.services.engine
        knowledge = engine.knowledge
        data = decode_callback(query.data)
        target = _target(data, knowledge) if data is not None else None
        if data is None or target is None:
            lang = data.lang if data else self.language(query.from_user)
            await self._stale(query, lang)
            return
        if data.action in ("vote_up", "vote_down"):
            await self._vote(query, data, target)
        elif data.action in ("ask", "ask_here"):
            await self._answer_query(query)
            await self._ask_button(update, query, data, target)
        elif data.action == "topic":
            await self._answer_query(query)
            await self._show_topic(query, data.lang, target)
        elif data.action == "source":
            await self._answer_query(query)
            await self._send_document(query, knowledge.sources[target], data.lang)
        else:  # "lang"
            await self._answer_query(query)
            self.services.store.set_language(query.from_user.id, data.lang)
            await self._edit_or_send(query, self._html("language_set", data.lang), None)

    async def _stale(self, query: CallbackQuery, lang: Lang) -> None:
        """A button this bot no longer knows: say so in the chat (or as a toast if none)."""
        text = self._text("stale_button", lang)
        if query.message is None:
            await self._answer_query(query, text)
            return
        await self._answer_query(query)
        chat = query.message.chat
        await self._send(lambda: chat.send_message(html.escape(text)))

    async def _vote(self, query: CallbackQuery, data: CallbackData, intent_id: str) -> None:
        await self._answer_query(query, self._text("feedback_thanks", data.lang))
        self.services.store.record_vote(
            user_id=query.from_user.id, intent=intent_id, up=data.action == "vote_up"
        )
        if isinstance(query.message, Message):
            # One vote per answer: the 👍/👎 row goes, follow-up questions stay.
            markup = _without_votes(query.message.reply_markup)
            await self._ignore_unchanged(
                self._send(lambda: query.edit_message_reply_markup(markup))
            )

    async def _ask_button(
        self, update: Update, query: CallbackQuery, data: CallbackData, intent_id: str
    ) -> None:
        engine = self.services.engine
        reply = engine.answer_intent(intent_id, data.lang)
        if reply is None or reply.intent is None:
            await self._stale(query, data.lang)
            return
        self._record(update, question_label(reply.intent, data.lang), reply)
        rendered = to_html(reply, engine.knowledge)
        markup = self._markup(rendered.buttons, reply.language)
        if data.action == "ask_here":
            # A did-you-mean list is replaced by the answer the user picked.
            await self._edit_or_send(query, rendered.html, markup)
        elif query.message is not None:
            # A follow-up comes as a new message, so the answer it follows stays readable.
            chat = query.message.chat
            await self._send(lambda: chat.send_message(rendered.html, reply_markup=markup))

    async def _show_topic(self, query: CallbackQuery, lang: Lang, topic: str) -> None:
        knowledge = self.services.engine.knowledge
        title = knowledge.topics[topic][lang]
        rows = tuple(
            (Button(question_label(intent, lang), "ask", intent.id),)
            for intent in _topic_intents(knowledge, topic)
        )
        header = html.escape(fill(self._text("topic_questions", lang), topic=title))
        await self._edit_or_send(query, header, self._markup(rows, lang))

    async def _send_document(self, query: CallbackQuery, source: Source, lang: Lang) -> None:
        if query.message is None:
            return
        chat = query.message.chat
        template = self._text("document_part", lang)
        for part in document_parts(source, template):
            await self._send(lambda part=part: chat.send_message(part))  # type: ignore[misc]

    # --- inline mode -------------------------------------------------------------------------

    async def on_inline(self, update: Update, context: Context) -> None:
        """`@bot question` in any chat: the best answers as articles to pick from."""
        query = update.inline_query
        if query is None:
            return
        text = query.query.strip()
        lang = self.language(query.from_user, text)
        hint = InlineQueryResultsButton(
            text=self._text("inline_hint", lang), start_parameter="inline"
        )
        results: list[InlineQueryResultArticle] = []
        if normalize(text) and len(text) <= MAX_QUESTION_CHARS:
            engine = self.services.engine
            reply = engine.ask(
                Question(
                    text,
                    lang_hint=query.from_user.language_code,
                    forced_lang=self.chosen_language(query.from_user),
                )
            )
            results = [_article(engine, intent, reply.language) for intent in _offered(reply)]
        await self._send(
            lambda: query.answer(
                results,
                cache_time=INLINE_CACHE_SECONDS,
                is_personal=True,
                button=None if results else hint,
            )
        )

    # --- errors ------------------------------------------------------------------------------

    async def on_error(self, update: object, context: Context) -> None:
        """Log first (with the traceback), then apologise if there is a chat; never re-raise."""
        if isinstance(context.error, Forbidden):
            logger.info("a user has blocked the bot or left the chat")
            return
        logger.error("an update could not be handled", exc_info=context.error)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        lang = self.language(update.effective_user)
        chat = update.effective_chat
        try:
            await self._send(lambda: chat.send_message(self._html("error", lang)))
        except TelegramError:
            logger.warning("could not send the apology either", exc_info=True)

    # --- sending -----------------------------------------------------------------------------

    async def _send(self, call: Callable[[], Awaitable[T]]) -> T:
        """Run one Bot API call, retrying network errors and 5xx answers with a short backoff.

        429s are not retried here: AIORateLimiter waits them out. BadRequest is a NetworkError
        subclass in PTB but retrying it would only fail again, so it goes straight up.
        """
        for delay in (*self._retry_delays, None):
            try:
                return await call()
            except BadRequest:
                raise
            except NetworkError as error:
                if delay is None:
                    raise
                logger.warning(
                    "sending failed (%s); retrying in %.1f s", type(error).__name__, delay
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _reply(
        self,
        message: Message,
        text_html: str,
        markup: InlineKeyboardMarkup | None = None,
        quote: bool = False,
    ) -> None:
        await self._send(
            lambda: message.reply_html(text_html, reply_markup=markup, do_quote=quote)
        )

    async def _reply_text(self, update: Update, key: str) -> None:
        message = update.effective_message
        if message is not None:
            lang = self.language(update.effective_user)
            await self._reply(message, self._html(key, lang), quote=_quote(update))

    async def _send_reply(
        self, message: Message, reply: Reply, knowledge: Knowledge, quote: bool
    ) -> None:
        rendered = to_html(reply, knowledge)
        # Candidates of a did-you-mean list replace the list when pressed.
        markup = self._markup(rendered.buttons, reply.language, in_place=reply.kind == "clarify")
        await self._reply(message, rendered.html, markup, quote)

    async def _edit_or_send(
        self, query: CallbackQuery, text_html: str, markup: InlineKeyboardMarkup | None
    ) -> None:
        """Replace the message the button sits on; send anew if it is too old to edit."""
        if isinstance(query.message, Message):
            edit = self._send(lambda: query.edit_message_text(text_html, reply_markup=markup))
            await self._ignore_unchanged(edit)
        elif query.message is not None:
            chat = query.message.chat
            await self._send(lambda: chat.send_message(text_html, reply_markup=markup))

    async def _ignore_unchanged(self, edit: Awaitable[object]) -> None:
        """A double tap edits a message into what it already is; Telegram calls that an error."""
        try:
            await edit
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise

    async def _answer_query(self, query: CallbackQuery, text: str | None = None) -> None:
        try:
            await self._send(lambda: query.answer(text))
        except BadRequest:
            # "query is too old": the user waited long; the rest of the press still works.
            logger.debug("a callback query could not be answered", exc_info=True)

    def _record(self, update: Update, text: str, reply: Reply) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None:
            return
        self.services.store.record_question(
            user_id=user.id,
            language=reply.language,
            text=text,
            kind=reply.kind,
            intent=reply.intent.id if reply.intent else None,
            score=reply.score,
            chat_type=chat.type if chat else "unknown",
        )

    # --- small helpers -----------------------------------------------------------------------

    def _text(self, key: str, lang: Lang) -> str:
        return self.services.engine.knowledge.message(key, lang)

    def _html(self, key: str, lang: Lang) -> str:
        return html.escape(self._text(key, lang))

    def _markup(
        self, rows: Sequence[Sequence[Button]], lang: Lang, *, in_place: bool = False
    ) -> InlineKeyboardMarkup | None:
        """Neutral buttons from render → Telegram's keyboard with compact callback data."""
        if not rows:
            return None
        return InlineKeyboardMarkup(
            tuple(tuple(_keyboard_button(b, lang, in_place) for b in row) for row in rows)
        )


# --- pure helpers --------------------------------------------------------------------------------


def _keyboard_button(button: Button, lang: Lang, in_place: bool) -> InlineKeyboardButton:
    if button.action == "lang":
        # The language button carries the language it chooses.
        data = encode_callback("lang", button.value)  # type: ignore[arg-type]
    else:
        action = "ask_here" if in_place and button.action == "ask" else button.action
        data = encode_callback(action, lang, button.value)
    return InlineKeyboardButton(button.label, callback_data=data)


def _target(data: CallbackData, knowledge: Knowledge) -> str | None:
    """The intent, topic or source id a press refers to; None if it is gone (stale)."""
    if data.action == "lang":
        return data.lang
    if data.action == "topic":
        return _resolve(data.value, knowledge.topics)
    if data.action == "source":
        return _resolve(data.value, knowledge.sources)
    return _resolve(data.value, knowledge.intents)


def _without_votes(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    if markup is None:
        return None
    vote_codes = (_CODES["vote_up"] + ":", _CODES["vote_down"] + ":")
    rows = [
        [
            b
            for b in row
            if not (isinstance(b.callback_data, str) and b.callback_data.startswith(vote_codes))
        ]
        for row in markup.inline_keyboard
    ]
    kept = [row for row in rows if row]
    return InlineKeyboardMarkup(kept) if kept else None


def _quote(update: Update) -> bool:
    """Reply as a quote in groups (to say whom we answer) and to edits (to say what we answer)."""
    chat = update.effective_chat
    return update.edited_message is not None or (
        chat is not None and chat.type != ChatType.PRIVATE
    )


def _expects_reply(update: Update, bot: Bot) -> bool:
    """Whether this update is one the bot would answer, so only those count against a user."""
    if update.callback_query is not None:
        return True
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return False
    text = message.text or ""
    return text.startswith("/") or _addressed_text(message, bot) is not None


def _addressed_text(message: Message, bot: Bot) -> str | None:
    """The question in a group message meant for the bot (its @mention removed), else None."""
    text = message.text or ""
    mention = re.compile(rf"(?<![\w@])@{re.escape(bot.username)}\b", re.IGNORECASE)
    replied = message.reply_to_message
    to_bot = (
        replied is not None and replied.from_user is not None and replied.from_user.id == bot.id
    )
    if not to_bot and not mention.search(text):
        return None
    return mention.sub(" ", text).strip()


def _examples(engine: Engine) -> list[Intent]:
    """A few questions to show under the welcome: the first fact of each topic."""
    knowledge = engine.knowledge
    picked: list[Intent] = []
    for topic in knowledge.topics:
        first = next((i for i in _topic_intents(knowledge, topic) if i.kind == "fact"), None)
        if first is not None:
            picked.append(first)
    if len(picked) < WELCOME_EXAMPLES:
        rest = (i for i in knowledge.intents.values() if i.kind == "fact" and i not in picked)
        picked.extend(rest)
    return picked[:WELCOME_EXAMPLES]


def _topic_intents(knowledge: Knowledge, topic: str) -> list[Intent]:
    # Known gaps are answered with "the documents don't say": nothing to browse.
    return [i for i in knowledge.intents.values() if i.topic == topic and i.kind != "gap"]


def _offered(reply: Reply) -> list[Intent]:
    """Intents worth offering inline: the answer (and the message's other questions), or the
    did-you-mean candidates."""
    if reply.kind in ("answer", "smalltalk") and reply.intent is not None:
        return [reply.intent, *reply.also]
    if reply.kind == "clarify":
        return list(reply.suggestions)
    return []


def _article(engine: Engine, intent: Intent, lang: Lang) -> InlineQueryResultArticle:
    reply = engine.answer_intent(intent.id, lang)
    if reply is None:  # pragma: no cover - the intent came from this very engine
        raise LookupError(intent.id)
    # No buttons: pressing one in someone else's chat would reach a bot that isn't there.
    rendered = to_html(reply, engine.knowledge, feedback=False)
    return InlineQueryResultArticle(
        id=intent.id,
        title=question_label(intent, lang),
        description=_shorten(intent.answer[lang], 100),
        input_message_content=InputTextMessageContent(rendered.html, parse_mode=ParseMode.HTML),
    )


def document_parts(source: Source, template: str) -> list[str]:
    """A document's full text as HTML messages, each ≤ 4096 characters, each headed by
    `template` (the `document_part` text: {title}, {part}, {parts})."""
    limit = MessageLimit.MAX_TEXT_LENGTH

    def heading(part: int, parts: int) -> str:
        title = fill(template, title=source_title(source), part=part, parts=parts)
        return f"<b>{html.escape(title)}</b>\n\n"

    budget = limit - len(heading(999, 999))
    size = budget
    chunks = split_message(source.text, size)
    # Escaping lengthens text with <, > or &: cut smaller pieces until every escaped one fits.
    while size > 100 and any(len(html.escape(chunk)) > budget for chunk in chunks):
        size -= 200
        chunks = split_message(source.text, size)
    return [heading(n, len(chunks)) + html.escape(c) for n, c in enumerate(chunks, 1)]


def admin_parts(text_html: str) -> list[str]:
    """An escaped admin text (reports, reload notices) as messages of ≤ 4096 visible characters.

    Split on the plain text, then escaped again, so a cut never lands inside `&amp;`."""
    plain = html.unescape(text_html)
    return [
        html.escape(part, quote=False)
        for part in split_message(plain, MessageLimit.MAX_TEXT_LENGTH)
    ]


def _period(context: Context) -> list[str]:
    """`/stats 30d` → ["30d"]; no argument → [] (each report has its own default)."""
    return list(context.args or ())[:1]


def _shorten(text: str, limit: int = MAX_BUTTON_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
