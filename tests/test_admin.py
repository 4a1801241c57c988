"""The admin side, end to end through FakeTelegram: what admins see, and what everyone else doesn't.

Admins (`config.admin_ids`) get /stats, /unanswered, /feedback and /reload in their private chat,
and a message whenever an edit of intents/ goes live or is refused. To anyone else these commands
do not exist. Reports read the real SQLite store (on tmp_path); reload tests edit copies of the
project's intents/ and seeds/. Questions are picked from what the current engine answers, so the
tests hold while the knowledge base grows.
"""

from __future__ import annotations

import asyncio
import html
import re
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.admintexts import admin_text
from bot.app import ADMIN_COMMANDS, MENU_COMMANDS
from bot.engine import Engine, Question
from bot.handlers import admin_parts
from bot.knowledge import Intent, Knowledge
from bot.reports import UNANSWERED_KINDS
from bot.store import Store
from tests.conftest import INTENTS, SEEDS
from tests.fake_telegram import (
    ALICE,
    BORIS,
    GROUP,
    FakeTelegram,
    Sent,
    User,
    check_html,
    running_bot,
)

ADMIN = User(4242, "Admin", "en")
ADMINS = frozenset({ADMIN.id})
ADMIN_RU = User(4343, "Админ", "ru")
ADMIN_KK = User(4444, "Әкімші", "kk")
#: Declined by the engine (checked in `unanswered`), and sharing no intent's wording.
CATS = ("How many cats live in the centre?", "how many cats live in the centre??")
#: User text with HTML characters: admins must read it as typed, and Telegram must accept it.
ODD = "Do cats & dogs <live> in the centre?"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "data")
    yield store
    store.close()


@pytest.fixture
async def telegram(tmp_path: Path, engine: Engine, store: Store) -> AsyncIterator[FakeTelegram]:
    async with running_bot(tmp_path / "data", engine, store=store, admin_ids=ADMINS) as api:
        yield api


@pytest.fixture(scope="module")
def answered(engine: Engine) -> tuple[str, Intent]:
    """An English question the engine answers, and the intent that answers it."""
    for intent in engine.knowledge.intents.values():
        if intent.kind != "fact":
            continue
        for question in intent.questions["en"]:
            reply = engine.ask(Question(question, lang_hint="en"))
            if (
                reply.kind == "answer"
                and reply.intent is not None
                and reply.intent.id == intent.id
            ):
                return question, intent
    raise AssertionError("the engine answers none of its own English example questions")


async def ask(telegram: FakeTelegram, text: str, user: User = ALICE, **kwargs: Any) -> Sent:
    telegram.user_says(text, user=user, **kwargs)
    return await telegram.next_reply()


async def admin_says(telegram: FakeTelegram, command: str, admin: User = ADMIN) -> str:
    """What the admin reads after `command` (all its messages; checked for HTML by the fake)."""
    telegram.user_says(command, user=admin)
    parts = [await telegram.next_reply(timeout=10)]
    await telegram.settle()
    while telegram.pending_replies():
        parts.append(await telegram.next_reply())
    assert all(part.chat_id == admin.id for part in parts)
    return "\n".join(part.text for part in parts)


async def notice_for_admin(telegram: FakeTelegram, timeout: float = 5.0) -> Sent:
    """The next message the admins get unasked (a reload notice)."""
    notice = await telegram.next_reply(timeout=timeout)
    assert notice.chat_id == ADMIN.id, f"expected an admin notice, got {notice.text!r}"
    return notice


# --- reports -------------------------------------------------------------------------------------


async def test_an_admins_stats_count_the_questions_by_language_outcome_and_intent(
    telegram: FakeTelegram, answered: tuple[str, Intent]
) -> None:
    question, intent = answered
    await ask(telegram, question)
    await ask(telegram, question)
    await ask(telegram, CATS[0], user=BORIS)  # declined, and in English despite Boris's ru client

    text = await admin_says(telegram, "/stats")
    assert text.startswith("Questions: 3 (")
    assert "Languages: en 3 (100%)" in text
    assert "answer 2 (67%)" in text
    assert "decline 1 (33%)" in text
    assert f"2 — {intent.id}" in text
    assert re.search(r"^  \d{4}-\d\d-\d\d: 3$", text, re.MULTILINE)


async def test_an_admin_reads_the_reports_in_the_language_of_their_telegram(
    tmp_path: Path, engine: Engine, store: Store, answered: tuple[str, Intent]
) -> None:
    question, intent = answered
    admins = frozenset({ADMIN_RU.id, ADMIN_KK.id})
    async with running_bot(tmp_path / "data", engine, store=store, admin_ids=admins) as telegram:
        await ask(telegram, question)
        await ask(telegram, CATS[0])
        stats = await admin_says(telegram, "/stats", ADMIN_RU)
        assert stats.startswith("Вопросов: 2 (")
        assert "Исходы: answer 1 (50%), decline 1 (50%)" in stats
        assert f"1 — {intent.id}" in stats  # ids stay as in the files
        unanswered = await admin_says(telegram, "/unanswered", ADMIN_KK)
        assert unanswered.startswith("Жауапсыз: 1 сұрақ")
        assert "questions/en ішіне қосыңыз: " in unanswered
        assert (
            await admin_says(telegram, "/feedback all", ADMIN_RU) == "Оценок нет (за всё время)."
        )
        assert (await admin_says(telegram, "/stats вчера", ADMIN_KK)).startswith(
            "Қолданылуы: /stats"
        )


async def test_stats_take_a_period_and_explain_a_wrong_one(telegram: FakeTelegram) -> None:
    assert (await admin_says(telegram, "/stats 24h")).startswith("No questions in ")
    assert (await admin_says(telegram, "/stats all")) == "No questions in all time."
    assert (await admin_says(telegram, "/stats yesterday")).startswith("Usage: /stats [")


async def test_unanswered_groups_declined_questions_and_names_the_closest_intent(
    telegram: FakeTelegram, engine: Engine, kb: Knowledge
) -> None:
    for text in (*CATS, ODD):
        assert engine.ask(Question(text)).kind in UNANSWERED_KINDS, f"{text!r} is answered now"
        await ask(telegram, text)

    text = await admin_says(telegram, "/unanswered")
    assert text.startswith("Unanswered: 3 questions")
    lines = text.splitlines()
    cats = lines.index(f"2× {CATS[0]} [en]")
    closest = re.match(
        r"   closest: (\S+) \(\d\.\d\d\); add under questions/en: ", lines[cats + 1]
    )
    assert closest is not None
    assert closest.group(1) in kb.intents
    # The user's own text, exactly as typed: escaped for Telegram, not swallowed as markup.
    assert f"1× {ODD} [en]" in lines


async def test_feedback_shows_an_answer_voted_down_with_the_question_behind_it(
    telegram: FakeTelegram, answered: tuple[str, Intent]
) -> None:
    question, intent = answered
    reply = await ask(telegram, question)
    telegram.press(reply, "👎")
    await telegram.next_call("answerCallbackQuery")
    await telegram.next_call("editMessageReplyMarkup")  # the vote is in once its row is gone

    text = await admin_says(telegram, "/feedback")
    assert f"0 / 1 — {intent.id}" in text
    assert f"1× {intent.id} ← {question}" in text


async def test_feedback_with_no_votes_says_so(telegram: FakeTelegram) -> None:
    assert (await admin_says(telegram, "/feedback 7d")).startswith("No votes in ")


def test_a_long_admin_text_is_split_into_messages_telegram_accepts() -> None:
    text = html.escape("1× what about <this> & that? [en]\n" * 300, quote=False)
    parts = admin_parts(text)
    assert len(parts) > 1
    assert all(len(html.unescape(part)) <= 4096 for part in parts)
    assert all(check_html(part) is None for part in parts)
    assert "".join(html.unescape(part) for part in parts).count("<this> & that?") == 300


# --- strangers -----------------------------------------------------------------------------------


async def test_a_stranger_gets_the_unknown_command_reply_and_nothing_else(
    telegram: FakeTelegram, kb: Knowledge, store: Store
) -> None:
    unknown = (await ask(telegram, "/frobnicate")).html
    for command in ADMIN_COMMANDS:
        reply = await ask(telegram, f"/{command}")
        assert reply.html == unknown
        assert reply.text == kb.message("unknown_command", "en")
        reply = await ask(telegram, f"/{command} 30d", user=BORIS)
        assert reply.text == kb.message("unknown_command", "ru")
    await telegram.settle()
    assert telegram.pending_replies() == 0
    assert store.log().questions == ()


async def test_in_a_group_admin_commands_get_no_reply_even_from_an_admin(
    telegram: FakeTelegram,
) -> None:
    # In a group an unknown command may be another bot's: no reply. Stats would reach everyone.
    for user in (ALICE, ADMIN):
        for command in ADMIN_COMMANDS:
            telegram.user_says(f"/{command}", user=user, chat=GROUP)
    await telegram.settle()
    assert telegram.pending_replies() == 0


async def test_admin_commands_are_in_the_admins_menu_only(telegram: FakeTelegram) -> None:
    calls = telegram.calls_to("setMyCommands")
    public = [call for call in calls if "scope" not in call.params]
    assert public
    for call in public:
        assert [c["command"] for c in call.params["commands"]] == list(MENU_COMMANDS)
    admins = [call for call in calls if "scope" in call.params]
    assert [call.params["scope"] for call in admins] == [{"type": "chat", "chat_id": ADMIN.id}]
    commands = [c["command"] for c in admins[0].params["commands"]]
    assert commands == [*MENU_COMMANDS, *ADMIN_COMMANDS]


# --- live reload ---------------------------------------------------------------------------------


class Kb:
    """Copies of the project's intents/ and seeds/, and edits of one intent's English answer."""

    def __init__(self, root: Path, intent: Intent) -> None:
        self.intents, self.seeds = root / "intents", root / "seeds"
        shutil.copytree(INTENTS, self.intents)
        shutil.copytree(SEEDS, self.seeds)
        self.file = self.intents / Path(intent.file).name
        self.id = intent.id
        lines = self.file.read_text(encoding="utf-8").splitlines(keepends=True)
        start = next(n for n, line in enumerate(lines) if line.strip() == f"- id: {intent.id}")
        answer = next(n for n in range(start, len(lines)) if lines[n].strip() == "answer:")
        #: Index of the `en:` line of the intent's answer.
        self.line = next(
            n for n in range(answer, len(lines)) if lines[n].lstrip().startswith("en:")
        )

    def edit_answer(self, prefix: str, *, break_yaml: bool = False) -> None:
        """Start the English answer with `prefix`; `break_yaml` also leaves a `[` unclosed."""
        lines = self.file.read_text(encoding="utf-8").splitlines(keepends=True)
        head, value = lines[self.line].split("en:", 1)
        value = value.strip()
        quote = value[0] if value[:1] in ("'", '"') else ""
        lines[self.line] = f"{head}en: {quote}{prefix} {value.removeprefix(quote)}\n"
        if break_yaml:
            lines[self.line - 1] = lines[self.line - 1].rstrip("\n") + " [\n"
        self.file.write_text("".join(lines), encoding="utf-8")

    def add_question(self, text: str) -> None:
        """Add an English example question to the intent (the index must be trained anew)."""
        lines = self.file.read_text(encoding="utf-8").splitlines(keepends=True)
        start = next(n for n, line in enumerate(lines) if line.strip() == f"- id: {self.id}")
        asked = next(n for n in range(start, len(lines)) if lines[n].strip() == "questions:")
        english = next(n for n in range(asked, len(lines)) if lines[n].strip() == "en:")
        indent = lines[english + 1][: len(lines[english + 1]) - len(lines[english + 1].lstrip())]
        lines.insert(english + 1, f'{indent}- "{text}"\n')
        self.file.write_text("".join(lines), encoding="utf-8")

    @property
    def config(self) -> dict[str, Any]:
        return {"intents_dir": self.intents, "seeds_dir": self.seeds, "admin_ids": ADMINS}


async def test_an_edited_answer_goes_live_within_seconds_and_a_broken_edit_does_not(
    tmp_path: Path, started_data_dir: Path, engine: Engine, answered: tuple[str, Intent]
) -> None:
    question, intent = answered
    kb = Kb(tmp_path, intent)
    async with running_bot(
        started_data_dir, engine, live_reload=True, reload_seconds=0.3, **kb.config
    ) as telegram:
        before = await ask(telegram, question)
        assert "Edited" not in before.text

        edited = time.monotonic()
        kb.edit_answer("Edited v2.")
        notice = await notice_for_admin(telegram)
        assert notice.text.startswith("Knowledge reloaded.")
        assert f"Changed: {intent.id}" in notice.text
        after = await ask(telegram, question)
        assert time.monotonic() - edited < 5
        assert after.text != before.text
        assert "Edited v2." in after.text

        # A YAML syntax error: the admins hear where, and users keep getting the last good answer.
        kb.edit_answer("Edited v3.", break_yaml=True)
        notice = await notice_for_admin(telegram)
        assert notice.text.startswith("Knowledge NOT reloaded")
        assert re.search(rf"{re.escape(kb.file.name)}:\d+: ", notice.text), notice.text
        still = await ask(telegram, question)
        assert "Edited v2." in still.text
        assert "Edited v3." not in still.text


async def test_an_added_example_question_is_trained_while_the_bot_answers_and_then_answered(
    tmp_path: Path, started_data_dir: Path, engine: Engine, answered: tuple[str, Intent]
) -> None:
    """The whole knowledge base is trained anew, in a child process; meanwhile and after, the
    bot answers."""
    question, intent = answered
    kb = Kb(tmp_path, intent)
    new_question = "What do the pelicans of the steppe have to do with it?"
    async with running_bot(
        started_data_dir, engine, live_reload=True, reload_seconds=0.3, **kb.config
    ) as telegram:
        answer = (await ask(telegram, question)).text
        assert (await ask(telegram, new_question)).text != answer  # not known yet
        kb.add_question(new_question)
        await asyncio.sleep(0.5)  # the reload has begun: training
        assert (await ask(telegram, question)).text == answer  # answered meanwhile
        notice = await notice_for_admin(telegram, timeout=60)
        assert notice.text.startswith("Knowledge reloaded.")
        assert f"Changed: {intent.id}" in notice.text
        assert (await ask(telegram, new_question)).text == answer
    assert len(list((started_data_dir / "index").glob("*.pickle"))) == 1  # the new one, saved


async def test_a_reload_notice_reaches_each_admin_in_the_language_they_chose(
    tmp_path: Path, started_data_dir: Path, engine: Engine, answered: tuple[str, Intent]
) -> None:
    _, intent = answered
    kb = Kb(tmp_path, intent)
    store = Store(started_data_dir)
    store.set_language(ADMIN_KK.id, "kk")  # chosen with /language earlier
    config = kb.config | {"admin_ids": frozenset({ADMIN.id, ADMIN_KK.id})}
    try:
        async with running_bot(
            started_data_dir, engine, store=store, live_reload=True, reload_seconds=0.3, **config
        ) as telegram:
            kb.edit_answer("Edited v2.", break_yaml=True)
            notices = {}
            for _ in range(2):
                notice = await telegram.next_reply(timeout=5)
                notices[notice.chat_id] = notice.text
            assert notices[ADMIN.id].startswith("Knowledge NOT reloaded: ")
            assert notices[ADMIN_KK.id].startswith("Білім базасы қайта ЖҮКТЕЛМЕДІ, қате саны: ")
            assert re.search(rf"{re.escape(kb.file.name)}:\d+: ", notices[ADMIN_KK.id])
    finally:
        store.close()


async def test_reload_by_an_admin_says_what_changed_or_what_is_broken(
    tmp_path: Path, started_data_dir: Path, engine: Engine, answered: tuple[str, Intent]
) -> None:
    question, intent = answered
    kb = Kb(tmp_path, intent)
    # No repeating check: only /reload picks the edits up.
    async with running_bot(started_data_dir, engine, **kb.config) as telegram:
        assert (await admin_says(telegram, "/reload")).startswith(admin_text("no_changes", "en"))

        kb.edit_answer("Edited v2.")
        assert "Edited" not in (await ask(telegram, question)).text
        text = await admin_says(telegram, "/reload")
        assert text.startswith("Knowledge reloaded.")
        assert f"Changed: {intent.id}" in text
        assert "Edited v2." in (await ask(telegram, question)).text
        assert (await admin_says(telegram, "/reload")).startswith(admin_text("no_changes", "en"))

        kb.edit_answer("Edited v3.", break_yaml=True)
        broken = await admin_says(telegram, "/reload")
        assert broken.startswith("Knowledge NOT reloaded")
        line = re.search(rf"{re.escape(kb.file.name)}:(\d+): ", broken)
        assert line is not None
        assert abs(int(line.group(1)) - (kb.line + 1)) <= 2  # at the edit, give or take
        # Asked again while still broken: the same problems, not "no changes".
        assert await admin_says(telegram, "/reload") == broken
        assert "Edited v2." in (await ask(telegram, question)).text
