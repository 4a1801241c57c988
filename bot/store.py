"""The question log, feedback votes and language choices, kept in SQLite in the data folder.

Writes never delay a reply: `record_*` and `set_language` put a row on a queue and return, and
one writer thread, owning its own connection, commits them in batches. Storage failures (no
folder, read-only disk, full disk, a locked database) are logged without user text or ids, and
the store runs degraded: writes are dropped, language choices still work from memory, and the
writer tries to reopen the database every `retry_seconds`.

Telegram user ids never reach the database: each is replaced by an HMAC-SHA256 keyed by a secret
kept in `data_dir/secret.key` (created 0600 on first run), so the log can be read for statistics
without being linkable to Telegram accounts by anyone who lacks the key.

Reading (`questions`, `votes`, `read_log`) opens a separate read-only connection, so reports
can run while the bot writes (WAL mode lets readers and the writer proceed together).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import os
import queue
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.errors import StorageError

logger = logging.getLogger(__name__)

DB_FILE: Final = "bot.sqlite3"
KEY_FILE: Final = "secret.key"
KINDS: Final = ("answer", "clarify", "smalltalk", "decline")
#: SQLite's own datetime format (UTC): sorts as text, and works with `datetime('now', ...)`.
_TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"
#: A reply must never wait for the log: past this many queued rows, new ones are dropped.
_QUEUE_LIMIT: Final = 10_000
_BATCH: Final = 500
#: The writer rests this long after each batch: rows that arrive meanwhile are committed
#: together, so a busy bot wakes the writer (and takes the GIL from the replies) 20 times a
#: second instead of once per question.
_GATHER_SECONDS: Final = 0.05
_CLOSE_SECONDS: Final = 30.0
#: How long a vote looks back for the question that led to it.
_VOTE_LOOKBACK: Final = dt.timedelta(days=1)

#: Applied in order; `PRAGMA user_version` holds how many have run. Append, never edit.
MIGRATIONS: Final[tuple[str, ...]] = (
    """
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        language TEXT NOT NULL,
        text TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('answer', 'clarify', 'smalltalk', 'decline')),
        intent TEXT,
        score REAL NOT NULL,
        chat_type TEXT NOT NULL,
        user TEXT NOT NULL
    );
    CREATE INDEX questions_time ON questions (time);
    CREATE INDEX questions_user ON questions (user, id);
    CREATE TABLE votes (
        id INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        user TEXT NOT NULL,
        intent TEXT NOT NULL,
        up INTEGER NOT NULL CHECK (up IN (0, 1)),
        question TEXT
    );
    CREATE INDEX votes_time ON votes (time);
    CREATE TABLE languages (
        user TEXT PRIMARY KEY,
        language TEXT NOT NULL,
        time TEXT NOT NULL
    );
    """,
)


@dataclass(frozen=True, slots=True)
class LoggedQuestion:
    time: dt.datetime  # UTC
    language: str
    text: str
    kind: str
    intent: str | None
    score: float
    chat_type: str
    user: str  # keyed hash, never the Telegram id


@dataclass(frozen=True, slots=True)
class LoggedVote:
    time: dt.datetime  # UTC
    user: str
    intent: str
    up: bool
    #: The user's latest question before the vote (preferring one answered by `intent`).
    question: str | None


@dataclass(frozen=True, slots=True)
class Log:
    """Everything a report needs, read at once."""

    questions: tuple[LoggedQuestion, ...] = ()
    votes: tuple[LoggedVote, ...] = ()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def database_path(data_dir: Path) -> Path:
    return Path(data_dir) / DB_FILE


def stamp(moment: dt.datetime) -> str:
    """A datetime as stored: UTC, SQLite's text format (naive datetimes are taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime(_TIME_FORMAT)


def _parse_stamp(text: str) -> dt.datetime:
    # fromisoformat reads SQLite's format and is ~20× faster than strptime (10,000 rows).
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


# --- writing -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Write:
    sql: str
    params: tuple[object, ...]


@dataclass(slots=True)
class _Task:
    """Work run on the writer's connection while a caller waits (flush, purge)."""

    run: Callable[[sqlite3.Connection | None], object]
    done: threading.Event
    result: object = None


_STOP: Final = object()


class Store:
    """The bot's persistent memory; every public method is safe to call from any thread."""

    def __init__(
        self,
        data_dir: Path,
        retention_days: int = 365,
        secret: bytes | None = None,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        retry_seconds: float = 60.0,
        purge_seconds: float = 24 * 3600.0,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.path = database_path(self.data_dir)
        self.retention_days = retention_days
        self._clock = clock
        self._retry_seconds = retry_seconds
        self._purge_seconds = purge_seconds
        # Until the key file can be read, an in-memory key keeps language choices working.
        self._secret = secret if secret is not None else secrets.token_bytes(32)
        self._secret_ready = secret is not None
        #: Choices made in this process, by Telegram id (memory only; rewritten on reopen).
        self._chosen: dict[int, str] = {}
        #: Choices read from the database at start, by hashed id.
        self._stored: dict[str, str] = {}
        self._queue: queue.Queue[object] = queue.Queue(maxsize=_QUEUE_LIMIT)
        self._closed = False
        self._close_lock = threading.Lock()
        self._dropped = 0
        self._last_attempt = 0.0
        self._last_purge = 0.0
        # Opened here, before the thread starts, so `language()` knows stored choices at once.
        self._conn: sqlite3.Connection | None = self._open()
        self._thread = threading.Thread(target=self._run, name="store-writer", daemon=True)
        self._thread.start()

    @property
    def degraded(self) -> bool:
        """True while the database cannot be used (writes are being dropped)."""
        return self._conn is None

    # --- the interface the Telegram handlers use ------------------------------------------

    def user_hash(self, user_id: int) -> str:
        """The keyed hash that stands for a Telegram user id in the database."""
        return hmac.new(self._secret, str(user_id).encode(), hashlib.sha256).hexdigest()

    def record_question(
        self,
        *,
        user_id: int,
        language: str,
        text: str,
        kind: str,
        intent: str | None,
        score: float,
        chat_type: str,
    ) -> None:
        """Queue one asked question for the log; never blocks or raises."""
        try:
            params = (
                stamp(self._clock()),
                str(language),
                str(text),
                str(kind),
                None if intent is None else str(intent),
                float(score),
                str(chat_type),
                self.user_hash(user_id),
            )
        except (TypeError, ValueError) as error:
            # A caller's bug must not cost the user their reply; the log loses one row. The
            # error text could echo a field, so only its type is logged.
            logger.error("a question was not logged: %s in its fields", type(error).__name__)
            return
        self._put(
            _Write(
                "INSERT INTO questions"
                " (time, language, text, kind, intent, score, chat_type, user)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                params,
            )
        )

    def record_vote(self, *, user_id: int, intent: str, up: bool) -> None:
        """Queue a 👍/👎 on an answer; the question that led to it is looked up when written."""
        now = self._clock()
        user = self.user_hash(user_id)
        # The queue is first in, first out, so the question asked just before is already written.
        self._put(
            _Write(
                "INSERT INTO votes (time, user, intent, up, question) VALUES (?, ?, ?, ?, ("
                " SELECT text FROM questions WHERE user = ? AND time >= ?"
                " ORDER BY intent IS ? DESC, id DESC LIMIT 1))",
                (stamp(now), user, intent, int(up), user, stamp(now - _VOTE_LOOKBACK), intent),
            )
        )

    def set_language(self, user_id: int, language: str) -> None:
        """Remember a /language choice: in memory at once, in the database when queued."""
        self._chosen[user_id] = language
        self._put(self._language_write(user_id, language))

    def language(self, user_id: int) -> str | None:
        """The user's chosen language, from memory; None if they never chose."""
        chosen = self._chosen.get(user_id)
        if chosen is not None:
            return chosen
        return self._stored.get(self.user_hash(user_id))

    def close(self) -> None:
        """Write everything queued, then stop the writer thread. Safe to call twice."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        # Waiting is right here (shutdown): a dropped stop signal would lose the queued rows.
        try:
            self._queue.put(_STOP, timeout=_CLOSE_SECONDS)
        except queue.Full:
            logger.error("the store queue stayed full at shutdown; queued rows are lost")
            return
        self._thread.join(timeout=_CLOSE_SECONDS)
        if self._thread.is_alive():
            logger.error("the store writer did not finish in time; some rows may be lost")

    # --- reading, for reports ---------------------------------------------------------------

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is written; False on timeout or when closed."""
        return self._call(lambda _conn: None, timeout) is not _TIMEOUT

    def questions(self, since: dt.datetime | None = None) -> list[LoggedQuestion]:
        """Logged questions from `since` on (all when None), oldest first."""
        self.flush()
        return list(read_log(self.data_dir, since).questions)

    def votes(self, since: dt.datetime | None = None) -> list[LoggedVote]:
        self.flush()
        return list(read_log(self.data_dir, since).votes)

    def log(self, since: dt.datetime | None = None) -> Log:
        self.flush()
        return read_log(self.data_dir, since)

    def purge_expired(self, now: dt.datetime | None = None) -> int:
        """Delete questions and votes older than `retention_days`; returns the rows deleted.

        Runs on the writer thread (at start, then every `purge_seconds`); calling it from
        elsewhere hands it to the writer and waits.
        """
        result = self._call(lambda conn: self._purge(conn, now), timeout=30.0)
        return result if isinstance(result, int) else 0

    # --- internals ----------------------------------------------------------------------------

    def _put(self, item: object) -> None:
        if self._closed:
            logger.debug("store closed; a write was dropped")
            return
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self._dropped += 1
            if self._dropped in (1, 100) or self._dropped % 10_000 == 0:
                logger.warning("the store queue is full; %d writes dropped so far", self._dropped)

    def _language_write(self, user_id: int, language: str) -> _Write:
        return _Write(
            "INSERT INTO languages (user, language, time) VALUES (?, ?, ?)"
            " ON CONFLICT (user) DO UPDATE SET language = excluded.language, time = excluded.time",
            (self.user_hash(user_id), language, stamp(self._clock())),
        )

    def _call(self, run: Callable[[sqlite3.Connection | None], object], timeout: float) -> object:
        if self._closed or not self._thread.is_alive():
            return _TIMEOUT
        task = _Task(run, threading.Event())
        try:
            self._queue.put(task, timeout=timeout)
        except queue.Full:
            return _TIMEOUT
        if not task.done.wait(timeout):
            return _TIMEOUT
        return task.result

    def _open(self) -> sqlite3.Connection | None:
        """Open and migrate the database, or log why not and return None (degraded)."""
        self._last_attempt = time.monotonic()
        conn: sqlite3.Connection | None = None
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            if not self._secret_ready:
                self._secret = _load_secret(self.data_dir / KEY_FILE, self._secret)
                self._secret_ready = True
            conn = sqlite3.connect(
                self.path, timeout=5.0, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn)
            self._stored.update(
                dict(conn.execute("SELECT user, language FROM languages").fetchall())
            )
            # Choices made while degraded were only in memory; write them now.
            for user_id, language in list(self._chosen.items()):
                self._execute(conn, [self._language_write(user_id, language)])
            self._purge(conn, None)
        except (OSError, sqlite3.Error, StorageError) as error:
            if conn is not None:
                conn.close()
            logger.warning(
                "storage unavailable (%s: %s); the bot keeps answering, the question log is "
                "paused and will be retried",
                type(error).__name__,
                error,
            )
            return None
        logger.info("store opened: %s", self.path)
        return conn

    def _run(self) -> None:
        """The writer thread: write batches until told to stop."""
        stop = False
        while not stop:
            batch = self._next_batch()
            stop = any(item is _STOP for item in batch)
            try:
                self._process(batch)
            except Exception:
                # A bug here must not end the thread: the log would stop for good and
                # close() would wait in vain. Tracebacks hold code, not the rows' values.
                logger.exception("the store writer hit an unexpected error; it carries on")
                for item in batch:
                    if isinstance(item, _Task):
                        item.done.set()
            if not stop:
                time.sleep(_GATHER_SECONDS)
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def _process(self, batch: list[object]) -> None:
        self._housekeeping()
        writes = [item for item in batch if isinstance(item, _Write)]
        if writes and self._conn is not None:
            try:
                self._execute(self._conn, writes)
            except sqlite3.Error as error:
                self._fail(error, len(writes))
        for item in batch:
            if isinstance(item, _Task):
                self._finish(item)

    def _next_batch(self) -> list[object]:
        """The next item and whatever else is already queued (up to a batch), in order."""
        try:
            batch = [self._queue.get(timeout=min(self._retry_seconds, 60.0))]
        except queue.Empty:
            return []
        while len(batch) < _BATCH and batch[-1] is not _STOP:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _housekeeping(self) -> None:
        now = time.monotonic()
        if self._conn is None and now - self._last_attempt >= self._retry_seconds:
            self._conn = self._open()
        if self._conn is not None and now - self._last_purge >= self._purge_seconds:
            try:
                self._purge(self._conn, None)
            except sqlite3.Error as error:
                self._fail(error, 0)

    def _finish(self, task: _Task) -> None:
        try:
            task.result = task.run(self._conn)
        except sqlite3.Error as error:
            self._fail(error, 0)
        finally:
            task.done.set()

    def _execute(self, conn: sqlite3.Connection, writes: Sequence[_Write]) -> None:
        """Commit a batch in one transaction: one fsync for many rows."""
        with _transaction(conn):
            for write in writes:
                conn.execute(write.sql, write.params)

    def _fail(self, error: sqlite3.Error, lost: int) -> None:
        # The SQLite message names the failure ("disk is full", "database is locked"), never
        # the row, so it is safe to log; the rows themselves are not.
        logger.warning(
            "storage failed (%s: %s); %d rows lost, running without the question log",
            type(error).__name__,
            error,
            lost,
        )
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None
        self._last_attempt = time.monotonic()

    def _purge(self, conn: sqlite3.Connection | None, now: dt.datetime | None) -> int:
        if conn is None:
            return 0
        self._last_purge = time.monotonic()
        cutoff = stamp((now or self._clock()) - dt.timedelta(days=self.retention_days))
        with _transaction(conn):
            deleted = conn.execute("DELETE FROM questions WHERE time < ?", (cutoff,)).rowcount
            # Votes carry the question text too, so they expire with the questions.
            deleted += conn.execute("DELETE FROM votes WHERE time < ?", (cutoff,)).rowcount
        if deleted:
            logger.info(
                "retention: deleted %d rows older than %d days", deleted, self.retention_days
            )
        return deleted


_TIMEOUT: Final = object()


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _load_secret(path: Path, fallback: bytes) -> bytes:
    """The key in `path`; if there is none yet, `fallback` is written there (mode 0600)."""
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        pass
    else:
        if len(key) < 16:
            raise StorageError(f"{path} is shorter than 16 bytes; delete it to make a new key")
        return key
    # O_EXCL: if two processes start at once, the second reads the first one's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as file:
        file.write(fallback)
    return fallback


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date; returns the schema version."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > len(MIGRATIONS):
        raise StorageError(
            f"the database has schema version {version}, newer than this bot knows "
            f"({len(MIGRATIONS)}); upgrade the bot"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        # executescript commits first, so the script and the version bump go in one transaction.
        conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    return len(MIGRATIONS)


# --- reading -------------------------------------------------------------------------------------


def read_log(data_dir: Path, since: dt.datetime | None = None) -> Log:
    """Questions and votes from `since` on (all when None); empty when nothing was logged yet.

    Raises StorageError when a database exists but cannot be read.
    """
    path = database_path(data_dir)
    if not path.exists():
        return Log()
    cutoff = stamp(since) if since is not None else ""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error as error:
        raise StorageError(f"cannot open {path}: {error}") from error
    try:
        if int(conn.execute("PRAGMA user_version").fetchone()[0]) == 0:
            return Log()
        questions = conn.execute(
            "SELECT time, language, text, kind, intent, score, chat_type, user FROM questions"
            " WHERE time >= ? ORDER BY time, id",
            (cutoff,),
        ).fetchall()
        votes = conn.execute(
            "SELECT time, user, intent, up, question FROM votes WHERE time >= ? ORDER BY time, id",
            (cutoff,),
        ).fetchall()
    except sqlite3.Error as error:
        raise StorageError(f"cannot read {path}: {error}") from error
    finally:
        conn.close()
    return Log(
        questions=tuple(
            LoggedQuestion(
                _parse_stamp(t), language, text, kind, intent, float(score), chat_type, user
            )
            for t, language, text, kind, intent, score, chat_type, user in questions
        ),
        votes=tuple(
            LoggedVote(_parse_stamp(t), user, intent, bool(up), question)
            for t, user, intent, up, question in votes
        ),
    )
