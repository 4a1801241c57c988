"""`python -m bot health`: exit 0 only while the running bot works (the container's HEALTHCHECK).

The running bot writes `Config.heartbeat_file` every ~10 s from a JobQueue job, in polling and in
webhook mode, so a fresh heartbeat proves its event loop and job queue are alive. This module runs
every 30 s in the container: it must stay light, so it never imports telegram.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from pathlib import Path
from typing import Final

from bot.config import Config

DEFAULT_MAX_AGE: Final = 60.0


def health_command(args: argparse.Namespace, config: Config) -> int:
    """Print one line saying why the bot is healthy or not; return 0 only when it is."""
    max_age = getattr(args, "max_age", None)
    max_age = DEFAULT_MAX_AGE if max_age is None else float(max_age)
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
