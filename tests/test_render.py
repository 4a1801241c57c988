"""What a user reads: HTML with escaping, the quote and its source, buttons, JSON."""

from __future__ import annotations

import html
from html.parser import HTMLParser

from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.engine import Question, Reply
from bot.knowledge import MAX_MESSAGE_CHARS
from bot.render import question_label, split_message, to_html, to_json, to_text


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open.pop() == tag


def test_an_answer_shows_the_quote_as_a_blockquote_with_its_source(engine):
    rendered = to_html(engine.ask(Question("Who proposed the centre?")), engine.knowledge)
    assert "<blockquote>" in rendered.html
    assert "Ministry of Foreign Affairs of the Republic of Kazakhstan" in rendered.html
    assert "6 March 2025" in rendered.html
    parser = _Tags()
    parser.feed(rendered.html)
    assert parser.open == []  # well-formed for Telegram's HTML parser


def test_a_russian_reply_says_the_quote_is_in_english_and_dates_it_in_russian(engine):
    text = to_text(engine.ask(Question("Кто предложил создать центр?")), engine.knowledge)
    assert "на английском" in text
    assert "6 марта 2025" in text


def test_an_answer_offers_feedback_and_follow_up_buttons(engine):
    rendered = to_html(engine.ask(Question("Who proposed the centre?")), engine.knowledge)
    actions = [button.action for row in rendered.buttons for button in row]
    assert "vote_up" in actions and "vote_down" in actions
    assert "ask" in actions


def test_a_decline_has_no_quote(engine):
    reply = engine.ask(Question("What's the weather in Paris tomorrow?"))
    assert "<blockquote>" not in to_html(reply, engine.knowledge).html
    assert to_json(reply, engine.knowledge)["quotes"] == []


def test_a_known_gap_with_close_facts_says_what_is_missing_and_offers_them(engine):
    kb = engine.knowledge
    gap = kb.intents["gap-centre-jobs"]
    related = kb.intents["centre-region"]
    reply = Reply("decline", "en", 0.1, gap, (related,))
    rendered = to_html(reply, kb)
    assert rendered.html.startswith(html.escape(gap.answer["en"]))
    assert kb.message("follow_ups", "en") in rendered.html  # the buttons are introduced
    assert [(b.action, b.value) for row in rendered.buttons for b in row] == [("ask", related.id)]
    assert "<blockquote>" not in rendered.html
    text = to_text(reply, kb)
    assert kb.message("follow_ups", "en") in text and question_label(related, "en") in text
    assert to_text(Reply("decline", "en", 0.1, gap), kb) == gap.answer["en"]


def test_json_has_the_documented_shape(engine):
    payload = to_json(engine.ask(Question("Who proposed the centre?")), engine.knowledge)
    assert set(payload) == {
        "kind", "intent", "score", "language", "text", "quotes", "suggestions", "also"
    }  # fmt: skip
    assert set(payload["quotes"][0]) == {"text", "source", "title", "publisher", "date"}
    assert payload["quotes"][0]["source"].endswith(".txt")


def test_our_limits_are_telegrams(kb):
    assert MAX_MESSAGE_CHARS == MessageLimit.MAX_TEXT_LENGTH
    longest = max(len(f"a:{intent_id}".encode()) for intent_id in kb.intents)
    assert longest <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA


def test_long_text_is_split_at_paragraphs_within_the_limit():
    text = "\n\n".join(["word " * 300] * 5)
    parts = split_message(text, limit=4096)
    assert len(parts) > 1
    assert all(len(part) <= 4096 for part in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


def test_a_supplied_title_is_bracketed_so_it_never_passes_for_a_headline(engine):
    text = to_text(engine.ask(Question("When was UN Plaza officially opened?")), engine.knowledge)
    assert "[Kazakh Foreign Minister Murat Nurtleu visits the UN Plaza building in Almaty]" in text
    assert "19 August 2023" in text
