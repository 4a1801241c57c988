"""The question log: what is kept, what is never kept, and that failures never cost a reply."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.store import DB_FILE, KEY_FILE, MIGRATIONS, Store, read_log
from tests.conftest import Clock

NOW = dt.datetime(2025, 3, 6, 12, 0, tzinfo=dt.UTC)
USER = 987_654_321_123


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def ask(store: Store, text: str = "What is the budget?", **fields: object) -> None:
    values: dict[str, object] = {
        "user_id": USER,
        "language": "en",
        "text": text,
        "kind": "decline",
        "intent": None,
        "score": 0.12,
        "chat_type": "private",
    }
    values.update(fields)
    store.record_question(**values)  # type: ignore[arg-type]


def test_a_new_database_gets_the_schema_and_a_reopened_one_keeps_data_and_version(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    first = Store(data)
    ask(first, "who proposed the centre", kind="answer", intent="centre-who-proposed", score=0.9)
    first.close()

    with sqlite3.connect(data / DB_FILE) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert version == len(MIGRATIONS)
    assert {"questions", "votes", "languages"} <= tables
    assert mode == "wal"

    second = Store(data)
    try:
        [question] = second.questions()
        assert (question.text, question.kind, question.intent) == (
            "who proposed the centre",
            "answer",
            "centre-who-proposed",
        )
    finally:
        second.close()
    with sqlite3.connect(data / DB_FILE) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_user_ids_are_stored_only_as_keyed_hashes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store(data)
    ask(store)
    store.record_vote(user_id=USER, intent="centre-what-is", up=True)
    store.set_language(USER, "kk")
    store.flush()
    # Read while the store is open too: rows may still sit in the WAL file.
    files = [p for p in data.iterdir() if p.name.startswith(DB_FILE)]
    open_bytes = b"".join(p.read_bytes() for p in files)
    store.close()
    closed_bytes = (data / DB_FILE).read_bytes()

    for raw in (open_bytes, closed_bytes):
        assert str(USER).encode() not in raw
        assert USER.to_bytes(8, "big") not in raw and USER.to_bytes(8, "little") not in raw
    [question] = read_log(data).questions
    assert question.user == store.user_hash(USER) and len(question.user) == 64
    other = Store(tmp_path / "other", secret=b"another key, 32 bytes long......")
    other.close()
    assert other.user_hash(USER) != store.user_hash(USER), "the hash must depend on the key"
    assert not (tmp_path / "other" / KEY_FILE).exists(), "a given key is never written"
    key = data / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_bytes()) >= 32


def test_queued_writes_are_all_written_by_close_and_close_can_be_called_twice(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "data")
    for n in range(1500):
        ask(store, f"question number {n}")
    store.close()
    store.close()
    assert len(read_log(tmp_path / "data").questions) == 1500
    ask(store, "asked after close")  # dropped quietly, no exception


def test_a_vote_keeps_the_question_that_led_to_the_answer(store: Store, clock: Clock) -> None:
    ask(store, "who came up with the idea", kind="answer", intent="centre-who-proposed")
    ask(store, "hello", kind="smalltalk", intent="greeting")
    clock.now += dt.timedelta(minutes=1)
    store.record_vote(user_id=USER, intent="centre-who-proposed", up=False)
    store.record_vote(user_id=USER + 1, intent="centre-who-proposed", up=True)

    down, up = store.votes()
    assert (down.intent, down.up, down.question) == (
        "centre-who-proposed",
        False,
        "who came up with the idea",
    )
    assert up.question is None, "another user's vote has no question of theirs"


def test_a_language_choice_is_remembered_at_once_and_after_a_restart(tmp_path: Path) -> None:
    first = Store(tmp_path / "data")
    assert first.language(USER) is None
    first.set_language(USER, "ru")
    assert first.language(USER) == "ru"
    first.close()

    second = Store(tmp_path / "data")
    try:
        assert second.language(USER) == "ru"
        assert second.language(USER + 1) is None
    finally:
        second.close()


def fail_the_first_write(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    """The writer thread's next batch raises `error`; later batches are written as usual."""
    real_execute = Store._execute
    failures = iter([error])

    def failing_once(self: Store, conn: sqlite3.Connection, writes: list[object]) -> None:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        real_execute(self, conn, writes)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "_execute", failing_once)


def _unusable_folders(tmp_path: Path) -> list[Path]:
    """A data folder the store cannot create or write; chmod means nothing to root."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    folders = [blocker / "data"]  # mkdir under a regular file fails for everyone
    if os.geteuid() != 0:
        read_only = tmp_path / "read-only"
        read_only.mkdir(mode=0o500)
        folders.append(read_only)
    return folders


def test_an_unusable_data_folder_never_stops_the_bot_and_languages_still_work(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for folder in _unusable_folders(tmp_path):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="bot.store"):
            store = Store(folder)
            ask(store, "a private question about my visa")
            store.record_vote(user_id=USER, intent="centre-what-is", up=False)
            store.set_language(USER, "kk")
            assert store.language(USER) == "kk"
            assert store.degraded
            assert store.purge_expired() == 0
            assert store.questions() == []
            store.close()
        assert "storage unavailable" in caplog.text
        assert "visa" not in caplog.text and str(USER) not in caplog.text


def test_a_failing_write_is_logged_without_user_text_and_the_log_resumes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "data", retry_seconds=0.0)
    fail_the_first_write(monkeypatch, sqlite3.OperationalError("database or disk is full"))
    with caplog.at_level(logging.INFO, logger="bot.store"):
        ask(store, "my secret question")
        store.flush()
        ask(store, "asked after the disk was cleaned")
        store.close()

    assert "database or disk is full" in caplog.text
    assert "secret question" not in caplog.text and str(USER) not in caplog.text
    texts = [q.text for q in read_log(tmp_path / "data").questions]
    assert texts == ["asked after the disk was cleaned"]


def test_a_database_from_a_newer_bot_is_left_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / DB_FILE) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    store = Store(data)
    ask(store)
    store.close()
    assert store.degraded
    with sqlite3.connect(data / DB_FILE) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 1


def test_retention_deletes_old_questions_and_keeps_recent_ones(
    tmp_path: Path, clock: Clock
) -> None:
    store = Store(tmp_path / "data", retention_days=30, clock=clock)
    clock.now = NOW - dt.timedelta(days=31)
    ask(store, "asked long ago")
    store.record_vote(user_id=USER, intent="centre-what-is", up=False)
    clock.now = NOW - dt.timedelta(days=29)
    ask(store, "asked last month")
    clock.now = NOW

    assert store.purge_expired(NOW) == 2  # the old question and the old vote
    assert [q.text for q in store.questions()] == ["asked last month"]
    assert store.votes() == []
    store.close()


def test_retention_runs_by_itself_when_the_bot_starts(tmp_path: Path, clock: Clock) -> None:
    first = Store(tmp_path / "data", retention_days=7, clock=clock)
    ask(first, "old")
    first.close()

    clock.now = NOW + dt.timedelta(days=8)
    second = Store(tmp_path / "data", retention_days=7, clock=clock)
    ask(second, "new")
    assert [q.text for q in second.questions()] == ["new"]
    second.close()


def test_questions_can_be_read_from_a_moment_on(store: Store, clock: Clock) -> None:
    for days_ago in (10, 3, 1):
        clock.now = NOW - dt.timedelta(days=days_ago)
        ask(store, f"{days_ago} days ago")
    texts = [q.text for q in store.questions(since=NOW - dt.timedelta(days=7))]
    assert texts == ["3 days ago", "1 days ago"]
    assert len(store.questions()) == 3


def test_a_bad_field_type_loses_one_row_but_never_raises(store: Store) -> None:
    ask(store, "fine")
    ask(store, "broken", score="not a number")
    assert [q.text for q in store.questions()] == ["fine"]


def test_an_unexpected_error_in_the_writer_loses_one_batch_but_not_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "data")
    fail_the_first_write(monkeypatch, RuntimeError("a bug"))
    with caplog.at_level(logging.ERROR, logger="bot.store"):
        ask(store, "lost to the bug")
        store.flush()
        ask(store, "written after it")
        store.close()
    assert "unexpected error" in caplog.text
    assert [q.text for q in read_log(tmp_path / "data").questions] == ["written after it"]
