"""When Telegram misbehaves, or a user does, the bot keeps answering.

Faults are injected into FakeTelegram's real HTTP answers: 429 with retry_after, 5xx, closed
connections, slow answers. Each test says what the user sees afterwards.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Config
from bot.engine import Engine, Question, Reply
from bot.knowledge import Knowledge
from bot.logs import setup_logging
from tests.fake_telegram import (
    ALICE,
    BORIS,
    TOKEN,
    FakeTelegram,
    FrozenClock,
    Sent,
    running_bot,
)

QUESTION = "Who proposed the centre?"


@pytest.fixture
async def telegram(tmp_path: Path, engine: Engine) -> AsyncIterator[FakeTelegram]:
    async with running_bot(tmp_path, engine) as api:
        yield api


async def ask(telegram: FakeTelegram, text: str = QUESTION, **kwargs: Any) -> Sent:
    telegram.user_says(text, **kwargs)
    return await telegram.next_reply()


def statuses(telegram: FakeTelegram, method: str) -> list[int]:
    return [call.status for call in telegram.calls_to(method)]


class ExplodingEngine:
    """The real engine, except that any question containing "boom" raises."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.knowledge = engine.knowledge

    def ask(self, question: Question) -> Reply:
        if "boom" in question.text:
            raise RuntimeError("the engine exploded")
        return self._engine.ask(question)

    def answer_intent(self, intent_id: str, language: Any) -> Reply | None:
        return self._engine.answer_intent(intent_id, language)


# --- Telegram's side fails -----------------------------------------------------------------------


async def test_after_a_429_with_retry_after_the_question_is_still_answered(
    telegram: FakeTelegram,
) -> None:
    telegram.fail_next("sendMessage", 429, retry_after=1)
    reply = await ask(telegram)
    assert "Tokayev" in reply.text
    assert statuses(telegram, "sendMessage") == [429, 200]


@pytest.mark.parametrize("status", [500, 502])
async def test_after_a_server_error_the_question_is_still_answered(
    telegram: FakeTelegram, status: int
) -> None:
    telegram.fail_next("sendMessage", status)
    telegram.fail_next("sendMessage", status)
    reply = await ask(telegram)
    assert "Tokayev" in reply.text
    assert statuses(telegram, "sendMessage") == [status, status, 200]


async def test_after_a_dropped_connection_this_and_the_next_question_are_answered(
    telegram: FakeTelegram,
) -> None:
    telegram.drop_next("sendMessage")
    assert "Tokayev" in (await ask(telegram)).text
    assert "Токаев" in (await ask(telegram, "Кто предложил создать центр?", user=BORIS)).text
    assert statuses(telegram, "sendMessage") == [0, 200, 200]


async def test_when_telegram_keeps_failing_the_user_gets_an_apology_once_it_recovers(
    telegram: FakeTelegram, kb: Knowledge
) -> None:
    for _ in range(5):  # four attempts at the answer, then the first try at the apology
        telegram.fail_next("sendMessage", 500)
    reply = await ask(telegram)
    assert reply.text == kb.message("error", "en")


async def test_a_bad_request_is_not_retried_but_apologised_for(
    telegram: FakeTelegram, kb: Knowledge
) -> None:
    telegram.fail_next("sendMessage", 400)
    reply = await ask(telegram)
    assert reply.text == kb.message("error", "en")
    assert statuses(telegram, "sendMessage") == [400, 200]


@pytest.mark.parametrize("fault", ["fail", "drop"])
async def test_polling_survives_a_failed_get_updates(telegram: FakeTelegram, fault: str) -> None:
    if fault == "fail":
        telegram.fail_next("getUpdates", 502)
    else:
        telegram.drop_next("getUpdates")
    telegram.interrupt_polls()  # the poll in flight ends, so the next one meets the fault
    await telegram.faults_used()
    reply = await ask(telegram)
    assert "Tokayev" in reply.text


async def test_a_slow_chat_does_not_hold_up_another(telegram: FakeTelegram) -> None:
    telegram.delay_next("sendMessage", 1.5, chat_id=ALICE.id)
    telegram.user_says(QUESTION, user=ALICE)
    telegram.user_says("Кто предложил создать центр?", user=BORIS)
    first, second = await telegram.next_reply(), await telegram.next_reply()
    assert (first.chat_id, second.chat_id) == (BORIS.id, ALICE.id)


# --- our side fails ------------------------------------------------------------------------------


async def test_a_crashing_handler_apologises_and_the_bot_keeps_answering(
    telegram: FakeTelegram, engine: Engine, kb: Knowledge, caplog: pytest.LogCaptureFixture
) -> None:
    assert telegram.services is not None
    telegram.services.engine = ExplodingEngine(engine)  # type: ignore[assignment]
    apology = await ask(telegram, "boom?")
    assert apology.text == kb.message("error", "en")
    assert "Tokayev" in (await ask(telegram)).text
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors
    assert errors[0].exc_info is not None
    assert "boom" not in caplog.text  # the question's text is never logged above DEBUG


# --- users flood ---------------------------------------------------------------------------------


async def test_a_flooding_user_gets_one_slow_down_and_others_are_still_answered(
    tmp_path: Path, engine: Engine, kb: Knowledge
) -> None:
    clock = FrozenClock()
    async with running_bot(
        tmp_path, engine, clock=clock, flood_burst=5, flood_rate=1.0
    ) as telegram:
        for _ in range(30):
            telegram.user_says(QUESTION)
        replies = [await telegram.next_reply() for _ in range(6)]
        await telegram.settle()
        assert telegram.pending_replies() == 0
        slow_down = kb.message("slow_down", "en")
        assert [r.text for r in replies].count(slow_down) == 1
        assert sum("Tokayev" in r.text for r in replies) == 5

        other = await ask(telegram, "Кто предложил создать центр?", user=BORIS)
        assert "Токаев" in other.text

        clock.advance(1.0)  # one token back: the flooder may ask again, unwarned
        assert "Tokayev" in (await ask(telegram)).text


async def test_a_flood_of_button_presses_is_answered_without_messages(
    tmp_path: Path, engine: Engine
) -> None:
    async with running_bot(
        tmp_path, engine, clock=FrozenClock(), flood_burst=1, flood_rate=1.0
    ) as telegram:
        answer = await ask(telegram)  # uses the only token
        for _ in range(3):
            telegram.press(answer, "👍")
        await telegram.settle()
        assert telegram.pending_replies() == 0
        assert len(telegram.calls_to("answerCallbackQuery")) == 3
        assert telegram.services is not None
        assert telegram.services.store.votes == []  # type: ignore[attr-defined]


# --- secrets -------------------------------------------------------------------------------------


@pytest.fixture
def bot_logging(request: pytest.FixtureRequest) -> Iterator[None]:
    """`python -m bot run`'s logging set-up (DEBUG, or the test's `level` param), undone after."""
    root = logging.getLogger()
    names = ("httpx", "httpcore", "apscheduler")
    quiet = {name: logging.getLogger(name).level for name in names}
    level, handlers = root.level, list(root.handlers)
    setup_logging(Config(token=TOKEN, log_level=getattr(request, "param", "DEBUG")))
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    for name, old in quiet.items():
        logging.getLogger(name).setLevel(old)


@pytest.mark.usefixtures("bot_logging")
async def test_the_token_never_appears_in_the_logs_even_at_debug(
    tmp_path: Path,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = TOKEN.split(":", 1)[1]
    async with running_bot(tmp_path, engine) as telegram:
        telegram.fail_next("sendMessage", 500)
        telegram.drop_next("answerCallbackQuery")
        answer = await ask(telegram)
        telegram.press(answer, "👍")
        await telegram.next_call("answerCallbackQuery")
        telegram.fail_next("getUpdates", 502)
        telegram.interrupt_polls()
        await telegram.faults_used()
        telegram.services.engine = ExplodingEngine(engine)  # type: ignore[union-attr,assignment]
        await ask(telegram, "boom")
    assert len(caplog.records) > 50  # DEBUG really was on
    assert secret not in caplog.text
    assert all(secret not in record.getMessage() for record in caplog.records)
    assert secret not in capfd.readouterr().err


@pytest.mark.parametrize("bot_logging", ["INFO"], indirect=True)
@pytest.mark.usefixtures("bot_logging")
async def test_at_info_the_log_is_not_flooded_by_the_reload_checks(
    tmp_path: Path, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    async with running_bot(tmp_path, engine, live_reload=True, reload_seconds=0.2) as telegram:
        await ask(telegram)
        await asyncio.sleep(1.5)  # the first check runs after 1 s, then every 0.2 s
    assert not [r for r in caplog.records if r.name.startswith("apscheduler")]
