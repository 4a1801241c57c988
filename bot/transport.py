"""python-telegram-bot's HTTP transport on aiohttp instead of httpx.

PTB talks to the Bot API through a `BaseRequest`: it builds the request data, calls
`do_request`, and parses the answer (errors, 429 retry_after, migrate_to_chat_id) itself. Only the
transport changes here. Why: profiling the bot under load (tests/bench/bench_e2e.py) showed httpx
spending more CPU per reply than the whole rest of the bot — its connection pool checks every idle
connection with system calls on every request, and httpcore retries a failing `import sniffio` on
each one. aiohttp's client does the same request for a fraction of that (numbers in the README).
"""

from __future__ import annotations

import json
import ssl
import urllib.request
from typing import Final
from urllib.parse import urlsplit

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.errors import BotError


class TransportError(BotError):
    """The transport was used before `initialize()` or after `shutdown()`."""


class AiohttpRequest(BaseRequest):
    """A PTB request object: one aiohttp session with a bounded connection pool.

    Timeouts mean what they mean for PTB's own HTTPXRequest: `connect` to open a connection,
    `read` between bytes of the answer (PTB adds the long-poll time for getUpdates), `pool` to wait
    for a free connection, `write` to send the request; aiohttp has no separate write timeout, so
    write and read share one budget for the whole exchange.
    """

    def __init__(
        self,
        *,
        pool_size: int,
        connect_timeout: float = 5.0,
        read_timeout: float | None = 5.0,
        write_timeout: float = 5.0,
        pool_timeout: float = 1.0,
        media_write_timeout: float = 20.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._pool_size = pool_size
        self._connect = connect_timeout
        self._read = read_timeout
        self._write = write_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._ssl = ssl_context
        self._session: aiohttp.ClientSession | None = None
        #: Proxy (or None) by URL origin, read from the environment once per origin.
        self._proxies: dict[str, str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._pool_size, ssl=self._ssl if self._ssl is not None else True
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                # Not trust_env: with it aiohttp re-reads ~/.netrc and the proxy variables on
                # every request (a fifth of the bot's CPU under load); `_proxy` reads them once.
                trust_env=False,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise TransportError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, files)
        data, headers = _body(request_data, files)
        try:
            async with self._session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=timeout,
                proxy=self._proxy(url),
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            # The class name helps when the message is empty ("Server disconnected" has one).
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    def _proxy(self, url: str) -> str | None:
        """The proxy for `url` from HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY, as httpx
        would take them; looked up once per origin (the bot only ever talks to one)."""
        origin = url[: url.find("/", url.find("//") + 2)]
        if origin not in self._proxies:
            self._proxies[origin] = _env_proxy(origin)
        return self._proxies[origin]

    def _timeout(
        self,
        read: float | object | None,
        write: float | object | None,
        connect: float | object | None,
        pool: float | object | None,
        files: object,
    ) -> aiohttp.ClientTimeout:
        read_s = self._read if read is BaseRequest.DEFAULT_NONE else read
        write_s = (
            (self._media_write if files else self._write)
            if write is BaseRequest.DEFAULT_NONE
            else write
        )
        connect_s = self._connect if connect is BaseRequest.DEFAULT_NONE else connect
        pool_s = self._pool if pool is BaseRequest.DEFAULT_NONE else pool
        return aiohttp.ClientTimeout(
            total=None,
            # aiohttp's `connect` covers waiting for a pooled connection and opening a new one.
            connect=_add(pool_s, connect_s),
            sock_connect=_seconds(connect_s),
            sock_read=_add(read_s, write_s),
        )


_JSON: Final = {"Content-Type": "application/json"}


def _body(
    request_data: RequestData | None, files: dict | None
) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
    """The request body and its headers: parameters as one JSON object (the Bot API takes JSON,
    and it costs a fraction of form-encoding every value), multipart when there are files."""
    if request_data is None:
        return None, None
    if not files:
        # Not PTB's `json_payload`: it nests every non-string value as a JSON string.
        return json.dumps(request_data.parameters, ensure_ascii=False).encode(), _JSON
    fields = request_data.json_parameters
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, upload in files.items():
        filename, content, *rest = upload
        form.add_field(name, content, filename=filename, content_type=rest[0] if rest else None)
    return form, None


def _env_proxy(origin: str) -> str | None:
    parts = urlsplit(origin)
    if parts.hostname and urllib.request.proxy_bypass(parts.hostname):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(parts.scheme) or proxies.get("all")


def _seconds(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _add(a: object, b: object) -> float | None:
    """The sum of two timeouts, or None (no limit) when either is unlimited."""
    x, y = _seconds(a), _seconds(b)
    return None if x is None or y is None else x + y
