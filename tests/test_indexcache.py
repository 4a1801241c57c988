"""The saved index: a restart loads it instead of building it, and it never costs an answer.

What an operator notices: the second start with the same knowledge base skips the build; an
edit gives a fresh build that replaces the saved file; a damaged file or a data folder that
cannot be written is logged and the bot answers as if there were no cache.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

import bot.indexcache
from bot.ahead import train_ahead
from bot.engine import Engine, Question
from bot.index import DEFAULT_PARAMS
from bot.indexcache import FOLDER, IndexCache, cache_key, engine_builder
from bot.knowledge import Knowledge
from tests.conftest import INTENTS, SEEDS

QUESTION = "Where will the centre be?"


@pytest.fixture
def small(kb: Knowledge) -> Knowledge:
    """Twelve real intents: quick to build, real enough to answer."""
    keep = dict(list(kb.intents.items())[:12])
    return dataclasses.replace(kb, intents=keep)


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the indexes actually built (not loaded)."""
    built: list[int] = []
    real = bot.indexcache.build_index

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(bot.indexcache, "build_index", counting)
    return built


def answer(engine: Engine, text: str = QUESTION) -> tuple[str, str | None, float]:
    reply = engine.ask(Question(text, lang_hint="en"))
    return reply.kind, reply.intent.id if reply.intent else None, round(reply.score, 6)


def saved(data_dir: Path) -> list[Path]:
    return sorted((data_dir / FOLDER).glob("*.pickle"))


def test_a_restart_with_the_same_knowledge_loads_the_index_instead_of_building_it(
    tmp_path: Path, small: Knowledge, builds: list[int]
) -> None:
    first = engine_builder(tmp_path)(small)
    second = engine_builder(tmp_path)(small)  # a new process would build the same way
    assert len(builds) == 1
    assert len(saved(tmp_path)) == 1
    assert answer(second) == answer(first) == answer(Engine(small))
    assert answer(second, "когда приняли резолюцию") == answer(first, "когда приняли резолюцию")


def test_a_loaded_index_knows_its_example_questions_for_the_usage_report(
    tmp_path: Path, small: Knowledge
) -> None:
    engine_builder(tmp_path)(small)
    loaded = engine_builder(tmp_path)(small)  # read from the data folder, as at a restart
    assert loaded.index.example_texts == Engine(small).index.example_texts
    assert next(iter(small.intents.values())).questions["en"][0] in loaded.index.example_texts


def test_an_edited_example_builds_afresh_and_replaces_the_saved_index(
    tmp_path: Path, small: Knowledge, builds: list[int]
) -> None:
    engine_builder(tmp_path)(small)
    before = saved(tmp_path)
    intent = next(iter(small.intents.values()))
    questions = dict(intent.questions)
    questions["en"] = (*questions["en"], "tell me about the pelicans of the centre")
    edited = dataclasses.replace(
        small,
        intents={**small.intents, intent.id: dataclasses.replace(intent, questions=questions)},
    )
    engine = engine_builder(tmp_path)(edited)
    assert len(builds) == 2
    after = saved(tmp_path)
    assert len(after) == 1 and after != before  # the old file is gone, not piling up
    assert answer(engine, "tell me about the pelicans of the centre")[1] == intent.id


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(path.read_bytes()[:100]),  # truncated by a crash
        lambda path: path.write_bytes(b"not a pickle at all"),
    ],
    ids=["truncated", "garbage"],
)
def test_a_damaged_saved_index_is_logged_and_built_again(
    tmp_path: Path,
    small: Knowledge,
    builds: list[int],
    damage: Callable[[Path], object],
    caplog: pytest.LogCaptureFixture,
) -> None:
    expected = answer(engine_builder(tmp_path)(small))
    damage(saved(tmp_path)[0])
    with caplog.at_level(logging.WARNING, logger="bot.indexcache"):
        engine = engine_builder(tmp_path)(small)
    assert answer(engine) == expected
    assert len(builds) == 2
    assert "could not be read" in caplog.text
    assert answer(engine_builder(tmp_path)(small)) == expected  # repaired: loaded again
    assert len(builds) == 2


def test_a_data_folder_that_cannot_be_written_costs_no_answer(
    tmp_path: Path, small: Knowledge, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "data"
    blocked.mkdir()
    (blocked / FOLDER).write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING, logger="bot.indexcache"):
        engine = engine_builder(blocked)(small)
    assert answer(engine) == answer(Engine(small))
    assert "could not be saved" in caplog.text


def trained_apart(data_dir: Path) -> Callable[[Knowledge], Engine]:
    """An engine builder that trains even a small knowledge base in a child process."""
    return functools.partial(Engine, build=IndexCache(data_dir / FOLDER, apart_from=1).build)


def test_a_large_knowledge_base_is_trained_in_a_child_process_and_answers_the_same(
    tmp_path: Path, small: Knowledge, builds: list[int]
) -> None:
    engine = trained_apart(tmp_path)(small)
    assert builds == []  # trained elsewhere: this process only loaded the result
    assert len(saved(tmp_path)) == 1
    assert answer(engine) == answer(Engine(small))
    assert answer(engine, "когда приняли резолюцию") == answer(
        Engine(small), "когда приняли резолюцию"
    )
    assert answer(engine_builder(tmp_path)(small)) == answer(engine)  # the restart loads it
    assert builds == []


def test_when_the_child_cannot_save_the_index_the_bot_trains_it_itself(
    tmp_path: Path, small: Knowledge, builds: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / FOLDER).write_text("a file where the folder should be")  # as on a full disk
    with caplog.at_level(logging.WARNING, logger="bot.indexcache"):
        engine = trained_apart(tmp_path)(small)
    assert len(builds) == 1
    assert answer(engine) == answer(Engine(small))
    assert "could not be saved" in caplog.text


def test_a_child_process_that_dies_costs_no_answer(
    tmp_path: Path,
    small: Knowledge,
    builds: list[int],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def dies(*args: object) -> bool:
        raise BrokenProcessPool("a child process terminated abruptly")

    monkeypatch.setattr(bot.indexcache, "_in_child", dies)
    with caplog.at_level(logging.WARNING, logger="bot.indexcache"):
        engine = trained_apart(tmp_path)(small)
    assert len(builds) == 1
    assert answer(engine) == answer(Engine(small))
    assert "training in a child process failed" in caplog.text
    assert len(saved(tmp_path)) == 1


def test_a_first_start_trains_ahead_in_a_child_that_reads_the_files_itself(
    tmp_path: Path,
    kb: Knowledge,
    engine: Engine,
    builds: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`run` with nothing saved: a child started before the bot loads anything reads the intents,
    trains and saves the index; the bot's own build finds it and answers as if it had trained."""
    children: list[object] = []
    monkeypatch.setattr(bot.indexcache, "_in_child", lambda *job: children.append(job))
    ahead = train_ahead(tmp_path, None, INTENTS, SEEDS)
    assert ahead is not None
    first = engine_builder(tmp_path, ahead=ahead)(kb)
    assert builds == [] and children == []  # trained neither here nor in a child of its own
    assert len(saved(tmp_path)) == 1
    for question in (QUESTION, "когда приняли резолюцию", "Орталықтың бюджеті қанша?"):
        assert answer(first, question) == answer(engine, question)
    assert train_ahead(tmp_path, None, INTENTS, SEEDS) is None  # the restart: nothing to train


def test_no_child_trains_ahead_when_the_image_has_an_index(
    tmp_path: Path, small: Knowledge
) -> None:
    engine_builder(tmp_path / "image")(small)
    assert train_ahead(tmp_path / "data", tmp_path / "image" / FOLDER, INTENTS, SEEDS) is None


def test_when_the_child_ahead_read_other_intents_the_bot_trains_its_own(
    tmp_path: Path, small: Knowledge, builds: list[int]
) -> None:
    """An edit between the child's reading and the bot's: the child's index is not used."""
    ahead = train_ahead(tmp_path, None, INTENTS, SEEDS)  # the whole base; the bot has 12 intents
    engine = engine_builder(tmp_path, ahead=ahead)(small)
    assert len(builds) == 1
    assert answer(engine) == answer(Engine(small))
    assert len(saved(tmp_path)) == 1  # the bot's; the child's is replaced


def test_a_child_ahead_that_fails_is_logged_and_costs_no_answer(
    tmp_path: Path, small: Knowledge, builds: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "intents"
    shutil.copytree(INTENTS, broken)
    (broken / "centre.yaml").write_text("intents: [unclosed\n")
    ahead = train_ahead(tmp_path / "data", None, broken, SEEDS)
    with caplog.at_level(logging.WARNING, logger="bot.indexcache"):
        engine = engine_builder(tmp_path / "data", ahead=ahead)(small)
    assert "training the index ahead failed" in caplog.text
    assert len(builds) == 1
    assert answer(engine) == answer(Engine(small))


def test_the_key_changes_with_examples_synonyms_and_parameters() -> None:
    examples = [("a", "where is the centre"), ("b", "who proposed it")]
    key = cache_key(examples, [("sdg", "sdgs")], DEFAULT_PARAMS)
    assert key == cache_key(list(examples), [("sdg", "sdgs")], DEFAULT_PARAMS)
    assert key != cache_key([*examples, ("b", "who")], [("sdg", "sdgs")], DEFAULT_PARAMS)
    assert key != cache_key(examples, [("sdg", "sdgs", "цур")], DEFAULT_PARAMS)
    assert key != cache_key(
        examples, [("sdg", "sdgs")], dataclasses.replace(DEFAULT_PARAMS, epochs=3)
    )


def test_an_index_built_ahead_is_loaded_by_a_first_start_and_the_data_folder_stays_empty(
    tmp_path: Path, small: Knowledge, builds: list[int]
) -> None:
    """What the image does: `python -m bot index --into DIR` at build time, so a new container
    (empty data volume) loads the index instead of training before its first answer."""
    built_ahead = engine_builder(tmp_path / "image")(small)
    prebuilt, data = tmp_path / "image" / FOLDER, tmp_path / "data"
    engine = engine_builder(data, prebuilt)(small)
    assert len(builds) == 1  # only the build ahead
    assert saved(data) == []  # nothing written: the prebuilt file is used where it is
    assert answer(engine) == answer(built_ahead)


def test_a_prebuilt_index_of_other_intents_is_ignored_and_a_fresh_one_saved(
    tmp_path: Path, small: Knowledge, kb: Knowledge, builds: list[int]
) -> None:
    """Admins edited the intents after the image was built: the bot trains once, as before."""
    engine_builder(tmp_path / "ahead")(kb)
    engine = engine_builder(tmp_path / "data", tmp_path / "ahead" / FOLDER)(small)
    assert len(saved(tmp_path / "ahead")) == 1
    assert len(builds) == 1  # the small one, here (the whole base trains in a child process)
    assert len(saved(tmp_path / "data")) == 1
    assert answer(engine) == answer(Engine(small))


def test_a_saved_index_answers_the_same_in_a_process_that_hashes_strings_differently(
    tmp_path: Path, small: Knowledge
) -> None:
    """The index looks features up by Python's string hash, which differs from one process to
    the next (PYTHONHASHSEED): a restart must still find every feature of the saved index."""
    engine = engine_builder(tmp_path)(small)
    questions = [QUESTION, "когда приняли резолюцию", "орталық қайда болады", "UNRCCA"]
    expected = [[m.intent for m in engine.index.rank(q)] for q in questions]
    (saved_index,) = saved(tmp_path)
    code = (
        "import json, pickle\n"
        f"index = pickle.loads(open({str(saved_index)!r}, 'rb').read())\n"
        f"print(json.dumps([[m.intent for m in index.rank(q)] for q in {questions!r}]))\n"
    )
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
            cwd=Path(__file__).resolve().parents[1],
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(result.stdout) == expected
