"""In-process benchmark of the Telegram front end: FakeTelegram and the real Application in one
event loop, N users asking at once, several rounds.

Latency is measured from the moment an update is queued at the fake server (a long poll is
waiting, so it is handed out at once) to the moment the fake server receives the bot's
sendMessage for that chat. Both ends share one process and one core with the bot, so the figures
include the fake server's own work: read them as an upper bound on the bot's latency.

Two load shapes:
- burst: all N users send a question in the same instant, N replies awaited, several rounds
  (the worst case: the last of 100 waits for the 99 before it);
- conversation: N users chat at the same time, each reading a reply for 2–8 s (uniform) before
  asking again, for a fixed time: "100 users at once" as a load test counts concurrent users.

Two variants:
- shipped: PTB's AIORateLimiter as configured in bot/app.py, which holds sending to Telegram's
  global limit of 30 messages a second; that limit, not the bot, caps replies per second;
- unlimited: the same bot with the rate limiter's overall and group limits turned off (retries
  kept), to show what the process itself can do.

Run from the project root:  python tests/bench/bench_telegram.py [--users 100] [--rounds 5]
[--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from telegram.ext import AIORateLimiter  # noqa: E402

from bot.config import Config  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.knowledge import load  # noqa: E402
from bot.text import LANGS  # noqa: E402
from tests.fake_telegram import User, running_bot  # noqa: E402


def questions(engine: Engine) -> list[tuple[str, str]]:
    """(language, question): the first example of every intent in every language."""
    return [
        (lang, intent.questions[lang][0])
        for intent in engine.knowledge.intents.values()
        for lang in LANGS
        if intent.questions.get(lang)
    ]


async def bench(engine: Engine, users: int, rounds: int, unlimited: bool) -> dict[str, float]:
    limiter = (
        AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3) if unlimited else None
    )
    pool = questions(engine)
    latencies: list[float] = []
    busy = 0.0
    with tempfile.TemporaryDirectory() as data_dir:
        async with running_bot(
            Path(data_dir), engine, rate_limiter=limiter, flood_burst=rounds + 8
        ) as telegram:
            for round_number in range(rounds):
                asked: dict[int, float] = {}
                started = time.perf_counter()
                for n in range(users):
                    lang, text = pool[(round_number * users + n) % len(pool)]
                    user = User(100_000 + n, f"user{n}", lang)
                    asked[user.id] = time.perf_counter()
                    telegram.user_says(text, user=user)
                for _ in range(users):
                    sent = await telegram.next_reply(timeout=120)
                    latencies.append(sent.received - asked[sent.chat_id])
                busy += time.perf_counter() - started
    latencies.sort()
    return {
        "replies": len(latencies),
        "per_second": len(latencies) / busy,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
    }


async def converse(
    engine: Engine, users: int, seconds: float, unlimited: bool
) -> dict[str, float]:
    """N users in conversation: ask, read the reply for 2-8 s, ask again, for `seconds`."""
    limiter = (
        AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3) if unlimited else None
    )
    pool = questions(engine)
    rng = random.Random(7)
    latencies: list[float] = []
    waiting: dict[int, asyncio.Future[float]] = {}
    with tempfile.TemporaryDirectory() as data_dir:
        async with running_bot(Path(data_dir), engine, rate_limiter=limiter) as telegram:

            async def route() -> None:
                while True:
                    sent = await telegram.next_reply(timeout=3600)
                    future = waiting.pop(sent.chat_id, None)
                    if future is not None and not future.done():
                        future.set_result(sent.received)

            async def chat(n: int, stop: float) -> None:
                user = User(100_000 + n, f"user{n}", LANGS[n % 3])
                await asyncio.sleep(rng.uniform(0, 8))  # users arrive spread out, as in life
                while time.perf_counter() < stop:
                    lang, text = rng.choice(pool)
                    future = asyncio.get_running_loop().create_future()
                    waiting[user.id] = future
                    asked = time.perf_counter()
                    telegram.user_says(text, user=user, lang=lang)
                    latencies.append(await asyncio.wait_for(future, 60) - asked)
                    await asyncio.sleep(rng.uniform(2.0, 8.0))

            router = asyncio.create_task(route())
            started = time.perf_counter()
            stop = started + seconds
            await asyncio.gather(*(chat(n, stop) for n in range(users)))
            elapsed = time.perf_counter() - started
            router.cancel()
    latencies.sort()
    return {
        "replies": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=30.0, help="conversation length")
    parser.add_argument("--variants", default="shipped,unlimited")
    args = parser.parse_args()
    config = Config()
    engine = Engine(load(config.intents_dir, config.seeds_dir))
    print(f"{args.users} users, {len(engine.knowledge.intents)} intents")
    for variant in args.variants.split(","):
        unlimited = variant == "unlimited"
        burst = asyncio.run(bench(engine, args.users, args.rounds, unlimited))
        talk = asyncio.run(converse(engine, args.users, args.seconds, unlimited))
        for shape, result in ((f"burst x{args.rounds}", burst), ("conversation", talk)):
            print(
                f"{variant:>9} {shape:>12}: {result['replies']:.0f} replies, "
                f"{result['per_second']:.1f} replies/s, latency p50 {result['p50_ms']:.1f} ms, "
                f"p99 {result['p99_ms']:.1f} ms"
            )


if __name__ == "__main__":
    main()
