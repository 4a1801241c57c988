"""Shared fixtures: the real knowledge base, an engine on it, and a hermetic environment."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import default_intents_dir, default_seeds_dir
from bot.engine import Engine
from bot.indexcache import FOLDER, engine_builder
from bot.knowledge import Knowledge, load
from bot.store import Store

ROOT = Path(__file__).resolve().parent.parent
INTENTS = default_intents_dir()
SEEDS = default_seeds_dir()


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's shell settings never leak into a test."""
    import os

    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "BOT_")) or name == "PORT":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def shared_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data folder for the command-line tests: the index the first `ask` saves there is
    loaded by the rest, as on an admin's machine."""
    return tmp_path_factory.mktemp("data")


@pytest.fixture
def cli_data_dir(
    clean_environ: None, shared_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.setenv("BOT_DATA_DIR", str(shared_data_dir))
    return shared_data_dir


@pytest.fixture(scope="session")
def kb() -> Knowledge:
    return load(INTENTS, SEEDS)


@pytest.fixture(scope="session")
def engine(kb: Knowledge) -> Engine:
    return Engine(kb)


@pytest.fixture(scope="session")
def saved_index(kb: Knowledge, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's index as the bot saves it in its data folder (trained once a session)."""
    data = tmp_path_factory.mktemp("indexed")
    engine_builder(data)(kb)
    return data / FOLDER


@pytest.fixture
def started_data_dir(tmp_path: Path, saved_index: Path) -> Path:
    """A data folder as a bot leaves it after its first start: its index is saved there, so a
    reload of an edit that keeps the example questions loads it instead of training."""
    data = tmp_path / "data"
    shutil.copytree(saved_index, data / FOLDER)
    return data


class Clock:
    """A settable clock for the store, so tests decide when things were logged."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    store = Store(tmp_path / "data", clock=clock)
    yield store
    store.close()
