"""End to end: the real `python -m bot run` process against a fake Bot API server on 127.0.0.1,
with 1,000 simulated users asking questions.

The fake server (aiohttp, this process) speaks the Bot API envelope (`{"ok": true, "result": …}`),
accepts PTB's form-encoded or JSON bodies, hands out queued updates to long-polling `getUpdates`
and records every `sendMessage`. A user's question counts as delivered when the server hands it
out in a `getUpdates` response, and as answered when the bot's `sendMessage` to that chat arrives
(matched by chat id and the chat's question counter; a user has one question in flight at a time).

Two phases per run, after start-up (process start → first `getUpdates`):
- paced: questions at a fixed rate from idle users (open loop), well below capacity: the latency
  a user sees on a busy day;
- saturation: all 1,000 users in a closed loop, each sending a new question as soon as the last
  one is answered (but at most one a second, under the bot's flood guard of 8 at once + 1/s):
  replies per second sustained, and the latency when the bot is the bottleneck.
The bot's RSS is sampled (psutil) throughout: the bot process's own, and, apart, with its child
processes' (the one that trains an index on a first start without a built one).

The bot as shipped sends through PTB's AIORateLimiter at `BOT_SEND_RATE=30` messages a second,
Telegram's free limit: that, not the bot, caps the replies per second. So the script also runs
the same command with `BOT_SEND_RATE=0` (no overall limit, as an operator with a local Bot API
server or paid broadcasts would set it) to measure what the process itself can do.

Run alone: `python tests/bench/bench_e2e.py [--quick] [--variants shipped,unlimited]`.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import itertools
import json
import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import common
from common import Report, ms, num, table

SCRIPT = Path(__file__).resolve()
TOKEN = "123456:TEST"
BOT_ID = 123456
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "SDG Centre",
    "username": "sdg_centre_bench_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
OFF_TOPIC = {
    "en": None,  # CLINC150 test questions
    "ru": (
        "какая завтра погода в астане",
        "как заказать пиццу домой",
        "сколько стоит билет до москвы",
        "посоветуй хороший фильм на вечер",
        "как поменять пароль от почты",
        "какой курс доллара сегодня",
        "как приготовить плов",
        "где купить зимнюю резину",
    ),
    "kk": (
        "ертең ауа райы қандай болады",
        "пиццаны үйге қалай тапсырыс беремін",
        "доллар бағамы қандай",
        "жақсы фильм ұсынып бер",
        "палау қалай пісіреді",
        "поштаның құпия сөзін қалай өзгертемін",
    ),
}
#: Questions a second in the paced phase: a very busy day for this bot (72,000 an hour).
PACED_RATE = 20.0
VARIANTS = {
    "shipped": "as shipped (BOT_SEND_RATE=30, Telegram's limit)",
    "unlimited": "BOT_SEND_RATE=0 (no overall limit)",
}


# --- the fake Bot API --------------------------------------------------------------------------


@dataclass
class Question:
    chat_id: int
    counter: int
    update_id: int
    queued: float
    delivered: float | None = None
    answered: float | None = None
    phase: str = ""


@dataclass
class FakeTelegram:
    """Bot API stand-in: updates queue, long polling, sendMessage matching, call counts."""

    started: float
    #: Reads a request's parameters (tests.fake_telegram.request_params: PTB's form encoding).
    read_params: Callable[[Any], Awaitable[dict[str, Any]]]
    first_get_me: float | None = None
    first_get_updates: float | None = None
    updates: collections.deque = field(default_factory=collections.deque)
    next_update_id: int = 1
    by_update: dict[int, Question] = field(default_factory=dict)
    in_flight: dict[int, collections.deque] = field(default_factory=dict)
    waiters: dict[int, asyncio.Future] = field(default_factory=dict)
    calls: collections.Counter = field(default_factory=collections.Counter)
    extra_messages: int = 0
    message_id: int = 10_000_000
    profile: dict[str, Any] = field(default_factory=dict)
    new_updates: asyncio.Event = field(default_factory=asyncio.Event)

    # users' side
    def ask(self, chat_id: int, lang: str | None, text: str, counter: int, phase: str) -> Question:
        now = time.perf_counter()
        question = Question(chat_id, counter, self.next_update_id, now, phase=phase)
        sender = {"id": chat_id, "is_bot": False, "first_name": f"User {chat_id}"}
        if lang:
            sender["language_code"] = lang
        update = {
            "update_id": self.next_update_id,
            "message": {
                "message_id": counter,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": sender["first_name"]},
                "from": sender,
                "text": text,
            },
        }
        self.by_update[self.next_update_id] = question
        self.in_flight.setdefault(chat_id, collections.deque()).append(question)
        self.next_update_id += 1
        self.updates.append(update)
        self.new_updates.set()
        return question

    def answered(self, chat_id: int) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiters[chat_id] = future
        return future

    # the bot's side
    async def handle(self, request: Any) -> Any:
        from aiohttp import web

        method = request.match_info["method"]
        now = time.perf_counter()
        self.calls[method] += 1
        params = await self.read_params(request)
        handler = getattr(self, f"api_{method}", None)
        result = await handler(params, now) if handler else True
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    async def api_getMe(self, params: dict, now: float) -> Any:
        if self.first_get_me is None:
            self.first_get_me = now
        return BOT_USER

    async def api_getUpdates(self, params: dict, now: float) -> Any:
        if self.first_get_updates is None:
            self.first_get_updates = now
        offset = int(params.get("offset") or 0)
        while self.updates and self.updates[0]["update_id"] < offset:
            self.updates.popleft()  # confirmed by the offset
        timeout = float(params.get("timeout") or 0)
        if not self.updates and timeout > 0:
            self.new_updates.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.new_updates.wait(), timeout)
        limit = int(params.get("limit") or 100)
        batch = list(itertools.islice(self.updates, limit))
        handed_out = time.perf_counter()
        for update in batch:
            question = self.by_update.get(update["update_id"])
            if question is not None and question.delivered is None:
                question.delivered = handed_out
        return batch

    async def api_sendMessage(self, params: dict, now: float) -> Any:
        chat_id = int(params["chat_id"])
        pending = self.in_flight.get(chat_id)
        question = None
        reply_to = (params.get("reply_parameters") or {}).get("message_id")
        if pending and reply_to is not None:
            question = next((q for q in pending if q.counter == int(reply_to)), None)
            if question is not None:
                pending.remove(question)
        elif pending:
            question = pending.popleft()
        if question is None:
            self.extra_messages += 1
        else:
            question.answered = now
            waiter = self.waiters.pop(chat_id, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(question)
        self.message_id += 1
        return {
            "message_id": self.message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            "text": str(params.get("text", ""))[:4096],
        }

    async def api_editMessageText(self, params: dict, now: float) -> Any:
        return await self.api_sendMessage(params, now)

    async def api_getMyCommands(self, params: dict, now: float) -> Any:
        return self.profile.get(("commands", params.get("language_code")), [])

    async def api_setMyCommands(self, params: dict, now: float) -> Any:
        self.profile[("commands", params.get("language_code"))] = params.get("commands", [])
        return True

    async def api_getMyDescription(self, params: dict, now: float) -> Any:
        return {"description": self.profile.get(("description", params.get("language_code")))}

    async def api_setMyDescription(self, params: dict, now: float) -> Any:
        self.profile[("description", params.get("language_code"))] = params.get("description")
        return True

    async def api_getMyShortDescription(self, params: dict, now: float) -> Any:
        key = ("short_description", params.get("language_code"))
        return {"short_description": self.profile.get(key)}

    async def api_setMyShortDescription(self, params: dict, now: float) -> Any:
        key = ("short_description", params.get("language_code"))
        self.profile[key] = params.get("short_description")
        return True

    async def api_getWebhookInfo(self, params: dict, now: float) -> Any:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# --- users -------------------------------------------------------------------------------------


@dataclass
class Users:
    """1,000 users, a third each with Telegram language en / ru / kk, and what they ask."""

    ids: list[int]
    langs: dict[int, str]
    questions: dict[str, list[str]]
    off_topic: dict[str, list[str]]
    counters: collections.Counter = field(default_factory=collections.Counter)
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def question(self, user: int) -> str:
        lang = self.langs[user]
        pool = self.off_topic[lang] if self.rng.random() < 0.15 else self.questions[lang]
        return self.rng.choice(pool)


def make_users(n: int) -> Users:
    from bot.config import default_intents_dir, default_seeds_dir
    from bot.knowledge import load

    knowledge = load(default_intents_dir(), default_seeds_dir())
    questions = {
        lang: [q for i in knowledge.intents.values() for q in i.questions.get(lang, ())]
        for lang in ("en", "ru", "kk")
    }
    clinc = [text for text, _ in common.load_clinc()["test"]]
    off_topic = {lang: list(v) if v else clinc for lang, v in OFF_TOPIC.items()}
    ids = [100_000 + i for i in range(n)]
    langs = {uid: ("en", "ru", "kk")[i % 3] for i, uid in enumerate(ids)}
    return Users(ids, langs, questions, off_topic)


# --- one run -----------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RssSampler:
    """The bot process's RSS, and (`total`) its RSS with its child processes' (the one that
    trains an index)."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.process = psutil.Process(pid)
        self.samples: list[tuple[float, int]] = []
        self.totals: list[int] = []

    def sample(self) -> int:
        try:
            rss = self.process.memory_info().rss
            children = sum(c.memory_info().rss for c in self.process.children(recursive=True))
        except Exception:
            return 0
        self.samples.append((time.perf_counter(), rss))
        self.totals.append(rss + children)
        return rss

    def total_peak(self) -> int:
        return max(self.totals, default=0)

    async def run(self, every: float = 0.25) -> None:
        while True:
            self.sample()
            await asyncio.sleep(every)

    def peak(self) -> int:
        return max((rss for _, rss in self.samples), default=0)

    def cpu(self) -> float:
        """CPU seconds (user + system) the bot process has used so far."""
        try:
            times = self.process.cpu_times()
        except Exception:
            return float("nan")
        return float(times.user + times.system)


async def paced(fake: FakeTelegram, users: Users, rate: float, seconds: float) -> None:
    """Open loop: `rate` questions a second, each from a user with nothing in flight."""
    idle = collections.deque(users.ids)
    busy: set[int] = set()
    start = time.perf_counter()
    sent = 0

    async def one(user: int) -> None:
        users.counters[user] += 1
        fake.ask(
            user, users.langs[user], users.question(user), users.counters[user], phase="paced"
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(fake.answered(user), 30)
        busy.discard(user)
        idle.append(user)

    tasks = set()
    while (now := time.perf_counter()) - start < seconds:
        due = int((now - start) * rate) + 1
        while sent < due and idle:
            user = idle.popleft()
            busy.add(user)
            task = asyncio.create_task(one(user))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            sent += 1
        await asyncio.sleep(0.002)
    if tasks:
        await asyncio.wait(tasks, timeout=15)


async def saturate(
    fake: FakeTelegram, users: Users, seconds: float, cpu: Callable[[], float]
) -> tuple[float, float, float]:
    """Closed loop: every user asks again as soon as answered (at most once a second)."""
    stop = time.perf_counter() + seconds

    async def user_loop(user: int, delay: float) -> None:
        await asyncio.sleep(delay)
        while time.perf_counter() < stop:
            users.counters[user] += 1
            sent = time.perf_counter()
            text = users.question(user)
            fake.ask(user, users.langs[user], text, users.counters[user], phase="saturation")
            try:
                await asyncio.wait_for(fake.answered(user), max(0.1, stop - sent + 5))
            except TimeoutError:
                return
            await asyncio.sleep(max(0.0, 1.05 - (time.perf_counter() - sent)))

    window_start, cpu_start = time.perf_counter(), cpu()
    loops = [
        asyncio.create_task(user_loop(user, i / len(users.ids)))
        for i, user in enumerate(users.ids)
    ]
    await asyncio.sleep(seconds)
    window_end, cpu_used = time.perf_counter(), cpu() - cpu_start
    await asyncio.wait(loops, timeout=5)
    for task in loops:
        task.cancel()
    return window_start, window_end, cpu_used


async def run_variant(variant: str, quick: bool, n_users: int) -> dict[str, Any]:
    from aiohttp import web

    if str(common.ROOT) not in sys.path:
        sys.path.insert(0, str(common.ROOT))
    # Imported before the bot starts, so the import does not compete with its start-up.
    from tests.fake_telegram import request_params

    users = make_users(n_users)
    port = _free_port()
    server_app = web.Application(client_max_size=8 * 1024 * 1024)
    started = time.perf_counter()
    fake = FakeTelegram(started, request_params)
    server_app.router.add_route("*", "/bot{token}/{method}", fake.handle)
    runner = web.AppRunner(server_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()

    data_dir = tempfile.mkdtemp(prefix="bench-e2e-")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "BOT_")) and k != "PORT"
    }
    # A snapshot of the knowledge base: edits made in the checkout while the benchmark runs
    # would otherwise make the bot's live reload rebuild its index in the middle of a phase.
    from bot.config import default_intents_dir, default_seeds_dir

    intents = shutil.copytree(default_intents_dir(), Path(data_dir) / "intents")
    seeds = shutil.copytree(default_seeds_dir(), Path(data_dir) / "seeds")
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot",
        BOT_DATA_DIR=data_dir,
        BOT_INTENTS_DIR=str(intents),
        BOT_SEEDS_DIR=str(seeds),
        BOT_SEND_RATE="30" if variant == "shipped" else "0",
    )
    log_path = Path(data_dir) / "bot.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below, after the process ends
    result: dict[str, Any] = {"variant": variant, "users": n_users}
    # Three starts. (1) A new container: the image built the index ahead (`python -m bot index
    # --into`, deploy/Dockerfile), the data folder is empty. (2) A first start with no index
    # built for this knowledge base (a fresh checkout): the bot trains and saves one. (3) The
    # measured run, a restart, which loads the saved index. (1) and (2) stop once polling.
    image_index = Path(data_dir) / "image-index"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot", "index", "--into", str(image_index)],
        env=env,
        cwd=common.ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        check=True,
    )
    result["index_build_seconds"] = time.perf_counter() - started
    for key, extra in (("image", {"BOT_PREBUILT_INDEX_DIR": str(image_index)}), ("first", {})):
        fake.first_get_me = fake.first_get_updates = None
        process, sampler, sampling = await _start(fake, {**env, **extra}, log, log_path)
        result[f"{key}_startup_seconds"] = fake.first_get_updates - fake.started  # type: ignore[operator]
        await asyncio.sleep(0.5)
        sampling.cancel()
        result[f"{key}_rss_after_bytes"] = sampler.sample()
        result[f"{key}_rss_peak_bytes"] = sampler.peak()
        result[f"{key}_rss_total_peak_bytes"] = sampler.total_peak()
        process.send_signal(signal.SIGINT)
        await asyncio.to_thread(process.wait, 20)
    fake.first_get_me = fake.first_get_updates = None
    process, sampler, sampling = await _start(fake, env, log, log_path)
    try:
        result["startup_seconds"] = fake.first_get_updates - fake.started  # type: ignore[operator]
        result["get_me_seconds"] = (fake.first_get_me or fake.first_get_updates) - fake.started
        await asyncio.sleep(1.0)  # let the first jobs (heartbeat, reload check) run
        result["rss_idle_bytes"] = sampler.sample()

        result["startup_cpu_seconds"] = sampler.cpu()
        paced_seconds = 5.0 if quick else 10.0
        start, cpu, own = time.perf_counter(), sampler.cpu(), _own_cpu()
        await paced(fake, users, PACED_RATE, paced_seconds)
        result["paced"] = _phase(fake, "paced", start, time.perf_counter(), rate=PACED_RATE)
        result["paced"]["bot_cpu_seconds"] = sampler.cpu() - cpu
        result["paced"]["driver_cpu_seconds"] = _own_cpu() - own
        result["rss_after_paced_bytes"] = sampler.sample()

        window = 6.0 if quick else 12.0
        own = _own_cpu()
        begin, end, cpu_used = await saturate(fake, users, window, sampler.cpu)
        result["saturation"] = _phase(fake, "saturation", begin, end)
        # CPU over the window only: the bot keeps working on the backlog afterwards
        result["saturation"]["bot_cpu_seconds"] = cpu_used
        result["saturation"]["driver_cpu_seconds"] = _own_cpu() - own
        result["rss_peak_bytes"] = max(sampler.peak(), sampler.sample())
        result["calls"] = dict(fake.calls)
        result["extra_messages"] = fake.extra_messages
    finally:
        sampling.cancel()
        logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)  # resets at shutdown
        stopping = time.perf_counter()
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.to_thread(process.wait, 20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            result["killed"] = True
        result["exit_code"] = process.returncode
        result["shutdown_seconds"] = time.perf_counter() - stopping
        await runner.cleanup()
        log.close()
        errors = [
            line
            for line in log_path.read_text(errors="replace").splitlines()
            if " ERROR " in line or "Traceback" in line
        ]
        result["log_errors"] = errors[:5]
        result["log_error_count"] = len(errors)
        shutil.rmtree(data_dir, ignore_errors=True)
    return result


async def _start(
    fake: FakeTelegram, env: dict[str, str], log: Any, log_path: Path
) -> tuple[subprocess.Popen, RssSampler, asyncio.Task]:
    """Start `python -m bot run` and wait for its first `getUpdates` (at most a minute)."""
    fake.started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=common.ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    sampler = RssSampler(process.pid)
    sampling = asyncio.create_task(sampler.run(every=0.05))
    deadline = time.perf_counter() + 60
    while fake.first_get_updates is None:
        if process.poll() is not None or time.perf_counter() > deadline:
            process.kill()
            sampling.cancel()
            raise RuntimeError(
                f"the bot did not start polling (exit {process.poll()}):\n"
                + log_path.read_text(errors="replace")[-3000:]
            )
        await asyncio.sleep(0.005)
    return process, sampler, sampling


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def _phase(
    fake: FakeTelegram, phase: str, begin: float, end: float, rate: float | None = None
) -> dict[str, Any]:
    questions = [q for q in fake.by_update.values() if q.phase == phase]
    answered = [q for q in questions if q.answered is not None and q.delivered is not None]
    in_window = [q for q in answered if begin <= q.answered <= end]
    latency = [q.answered - q.delivered for q in answered]  # type: ignore[operator]
    queue = [q.delivered - q.queued for q in answered]  # type: ignore[operator]
    return {
        "seconds": end - begin,
        "offered_rate": rate,
        "questions": len(questions),
        "answered": len(answered),
        "unanswered": len(questions) - len(answered),
        "replies_per_second": len(in_window) / (end - begin),
        "latency": common.percentiles(latency),
        "wait_for_get_updates": common.percentiles(queue),
    }


# --- report ------------------------------------------------------------------------------------


def app_available() -> str | None:
    """None when `bot.app` imports in a fresh interpreter, else the error."""
    done = subprocess.run(
        [sys.executable, "-c", "import bot.app"],
        capture_output=True,
        text=True,
        cwd=common.ROOT,
        check=False,
    )
    return None if done.returncode == 0 else (done.stderr.strip().splitlines() or ["?"])[-1]


def run(quick: bool = False, variants: Sequence[str] = ("shipped", "unlimited")) -> Report:
    report = Report("End to end: `python -m bot run` against a fake Bot API")
    problem = app_available()
    if problem:
        report.add(f"_Not measured: `import bot.app` fails ({problem})._")
        for label in ("≥ 500 replies/s", "p99 < 50 ms", "RSS < 120 MB", "start-up < 2 s"):
            report.target(f"End to end {label}", None, "not measured")
        return report
    results = {}
    for variant in variants:
        results[variant] = common.run_child(
            SCRIPT, ["--child", variant, *(["--quick"] if quick else [])], timeout=300
        )
        print(f"  e2e: {variant} done", file=sys.stderr)
    report.data = {"quick": quick, "variants": results}
    first = next(iter(results.values()))
    report.add(
        f"{first['users']:,} simulated users (en/ru/kk, 15 % off-topic questions), the bot in "
        f"its own process, the fake API and the users in this one; latency = update handed out "
        f"in a `getUpdates` response → the bot's `sendMessage` for it arrives.\n"
    )

    def cpu_per_reply(phase: dict[str, Any]) -> float:
        replies = phase["replies_per_second"] * phase["seconds"]
        return phase["bot_cpu_seconds"] / replies if replies else float("nan")

    metrics: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        (
            "New container (index built into the image): process start → first `getUpdates`",
            lambda r: num(r["image_startup_seconds"], 2, " s"),
        ),
        (
            "First start without a built index (trains and saves it): the same",
            lambda r: num(r["first_startup_seconds"], 2, " s"),
        ),
        (
            "Restart (loads the saved index): process start → first `getUpdates`",
            lambda r: num(r["startup_seconds"], 2, " s"),
        ),
        (
            f"Paced load ({PACED_RATE:.0f} questions/s): latency p50 / p99",
            lambda r: (
                f"{ms(r['paced']['latency']['p50'], 1)} / {ms(r['paced']['latency']['p99'], 1)}"
            ),
        ),
        ("Paced load: bot CPU per reply", lambda r: ms(cpu_per_reply(r["paced"]), 2)),
        (
            "Saturation: replies/s sustained",
            lambda r: f"{r['saturation']['replies_per_second']:,.0f}",
        ),
        (
            "Saturation: latency p50 / p99",
            lambda r: (
                f"{ms(r['saturation']['latency']['p50'], 0)} / "
                f"{ms(r['saturation']['latency']['p99'], 0)}"
            ),
        ),
        (
            "Saturation: bot CPU per reply (→ replies/s one free core could give)",
            lambda r: (
                f"{ms(cpu_per_reply(r['saturation']), 2)} "
                f"(→ {1 / cpu_per_reply(r['saturation']):,.0f}/s)"
            ),
        ),
        (
            "Fake API + 1,000 users (this process): CPU per reply, saturation",
            lambda r: ms(
                r["saturation"]["driver_cpu_seconds"]
                / max(1.0, r["saturation"]["replies_per_second"] * r["saturation"]["seconds"]),
                2,
            ),
        ),
        (
            "Bot RSS idle / peak (restarted bot, both phases)",
            lambda r: (
                f"{r['rss_idle_bytes'] / common.MB:.0f} MiB / "
                f"{r['rss_peak_bytes'] / common.MB:.0f} MiB"
            ),
        ),
        (
            "Bot RSS peak: new container / first start without a built index (training)",
            lambda r: (
                f"{r['image_rss_peak_bytes'] / common.MB:.0f} MiB / "
                f"{r['first_rss_peak_bytes'] / common.MB:.0f} MiB"
            ),
        ),
        (
            "First start without a built index: bot RSS once polling / with the training child",
            lambda r: (
                f"{r['first_rss_after_bytes'] / common.MB:.0f} MiB / "
                f"{r['first_rss_total_peak_bytes'] / common.MB:.0f} MiB peak"
            ),
        ),
        (
            "Shutdown after SIGINT",
            lambda r: (
                "killed after 20 s (backlog)"
                if r.get("killed")
                else num(r["shutdown_seconds"], 1, " s")
            ),
        ),
        (
            "Unanswered at window end / extra messages / log errors",
            lambda r: (
                f"{r['paced']['unanswered'] + r['saturation']['unanswered']} / "
                f"{r['extra_messages']} / {r['log_error_count']}"
            ),
        ),
    ]
    report.add(
        table(
            ["Measured", *(VARIANTS[v] for v in results)],
            [[label, *(cell(r) for r in results.values())] for label, cell in metrics],
        )
    )
    report.add(
        "- Start-up includes imports, loading the knowledge base, building or loading its index "
        "and `getMe`; the command menu and descriptions (4 languages, 24 API calls) are set in "
        "the background once polling has begun. A new container loads the index the image "
        "build made (`python -m bot index`, "
        f"{first['index_build_seconds']:.1f} s at build time); without one the bot trains it "
        "and saves it in the data folder; the restart (the measured run) loads that, as every "
        "later start does. An edit to the intents is trained in the background by the running "
        "bot, which answers with the old index meanwhile, and saved for the next start.\n"
        "- Saturation: all users in a closed loop for the window; latency then is mostly queueing "
        "inside the bot. CPU per reply = the bot process's user + system CPU time over the phase "
        "divided by the replies sent in it; it does not depend on what else runs on the machine."
    )
    for r in results.values():
        if r["log_errors"]:
            report.add(f"Log errors ({r['variant']}): `" + "`, `".join(r["log_errors"]) + "`")
    main = results.get("shipped") or first
    best = max(results.values(), key=lambda r: r["saturation"]["replies_per_second"])
    rps = best["saturation"]["replies_per_second"]
    report.target(
        "End to end ≥ 500 replies/s",
        rps >= 500,
        f"{rps:,.0f}/s ({VARIANTS[best['variant']]}); as shipped "
        f"{main['saturation']['replies_per_second']:,.0f}/s",
    )
    p99 = main["paced"]["latency"]["p99"]
    report.target(
        "End to end p99 < 50 ms",
        p99 < 0.05,
        f"{ms(p99, 1)} at {main['paced']['offered_rate']:.0f} questions/s ({main['variant']})",
    )
    peak = max(r["rss_peak_bytes"] for r in results.values())
    image_peak = max(r["image_rss_peak_bytes"] for r in results.values())
    first_peak = max(r["first_rss_peak_bytes"] for r in results.values())
    training_peak = max(r["first_rss_total_peak_bytes"] for r in results.values())
    report.target(
        "End to end RSS < 120 MB (the bot process; read as MiB, the unit docker stats shows)",
        max(peak, image_peak, first_peak) < 120 * common.MB,
        f"peak {peak / common.MB:.1f} MiB running, {image_peak / common.MB:.0f} MiB starting a "
        f"new container, {first_peak / common.MB:.0f} MiB on a first start that trains the index "
        f"in a child process (bot + child: {training_peak / common.MB:.0f} MiB for about two "
        "seconds; a first start or an intents edit)",
    )
    report.target(
        "End to end start-up < 2 s",
        max(main["startup_seconds"], main["image_startup_seconds"], main["first_startup_seconds"])
        < 2,
        f"{main['image_startup_seconds']:.2f} s new container, {main['startup_seconds']:.2f} s "
        f"restart; {main['first_startup_seconds']:.2f} s when the index must be trained first "
        f"({main['variant']})",
    )
    return report


def main() -> int:
    parser = common.script_parser(__doc__.splitlines()[0])
    parser.add_argument("--variants", default="shipped,unlimited", help="comma-separated")
    parser.add_argument("--users", type=int, default=1000, help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=tuple(VARIANTS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        common.emit(asyncio.run(run_variant(args.child, args.quick, args.users)))
        return 0
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    report = common.run_timed(lambda quick: run(quick, variants), args.quick)
    return common.finish(report, args)


if __name__ == "__main__":
    sys.exit(main())
