"""Reports: what an admin reads in `python -m bot report` and in /stats, /unanswered, /feedback."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.engine import Engine
from bot.errors import ConfigError
from bot.reports import (
    build_report,
    feedback_text,
    format_csv,
    format_json,
    format_text,
    group_questions,
    parse_since,
    stats_text,
    unanswered_text,
    yaml_item,
)
from bot.store import Log, LoggedQuestion, LoggedVote, Store
from tests.conftest import Clock

NOW = dt.datetime(2025, 3, 6, 12, 0, tzinfo=dt.UTC)
BUDGET = ("what is the budget", "What's the budget?", "what is the budget of the centre")


def question(
    text: str,
    kind: str = "decline",
    intent: str | None = None,
    language: str = "en",
    days_ago: float = 0.0,
    now: dt.datetime = NOW,
) -> LoggedQuestion:
    score = 0.8 if kind in ("answer", "smalltalk") else 0.1
    when = now - dt.timedelta(days=days_ago)
    return LoggedQuestion(when, language, text, kind, intent, score, "private", "user-hash")


def vote(intent: str, up: bool, asked: str | None = None) -> LoggedVote:
    return LoggedVote(NOW, "user-hash", intent, up, asked)


def log_question(store: Store, text: str, kind: str = "decline", intent: str | None = None,
                 language: str = "en") -> None:  # fmt: skip
    store.record_question(
        user_id=42, language=language, text=text, kind=kind, intent=intent,
        score=0.1 if intent is None else 0.8, chat_type="private",
    )  # fmt: skip


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder `python -m bot report` reads (through BOT_DATA_DIR)."""
    folder = tmp_path / "data"
    monkeypatch.setenv("BOT_DATA_DIR", str(folder))
    return folder


# --- grouping ------------------------------------------------------------------------------------


def test_near_identical_questions_are_one_group_with_a_count() -> None:
    asked = [*BUDGET, "what is the budget", "who is the director of the centre"]
    groups = group_questions([question(text) for text in asked])

    assert [(g.wording, g.count) for g in groups] == [
        ("what is the budget", 4),
        ("who is the director of the centre", 1),
    ]
    assert set(groups[0].wordings) == {"What's the budget?", "what is the budget of the centre"}
    assert (groups[0].declined, groups[0].clarified) == (4, 0)


def test_a_typo_joins_the_group_of_the_word_it_misspells() -> None:
    asked = ["when will the centre open"] * 3 + ["when will the centre opne"]
    [group] = group_questions([question(text) for text in asked])
    assert group.count == 4


def test_different_questions_stay_apart_once_the_log_knows_which_words_are_common(
    engine: Engine,
) -> None:
    answered = [question("when will the centre be in almaty", "answer", "x")] * 30
    unanswered = [question("when will the centre open"), question("who pays for the centre")]
    report = build_report(Log(tuple(answered + unanswered)), engine, now=NOW)
    assert sorted(g.wording for g in report.unanswered) == [
        "when will the centre open",
        "who pays for the centre",
    ]


def test_grouping_ten_thousand_questions_is_fast() -> None:
    import time

    stems = [f"what is the {word} of the centre" for word in ("budget", "address", "mandate")]
    asked = [
        question(f"{stems[n % 3]} {'please' if n % 5 == 0 else ''} {n % 400}".strip())
        for n in range(10_000)
    ]
    started = time.perf_counter()
    groups = group_questions(asked)
    assert time.perf_counter() - started < 5.0, "grouping must not grow with all pairs"
    assert sum(g.count for g in groups) == 10_000


# --- statistics ----------------------------------------------------------------------------------


def test_statistics_count_days_languages_outcomes_intents_and_votes() -> None:
    log = Log(
        questions=(
            question("who proposed the centre", "answer", "centre-who-proposed", days_ago=1),
            question("кто предложил центр", "answer", "centre-who-proposed", "ru"),
            question("hello", "smalltalk", "greeting"),
            question("what is the budget", "clarify"),
        ),
        votes=(
            vote("centre-who-proposed", True),
            vote("centre-who-proposed", False, "кто предложил центр"),
            vote("greeting", False),
        ),
    )
    report = build_report(log, now=NOW)

    assert report.total == 4
    assert [(c.name, c.count) for c in report.languages] == [("en", 3), ("ru", 1)]
    assert {c.name: c.count for c in report.outcomes} == {
        "answer": 2, "clarify": 1, "smalltalk": 1, "decline": 0,
    }  # fmt: skip
    assert sum(c.share for c in report.outcomes) == pytest.approx(1.0)
    assert [(c.name, c.count) for c in report.top_intents] == [
        ("centre-who-proposed", 2),
        ("greeting", 1),
    ]
    assert [(d.day.isoformat(), d.language, d.count) for d in report.per_day] == [
        ("2025-03-05", "en", 1),
        ("2025-03-06", "en", 2),
        ("2025-03-06", "ru", 1),
    ]
    assert [(v.intent, v.up, v.down) for v in report.feedback] == [
        ("centre-who-proposed", 1, 1),
        ("greeting", 0, 1),
    ]
    assert [(d.intent, d.question) for d in report.voted_down] == [
        ("centre-who-proposed", "кто предложил центр"),
        ("greeting", "(question not known)"),
    ]
    assert report.unanswered_total == 1


def test_each_unanswered_group_suggests_the_nearest_intent_and_a_yaml_line(
    engine: Engine,
) -> None:
    log = Log(tuple(question("Who proposed the centre, really?") for _ in range(3)))
    report = build_report(log, engine, now=NOW)

    [group] = report.unanswered
    assert group.suggested_intent == "centre-who-proposed"
    assert 0 < group.suggested_score <= 1
    text = format_text(report)
    assert "closest intent: centre-who-proposed" in text
    assert "- Who proposed the centre, really?" in text


@pytest.mark.parametrize(
    ("wording", "item"),
    [
        ("what is the budget", "- what is the budget"),
        ("budget: how much?", "- 'budget: how much?'"),
        ("Какой бюджет?", "- Какой бюджет?"),
    ],
    ids=["plain", "colon-needs-quotes", "cyrillic-stays-readable"],
)
def test_a_suggested_example_can_be_pasted_into_yaml(wording: str, item: str) -> None:
    assert yaml_item(wording) == item


# --- the period ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ago"),
    [("24h", dt.timedelta(hours=24)), ("7d", dt.timedelta(days=7)), ("2w", dt.timedelta(14)),
     ("30D", dt.timedelta(days=30)), ("all", None)],
)  # fmt: skip
def test_since_accepts_hours_days_weeks_and_all(value: str, ago: dt.timedelta | None) -> None:
    assert parse_since(value, NOW) == (NOW - ago if ago else None)


@pytest.mark.parametrize("value", ["", "7", "seven days", "0d", "-1d", "7m", "99999999d"])
def test_a_bad_since_is_a_clear_error(value: str) -> None:
    with pytest.raises(ConfigError, match=r"--since has value .*expected a period like 24h"):
        parse_since(value, NOW)


def test_a_bad_since_on_the_command_line_exits_2_with_the_message(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--since", "lately"]) == 2
    assert "--since has value 'lately'" in capsys.readouterr().err


# --- the command ---------------------------------------------------------------------------------


def test_report_on_a_missing_data_folder_says_nothing_is_logged_yet(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report"]) == 0
    assert "No questions logged yet" in capsys.readouterr().out
    assert not data_dir.exists(), "a report never creates the data folder"


@pytest.mark.parametrize("form", ["json", "csv"])
def test_report_on_a_missing_data_folder_still_prints_parsable_output(
    data_dir: Path, capsys: pytest.CaptureFixture[str], form: str
) -> None:
    assert main(["report", "--format", form]) == 0
    captured = capsys.readouterr()
    assert "No questions logged yet" in captured.err
    if form == "json":
        assert json.loads(captured.out)["total"] == 0
    else:
        assert next(csv.reader(io.StringIO(captured.out)))[0] == "section"


def test_since_leaves_out_older_questions(
    data_dir: Path, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(data_dir, clock=clock)
    real_now = clock.now
    for days_ago, text in ((40, "old"), (10, "last month"), (1, "yesterday")):
        clock.now = real_now - dt.timedelta(days=days_ago)
        log_question(store, text, kind="answer", intent="centre-who-proposed")
    store.close()

    totals = {}
    for since in ("24h", "7d", "30d", "all"):
        assert main(["report", "--since", since, "--format", "json"]) == 0
        totals[since] = json.loads(capsys.readouterr().out)["total"]
    assert totals == {"24h": 0, "7d": 1, "30d": 2, "all": 3}


def test_report_formats_text_csv_and_json_all_parse(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # An intents folder that cannot load: the report still works, without suggestions (and
    # without spending a second building the engine).
    monkeypatch.setenv("BOT_INTENTS_DIR", str(data_dir.parent / "no-intents"))
    store = Store(data_dir)
    for text in BUDGET:
        log_question(store, text)
    log_question(store, "who proposed the centre", "answer", "centre-who-proposed", "en")
    log_question(store, "кто предложил центр", "answer", "centre-who-proposed", "ru")
    store.record_vote(user_id=42, intent="centre-who-proposed", up=False)
    store.close()

    assert main(["report"]) == 0
    text = capsys.readouterr().out
    for heading in ("Questions: 5", "Languages:", "Outcomes:", "Questions per day", "Top intents",
                    "Feedback", "Voted down", "Unanswered", "no suggested intents"):  # fmt: skip
        assert heading in text

    assert main(["report", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    sections = {row["section"] for row in rows}
    assert {"languages", "per_day", "outcomes", "top_intents", "feedback", "unanswered"} <= (
        sections
    )
    [unanswered] = [row for row in rows if row["section"] == "unanswered"]
    assert unanswered["count"] == "3"

    assert main(["report", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["total"] == 5
    assert report["unanswered"][0]["count"] == 3
    assert report["voted_down"][0]["question"] == "кто предложил центр"


def test_csv_and_json_keep_unusual_text_intact() -> None:
    tricky = 'a "quoted", comma\nnewline <b> question'
    report = build_report(Log((question(tricky),)), now=NOW)
    [row] = [r for r in csv.DictReader(io.StringIO(format_csv(report))) if r["text"]]
    assert row["text"] == " ".join(tricky.split())
    assert json.loads(format_json(report))["unanswered"][0]["wording"] == row["text"]


# --- Telegram admin texts ------------------------------------------------------------------------


def test_stats_text_sums_up_the_week(store: Store) -> None:
    log_question(store, "who proposed the centre", "answer", "centre-who-proposed")
    log_question(store, "what is the budget")
    text = stats_text(store)
    assert text.startswith("Questions: 2")
    assert "answer 1 (50%)" in text and "decline 1 (50%)" in text
    assert "centre-who-proposed" in text


def test_unanswered_text_lists_groups_with_suggestions_and_escapes_user_text(
    store: Store, engine: Engine
) -> None:
    for _ in range(2):
        log_question(store, "Who proposed the centre <script>?")
    text = unanswered_text(store, engine)
    assert "2× Who proposed the centre &lt;script&gt;?" in text
    assert "<script>" not in text
    assert "closest: centre-who-proposed" in text


def test_feedback_text_shows_votes_and_the_questions_behind_a_thumbs_down(store: Store) -> None:
    log_question(store, "who had the idea", "answer", "centre-who-proposed")
    store.record_vote(user_id=42, intent="centre-who-proposed", up=False)
    text = feedback_text(store)
    assert "0 / 1 — centre-who-proposed" in text
    assert "centre-who-proposed ← who had the idea" in text


def test_admin_texts_fit_one_telegram_message(store: Store) -> None:
    for n in range(400):
        log_question(store, f"a long and unusual question number {n} " + "x" * 50 + str(n))
    text = unanswered_text(store, None, "all")
    assert len(text) <= 4096


def test_admin_texts_explain_a_bad_period_and_an_empty_log(store: Store) -> None:
    assert stats_text(store, "lately").startswith("Usage: /stats")
    assert feedback_text(store).startswith("No votes in")
    assert unanswered_text(store, None).startswith("No unanswered questions")
    assert stats_text(store, "24h").startswith("No questions in")
