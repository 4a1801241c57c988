"""In-process benchmark of the Telegram front end: FakeTelegram and the real Application in one
event loop, N users asking at once, several rounds.

Latency is measured from the moment an update is queued at the fake server (a long poll is
waiting, so it is handed out at once) to the moment the fake server receives the bot's
sendMessage for that chat. Both ends share one process and one core with the bot, so the figures
include the fake server's own work: read them as an upper bound on the bot's latency.

Two variants:
- shipped: PTB's AIORateLimiter as configured in bot/app.py, which holds sending to Telegram's
  global limit of 30 messages a second; that limit, not the bot, caps replies per second;
- unlimited: the same bot with the rate limiter's overall and group limits turned off (retries
  kept), to show what the process itself can do.

Run from the project root:  python tests/bench/bench_telegram.py [--users 100] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--variants", default="shipped,unlimited")
    args = parser.parse_args()
    config = Config()
    engine = Engine(load(config.intents_dir, config.seeds_dir))
    print(
        f"{args.users} users at once, {args.rounds} rounds, {len(engine.knowledge.intents)} intents"
    )
    for variant in args.variants.split(","):
        result = asyncio.run(bench(engine, args.users, args.rounds, variant == "unlimited"))
        print(
            f"{variant:>9}: {result['replies']:.0f} replies, {result['per_second']:.1f} replies/s, "
            f"latency p50 {result['p50_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms"
        )


if __name__ == "__main__":
    main()
