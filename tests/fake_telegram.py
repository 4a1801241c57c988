"""FakeTelegram: a Bot API stand-in on 127.0.0.1 for end-to-end tests through PTB's real HTTP layer.

It speaks the real envelope (`{"ok": true, "result": ...}`, errors with `error_code`, `description`
and `parameters.retry_after`), serves injected updates to long-polling `getUpdates`, and records
every other call. It is as strict as Telegram where our bot could go wrong: HTML that Telegram would
refuse to parse, messages over 4096 characters and callback data over 64 bytes are answered with
400 Bad Request. Faults are injected per method: `fail_next` (429 with retry_after, 5xx) and
`drop_next` (the connection is closed mid-request).

Tests talk to it in users' terms: `user_says`, `user_sends`, `press`, `inline_query`, then
`next_reply` / `next_call`, each with a timeout instead of sleeps.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import os
import re
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final
from unittest import mock

from aiohttp import web
from telegram.ext import BaseRateLimiter

from bot.app import ALLOWED_UPDATES, build_application, profile_published
from bot.config import Config
from bot.engine import Engine
from bot.handlers import Services, Storage
from bot.store import Log

TOKEN: Final = "123456789:AAFakeTokenForTests_do-not-log-me"
BOT_ID: Final = 123456789
BOT_USERNAME: Final = "sdg_centre_test_bot"
MAX_TEXT: Final = 4096
MAX_CALLBACK_DATA: Final = 64

#: Methods whose reply is a message a user sees (new or edited).
REPLY_METHODS: Final = frozenset({"sendMessage", "editMessageText"})
#: Form fields that PTB sends JSON-encoded (plain strings such as `text` are sent as they are).
JSON_FIELDS: Final = frozenset(
    {
        "reply_markup",
        "results",
        "commands",
        "reply_parameters",
        "link_preview_options",
        "entities",
        "button",
        "scope",
        "allowed_updates",
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "show_alert",
        "is_personal",
        "cache_time",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
    }
)
#: Tags Telegram accepts in parse_mode=HTML.
HTML_TAGS: Final = frozenset(
    "b strong i em u ins s strike del span tg-spoiler a code pre blockquote tg-emoji".split()
)
_TAG: Final = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)>")
_ENTITY: Final = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


# --- people and chats ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class User:
    id: int
    first_name: str
    language_code: str | None = "en"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True, slots=True)
class Chat:
    id: int
    type: str
    title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.title:
            data["title"] = self.title
        return data


ALICE: Final = User(1001, "Alice", "en")
BORIS: Final = User(1002, "Борис", "ru")
AIGERIM: Final = User(1003, "Айгерим", "kk")
GROUP: Final = Chat(-100500, "supergroup", "SDG friends")
BOT_USER: Final = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "SDG Centre",
    "username": BOT_USERNAME,
}


def private(user: User) -> Chat:
    return Chat(user.id, "private")


# --- what the bot sent ---------------------------------------------------------------------------


@dataclass(slots=True)
class Call:
    """One Bot API call as the fake received it, with the status it answered."""

    method: str
    params: dict[str, Any]
    status: int = 200


@dataclass(slots=True)
class Sent:
    """A message the bot sent or edited, as the user sees it."""

    method: str
    chat_id: int
    message_id: int
    html: str
    keyboard: list[list[dict[str, Any]]] = field(default_factory=list)
    reply_to: int | None = None
    #: When the fake server received it (time.perf_counter()), for benchmarks.
    received: float = field(default_factory=time.perf_counter)

    @property
    def text(self) -> str:
        """The text without markup, as a user reads it."""
        return visible_text(self.html)

    @property
    def labels(self) -> list[str]:
        return [button["text"] for row in self.keyboard for button in row]

    def data(self, label: str) -> str:
        for row in self.keyboard:
            for button in row:
                if button["text"] == label:
                    return str(button["callback_data"])
        raise AssertionError(f"no button {label!r} among {self.labels}")


def check_html(text: str) -> str | None:
    """Why Telegram would refuse this HTML (its wording), or None if it parses."""
    stack: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "<":
            tag = _TAG.match(text, position)
            if tag is None:
                return f"can't parse entities: unexpected '<' at byte offset {position}"
            closing, name = tag.group(1), tag.group(2).lower()
            if name not in HTML_TAGS:
                return f'can\'t parse entities: Unsupported start tag "{name}"'
            if closing:
                if not stack or stack.pop() != name:
                    return f'can\'t parse entities: Unmatched end tag "{name}"'
            else:
                stack.append(name)
            position = tag.end()
        elif char == "&":
            entity = _ENTITY.match(text, position)
            if entity is None:
                return f"can't parse entities: bare '&' at byte offset {position}"
            position = entity.end()
        elif char == ">":
            return f"can't parse entities: unescaped '>' at byte offset {position}"
        else:
            position += 1
    if stack:
        return (
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return None


def visible_text(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


# --- the server ----------------------------------------------------------------------------------


class FakeTelegram:
    """A Bot API on 127.0.0.1:<free port>: queues updates for getUpdates, records every call."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.profile: dict[tuple[str, str], Any] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = itertools.count(1)
        self._message_ids: dict[int, Iterator[int]] = defaultdict(lambda: itertools.count(1))
        self._query_ids = itertools.count(1)
        self._confirmed = 0  # highest offset getUpdates was called with
        self._new_updates = asyncio.Event()
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._replies: asyncio.Queue[Sent] = asyncio.Queue()
        self._by_method: dict[str, asyncio.Queue[Call]] = defaultdict(asyncio.Queue)
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.port = 0
        #: Set by `running_bot`: the application under test, its services and store.
        self.app: Any = None
        self.services: Services | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("POST", "/{path:.*}", self._handle)
        app.router.add_route("GET", "/{path:.*}", self._handle)
        # No access log: it would print every URL, and URLs carry the token.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        self._closing = True
        self._new_updates.set()  # long polls return at once
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # --- fault injection ---------------------------------------------------------------------

    def fail_next(self, method: str, status: int, retry_after: int | None = None) -> None:
        """The next call to `method` fails with this status (429 with retry_after, 500, …)."""
        self._faults[method].append(_Fault("fail", status=status, retry_after=retry_after))

    def drop_next(self, method: str) -> None:
        """The next call to `method` has its connection closed before any answer."""
        self._faults[method].append(_Fault("drop"))

    def delay_next(self, method: str, seconds: float, *, chat_id: int | None = None) -> None:
        """The next call to `method` (for `chat_id`, if given) is answered `seconds` late."""
        self._faults[method].append(_Fault("delay", seconds=seconds, chat_id=chat_id))

    async def faults_used(self, timeout: float = 5.0) -> None:
        """Wait until every injected fault has hit its call."""
        async with asyncio.timeout(timeout):
            while any(self._faults.values()):
                await asyncio.sleep(0.01)

    def interrupt_polls(self) -> None:
        """End the current long poll early with no updates (so the next poll meets a fault)."""
        self._new_updates.set()

    # --- users' actions ----------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._next_update_id), **update}
        self._updates.append(update)
        self._new_updates.set()
        return update

    def user_says(
        self,
        text: str,
        *,
        user: User = ALICE,
        chat: Chat | None = None,
        lang: str | None = None,
        reply_to: Sent | None = None,
        via_bot: bool = False,
    ) -> dict[str, Any]:
        """A text message from `user` (in their private chat unless `chat` is given);
        `via_bot`: the user posted one of the bot's inline results."""
        if lang is not None:
            user = User(user.id, user.first_name, lang)
        message = self._message(user, chat or private(user), text=text)
        if via_bot:
            message["via_bot"] = BOT_USER
        message["entities"] = _entities(text)
        if not message["entities"]:
            del message["entities"]
        if reply_to is not None:
            message["reply_to_message"] = _public(
                self.messages[(reply_to.chat_id, reply_to.message_id)]
            )
        self.push({"message": message})
        return message

    def user_edits(self, message: dict[str, Any], text: str) -> None:
        edited = {**message, "text": text, "edit_date": int(time.time())}
        edited.pop("entities", None)
        if entities := _entities(text):
            edited["entities"] = entities
        self.push({"edited_message": edited})

    def user_sends(self, kind: str, *, user: User = ALICE, chat: Chat | None = None) -> None:
        """A non-text message: sticker, photo, voice, location, contact or document."""
        self.push({"message": self._message(user, chat or private(user), **_MEDIA[kind])})

    def press(self, sent: Sent, label: str, *, user: User = ALICE) -> None:
        """Tap the button labelled `label` under the latest version of `sent`."""
        latest = self.latest(sent)
        self.tap(latest, latest.data(label), user=user)

    def tap(self, sent: Sent, data: str, *, user: User = ALICE) -> str:
        """A callback query with any data, e.g. forged or out of date; returns the query id."""
        query_id = str(next(self._query_ids))
        self.push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.to_dict(),
                    "message": _public(self.messages[(sent.chat_id, sent.message_id)]),
                    "chat_instance": "42",
                    "data": data,
                }
            }
        )
        return query_id

    def inline_query(self, query: str, *, user: User = ALICE) -> str:
        query_id = str(next(self._query_ids))
        self.push(
            {
                "inline_query": {
                    "id": query_id,
                    "from": user.to_dict(),
                    "query": query,
                    "offset": "",
                }
            }
        )
        return query_id

    # --- observing the bot -------------------------------------------------------------------

    async def next_reply(self, timeout: float = 5.0) -> Sent:
        """The next message the bot sends or edits (in the order the fake received them)."""
        async with asyncio.timeout(timeout):
            return await self._replies.get()

    async def next_call(self, method: str, timeout: float = 5.0) -> Call:
        """The next successful call to `method`."""
        async with asyncio.timeout(timeout):
            return await self._by_method[method].get()

    def pending_replies(self) -> int:
        return self._replies.qsize()

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def latest(self, sent: Sent) -> Sent:
        """`sent` as it is now, after any edits."""
        message = self.messages[(sent.chat_id, sent.message_id)]
        return Sent(
            "current",
            sent.chat_id,
            sent.message_id,
            message["_html"],
            message.get("reply_markup", {}).get("inline_keyboard", []),
        )

    async def settle(self, timeout: float = 5.0) -> None:
        """Wait until the bot has fetched every pushed update and finished handling it.

        For asserting that something did *not* happen (an ignored message, a dropped flood).
        """
        stable = 0
        async with asyncio.timeout(timeout):
            while stable < 3:  # idle three checks in a row: no task was about to start
                await asyncio.sleep(0.01)
                idle = (
                    self.all_confirmed
                    and self.app.update_queue.empty()
                    and self.app.update_processor.current_concurrent_updates == 0
                )
                stable = stable + 1 if idle else 0

    @property
    def all_confirmed(self) -> bool:
        """Whether the bot has fetched, and confirmed, every update pushed so far."""
        return not self._updates or self._confirmed > self._updates[-1]["update_id"]

    # --- the HTTP side -----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        prefix = f"bot{self.token}/"
        if not path.startswith(prefix):
            return _error(401, "Unauthorized")
        method = path[len(prefix) :]
        params = await request_params(request)
        fault = self._take_fault(method, params)
        if fault is not None and fault.kind == "drop":
            self.calls.append(Call(method, params, status=0))
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=500)  # never reaches the client
        if fault is not None and fault.kind == "fail":
            self.calls.append(Call(method, params, status=fault.status))
            description = _DESCRIPTIONS.get(fault.status, "Internal Server Error")
            return _error(fault.status, description.format(fault.retry_after), fault.retry_after)
        if fault is not None:
            await asyncio.sleep(fault.seconds)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            self.calls.append(Call(method, params, status=404))
            return _error(404, "Not Found")
        try:
            result = await handler(params)
        except _BadRequest as error:
            self.calls.append(Call(method, params, status=400))
            return _error(400, f"Bad Request: {error}")
        call = Call(method, params)
        self.calls.append(call)
        self._by_method[method].put_nowait(call)
        return web.json_response({"ok": True, "result": result})

    def _take_fault(self, method: str, params: dict[str, Any]) -> _Fault | None:
        for fault in self._faults[method]:
            if fault.chat_id is None or fault.chat_id == params.get("chat_id"):
                self._faults[method].remove(fault)
                return fault
        return None

    # --- Bot API methods ---------------------------------------------------------------------

    async def _api_getMe(self, params: dict[str, Any]) -> Any:
        return {
            **BOT_USER,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        self._confirmed = max(self._confirmed, offset)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        while True:
            ready = [u for u in self._updates if u["update_id"] >= offset]
            remaining = deadline - time.monotonic()
            if ready or self._closing or remaining <= 0:
                return ready[:100]
            self._new_updates.clear()
            try:
                await asyncio.wait_for(self._new_updates.wait(), remaining)
            except TimeoutError:
                return []
            if not [u for u in self._updates if u["update_id"] >= offset]:
                return []  # interrupted on purpose, or closing

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        self.profile[("webhook", "")] = params.get("url", "")
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    async def _api_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        text = self._checked(params)
        chat_id = int(params["chat_id"])
        message_id = next(self._message_ids[chat_id])
        reply_to = (params.get("reply_parameters") or {}).get("message_id")
        message = self._bot_message(chat_id, message_id, text, params.get("reply_markup"))
        self._replies.put_nowait(
            Sent("sendMessage", chat_id, message_id, text, _keyboard(params), reply_to)
        )
        return _public(message)

    async def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        text = self._checked(params)
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self._existing(key)
        if message["_html"] == text and message.get("reply_markup") == params.get("reply_markup"):
            raise _BadRequest("message is not modified")
        message = self._bot_message(*key, text, params.get("reply_markup"), date=message["date"])
        self._replies.put_nowait(Sent("editMessageText", *key, text, _keyboard(params)))
        return _public(message)

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self._existing(key)
        _check_markup(params.get("reply_markup"))
        message = self._bot_message(
            *key, message["_html"], params.get("reply_markup"), date=message["date"]
        )
        return _public(message)

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        if len(params.get("text") or "") > 200:
            raise _BadRequest("MESSAGE_TOO_LONG")
        return True

    async def _api_answerInlineQuery(self, params: dict[str, Any]) -> Any:
        for result in params.get("results") or []:
            content = result.get("input_message_content", {})
            if problem := check_html(content.get("message_text", "")):
                raise _BadRequest(problem)
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> Any:
        self.profile[("commands", params.get("language_code") or "")] = params["commands"]
        return True

    async def _api_getMyCommands(self, params: dict[str, Any]) -> Any:
        return self.profile.get(("commands", params.get("language_code") or ""), [])

    async def _api_setMyDescription(self, params: dict[str, Any]) -> Any:
        self.profile[("description", params.get("language_code") or "")] = params.get(
            "description", ""
        )
        return True

    async def _api_getMyDescription(self, params: dict[str, Any]) -> Any:
        key = ("description", params.get("language_code") or "")
        return {"description": self.profile.get(key, "")}

    async def _api_setMyShortDescription(self, params: dict[str, Any]) -> Any:
        text = params.get("short_description", "")
        if len(text) > 120:
            raise _BadRequest("description is too long")
        self.profile[("short_description", params.get("language_code") or "")] = text
        return True

    async def _api_getMyShortDescription(self, params: dict[str, Any]) -> Any:
        key = ("short_description", params.get("language_code") or "")
        return {"short_description": self.profile.get(key, "")}

    # --- helpers -----------------------------------------------------------------------------

    def _checked(self, params: dict[str, Any]) -> str:
        """The message text, refused as Telegram would refuse it."""
        text = str(params.get("text", ""))
        if params.get("parse_mode") == "HTML":
            if problem := check_html(text):
                raise _BadRequest(problem)
            visible = visible_text(text)
        else:
            visible = text
        if not visible.strip():
            raise _BadRequest("message text is empty")
        if len(visible) > MAX_TEXT:
            raise _BadRequest("message is too long")
        _check_markup(params.get("reply_markup"))
        return text

    def _existing(self, key: tuple[int, int]) -> dict[str, Any]:
        if key not in self.messages:
            raise _BadRequest("message to edit not found")
        return self.messages[key]

    def _message(self, user: User, chat: Chat, **content: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids[chat.id]),
            "date": int(time.time()),
            "chat": chat.to_dict(),
            "from": user.to_dict(),
            **content,
        }
        self.messages[(chat.id, message["message_id"])] = message
        return message

    def _bot_message(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        markup: Any,
        date: int | None = None,
    ) -> dict[str, Any]:
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": date or int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            "text": visible_text(text),
            "_html": text,
        }
        if markup:
            message["reply_markup"] = markup
        self.messages[(chat_id, message_id)] = message
        return message


class _BadRequest(Exception):
    pass


@dataclass(frozen=True, slots=True)
class _Fault:
    kind: str  # "fail", "drop" or "delay"
    status: int = 500
    retry_after: int | None = None
    seconds: float = 0.0
    chat_id: int | None = None


_DESCRIPTIONS: Final[Mapping[int, str]] = {
    400: "Bad Request: chat not found",
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests: retry after {}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

_MEDIA: Final[Mapping[str, Mapping[str, Any]]] = {
    "sticker": {
        "sticker": {
            "file_id": "s1",
            "file_unique_id": "u1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    },
    "photo": {"photo": [{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}]},
    "voice": {"voice": {"file_id": "v1", "file_unique_id": "u3", "duration": 2}},
    "location": {"location": {"latitude": 43.238, "longitude": 76.945}},
    "contact": {"contact": {"phone_number": "+77000000000", "first_name": "Dana"}},
    "document": {"document": {"file_id": "d1", "file_unique_id": "u4", "file_name": "a.pdf"}},
}


def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {
        "ok": False,
        "error_code": status,
        "description": description,
    }
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


async def request_params(request: web.Request) -> dict[str, Any]:
    """The call's parameters, from JSON or form data (PTB sends form data, JSON-encoding
    everything that is not a plain string)."""
    if request.content_type == "application/json":
        body = await request.read()
        return dict(json.loads(body)) if body else {}
    form = await request.post()
    params: dict[str, Any] = {}
    for key, value in form.items():
        if key in JSON_FIELDS and isinstance(value, str):
            try:
                params[key] = json.loads(value)
            except json.JSONDecodeError:
                params[key] = value
        else:
            params[key] = value
    return params


def _keyboard(params: dict[str, Any]) -> list[list[dict[str, Any]]]:
    markup = params.get("reply_markup") or {}
    return list(markup.get("inline_keyboard", []))


def _check_markup(markup: Any) -> None:
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise _BadRequest("BUTTON_DATA_INVALID")


def _public(message: dict[str, Any]) -> dict[str, Any]:
    """The message as Telegram returns it (without the fake's own bookkeeping)."""
    return {key: value for key, value in message.items() if not key.startswith("_")}


def _entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram would attach: a bot command at the start, and @mentions."""
    entities = []
    command = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": _utf16(command.group())})
    for mention in re.finditer(r"(?<![\w@/])@[A-Za-z0-9_]{5,}", text):
        offset = _utf16(text[: mention.start()])
        entities.append({"type": "mention", "offset": offset, "length": _utf16(mention.group())})
    return entities


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# --- a harness: the fake server plus the application under test ---------------------------------


class FakeStore:
    """The `Storage` interface in memory: what the bot recorded, for assertions."""

    def __init__(self) -> None:
        self.questions: list[dict[str, Any]] = []
        self.votes: list[dict[str, Any]] = []
        self.languages: dict[int, str] = {}
        self.closed = False

    def record_question(self, **fields: Any) -> None:
        self.questions.append(fields)

    def record_vote(self, **fields: Any) -> None:
        self.votes.append(fields)

    def set_language(self, user_id: int, language: str) -> None:
        self.languages[user_id] = language

    def language(self, user_id: int) -> str | None:
        return self.languages.get(user_id)

    def log(self, since: Any = None) -> Log:
        """Nothing is kept for reports here; admin tests use the real store."""
        return Log()

    def close(self) -> None:
        self.closed = True


class FrozenClock:
    """A monotonic clock that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


#: Long-poll timeout in tests; `Updater.stop()` cancels the poll in flight, so it costs nothing.
POLL_TIMEOUT: Final = 10


@asynccontextmanager
async def running_bot(
    data_dir: Path,
    engine: Engine,
    *,
    store: Storage | None = None,
    clock: Callable[[], float] = time.monotonic,
    rate_limiter: BaseRateLimiter | None = None,
    live_reload: bool = False,
    **config: Any,
) -> AsyncIterator[FakeTelegram]:
    """FakeTelegram plus the real application polling it, driven as `run_polling` would.

    `run_polling` calls the post-hooks itself; driving the app by hand, we must (PTB gotcha).
    """
    # PTB ≥ 22.2 warns about every 429 (RetryAfter.retry_after becomes a timedelta) unless
    # opted in; with filterwarnings=error that warning would fail the 429 tests.
    with mock.patch.dict(os.environ, {"PTB_TIMEDELTA": "1"}):
        async with _running_bot(
            data_dir, engine, store, clock, rate_limiter, live_reload, config
        ) as api:
            yield api


@asynccontextmanager
async def _running_bot(
    data_dir: Path,
    engine: Engine,
    store: Storage | None,
    clock: Callable[[], float],
    rate_limiter: BaseRateLimiter | None,
    live_reload: bool,
    config: dict[str, Any],
) -> AsyncIterator[FakeTelegram]:
    api = FakeTelegram()
    await api.start()
    settings = replace(
        Config(token=api.token, api_base_url=api.base_url, data_dir=data_dir), **config
    )
    api.services = Services(config=settings, engine=engine, store=store or FakeStore())
    app = build_application(
        settings, api.services, clock=clock, rate_limiter=rate_limiter, live_reload=live_reload
    )
    api.app = app
    try:
        await app.initialize()
        try:
            await app.post_init(app)
            await profile_published()  # so tests see the menu set, as a user does a moment later
            await app.updater.start_polling(
                poll_interval=0, timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES
            )
            await app.start()
            yield api
        finally:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.shutdown()
            await app.post_shutdown(app)
    finally:
        await api.close()
