"""The bot's HTTP transport (PTB's request layer on aiohttp) against a tiny Bot API on 127.0.0.1.

The full bot is tested through this transport in test_telegram.py and test_resilience.py; here
are the transport's own promises: what reaches the server, and which PTB error each failure
becomes, so PTB's retry and error handling keep working.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError, TimedOut

from bot.transport import AiohttpRequest, TransportError

TOKEN = "123456:SECRET-token"
ME = {"id": 123456, "is_bot": True, "first_name": "Bot", "username": "test_bot"}


class Recorder:
    """Answers like the Bot API and remembers what each request carried."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.delay = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        seen: dict[str, Any] = {
            "method": request.match_info["method"],
            "content_type": request.content_type,
            "user_agent": request.headers.get("User-Agent", ""),
        }
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            parts = {}
            async for part in reader:
                parts[part.name] = (part.filename, await part.read())  # type: ignore[union-attr]
            seen["parts"] = parts
        elif request.content_type == "application/json":
            seen["json"] = await request.json()
        else:
            seen["form"] = dict(await request.post())
        seen["host"] = request.headers.get("Host", "")
        self.requests.append(seen)
        await asyncio.sleep(self.delay)
        if seen["method"] == "getMe":
            return web.json_response({"ok": True, "result": ME})
        message = {"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"}}
        return web.json_response({"ok": True, "result": message})


@pytest.fixture
async def server() -> AsyncIterator[tuple[Recorder, str]]:
    recorder = Recorder()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", recorder.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield recorder, f"http://127.0.0.1:{port}/bot"
    await runner.cleanup()


def make_bot(base_url: str, **timeouts: float) -> Bot:
    return Bot(TOKEN, base_url=base_url, request=AiohttpRequest(pool_size=4, **timeouts))


async def test_a_message_reaches_the_api_as_json_with_ptbs_user_agent(
    server: tuple[Recorder, str],
) -> None:
    recorder, url = server
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("Más ✓", callback_data="a:1")]])
    async with make_bot(url) as bot:
        sent = await bot.send_message(
            42, "<b>Hi</b> & bye — Сәлем", parse_mode="HTML", reply_markup=buttons
        )
    assert sent.message_id == 1
    request = recorder.requests[-1]
    assert request["method"] == "sendMessage"
    assert request["content_type"] == "application/json"
    assert request["json"]["text"] == "<b>Hi</b> & bye — Сәлем"
    assert request["json"]["chat_id"] == 42
    assert request["json"]["reply_markup"] == {
        "inline_keyboard": [[{"text": "Más ✓", "callback_data": "a:1"}]]
    }
    assert "python-telegram-bot" in request["user_agent"]


async def test_requests_go_through_the_proxy_named_in_the_environment(
    server: tuple[Recorder, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder, url = server
    proxy = url.removesuffix("/bot")
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    # A host that does not resolve: only the proxy can carry the request.
    async with make_bot("http://api.telegram.invalid/bot") as bot:
        await bot.send_message(42, "via the proxy")
    assert recorder.requests[-1]["host"] == "api.telegram.invalid"
    assert recorder.requests[-1]["json"]["text"] == "via the proxy"


async def test_a_file_upload_is_sent_as_multipart_with_its_name(
    server: tuple[Recorder, str],
) -> None:
    recorder, url = server
    async with make_bot(url) as bot:
        document = InputFile(io.BytesIO(b"full text"), filename="seed.txt")
        await bot.send_document(42, document, caption="The source")
    parts = recorder.requests[-1]["parts"]
    assert parts["document"] == ("seed.txt", b"full text")
    assert parts["caption"] == (None, b"The source")


async def test_a_server_slower_than_the_read_timeout_is_a_timeout(
    server: tuple[Recorder, str],
) -> None:
    recorder, url = server
    async with make_bot(url, read_timeout=0.2, write_timeout=0.0) as bot:
        recorder.delay = 1.0
        with pytest.raises(TimedOut):
            await bot.send_message(42, "hello")


async def test_a_refused_connection_is_a_network_error_without_the_token() -> None:
    # Bind and close a socket to get a port nothing listens on.
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    request = AiohttpRequest(pool_size=1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()
    assert not isinstance(caught.value, TimedOut)
    assert TOKEN not in str(caught.value)


async def test_using_it_before_initialize_or_after_shutdown_is_a_clear_error(
    server: tuple[Recorder, str],
) -> None:
    _, url = server
    request = AiohttpRequest(pool_size=1)
    with pytest.raises(TransportError, match="not initialized"):
        await request.do_request(f"{url}{TOKEN}/getMe", "POST")
    await request.initialize()
    await request.shutdown()
    with pytest.raises(TransportError, match="not initialized"):
        await request.do_request(f"{url}{TOKEN}/getMe", "POST")
