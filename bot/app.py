"""The Telegram application: built from one `Config`, run by `python -m bot run`.

`build_application(config, services)` wires PTB (rate limiter, concurrency, HTML defaults, the
handlers, the error handler and the start/stop hooks); `run_command` loads the knowledge, opens the
store and runs polling or the webhook until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import ssl
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlparse

import httpx
from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseRateLimiter,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    ExtBot,
    InlineQueryHandler,
    JobQueue,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Config
from bot.engine import Engine
from bot.errors import ConfigError
from bot.handlers import Handlers, Services
from bot.indexcache import engine_builder
from bot.knowledge import Knowledge, load
from bot.memory import release_free_memory, trim_heap
from bot.reload import describe
from bot.text import LANGS, Lang
from bot.transport import AiohttpRequest
from bot.webhook import serve

__all__ = ["Services", "build_application", "build_services", "run_command"]

logger = logging.getLogger(__name__)

#: Updates handled at the same time; one slow chat must not hold up the others.
CONCURRENT_UPDATES: Final = 64
HEARTBEAT_SECONDS: Final = 10.0
#: Only what the handlers use; Telegram then does not send the rest at all.
ALLOWED_UPDATES: Final = ("message", "edited_message", "callback_query", "inline_query")
#: Commands shown in Telegram's menu, each described by the `command_<name>` UI text.
MENU_COMMANDS: Final = ("start", "help", "topics", "sources", "language", "about", "ask")
#: Admin commands: never in the public menu; each admin's own chat gets a menu with them
#: (English, like the admin texts). Anyone else gets the unknown-command reply.
ADMIN_COMMANDS: Final = {
    "stats": "Questions, languages, outcomes, top intents [24h|7d|30d|all]",
    "unanswered": "Unanswered questions, grouped, with the closest intent [period]",
    "feedback": "Votes per answer and the questions behind 👎 [period]",
    "reload": "Reload intents/ and seeds/ now",
}
#: Setting the menu and descriptions waits at most this long, so a slow API never blocks start-up.
PROFILE_TIMEOUT: Final = 20.0
#: Private-chat media that get the "I only read text" reply.
MEDIA: Final = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | filters.VOICE
    | filters.AUDIO
    | filters.Document.ALL
    | filters.LOCATION
    | filters.VENUE
    | filters.CONTACT
    | filters.POLL
    | filters.Dice.ALL
)

BotApp = Application[
    ExtBot[None],
    CallbackContext[Any, Any, Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[Any],
]


def build_services(config: Config, engine: Callable[[], Engine] | None = None) -> Services:
    """Load the knowledge base (unless `engine` gives the one already loading) and open the
    store (the one real `Services`)."""
    # Imported here so that tests, which inject their own store, never open SQLite.
    from bot.store import Store

    loaded = (
        engine()
        if engine is not None
        else engine_builder(config.data_dir, config.prebuilt_index_dir)(
            load(config.intents_dir, config.seeds_dir)
        )
    )
    release_free_memory()
    store = Store(config.data_dir, retention_days=config.retention_days)
    return Services(config=config, engine=loaded, store=store)


def build_application(
    config: Config,
    services: Services,
    *,
    clock: Callable[[], float] = time.monotonic,
    rate_limiter: BaseRateLimiter | None = None,
    live_reload: bool = True,
    updater: bool = True,
) -> BotApp:
    """The PTB application for `services`; tests inject a fake store, clock or rate limiter.

    `updater=False` builds it without PTB's Updater, for `bot.webhook`'s own web server.
    """
    handlers = Handlers(services, clock=clock)
    builder = Application.builder()
    if not updater:
        builder = builder.updater(None)
    app = (
        builder.token(config.require_token())
        .base_url(config.api_base_url)
        .request(
            AiohttpRequest(
                # One connection per update in flight, plus room for jobs and callback answers.
                pool_size=CONCURRENT_UPDATES + 16,
                connect_timeout=5.0,
                read_timeout=10.0,
                write_timeout=10.0,
                pool_timeout=5.0,
                ssl_context=tls_context(),
            )
        )
        # Long polling gets its own connection, so it never waits behind replies.
        .get_updates_request(
            AiohttpRequest(
                pool_size=1,
                connect_timeout=5.0,
                read_timeout=5.0,  # PTB adds the long-poll timeout to this
                ssl_context=tls_context(),
            )
        )
        # PTB's default is max_retries=0: a 429 would reach the error handler.
        .rate_limiter(
            rate_limiter or AIORateLimiter(overall_max_rate=config.send_rate, max_retries=3)
        )
        .concurrent_updates(CONCURRENT_UPDATES)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                # A question deleted before we answer still gets its answer.
                allow_sending_without_reply=True,
            )
        )
        .post_init(_on_startup(services, handlers, live_reload))
        .post_shutdown(_on_shutdown(services))
        .build()
    )
    register(app, handlers)
    return app


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The certificate check PTB's default client would do (certifi's CA bundle, which slim
    images may lack system-wide), built once: loading it takes ~0.1 s per client otherwise."""
    return httpx.create_ssl_context()


def register(app: BotApp, h: Handlers) -> None:
    """Add every handler. Order matters: the flood guard runs first, in its own group."""
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    app.add_handler(TypeHandler(Update, h.guard), group=-1)
    app.add_handler(CommandHandler("start", h.start_command))
    app.add_handler(CommandHandler("help", h.help_command))
    app.add_handler(CommandHandler("about", h.about_command))
    app.add_handler(CommandHandler("topics", h.topics_command))
    app.add_handler(CommandHandler("sources", h.sources_command))
    app.add_handler(CommandHandler("language", h.language_command))
    app.add_handler(CommandHandler("ask", h.ask_command))
    # Admin commands check the user themselves and answer others as unknown_command does.
    app.add_handler(CommandHandler("stats", h.stats_command))
    app.add_handler(CommandHandler("unanswered", h.unanswered_command))
    app.add_handler(CommandHandler("feedback", h.feedback_command))
    app.add_handler(CommandHandler("reload", h.reload_command))
    app.add_handler(MessageHandler(filters.COMMAND & private, h.unknown_command))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & private, h.on_private_text))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & groups, h.on_group_text))
    app.add_handler(MessageHandler(MEDIA & private, h.on_media))
    app.add_handler(CallbackQueryHandler(h.on_button))
    app.add_handler(InlineQueryHandler(h.on_inline))
    app.add_error_handler(h.on_error)


# --- start-up and shutdown -----------------------------------------------------------------------


def _on_startup(
    services: Services, handlers: Handlers, live_reload: bool
) -> Callable[[BotApp], Coroutine[Any, Any, None]]:
    async def post_init(app: BotApp) -> None:
        """Menus and descriptions (in the background), then the repeating jobs."""
        # The menu is not needed to answer: the bot polls at once instead of waiting for two
        # dozen get/set calls (longer still when Telegram throttles them with 429s).
        task = asyncio.get_running_loop().create_task(_publish_all(app, services))
        _PROFILE_TASKS.add(task)
        task.add_done_callback(_PROFILE_TASKS.discard)
        # Edits are noticed from now on, by the repeating check below or by an admin's /reload.
        await asyncio.to_thread(handlers.watch_knowledge)
        jobs = app.job_queue
        if jobs is None:  # pragma: no cover - the job-queue extra is a dependency
            logger.warning("no job queue: no heartbeat, no live reload")
            return
        beat = _heartbeat(services.config.heartbeat_file)
        # A beat now: a job due "now" would be skipped, as the scheduler starts a moment later.
        await beat(None)
        jobs.run_repeating(beat, HEARTBEAT_SECONDS, first=HEARTBEAT_SECONDS)
        if live_reload:
            jobs.run_repeating(_reload(handlers), services.config.reload_seconds, first=1)

    return post_init


#: Profile publishing under way (a strong reference: the loop keeps only weak ones).
_PROFILE_TASKS: set[asyncio.Task[None]] = set()


async def _publish_all(app: BotApp, services: Services) -> None:
    """Menu and descriptions per language, then the admins' menus."""
    knowledge = services.engine.knowledge
    try:
        await asyncio.wait_for(publish_profile(app.bot, knowledge), PROFILE_TIMEOUT)
        await asyncio.wait_for(
            publish_admin_commands(app.bot, knowledge, services.config.admin_ids),
            PROFILE_TIMEOUT,
        )
    except TimeoutError:
        logger.warning("setting the command menu timed out; the old one stays")
    except Exception:  # a background task: nobody else would log it
        logger.exception("setting the command menu failed; the old one stays")


async def profile_published() -> None:
    """Wait until the menus and descriptions started at start-up are set (or given up)."""
    await asyncio.gather(*_PROFILE_TASKS, return_exceptions=True)


def _on_shutdown(services: Services) -> Callable[[BotApp], Coroutine[Any, Any, None]]:
    async def post_shutdown(app: BotApp) -> None:
        """Stop publishing the menu if it still runs; write what the store still has queued."""
        tasks = list(_PROFILE_TASKS)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.to_thread(services.store.close)

    return post_shutdown


async def publish_profile(bot: ExtBot[None], knowledge: Knowledge) -> None:
    """The command menu, description and short description in each language (and a default).

    Each is read first and set only when it differs: Telegram throttles these calls hard, and a
    bot restarted in a loop would otherwise wait out long 429s at every start.
    """
    await asyncio.gather(
        *(
            task
            for code in (None, *LANGS)
            for task in (
                _publish_commands(bot, knowledge, code),
                _publish_descriptions(bot, knowledge, code),
            )
        )
    )


async def _publish_commands(bot: ExtBot[None], knowledge: Knowledge, code: Lang | None) -> None:
    commands = [
        BotCommand(name, knowledge.message(f"command_{name}", code or "en"))
        for name in MENU_COMMANDS
    ]
    try:
        current = await bot.get_my_commands(language_code=code)
        if [(c.command, c.description) for c in current] != [
            (c.command, c.description) for c in commands
        ]:
            await bot.set_my_commands(commands, language_code=code)
    except TelegramError as error:
        # The bot answers fine without a menu; don't let this stop the start.
        logger.warning("could not set the %s menu: %s", code or "default", type(error).__name__)


async def publish_admin_commands(
    bot: ExtBot[None], knowledge: Knowledge, admin_ids: frozenset[int]
) -> None:
    """Each admin's private chat gets the public menu plus the admin commands.

    Failures are logged and ignored: an admin who never started the bot has no chat yet
    ("chat not found"), and the commands work without a menu anyway.
    """
    commands = [
        *(BotCommand(name, knowledge.message(f"command_{name}", "en")) for name in MENU_COMMANDS),
        *(BotCommand(name, description) for name, description in ADMIN_COMMANDS.items()),
    ]
    wanted = [(c.command, c.description) for c in commands]
    for admin in sorted(admin_ids):
        scope = BotCommandScopeChat(admin)
        try:
            current = await bot.get_my_commands(scope=scope)
            if [(c.command, c.description) for c in current] != wanted:
                await bot.set_my_commands(commands, scope=scope)
        except TelegramError as error:
            logger.warning("could not set an admin's command menu: %s", type(error).__name__)


async def _publish_descriptions(
    bot: ExtBot[None], knowledge: Knowledge, code: Lang | None
) -> None:
    description = knowledge.message("about", code or "en")
    short = knowledge.message("short_description", code or "en")
    try:
        current, current_short = await asyncio.gather(
            bot.get_my_description(language_code=code),
            bot.get_my_short_description(language_code=code),
        )
        if current.description != description:
            await bot.set_my_description(description, language_code=code)
        if current_short.short_description != short:
            await bot.set_my_short_description(short, language_code=code)
    except TelegramError as error:
        logger.warning(
            "could not set the %s description: %s", code or "default", type(error).__name__
        )


def _heartbeat(path: Path) -> Callable[[CallbackContext | None], Coroutine[Any, Any, None]]:
    failing = False

    async def beat(context: CallbackContext | None) -> None:
        """Prove the event loop and the job queue are alive (read by `python -m bot health`)."""
        nonlocal failing
        try:
            await asyncio.to_thread(write_heartbeat, path)
        except OSError as error:
            if not failing:
                logger.warning("cannot write the heartbeat file %s: %s", path, error.strerror)
            failing = True
        else:
            if failing:
                logger.info("the heartbeat file is writable again")
            failing = False
        # Answering leaves numpy's freed temporaries in glibc's heap: hand the free pages back
        # to the OS every beat (~0.5 ms), so a busy hour does not ratchet RSS up.
        trim_heap()

    return beat


def write_heartbeat(path: Path, now: float | None = None) -> None:
    """The current Unix time, written atomically so `health` never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(f"{time.time() if now is None else now:.3f}\n", encoding="utf-8")
    partial.replace(path)


def _reload(handlers: Handlers) -> Callable[[CallbackContext], Coroutine[Any, Any, None]]:
    async def reload(context: CallbackContext) -> None:
        """Follow edits of intents/ and seeds/; tell the admins what changed or what is broken."""
        result = await handlers.reload_knowledge()
        if result is not None:
            await handlers.tell_admins(context.bot, functools.partial(describe, result))

    return reload


# --- python -m bot run ---------------------------------------------------------------------------


def run_command(
    args: argparse.Namespace, config: Config, engine: Callable[[], Engine] | None = None
) -> int:
    """Run the bot until SIGINT/SIGTERM; polling by default, the webhook when configured.
    `engine` returns the engine when `bot.cli` started loading it before this module imported."""
    config.require_token()  # fail before loading anything, with the `python -m bot chat` hint
    services = build_services(config, engine)
    webhook = config.mode == "webhook"
    try:
        app = build_application(config, services, updater=not webhook)
    except BaseException:
        services.store.close()
        raise
    logger.info("starting in %s mode", config.mode)
    try:
        if webhook:
            # Our own server instead of app.run_webhook, for /healthz on the webhook port.
            asyncio.run(serve(app, config, webhook_path(config.webhook_url), ALLOWED_UPDATES))
        else:
            app.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        raise ConfigError(
            "Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather"
        ) from None
    return 0


def webhook_path(webhook_url: str | None) -> str:
    """The local path the webhook listens on: the public URL's path (`https://host/tg` → `tg`)."""
    path = urlparse(webhook_url or "").path.strip("/")
    return path or "telegram"
