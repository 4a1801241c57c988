"""Logging set-up. The bot token must never reach a log line, at any level."""

from __future__ import annotations

import logging
import re
from typing import Final

from bot.config import Config

#: Bot API URLs carry the token as `/bot<id>:<secret>/`; exception texts repeat the URL.
_TOKEN_IN_URL: Final = re.compile(r"bot\d+:[A-Za-z0-9_-]+")
_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactTokens(logging.Filter):
    """Replaces the configured token, and anything shaped like one in a URL, with a marker."""

    def __init__(self, token: str | None) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        cleaned = self._redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        return True

    def _redact(self, text: str) -> str:
        if self._token:
            text = text.replace(self._token, "<token>")
        return _TOKEN_IN_URL.sub("bot<token>", text)


def setup_logging(config: Config) -> None:
    """Log to stderr at the configured level, tokens redacted; quiet the HTTP libraries."""
    root = logging.getLogger()
    root.setLevel(config.log_level)
    handler = next((h for h in root.handlers if getattr(h, "_bot_handler", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler._bot_handler = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(handler)
    for existing in list(handler.filters):
        handler.removeFilter(existing)
    handler.addFilter(RedactTokens(config.token))
    # httpx logs every request URL (with the token) at INFO; httpcore traces at DEBUG. The bot
    # sends through aiohttp (bot/transport.py), but PTB still builds httpx clients it may use.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # APScheduler logs two INFO lines per job run: the reload check alone would write one
    # every second or two, burying the lines that matter.
    debugging = root.level <= logging.DEBUG
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if debugging else logging.WARNING)
