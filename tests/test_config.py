"""Configuration from the environment: defaults, and every bad value named."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_API_BASE_URL, Config
from bot.errors import ConfigError


def test_defaults_need_nothing_but_give_a_clear_error_when_the_token_is_needed():
    config = Config.from_env({})
    assert config.mode == "polling"
    assert config.api_base_url == DEFAULT_API_BASE_URL
    with pytest.raises(ConfigError, match="python -m bot chat"):
        config.require_token()


def test_every_variable_is_read():
    config = Config.from_env(
        {
            "TELEGRAM_BOT_TOKEN": "123:abc",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
            "BOT_ADMIN_IDS": "1, 2",
            "BOT_DATA_DIR": "/tmp/x",
            "BOT_LOG_LEVEL": "debug",
            "BOT_RETENTION_DAYS": "30",
            "BOT_MODE": "webhook",
            "BOT_WEBHOOK_URL": "https://example.org/hook",
            "BOT_WEBHOOK_SECRET": "s3cret",
            "PORT": "8443",
            "BOT_SEND_RATE": "0",
        }
    )
    assert config.send_rate == 0
    assert config.admin_ids == frozenset({1, 2})
    assert config.data_dir == Path("/tmp/x")
    assert (config.log_level, config.retention_days, config.port) == ("DEBUG", 30, 8443)


def test_the_token_never_shows_in_the_config_repr():
    assert "123:abc" not in repr(Config(token="123:abc", webhook_secret="s3cret"))
    assert "s3cret" not in repr(Config(token="123:abc", webhook_secret="s3cret"))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BOT_ADMIN_IDS": "12,abc"}, "BOT_ADMIN_IDS has value '12,abc'"),
        ({"PORT": "80a0"}, "PORT has value '80a0': expected a whole number"),
        ({"PORT": "70000"}, "PORT has value '70000': expected a number between 1 and 65535"),
        ({"BOT_MODE": "push"}, "BOT_MODE has value 'push': expected one of polling, webhook"),
        ({"BOT_LOG_LEVEL": "loud"}, "BOT_LOG_LEVEL has value 'LOUD'"),
        ({"BOT_MODE": "webhook"}, "BOT_WEBHOOK_URL is not set"),
        ({"BOT_SEND_RATE": "-1"}, "BOT_SEND_RATE has value '-1': expected at least 0"),
        ({"BOT_SEND_RATE": "nan"}, "BOT_SEND_RATE has value 'nan': expected a finite number"),
        ({"BOT_MODE": "webhook", "BOT_WEBHOOK_URL": "https://x"}, "BOT_WEBHOOK_SECRET is not set"),
    ],
)
def test_a_bad_value_is_named_with_its_variable(env, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        Config.from_env(env)
