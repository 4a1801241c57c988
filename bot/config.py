"""Configuration, read once from the environment into one frozen object.

Nothing else in the package reads `os.environ`. Errors name the variable and its bad value.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from bot.errors import ConfigError

DEFAULT_API_BASE_URL: Final = "https://api.telegram.org/bot"
_LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_PACKAGE_DIR: Final = Path(__file__).resolve().parent


def _default_dir(name: str) -> Path:
    """The project's `intents/` or `seeds/`: beside the package in a checkout, else inside it."""
    beside = _PACKAGE_DIR.parent / name
    if beside.is_dir():
        return beside
    return _PACKAGE_DIR / "_data" / name


def default_intents_dir() -> Path:
    return _default_dir("intents")


def default_seeds_dir() -> Path:
    return _default_dir("seeds")


@dataclass(frozen=True, slots=True)
class Config:
    """Every setting the bot reads; tests build it directly, `from_env` builds it for real."""

    token: str | None = field(default=None, repr=False)  # never in logs or reprs
    api_base_url: str = DEFAULT_API_BASE_URL
    admin_ids: frozenset[int] = frozenset()
    data_dir: Path = Path("data")
    intents_dir: Path = field(default_factory=default_intents_dir)
    seeds_dir: Path = field(default_factory=default_seeds_dir)
    #: A read-only folder of indexes built ahead (`python -m bot index --into`): the image's.
    prebuilt_index_dir: Path | None = None
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "0.0.0.0"  # noqa: S104 - the container's webhook port must be reachable
    port: int = 8080
    retention_days: int = 365
    log_level: str = "INFO"
    reload_seconds: float = 2.0
    #: Flood guard: `flood_burst` messages at once, refilled at `flood_rate` per second.
    flood_burst: int = 8
    flood_rate: float = 1.0
    #: Messages a second the bot sends in all; Telegram's free limit is 30. 0 = no overall
    #: limit (a local Bot API server, or paid broadcasts). Group limits and 429 retries stay.
    send_rate: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """Read TELEGRAM_* and BOT_* variables; raise ConfigError naming a bad one."""
        env = os.environ if environ is None else environ
        reader = _Reader(env)
        mode = reader.choice("BOT_MODE", ("polling", "webhook"), "polling")
        config = cls(
            token=reader.text("TELEGRAM_BOT_TOKEN"),
            api_base_url=reader.text("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL,
            admin_ids=reader.ids("BOT_ADMIN_IDS"),
            data_dir=reader.path("BOT_DATA_DIR") or Path("data"),
            intents_dir=reader.path("BOT_INTENTS_DIR") or default_intents_dir(),
            seeds_dir=reader.path("BOT_SEEDS_DIR") or default_seeds_dir(),
            prebuilt_index_dir=reader.path("BOT_PREBUILT_INDEX_DIR"),
            mode=mode,  # type: ignore[arg-type]
            webhook_url=reader.text("BOT_WEBHOOK_URL"),
            webhook_secret=reader.text("BOT_WEBHOOK_SECRET"),
            webhook_listen=reader.text("BOT_WEBHOOK_LISTEN") or "0.0.0.0",  # noqa: S104
            port=reader.integer("PORT", 8080, minimum=1, maximum=65535),
            retention_days=reader.integer("BOT_RETENTION_DAYS", 365, minimum=1),
            log_level=reader.choice("BOT_LOG_LEVEL", _LOG_LEVELS, "INFO", upper=True),
            reload_seconds=reader.number("BOT_RELOAD_SECONDS", 2.0, minimum=0.2),
            send_rate=reader.number("BOT_SEND_RATE", 30.0, minimum=0.0),
        )
        if config.mode == "webhook" and not config.webhook_url:
            raise ConfigError("BOT_MODE is 'webhook' but BOT_WEBHOOK_URL is not set")
        if config.mode == "webhook" and not config.webhook_secret:
            raise ConfigError(
                "BOT_MODE is 'webhook' but BOT_WEBHOOK_SECRET is not set: without it anyone "
                "could post fake updates to the webhook"
            )
        return config

    def require_token(self) -> str:
        """The bot token, or a ConfigError that points to the token-free terminal chat."""
        if not self.token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set. To try the bot without Telegram, run: "
                "python -m bot chat"
            )
        return self.token

    @property
    def heartbeat_file(self) -> Path:
        return self.data_dir / "heartbeat"


@dataclass(frozen=True, slots=True)
class _Reader:
    env: Mapping[str, str]

    def text(self, name: str) -> str | None:
        value = self.env.get(name, "").strip()
        return value or None

    def path(self, name: str) -> Path | None:
        value = self.text(name)
        return Path(value) if value else None

    def integer(
        self, name: str, default: int, minimum: int = 0, maximum: int | None = None
    ) -> int:
        value = self.text(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ConfigError(f"{name} has value {value!r}: expected a whole number") from None
        if number < minimum or (maximum is not None and number > maximum):
            bounds = f"between {minimum} and {maximum}" if maximum else f"at least {minimum}"
            raise ConfigError(f"{name} has value {value!r}: expected a number {bounds}")
        return number

    def number(self, name: str, default: float, minimum: float = 0.0) -> float:
        value = self.text(name)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            raise ConfigError(f"{name} has value {value!r}: expected a number") from None
        if not math.isfinite(number):
            raise ConfigError(f"{name} has value {value!r}: expected a finite number")
        if number < minimum:
            raise ConfigError(f"{name} has value {value!r}: expected at least {minimum}")
        return number

    def choice(
        self, name: str, allowed: tuple[str, ...], default: str, upper: bool = False
    ) -> str:
        value = self.text(name)
        if value is None:
            return default
        value = value.upper() if upper else value.lower()
        if value not in allowed:
            raise ConfigError(f"{name} has value {value!r}: expected one of {', '.join(allowed)}")
        return value

    def ids(self, name: str) -> frozenset[int]:
        value = self.text(name)
        if value is None:
            return frozenset()
        try:
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        except ValueError:
            raise ConfigError(
                f"{name} has value {value!r}: expected comma-separated Telegram user ids"
            ) from None
