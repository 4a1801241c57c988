"""Per-user flood guard: a token bucket per user. Pure: no Telegram, no I/O, the clock injected.

Each user may send `burst` messages at once; the bucket refills at `rate` tokens per second. The
first message over the limit gets one polite warning (`Verdict.WARN`); further ones are dropped
silently (`Verdict.DROP`) while the bucket is empty. A message is allowed again as soon as one
token is back, but a second warning is given only after the bucket has filled up completely, so
a user who keeps flooding hears "slow down" once per episode, not once per second.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

#: Above this many users, buckets that have refilled completely are forgotten (they hold nothing
#: a fresh bucket would not), so the table cannot grow without bound.
MAX_TRACKED_USERS: Final = 10_000


class Verdict(enum.Enum):
    ALLOW = "allow"
    WARN = "warn"
    DROP = "drop"


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class FloodGuard:
    """Decides, per user, whether one more message is within the limit."""

    def __init__(
        self,
        burst: int,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = MAX_TRACKED_USERS,
    ) -> None:
        if burst < 1 or rate <= 0:
            raise ValueError(f"flood limits must be positive, got burst={burst}, rate={rate}")
        self.burst = burst
        self.rate = rate
        self._clock = clock
        self._max_tracked = max_tracked
        self._buckets: dict[int, _Bucket] = {}

    def check(self, user_id: int) -> Verdict:
        """Take one token for this user's message and say what to do with the message."""
        now = self._clock()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            self._forget_idle(now)
            bucket = self._buckets[user_id] = _Bucket(float(self.burst), now)
        self._refill(bucket, now)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.ALLOW
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN

    def _refill(self, bucket: _Bucket, now: float) -> None:
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate)
        bucket.updated = now
        if bucket.tokens >= self.burst:
            bucket.warned = False  # calmed down completely: the next flood is a new episode

    def _forget_idle(self, now: float) -> None:
        if len(self._buckets) < self._max_tracked:
            return
        for user_id, bucket in list(self._buckets.items()):
            self._refill(bucket, now)
            if bucket.tokens >= self.burst:
                del self._buckets[user_id]
