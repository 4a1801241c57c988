"""Webhook mode: a small tornado server beside the Application, with a `/healthz` route.

PTB's `run_webhook` serves only the webhook path, so this module follows PTB's custom-webhook
pattern instead (`examples/customwebhookbot`): the Application is built with `updater(None)`, the
web server puts each update on `application.update_queue` and serves `/healthz` on the same port.
Since PTB no longer runs the Application, this module does what `run_webhook` did: check the
`X-Telegram-Bot-Api-Secret-Token` header, call `post_init`/`post_shutdown`, register the webhook
and stop cleanly on SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import signal
from collections.abc import Sequence
from typing import Any, Final

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.ext import Application

from bot.config import Config
from bot.health import DEFAULT_MAX_AGE, check_heartbeat

__all__ = ["HEALTH_PATH", "SECRET_HEADER", "make_server", "serve"]

logger = logging.getLogger(__name__)

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
HEALTH_PATH: Final = "/healthz"
#: Telegram's updates are a few kB; anything much larger is not from Telegram.
MAX_BODY_BYTES: Final = 1 << 20
#: How long closing the open HTTP connections may take at shutdown.
CLOSE_SECONDS: Final = 3.0

AnyApp = Application[Any, Any, Any, Any, Any, Any]


class _UpdateHandler(tornado.web.RequestHandler):
    """POST at the webhook path: a signed update goes on the application's update queue."""

    def initialize(self, app: AnyApp, secret: str) -> None:
        self.app = app
        self.secret = secret.encode()

    async def post(self) -> None:
        token = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(token, self.secret):
            logger.debug("webhook request without the right secret token")
            raise tornado.web.HTTPError(403)
        try:
            data = json.loads(self.request.body)
        except (ValueError, UnicodeDecodeError):
            raise tornado.web.HTTPError(400) from None
        if not isinstance(data, dict):
            raise tornado.web.HTTPError(400)
        try:
            update = Update.de_json(data, self.app.bot)
        except (KeyError, TypeError, ValueError):
            raise tornado.web.HTTPError(400) from None
        await self.app.update_queue.put(update)
        self.set_status(200)


class _HealthHandler(tornado.web.RequestHandler):
    """GET /healthz: 200 "ok" while the application runs and its heartbeat is fresh, else 503."""

    def initialize(self, app: AnyApp, config: Config) -> None:
        self.app = app
        self.config = config

    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        if not self.app.running:
            healthy, reason = False, "the application is not running"
        else:
            try:
                max_age = float(self.get_argument("max_age", str(DEFAULT_MAX_AGE)))
            except ValueError:
                raise tornado.web.HTTPError(400) from None
            healthy, reason = check_heartbeat(self.config.heartbeat_file, max_age)
        self.set_status(200 if healthy else 503)
        self.finish("ok\n" if healthy else f"{reason}\n")


def _log_request(handler: tornado.web.RequestHandler) -> None:
    """Tornado's access log, quieter: the health check runs every 30 s."""
    status = handler.get_status()
    level = logging.WARNING if status >= 500 and status != 503 else logging.DEBUG
    logger.log(level, "%d %s %s", status, handler.request.method, handler.request.path)


def make_server(app: AnyApp, config: Config, path: str) -> tornado.httpserver.HTTPServer:
    """The web server for `app`, listening on `config.webhook_listen:config.port`."""
    web = tornado.web.Application(
        [
            (
                rf"/{re.escape(path)}/?",
                _UpdateHandler,
                {"app": app, "secret": config.webhook_secret},
            ),
            (HEALTH_PATH, _HealthHandler, {"app": app, "config": config}),
        ],
        log_function=_log_request,
    )
    server = tornado.httpserver.HTTPServer(web, max_body_size=MAX_BODY_BYTES, xheaders=False)
    server.listen(config.port, address=config.webhook_listen)
    return server


async def serve(app: AnyApp, config: Config, path: str, allowed_updates: Sequence[str]) -> None:
    """Run `app` in webhook mode until SIGINT/SIGTERM, as PTB's `run_webhook` would."""
    if not config.webhook_secret:  # Config.from_env already refuses this
        raise ValueError("webhook mode needs a secret token")
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for number in signals:
        loop.add_signal_handler(number, stopping.set)
    try:
        try:
            async with app:  # initialize() … shutdown()
                if app.post_init:  # PTB calls the hooks only in run_polling/run_webhook
                    await app.post_init(app)
                await app.start()  # also starts the JobQueue: heartbeat, live reload
                server = make_server(app, config, path)
                try:
                    await app.bot.set_webhook(
                        url=config.webhook_url or "",
                        secret_token=config.webhook_secret,
                        allowed_updates=list(allowed_updates),
                    )
                    logger.info(
                        "webhook set; listening on %s:%d", config.webhook_listen, config.port
                    )
                    await stopping.wait()
                    logger.info("stop signal received, shutting down")
                finally:
                    server.stop()
                    try:
                        await asyncio.wait_for(server.close_all_connections(), CLOSE_SECONDS)
                    except TimeoutError:
                        logger.warning("some webhook connections did not close in time")
                    if app.running:
                        await app.stop()  # handles what is already on the update queue
        finally:
            if app.post_shutdown:
                await app.post_shutdown(app)  # flushes the store
    finally:
        for number in signals:
            loop.remove_signal_handler(number)
