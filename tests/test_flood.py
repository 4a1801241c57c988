"""The per-user token bucket behind the flood guard (pure: the clock is a number we move)."""

from __future__ import annotations

import pytest

from bot.flood import FloodGuard, Verdict
from tests.fake_telegram import FrozenClock

ALLOW, WARN, DROP = Verdict.ALLOW, Verdict.WARN, Verdict.DROP


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


def test_a_burst_is_allowed_then_one_warning_then_silence(clock: FrozenClock) -> None:
    guard = FloodGuard(burst=3, rate=1.0, clock=clock)
    assert [guard.check(1) for _ in range(7)] == [ALLOW, ALLOW, ALLOW, WARN, DROP, DROP, DROP]


def test_each_user_has_their_own_bucket(clock: FrozenClock) -> None:
    guard = FloodGuard(burst=2, rate=1.0, clock=clock)
    assert [guard.check(1) for _ in range(3)] == [ALLOW, ALLOW, WARN]
    assert [guard.check(2) for _ in range(2)] == [ALLOW, ALLOW]


def test_a_refilled_token_lets_one_message_through_without_a_new_warning(
    clock: FrozenClock,
) -> None:
    guard = FloodGuard(burst=2, rate=1.0, clock=clock)
    assert [guard.check(1) for _ in range(4)] == [ALLOW, ALLOW, WARN, DROP]
    clock.advance(1.0)
    assert [guard.check(1) for _ in range(3)] == [ALLOW, DROP, DROP]


def test_after_calming_down_completely_a_new_flood_is_warned_about_again(
    clock: FrozenClock,
) -> None:
    guard = FloodGuard(burst=2, rate=0.5, clock=clock)
    assert [guard.check(1) for _ in range(3)] == [ALLOW, ALLOW, WARN]
    clock.advance(4.0)  # two tokens at 0.5/s: full again
    assert [guard.check(1) for _ in range(3)] == [ALLOW, ALLOW, WARN]


def test_the_bucket_never_holds_more_than_the_burst(clock: FrozenClock) -> None:
    guard = FloodGuard(burst=2, rate=1.0, clock=clock)
    guard.check(1)
    clock.advance(3600)
    assert [guard.check(1) for _ in range(3)] == [ALLOW, ALLOW, WARN]


def test_idle_users_are_forgotten_when_many_are_tracked(clock: FrozenClock) -> None:
    guard = FloodGuard(burst=2, rate=1.0, clock=clock, max_tracked=10)
    for user in range(10):
        guard.check(user)
    clock.advance(10)
    guard.check(99)
    assert len(guard._buckets) == 1


def test_a_user_in_the_middle_of_a_flood_is_not_forgotten(clock: FrozenClock) -> None:
    guard = FloodGuard(burst=2, rate=0.001, clock=clock, max_tracked=2)
    assert [guard.check(1) for _ in range(3)] == [ALLOW, ALLOW, WARN]
    guard.check(2)
    guard.check(3)
    assert guard.check(1) is DROP


@pytest.mark.parametrize(("burst", "rate"), [(0, 1.0), (3, 0.0), (-1, -1.0)])
def test_limits_must_be_positive(burst: int, rate: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        FloodGuard(burst=burst, rate=rate)
