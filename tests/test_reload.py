"""Live reload: what admins see after editing intents/ while the bot runs.

Tests edit private copies and make their own small changes, so they hold while the knowledge
base grows. Most use a small copy (the project's `_bot.yaml` and seeds/, plus intents written
here) because every reload builds a whole engine; two edit a full copy of the project's intents.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.config import default_intents_dir, default_seeds_dir
from bot.engine import Engine, Question
from bot.errors import Problem
from bot.knowledge import UI_FILE, load
from bot.reload import Reloader, ReloadResult, describe

PELICAN = "what colour is the pelican on the centre flag"

BASE = """\
version: 1
intents:
  - id: test-joke
    kind: smalltalk
    questions:
      en: [tell me a pelican joke]
      ru: [расскажи шутку про пеликана]
      kk: [пеликан туралы әзіл айт]
    answer:
      en: No jokes today.
      ru: Сегодня без шуток.
      kk: Бүгін әзіл жоқ.
"""

EXTRA = """\
version: 1
intents:
  - id: test-pelican
    kind: smalltalk
    questions:
      en: [{en}]
      ru: [какого цвета пеликан на флаге центра]
      kk: [орталық туындағы пеликан қандай түсті]
    answer:
      en: {answer}
      ru: Пеликан синий.
      kk: Пеликан көк.
"""

FOLLOWER = """\
version: 1
intents:
  - id: test-follower
    kind: smalltalk
    questions:
      en: [is the pelican real]
      ru: [пеликан настоящий]
      kk: [пеликан шын ба]
    answer:
      en: It is a drawing.
      ru: Это рисунок.
      kk: Бұл сурет.
    follow_ups: [test-pelican]
"""


def extra(answer: str = "The pelican is blue.", en: str = PELICAN) -> str:
    return EXTRA.format(answer=answer, en=en)


class Kb:
    """Copies of intents/ and seeds/ with a reloader over them, and ways to edit them."""

    def __init__(self, intents: Path, seeds: Path, engine: Engine | None = None) -> None:
        self.intents, self.seeds = intents, seeds
        engine = engine or Engine(load(intents, seeds))
        self.reloader = Reloader(engine, intents, seeds)

    def write(self, name: str, text: str) -> Path:
        path = self.intents / name
        path.write_text(text, encoding="utf-8")
        _bump_mtime(path)
        return path

    def edit(self, name: str, old: str, new: str) -> Path:
        text = (self.intents / name).read_text(encoding="utf-8")
        assert old in text, f"{name} no longer contains {old!r}; pick another edit"
        return self.write(name, text.replace(old, new, 1))

    def delete(self, name: str) -> None:
        (self.intents / name).unlink()

    def answer(self, question: str) -> tuple[str, str | None]:
        reply = self.reloader.engine.ask(Question(question))
        return reply.kind, reply.intent.id if reply.intent else None

    def check(self) -> ReloadResult:
        result = self.reloader.check()
        assert result is not None, "expected the reload to report something"
        return result


def _bump_mtime(path: Path) -> None:
    # Two saves within one mtime tick and of the same size would look unchanged; an editor is
    # slower than a test, so move the file's clock on instead of sleeping.
    later = path.stat().st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(later, later))


@pytest.fixture
def small_kb(tmp_path: Path) -> Kb:
    """A small knowledge base: the project's UI texts and seeds, and one intent of ours."""
    (tmp_path / "intents").mkdir()
    shutil.copy(default_intents_dir() / UI_FILE, tmp_path / "intents" / UI_FILE)
    shutil.copytree(default_seeds_dir(), tmp_path / "seeds")
    (tmp_path / "intents" / "base.yaml").write_text(BASE, encoding="utf-8")
    return Kb(tmp_path / "intents", tmp_path / "seeds")


@pytest.fixture
def full_kb(tmp_path: Path, engine: Engine) -> Kb:
    """A copy of the project's whole knowledge base (the session's engine was built from it)."""
    shutil.copytree(default_intents_dir(), tmp_path / "intents")
    shutil.copytree(default_seeds_dir(), tmp_path / "seeds")
    return Kb(tmp_path / "intents", tmp_path / "seeds", engine)


# --- the project's own intents -------------------------------------------------------------------


def test_an_edited_answer_in_the_real_intents_is_used_after_a_check(full_kb: Kb) -> None:
    intent = full_kb.reloader.engine.knowledge.intents["centre-who-proposed"]
    full_kb.edit(Path(intent.file).name, intent.answer["en"], "It was the pelicans' idea.")

    result = full_kb.check()

    assert result.ok and "centre-who-proposed" in result.changed
    new = full_kb.reloader.engine.knowledge.intents["centre-who-proposed"]
    assert new.answer["en"] == "It was the pelicans' idea."
    assert full_kb.answer("Who proposed the centre?") == ("answer", "centre-who-proposed")
    assert "Changed: " in describe(result) and "centre-who-proposed" in describe(result)


def test_a_yaml_syntax_error_keeps_the_old_engine_and_names_file_and_line(full_kb: Kb) -> None:
    engine = full_kb.reloader.engine
    name = Path(engine.knowledge.intents["centre-who-proposed"].file).name
    text = (full_kb.intents / name).read_text(encoding="utf-8")
    line = text[: text.index("intents:\n")].count("\n") + 2  # the line after `intents:`
    path = full_kb.edit(name, "intents:\n", "intents:\n  - id: broken: here\n")

    result = full_kb.check()

    assert not result.ok
    assert any(
        (p.file, p.line) == (str(path), line) and p.message.startswith("YAML syntax:")
        for p in result.problems
    ), result.problems
    assert full_kb.reloader.engine is engine
    assert full_kb.answer("Who proposed the centre?") == ("answer", "centre-who-proposed")
    message = describe(result)
    assert f"{path}:{line}: YAML syntax" in message
    assert "keeps answering from the previous version" in message


# --- a small knowledge base ----------------------------------------------------------------------


def test_nothing_is_reported_while_nothing_changes(small_kb: Kb) -> None:
    assert small_kb.reloader.check() is None
    _bump_mtime(small_kb.intents / "base.yaml")  # saved without changes
    assert small_kb.reloader.check() is None


def test_a_new_intent_file_is_answered_after_a_check(small_kb: Kb) -> None:
    assert small_kb.answer(PELICAN) != ("smalltalk", "test-pelican")
    small_kb.write("extra.yaml", extra())

    result = small_kb.check()

    assert result.ok and result.added == ("test-pelican",)
    assert small_kb.answer(PELICAN) == ("smalltalk", "test-pelican")
    assert "Added: test-pelican" in describe(result)


def test_a_new_example_question_is_a_change_of_that_intent(small_kb: Kb) -> None:
    small_kb.edit(
        "base.yaml", "en: [tell me a pelican joke]", "en: [tell me a pelican joke, any joke]"
    )
    result = small_kb.check()
    assert result.changed == ("test-joke",) and not result.added
    assert "Changed: test-joke" in describe(result)


def test_the_same_broken_state_is_reported_once(small_kb: Kb) -> None:
    path = small_kb.edit("base.yaml", "intents:\n", "intents:\n  - id: broken: here\n")
    assert not small_kb.check().ok
    _bump_mtime(path)  # saved again, broken the same way
    assert small_kb.reloader.check() is None
    small_kb.edit("base.yaml", "version: 1", "version: [")
    assert not small_kb.check().ok, "a different breakage is news again"


def test_a_fix_after_a_broken_edit_is_picked_up(small_kb: Kb) -> None:
    small_kb.write("extra.yaml", extra().replace("answer:", "answer: [", 1))
    assert not small_kb.check().ok
    small_kb.write("extra.yaml", extra("Now fixed, the pelican is blue."))

    result = small_kb.check()

    assert result.ok and result.recovered and result.added == ("test-pelican",)
    assert small_kb.answer(PELICAN) == ("smalltalk", "test-pelican")
    assert "problems are fixed" in describe(result)


def test_undoing_a_broken_edit_is_reported_as_fixed(small_kb: Kb) -> None:
    original = (small_kb.intents / "base.yaml").read_text(encoding="utf-8")
    small_kb.edit("base.yaml", "intents:\n", "intents:\n  - id: broken: here\n")
    assert not small_kb.check().ok
    small_kb.write("base.yaml", original)
    result = small_kb.check()
    assert result.ok and result.recovered and not result.changes


def test_a_deleted_file_takes_its_intents_away(small_kb: Kb) -> None:
    small_kb.write("extra.yaml", extra())
    small_kb.check()
    small_kb.delete("extra.yaml")

    result = small_kb.check()

    assert result.ok and result.removed == ("test-pelican",)
    assert small_kb.answer(PELICAN) != ("smalltalk", "test-pelican")
    assert "Removed: test-pelican" in describe(result)


def test_deleting_a_file_that_others_point_to_keeps_the_old_set(small_kb: Kb) -> None:
    small_kb.write("extra.yaml", extra())
    small_kb.write("follower.yaml", FOLLOWER)
    assert small_kb.check().added == ("test-follower", "test-pelican")
    small_kb.delete("extra.yaml")

    result = small_kb.check()

    assert not result.ok
    [problem] = result.problems
    assert problem.file.endswith("follower.yaml")
    assert "follow-up 'test-pelican'" in problem.message
    assert small_kb.answer(PELICAN) == ("smalltalk", "test-pelican")


def test_an_edited_ui_text_is_reported(small_kb: Kb) -> None:
    ui = (small_kb.intents / UI_FILE).read_text(encoding="utf-8")
    decline = small_kb.reloader.engine.knowledge.message("decline", "en")
    assert decline in ui, "the English decline text is expected verbatim in _bot.yaml"
    small_kb.write(UI_FILE, ui.replace(decline, decline + " Sorry.", 1))
    result = small_kb.check()
    assert result.ok and result.other == ("messages",) and not result.changed
    assert "Also changed: messages" in describe(result)


# --- the admin message ---------------------------------------------------------------------------


def test_an_admin_message_fits_in_one_telegram_message_and_is_html_safe() -> None:
    problems = tuple(
        Problem(f"intents/file{n}.yaml", n, f"unknown key '<b>{n}</b>' & more") for n in range(500)
    )
    text = describe(ReloadResult(ok=False, problems=problems, summary="OK: 1 intent"))
    assert len(text) <= 4096
    assert "<b>" not in text and "&lt;b&gt;" in text
    assert "…and" in text and "more" in text
    assert text.startswith("Knowledge NOT reloaded: 500 problem(s).")


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (ReloadResult(ok=True, added=("a",), summary="OK: 2 intents"), "Added: a"),
        (ReloadResult(ok=True, removed=("b",), summary="OK: 1 intent"), "Removed: b"),
        (ReloadResult(ok=True, other=("synonyms",), summary="OK"), "Also changed: synonyms"),
        (
            ReloadResult(ok=True, changed=tuple(f"i-{n:02}" for n in range(40)), summary="OK"),
            "Changed: i-00, i-01",
        ),
    ],
    ids=["added", "removed", "ui-data", "many-changed"],
)
def test_a_successful_reload_says_what_changed(result: ReloadResult, expected: str) -> None:
    text = describe(result)
    assert text.startswith("Knowledge reloaded.")
    assert expected in text
    assert text.endswith(result.summary)
    if len(result.changed) > 15:
        assert "and 25 more" in text
