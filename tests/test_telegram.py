"""End to end through PTB's real HTTP layer: what users see in Telegram, command by command.

The bot runs against FakeTelegram on 127.0.0.1 (tests/fake_telegram.py), which refuses HTML that
Telegram would refuse, so every reply below is also checked for valid markup and length.
Assertions rest on stable facts (Tokayev proposed the centre) and on structure, not on full texts:
the knowledge base grows while these tests stay.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import dataclasses
import html.parser
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import profile_published, run_command, webhook_path, write_heartbeat
from bot.config import Config
from bot.engine import Engine, Question, Thresholds
from bot.errors import ConfigError
from bot.handlers import (
    MAX_CALLBACK_BYTES,
    MAX_QUESTION_CHARS,
    decode_callback,
    document_parts,
    encode_callback,
)
from bot.knowledge import Knowledge
from bot.render import fill, question_label, source_line, source_title
from bot.text import LANGS
from tests.conftest import INTENTS, SEEDS
from tests.fake_telegram import (
    AIGERIM,
    ALICE,
    BORIS,
    BOT_USERNAME,
    GROUP,
    FakeStore,
    FakeTelegram,
    Sent,
    User,
    running_bot,
)

WHO_PROPOSED = {
    "en": ("Who proposed the centre?", "Tokayev"),
    "ru": ("Кто предложил создать центр?", "Токаев"),
    "kk": ("Орталықты кім ұсынды?", "Тоқаев"),
}
VOTES = ("👍", "👎")
ADMIN = User(4242, "Admin", "en")


@pytest.fixture
async def telegram(tmp_path: Path, engine: Engine) -> AsyncIterator[FakeTelegram]:
    async with running_bot(tmp_path, engine) as api:
        yield api


def store_of(telegram: FakeTelegram) -> FakeStore:
    assert telegram.services is not None
    store = telegram.services.store
    assert isinstance(store, FakeStore)
    return store


async def ask(telegram: FakeTelegram, text: str, **kwargs: object) -> Sent:
    telegram.user_says(text, **kwargs)  # type: ignore[arg-type]
    return await telegram.next_reply()


def follow_up_labels(sent: Sent) -> list[str]:
    return [label for label in sent.labels if label not in VOTES]


# --- commands ------------------------------------------------------------------------------------


async def test_start_welcomes_the_user_and_offers_example_questions(
    telegram: FakeTelegram, kb: Knowledge
) -> None:
    reply = await ask(telegram, "/start")
    assert reply.text == kb.message("welcome", "en")
    assert 3 <= len(reply.labels) <= 4


async def test_an_example_question_under_the_welcome_is_answered_when_pressed(
    telegram: FakeTelegram,
) -> None:
    welcome = await ask(telegram, "/start")
    telegram.press(welcome, welcome.labels[0])
    answer = await telegram.next_reply()
    assert "<blockquote>" in answer.html
    assert answer.method == "sendMessage"


async def test_a_start_link_with_an_intent_id_answers_that_intent(telegram: FakeTelegram) -> None:
    reply = await ask(telegram, "/start centre-who-proposed")
    assert "Tokayev" in reply.text
    assert "<blockquote>" in reply.html


async def test_a_start_link_with_an_unknown_id_just_welcomes(
    telegram: FakeTelegram, kb: Knowledge
) -> None:
    reply = await ask(telegram, "/start no-such-intent")
    assert reply.text == kb.message("welcome", "en")


@pytest.mark.parametrize("command", ["help", "about"])
async def test_help_and_about_reply_with_their_texts_in_the_users_language(
    telegram: FakeTelegram, kb: Knowledge, command: str
) -> None:
    reply = await ask(telegram, f"/{command}", user=BORIS)
    assert reply.text == kb.message(command, "ru")


async def test_topics_lead_to_questions_and_a_question_to_its_answer(
    telegram: FakeTelegram, kb: Knowledge
) -> None:
    topics = await ask(telegram, "/topics")
    assert topics.text == kb.message("topics", "en")
    assert kb.topics["centre"]["en"] in topics.labels

    telegram.press(topics, kb.topics["centre"]["en"])
    questions = await telegram.next_reply()
    assert questions.method == "editMessageText"
    assert questions.message_id == topics.message_id
    label = question_label(kb.intents["centre-who-proposed"], "en")
    assert label in questions.labels
    assert (await telegram.next_call("answerCallbackQuery")).params.get("text") is None

    telegram.press(questions, label)
    answer = await telegram.next_reply()
    assert answer.method == "sendMessage"
    assert "Tokayev" in answer.text


async def test_sources_list_each_document_and_a_button_sends_its_full_text(
    telegram: FakeTelegram, kb: Knowledge
) -> None:
    listing = await ask(telegram, "/sources")
    for source in kb.sources.values():
        assert source_line(source, "en", kb) in listing.text
    assert len(listing.labels) == len(kb.sources)

    source = next(iter(kb.sources.values()))
    telegram.press(listing, listing.labels[0])
    expected = document_parts(source, kb.message("document_part", "en"))
    parts = [await telegram.next_reply() for _ in expected]
    assert [part.html for part in parts] == expected
    assert source.title in parts[0].text
    assert " ".join(source.text.split())[:200] in " ".join(parts[0].text.split())


async def test_a_long_document_comes_in_parts_each_within_telegrams_limit(
    tmp_path: Path, engine: Engine, kb: Knowledge
) -> None:
    first = next(iter(kb.sources.values()))
    paragraph = "The Centre & its <partners> met in Almaty to discuss the SDGs. " * 20
    long_source = dataclasses.replace(first, text="\n\n".join([paragraph] * 12))
    knowledge = dataclasses.replace(kb, sources={**kb.sources, first.id: long_source})
    # The same engine over the changed knowledge (a new Engine would rebuild the index for nothing).
    same_index = copy.copy(engine)
    same_index.knowledge = knowledge
    async with running_bot(tmp_path, same_index) as telegram:
        listing = await ask(telegram, "/sources")
        telegram.press(listing, listing.labels[0])
        template = kb.message("document_part", "en")
        parts = [await telegram.next_reply() for _ in document_parts(long_source, template)]
    assert len(parts) >= 3
    assert all(len(part.html) <= 4096 for part in parts)
    headings = [part.text.splitlines()[0] for part in parts]
    assert headings == [
        fill(template, title=source_title(long_source), part=n, parts=len(parts))
        for n in range(1, len(parts) + 1)
    ]
    sent_text = " ".join(" ".join(part.text.split("\n\n", 1)[1].split()) for part in parts)
    assert sent_text == " ".join(long_source.text.split())


async def test_a_language_choice_holds_for_later_questions(
    telegram: FakeTelegram, kb: Knowledge
) -> None:
    prompt = await ask(telegram, "/language")
    assert prompt.text == kb.message("language_prompt", "en")
    telegram.press(prompt, "Русский")
    confirmation = await telegram.next_reply()
    assert confirmation.text == kb.message("language_set", "ru")
    assert confirmation.message_id == prompt.message_id
    assert store_of(telegram).languages == {ALICE.id: "ru"}

    answer = await ask(telegram, "Who proposed the centre?")
    assert "Токаев" in answer.text


async def test_an_unknown_command_points_to_help(telegram: FakeTelegram, kb: Knowledge) -> None:
    reply = await ask(telegram, "/frobnicate")
    assert reply.text == kb.message("unknown_command", "en")


async def test_the_command_menu_and_descriptions_are_set_in_every_language(
    telegram: FakeTelegram, kb: Knowledge
) -> None:
    for code in ("", *LANGS):
        lang = code or "en"
        commands = telegram.profile[("commands", code)]
        assert {"command": "help", "description": kb.message("command_help", lang)} in commands
        assert telegram.profile[("description", code)] == kb.message("about", lang)
        short = kb.message("short_description", lang)
        assert telegram.profile[("short_description", code)] == short


async def test_an_unchanged_menu_is_not_set_again_at_the_next_start(
    telegram: FakeTelegram,
) -> None:
    before = len(telegram.calls_to("setMyCommands"))
    await telegram.app.post_init(telegram.app)
    await profile_published()
    assert len(telegram.calls_to("setMyCommands")) == before == 1 + len(LANGS)


async def test_questions_are_answered_while_a_slow_telegram_still_sets_the_menu(
    telegram: FakeTelegram,
) -> None:
    telegram.delay_next("getMyCommands", 2.0)
    await telegram.app.post_init(telegram.app)  # as at a start: the menu is set in the background
    menu = asyncio.ensure_future(profile_published())

    answer = await ask(telegram, "Who proposed the centre?")

    assert "Tokayev" in answer.text
    assert not menu.done()
    await menu


# --- questions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_a_question_is_answered_in_its_language_with_a_quote_and_its_source(
    telegram: FakeTelegram, engine: Engine, kb: Knowledge, lang: str
) -> None:
    question, name = WHO_PROPOSED[lang]
    user = {"en": ALICE, "ru": BORIS, "kk": AIGERIM}[lang]
    reply = await ask(telegram, question, user=user)
    assert name in reply.text
    assert "<blockquote>" in reply.html
    intent = engine.ask(Question(question, lang_hint=lang)).intent
    assert intent is not None
    source = kb.sources[intent.quotes[0].source]
    assert source_line(source, lang, kb) in reply.text  # type: ignore[arg-type]
    recorded = store_of(telegram).questions[-1]
    assert recorded["language"] == lang
    assert recorded["kind"] == "answer"
    assert recorded["intent"] == intent.id
    assert recorded["chat_type"] == "private"
    assert recorded["user_id"] == user.id


async def test_an_answer_offers_follow_ups_and_a_follow_up_comes_as_a_new_message(
    telegram: FakeTelegram,
) -> None:
    answer = await ask(telegram, "Who proposed the centre?")
    follow_ups = follow_up_labels(answer)
    assert follow_ups
    assert set(VOTES) <= set(answer.labels)
    telegram.press(answer, follow_ups[0])
    follow_up = await telegram.next_reply()
    assert follow_up.method == "sendMessage"
    assert follow_up.message_id != answer.message_id
    assert "<blockquote>" in follow_up.html
    assert telegram.latest(answer).html == answer.html


async def test_a_message_asking_two_things_answers_one_and_offers_the_other_first(
    telegram: FakeTelegram,
) -> None:
    answer = await ask(telegram, "Who proposed the centre, and where will it be located?")
    assert "Tokayev" in answer.text
    assert "You also asked:" in answer.text
    other = answer.labels[0]
    assert other in answer.text  # listed under "You also asked" and offered as the first button
    telegram.press(answer, other)
    second = await telegram.next_reply()
    assert "Almaty" in second.text
    assert "<blockquote>" in second.html


async def test_a_did_you_mean_candidate_replaces_the_list_with_its_answer(
    tmp_path: Path, kb: Knowledge
) -> None:
    # Thresholds that never answer outright, so a plain question always asks back.
    doubtful = Engine(kb, thresholds=Thresholds(answer=1.1, margin=0.0, clarify=0.0, suggest=0.0))
    vague = "Who proposed the centre?"
    reply = doubtful.ask(Question(vague))
    assert reply.kind == "clarify"
    async with running_bot(tmp_path, doubtful) as telegram:
        listing = await ask(telegram, vague)
        assert listing.text == kb.message("did_you_mean", "en")
        assert listing.labels == [question_label(i, "en") for i in reply.suggestions]

        telegram.press(listing, listing.labels[0])
        answer = await telegram.next_reply()
    assert answer.method == "editMessageText"
    assert answer.message_id == listing.message_id
    assert reply.suggestions[0].answer["en"] in answer.text


@pytest.mark.parametrize(("label", "up"), [("👍", True), ("👎", False)])
async def test_a_vote_is_recorded_thanked_for_and_its_buttons_removed(
    telegram: FakeTelegram, kb: Knowledge, label: str, up: bool
) -> None:
    answer = await ask(telegram, "Who proposed the centre?")
    telegram.press(answer, label)
    answered = await telegram.next_call("answerCallbackQuery")
    assert answered.params["text"] == kb.message("feedback_thanks", "en")
    await telegram.next_call("editMessageReplyMarkup")
    assert store_of(telegram).votes == [
        {"user_id": ALICE.id, "intent": "centre-who-proposed", "up": up}
    ]
    after = telegram.latest(answer)
    assert not set(VOTES) & set(after.labels)
    assert after.labels == follow_up_labels(answer)


@pytest.mark.parametrize(
    "data",
    ["a:en:no-such-intent", "v+:en:deleted-intent", "t:en:no-topic", "zz:en:x", "garbage", ""],
    ids=["gone-intent", "gone-vote", "gone-topic", "unknown-action", "forged", "empty"],
)
async def test_a_stale_or_forged_button_gets_a_polite_reply_and_the_query_answered(
    telegram: FakeTelegram, kb: Knowledge, data: str
) -> None:
    answer = await ask(telegram, "Who proposed the centre?")
    telegram.tap(answer, data)
    reply = await telegram.next_reply()
    assert reply.text == kb.message("stale_button", "en")
    await telegram.next_call("answerCallbackQuery")


async def test_an_edited_question_is_answered_again_as_a_quote(telegram: FakeTelegram) -> None:
    message = telegram.user_says("hello")
    await telegram.next_reply()
    telegram.user_edits(message, "Who proposed the centre?")
    reply = await telegram.next_reply()
    assert "Tokayev" in reply.text
    assert reply.reply_to == message["message_id"]


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "location", "contact", "document"])
async def test_media_get_a_friendly_text_only_note(
    telegram: FakeTelegram, kb: Knowledge, kind: str
) -> None:
    telegram.user_sends(kind, user=BORIS)
    reply = await telegram.next_reply()
    assert reply.text == kb.message("unsupported_media", "ru")


async def test_markup_characters_in_a_question_never_break_the_reply(
    telegram: FakeTelegram,
) -> None:
    nasty = "<b>Who</b> *proposed* _the_ `centre` & [why](http://x) </i> <script>?"
    reply = await ask(telegram, nasty)  # FakeTelegram answers 400 to HTML Telegram can't parse
    parser = html.parser.HTMLParser()
    parser.feed(reply.html)
    parser.close()
    assert "<script>" not in reply.html
    assert "</i> <script>" not in reply.html


async def test_a_question_over_the_length_limit_is_refused_politely(
    telegram: FakeTelegram, kb: Knowledge
) -> None:
    reply = await ask(telegram, "why " * (MAX_QUESTION_CHARS // 4 + 1))
    assert reply.text == kb.message("too_long", "en").format(limit=MAX_QUESTION_CHARS)
    assert store_of(telegram).questions == []


async def test_a_message_of_only_emoji_and_punctuation_asks_for_words(
    telegram: FakeTelegram, kb: Knowledge
) -> None:
    reply = await ask(telegram, "🤔❓!!! ...")
    assert reply.text == kb.message("empty_question", "en")


# --- groups --------------------------------------------------------------------------------------


async def test_in_a_group_a_mention_is_answered_as_a_reply_to_the_asker(
    telegram: FakeTelegram,
) -> None:
    message = telegram.user_says(f"@{BOT_USERNAME} who proposed the centre?", chat=GROUP)
    reply = await telegram.next_reply()
    assert "Tokayev" in reply.text
    assert reply.chat_id == GROUP.id
    assert reply.reply_to == message["message_id"]
    assert store_of(telegram).questions[-1]["text"] == "who proposed the centre?"
    assert store_of(telegram).questions[-1]["chat_type"] == "supergroup"


async def test_in_a_group_messages_not_meant_for_the_bot_are_ignored(
    telegram: FakeTelegram,
) -> None:
    telegram.user_says("who proposed the centre?", chat=GROUP)
    telegram.user_says("@someone_else who proposed the centre?", chat=GROUP)
    telegram.user_says("/frobnicate", chat=GROUP)
    await telegram.settle()
    assert telegram.pending_replies() == 0
    assert store_of(telegram).questions == []


async def test_in_a_group_a_reply_to_the_bot_is_answered(telegram: FakeTelegram) -> None:
    telegram.user_says("/ask who proposed the centre?", chat=GROUP)
    first = await telegram.next_reply()
    message = telegram.user_says("Кто предложил создать центр?", chat=GROUP, reply_to=first)
    reply = await telegram.next_reply()
    assert reply.reply_to == message["message_id"]
    assert "Токаев" in reply.text


async def test_in_a_group_ask_answers_and_ask_alone_explains_itself(
    telegram: FakeTelegram, kb: Knowledge
) -> None:
    reply = await ask(telegram, f"/ask@{BOT_USERNAME} Who proposed the centre?", chat=GROUP)
    assert "Tokayev" in reply.text
    usage = await ask(telegram, "/ask", chat=GROUP)
    assert usage.text == kb.message("ask_usage", "en")


# --- inline mode ---------------------------------------------------------------------------------


async def test_inline_mode_offers_the_answer_as_an_article(telegram: FakeTelegram) -> None:
    telegram.inline_query("Who proposed the centre?")
    call = await telegram.next_call("answerInlineQuery")
    results = call.params["results"]
    assert results
    assert results[0]["id"] == "centre-who-proposed"
    assert "Tokayev" in results[0]["input_message_content"]["message_text"]
    assert "<blockquote>" in results[0]["input_message_content"]["message_text"]


async def test_inline_mode_with_an_empty_query_shows_a_hint(
    telegram: FakeTelegram, kb: Knowledge
) -> None:
    telegram.inline_query("", user=BORIS)
    call = await telegram.next_call("answerInlineQuery")
    assert call.params["results"] == []
    assert call.params["button"]["text"] == kb.message("inline_hint", "ru")


async def test_an_inline_answer_posted_in_a_chat_is_not_answered_again(
    telegram: FakeTelegram,
) -> None:
    telegram.user_says("The President of Kazakhstan, Kassym-Jomart Tokayev", via_bot=True)
    await telegram.settle()
    assert telegram.pending_replies() == 0


# --- wiring --------------------------------------------------------------------------------------


async def test_an_edited_knowledge_base_is_live_and_the_admins_are_told(
    tmp_path: Path, started_data_dir: Path, engine: Engine
) -> None:
    intents, seeds = tmp_path / "intents", tmp_path / "seeds"
    shutil.copytree(INTENTS, intents)
    shutil.copytree(SEEDS, seeds)
    async with running_bot(
        started_data_dir,
        engine,
        live_reload=True,
        intents_dir=intents,
        seeds_dir=seeds,
        admin_ids=frozenset({ADMIN.id}),
        reload_seconds=0.2,
    ) as telegram:
        ui = intents / "_bot.yaml"
        ui.write_text(ui.read_text().replace("Try /help.", "Try /help (v2).", 1))
        notice = await telegram.next_reply(timeout=10)
        assert notice.chat_id == ADMIN.id
        assert notice.text.startswith("Knowledge reloaded")
        reply = await ask(telegram, "/frobnicate")
        assert "(v2)" in reply.text


async def test_the_heartbeat_file_is_written_at_start(telegram: FakeTelegram) -> None:
    assert telegram.services is not None
    path = telegram.services.config.heartbeat_file
    assert abs(float(path.read_text()) - time.time()) < 30
    assert telegram.app.job_queue.jobs()  # and a job keeps writing it


def test_a_heartbeat_creates_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "new" / "heartbeat"
    write_heartbeat(path, now=1234.5)
    assert path.read_text() == "1234.500\n"


async def test_shutdown_closes_the_store(tmp_path: Path, engine: Engine) -> None:
    store = FakeStore()
    async with running_bot(tmp_path, engine, store=store):
        assert not store.closed
    assert store.closed


def test_run_without_a_token_points_to_the_terminal_chat() -> None:
    with pytest.raises(ConfigError, match="python -m bot chat"):
        run_command(argparse.Namespace(), Config())


def test_the_webhook_listens_on_the_public_urls_path() -> None:
    assert webhook_path("https://bot.example.org/tg/hook") == "tg/hook"
    assert webhook_path("https://bot.example.org") == "telegram"


def test_callback_data_for_every_button_fits_in_64_bytes(kb: Knowledge) -> None:
    values = [*kb.intents, *kb.topics, *kb.sources]
    for action in ("ask", "ask_here", "vote_up", "vote_down", "topic", "source"):
        for value in values:
            for lang in LANGS:
                data = encode_callback(action, lang, value)
                assert len(data.encode()) <= MAX_CALLBACK_BYTES
                decoded = decode_callback(data)
                assert decoded is not None
                assert (decoded.action, decoded.lang, decoded.value) == (action, lang, value)


def test_a_value_too_long_for_callback_data_travels_as_a_digest() -> None:
    data = encode_callback("source", "kk", "a-very-long-source-identifier-" * 3)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    decoded = decode_callback(data)
    assert decoded is not None
    assert decoded.value.startswith("#")
