"""`python -m bot health`: exit 0 only while the running bot works (the container's HEALTHCHECK).

The running bot writes `Config.heartbeat_file` every ~10 s from a JobQueue job, so a fresh
heartbeat proves its event loop and job queue are alive. In polling mode this command reads that
file. In webhook mode it asks the bot itself: `GET /healthz` on the webhook port answers 200 only
while the application runs and its heartbeat is fresh (`bot.webhook`), which also proves that the
port Telegram posts to is served. This module runs every 30 s in the container: it must stay
light, so it never imports telegram.
"""

from __future__ import annotations

import argparse
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Final
from urllib.parse import urlencode

from bot.config import Config

DEFAULT_MAX_AGE: Final = 60.0
#: How long `GET /healthz` may take in webhook mode.
HTTP_TIMEOUT: Final = 3.0
#: Listen addresses that mean "every interface": the check then uses the loopback address.
ANY_ADDRESS: Final = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 - compared, not bound


def health_command(args: argparse.Namespace, config: Config) -> int:
    """Print one line saying why the bot is healthy or not; return 0 only when it is."""
    max_age = getattr(args, "max_age", None)
    max_age = DEFAULT_MAX_AGE if max_age is None else float(max_age)
    if config.mode == "webhook":
        healthy, reason = check_endpoint(health_url(config, max_age))
    else:
        healthy, reason = check_heartbeat(config.heartbeat_file, max_age)
    print(f"{'healthy' if healthy else 'unhealthy'}: {reason}")
    return 0 if healthy else 1


def check_heartbeat(path: Path, max_age: float, now: float | None = None) -> tuple[bool, str]:
    """Whether the heartbeat at `path` is younger than `max_age` seconds, and a reason to print."""
    try:
        written = heartbeat_time(path)
    except FileNotFoundError:
        return False, f"no heartbeat file at {path} (is the bot running?)"
    except OSError as error:
        return False, f"cannot read heartbeat file {path}: {error.strerror or error}"
    age = (time.time() if now is None else now) - written
    if age > max_age:
        return False, f"heartbeat {age:.0f} s old (limit {max_age:g} s)"
    return True, f"heartbeat {max(age, 0.0):.0f} s old"


def heartbeat_time(path: Path) -> float:
    """When the heartbeat was written (Unix seconds): its text, else the file's mtime.

    The bot writes a Unix timestamp or an ISO 8601 time into the file; the mtime is the fallback
    for an empty or foreign file, so `touch` counts as a beat too.
    """
    modified = path.stat().st_mtime
    text = path.read_text(encoding="utf-8", errors="replace").strip()
    if not text:
        return modified
    try:
        return float(text)
    except ValueError:
        pass
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return modified
    return stamp.timestamp()  # a naive time is taken as local time, as it was written


def health_url(config: Config, max_age: float) -> str:
    """The running bot's `/healthz` URL, reached from inside its own container."""
    host = config.webhook_listen
    if host in ANY_ADDRESS:
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{config.port}/healthz?{urlencode({'max_age': f'{max_age:g}'})}"


def check_endpoint(url: str, timeout: float = HTTP_TIMEOUT) -> tuple[bool, str]:
    """Whether `GET url` answers 200, and a reason to print."""
    where = url.split("?", 1)[0]
    # Never through a proxy from the environment: the bot is on this machine.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            status = response.status
            body = response.read(200).decode("utf-8", "replace").strip()
    except urllib.error.HTTPError as error:
        body = error.read(200).decode("utf-8", "replace").strip()
        error.close()
        return False, f"{where} answered {error.code}" + (f" ({body})" if body else "")
    except (urllib.error.URLError, OSError) as error:
        why = getattr(error, "reason", None) or error
        return False, f"no answer from {where}: {why} (is the bot running?)"
    if status != 200:
        return False, f"{where} answered {status}"
    return True, f"{where} answered {status}" + (f" ({body})" if body else "")
